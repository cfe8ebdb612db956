package memwms_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func TestHoldUntilItemExistsThenStock(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.upsert(t, order("1", "cph", line("l1", "NEW-SKU", 1)))
	o := b.order(t, "1")
	if o.Stage != wms.StageHeld || !strings.Contains(o.HoldReason, `no item with SKU "NEW-SKU"`) {
		t.Fatalf("order for an unknown SKU: stage %q reason %q", o.Stage, o.HoldReason)
	}

	b.items(t, "NEW-SKU") // the item exists now, but has no stock
	o = b.order(t, "1")
	if o.Stage != wms.StageHeld || !strings.Contains(o.HoldReason, "short of SKU") {
		t.Fatalf("order for an item without stock: stage %q reason %q", o.Stage, o.HoldReason)
	}

	b.take()
	b.receive(t, "cph", "NEW-SKU", 1)
	wantStage(t, b, "1", wms.StageReleased)
	eq(t, "", b.order(t, "1").HoldReason, "hold reason after release")
	level(t, b, "NEW-SKU", "cph", 1, 1)
	eq(t, []wms.StockChanged{sc("NEW-SKU", "cph", 1, 1)}, stockEvents(b.take()), "one event with the final figures")
}

func TestPartialStockStaysHeld(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A", "B")
	b.receive(t, "cph", "A", 2)
	b.upsert(t, order("1", "cph", line("l1", "A", 2), line("l2", "B", 1)))
	wantStage(t, b, "1", wms.StageHeld)
	level(t, b, "A", "cph", 2, 0) // a held order reserves nothing

	// Two lines of the same SKU count together.
	b.upsert(t, order("2", "cph", line("l1", "A", 1), line("l2", "A", 2)))
	wantStage(t, b, "2", wms.StageHeld)

	b.receive(t, "cph", "B", 1)
	wantStage(t, b, "1", wms.StageReleased)
	wantStage(t, b, "2", wms.StageHeld)
	level(t, b, "A", "cph", 2, 2)
	level(t, b, "B", "cph", 1, 1)
}

func TestLastUnitGoesToOneOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	b.receive(t, "cph", "A", 1)
	b.upsert(t, order("1", "cph", line("l1", "A", 1)))
	wantStage(t, b, "1", wms.StageReleased)
	b.upsert(t, order("2", "cph", line("l1", "A", 1)))
	wantStage(t, b, "2", wms.StageHeld)
	level(t, b, "A", "cph", 1, 1)

	b.receive(t, "cph", "A", 1)
	wantStage(t, b, "2", wms.StageReleased)
	level(t, b, "A", "cph", 2, 2)
}

func TestOldestHeldOrderFirstWithoutBlocking(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	b.upsert(t, order("big", "cph", line("l1", "A", 5)))
	b.upsert(t, order("small-1", "cph", line("l1", "A", 1)))
	b.upsert(t, order("small-2", "cph", line("l1", "A", 1)))
	b.receive(t, "cph", "A", 1)
	wantStage(t, b, "big", wms.StageHeld)
	wantStage(t, b, "small-1", wms.StageReleased) // older of the two that fit
	wantStage(t, b, "small-2", wms.StageHeld)
	b.receive(t, "cph", "A", 5)
	wantStage(t, b, "big", wms.StageReleased) // the oldest goes first once it fits
	wantStage(t, b, "small-2", wms.StageHeld)
	level(t, b, "A", "cph", 6, 6)
}

func TestStockIsPerWarehouse(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	b.receive(t, "aar", "A", 10)
	b.upsert(t, order("1", "cph", line("l1", "A", 1)))
	wantStage(t, b, "1", wms.StageHeld)
	b.upsert(t, order("2", "", line("l1", "A", 1))) // "" is the default warehouse, cph
	wantStage(t, b, "2", wms.StageHeld)
	b.upsert(t, order("3", "aar", line("l1", "A", 1)))
	wantStage(t, b, "3", wms.StageReleased)
	b.upsert(t, order("4", "nowhere", line("l1", "A", 1)))
	if o := b.order(t, "4"); o.Stage != wms.StageHeld || !strings.Contains(o.HoldReason, "unknown warehouse") {
		t.Fatalf("order for an unknown warehouse: %q %q", o.Stage, o.HoldReason)
	}
}

func TestEveryStockArrivalReleases(t *testing.T) {
	t.Parallel()
	arrivals := map[string]func(t *testing.T, b *bundle){
		"Receive": func(t *testing.T, b *bundle) { b.receive(t, "cph", "A", 1) },
		"ImportStock": func(t *testing.T, b *bundle) {
			ok(t, b.w.ImportStock(ctxB, []wms.StockLevel{{SKU: "A", Warehouse: "cph", OnHand: 1}}))
		},
		"MoveStock": func(t *testing.T, b *bundle) {
			ok(t, b.w.MoveStock(ctxB, []wms.StockMovement{{Shop: "shop-a", ExternalID: "ret-1", SKU: "A", Warehouse: "cph", Delta: 1, Reason: wms.ReasonPOSReturn}}))
		},
		"PurchaseOrder": func(t *testing.T, b *bundle) {
			po, err := b.w.CreatePurchaseOrder(ctxB, wms.PurchaseOrder{Warehouse: "cph", Lines: []wms.PurchaseOrderLine{{SKU: "A", Quantity: 1, UnitCost: "2.00"}}})
			ok(t, err)
			ok(t, b.w.ReceivePurchaseOrder(ctxB, po.ID, "A", 1))
		},
		"RestockingRefund": func(t *testing.T, b *bundle) {
			b.upsert(t, order("old", "cph", line("l1", "A", 1)))
			ok(t, b.w.Refund(ctxB, wms.Refund{ID: "r1", Order: key("old"), Amount: "10.00", Lines: []wms.RefundLine{{LineID: "l1", Quantity: 1, Restock: true}}}))
		},
		"Cancellation": func(t *testing.T, b *bundle) {
			// An older order holds the only unit; cancelling it frees the unit.
			o := b.order(t, "first")
			o.Status = wms.OrderCancelled
			b.upsert(t, o)
		},
	}
	for name, arrive := range arrivals {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.items(t, "A")
			if name == "Cancellation" {
				b.receive(t, "cph", "A", 1)
				b.upsert(t, order("first", "cph", line("l1", "A", 1)))
				wantStage(t, b, "first", wms.StageReleased)
			}
			b.upsert(t, order("1", "cph", line("l1", "A", 1)))
			wantStage(t, b, "1", wms.StageHeld)
			arrive(t, b)
			wantStage(t, b, "1", wms.StageReleased)
		})
	}
}

func TestUpdateOfReleasedOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A", "B")
	b.receive(t, "cph", "A", 3)
	o := order("1", "cph", line("l1", "A", 2))
	b.upsert(t, o)
	wantStage(t, b, "1", wms.StageReleased)
	level(t, b, "A", "cph", 3, 2)

	// Same data again: nothing changes, no events.
	b.take()
	b.upsert(t, o)
	eq(t, 0, len(b.take()), "events of a repeated upsert")

	// A change that does not touch the lines keeps the release.
	o.Email = "x@example.com"
	b.upsert(t, o)
	wantStage(t, b, "1", wms.StageReleased)
	level(t, b, "A", "cph", 3, 2)

	// More than the stock: the reservation is freed and the order held.
	o.Lines = []wms.OrderLine{line("l1", "A", 4)}
	b.upsert(t, o)
	wantStage(t, b, "1", wms.StageHeld)
	level(t, b, "A", "cph", 3, 0)

	// Fewer again: released with the new quantity.
	o.Lines = []wms.OrderLine{line("l1", "A", 1), line("l2", "B", 1)}
	b.upsert(t, o)
	wantStage(t, b, "1", wms.StageHeld) // no B
	b.receive(t, "cph", "B", 1)
	wantStage(t, b, "1", wms.StageReleased)
	level(t, b, "A", "cph", 3, 1)
	level(t, b, "B", "cph", 1, 1)

	// Deleted: the reservation is freed, the lines are kept.
	b.upsert(t, wms.Order{Shop: "shop-a", ExternalID: "1", Status: wms.OrderDeleted})
	got := b.order(t, "1")
	eq(t, wms.StageHeld, got.Stage, "stage of a deleted order")
	eq(t, 2, len(got.Lines), "lines kept")
	level(t, b, "A", "cph", 3, 0)
	level(t, b, "B", "cph", 1, 0)
}

func TestPOSOrderNeverReleased(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	b.receive(t, "cph", "A", 5)
	o := order("pos-1", "cph", line("l1", "A", 1))
	o.POS = true
	b.upsert(t, o)
	wantStage(t, b, "pos-1", wms.StageHeld)
	level(t, b, "A", "cph", 5, 0)
}

func TestPack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A", "B")
	b.upsert(t, order("held", "cph", line("l1", "B", 1)))
	is(t, b.w.Pack(ctxB, key("held"), nil), memwms.ErrNotReleased)
	is(t, b.w.Pack(ctxB, key("none"), nil), wms.ErrNotFound)

	b.receive(t, "cph", "A", 5)
	b.upsert(t, order("1", "cph", line("l1", "A", 2), line("l2", "A", 1)))
	b.take()
	tr := &wms.Tracking{Company: "PostNord", Number: "00370000000001", URL: "https://tracking.example/00370000000001"}
	ok(t, b.w.Pack(ctxB, key("1"), tr))
	tr.Number = "changed by the caller"
	level(t, b, "A", "cph", 2, 0)
	got := b.order(t, "1")
	eq(t, wms.StagePacked, got.Stage, "stage")
	eq(t, "00370000000001", got.Tracking.Number, "tracking kept, not shared")

	evs := b.take()
	eq(t, 2, len(evs), "events")
	packed, isPacked := evs[0].(wms.OrderPacked)
	if !isPacked {
		t.Fatalf("first event %T, want OrderPacked", evs[0])
	}
	eq(t, key("1"), packed.Order, "packed order")
	eq(t, "cph", packed.Warehouse, "packed warehouse")
	eq(t, []wms.PackedLine{{LineID: "l1", SKU: "A", Quantity: 2}, {LineID: "l2", SKU: "A", Quantity: 1}}, packed.Lines, "packed lines")
	eq(t, "00370000000001", packed.Tracking.Number, "tracking in event")
	eq(t, []wms.StockChanged{sc("A", "cph", 2, 0)}, stockEvents(evs), "stock event")

	// Packing again changes nothing; later upserts keep the packed lines.
	ok(t, b.w.Pack(ctxB, key("1"), nil))
	b.upsert(t, order("1", "cph", line("l9", "A", 9)))
	got = b.order(t, "1")
	eq(t, wms.StagePacked, got.Stage, "stage after upsert")
	eq(t, "l1", got.Lines[0].ExternalID, "packed lines kept")
	eq(t, 0, len(b.take()), "events after a second pack and an upsert")
	level(t, b, "A", "cph", 2, 0)
}

// TestConcurrentStockAndOrders hammers one SKU from many goroutines and
// checks the books balance: reserved units equal the units of released
// orders, and no order is released beyond the stock.
func TestConcurrentStockAndOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	const n = 40
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			b.upsert(t, order(fmt.Sprint(i), "cph", line("l1", "A", 1)))
			if i%4 == 0 {
				o := order(fmt.Sprint(i), "cph", line("l1", "A", 1))
				o.Status = wms.OrderCancelled
				b.upsert(t, o)
			}
		}()
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				b.receive(t, "cph", "A", 1)
			}
		}()
	}
	wg.Wait()
	var released int64
	for _, o := range b.w.Orders() {
		if o.Stage == wms.StageReleased {
			released++
			if !o.Open() {
				t.Fatalf("order %s released while %s", o.ExternalID, o.Status)
			}
		}
	}
	// 20 units arrived and 30 open orders want one each: 20 are released.
	eq(t, int64(n/2), released, "released orders")
	level(t, b, "A", "cph", n/2, n/2)
}
