package shopifytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWebhookSubscriptionCRUD(t *testing.T) {
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	create := `mutation($topic: WebhookSubscriptionTopic!, $in: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $topic, webhookSubscription: $in) {
	  webhookSubscription { id topic uri name format includeFields apiVersion { handle } } userErrors { field message } } }`
	r := do(t, srv, DefaultShopName, create, map[string]any{"topic": "PRODUCTS_UPDATE", "in": map[string]any{"uri": "https://hooks.example/p", "name": "wms-products", "includeFields": []any{"id", "updated_at"}}})
	require.Empty(t, r.Errors, string(r.raw))
	require.Empty(t, path(r.Data, "webhookSubscriptionCreate", "userErrors"))
	w := path(r.Data, "webhookSubscriptionCreate", "webhookSubscription")
	assert.Equal(t, "PRODUCTS_UPDATE", path(w, "topic"))
	assert.Equal(t, "JSON", path(w, "format"))
	assert.Equal(t, "2026-07", path(w, "apiVersion", "handle"), "the app's webhook API version, not the request's")
	assert.Equal(t, []any{"id", "updated_at"}, path(w, "includeFields"))
	id := path(w, "id").(string)
	// duplicate address for the topic, invalid address
	r = do(t, srv, DefaultShopName, create, map[string]any{"topic": "PRODUCTS_UPDATE", "in": map[string]any{"uri": "https://hooks.example/p"}})
	assert.Equal(t, "Address for this topic has already been taken", path(r.Data, "webhookSubscriptionCreate", "userErrors", 0, "message"))
	r = do(t, srv, DefaultShopName, create, map[string]any{"topic": "ORDERS_CREATE", "in": map[string]any{"uri": "http://example.com/x"}})
	assert.Equal(t, "Address is invalid", path(r.Data, "webhookSubscriptionCreate", "userErrors", 0, "message"))
	r = do(t, srv, DefaultShopName, create, map[string]any{"topic": "ORDERS_CREATE", "in": map[string]any{"uri": "pubsub://proj:topic"}})
	require.Empty(t, path(r.Data, "webhookSubscriptionCreate", "userErrors"))
	// an unknown topic is a schema error
	r = do(t, srv, DefaultShopName, create, map[string]any{"topic": "NOT_A_TOPIC", "in": map[string]any{"uri": "https://x.example"}})
	require.NotEmpty(t, r.Errors)
	// query with filters
	r = do(t, srv, DefaultShopName, `{ webhookSubscriptions(first: 10, topics: [PRODUCTS_UPDATE]) { nodes { id uri } } webhookSubscriptionsCount { count } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Len(t, path(r.Data, "webhookSubscriptions", "nodes"), 1)
	assert.EqualValues(t, 2, num(t, path(r.Data, "webhookSubscriptionsCount", "count")))
	// update
	r = do(t, srv, DefaultShopName, `mutation($id: ID!) { webhookSubscriptionUpdate(id: $id, webhookSubscription: {uri: "https://hooks.example/p2", filter: "vendor:Nordlicht"}) { webhookSubscription { uri filter name } userErrors { message } } }`, map[string]any{"id": id})
	require.Empty(t, path(r.Data, "webhookSubscriptionUpdate", "userErrors"), string(r.raw))
	assert.Equal(t, "https://hooks.example/p2", path(r.Data, "webhookSubscriptionUpdate", "webhookSubscription", "uri"))
	assert.Equal(t, "wms-products", path(r.Data, "webhookSubscriptionUpdate", "webhookSubscription", "name"))
	subs := s.WebhookSubscriptions()
	require.Len(t, subs, 2)
	assert.Equal(t, "vendor:Nordlicht", subs[0].Filter)
	assert.True(t, subs[0].CreatedViaAPI)
	// delete
	r = do(t, srv, DefaultShopName, `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }`, map[string]any{"id": id})
	assert.Equal(t, id, path(r.Data, "webhookSubscriptionDelete", "deletedWebhookSubscriptionId"))
	r = do(t, srv, DefaultShopName, `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { deletedWebhookSubscriptionId userErrors { message } } }`, map[string]any{"id": id})
	assert.Nil(t, path(r.Data, "webhookSubscriptionDelete", "deletedWebhookSubscriptionId"))
	assert.NotEmpty(t, path(r.Data, "webhookSubscriptionDelete", "userErrors"))
	assert.Len(t, s.WebhookSubscriptions(), 1)
}
