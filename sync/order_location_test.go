package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// A Partial order change (its payload lacks the location, like a Shopify
// web order's) is read from the shop before it is applied: the fetched
// order, with its location and its newer data, goes to the warehouse of
// that location, versioned by the fetched updated-at and the event's
// trigger time. Redeliveries of an applied version cost no read; an order
// the shop no longer has is not applied while open, but its cancellation
// is; an order at an unmapped location stays out, even when cancelled.
func TestPartialOrderChangeIsFetched(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.mu.Lock()
	f.partialOrders = true
	f.mu.Unlock()
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	reads := func() int64 { return f.orderPages.Load() }

	// Before the orders step: no read, nothing applied.
	early := order("2000", "loc-store", e.clock.Now(), line("L1", "TEE", 1))
	f.putOrder(early)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &early})
	e.drain()
	assert.Zero(t, reads(), "orders do not flow yet: no read")

	e.throughOrders("dk")
	e.clock.Advance(wmssync.ClockSkew + time.Second)
	n0 := reads()

	// The shop has a newer state than the payload: three units, at the
	// store. The payload (one unit, no location) is only the trigger.
	t1 := e.clock.Advance(time.Minute)
	created := order("2001", "loc-store", t1, line("L1", "TEE", 1))
	current := order("2001", "loc-store", t1, line("L1", "TEE", 3))
	current.UpdatedAt = e.clock.Advance(time.Minute)
	f.putOrder(current)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &created})
	e.drain()
	assert.Equal(t, int64(1), reads()-n0, "one read for the Partial change")
	got := e.order("dk", "2001")
	assert.Equal(t, "store", got.Warehouse, "the fetched location's warehouse")
	require.Len(t, got.Lines, 1)
	assert.Equal(t, int64(3), got.Lines[0].Quantity, "the fetched order is applied")
	assert.True(t, got.UpdatedAt.Equal(current.UpdatedAt))

	// A duplicate of the create is older than the state applied: stale,
	// and no read.
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &created})
	e.drain()
	assert.Equal(t, int64(1), reads()-n0, "a redelivery costs no read")
	st := e.engine.Stats()
	assert.Equal(t, uint64(1), st.EventsStale)

	// The shop's order moved to Copenhagen: the next change follows it.
	moved := current
	moved.LocationID, moved.UpdatedAt = "loc-cph", e.clock.Advance(time.Minute)
	f.putOrder(moved)
	e.deliver(f, topicOrdersUpdated, fakePayload{Order: &moved})
	e.drain()
	assert.Equal(t, "cph", e.order("dk", "2001").Warehouse)

	// At an unmapped location: not the warehouse's, also once cancelled.
	drop := order("2002", "loc-drop", e.clock.Advance(time.Minute), line("L1", "TEE", 1))
	f.putOrder(drop)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &drop})
	e.drain()
	_, err := e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "2002"})
	assert.ErrorIs(t, err, wms.ErrNotFound)
	assert.Equal(t, uint64(1), e.engine.Stats().UnmappedLocation)
	drop.Status, drop.UpdatedAt = wms.OrderCancelled, e.clock.Advance(time.Minute)
	f.putOrder(drop)
	e.deliver(f, topicOrdersCancelled, fakePayload{Order: &drop})
	e.drain()
	_, err = e.wms.Order(bg, wms.OrderKey{Shop: "dk", ExternalID: "2002"})
	assert.ErrorIs(t, err, wms.ErrNotFound, "never the warehouse's: its cancellation stays out too")

	// Gone from the shop (deleted meanwhile): an open change is not
	// applied, a cancellation is.
	gone := order("2003", "loc-cph", e.clock.Advance(time.Minute), line("L1", "TEE", 1))
	f.putOrder(gone)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &gone})
	e.drain()
	assert.Equal(t, "cph", e.order("dk", "2003").Warehouse)
	f.deleteOrder("2003")
	upd := gone
	upd.Lines, upd.UpdatedAt = []wms.OrderLine{line("L1", "TEE", 5)}, e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersUpdated, fakePayload{Order: &upd})
	e.drain()
	assert.Equal(t, int64(1), e.order("dk", "2003").Lines[0].Quantity, "not found: an open change is not applied")
	cancelled := upd
	cancelled.Status, cancelled.UpdatedAt = wms.OrderCancelled, e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersCancelled, fakePayload{Order: &cancelled})
	e.drain()
	assert.Equal(t, wms.OrderCancelled, e.order("dk", "2003").Status, "a cancellation goes through without the order")
	assert.Zero(t, e.store.Stats().Failed)
}

// Without Partial the engine applies the payload as it is, reading
// nothing.
func TestOrderChangeNotPartialIsNotFetched(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	e.throughOrders("dk")
	e.clock.Advance(wmssync.ClockSkew + time.Second)
	n0 := f.orderPages.Load()
	o := order("3001", "loc-store", e.clock.Advance(time.Minute), line("L1", "TEE", 2))
	f.putOrder(o)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	assert.Equal(t, "store", e.order("dk", "3001").Warehouse)
	assert.Equal(t, n0, f.orderPages.Load())
}
