package wmstest_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	"github.com/wmsbridge/wmsbridge/wms/wmstest"
)

// A host runs the kit from a test in its own package, with a factory that
// returns a fresh backend per subtest. Here the backend is the reference WMS.
func ExampleRun() {
	testBackend := func(t *testing.T) {
		wmstest.Run(t, func(t *testing.T) wms.Backend {
			w, err := memwms.New(nil)
			if err != nil {
				t.Fatal(err)
			}
			return w
		})
	}
	_ = testBackend // in a _test.go file: func TestBackend(t *testing.T) { ... }
}
