package memwms_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

func TestWeightedAverageCost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		oldCost  wms.Decimal // "" = none
		onHand   int64       // before the purchase order, in cph
		onHandAa int64       // before the purchase order, in aar
		lines    []wms.PurchaseOrderLine
		receive  []int64 // per line
		want     wms.Decimal
	}{
		{name: "textbook", oldCost: "5.00", onHand: 10, lines: []wms.PurchaseOrderLine{{Quantity: 30, UnitCost: "7.00"}}, receive: []int64{30}, want: "6.50"},
		{name: "rounds half away from zero", oldCost: "1.00", onHand: 1, lines: []wms.PurchaseOrderLine{{Quantity: 2, UnitCost: "2.00"}}, receive: []int64{2}, want: "1.67"},
		{name: "stock in every warehouse counts", oldCost: "5.00", onHand: 5, onHandAa: 5, lines: []wms.PurchaseOrderLine{{Quantity: 30, UnitCost: "7.00"}}, receive: []int64{30}, want: "6.50"},
		{name: "no old cost", oldCost: "", onHand: 10, lines: []wms.PurchaseOrderLine{{Quantity: 4, UnitCost: "3.25"}}, receive: []int64{4}, want: "3.25"},
		{name: "no stock before", oldCost: "9.99", onHand: 0, lines: []wms.PurchaseOrderLine{{Quantity: 4, UnitCost: "3.25"}}, receive: []int64{4}, want: "3.25"},
		{name: "negative stock before counts as none", oldCost: "9.99", onHand: -3, lines: []wms.PurchaseOrderLine{{Quantity: 4, UnitCost: "3.25"}}, receive: []int64{4}, want: "3.25"},
		{name: "two lines of one SKU", oldCost: "10.00", onHand: 2, lines: []wms.PurchaseOrderLine{{Quantity: 2, UnitCost: "4.00"}, {Quantity: 4, UnitCost: "7.00"}}, receive: []int64{2, 4}, want: "7.00"},
		{name: "partial receipt counts what arrived", oldCost: "2.00", onHand: 2, lines: []wms.PurchaseOrderLine{{Quantity: 100, UnitCost: "5.00"}}, receive: []int64{1}, want: "3.00"},
		{name: "finer unit cost scale kept", oldCost: "1.00", onHand: 1, lines: []wms.PurchaseOrderLine{{Quantity: 2, UnitCost: "1.0005"}}, receive: []int64{2}, want: "1.0003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.items(t, "A")
			if tt.oldCost != "" {
				ok(t, b.w.ImportCosts(ctxB, []wms.CostUpdate{{SKU: "A", Cost: tt.oldCost}}))
			}
			ok(t, b.w.ImportStock(ctxB, []wms.StockLevel{{SKU: "A", Warehouse: "cph", OnHand: tt.onHand}, {SKU: "A", Warehouse: "aar", OnHand: tt.onHandAa}}))
			lines := make([]wms.PurchaseOrderLine, len(tt.lines))
			for i, l := range tt.lines {
				l.SKU = "A"
				lines[i] = l
			}
			po, err := b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{Supplier: "Acme", Warehouse: "cph", Lines: lines})
			ok(t, err)
			for i, q := range tt.receive {
				// Lines of one SKU are received in line order.
				_ = i
				ok(t, b.w.ReceivePurchaseOrder(ctxB, po.ID, "A", q))
			}
			b.take()
			ok(t, b.w.ClosePurchaseOrder(ctxB, po.ID))
			it, err := b.w.Item(ctxB, "A")
			ok(t, err)
			eq(t, tt.want, it.Cost, "average cost")
			evs := b.take()
			eq(t, 1, len(evs), "events of closing")
			closed, isClosed := evs[0].(wms.PurchaseOrderClosed)
			if !isClosed {
				t.Fatalf("event %T, want PurchaseOrderClosed", evs[0])
			}
			eq(t, []wms.ItemCost{{SKU: "A", Cost: tt.want}}, closed.Costs, "costs in event")
			eq(t, wms.PurchaseOrderStatusClosed, closed.PurchaseOrder.Status, "status in event")
			eq(t, "Acme", closed.PurchaseOrder.Supplier, "supplier in event")
		})
	}
}

func TestPurchaseOrderLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A", "B")
	_, err := b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{Lines: []wms.PurchaseOrderLine{{SKU: "NOPE", Quantity: 1, UnitCost: "1"}}})
	is(t, err, wms.ErrNotFound)
	_, err = b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{Lines: []wms.PurchaseOrderLine{{SKU: "A", Quantity: 0, UnitCost: "1"}}})
	is(t, err, wms.ErrInvalid)

	po, err := b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{Lines: []wms.PurchaseOrderLine{
		{SKU: "A", Quantity: 2, UnitCost: "1.50", Received: 99}, {SKU: "B", Quantity: 1, UnitCost: "3"},
	}})
	ok(t, err)
	eq(t, "PO-1", po.ID, "assigned id")
	eq(t, "cph", po.Warehouse, "default warehouse")
	eq(t, int64(0), po.Lines[0].Received, "received starts at zero")
	_, err = b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{ID: "PO-1", Lines: po.Lines})
	is(t, err, wms.ErrInvalid)

	ok(t, b.w.ReceivePurchaseOrder(ctxB, po.ID, "A", 2))
	is(t, b.w.ReceivePurchaseOrder(ctxB, po.ID, "C", 1), wms.ErrNotFound)
	level(t, b, "A", "cph", 2, 0)
	ok(t, b.w.ClosePurchaseOrder(ctxB, po.ID))
	b.take()
	ok(t, b.w.ClosePurchaseOrder(ctxB, po.ID))
	eq(t, 0, len(b.take()), "events of closing twice")
	is(t, b.w.ReceivePurchaseOrder(ctxB, po.ID, "A", 1), wms.ErrInvalid)
	is(t, b.w.ClosePurchaseOrder(ctxB, "PO-404"), wms.ErrNotFound)

	got, err := b.w.PurchaseOrder(ctxB, po.ID)
	ok(t, err)
	eq(t, wms.PurchaseOrderStatusClosed, got.Status, "status")
	eq(t, t0, got.ClosedAt, "closed at")
	b2, err := b.w.Item(ctxB, "B")
	ok(t, err)
	eq(t, wms.Decimal(""), b2.Cost, "a SKU with nothing received keeps its cost")
}
