package credential_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/credential/credentialtest"
)

func TestMemoryStore(t *testing.T) {
	credentialtest.Run(t, func(t *testing.T) credential.Store { return credential.NewMemoryStore() })
}
