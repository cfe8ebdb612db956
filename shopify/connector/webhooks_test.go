package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/connector"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

func TestEnsureWebhooks(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	const addr = "https://wms.example.com/webhooks"
	// Subscriptions of the app to the same address that are not ours stay.
	shop.AddWebhookSubscription("BULK_OPERATIONS_FINISH", addr)
	shop.AddWebhookSubscription("ORDERS_CREATE", "https://elsewhere.example.com/hook")
	c := newConnector(t, srv, shop, connector.Config{WebhookAddress: addr})
	ctx := ctxT(t)

	created, err := c.EnsureWebhooks(ctx, wmssync.ProductWebhooks)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE"}, created)
	created, err = c.EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE"}, created)

	topics := func() map[string]int {
		m := map[string]int{}
		for _, w := range shop.WebhookSubscriptions() {
			if w.URI == addr {
				m[w.Topic]++
			}
		}
		return m
	}
	want := map[string]int{"BULK_OPERATIONS_FINISH": 1, "PRODUCTS_CREATE": 1, "PRODUCTS_UPDATE": 1, "PRODUCTS_DELETE": 1,
		"ORDERS_CREATE": 1, "ORDERS_UPDATED": 1, "ORDERS_CANCELLED": 1, "ORDERS_DELETE": 1}
	assert.Equal(t, want, topics())
	assert.Len(t, shop.WebhookSubscriptions(), 9, "the other address keeps its subscription")

	// Idempotent: nothing new, in either order.
	for _, g := range []wmssync.WebhookGroup{wmssync.ProductWebhooks, wmssync.OrderWebhooks, wmssync.ProductWebhooks} {
		created, err = c.EnsureWebhooks(ctx, g)
		require.NoError(t, err)
		assert.Empty(t, created)
	}
	assert.Equal(t, want, topics())

	// The audit re-creates a subscription Shopify removed.
	for _, w := range shop.WebhookSubscriptions() {
		if w.Topic == "ORDERS_UPDATED" && w.URI == addr {
			require.True(t, shop.DeleteWebhookSubscription(w.ID))
		}
	}
	created, err = c.EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	require.NoError(t, err)
	assert.Equal(t, []string{"ORDERS_UPDATED"}, created)
	assert.Equal(t, want, topics())

	noAddr := newConnector(t, srv, shop, connector.Config{})
	_, err = noAddr.EnsureWebhooks(ctx, wmssync.ProductWebhooks)
	assert.ErrorIs(t, err, connector.ErrNoWebhookAddress)
	_, err = c.EnsureWebhooks(ctx, "inventory")
	assert.Error(t, err)
}
