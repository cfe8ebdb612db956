package shopifytest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// scenarioDelivery is one delivery of a scenario.
type scenarioDelivery struct {
	scenario string
	received
}

// runWebhookScenarios drives the simulator through the scenarios the
// webhook tests cover, each on its own shop, with every topic the
// simulator delivers subscribed, and returns the deliveries.
func runWebhookScenarios(t *testing.T, opts ...Option) []scenarioDelivery {
	t.Helper()
	srv := NewServer(append([]Option{WithTimeScale(1000), WithBulkDurations(0, 0)}, opts...)...)
	t.Cleanup(srv.Close)
	var out []scenarioDelivery
	scenario := func(name string, run func(t *testing.T, s *Shop, loc, loc2 int64, vs []int64)) {
		t.Helper()
		rc := newReceiver(t)
		s := srv.AddShop(strings.ReplaceAll(name, " ", "-"))
		for i, topic := range allTopics {
			if i%2 == 0 {
				subscribeAPI(t, srv, s.Name(), topic, rc.URL+"/hooks")
			} else {
				s.AddWebhookSubscription(topicEnum(topic), rc.URL+"/hooks")
			}
		}
		loc := s.AddLocation(LocationSpec{Name: "Lager", City: "Hamburg", CountryCode: "DE"}).ID
		loc2 := s.AddLocation(LocationSpec{Name: "Laden", City: "Berlin", CountryCode: "DE"}).ID
		p, err := s.CreateProduct(ProductSpec{Title: "Webhook Tee", Vendor: "Acme", Variants: []VariantSpec{
			{Title: "S", SKU: name + "-S", Barcode: "4006381333931", Price: "19.99", Cost: "7.50", WeightGrams: 200,
				HarmonizedSystemCode: "610910", CountryCodeOfOrigin: "PT", Stock: map[int64]int{loc: 20, loc2: 5}},
			{Title: "M", SKU: name + "-M", Price: "19.99", Stock: map[int64]int{loc: 10, loc2: 5}},
		}})
		require.NoError(t, err)
		run(t, s, loc, loc2, p.VariantIDs)
		waitHooks(t, srv)
		for _, r := range rc.all() {
			out = append(out, scenarioDelivery{scenario: name, received: r})
		}
	}

	scenario("catalog", func(t *testing.T, s *Shop, loc, _ int64, vs []int64) {
		p, _ := s.Variant(vs[0])
		_, err := s.EditProduct(p.ProductID, ProductEdit{Title: ptr("Webhook Tee 2")})
		require.NoError(t, err)
		_, err = s.EditVariant(vs[0], VariantEdit{Cost: ptr(shopify.Decimal("8.00"))})
		require.NoError(t, err)
		require.NoError(t, s.SetQuantity(p.InventoryItemID, loc, "available", 40))
		require.NoError(t, s.DeleteProduct(p.ProductID))
	})
	scenario("many variants", func(t *testing.T, s *Shop, loc, _ int64, _ []int64) {
		spec := ProductSpec{Title: "Bolts", Vendor: "Alpenwerk"}
		for i := range 120 {
			spec.Variants = append(spec.Variants, VariantSpec{Title: fmt.Sprint("M", i), SKU: fmt.Sprint("BOLT-", i), Price: "0.20", Stock: map[int64]int{loc: 1}})
		}
		p, err := s.CreateProduct(spec)
		require.NoError(t, err)
		_, err = s.EditProduct(p.ID, ProductEdit{Vendor: ptr("Alpenwerk GmbH")})
		require.NoError(t, err)
	})
	scenario("web order", func(t *testing.T, s *Shop, loc, _ int64, vs []int64) {
		o, err := s.CreateOrder(OrderSpec{Location: loc, Email: "jane@example.com", Lines: []OrderLineSpec{{VariantID: vs[0], Quantity: 2}, {VariantID: vs[1], Quantity: 1}}})
		require.NoError(t, err)
		fo, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
		r := do(t, s.srv, s.Name(), fulfillMutation, map[string]any{"f": map[string]any{
			"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": gid("FulfillmentOrder", fo.ID),
				"fulfillmentOrderLineItems": []any{map[string]any{"id": gid("FulfillmentOrderLineItem", fo.LineItems[0].ID), "quantity": 1}}}},
			"trackingInfo": map[string]any{"company": "DHL", "number": "JJD01", "url": "https://dhl.example/JJD01"},
		}})
		require.Empty(t, path(r.Data, "fulfillmentCreate", "userErrors"), string(r.raw))
		_, err = s.FulfillFulfillmentOrder(fo.ID)
		require.NoError(t, err)
		got, _ := s.Order(o.ID)
		_, err = s.UpdateFulfillmentTracking(got.FulfillmentIDs[1], TrackingInfo{Company: "DHL", Number: "JJD02", URL: "https://dhl.example/JJD02"})
		require.NoError(t, err)
	})
	scenario("split order", func(t *testing.T, s *Shop, loc, loc2 int64, vs []int64) {
		o, err := s.CreateOrder(OrderSpec{Location: loc, Email: "split@example.com", Financial: FinancialAuthorized, Lines: []OrderLineSpec{
			{VariantID: vs[0], Quantity: 1}, {VariantID: vs[1], Quantity: 1, Location: loc2}}})
		require.NoError(t, err)
		require.Len(t, o.FulfillmentOrderIDs, 2)
		_, err = s.FulfillFulfillmentOrder(o.FulfillmentOrderIDs[1])
		require.NoError(t, err)
	})
	scenario("refund", func(t *testing.T, s *Shop, loc, _ int64, vs []int64) {
		o, err := s.CreateOrder(OrderSpec{Location: loc, Email: "refund@example.com", Lines: []OrderLineSpec{{VariantID: vs[0], Quantity: 2}}})
		require.NoError(t, err)
		_, err = s.FulfillFulfillmentOrder(o.FulfillmentOrderIDs[0])
		require.NoError(t, err)
		r := do(t, s.srv, s.Name(), refundMutation, map[string]any{"k": "wh-refund", "in": map[string]any{
			"orderId": gid("Order", o.ID), "note": "damaged",
			"refundLineItems": []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 1, "restockType": "RETURN", "locationId": gid("Location", loc)}},
			"transactions":    []any{map[string]any{"orderId": gid("Order", o.ID), "amount": "19.99", "gateway": "manual", "kind": "REFUND"}},
		}})
		require.Empty(t, path(r.Data, "refundCreate", "userErrors"), string(r.raw))
	})
	scenario("cancellation", func(t *testing.T, s *Shop, loc, _ int64, vs []int64) {
		o, err := s.CreateOrder(OrderSpec{Location: loc, Email: "cancel@example.com", Lines: []OrderLineSpec{{VariantID: vs[1], Quantity: 1}}})
		require.NoError(t, err)
		require.NoError(t, s.CancelOrder(o.ID))
	})
	scenario("pos sale", func(t *testing.T, s *Shop, _, loc2 int64, vs []int64) {
		guest, err := s.CreateOrder(OrderSpec{POS: true, Location: loc2, Lines: []OrderLineSpec{{VariantID: vs[1], Quantity: 1}}})
		require.NoError(t, err)
		_, err = s.CreateOrder(OrderSpec{POS: true, Location: loc2, Email: "regular@example.com", Lines: []OrderLineSpec{{VariantID: vs[0], Quantity: 1}}})
		require.NoError(t, err)
		require.NoError(t, s.DeleteOrder(guest.ID))
	})
	scenario("stock", func(t *testing.T, s *Shop, _, loc2 int64, vs []int64) {
		v, _ := s.Variant(vs[1])
		require.NoError(t, s.SetQuantity(v.InventoryItemID, loc2, "available", 0))
		require.NoError(t, s.DisconnectInventory(v.InventoryItemID, loc2))
	})
	scenario("app", func(t *testing.T, s *Shop, _, _ int64, _ []int64) {
		r := do(t, s.srv, s.Name(), `mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }") { bulkOperation { id } userErrors { message } } }`, nil)
		require.Empty(t, path(r.Data, "bulkOperationRunQuery", "userErrors"), string(r.raw))
		bulkID, err := parseGIDForTest(path(r.Data, "bulkOperationRunQuery", "bulkOperation", "id"), "BulkOperation")
		require.NoError(t, err)
		_, err = s.WaitBulkOperation(context.Background(), bulkID)
		require.NoError(t, err)
		waitHooks(t, s.srv)
		s.UninstallApp()
	})
	return out
}

// webhookDeviation is a deliberate difference between the simulator's
// payloads and Shopify's reference (sample and schema), listed in the
// package doc with the same reason.
type webhookDeviation struct {
	name      string
	topics    []string // topic prefixes, e.g. "orders/"
	scenarios []string // the scenarios that show it
	problems  []string // as webhookProblems reports them
	reason    string
}

var webhookDeviations = []webhookDeviation{
	{
		name:   "fulfilment without tracking",
		topics: []string{"fulfillments/"}, scenarios: []string{"web order", "split order", "refund"},
		problems: []string{
			"schema /tracking_company: null, want string",
			"schema /tracking_number: null, want string",
			"schema /tracking_url: null, want string",
		},
		reason: "a fulfilment without tracking information has null tracking fields, as fulfilments in order payloads have (their schema allows null); Shopify's sample has tracking",
	},
	{
		name:   "sale to a guest",
		topics: []string{"orders/"}, scenarios: []string{"pos sale"},
		problems: []string{
			"missing /billing_address", "missing /customer", "missing /shipping_address",
			"schema /: required billing_address", "schema /: required customer", "schema /: required shipping_address",
			"schema /contact_email: null, want string", "schema /email: not a email",
		},
		reason: "a POS sale without a customer has no customer and no addresses (Shopify leaves them out), email \"\" and contact_email null; Shopify's sample is a web order with a customer",
	},
}

func (d webhookDeviation) allows(scenario, topic, problem string) bool {
	return slices.Contains(d.scenarios, scenario) && slices.Contains(d.problems, problem) &&
		slices.ContainsFunc(d.topics, func(p string) bool { return strings.HasPrefix(topic, p) })
}

// TestWebhookPayloadsMatchShopify delivers every topic the simulator
// delivers, in several scenarios each (catalog changes, a product with
// more than 100 variants, a web order fulfilled in two parts with a
// tracking update, an order split across two locations, a refund with
// restock, a cancellation, POS sales with and without a customer, stock
// set and disconnected, a bulk operation, the app's uninstall), for each
// API version the simulator shapes payloads for, and checks every payload
// against Shopify's schema and sample of its topic and version, allowing
// exactly the deviations listed in webhookDeviations.
func TestWebhookPayloadsMatchShopify(t *testing.T) {
	for _, version := range WebhookAPIVersions() {
		t.Run(version, func(t *testing.T) {
			got := runWebhookScenarios(t, WithWebhookAPIVersion(version))
			byTopic := map[string]int{}
			used := map[string]bool{}
			for _, d := range got {
				topic := d.topic()
				byTopic[topic]++
				assert.Equal(t, version, d.Header.Get("X-Shopify-API-Version"), "%s: the version header names the payload's shape", topic)
				for _, p := range webhookProblems(t, version, topic, d.Body) {
					i := slices.IndexFunc(webhookDeviations, func(dv webhookDeviation) bool { return dv.allows(d.scenario, topic, p) })
					if i < 0 {
						t.Errorf("%s (%s): %s", topic, d.scenario, p)
						continue
					}
					used[webhookDeviations[i].name+"\x00"+p] = true
				}
			}
			for _, topic := range allTopics {
				assert.Positive(t, byTopic[topic], "no delivery of %s", topic)
			}
			for _, dv := range webhookDeviations {
				require.NotEmpty(t, dv.reason, dv.name)
				for _, p := range dv.problems {
					assert.True(t, used[dv.name+"\x00"+p], "deviation %q: %q never occurred; remove it from the list and the package doc", dv.name, p)
				}
			}
		})
	}
}

// The checks of TestWebhookPayloadsMatchShopify catch what they claim: a
// field Shopify removed, a field missing, a wrong type and an element of a
// list that the sample has empty, on Shopify's own samples changed by one
// field.
func TestWebhookProblemsCatchDifferences(t *testing.T) {
	for _, version := range WebhookAPIVersions() {
		sample := func(topic string) map[string]any {
			return deepCopy(refOf(t, version, topic).sample).(map[string]any)
		}
		encode := func(v any) []byte {
			b, err := json.Marshal(v)
			require.NoError(t, err)
			return b
		}
		for _, topic := range []string{"products/update", "orders/create", "refunds/create", "fulfillments/create", "inventory_items/update"} {
			assert.Empty(t, webhookProblems(t, version, topic, encode(sample(topic))), "%s %s: Shopify's own sample", version, topic)
		}
		p := sample("products/update")
		p["variants"].([]any)[0].(map[string]any)["weight"] = json.Number("0.5")
		p["variants"].([]any)[0].(map[string]any)["grams"] = json.Number("500")
		assert.Equal(t, []string{"extra /variants/[]/grams", "extra /variants/[]/weight"}, webhookProblems(t, version, "products/update", encode(p)))
		o := sample("orders/create")
		delete(o["line_items"].([]any)[0].(map[string]any), "sales_line_item_group_id")
		o["total_price"] = json.Number("404.95")
		assert.Equal(t, []string{"missing /line_items/[]/sales_line_item_group_id", "schema /total_price: number, want string"},
			webhookProblems(t, version, "orders/create", encode(o)))
		o = sample("orders/create")
		refund := sample("refunds/create")
		refund["restock"] = "yes"
		o["refunds"] = []any{refund}
		assert.Equal(t, []string{"schema /refunds/[]/restock: string, want boolean"}, webhookProblems(t, version, "orders/create", encode(o)))
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
