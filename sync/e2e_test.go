package sync_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/internal/siteshop"
	"github.com/wmsbridge/wmsbridge/sync/synctest"
)

// TestEngineEndToEnd runs the engine's end-to-end tests (package
// sync/synctest) against its own second test shop system, whose signature
// header, shop identity (a site URL with a path), deduplication key, stock
// batch size (3), locations (none) and capabilities (restores from a trash,
// no capture on pack) differ from Shopify's; package shopify/connector
// runs the same tests against the simulated Shopify.
func TestEngineEndToEnd(t *testing.T) {
	synctest.Run(t, siteshop.New())
}
