// Package wms is the warehouse side of wmsbridge: a shop-neutral model of
// what flows between web shops and a warehouse management system (WMS), and
// the small [Backend] interface a WMS implements so the sync engine can
// deliver products and orders to it.
//
// Package wms depends on nothing outside the standard library (its Decimal
// shares its arithmetic with shopify.Decimal through an internal package).
// It knows nothing about Shopify or any other shop system: shop connectors
// translate their payloads into this model, and the engine (package sync)
// calls the Backend.
//
// # The model
//
// A [Product] is one shop's product; each [Variant] has a SKU, which is the
// warehouse's key. The warehouse holds one [Item] per SKU with the
// descriptive data (title, barcode, brand or supplier, weight, price, cost,
// [Customs]) and one [Listing] per shop variant that sells it, so a SKU sold
// by several shops is stocked once and its stock changes reach every shop.
// The shop that wrote an item's data is its Source; the main shop's data
// wins (see [Backend.UpsertProducts]).
//
// An [Order] is keyed by its shop and the shop's id ([OrderKey]); its lines
// carry SKU, quantity and the shop's line id. The warehouse decides when an
// order is picked: [OrderStage] says whether it is held (an item missing or
// stock short), released to picking with stock reserved, or packed.
//
// Stock is counted per SKU and [Warehouse] ([StockLevel]); the engine maps
// shop locations to warehouses. A sale over the counter (POS) is not an
// order but a [StockMovement] plus a [SalesRecord]. Purchase orders
// ([PurchaseOrder]) and refunds ([Refund]) start in the warehouse.
//
// Money, costs and weights are [Decimal]: exact decimal text such as
// "19.95", never a float64. Days are [Date] values (YYYY-MM-DD). Ids are
// strings: a Shopify GID, a WooCommerce number, whatever the shop uses.
//
// # Implementing a Backend
//
// The core interface has five methods:
//
//	type Backend interface {
//		Warehouses(ctx context.Context) ([]Warehouse, error)
//		UpsertProducts(ctx context.Context, products []Product) error
//		Item(ctx context.Context, sku string) (Item, error)
//		UpsertOrder(ctx context.Context, order Order) error
//		Order(ctx context.Context, key OrderKey) (Order, error)
//	}
//
// Every write is an upsert keyed by the shop's ids, so it is idempotent:
// the engine retries after failures and crashes, webhooks arrive twice, and
// a reconciliation sweep meets orders a webhook already brought. Validate
// input with the model's Validate methods ([ValidateAll] for batches) and
// return their [*ValidationError]; return [ErrNotFound] from reads of
// unknown keys. A Backend is used from many goroutines at once; see
// [Backend] for the exact concurrency rules.
//
// Everything else is optional. A backend implements the capability
// interfaces it supports, and the engine finds them by type assertion, the
// way database/sql finds a driver's optional interfaces:
//
//   - [ProductDeleter]: a shop deleted a product.
//   - [CustomsImporter], [CostImporter]: customs information and unit costs
//     from the shop.
//   - [StockImporter]: initial stock figures from the shop.
//   - [StockReader]: stock figures for pushing stock to shops.
//   - [StockMover]: stock movements, used for POS sales.
//   - [SalesRecorder]: sales history per SKU and day.
//
// A capability method that cannot do its job after all returns
// [ErrNotSupported] before changing anything, and the engine carries on as
// if the interface were not implemented.
//
// Prove an implementation with the conformance kit in package
// [github.com/wmsbridge/wmsbridge/wms/wmstest], from a test in the host's
// own package:
//
//	func TestBackend(t *testing.T) {
//		wmstest.Run(t, func(t *testing.T) wms.Backend {
//			return newEmptyBackend(t) // a fresh, empty backend per subtest
//		})
//	}
//
// Package [github.com/wmsbridge/wmsbridge/wms/memwms] is a complete
// reference implementation in memory, with the warehouse behaviour the seed
// describes (orders held until stock exists, released when every line can be
// fulfilled), for examples, demos and tests.
//
// # Events
//
// What happens in the warehouse goes back to the shops as an [Event]:
// [StockChanged], [BarcodeChanged], [OrderPacked], [PaymentCaptured],
// [PurchaseOrderClosed] and [RefundCreated]. The host publishes them to the
// engine, which stores them durably and sends each to the shops that chose
// it. Each event has a stable [EventKind] and an [EventInfo] whose ID must
// be the same when the host publishes the same event again;
// [UnmarshalEvent] decodes an event stored as kind and JSON.
package wms
