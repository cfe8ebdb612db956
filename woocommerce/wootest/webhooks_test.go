package wootest

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

func createHook(t *testing.T, c *woocommerce.Client, topic, address, secret string) *woocommerce.Webhook {
	t.Helper()
	w, resp, err := c.Webhooks().Create(context.Background(), &woocommerce.WebhookRequest{
		Name: woocommerce.Ptr(topic), Topic: woocommerce.Ptr(topic), DeliveryURL: woocommerce.Ptr(address), Secret: woocommerce.Ptr(secret),
	})
	require.NoError(t, err)
	assert.Equal(t, 201, resp.StatusCode)
	return w
}

func TestWebhookCreationPingsUnsigned(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	rv.setStatus(http.StatusNoContent) // not exactly 200: the ping fails
	w := createHook(t, c, "order.updated", rv.URL+"/hooks", "s3cret")
	assert.Equal(t, "active", w.Status)
	assert.Equal(t, []string{"woocommerce_update_order", "woocommerce_order_refunded", "woocommerce_delete_order_refund"}, w.Hooks)

	reqs := rv.requests()
	require.Len(t, reqs, 1)
	ping := reqs[0]
	assert.Equal(t, "webhook_id="+fmtID(w.ID), string(ping.body))
	assert.Equal(t, "application/x-www-form-urlencoded", ping.header.Get("Content-Type"))
	for k := range ping.header {
		assert.NotContains(t, k, "X-Wc-Webhook", "the ping has no X-WC-Webhook-* header")
	}
	id, ok := woocommerce.PingWebhookID(ping.header, ping.body)
	assert.True(t, ok)
	assert.Equal(t, w.ID, id)
	assert.True(t, store.Webhooks()[0].PendingDelivery, "204 is not 200")

	// Changing the address pings again; a 200 clears pending_delivery.
	rv.setStatus(http.StatusOK)
	_, _, err := c.Webhooks().Update(context.Background(), w.ID, &woocommerce.WebhookRequest{DeliveryURL: woocommerce.Ptr(rv.URL + "/hooks2")})
	require.NoError(t, err)
	assert.Len(t, rv.requests(), 2)
	assert.False(t, store.Webhooks()[0].PendingDelivery)

	// Validation and delete.
	_, _, err = c.Webhooks().Create(context.Background(), &woocommerce.WebhookRequest{Topic: woocommerce.Ptr("order.exploded"), DeliveryURL: woocommerce.Ptr(rv.URL)})
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	_, err = c.Do(context.Background(), &woocommerce.Request{Method: "DELETE", Path: "webhooks/" + fmtID(w.ID)}, nil)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 501, apiErr.StatusCode)
	assert.Equal(t, "woocommerce_rest_trash_not_supported", apiErr.Code)
	_, _, err = c.Webhooks().Delete(context.Background(), w.ID)
	require.NoError(t, err)
	assert.Empty(t, store.Webhooks())
}

func TestDeliveriesAreSignedMergedAndBuiltWhenSent(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(150*time.Millisecond)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, _, err := store.CreateProduct(ProductSpec{SKU: "D", Price: "3.00", Stock: 10})
	require.NoError(t, err)
	w := createHook(t, c, "order.updated", rv.URL, "s3cret")
	createHook(t, c, "order.created", rv.URL, "other-secret")

	id, err := store.CreateOrder(OrderSpec{Status: "on-hold", Lines: []OrderLineSpec{{SKU: "D", Quantity: 2}}})
	require.NoError(t, err)
	// Quick changes while the delivery waits merge into it.
	require.NoError(t, store.SetOrderStatus(id, "processing"))
	require.NoError(t, store.SetOrderStatus(id, "completed"))
	waitHooks(t, srv)

	var updated []received
	for _, d := range rv.deliveries() {
		if d.header.Get(woocommerce.HeaderWebhookTopic) == "order.updated" {
			updated = append(updated, d)
		}
	}
	require.Len(t, updated, 1, "one delivery for the three updates")
	d := updated[0]
	assert.True(t, woocommerce.ValidSignature(d.body, d.header.Get(woocommerce.HeaderWebhookSignature), "s3cret"))
	assert.False(t, woocommerce.ValidSignature(d.body, d.header.Get(woocommerce.HeaderWebhookSignature), "other-secret"))
	assert.Equal(t, "application/json", d.header.Get("Content-Type"))
	assert.Equal(t, "order", d.header.Get(woocommerce.HeaderWebhookResource))
	assert.Equal(t, "updated", d.header.Get(woocommerce.HeaderWebhookEvent))
	assert.Equal(t, fmtID(w.ID), d.header.Get(woocommerce.HeaderWebhookID))
	assert.Equal(t, srv.StoreURL("shop")+"/", d.header.Get(woocommerce.HeaderWebhookSource))
	assert.Len(t, d.header.Get(woocommerce.HeaderWebhookDeliveryID), 32)
	assert.Contains(t, d.header.Get("User-Agent"), "WooCommerce/10.9.0 Hookshot")
	var o woocommerce.Order
	require.NoError(t, json.Unmarshal(d.body, &o))
	assert.Equal(t, id, o.ID)
	assert.Equal(t, "completed", o.Status, "built from the order as it was when sent")
	assert.Greater(t, store.Counters().Merged, int64(0))
}

func TestDeliveriesAreNeverRetriedAndDisableOnTheSeventhFailure(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, _, err := store.CreateProduct(ProductSpec{SKU: "F", Stock: 100})
	require.NoError(t, err)
	w := createHook(t, c, "order.created", rv.URL, "x")
	rv.setStatus(http.StatusInternalServerError)
	for i := 1; i <= 7; i++ {
		_, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "F", Quantity: 1}}})
		require.NoError(t, err)
		waitHooks(t, srv)
		st := store.Webhooks()[0]
		if i < 7 {
			assert.Equal(t, "active", st.Status, "after failure %d", i)
			assert.Equal(t, i, st.Failures)
		} else {
			assert.Equal(t, "disabled", st.Status, "the 7th consecutive failure disables")
		}
	}
	assert.Len(t, rv.deliveries(), 7, "each failed delivery was sent once, never retried")
	// A disabled webhook delivers nothing.
	_, err = store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "F", Quantity: 1}}})
	require.NoError(t, err)
	waitHooks(t, srv)
	assert.Len(t, rv.deliveries(), 7)
	// Re-activating it makes it deliver again; a success resets the count.
	rv.setStatus(http.StatusOK)
	_, _, err = c.Webhooks().Update(context.Background(), w.ID, &woocommerce.WebhookRequest{Status: woocommerce.Ptr("active")})
	require.NoError(t, err)
	_, err = store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "F", Quantity: 1}}})
	require.NoError(t, err)
	waitHooks(t, srv)
	assert.Len(t, rv.deliveries(), 8)
	assert.Equal(t, 0, store.Webhooks()[0].Failures)
	assert.Equal(t, int64(1), store.Counters().Disabled)
	// A redirect counts as success and is not followed.
	rv.setStatus(http.StatusFound)
	_, err = store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "F", Quantity: 1}}})
	require.NoError(t, err)
	waitHooks(t, srv)
	assert.Len(t, rv.deliveries(), 9)
	assert.Equal(t, 0, store.Webhooks()[0].Failures)
}

func TestDeliveryIDIsSharedWithinASecond(t *testing.T) {
	t.Parallel()
	fixed := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	srv := newTestServer(t, WithClock(func() time.Time { return fixed }), WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, _, err := store.CreateProduct(ProductSpec{SKU: "S", Stock: 100})
	require.NoError(t, err)
	createHook(t, c, "order.created", rv.URL, "x")
	a, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "S", Quantity: 1}}})
	require.NoError(t, err)
	b, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "S", Quantity: 1}}})
	require.NoError(t, err)
	waitHooks(t, srv)
	ds := rv.deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, ds[0].header.Get(woocommerce.HeaderWebhookDeliveryID), ds[1].header.Get(woocommerce.HeaderWebhookDeliveryID),
		"two different orders, one second: the same delivery id")
	var o1, o2 woocommerce.Order
	require.NoError(t, json.Unmarshal(ds[0].body, &o1))
	require.NoError(t, json.Unmarshal(ds[1].body, &o2))
	assert.ElementsMatch(t, []int64{a, b}, []int64{o1.ID, o2.ID})
}

func TestDraftsLeakIntoOrderUpdatedOnly(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, _, err := store.CreateProduct(ProductSpec{SKU: "K", Stock: 5})
	require.NoError(t, err)
	createHook(t, c, "order.created", rv.URL, "x")
	createHook(t, c, "order.updated", rv.URL, "x")
	createHook(t, c, "order.deleted", rv.URL, "x")
	id, err := store.CreateOrder(OrderSpec{Status: "checkout-draft", Lines: []OrderLineSpec{{SKU: "K", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, store.TouchOrder(id)) // the block checkout saves the draft again
	waitHooks(t, srv)
	ds := rv.deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, "order.updated", ds[0].header.Get(woocommerce.HeaderWebhookTopic))
	var o woocommerce.Order
	require.NoError(t, json.Unmarshal(ds[0].body, &o))
	assert.Equal(t, woocommerce.StatusCheckoutDraft, o.Status)

	require.NoError(t, store.TrashOrder(id))
	waitHooks(t, srv)
	ds = rv.deliveries()
	require.Len(t, ds, 2)
	assert.Equal(t, "order.deleted", ds[1].header.Get(woocommerce.HeaderWebhookTopic))
	assert.JSONEq(t, `{"id":`+fmtID(id)+`}`, string(ds[1].body))
}

func TestStockChangesFromOrdersFireProductUpdated(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, vids, err := store.CreateProduct(ProductSpec{Name: "Tee", Variations: []VariationSpec{{SKU: "T-S", Stock: 4, Options: map[string]string{"Size": "S"}}}})
	require.NoError(t, err)
	createHook(t, c, "product.updated", rv.URL, "x")
	_, err = store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "T-S", Quantity: 1}}})
	require.NoError(t, err)
	waitHooks(t, srv)
	ds := rv.deliveries()
	require.Len(t, ds, 1)
	var p woocommerce.Product
	require.NoError(t, json.Unmarshal(ds[0].body, &p))
	assert.Equal(t, vids[0], p.ID, "the variation's id, as a product payload")
	assert.Equal(t, "variation", p.Type)
	assert.Equal(t, woocommerce.Number("3"), *p.StockQuantity)
}

func TestWebhookFaults(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	_, _, err := store.CreateProduct(ProductSpec{SKU: "W", Stock: 50})
	require.NoError(t, err)
	createHook(t, c, "order.created", rv.URL, "x")
	srv.InjectWebhookFault(WebhookFault{Kind: WebhookDrop, Count: 1})
	srv.InjectWebhookFault(WebhookFault{Kind: WebhookDuplicate, Count: 1})
	for range 3 {
		_, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "W", Quantity: 1}}})
		require.NoError(t, err)
		waitHooks(t, srv)
	}
	assert.Len(t, rv.deliveries(), 3, "one dropped, one sent twice, one sent once")
	assert.Equal(t, int64(1), store.Counters().Dropped)
	assert.Equal(t, 0, store.Webhooks()[0].Failures, "a drop is not a failure")
	var dropped int
	for _, d := range store.Deliveries() {
		if d.Dropped {
			dropped++
		}
	}
	assert.Equal(t, 1, dropped)
}

func TestTrashedProductsAreRestoredToTheirStatus(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithDeliveryDelay(0)))
	store := srv.DefaultStore()
	c := client(t, srv, "shop")
	rv := newReceiver(t)
	id, _, err := store.CreateProduct(ProductSpec{SKU: "P", Stock: 2, Status: "private"})
	require.NoError(t, err)
	createHook(t, c, "product.restored", rv.URL, "x")
	require.ErrorIs(t, store.RestoreProduct(id), ErrNotFound, "not in the trash")
	require.NoError(t, store.TrashProduct(id))
	require.NoError(t, store.RestoreProduct(id))
	waitHooks(t, srv)
	p, ok := store.Product(id)
	require.True(t, ok)
	assert.Equal(t, "private", p.Status, "back to the status it had, not draft")
	ds := rv.deliveries()
	require.Len(t, ds, 1)
	assert.Equal(t, "product.restored", ds[0].header.Get("X-WC-Webhook-Topic"))
}
