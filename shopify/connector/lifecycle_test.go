package connector_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// sample returns Shopify's 2026-07 sample payload of topic.
func sample(t *testing.T, topic string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "webhooks", "2026-07", topic+".meta.json"))
	require.NoError(t, err)
	var meta struct {
		Response json.RawMessage `json:"response"`
	}
	require.NoError(t, json.Unmarshal(raw, &meta))
	return meta.Response
}

func sampleEvent(t *testing.T, topic string) *webhook.Event {
	return &webhook.Event{Source: "shopify", Topic: webhook.Topic(topic), Shop: "{shop}.myshopify.com", WebhookID: "w-" + topic,
		TriggeredAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Body: sample(t, topic)}
}

func TestDecodeLifecycleSamples(t *testing.T) {
	ch, err := connector.Decode(sampleEvent(t, "app/uninstalled"))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeDisconnected, ch.Kind)

	ch, err = connector.Decode(sampleEvent(t, "app/scopes_update"))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeAccessChanged, ch.Kind)
	assert.Equal(t, []string{"read_products", "write_products"}, ch.Scopes)

	ch, err = connector.Decode(sampleEvent(t, "customers/data_request"))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeDataRequest, ch.Kind)
	assert.Equal(t, &wmssync.Customer{ID: "gid://shopify/Customer/191167", Email: "john@example.com", Phone: "555-625-1199",
		Orders: []string{"gid://shopify/Order/299938", "gid://shopify/Order/280263", "gid://shopify/Order/220458"}, RequestID: "9999"}, ch.Customer)

	ch, err = connector.Decode(sampleEvent(t, "customers/redact"))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeRedactCustomer, ch.Kind)
	assert.Len(t, ch.Customer.Orders, 3)

	ch, err = connector.Decode(sampleEvent(t, "shop/redact"))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeRedactShop, ch.Kind)

	other := sampleEvent(t, "shop/redact")
	other.Shop = "another.myshopify.com"
	_, err = connector.Decode(other)
	assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "a redaction naming another shop than the delivery")
	bad := sampleEvent(t, "customers/redact")
	bad.Body = []byte(`{"shop_id":1}`)
	_, err = connector.Decode(bad)
	assert.ErrorIs(t, err, wmssync.ErrInvalidPayload)
}

// personal is what must not be left in a redacted order payload.
var personal = []string{"jon@example.com", "Jon", "Snow", "123 Amoebobacterieae St", "555-555-5555", "216.191.105.146"}

func TestRedactPayloadOfShopifysSamples(t *testing.T) {
	c := newConnectorNoShop(t)
	order := sampleEvent(t, "orders/create")
	var o struct {
		ID       int64 `json:"id"`
		Customer struct {
			ID int64 `json:"id"`
		} `json:"customer"`
	}
	require.NoError(t, json.Unmarshal(order.Body, &o))
	found := 0
	for _, p := range personal {
		if strings.Contains(string(order.Body), p) {
			found++
		}
	}
	require.Positive(t, found, "the sample carries personal data")

	// Another customer's order stays as it is.
	_, changed, err := c.RedactPayload(order, wmssync.Customer{ID: "gid://shopify/Customer/1", Email: "someone@example.com", Orders: []string{"gid://shopify/Order/1"}})
	require.NoError(t, err)
	assert.False(t, changed)

	for name, cu := range map[string]wmssync.Customer{
		"by order":    {Orders: []string{shopify.GID("Order", o.ID)}},
		"by customer": {ID: shopify.GID("Customer", o.Customer.ID)},
		"by e-mail":   {Email: "JON@example.com"},
	} {
		out, changed, err := c.RedactPayload(order, cu)
		require.NoError(t, err, name)
		require.True(t, changed, name)
		for _, p := range personal {
			assert.NotContains(t, string(out), p, name)
		}
		var back map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(out, &back), name)
		assert.Equal(t, "null", string(back["customer"]), name)
		// What the warehouse needs stays: ids (exact), lines, amounts.
		var rest shopify.OrderPayload
		require.NoError(t, json.Unmarshal(out, &rest), name)
		assert.Equal(t, o.ID, rest.ID, name)
		assert.NotEmpty(t, rest.LineItems, name)
		ch, err := connector.Decode(&webhook.Event{Topic: order.Topic, Shop: order.Shop, Body: out})
		require.NoError(t, err, "a redacted order still decodes")
		assert.Equal(t, wmssync.ChangeOrder, ch.Kind)
	}

	refund := sampleEvent(t, "refunds/create")
	var r struct {
		OrderID int64 `json:"order_id"`
	}
	require.NoError(t, json.Unmarshal(refund.Body, &r))
	out, changed, err := c.RedactPayload(refund, wmssync.Customer{Orders: []string{shopify.GID("Order", r.OrderID)}})
	require.NoError(t, err)
	if changed { // the sample's note may be empty already
		assert.Contains(t, string(out), `"note":null`)
	}
	ful := sampleEvent(t, "fulfillments/create")
	out, changed, err = c.RedactPayload(ful, wmssync.Customer{Orders: []string{shopify.GID("Order", r.OrderID)}})
	require.NoError(t, err)
	require.True(t, changed)
	assert.Contains(t, string(out), `"destination":null`)

	req := sampleEvent(t, "customers/redact")
	out, changed, err = c.RedactPayload(req, wmssync.Customer{ID: "gid://shopify/Customer/191167"})
	require.NoError(t, err)
	require.True(t, changed)
	assert.NotContains(t, string(out), "john@example.com")
	assert.NotContains(t, string(out), "555-625-1199")
	assert.Contains(t, string(out), "191167")

	products := sampleEvent(t, "products/update")
	_, changed, err = c.RedactPayload(products, wmssync.Customer{Email: "jon@example.com"})
	require.NoError(t, err)
	assert.False(t, changed, "product payloads hold no customer data")
}

func newConnectorNoShop(t *testing.T) *connector.Connector {
	t.Helper()
	cl, err := shopify.NewClient("x", shopify.WithAccessToken("shpat_x"))
	require.NoError(t, err)
	c, err := connector.New(connector.Config{Client: cl})
	require.NoError(t, err)
	return c
}

// TestDecodeRefusesOtherBodiesAsLifecycle: no other body of Shopify's
// samples (two API versions), re-posted under a topic that disconnects the
// shop, erases it or hands a customer to the host, passes for that topic.
// The one exception is shop/update, whose body is the shop object that
// app/uninstalled carries too: the engine asks the shop before it acts on
// app/uninstalled (sync TestLifecycleEventsNeedTheShopsWord).
func TestDecodeRefusesOtherBodiesAsLifecycle(t *testing.T) {
	lifecycle := []string{"app/uninstalled", "customers/data_request", "customers/redact", "shop/redact"}
	for _, version := range []string{"2026-04", "2026-07"} {
		dir := filepath.Join("..", "testdata", "webhooks", version)
		metas, err := filepath.Glob(filepath.Join(dir, "*", "*.meta.json"))
		require.NoError(t, err)
		require.Greater(t, len(metas), 20)
		for _, m := range metas {
			rel, err := filepath.Rel(dir, m)
			require.NoError(t, err)
			other := strings.TrimSuffix(filepath.ToSlash(rel), ".meta.json")
			body := sampleBody(t, version, other)
			for _, topic := range lifecycle {
				ev := &webhook.Event{Source: "shopify", Topic: webhook.Topic(topic), Shop: "{shop}.myshopify.com", WebhookID: "1",
					TriggeredAt: time.Now(), Body: body}
				_, err := connector.Decode(ev)
				if other == topic || (topic == "app/uninstalled" && other == "shop/update") {
					assert.NoError(t, err, "%s sample of %s", topic, version)
					continue
				}
				assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "%s body of %s as %s", other, version, topic)
			}
		}
	}
	// A genuine body names the shop that delivers it.
	for _, topic := range lifecycle[1:] {
		ev := sampleEvent(t, topic)
		ev.Shop = "another.myshopify.com"
		_, err := connector.Decode(ev)
		assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "%s of another shop", topic)
	}
	ev := sampleEvent(t, "app/uninstalled")
	ev.Body = []byte(`{"id":1,"myshopify_domain":"another.myshopify.com"}`)
	_, err := connector.Decode(ev)
	assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "app/uninstalled naming another shop")
}
