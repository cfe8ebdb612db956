package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// TestDeletionNeedsTheShopsWord: a delete webhook for an order or product
// the shop still has (a captured body replayed under a delete topic, say)
// deletes nothing: the engine asks the shop and applies what it has. A
// deletion the shop confirms is applied, and then an old create or update
// body, replayed with a fresh trigger time, does not bring the entity back.
func TestDeletionNeedsTheShopsWord(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	p1 := product("P1", e.clock.Now(), "TEE")
	f.putProduct(p1)
	e.throughOrders("dk")
	require.NoError(t, e.wms.Receive(bg, "cph", "TEE", 5))
	o := order("1001", "loc-cph", e.clock.Advance(time.Minute), line("L1", "TEE", 1))
	f.putOrder(o)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.drain()
	require.Equal(t, wms.StageReleased, e.order("dk", "1001").Stage)

	// Deletions the shop contradicts.
	e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersDelete, fakePayload{ID: "1001"})
	e.deliver(f, topicProductsDelete, fakePayload{ID: "P1"})
	e.drain()
	got := e.order("dk", "1001")
	assert.Equal(t, wms.OrderOpen, got.Status, "the shop still has the order")
	assert.Equal(t, wms.StageReleased, got.Stage)
	it, err := e.wms.Item(bg, "TEE")
	require.NoError(t, err)
	assert.Len(t, it.Listings, 1, "the shop still has the product")
	assert.Equal(t, uint64(2), e.engine.Stats().DeletionsRefused)

	// Deletions the shop confirms.
	e.clock.Advance(time.Minute)
	f.deleteOrder("1001")
	f.deleteProduct("P1")
	e.deliver(f, topicOrdersDelete, fakePayload{ID: "1001"})
	e.deliver(f, topicProductsDelete, fakePayload{ID: "P1"})
	e.drain()
	assert.Equal(t, wms.OrderDeleted, e.order("dk", "1001").Status)
	it, _ = e.wms.Item(bg, "TEE")
	assert.Empty(t, it.Listings)

	// Old bodies replayed later, with the current trigger time.
	e.clock.Advance(time.Minute)
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &p1})
	e.drain()
	assert.Equal(t, wms.OrderDeleted, e.order("dk", "1001").Status, "a replayed body does not undo a confirmed deletion")
	it, _ = e.wms.Item(bg, "TEE")
	assert.Empty(t, it.Listings, "a replayed body does not undo a confirmed deletion")
	assert.Zero(t, e.engine.Stats().Restored)
}

// TestRestoredEntitiesComeBack: a deletion is not final. A shop that
// restores an order or product (from a trash, at the data it had before)
// brings it back through its next webhook, and a deletion the shop
// contradicts later (a restore without any webhook and without a change
// the sweep's listing would meet) is healed by the reconciliation sweep,
// which re-checks deletions at doubling intervals.
func TestRestoredEntitiesComeBack(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	p1, p2 := product("P1", e.clock.Now(), "TEE"), product("P2", e.clock.Now(), "CAP")
	f.putProduct(p1)
	f.putProduct(p2)
	e.throughOrders("dk")
	require.NoError(t, e.wms.Receive(bg, "cph", "TEE", 5))
	o1 := order("1001", "loc-cph", e.clock.Advance(time.Minute), line("L1", "TEE", 1))
	o2 := order("1002", "loc-cph", e.clock.Now(), line("L1", "TEE", 2))
	for _, o := range []wmssync.Order{o1, o2} {
		f.putOrder(o)
		e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	}
	e.drain()

	// The shop deletes everything; the engine applies the deletions.
	e.clock.Advance(time.Minute)
	for _, id := range []string{"1001", "1002"} {
		f.deleteOrder(id)
		e.deliver(f, topicOrdersDelete, fakePayload{ID: id})
	}
	for _, id := range []string{"P1", "P2"} {
		f.deleteProduct(id)
		e.deliver(f, topicProductsDelete, fakePayload{ID: id})
	}
	e.drain()
	require.Equal(t, wms.OrderDeleted, e.order("dk", "1001").Status)
	require.Equal(t, wms.OrderDeleted, e.order("dk", "1002").Status)
	assert.Equal(t, int64(0), e.wms.Level("TEE", "cph").Reserved, "a deleted order frees its stock")

	// Restored with a webhook: the shop's data as it was before.
	e.clock.Advance(time.Minute)
	f.putOrder(o1)
	f.putProduct(p1)
	e.deliver(f, topicOrdersUpdated, fakePayload{Order: &o1})
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &p1})
	e.drain()
	assert.Equal(t, wms.OrderOpen, e.order("dk", "1001").Status)
	assert.Equal(t, wms.StageReleased, e.order("dk", "1001").Stage, "the restored order is picked again")
	it, _ := e.wms.Item(bg, "TEE")
	assert.Len(t, it.Listings, 1)
	assert.Equal(t, uint64(2), e.engine.Stats().Restored)

	// A sweep confirms the deletions of 1002 and P2; later the shop
	// restores both silently, at their old updated_at: the sweep's listing
	// of changes does not meet them, only its re-check of deletions can.
	e.clock.Advance(30 * time.Minute)
	res, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	require.Zero(t, res.OrdersRestored+res.ProductsRestored)
	e.clock.Advance(30 * time.Minute)
	f.putOrder(o2)
	f.putProduct(p2)
	e.clock.Advance(30 * time.Minute)
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, 1, res.OrdersRestored)
	assert.Equal(t, 1, res.ProductsRestored)
	assert.Zero(t, res.OrdersApplied, "the listing did not meet them: the re-check did")
	assert.Equal(t, wms.OrderOpen, e.order("dk", "1002").Status)
	it, _ = e.wms.Item(bg, "CAP")
	assert.Len(t, it.Listings, 1)
	assert.Equal(t, uint64(4), e.engine.Stats().Restored)

	// Nothing left to restore; confirmed deletions are checked less and
	// less often.
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Zero(t, res.OrdersRestored+res.ProductsRestored)
}

// TestDeletionRecheckBacksOff: a confirmed deletion is asked about again
// at the first sweep, then at doubling intervals, not at every sweep.
func TestDeletionRecheckBacksOff(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	e.throughOrders("dk")
	f.deleteProduct("P1")
	e.deliver(f, topicProductsDelete, fakePayload{ID: "P1"})
	e.drain()

	reads := func() int64 { return f.productPages.Load() }
	var checks []int
	for i := range 40 {
		e.clock.Advance(5 * time.Minute)
		before := reads()
		_, err := e.engine.Reconcile(bg, "dk")
		require.NoError(t, err)
		// A sweep lists changed products (one read); a re-check adds one.
		if reads()-before > 1 {
			checks = append(checks, i)
		}
	}
	// Deleted at 0; sweeps every 5 minutes (i=0 at 5m): checks at 5m,
	// 10m, 20m, 40m, 80m, 160m (i=0, 1, 3, 7, 15, 31).
	assert.Equal(t, []int{0, 1, 3, 7, 15, 31}, checks)
}

// TestOtherShopsBodiesAddNothing: the signed body of one shop re-posted
// under another shop's name (both shops connected through the same app,
// so signed with the same secret) adds nothing to the other shop: a
// product new to a shop is read from that shop before it is applied, and a
// cancelled order the shop does not show and the warehouse never had is
// not stored. A product genuinely new to the shop still arrives.
func TestOtherShopsBodiesAddNothing(t *testing.T) {
	e := newEnv(t)
	dk, uk := e.addShop("dk"), e.addShop("uk")
	dk.partialOrders, uk.partialOrders = true, true
	for _, f := range []*fakeShop{dk, uk} {
		f.putProduct(product("P-"+f.domain, e.clock.Now(), "TEE"))
	}
	e.throughOrders("dk")
	e.throughOrders("uk")

	e.clock.Advance(time.Minute)
	only := product("P9", e.clock.Now(), "TEE", "MUG")
	dk.putProduct(only)
	e.deliver(uk, topicProductsCreate, fakePayload{Product: &only}) // dk's body, uk's name
	cancelled := order("7001", "loc-cph", e.clock.Now(), line("L1", "TEE", 1))
	cancelled.Status = wms.OrderCancelled
	dk.putOrder(cancelled)
	e.deliver(uk, topicOrdersCancelled, fakePayload{Order: &cancelled})
	e.drain()
	it, err := e.wms.Item(bg, "TEE")
	require.NoError(t, err)
	for _, l := range it.Listings {
		assert.NotEqual(t, "P9", l.ProductID, "uk got dk's product: %+v", l)
	}
	_, err = e.wms.Item(bg, "MUG")
	assert.ErrorIs(t, err, wms.ErrNotFound)
	_, err = e.wms.Order(bg, wms.OrderKey{Shop: "uk", ExternalID: "7001"})
	assert.ErrorIs(t, err, wms.ErrNotFound)

	// uk's own new product arrives.
	own := product("P10", e.clock.Now(), "CAP")
	uk.putProduct(own)
	e.deliver(uk, topicProductsCreate, fakePayload{Product: &own})
	e.drain()
	it, err = e.wms.Item(bg, "CAP")
	require.NoError(t, err)
	require.Len(t, it.Listings, 1)
	assert.Equal(t, "uk", it.Listings[0].Shop)
}
