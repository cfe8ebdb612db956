package sync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The acceptance test for S10: 10% of order webhooks are dropped; after one
// reconciliation sweep every order is in the WMS exactly once.
func TestMissedWebhooksHealedBySweep(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.pageSize = 25
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	e.throughOrders("dk")

	rng := rand.New(rand.NewPCG(6, 10))
	const orders = 300
	dropped := 0
	for i := range orders {
		at := e.clock.Advance(time.Second)
		o := order(fmt.Sprintf("%d", 5000+i), "loc-cph", at, line("L1", "TEE", 1))
		f.putOrder(o)
		if rng.IntN(10) == 0 {
			dropped++
			continue
		}
		e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	}
	// An update whose webhook is lost, and a cancellation whose webhook is lost.
	upd := f.orders["5001"]
	upd.Lines = []wms.OrderLine{line("L1", "TEE", 4)}
	upd.UpdatedAt = e.clock.Advance(time.Second)
	f.putOrder(upd)
	cancelled := f.orders["5002"]
	cancelled.Status, cancelled.UpdatedAt = wms.OrderCancelled, e.clock.Advance(time.Second)
	f.putOrder(cancelled)
	e.drain()
	require.Greater(t, dropped, 10)
	n, _ := e.wms.CountOrders(bg)
	require.Equal(t, orders-dropped, n)

	e.clock.Advance(5 * time.Minute)
	res, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	n, _ = e.wms.CountOrders(bg)
	assert.Equal(t, orders, n, "every order, exactly once")
	assert.Equal(t, orders, res.OrdersSeen)
	applied := dropped + 2 // the dropped creates, the lost update and cancellation
	assert.Equal(t, applied, res.OrdersApplied)
	assert.Equal(t, int64(4), e.order("dk", "5001").Lines[0].Quantity)
	assert.Equal(t, wms.OrderCancelled, e.order("dk", "5002").Status)
	st := e.engine.Stats()
	assert.Equal(t, uint64(applied), st.SweepApplied)
	assert.Equal(t, uint64(1), st.Sweeps)

	// A second sweep meets the same orders (within the overlap) and
	// applies none of them again.
	e.clock.Advance(30 * time.Minute)
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Zero(t, res.OrdersApplied)
	n, _ = e.wms.CountOrders(bg)
	assert.Equal(t, orders, n)

	// The next sweep reads from the watermark minus the overlap only.
	e.clock.Advance(30 * time.Minute)
	late := order("9999", "loc-cph", e.clock.Now(), line("L1", "TEE", 1))
	f.putOrder(late)
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, 1, res.OrdersSeen, "only orders updated since the last sweep minus the overlap")
	assert.Equal(t, 1, res.OrdersApplied)
	n, _ = e.wms.CountOrders(bg)
	assert.Equal(t, orders+1, n)
}

// Products changed without a webhook reach the WMS with the sweep once
// the import finished; nothing is swept before.
func TestProductSweep(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "A"))
	res, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Zero(t, res.ProductsSeen, "no sweep before the import")
	e.runStep("dk", wmssync.StepProducts)

	p := product("P1", e.clock.Advance(time.Minute), "A")
	p.Title = "Changed quietly"
	f.putProduct(p)
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, 1, res.ProductsApplied)
	it, _ := e.wms.Item(bg, "A")
	assert.Equal(t, "Changed quietly", it.Title)
	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, 1, res.ProductsSeen)
	assert.Zero(t, res.ProductsApplied, "already applied")
}

// The audit re-creates subscriptions the shop removed.
func TestWebhookAudit(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	res, err := e.engine.AuditWebhooks(bg, "dk")
	require.NoError(t, err)
	assert.Empty(t, res.Recreated, "nothing to audit before the steps")
	e.throughOrders("dk")
	f.dropSubscription(wmssync.OrderWebhooks, "orders/create")
	f.dropSubscription(wmssync.ProductWebhooks, "products/update")
	res, err = e.engine.AuditWebhooks(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, map[wmssync.WebhookGroup][]string{
		wmssync.OrderWebhooks: {"orders/create"}, wmssync.ProductWebhooks: {"products/update"},
	}, res.Recreated)
	assert.Len(t, f.subscribed(wmssync.OrderWebhooks), 4)
	assert.Equal(t, uint64(2), e.engine.Stats().WebhooksRecreated)
	res, err = e.engine.AuditWebhooks(bg, "dk")
	require.NoError(t, err)
	assert.Empty(t, res.Recreated)

	f.refuse = errRefused
	_, err = e.engine.AuditWebhooks(bg, "dk")
	assert.ErrorIs(t, err, wmssync.ErrUnauthorized)
}

// Run drains the inbox with the webhook dispatcher and sweeps on its
// interval, until its context ends.
func TestRun(t *testing.T) {
	e := newEnv(t, func(c *wmssync.Config) {
		c.ReconcileInterval = 5 * time.Millisecond
		c.AuditInterval = 5 * time.Millisecond
	})
	f := e.addShop("dk")
	e.throughOrders("dk")
	hooked := order("1", "loc-cph", e.clock.Advance(time.Second), line("L1", "X", 1))
	e.deliver(f, topicOrdersCreate, fakePayload{Order: &hooked})
	quiet := order("2", "loc-cph", e.clock.Advance(time.Second), line("L1", "X", 1))
	f.putOrder(quiet) // no webhook: the sweep brings it
	f.dropSubscription(wmssync.OrderWebhooks, "orders/delete")

	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(ctx) }()
	require.Eventually(t, func() bool {
		n, _ := e.wms.CountOrders(bg)
		return n == 2 && len(f.subscribed(wmssync.OrderWebhooks)) == 4
	}, 10*time.Second, 5*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	st := e.engine.Stats()
	assert.GreaterOrEqual(t, st.Sweeps, uint64(1))
	assert.GreaterOrEqual(t, st.Audits, uint64(1))
	assert.Equal(t, uint64(1), st.EventsApplied)
}

// TestSweepRepairsChangesWithinTheSecond: an order placed awaiting payment
// and paid within the same second, and one placed and cancelled within the
// same second, whose second webhooks are lost (WooCommerce never retries
// one). Their versions (whole seconds) equal the applied ones, so only the
// warehouse's copy shows the sweep what is missing: it applies the shop's
// status, once.
func TestSweepRepairsChangesWithinTheSecond(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.putProduct(product("P1", e.clock.Now(), "TEE"))
	e.throughOrders("dk")
	at := e.clock.Advance(time.Second)
	unpaid := order("7001", "loc-cph", at, line("L1", "TEE", 1))
	unpaid.Status = wms.OrderPaymentPending
	placed := order("7002", "loc-cph", at, line("L1", "TEE", 1))
	for _, o := range []wmssync.Order{unpaid, placed} {
		f.putOrder(o)
		e.deliver(f, topicOrdersCreate, fakePayload{Order: &o})
	}
	e.drain()
	require.Equal(t, wms.OrderPaymentPending, e.order("dk", "7001").Status)
	require.Equal(t, wms.OrderOpen, e.order("dk", "7002").Status)

	paid, cancelled := unpaid, placed
	paid.Status, cancelled.Status = wms.OrderOpen, wms.OrderCancelled // same UpdatedAt
	f.putOrder(paid)
	f.putOrder(cancelled)
	e.clock.Advance(time.Minute)
	res, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, wms.OrderOpen, e.order("dk", "7001").Status, "the payment arrived")
	assert.Equal(t, wms.OrderCancelled, e.order("dk", "7002").Status, "the cancellation arrived")
	assert.Equal(t, 2, res.OrdersApplied)

	res, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Zero(t, res.OrdersApplied, "a second sweep changes nothing")
}
