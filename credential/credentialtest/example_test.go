package credentialtest_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/credential/credentialtest"
)

// A host runs the kit from a test in its own package, with a factory that
// returns a fresh, empty store per subtest. Here the store is the
// in-memory one.
func ExampleRun() {
	testStore := func(t *testing.T) {
		credentialtest.Run(t, func(t *testing.T) credential.Store { return credential.NewMemoryStore() })
	}
	_ = testStore // in a _test.go file: func TestCredentialStore(t *testing.T) { ... }
}
