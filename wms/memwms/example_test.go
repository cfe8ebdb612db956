package memwms_test

import (
	"context"
	"fmt"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// Orders wait until stock exists for every line, and are released to
// picking when it does (S11).
func Example() {
	ctx := context.Background()
	w, _ := memwms.New(nil)
	w.OnEvent(func(e wms.Event) {
		switch e := e.(type) {
		case wms.StockChanged:
			fmt.Printf("event: %s on hand %d, reserved %d\n", e.SKU, e.OnHand, e.Reserved)
		case wms.OrderPacked:
			fmt.Printf("event: order %s packed, tracking %s\n", e.Order.ExternalID, e.Tracking.Number)
		}
	})

	order := wms.Order{Shop: "MyShopDK", ExternalID: "1001", Lines: []wms.OrderLine{
		{ExternalID: "l1", SKU: "MUG", Quantity: 2},
	}}
	_ = w.UpsertOrder(ctx, order)
	o, _ := w.Order(ctx, order.Key())
	fmt.Println(o.Stage, "-", o.HoldReason)

	_ = w.UpsertProducts(ctx, []wms.Product{{Shop: "MyShopDK", ExternalID: "p1", Main: true, Title: "Mug",
		Variants: []wms.Variant{{SKU: "MUG", ExternalID: "v1"}}}})
	_ = w.Receive(ctx, memwms.DefaultWarehouse, "MUG", 5)
	o, _ = w.Order(ctx, order.Key())
	fmt.Println(o.Stage)

	_ = w.Pack(ctx, order.Key(), &wms.Tracking{Company: "PostNord", Number: "PN123"})
	// Output:
	// held - no item with SKU "MUG"
	// event: MUG on hand 5, reserved 2
	// released
	// event: order 1001 packed, tracking PN123
	// event: MUG on hand 3, reserved 0
}

// Closing a purchase order updates the weighted average cost (S18) and
// announces it (S19).
func ExampleWMS_ClosePurchaseOrder() {
	ctx := context.Background()
	w, _ := memwms.New(nil)
	_ = w.UpsertProducts(ctx, []wms.Product{{Shop: "dk", ExternalID: "p1", Main: true, Title: "Mug",
		Variants: []wms.Variant{{SKU: "MUG", ExternalID: "v1", Cost: "5.00"}}}})
	_ = w.Receive(ctx, "main", "MUG", 10) // 10 on hand at 5.00
	w.OnEvent(func(e wms.Event) {
		if c, ok := e.(wms.PurchaseOrderClosed); ok {
			fmt.Println("closed", c.PurchaseOrder.ID, c.Costs)
		}
	})

	po, _ := w.CreatePurchaseOrder(ctx, wms.PurchaseOrder{Supplier: "Acme",
		Lines: []wms.PurchaseOrderLine{{SKU: "MUG", Quantity: 30, UnitCost: "7.00"}}})
	_ = w.ReceivePurchaseOrder(ctx, po.ID, "MUG", 30)
	_ = w.ClosePurchaseOrder(ctx, po.ID)
	it, _ := w.Item(ctx, "MUG")
	fmt.Println(it.Cost) // (10 × 5.00 + 30 × 7.00) / 40
	// Output:
	// closed PO-1 [{MUG 6.50}]
	// 6.50
}
