package wms_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// An engine hands products to a Backend in batches and orders one by one;
// calling again with the same data changes nothing.
func ExampleBackend() {
	ctx := context.Background()
	var b wms.Backend
	b, _ = memwms.New(nil) // the reference WMS; a host passes its own Backend

	shirt := wms.Product{
		Shop: "MyShopDK", ExternalID: "gid://shopify/Product/1", Main: true,
		Title: "T-shirt", Brand: "Acme",
		Variants: []wms.Variant{{
			SKU: "TS-RED-L", ExternalID: "gid://shopify/ProductVariant/11",
			Barcode: "5701234567892", Price: "149.00",
		}},
	}
	for range 2 {
		if err := b.UpsertProducts(ctx, []wms.Product{shirt}); err != nil {
			fmt.Println(err)
		}
	}
	it, _ := b.Item(ctx, "TS-RED-L")
	fmt.Println(it.Title, it.Brand, it.Barcode, len(it.Listings), "listing")

	o := wms.Order{
		Shop: "MyShopDK", ExternalID: "gid://shopify/Order/1001", Name: "#1001",
		Lines: []wms.OrderLine{{ExternalID: "gid://shopify/LineItem/1", SKU: "TS-RED-L", Quantity: 1}},
	}
	_ = b.UpsertOrder(ctx, o)
	got, _ := b.Order(ctx, o.Key())
	fmt.Println(got.Name, got.Status, got.Stage, "-", got.HoldReason)
	// Output:
	// T-shirt Acme 5701234567892 1 listing
	// #1001 open held - short of SKU "TS-RED-L" in "main": need 1, available 0
}

// The engine uses an optional capability only when the backend has it.
func ExampleStockMover() {
	ctx := context.Background()
	w, _ := memwms.New(nil)
	_ = w.UpsertProducts(ctx, []wms.Product{{Shop: "MyShopDK", ExternalID: "p1", Title: "Mug",
		Variants: []wms.Variant{{SKU: "MUG", ExternalID: "v1"}}}})
	_ = w.Receive(ctx, "main", "MUG", 10)

	var b wms.Backend = w
	if mover, ok := b.(wms.StockMover); ok {
		sale := wms.StockMovement{Shop: "MyShopDK", ExternalID: "pos-order-7/line-1",
			SKU: "MUG", Warehouse: "main", Delta: -2, Reason: wms.ReasonPOSSale}
		err := mover.MoveStock(ctx, []wms.StockMovement{sale})
		if errors.Is(err, wms.ErrNotSupported) {
			fmt.Println("no POS stock in this WMS")
		}
		_ = mover.MoveStock(ctx, []wms.StockMovement{sale}) // redelivered: applied once
	}
	fmt.Println(w.Level("MUG", "main").OnHand)
	// Output: 8
}

// Batch writes report unknown keys after applying the rest.
func ExampleNotFoundError() {
	ctx := context.Background()
	w, _ := memwms.New(nil)
	_ = w.UpsertProducts(ctx, []wms.Product{{Shop: "dk", ExternalID: "p1",
		Variants: []wms.Variant{{SKU: "A", ExternalID: "v1"}}}})

	err := w.ImportCosts(ctx, []wms.CostUpdate{{SKU: "A", Cost: "12.50"}, {SKU: "GONE", Cost: "3.00"}})
	var nf *wms.NotFoundError
	if errors.As(err, &nf) {
		fmt.Println(errors.Is(err, wms.ErrNotFound), nf.Missing)
	}
	it, _ := w.Item(ctx, "A")
	fmt.Println(it.Cost)
	// Output:
	// true [{sku GONE}]
	// 12.50
}

func ExampleDecimal() {
	price := wms.Decimal("19.99")
	total := price.MulInt(3).Add("4.95")
	avg, _ := total.DivInt(4, 2)
	fmt.Println(total, avg, total.Cmp("64.92"))
	// Output: 64.92 16.23 0
}

func ExampleUnmarshalEvent() {
	// An outbox stores an event as its kind and JSON...
	var e wms.Event = wms.StockChanged{EventInfo: wms.EventInfo{ID: "ev-1", Seq: 1}, SKU: "A", Warehouse: "main", OnHand: 5, Available: 5}
	kind, data := e.Kind(), mustJSON(e)
	// ...and turns it back into the event to send it.
	back, _ := wms.UnmarshalEvent(kind, data)
	sc := back.(wms.StockChanged)
	fmt.Println(kind, sc.SKU, sc.Available, sc.Info().ID)
	// Output: stock.changed A 5 ev-1
}
