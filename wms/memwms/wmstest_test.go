package memwms_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	"github.com/wmsbridge/wmsbridge/wms/wmstest"
)

var _ wmstest.Counter = (*memwms.WMS)(nil)

func TestConformance(t *testing.T) {
	t.Parallel()
	wmstest.Run(t, func(t *testing.T) wms.Backend {
		w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}, {ID: "aar", Name: "Aarhus"}}})
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}

// TestConformanceDefaultConfig runs the kit on a WMS built from a nil Config.
func TestConformanceDefaultConfig(t *testing.T) {
	t.Parallel()
	wmstest.Run(t, func(t *testing.T) wms.Backend {
		w, err := memwms.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		return w
	})
}
