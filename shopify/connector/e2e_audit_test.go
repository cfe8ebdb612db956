package connector_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// The webhook endpoint is down long enough for Shopify to give up: the
// deliveries fail their retries and Shopify removes the subscriptions it
// could not deliver to. The engine's audit re-creates them, the sweep
// brings the orders missed meanwhile, and new orders flow by webhook again.
func TestE2E_WebhookAuditAfterEndpointOutage(t *testing.T) {
	h := newHarness(t, harnessOptions{srv: []shopifytest.Option{
		shopifytest.WithWebhookRetries(time.Second, 10*time.Millisecond, 10*time.Millisecond, 10*time.Millisecond),
	}})
	shop, dk, de := h.addShop("outage")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 12, Products: 4})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	require.Len(t, shop.WebhookSubscriptions(), 9, "the app's two lifecycle topics, three of products, four of orders")

	h.down.Store(true)
	missed, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, h.srv.WaitWebhooks(ctxT(t)))
	h.down.Store(false)
	var left []string
	for _, w := range shop.WebhookSubscriptions() {
		left = append(left, w.Topic)
	}
	assert.NotContains(t, left, "ORDERS_CREATE", "Shopify removed the subscription it could not deliver")
	_, ok := h.order(s.Shop, missed.ID)
	assert.False(t, ok)

	audit, err := h.eng.AuditWebhooks(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Contains(t, audit.Recreated[wmssync.OrderWebhooks], "ORDERS_CREATE")
	assert.Positive(t, h.eng.Stats().WebhooksRecreated)
	topics := map[string]int{}
	for _, w := range shop.WebhookSubscriptions() {
		topics[w.Topic]++
	}
	for _, tp := range []string{"APP_UNINSTALLED", "APP_SCOPES_UPDATE", "PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE", "ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE"} {
		assert.Equal(t, 1, topics[tp], tp)
	}

	sweep, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Equal(t, 1, sweep.OrdersApplied)

	// The shop's health shows the audit and the sweep, and the API budget
	// from the client's limiter (Shopify's bucket for the shop's plan).
	health, err := h.eng.Health(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Contains(t, health.Recreated, "ORDERS_CREATE")
	assert.False(t, health.Webhooks.LastOK.IsZero())
	assert.Empty(t, health.Sweep.Error)
	assert.False(t, health.Sweep.LastOK.IsZero())
	assert.False(t, health.OrdersSince.IsZero(), "the sweep advanced the orders watermark")
	if assert.NotNil(t, health.Budget, "the connector reports the API budget") {
		assert.Positive(t, health.Budget.Capacity)
		assert.Positive(t, health.Budget.RestoreRate)
		assert.InDelta(t, 0.5, health.Budget.Used(), 0.5)
	}
	if assert.NotNil(t, health.Inbox) {
		assert.Zero(t, health.Inbox.Failed)
	}
	_, ok = h.order(s.Shop, missed.ID)
	assert.True(t, ok, "the sweep brought the order missed during the outage")

	next, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[1], Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	_, ok = h.order(s.Shop, next.ID)
	assert.True(t, ok, "orders flow by webhook again")
}
