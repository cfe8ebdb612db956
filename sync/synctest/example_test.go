package synctest_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/sync/synctest"
)

// A connector package runs the kit from a test with its own
// synctest.System, which starts a test shop of the shop system (a
// simulator), builds the connector, the webhook source and the shop system
// for it, and lets the kit change the shop as a merchant would. Package
// shopify/connector passes the simulated Shopify (e2e_kit_test.go),
// woocommerce/connector the simulated WooCommerce.
func ExampleRun() {
	var system synctest.System // your shop system's test double
	testEngineEndToEnd := func(t *testing.T) {
		synctest.Run(t, system)
	}
	_ = testEngineEndToEnd // in a _test.go file: func TestEngineEndToEnd(t *testing.T) { ... }
}
