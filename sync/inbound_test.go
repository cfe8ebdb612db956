package sync_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Product webhooks (S8) through the real handler: create, a stale update
// after a newer one, an update beyond 100 variants, delete.
func TestInboundProducts(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.runStep("dk", wmssync.StepProducts)

	t1 := e.clock.Advance(time.Minute)
	p := product("P1", t1, "RED", "BLUE")
	f.putProduct(p)
	e.deliver(f, topicProductsCreate, fakePayload{Product: &p})
	e.drain()
	it, err := e.wms.Item(bg, "RED")
	require.NoError(t, err)
	assert.Equal(t, "Product P1", it.Title)

	// A newer update, then the older one delivered late: the older is
	// dropped (staleness protection).
	t2 := e.clock.Advance(time.Minute)
	newer := product("P1", t2, "RED", "BLUE")
	newer.Title = "Renamed"
	older := product("P1", t1.Add(30*time.Second), "RED", "BLUE")
	older.Title = "Old name"
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &newer})
	e.drain()
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &older})
	e.drain()
	it, _ = e.wms.Item(bg, "RED")
	assert.Equal(t, "Renamed", it.Title)
	st := e.engine.Stats()
	assert.Equal(t, uint64(2), st.EventsApplied)
	assert.Equal(t, uint64(1), st.EventsStale)

	// Beyond 100 variants the webhook is truncated: the engine fetches the
	// whole product.
	t3 := e.clock.Advance(time.Minute)
	var skus []string
	for i := range 150 {
		skus = append(skus, fmt.Sprintf("BIG-%03d", i))
	}
	big := product("P2", t3, skus...)
	f.putProduct(big)
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &big})
	e.drain()
	_, err = e.wms.Item(bg, "BIG-149")
	require.NoError(t, err, "variant 150 of a truncated webhook")
	n, _ := e.wms.CountItems(bg)
	assert.Equal(t, 152, n)

	// Delete: the shop's listings go, the items stay.
	e.clock.Advance(time.Minute)
	f.deleteProduct("P1")
	e.deliver(f, topicProductsDelete, fakePayload{ID: "P1"})
	e.drain()
	it, _ = e.wms.Item(bg, "RED")
	assert.Empty(t, it.Listings)
	// A redelivery of the last update (same trigger time as the deletion's
	// clock reading, same updated_at as applied) changes nothing.
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &newer})
	e.drain()
	it, _ = e.wms.Item(bg, "RED")
	assert.Empty(t, it.Listings)
}

// Orders (S10, S11): ignored before the orders step; then created held,
// released when stock arrives, cancelled, deleted; stale updates dropped;
// unmapped locations ignored (S5).
func TestInboundOrders(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	e.runStep("dk", wmssync.StepProducts)

	early := order("1000", "loc-cph", e.clock.Now(), line("L1", "TEE", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &early})
	e.drain()
	_, err := e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "1000"})
	assert.ErrorIs(t, err, wms.ErrNotFound, "orders flow only once the orders step started")

	require.NoError(t, e.engine.SkipStep(bg, "dk", wmssync.StepCustomsCost))
	e.clock.Advance(wmssync.ClockSkew + time.Second)
	e.runStep("dk", wmssync.StepOrders)
	assert.Equal(t, []string{"orders/cancelled", "orders/create", "orders/delete", "orders/updated"}, f.subscribed(wmssync.OrderWebhooks))

	// An order created before the step, changed after it, is still not
	// the warehouse's.
	early.UpdatedAt = e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersUpdated, fakePayload{Order: &early})
	e.drain()
	_, err = e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "1000"})
	assert.ErrorIs(t, err, wms.ErrNotFound, "created before the orders step")

	t1 := e.clock.Advance(time.Minute)
	o := order("1001", "loc-cph", t1, line("L1", "TEE", 2))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	got := e.order("dk", "1001")
	assert.Equal(t, wms.StageHeld, got.Stage, "no stock yet (S11)")
	assert.Equal(t, "cph", got.Warehouse)

	require.NoError(t, e.wms.Receive(bg, "cph", "TEE", 5))
	assert.Equal(t, wms.StageReleased, e.order("dk", "1001").Stage, "released when stock arrives")

	// Updated with a third unit, then the create delivered again late.
	t2 := e.clock.Advance(time.Minute)
	upd := order("1001", "loc-cph", t1, line("L1", "TEE", 3))
	upd.UpdatedAt = t2
	e.deliver(f, topicOrdersUpdated, fakePayload{Order: &upd})
	e.drain()
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	assert.Equal(t, int64(3), e.order("dk", "1001").Lines[0].Quantity, "the late create is stale")

	// Cancel.
	t3 := e.clock.Advance(time.Minute)
	cancelled := upd
	cancelled.Status, cancelled.UpdatedAt = wms.OrderCancelled, t3
	e.deliver(f, topicOrdersCancelled, fakePayload{Order: &cancelled})
	e.drain()
	got = e.order("dk", "1001")
	assert.Equal(t, wms.OrderCancelled, got.Status)
	assert.Equal(t, int64(0), e.wms.Level("TEE", "cph").Reserved, "cancelling frees the reservation")

	// Delete of another order before its create ever arrived, then the
	// create: the deletion wins (it was triggered later).
	e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersDelete, fakePayload{ID: "1002"})
	e.drain()
	assert.Equal(t, wms.OrderDeleted, e.order("dk", "1002").Status)
	e.clock.Advance(time.Minute)
	late := order("1002", "loc-cph", t1, line("L1", "TEE", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &late})
	e.drain()
	assert.Equal(t, wms.OrderDeleted, e.order("dk", "1002").Status, "the warehouse keeps the tombstone")

	// An order shipped from an unmapped location is not the warehouse's.
	drop := order("1003", "loc-drop", e.clock.Advance(time.Minute), line("L1", "TEE", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &drop})
	e.drain()
	_, err = e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "1003"})
	assert.ErrorIs(t, err, wms.ErrNotFound)
	assert.Equal(t, uint64(1), e.engine.Stats().UnmappedLocation)

	// Topics the engine does not act on are done without effect.
	e.deliver(f, topicInventoryLevelsUpdate, fakePayload{})
	e.drain()
	assert.Zero(t, e.store.Stats().Failed)
}

// POS (S4): on, a POS sale moves stock at the mapped warehouse and counts
// in sales, and never becomes an order; off, it is ignored. The toggle
// changes at run time.
func TestInboundPOS(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk", func(s *wmssync.Settings) { s.POS = true })
	f.putProduct(product("P1", e.clock.Now(), "MUG"))
	e.throughOrders("dk")
	require.NoError(t, e.wms.Receive(bg, "store", "MUG", 10))

	sale := order("2001", "loc-store", e.clock.Advance(time.Minute), line("L1", "MUG", 2), line("L2", "MUG", 1))
	sale.POS = true
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &sale})
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &sale}) // Shopify's duplicate under a new webhook id
	e.drain()
	assert.Equal(t, int64(7), e.wms.Level("MUG", "store").OnHand, "three units sold over the counter, once")
	_, err := e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "2001"})
	assert.ErrorIs(t, err, wms.ErrNotFound, "never a pick order")
	sales, err := e.wms.DailySales(bg, "MUG", wms.DateOf(sale.CreatedAt), wms.DateOf(sale.CreatedAt))
	require.NoError(t, err)
	require.Len(t, sales, 1)
	assert.Equal(t, int64(3), sales[0].Quantity)
	assert.Equal(t, uint64(1), e.engine.Stats().POSSales)

	// POS sale at an unmapped location: ignored.
	away := order("2002", "loc-drop", e.clock.Advance(time.Minute), line("L1", "MUG", 1))
	away.POS = true
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &away})
	e.drain()
	assert.Equal(t, int64(7), e.wms.Level("MUG", "store").OnHand)

	// POS off at run time: ignored.
	s, _ := e.engine.Settings(bg, "dk")
	s.POS = false
	_, err = e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	off := order("2003", "loc-store", e.clock.Advance(time.Minute), line("L1", "MUG", 4))
	off.POS = true
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &off})
	e.drain()
	assert.Equal(t, int64(7), e.wms.Level("MUG", "store").OnHand)
	_, err = e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "2003"})
	assert.ErrorIs(t, err, wms.ErrNotFound)
}

// Events of unknown shops and undecodable payloads are parked (dead
// letter), not retried; two shops share one inbox and engine.
func TestInboundRoutingAndDeadLetters(t *testing.T) {
	e := newEnv(t)
	dk := e.addShop("dk")
	uk := e.addShop("uk")
	for _, id := range []string{"dk", "uk"} {
		e.throughOrders(id)
	}
	o1 := order("1", "loc-cph", e.clock.Advance(time.Minute), line("L1", "X", 1))
	e.deliver(dk, topicOrdersCreate, fakePayload{Order: &o1})
	e.deliver(uk, topicOrdersCreate, fakePayload{Order: &o1})
	stranger := newFakeShop("stranger")
	e.deliver(stranger, topicOrdersCreate, fakePayload{Order: &o1})
	e.deliver(dk, topicOrdersCreate, fakePayload{}) // no order in the payload
	e.drain()
	assert.Equal(t, "dk", e.order("dk", "1").Shop)
	assert.Equal(t, "uk", e.order("uk", "1").Shop)
	failed := e.store.Failed()
	require.Len(t, failed, 2)
	reasons := failed[0].LastError + " | " + failed[1].LastError
	assert.Contains(t, reasons, "unknown shop")
	assert.Contains(t, reasons, "invalid webhook payload")
	n, _ := e.wms.CountOrders(bg)
	assert.Equal(t, 2, n)
}

// Many deliveries of one order, in random order and concurrently: the
// newest version ends in the warehouse.
func TestInboundConcurrentVersions(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.throughOrders("dk")
	base := e.clock.Now()
	const versions = 40
	for _, i := range []int{7, 39, 0, 12, 25, 38, 3, 19, 31, 5, 2, 36, 14, 28, 9, 1, 22, 33, 17, 11,
		4, 26, 37, 8, 15, 30, 6, 21, 34, 13, 27, 10, 35, 18, 24, 16, 29, 20, 32, 23} {
		o := order("777", "loc-cph", base, line("L1", "X", int64(i+1)))
		o.UpdatedAt = base.Add(time.Duration(i) * time.Second)
		e.deliver(f, topicOrdersUpdated, fakePayload{Order: &o})
	}
	e.drain()
	assert.Equal(t, int64(versions), e.order("dk", "777").Lines[0].Quantity)
	st := e.engine.Stats()
	assert.Equal(t, uint64(versions), st.EventsApplied+st.EventsStale)
}

// Lines a warehouse cannot ship (no SKU: custom items, gift cards; no
// quantity: removed by an edit) are left out instead of failing the order.
func TestInboundOrderUnshippableLines(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.throughOrders("dk")
	o := order("1", "loc-cph", e.clock.Advance(time.Minute),
		line("L1", "TEE", 1), wms.OrderLine{ExternalID: "L2", Title: "Gift card", Quantity: 1},
		wms.OrderLine{ExternalID: "L3", SKU: "CAP", Quantity: 0})
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	got := e.order("dk", "1")
	require.Len(t, got.Lines, 1)
	assert.Equal(t, "TEE", got.Lines[0].SKU)
	assert.Zero(t, e.store.Stats().Failed)
}

// Running the finished orders step again (to re-register its webhooks)
// keeps the moment the order flow opened: an order placed since, whose
// webhook arrives only after the re-run, still reaches the warehouse.
func TestOrdersStepRerunKeepsFlowStart(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.throughOrders("dk")
	first := e.stepState("dk", wmssync.StepOrders).StartedAt

	placed := e.clock.Advance(time.Minute)
	o := order("1", "loc-cph", placed, line("L1", "X", 1))
	e.clock.Advance(wmssync.ClockSkew + time.Hour) // the webhook is late
	e.runStep("dk", wmssync.StepOrders)
	assert.Equal(t, first, e.stepState("dk", wmssync.StepOrders).StartedAt)

	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	e.order("dk", "1")
}

// An order the shop's clock dates just before the orders step started (the
// clocks disagree by less than ClockSkew) is a new order, not a lost one.
func TestOrderWithinClockSkewCounts(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	e.clock.Advance(time.Hour)
	e.throughOrders("dk")
	o := order("1", "loc-cph", e.clock.Now().Add(-wmssync.ClockSkew+time.Second), line("L1", "X", 1))
	old := order("2", "loc-cph", e.clock.Now().Add(-wmssync.ClockSkew-time.Second), line("L1", "X", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &old})
	e.drain()
	e.order("dk", "1")
	_, err := e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "2"})
	assert.ErrorIs(t, err, wms.ErrNotFound)
}
