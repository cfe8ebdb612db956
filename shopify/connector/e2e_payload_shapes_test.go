package connector_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Real shops send line item properties as a list of {name, value}, as [],
// as null and as a JSON object. An order in any of these shapes reaches the
// WMS: webhook endpoint → inbox → engine → connector's Decode → backend.
// Web orders are read back from the shop after decoding (their fulfilment
// location is not in the payload) unless SkipFulfillmentLocations, when the
// decoded payload itself is what the WMS gets; POS sales are applied from
// the payload as stock movements.
func TestE2E_OrderLinePropertiesInEveryShape(t *testing.T) {
	shapes := map[string]string{
		"list":         `[{"name":"Engraving","value":"J + K"},{"name":"_bundle","value":7}]`,
		"empty list":   `[]`,
		"null":         `null`,
		"empty object": `{}`,
		"object":       `{"gift_wrap":"yes","_bundle_id":12345}`,
	}
	for _, skip := range []bool{false, true} {
		name := "fulfilment locations read"
		if skip {
			name = "fulfilment locations skipped"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{conn: connector.Config{SkipFulfillmentLocations: skip}})
			shop, dk, de := h.addShop("propshop")
			p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Mug", Vendor: "Kiezwerk", Variants: []shopifytest.VariantSpec{
				{Title: "White", SKU: "MUG-W", Price: "12.00", Stock: map[int64]int{dk: 50}},
				{Title: "Black", SKU: "MUG-B", Price: "12.00", Stock: map[int64]int{dk: 50}}}})
			require.NoError(t, err)
			s := settingsFor(shop, dk, de)
			s.POS = true
			s = h.save(s)
			h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
			h.drain()

			// The simulator's own deliveries (properties: []) are dropped;
			// the test delivers each order itself in one of the shapes.
			remove := h.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Shop: shop.Name(), Rate: 1})
			orders := map[string]shopifytest.Order{}
			for shape := range shapes {
				o, err := shop.CreateOrder(shopifytest.OrderSpec{Email: "kim@example.com", Location: dk, Lines: []shopifytest.OrderLineSpec{
					{VariantID: p.VariantIDs[0], Quantity: 1}, {VariantID: p.VariantIDs[1], Quantity: 2}}})
				require.NoError(t, err)
				orders[shape] = o
			}
			sale, err := shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: dk, Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 3}}})
			require.NoError(t, err)
			require.NoError(t, h.srv.WaitWebhooks(ctxT(t)))
			remove()

			deliver := func(o shopifytest.Order, shape string) {
				t.Helper()
				raw := shop.WebhookPayload(shopifytest.Event{Topic: "orders/create", Object: &o})
				require.NotNil(t, raw)
				var m map[string]any
				d := json.NewDecoder(bytes.NewReader(raw))
				d.UseNumber()
				require.NoError(t, d.Decode(&m))
				for _, li := range m["line_items"].([]any) {
					li.(map[string]any)["properties"] = json.RawMessage(shapes[shape])
				}
				body, err := json.Marshal(m)
				require.NoError(t, err)
				h.postSigned(shop, "orders/create", body)
			}
			for shape, o := range orders {
				deliver(o, shape)
			}
			deliver(sale, "object")
			h.drain() // fails if any event was dead-lettered

			for shape, o := range orders {
				got, ok := h.order(s.Shop, o.ID)
				require.True(t, ok, "the order with properties as %s reached the WMS", shape)
				require.Len(t, got.Lines, 2, shape)
				assert.Equal(t, "MUG-W", got.Lines[0].SKU, shape)
				assert.Equal(t, int64(1), got.Lines[0].Quantity, shape)
				assert.Equal(t, "MUG-B", got.Lines[1].SKU, shape)
				assert.Equal(t, int64(2), got.Lines[1].Quantity, shape)
				if skip {
					assert.Empty(t, got.Warehouse, "the default warehouse")
				} else {
					assert.Equal(t, whDK, got.Warehouse, shape)
				}
			}
			var moved int64
			for _, m := range h.wms.Movements() {
				if m.OrderID == shopify.GID("Order", sale.ID) {
					moved += m.Delta
				}
			}
			assert.Equal(t, int64(-3), moved, "the POS sale with properties as an object moved stock")
		})
	}
}

// postSigned delivers body as a webhook of topic from shop, signed as the
// simulator signs, to the harness's endpoint, and requires a 200.
func (h *harness) postSigned(shop *shopifytest.Shop, topic string, body []byte) {
	h.t.Helper()
	req, err := shopifywebhook.NewSignedRequest(ctxT(h.t), h.addr, shopifywebhook.TestDelivery{
		Topic: webhook.Topic(topic), Body: body, ShopDomain: shop.Domain(), APIVersion: "2026-07",
	}, h.srv.WebhookSecret())
	require.NoError(h.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(h.t, err)
	resp.Body.Close()
	require.Equal(h.t, http.StatusOK, resp.StatusCode, "%s delivery", topic)
}
