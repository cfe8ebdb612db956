package storetest_test

import (
	"testing"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
)

// A host with its own store runs the kit from one test in its own package,
// handing it a fresh, empty store per call (here the in-memory store; yours
// would open a schema or a temporary database file):
//
//	func TestMyStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) wmssync.Store { return mystore.OpenTemp(t) })
//	}
func ExampleRun() {
	testMyStore := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) wmssync.Store { return memstore.New() })
	}
	_ = testMyStore // called by the test runner as TestMyStore(t)
}
