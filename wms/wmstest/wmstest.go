package wmstest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Counter is an optional interface the kit uses, when a backend implements
// it, to check that writes create exactly one record (idempotency and
// concurrency subtests). The engine never calls it.
type Counter interface {
	// CountItems returns the number of items (SKUs).
	CountItems(ctx context.Context) (int, error)
	// CountOrders returns the number of orders, deleted ones included.
	CountOrders(ctx context.Context) (int, error)
}

// Run checks a [wms.Backend] against the contract documented in package wms.
// newBackend must return a new, empty backend for each call; Run calls it
// once per subtest, from subtests running in parallel (t.Parallel), and
// passes the subtest's t so the factory can register cleanup with
// t.Cleanup. The backend must have at least one warehouse.
//
// Optional capabilities ([wms.ProductDeleter], [wms.StockMover] ...) are
// tested when the backend implements them and skipped otherwise; a
// capability method returning [wms.ErrNotSupported] skips its subtest too.
// Subtests that need to read stock back need [wms.StockReader] as well.
//
// Run checks the contract only: how orders move between stages is the
// backend's own business and belongs in its own tests.
func Run(t *testing.T, newBackend func(t *testing.T) wms.Backend) {
	t.Helper()
	k := &kit{newBackend: newBackend}
	groups := []struct {
		name  string
		tests []test
	}{
		{"Warehouses", k.warehouseTests()},
		{"Products", k.productTests()},
		{"Orders", k.orderTests()},
		{"Concurrency", k.concurrencyTests()},
		{"ProductDeleter", k.deleterTests()},
		{"CustomsImporter", k.customsTests()},
		{"CostImporter", k.costTests()},
		{"StockReader", k.stockReaderTests()},
		{"StockImporter", k.stockImporterTests()},
		{"StockMover", k.stockMoverTests()},
		{"SalesRecorder", k.salesTests()},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t)
				})
			}
		})
	}
}

type test struct {
	name string
	run  func(t *testing.T)
}

type kit struct {
	newBackend func(t *testing.T) wms.Backend
}

// setup returns a fresh backend and a context that ends with the test.
func (k *kit) setup(t *testing.T) (context.Context, wms.Backend) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	b := k.newBackend(t)
	isTrue(t, b != nil, "newBackend returned nil")
	return ctx, b
}

// capability returns b as T or skips the test.
func capability[T any](t *testing.T, b wms.Backend) T {
	t.Helper()
	c, ok := b.(T)
	if !ok {
		var zero T
		t.Skipf("backend %T does not implement %T", b, &zero)
	}
	return c
}

// check fails t on err, or skips it when err is wms.ErrNotSupported.
func check(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	if errors.Is(err, wms.ErrNotSupported) {
		t.Skipf("not supported: %v", err)
	}
	noError(t, err, msgAndArgs...)
}

func firstWarehouse(ctx context.Context, t *testing.T, b wms.Backend) string {
	t.Helper()
	whs, err := b.Warehouses(ctx)
	noError(t, err)
	isTrue(t, len(whs) > 0, "backend has no warehouse")
	return whs[0].ID
}

func countItems(ctx context.Context, t *testing.T, b wms.Backend, want int) {
	t.Helper()
	if c, ok := b.(Counter); ok {
		n, err := c.CountItems(ctx)
		noError(t, err)
		equal(t, want, n, "number of items")
	}
}

func countOrders(ctx context.Context, t *testing.T, b wms.Backend, want int) {
	t.Helper()
	if c, ok := b.(Counter); ok {
		n, err := c.CountOrders(ctx)
		noError(t, err)
		equal(t, want, n, "number of orders")
	}
}

func (k *kit) warehouseTests() []test {
	return []test{
		{"ListedWithUniqueIDs", func(t *testing.T) {
			ctx, b := k.setup(t)
			whs, err := b.Warehouses(ctx)
			noError(t, err)
			isTrue(t, len(whs) > 0, "a backend has at least one warehouse")
			seen := map[string]bool{}
			for _, w := range whs {
				isTrue(t, w.ID != "", "warehouse ID")
				isTrue(t, !seen[w.ID], "duplicate warehouse ID %q", w.ID)
				seen[w.ID] = true
			}
		}},
		{"CancelledContext", func(t *testing.T) {
			_, b := k.setup(t)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			err := b.UpsertProducts(ctx, []wms.Product{product("shop-a", "p1", false, "T", variant("SKU-1", "v1"))})
			errorIs(t, err, context.Canceled)
		}},
	}
}

// product builds a product with the given variants.
func product(shop, id string, main bool, title string, vs ...wms.Variant) wms.Product {
	return wms.Product{Shop: shop, ExternalID: id, Main: main, Title: title, Brand: "Brand " + title, Variants: vs}
}

// variant builds a variant with data derived from its SKU.
func variant(sku, id string) wms.Variant {
	return wms.Variant{
		SKU: sku, ExternalID: id, InventoryItemID: "ii-" + id, Title: "Variant " + sku,
		Barcode: "57" + fmt.Sprint(len(sku)) + sku, Weight: wms.Weight{Value: "0.25", Unit: wms.Kilograms},
		Price: "19.95",
	}
}

func mustItem(ctx context.Context, t *testing.T, b wms.Backend, sku string) wms.Item {
	t.Helper()
	it, err := b.Item(ctx, sku)
	noError(t, err, "Item(%q)", sku)
	equal(t, sku, it.SKU)
	return it
}

func mustOrder(ctx context.Context, t *testing.T, b wms.Backend, key wms.OrderKey) wms.Order {
	t.Helper()
	o, err := b.Order(ctx, key)
	noError(t, err, "Order(%s)", key)
	equal(t, key, o.Key())
	return o
}

// requireItemData checks that it carries p's data for its variant v.
func requireItemData(t *testing.T, p wms.Product, v wms.Variant, it wms.Item) {
	t.Helper()
	equal(t, p.Title, it.Title, "title")
	equal(t, v.Title, it.VariantTitle, "variant title")
	equal(t, v.Barcode, it.Barcode, "barcode")
	equal(t, p.Brand, it.Brand, "brand")
	equal(t, p.Supplier, it.Supplier, "supplier")
	isTrue(t, v.Weight.Value.Equal(it.Weight.Value), "weight %v, want %v", it.Weight.Value, v.Weight.Value)
	equal(t, v.Weight.Unit, it.Weight.Unit, "weight unit")
	isTrue(t, v.Price.Equal(it.Price), "price %v, want %v", it.Price, v.Price)
	equal(t, p.Shop, it.Source, "source")
}

func requireListings(t *testing.T, it wms.Item, want ...wms.Listing) {
	t.Helper()
	if want == nil {
		want = []wms.Listing{}
	}
	got := it.Listings
	if got == nil {
		got = []wms.Listing{}
	}
	equal(t, want, got, "listings of %q", it.SKU)
}

func listing(p wms.Product, v wms.Variant) wms.Listing {
	return wms.Listing{Shop: p.Shop, ProductID: p.ExternalID, VariantID: v.ExternalID, InventoryItemID: v.InventoryItemID}
}
