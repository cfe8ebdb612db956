// Package wmstest is the conformance kit for [wms.Backend] implementations:
// one call runs the whole contract of package wms against a host's backend,
// in the style of River's driver tests and testing/fstest.
//
// Call [Run] from a test in the backend's own package, with a factory that
// returns a fresh, empty backend each time:
//
//	func TestBackend(t *testing.T) {
//		wmstest.Run(t, func(t *testing.T) wms.Backend {
//			db := openTestDatabase(t) // e.g. a new schema, dropped by t.Cleanup
//			return mywms.NewBackend(db)
//		})
//	}
//
// Run then checks, each in its own parallel subtest with its own backend:
//
//   - Warehouses: at least one, with unique ids; a cancelled context is
//     honoured.
//   - Products: create, read back, update in place, batches of hundreds,
//     idempotency (the same upsert twice gives one item and one listing),
//     the main-shop rule, listings moving with a changed SKU and
//     dropped with a removed variant, absent weight, cost and customs
//     kept, invalid batches writing nothing, input not retained.
//   - Orders: create, idempotency, update by external id (lines replaced,
//     not merged), cancellation, deletion with and without earlier
//     creation, an order restored after its deletion, cancelled and deleted orders not released when their
//     items arrive later, the same id in two shops, unknown SKUs accepted,
//     invalid orders rejected, input not retained.
//   - Concurrency: parallel upserts of distinct and of identical keys (run
//     the tests with -race) leave exactly one record per key holding one
//     writer's data.
//   - Each optional capability the backend implements: ProductDeleter,
//     CustomsImporter, CostImporter, StockReader, StockImporter (and with
//     it: no release while stock is short, none of a cancelled order when
//     stock arrives), StockMover (applied once per key; unknown keys
//     reported and retryable) and SalesRecorder (per-day sums; replace,
//     never add). Capabilities the backend does not implement, or that
//     return [wms.ErrNotSupported], are skipped. Stock subtests need
//     [wms.StockReader] to read results back, except the release checks.
//
// When the backend also implements [Counter], the kit checks record counts
// as well, which catches duplicates a read by key cannot see.
//
// Run checks the contract only. How a backend moves orders between held,
// released and packed is its own business (package memwms tests its
// behaviour itself); the kit only checks that the stage is one of the
// three, that cancelled, deleted and unknown-SKU orders are not released,
// not even when their items or stock arrive later, and (with
// [wms.StockImporter]) that an order the stock does not cover is not
// released.
package wmstest
