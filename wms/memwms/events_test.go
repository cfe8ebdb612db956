package memwms_test

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

func TestPOSSaleMovesStockAndCountsInSales(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	b.receive(t, "aar", "A", 10)
	b.take()
	day, _ := wms.ParseDate("2026-06-01")
	// What the engine does for a POS order of 3 units at the Aarhus store.
	moves := []wms.StockMovement{{Shop: "shop-a", ExternalID: "pos-9/line-1", SKU: "A", Warehouse: "aar", Delta: -3, Reason: wms.ReasonPOSSale, OrderID: "pos-9"}}
	sales := []wms.SalesRecord{{Shop: "shop-a", SKU: "A", Day: day, Ref: "pos-9", Quantity: 3, Amount: "29.85"}}
	for range 2 { // a redelivered webhook changes nothing
		ok(t, b.w.MoveStock(ctxB, moves))
		ok(t, b.w.RecordSales(ctxB, sales))
	}
	level(t, b, "A", "aar", 7, 0)
	eq(t, []wms.StockChanged{sc("A", "aar", 7, 0)}, stockEvents(b.take()), "stock events")
	eq(t, 1, len(b.w.Movements()), "movements recorded")
	eq(t, wms.ReasonPOSSale, b.w.Movements()[0].Reason, "reason")

	// Imported history for the same day adds to the POS sale.
	ok(t, b.w.RecordSales(ctxB, []wms.SalesRecord{{Shop: "shop-a", SKU: "A", Day: day, Quantity: 5, Amount: "49.75"}}))
	got, err := b.w.DailySales(ctxB, "A", day, day)
	ok(t, err)
	eq(t, []wms.DailySales{{Day: day, Quantity: 8, Amount: "79.60"}}, got, "sales of the day")

	// More than on hand: the sale happened, stock goes negative.
	ok(t, b.w.MoveStock(ctxB, []wms.StockMovement{{Shop: "shop-a", ExternalID: "pos-10/line-1", SKU: "A", Warehouse: "aar", Delta: -9, Reason: wms.ReasonPOSSale}}))
	level(t, b, "A", "aar", -2, 0)
}

func TestSalesAggregation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	d := func(s string) wms.Date { v, err := wms.ParseDate(s); ok(t, err); return v }
	ok(t, b.w.RecordSales(ctxB, []wms.SalesRecord{
		{Shop: "dk", SKU: "A", Day: d("2026-02-27"), Quantity: 1, Amount: "1.10"},
		{Shop: "uk", SKU: "A", Day: d("2026-02-28"), Quantity: 2, Amount: "2.205"},
		{Shop: "dk", SKU: "A", Day: d("2026-02-28"), Quantity: 3},
		{Shop: "dk", SKU: "A", Day: d("2026-03-01"), Quantity: -1, Amount: "-1.10"}, // net return
		{Shop: "dk", SKU: "B", Day: d("2026-02-28"), Quantity: 50},
	}))
	got, err := b.w.DailySales(ctxB, "A", d("2026-02-28"), d("2026-03-31"))
	ok(t, err)
	eq(t, []wms.DailySales{
		{Day: d("2026-02-28"), Quantity: 5, Amount: "2.205"},
		{Day: d("2026-03-01"), Quantity: -1, Amount: "-1.10"},
	}, got, "daily sales")
}

func TestEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A")
	eq(t, 0, len(b.take()), "product data from the shop emits nothing")

	// A shop changing the barcode emits nothing (no echo); the WMS changing it does.
	ok(t, b.w.UpsertProducts(ctxB, []wms.Product{{Shop: "shop-a", ExternalID: "p-A", Main: true, Title: "A",
		Variants: []wms.Variant{{SKU: "A", ExternalID: "v-A", Barcode: "111"}}}}))
	eq(t, 0, len(b.take()), "barcode from the shop")
	ok(t, b.w.SetBarcode(ctxB, "A", "5701234567892"))
	ok(t, b.w.SetBarcode(ctxB, "A", "5701234567892"))
	is(t, b.w.SetBarcode(ctxB, "NOPE", "1"), wms.ErrNotFound)
	evs := b.take()
	eq(t, 1, len(evs), "barcode events")
	bc := evs[0].(wms.BarcodeChanged)
	eq(t, "5701234567892", bc.Barcode, "barcode")
	eq(t, "111", bc.Previous, "previous barcode")

	b.receive(t, "cph", "A", 2)
	b.upsert(t, order("1", "cph", line("l1", "A", 2)))
	ok(t, b.w.CapturePayment(ctxB, key("1"), "60.00"))
	is(t, b.w.CapturePayment(ctxB, key("1"), "40.01"), wms.ErrInvalid) // beyond the total of 100.00
	ok(t, b.w.CapturePayment(ctxB, key("1"), "40.00"))
	is(t, b.w.CapturePayment(ctxB, key("404"), "1"), wms.ErrNotFound)
	ok(t, b.w.Pack(ctxB, key("1"), nil))
	refund := wms.Refund{ID: "r1", Order: key("1"), Amount: "10.00", Lines: []wms.RefundLine{{LineID: "l1", Quantity: 1, Restock: true, Amount: "10.00"}}}
	ok(t, b.w.Refund(ctxB, refund))
	ok(t, b.w.Refund(ctxB, refund)) // same id: made once
	is(t, b.w.Refund(ctxB, wms.Refund{ID: "r2", Order: key("1"), Amount: "1", Lines: []wms.RefundLine{{LineID: "l1", Quantity: 2}}}), wms.ErrInvalid)
	is(t, b.w.Refund(ctxB, wms.Refund{ID: "r3", Order: key("1"), Amount: "1", Lines: []wms.RefundLine{{LineID: "l9", Quantity: 1}}}), wms.ErrInvalid)

	evs = b.take()
	var kinds []wms.EventKind
	for _, e := range evs {
		kinds = append(kinds, e.Kind())
	}
	eq(t, []wms.EventKind{
		wms.KindStockChanged,    // received 2
		wms.KindStockChanged,    // released: 2 reserved
		wms.KindPaymentCaptured, // 60.00
		wms.KindPaymentCaptured, // 40.00
		wms.KindOrderPacked,
		wms.KindStockChanged, // packed: 0 on hand
		wms.KindRefundCreated,
		wms.KindStockChanged, // restocked: 1
	}, kinds, "event kinds in order")
	eq(t, wms.Decimal("60.00"), evs[2].(wms.PaymentCaptured).Amount, "captured amount")
	eq(t, "DKK", evs[2].(wms.PaymentCaptured).Currency, "captured currency")
	rc := evs[6].(wms.RefundCreated)
	eq(t, "A", rc.Refund.Lines[0].SKU, "refund line SKU filled from the order")
	eq(t, "cph", rc.Refund.Warehouse, "restock warehouse")
	level(t, b, "A", "cph", 1, 0)

	// Every event has a unique id, the clock's time and an increasing Seq;
	// Events() holds them all; each survives an outbox round trip.
	all := b.w.Events()
	ids := map[string]bool{}
	for i, e := range all {
		info := e.Info()
		if ids[info.ID] || info.ID == "" {
			t.Fatalf("event %d: id %q empty or repeated", i, info.ID)
		}
		ids[info.ID] = true
		eq(t, int64(i+1), info.Seq, "seq")
		eq(t, t0, info.Time, "time")
		data, err := json.Marshal(e)
		ok(t, err)
		back, err := wms.UnmarshalEvent(e.Kind(), data)
		ok(t, err)
		eq(t, e, back, "event after a JSON round trip")
	}
	eq(t, 1+8, len(all), "events kept") // barcode + the 8 above
}

func TestOnEventOrderReentrancyAndCancel(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.items(t, "A", "B")
	var mu sync.Mutex
	var seqs []int64
	var cancel func()
	cancel = b.w.OnEvent(func(e wms.Event) {
		mu.Lock()
		seqs = append(seqs, e.Info().Seq)
		mu.Unlock()
		// A handler may call back into the WMS, even to change it.
		if s, isStock := e.(wms.StockChanged); isStock && s.SKU == "A" && s.OnHand == 1 {
			ok(t, b.w.Receive(ctxB, "cph", "B", 1))
		}
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.receive(t, "cph", "A", 1)
		}()
	}
	wg.Wait()
	mu.Lock()
	got := append([]int64(nil), seqs...)
	mu.Unlock()
	eq(t, 9, len(got), "events delivered: 8 receipts of A and the handler's receipt of B")
	for i := range got {
		eq(t, int64(i+1), got[i], "events arrive in Seq order")
	}
	level(t, b, "B", "cph", 1, 0)

	cancel()
	b.receive(t, "cph", "A", 1)
	mu.Lock()
	defer mu.Unlock()
	eq(t, 9, len(seqs), "no delivery after cancel")
}
