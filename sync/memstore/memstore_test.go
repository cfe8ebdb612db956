package memstore_test

import (
	"testing"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) wmssync.Store { return memstore.New() })
}
