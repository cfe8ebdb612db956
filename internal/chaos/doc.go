// Package chaos holds the chaos convergence test of wmsbridge (issue 10):
// two simulated Shopify shops and a simulated WooCommerce store sharing
// stock, the reference WMS, the sync
// engine on a durable store (SQLite, or PostgreSQL) and a real webhook
// endpoint, run under
// injected faults (5xx, 429, connection resets and slow answers from the
// shop; dropped, duplicated, delayed and reordered webhooks; for the
// WooCommerce store its hosts' faults and deliveries dropped, merged while
// queued, refused by the endpoint and never retried) while the
// engine process is restarted at random points. After the faults stop and
// the engine has quiesced, the test checks that both sides agree: every
// shop order is in the WMS exactly once, every held order whose stock
// exists is released, and (with the store's outbox) the shops' stock equals
// the WMS's at every mapped location and every published message took
// effect exactly once.
//
// The package has no exported API; it is all in chaos_test.go and its
// helpers. Run it with
//
//	go test -race ./internal/chaos
//
// and scale it with environment variables:
//
//	WMSBRIDGE_CHAOS_SEEDS=20 WMSBRIDGE_CHAOS_SIZE=large go test -race -timeout 30m ./internal/chaos
//	WMSBRIDGE_CHAOS_SEED=1234567 go test -race -run TestChaos ./internal/chaos // replay one seed
//
// WMSBRIDGE_CHAOS_STORE=postgres runs the engine on a private schema of the
// PostgreSQL server WMSBRIDGE_POSTGRES_DSN names (dropped afterwards)
// instead of a SQLite file; CI runs a few seeds that way too.
//
// WMSBRIDGE_CHAOS_OVERSELL=1 lets the shops sell beyond the stock they show
// (Shopify's "continue selling when out of stock"); by default customers
// only buy what a shop shows as available, Shopify's default policy.
//
// A failing seed is printed with the command that replays it. The seed
// fixes the scenario (catalogue, orders, warehouse actions) and the fault
// draws of the simulator; goroutine timing, and so the exact restart points,
// is not reproducible.
package chaos
