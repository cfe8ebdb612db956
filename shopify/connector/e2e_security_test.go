package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// capturedFor returns the delivery of topic whose body has the given id,
// as the endpoint received it.
func (h *harness) capturedFor(topic string, id int64) capturedDelivery {
	h.t.Helper()
	h.capMu.Lock()
	defer h.capMu.Unlock()
	for _, d := range h.captured {
		var body struct {
			ID int64 `json:"id"`
		}
		if d.Header.Get("X-Shopify-Topic") == topic && json.Unmarshal(d.Body, &body) == nil && body.ID == id {
			return d
		}
	}
	h.t.Fatalf("no %s delivery of %d was captured", topic, id)
	return capturedDelivery{}
}

// replay posts a captured delivery again under another topic, with a new
// webhook id and the current trigger time, keeping its body and signature:
// what an attacker who captured the delivery can send (Shopify signs the
// body only). It returns the endpoint's status.
func (h *harness) replay(d capturedDelivery, topic string) int {
	h.t.Helper()
	req, err := http.NewRequestWithContext(ctxT(h.t), http.MethodPost, h.addr, bytes.NewReader(d.Body))
	require.NoError(h.t, err)
	req.Header = d.Header.Clone()
	req.Header.Set("X-Shopify-Topic", topic)
	req.Header.Set("X-Shopify-Webhook-Id", fmt.Sprintf("replayed-%d", time.Now().UnixNano()))
	req.Header.Set("X-Shopify-Event-Id", fmt.Sprintf("replayed-%d", time.Now().UnixNano()))
	req.Header.Set("X-Shopify-Triggered-At", h.now().UTC().Format(time.RFC3339Nano))
	return h.post(req)
}

func (h *harness) post(req *http.Request) int {
	h.t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// signedDeletion posts a correctly signed, deletion-shaped delivery of
// topic for id: what a holder of the signing secret could send.
func (h *harness) signedDeletion(shop *shopifytest.Shop, topic webhook.Topic, id int64) int {
	h.t.Helper()
	req, err := shopifywebhook.NewSignedRequest(ctxT(h.t), h.addr, shopifywebhook.TestDelivery{
		Topic: topic, Body: fmt.Appendf(nil, `{"id":%d}`, id), ShopDomain: shop.Domain(), TriggeredAt: h.now(),
	}, h.srv.WebhookSecret())
	require.NoError(h.t, err)
	return h.post(req)
}

// swapShop sets up a shop through the orders step with one product edited
// and one web order placed after it, both delivered by the simulator and
// captured at the endpoint.
func swapShop(t *testing.T, h *harness) (s wmssync.Settings, shop *shopifytest.Shop, product shopifytest.Product, order shopifytest.Order) {
	t.Helper()
	h.record.Store(true)
	shop, dk, de := h.addShop("swapshop")
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 15, Products: 3, MaxStock: 50})
	require.NoError(t, err)
	s = h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders)
	h.tick()
	product = shop.Products()[0]
	title := "Renamed by the merchant"
	_, err = shop.EditProduct(product.ID, shopifytest.ProductEdit{Title: &title})
	require.NoError(t, err)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: dk, Lines: []shopifytest.OrderLineSpec{{VariantID: product.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	h.drain()
	got, ok := h.order(s.Shop, o.ID)
	require.True(t, ok)
	require.Equal(t, wms.OrderOpen, got.Status)
	requireListed(t, h, shop, s.Shop, product)
	return s, shop, product, o
}

// requireListed checks that every variant of p is listed for shop in the
// WMS.
func requireListed(t *testing.T, h *harness, shop *shopifytest.Shop, shopID string, p shopifytest.Product) {
	t.Helper()
	for _, vid := range p.VariantIDs {
		it, ok := h.item(skuOf(shop, vid))
		require.True(t, ok)
		require.True(t, slices.ContainsFunc(it.Listings, func(l wms.Listing) bool {
			return l.Shop == shopID && l.ProductID == shopify.GID("Product", p.ID)
		}), "variant %d of product %d is not listed for %s: %+v", vid, p.ID, shopID, it.Listings)
	}
}

// TestE2E_TopicSwapDeletesNothing reproduces the topic swap: the genuinely
// signed orders/create delivery of a live order, re-posted as orders/delete,
// and a products/update delivery re-posted as products/delete (new webhook
// ids, current trigger times, original signatures). The endpoint stores
// them (the signatures are valid), the connector refuses them as
// deletions (their bodies are not a deletion's) and parks them, and the
// WMS keeps the live order and every listing of the product. Deletion-
// shaped deliveries for the live order and product, correctly signed, are
// refused too: the engine asks the shop, which still has both.
func TestE2E_TopicSwapDeletesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	s, shop, product, order := swapShop(t, h)

	createBody := h.capturedFor("orders/create", order.ID)
	updateBody := h.capturedFor("products/update", product.ID)
	require.Equal(t, http.StatusOK, h.replay(createBody, "orders/delete"), "the signature is valid, so the delivery is stored")
	require.Equal(t, http.StatusOK, h.replay(updateBody, "products/delete"))
	h.settle()

	got, ok := h.order(s.Shop, order.ID)
	require.True(t, ok)
	assert.Equal(t, wms.OrderOpen, got.Status, "the live order is kept")
	requireListed(t, h, shop, s.Shop, product)
	failed := h.store.Failed()
	require.Len(t, failed, 2, "both replays parked")
	for _, f := range failed {
		assert.Contains(t, []webhook.Topic{"orders/delete", "products/delete"}, f.Event.Topic)
		assert.Contains(t, f.LastError, "not a deletion's body", "the dead letter says why")
	}

	require.Equal(t, http.StatusOK, h.signedDeletion(shop, shopifywebhook.TopicOrdersDelete, order.ID))
	require.Equal(t, http.StatusOK, h.signedDeletion(shop, shopifywebhook.TopicProductsDelete, product.ID))
	h.settle()
	got, _ = h.order(s.Shop, order.ID)
	assert.Equal(t, wms.OrderOpen, got.Status, "the shop still has the order")
	requireListed(t, h, shop, s.Shop, product)
	assert.Equal(t, uint64(2), h.eng.Stats().DeletionsRefused)
	assert.Len(t, h.store.Failed(), 2, "nothing else parked")

	// A deletion the shop confirms goes through.
	h.tick()
	require.NoError(t, shop.DeleteOrder(order.ID))
	require.NoError(t, shop.DeleteProduct(product.ID))
	h.settle()
	got, _ = h.order(s.Shop, order.ID)
	assert.Equal(t, wms.OrderDeleted, got.Status)
	for _, vid := range product.VariantIDs {
		it, _ := h.item(skuOf(shop, vid))
		assert.Empty(t, it.Listings, "listings of the deleted product")
	}
}

// missingOnce is a connector whose first read by id of each of the ids in
// miss leaves it out, like a read that missed an entity the shop has (an
// index behind, or the deletion an older version of this library applied
// on a webhook's word).
type missingOnce struct {
	*connector.Connector // every optional capability too
	mu                   gosync.Mutex
	miss                 map[string]bool
}

func (m *missingOnce) skip(id string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.miss[id] {
		delete(m.miss, id)
		return true
	}
	return false
}

func (m *missingOnce) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	pg, err := m.Connector.Orders(ctx, q, cursor)
	if len(q.IDs) > 0 {
		pg.Items = slices.DeleteFunc(pg.Items, func(o wmssync.Order) bool { return m.skip(o.ExternalID) })
	}
	return pg, err
}

func (m *missingOnce) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	pg, err := m.Connector.Products(ctx, q, cursor)
	if len(q.IDs) > 0 {
		pg.Items = slices.DeleteFunc(pg.Items, func(p wmssync.Product) bool { return m.skip(p.ExternalID) })
	}
	return pg, err
}

// TestE2E_TombstoneContradictedByShopHealedBySweep: a deletion applied
// although the shop still has the order and the product (its confirming
// read missed them) is healed by the next reconciliation sweep: the order
// is open and released again, the product listed again.
func TestE2E_TombstoneContradictedByShopHealedBySweep(t *testing.T) {
	miss := &missingOnce{miss: map[string]bool{}}
	h := newHarness(t, harnessOptions{wrap: func(c wmssync.Connector) wmssync.Connector {
		miss.Connector = c.(*connector.Connector)
		return miss
	}})
	s, shop, product, order := swapShop(t, h)
	oid, pid := shopify.GID("Order", order.ID), shopify.GID("Product", product.ID)
	miss.mu.Lock()
	miss.miss[oid], miss.miss[pid] = true, true
	miss.mu.Unlock()

	require.Equal(t, http.StatusOK, h.signedDeletion(shop, shopifywebhook.TopicOrdersDelete, order.ID))
	require.Equal(t, http.StatusOK, h.signedDeletion(shop, shopifywebhook.TopicProductsDelete, product.ID))
	h.settle()
	got, _ := h.order(s.Shop, order.ID)
	require.Equal(t, wms.OrderDeleted, got.Status, "the read missed the order, so the deletion was applied")
	it, _ := h.item(skuOf(shop, product.VariantIDs[0]))
	require.Empty(t, it.Listings)

	h.tick()
	_, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	got, _ = h.order(s.Shop, order.ID)
	assert.Equal(t, wms.OrderOpen, got.Status, "restored by the sweep")
	requireListed(t, h, shop, s.Shop, product)
	assert.Equal(t, uint64(2), h.eng.Stats().Restored)
}

// TestE2E_TopicSwapDisconnectsAndErasesNothing: a captured, genuinely
// signed orders/create delivery re-posted as app/uninstalled, shop/redact
// and customers/redact is stored (the signature is valid) and refused by
// the connector (not such a body); a correctly signed app/uninstalled and
// shop/redact of the right shape (an old one replayed after a reinstall)
// are refused by the engine, because the shop still accepts the app's
// token. The shop stays connected, its settings and orders stay, and the
// events are dead letters that say why.
func TestE2E_TopicSwapDisconnectsAndErasesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	s, shop, _, order := swapShop(t, h)

	createBody := h.capturedFor("orders/create", order.ID)
	for _, topic := range []string{"app/uninstalled", "shop/redact", "customers/redact"} {
		require.Equal(t, http.StatusOK, h.replay(createBody, topic), "the signature is valid, so the delivery is stored")
	}
	h.settle()
	for _, d := range []shopifywebhook.TestDelivery{
		{Topic: shopifywebhook.TopicAppUninstalled, Body: fmt.Appendf(nil, `{"id":%d,"name":"x","myshopify_domain":%q}`, shop.Info().ID, shop.Domain())},
		{Topic: shopifywebhook.TopicShopRedact, Body: fmt.Appendf(nil, `{"shop_id":%d,"shop_domain":%q}`, shop.Info().ID, shop.Domain())},
	} {
		d.ShopDomain, d.TriggeredAt = shop.Domain(), h.now()
		req, err := shopifywebhook.NewSignedRequest(ctxT(t), h.addr, d, h.srv.WebhookSecret())
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, h.post(req))
	}
	h.settle()

	got, err := h.eng.Settings(ctxT(t), s.Shop)
	require.NoError(t, err, "the shop is not erased")
	assert.False(t, got.Connection.Disconnected(), "the shop is not disconnected")
	o, ok := h.order(s.Shop, order.ID)
	require.True(t, ok)
	assert.Equal(t, wms.OrderOpen, o.Status)
	failed := h.store.Failed()
	require.Len(t, failed, 5, "every replay parked")
	reasons := map[webhook.Topic][]string{}
	for _, f := range failed {
		reasons[f.Event.Topic] = append(reasons[f.Event.Topic], f.LastError)
	}
	for _, topic := range []webhook.Topic{"app/uninstalled", "shop/redact"} {
		require.Len(t, reasons[topic], 2, topic)
		assert.True(t, slices.ContainsFunc(reasons[topic], func(r string) bool { return strings.Contains(r, "not a "+string(topic)+" body") }), "%s: %v", topic, reasons[topic])
		assert.True(t, slices.ContainsFunc(reasons[topic], func(r string) bool { return strings.Contains(r, "still accepts the app's credentials") }), "%s: %v", topic, reasons[topic])
	}
	require.Len(t, reasons["customers/redact"], 1)
	assert.Contains(t, reasons["customers/redact"][0], "not a customers/redact body")
}
