package wms

import "context"

// Backend is what a host implements to connect its warehouse to the engine:
// five methods that take products and orders from the shops and read them
// back. Everything else is optional (see the capability interfaces below).
//
// # Idempotency
//
// Every write is keyed by the shop's external ids and is idempotent: calling
// a write twice with the same data leaves the warehouse as one call did (one
// record, no doubled lines or stock, no second event). An upsert with a key
// that exists updates the record in place; it never creates a second one.
// The engine relies on this to retry after failures and crashes, and when a
// webhook is delivered twice or a reconciliation sweep meets an order the
// webhook already brought.
//
// # Concurrency
//
// A Backend must be safe for concurrent use by multiple goroutines, and by
// several processes when the host runs several. The engine applies the
// changes of one entity (one order, one shop product) in order, one at a
// time within a process, so the last write it makes is the newest data; but
// reads, writes of different entities, and product batches that share SKUs
// (several shops listing the same SKU) run concurrently. Concurrent writes of
// the same key, which can still happen across processes, must leave exactly
// one record holding the data of one of the writes, never a mix or a
// duplicate.
//
// # Errors
//
// Invalid input returns an error matching [ErrInvalid] (usually a
// [*ValidationError] from the model's Validate methods) and writes nothing;
// the engine does not retry it. A read of an unknown key returns
// [ErrNotFound]. Any other error is taken as transient: the engine retries
// the call later with the same data. Methods return ctx.Err() (possibly
// wrapped) when the context ends before they finish.
//
// [github.com/wmsbridge/wmsbridge/wms/wmstest.Run] checks an implementation
// against this contract.
type Backend interface {
	// Warehouses lists the warehouses that hold stock, in the backend's
	// order. The first is the default warehouse. The engine maps shop
	// locations to them.
	Warehouses(ctx context.Context) ([]Warehouse, error)

	// UpsertProducts creates or updates products from one or more shops,
	// up to a few hundred per call (the engine imports 30,000-product shops
	// in batches). Each product is keyed by (Shop, ExternalID); each of its
	// variants becomes, or is linked to, the [Item] with its SKU.
	//
	// For each variant the backend records the listing (Shop, product
	// ExternalID, variant ExternalID, InventoryItemID; an empty
	// InventoryItemID keeps the one the listing has) on the item; a
	// listing belongs to one SKU, so a variant whose SKU changed moves to
	// the new item. Listings of the same product that the upsert no longer
	// carries are removed. Items are never deleted by an upsert.
	//
	// The variant's data (titles, barcode, brand, supplier, price, and
	// weight, cost and customs unless absent: a zero [Weight], an empty
	// Cost or zero [Customs] keep what the item has) is written to the
	// item, and the
	// item's Source set to the product's Shop, when the item is new, when
	// the product has Main set, or when the item's Source is already that
	// shop. Otherwise the item keeps the other shop's data and only the
	// listing is recorded: the main shop's product data wins.
	//
	// The whole batch is validated first: if a product is invalid, nothing
	// is written and the error (matching [ErrInvalid]) names it. The backend
	// must not keep the slice or anything it points to after returning.
	UpsertProducts(ctx context.Context, products []Product) error

	// Item returns what the warehouse holds for sku, or [ErrNotFound].
	Item(ctx context.Context, sku string) (Item, error)

	// UpsertOrder creates or updates the order keyed by (Shop, ExternalID).
	// The stored order takes the given fields, and its lines are replaced,
	// not merged. One exception: an order whose Status is not open and
	// which has no lines is a status change (a deletion carries only the
	// id): only the stored order's Status, and UpdatedAt when given,
	// change. An order not seen before is stored whatever its status, so a
	// deletion that arrives before the creation leaves a deleted order
	// behind. Whether a later, older creation may reopen it is the engine's
	// call (its per-entity staleness check), not the backend's.
	//
	// A deletion is not final: an upsert of an open order with its lines
	// after a deletion restores the order, which is then held or released
	// like a new one. The engine sends it when the shop shows the order
	// again (a shop system that restores from a trash, or a deletion the
	// shop's read did not confirm).
	//
	// Orders for SKUs the warehouse does not know are accepted: the
	// warehouse holds them until the items exist. An order is
	// released ([StageReleased]) only when every line can be fulfilled.
	// Cancelling or deleting an order stops its picking and frees its
	// reserved stock, and stock or items arriving later never release it.
	// How an order moves through the stages is otherwise the backend's
	// business; the engine only reads Stage.
	UpsertOrder(ctx context.Context, order Order) error

	// Order returns the order with key, with Stage, HoldReason and Tracking
	// filled in and Status never empty, or [ErrNotFound].
	Order(ctx context.Context, key OrderKey) (Order, error)
}

// ProductDeleter is implemented by backends that act on a shop deleting a
// product.
type ProductDeleter interface {
	// DeleteProduct removes the shop's listings of the product: its
	// variants no longer link the shop to the items. The items and their
	// stock stay. Deleting a product that is not there returns nil. A
	// later UpsertProducts of the product lists it again (the engine sends
	// one when the shop shows the product again).
	DeleteProduct(ctx context.Context, ref ProductRef) error
}

// CustomsImporter is implemented by backends that store customs
// information.
type CustomsImporter interface {
	// ImportCustoms sets the customs information of each SKU, replacing
	// what was stored. Updates for unknown SKUs are skipped and reported in
	// a [*NotFoundError]; the others are applied.
	ImportCustoms(ctx context.Context, updates []CustomsUpdate) error
}

// CostImporter is implemented by backends that take unit costs from the
// shop.
type CostImporter interface {
	// ImportCosts sets the unit cost of each SKU, replacing what was
	// stored. Updates for unknown SKUs are skipped and reported in a
	// [*NotFoundError]; the others are applied.
	ImportCosts(ctx context.Context, updates []CostUpdate) error
}

// StockImporter is implemented by backends that take initial stock figures
// from the shop during the product import.
type StockImporter interface {
	// ImportStock sets the on-hand units of each SKU in each warehouse
	// (Reserved is ignored). Levels for unknown SKUs or warehouses are
	// skipped and reported in a [*NotFoundError]; the others are applied.
	ImportStock(ctx context.Context, levels []StockLevel) error
}

// StockReader is implemented by backends that report stock figures, which
// the engine uses to push full stock to a shop.
type StockReader interface {
	// Stock returns the levels of the given SKUs in warehouse, one per SKU
	// the backend knows, in the order asked; unknown SKUs are left out. An
	// unknown warehouse returns [ErrNotFound].
	Stock(ctx context.Context, warehouse string, skus []string) ([]StockLevel, error)
}

// StockMover is implemented by backends that record stock movements, which
// the engine uses for POS sales.
type StockMover interface {
	// MoveStock applies each movement once: a movement whose (Shop,
	// ExternalID) was applied before is skipped. Movements for unknown SKUs
	// or warehouses are skipped and reported in a [*NotFoundError]; the
	// others are applied, so the batch can be retried as a whole.
	MoveStock(ctx context.Context, movements []StockMovement) error
}

// SalesRecorder is implemented by backends that keep sales history per SKU
// and day, for purchasing and forecasting (the sales history, and
// sales over the counter).
type SalesRecorder interface {
	// RecordSales stores each record, replacing any record with the same
	// (Shop, SKU, Day, Ref); see [SalesRecord]. Records for SKUs the
	// warehouse does not know are kept too.
	RecordSales(ctx context.Context, records []SalesRecord) error

	// DailySales returns the sales of sku per day from from to to
	// (inclusive), summed over shops and records, in day order, leaving out
	// days without records.
	DailySales(ctx context.Context, sku string, from, to Date) ([]DailySales, error)
}
