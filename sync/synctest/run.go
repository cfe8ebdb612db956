package synctest

import (
	"testing"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Run runs the end-to-end tests against sys, each as a subtest with its
// own world (WMS, store, engine, webhook endpoint, test shop).
func Run(t *testing.T, sys System) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, e *env)
	}{
		{"ImportProducts", testImportProducts},
		{"ProductWebhooks", testProductWebhooks},
		{"RestoredProduct", testRestoredProduct},
		{"OrderWebhooks", testOrderWebhooks},
		{"MissedOrderWebhook", testMissedOrderWebhook},
		{"StockToShop", testStockToShop},
		{"PackedOrderFulfilled", testPackedOrderFulfilled},
		{"StockAudit", testStockAudit},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newEnv(t, sys))
		})
	}
}

// catalogue creates three products in the shop, one with two variants,
// and returns their ids by title.
func catalogue(e *env) map[string]string {
	e.t.Helper()
	ids := map[string]string{}
	for _, p := range []Product{
		{Title: "Mug", Variants: []Variant{{SKU: "KIT-MUG-RED", Stock: 7}, {SKU: "KIT-MUG-BLUE", Stock: 3}}},
		{Title: "Kettle", Variants: []Variant{{SKU: "KIT-KETTLE", Stock: 12}}},
		{Title: "Spoon", Variants: []Variant{{SKU: "KIT-SPOON", Stock: 0}}},
	} {
		id, err := e.shop.CreateProduct(e.ctx, p)
		e.check(err)
		ids[p.Title] = id
	}
	return ids
}

// The product import brings every variant with its title and listing,
// and the stock of the mapped location into the warehouse.
func testImportProducts(t *testing.T, e *env) {
	ids := catalogue(e)
	e.check(e.shop.Flush(e.ctx)) // nothing subscribed yet: nothing arrives
	e.tick()
	e.steps(wmssync.StepProducts)
	for sku, want := range map[string]struct {
		title string
		stock int64
	}{
		"KIT-MUG-RED": {"Mug", 7}, "KIT-MUG-BLUE": {"Mug", 3}, "KIT-KETTLE": {"Kettle", 12}, "KIT-SPOON": {"Spoon", 0},
	} {
		it := e.item(sku)
		if it.Title != want.title {
			errorf(t, "%s: title %q, want %q", sku, it.Title, want.title)
		}
		if !e.listed(sku, ids[want.title]) {
			errorf(t, "%s: listings %+v lack product %s of shop %s", sku, it.Listings, ids[want.title], e.id)
		}
		if got := e.wms.Level(sku, Warehouse).OnHand; got != want.stock {
			errorf(t, "%s: %d on hand, want %d (the shop's stock at the mapped location)", sku, got, want.stock)
		}
	}
}

// Product webhooks: a product created, renamed and deleted in the shop
// after the import reaches the warehouse without a sweep.
func testProductWebhooks(t *testing.T, e *env) {
	catalogue(e)
	e.steps(wmssync.StepProducts)
	e.tick()
	id, err := e.shop.CreateProduct(e.ctx, Product{Title: "Teapot", Variants: []Variant{{SKU: "KIT-TEAPOT", Stock: 2}}})
	e.check(err)
	e.drain()
	if it := e.item("KIT-TEAPOT"); it.Title != "Teapot" || !e.listed("KIT-TEAPOT", id) {
		t.Fatalf("created product: %+v", it)
	}
	e.tick()
	e.check(e.shop.RenameProduct(e.ctx, id, "Teapot, large"))
	e.drain()
	if it := e.item("KIT-TEAPOT"); it.Title != "Teapot, large" {
		t.Fatalf("renamed product: title %q", it.Title)
	}
	e.tick()
	e.check(e.shop.DeleteProduct(e.ctx, id))
	e.drain()
	if e.listed("KIT-TEAPOT", id) {
		t.Fatal("the deleted product is still listed")
	}
}

// A product restored after its deletion (from the shop's trash) is listed
// again.
func testRestoredProduct(t *testing.T, e *env) {
	r, ok := e.shop.(Restorer)
	if !ok {
		t.Skip("the shop system restores no deleted products (synctest.Restorer)")
	}
	ids := catalogue(e)
	e.steps(wmssync.StepProducts)
	e.tick()
	e.check(e.shop.DeleteProduct(e.ctx, ids["Kettle"]))
	e.drain()
	if e.listed("KIT-KETTLE", ids["Kettle"]) {
		t.Fatal("the deleted product is still listed")
	}
	e.tick()
	e.check(r.RestoreProduct(e.ctx, ids["Kettle"]))
	e.drain()
	if !e.listed("KIT-KETTLE", ids["Kettle"]) {
		t.Fatalf("the restored product is not listed again: %+v", e.item("KIT-KETTLE"))
	}
}

// Orders placed after the orders step arrive by webhook with their lines,
// at the mapped warehouse; a cancellation follows.
func testOrderWebhooks(t *testing.T, e *env) {
	catalogue(e)
	e.steps(wmssync.StepOrders)
	e.tick()
	id, err := e.shop.CreateOrder(e.ctx, Line{SKU: "KIT-MUG-RED", Quantity: 2}, Line{SKU: "KIT-KETTLE", Quantity: 1})
	e.check(err)
	e.drain()
	o, ok := e.order(id)
	if !ok {
		t.Fatalf("order %s did not reach the warehouse", id)
	}
	if !o.Open() || len(o.Lines) != 2 {
		t.Fatalf("order %s: status %q, lines %+v", id, o.Status, o.Lines)
	}
	qty := map[string]int64{}
	for _, l := range o.Lines {
		qty[l.SKU] += l.Quantity
	}
	if qty["KIT-MUG-RED"] != 2 || qty["KIT-KETTLE"] != 1 {
		t.Fatalf("order %s: lines %+v", id, o.Lines)
	}
	if o.Warehouse != Warehouse {
		t.Fatalf("order %s: warehouse %q, want %q", id, o.Warehouse, Warehouse)
	}
	if o.Stage != wms.StageReleased {
		t.Fatalf("order %s: stage %q (%s), want released: the stock covers it", id, o.Stage, o.HoldReason)
	}
	e.tick()
	e.check(e.shop.CancelOrder(e.ctx, id))
	e.drain()
	if o, _ := e.order(id); o.Status != wms.OrderCancelled {
		t.Fatalf("cancelled order %s: status %q", id, o.Status)
	}
}

// An order whose webhook is lost reaches the warehouse with the next
// reconciliation sweep, once.
func testMissedOrderWebhook(t *testing.T, e *env) {
	catalogue(e)
	e.steps(wmssync.StepOrders)
	e.tick()
	e.shop.DropWebhooks(true)
	id, err := e.shop.CreateOrder(e.ctx, Line{SKU: "KIT-KETTLE", Quantity: 1})
	e.check(err)
	e.drain()
	e.shop.DropWebhooks(false)
	if _, ok := e.order(id); ok {
		t.Fatal("the order arrived although its webhook was dropped")
	}
	e.tick()
	if _, err := e.eng.Reconcile(e.ctx, e.id); err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if _, ok := e.order(id); !ok {
		t.Fatalf("the sweep did not bring order %s", id)
	}
	if _, err := e.eng.Reconcile(e.ctx, e.id); err != nil {
		t.Fatalf("reconcile again: %v", err)
	}
	if n := len(e.wms.Orders()); n != 1 {
		t.Fatalf("%d orders in the warehouse, want 1", n)
	}
}

// Stock the warehouse receives reaches the shop: the available quantity
// of every SKU, sent in the connector's batch size.
func testStockToShop(t *testing.T, e *env) {
	catalogue(e)
	e.steps(wmssync.StepOutbound)
	e.deliverOutbound() // what the import published
	e.tick()
	for sku, qty := range map[string]int64{"KIT-MUG-RED": 5, "KIT-MUG-BLUE": 4, "KIT-KETTLE": 1, "KIT-SPOON": 9} {
		e.check(e.wms.Receive(e.ctx, Warehouse, sku, qty))
	}
	before := e.eng.OutboundStats()
	e.deliverOutbound()
	for _, sku := range []string{"KIT-MUG-RED", "KIT-MUG-BLUE", "KIT-KETTLE", "KIT-SPOON"} {
		want := e.wms.Level(sku, Warehouse).Available()
		got, err := e.shop.Available(e.ctx, sku)
		e.check(err)
		if got != want {
			errorf(t, "%s: the shop shows %d available, the warehouse %d", sku, got, want)
		}
	}
	after := e.eng.OutboundStats()
	calls, levels := after.StockCalls-before.StockCalls, after.StockLevels-before.StockLevels
	size := wmssync.DefaultStockBatchSize
	if sb, ok := e.connector().(wmssync.StockBatcher); ok && sb.StockBatchSize() > 0 {
		size = sb.StockBatchSize()
	}
	if levels != 4 || calls != uint64((4+size-1)/size) {
		errorf(t, "stock: %d levels in %d calls, want 4 levels in batches of %d", levels, calls, size)
	}
}

// A packed order is fulfilled in the shop; a connector that captures on
// pack gets the capture too.
func testPackedOrderFulfilled(t *testing.T, e *env) {
	catalogue(e)
	e.steps(wmssync.StepOutbound)
	e.deliverOutbound()
	e.tick()
	id, err := e.shop.CreateOrder(e.ctx, Line{SKU: "KIT-MUG-BLUE", Quantity: 2})
	e.check(err)
	e.drain()
	o, ok := e.order(id)
	if !ok || o.Stage != wms.StageReleased {
		t.Fatalf("order %s: %+v", id, o)
	}
	e.tick()
	e.check(e.wms.Pack(e.ctx, o.Key(), &wms.Tracking{Company: "DAO", Number: "KIT-0001"}))
	e.deliverOutbound()
	done, err := e.shop.Fulfilled(e.ctx, id)
	e.check(err)
	if !done {
		t.Fatalf("order %s is not fulfilled in the shop after it was packed", id)
	}
	var captures int
	msgs, err := e.store.ListOutbox(e.ctx, wmssync.OutboxFilter{Shop: e.id})
	e.check(err)
	for _, m := range msgs {
		if m.Kind == wms.KindPaymentCaptured {
			captures++
		}
	}
	pc, capturer := e.connector().(wmssync.PackCapturer)
	switch {
	case capturer && pc.CapturesOnPack() && captures != 1:
		errorf(t, "%d capture messages, want 1 for a connector that captures on pack", captures)
	case !(capturer && pc.CapturesOnPack()) && captures != 0:
		errorf(t, "%d capture messages for a connector that does not capture on pack", captures)
	}
}

// The stock audit brings levels changed in the shop by hand back to the
// warehouse's figure, in the connector's batches, and leaves alone a SKU
// whose stock message is still in flight; a push sends every level.
func testStockAudit(t *testing.T, e *env) {
	setter, ok := e.shop.(StockSetter)
	if !ok {
		t.Skip("the test shop cannot change stock by hand (synctest.StockSetter)")
	}
	catalogue(e)
	e.steps(wmssync.StepOutbound)
	e.deliverOutbound()
	if _, ok := e.connector().(wmssync.StockLister); !ok {
		t.Skip("the connector does not list stock levels (wmssync.StockLister)")
	}
	e.tick()
	// The merchant changes two levels by hand; the warehouse receives a
	// third SKU, whose message is not delivered yet, and the shop's figure
	// of that SKU is changed by hand too.
	e.check(setter.SetAvailable(e.ctx, "KIT-MUG-RED", 99))
	e.check(setter.SetAvailable(e.ctx, "KIT-KETTLE", 0))
	e.check(e.wms.Receive(e.ctx, Warehouse, "KIT-SPOON", 9))
	e.check(setter.SetAvailable(e.ctx, "KIT-SPOON", 50))

	res, err := e.eng.AuditStock(e.ctx, e.id)
	e.check(err)
	if res.Compared != 4 || res.Corrected != 2 || res.InFlight != 1 || res.Messages != 2 || res.Unmatched != 0 {
		errorf(t, "audit: %+v, want 4 compared, 2 corrected, 1 in flight, 2 messages", res)
	}
	if len(res.Drifts) != 3 || res.Drifts[0].SKU != "KIT-MUG-RED" || res.Drifts[0].Shop != 99 || res.Drifts[0].Want != 7 {
		errorf(t, "audit drifts: %+v, want 3 with KIT-MUG-RED (99, want 7) first", res.Drifts)
	}
	if st := e.eng.Stats(); st.StockAudits != 1 || st.StockCorrected != 2 || st.StockAuditErrors != 0 {
		errorf(t, "stats after the audit: %d audits, %d levels corrected, %d errors; want 1, 2, 0", st.StockAudits, st.StockCorrected, st.StockAuditErrors)
	}
	queued, err := e.store.ListOutbox(e.ctx, wmssync.OutboxFilter{Shop: e.id, State: wmssync.OutboxPending})
	e.check(err)
	for _, m := range queued {
		if ev, err := m.Event(); err == nil && ev.(wms.StockChanged).SKU == "KIT-SPOON" {
			errorf(t, "the audit queued a correction of KIT-SPOON, whose stock message is in flight")
		}
	}
	before := e.eng.OutboundStats()
	e.deliverOutbound()
	after := e.eng.OutboundStats()
	for _, sku := range []string{"KIT-MUG-RED", "KIT-MUG-BLUE", "KIT-KETTLE", "KIT-SPOON"} {
		want := e.wms.Level(sku, Warehouse).Available()
		got, err := e.shop.Available(e.ctx, sku)
		e.check(err)
		if got != want {
			errorf(t, "%s: the shop shows %d available after the audit, the warehouse %d", sku, got, want)
		}
	}
	size := stockBatch(e)
	// The two corrections and the in-flight message coalesce into the
	// connector's batches.
	if levels, calls := after.StockLevels-before.StockLevels, after.StockCalls-before.StockCalls; levels != 3 || calls != uint64((3+size-1)/size) {
		errorf(t, "corrections: %d levels in %d calls, want 3 levels in batches of %d", levels, calls, size)
	}
	h, err := e.eng.Health(e.ctx, e.id)
	e.check(err)
	if h.LastStockAudit == nil || h.LastStockAudit.Corrected != 2 || h.StockAuditedAt.IsZero() || h.StockAudit.LastOK.IsZero() {
		errorf(t, "health does not show the audit: %+v %v %+v", h.LastStockAudit, h.StockAuditedAt, h.StockAudit)
	}

	e.tick()
	res, err = e.eng.AuditStock(e.ctx, e.id)
	e.check(err)
	if res.Compared != 4 || res.Corrected != 0 || res.Messages != 0 {
		errorf(t, "second audit: %+v, want 4 compared and nothing to correct", res)
	}
	res, err = e.eng.PushStock(e.ctx, e.id)
	e.check(err)
	if res.Compared != 4 || res.Corrected != 4 || res.Messages != 4 || len(res.Drifts) != 0 {
		errorf(t, "push: %+v, want all 4 levels sent without drift", res)
	}
	e.deliverOutbound()
}

// stockBatch returns the connector's stock batch size.
func stockBatch(e *env) int {
	if sb, ok := e.connector().(wmssync.StockBatcher); ok && sb.StockBatchSize() > 0 {
		return sb.StockBatchSize()
	}
	return wmssync.DefaultStockBatchSize
}
