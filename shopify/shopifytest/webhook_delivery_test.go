package shopifytest

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// received is one webhook request seen by a receiver.
type received struct {
	Header http.Header
	Body   []byte
	At     time.Time
}

func (r received) topic() string { return r.Header.Get("X-Shopify-Topic") }

// receiver is a webhook endpoint that records requests and answers with
// status(n) for the n-th request (0-based), default 200.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status func(n int, r received) int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := received{Header: r.Header.Clone(), Body: body, At: time.Now()}
		rc.mu.Lock()
		n := len(rc.got)
		rc.got = append(rc.got, rec)
		st := rc.status
		rc.mu.Unlock()
		code := http.StatusOK
		if st != nil {
			code = st(n, rec)
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// byTopic returns the deliveries of topic in arrival order, each once: a
// retry of a delivery (same X-Shopify-Webhook-Id, as when a loaded machine
// answered after the scaled attempt timeout) is left out, as a receiver
// that deduplicates would. Tests of retries read all().
func (rc *receiver) byTopic(topic string) []received {
	var out []received
	seen := map[string]bool{}
	for _, r := range rc.all() {
		id := r.Header.Get("X-Shopify-Webhook-Id")
		if r.topic() != topic || (id != "" && seen[id]) {
			continue
		}
		seen[id] = true
		out = append(out, r)
	}
	return out
}

func (rc *receiver) setStatus(f func(n int, r received) int) {
	rc.mu.Lock()
	rc.status = f
	rc.mu.Unlock()
}

func waitHooks(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, srv.WaitWebhooks(ctx))
}

// independentHMAC recomputes the signature without the package's Sign.
func independentHMAC(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// allTopics are the topics the simulator delivers.
var allTopics = []string{
	"products/create", "products/update", "products/delete",
	"orders/create", "orders/updated", "orders/cancelled", "orders/delete", "orders/paid", "orders/fulfilled", "orders/partially_fulfilled",
	"refunds/create",
	"inventory_items/create", "inventory_items/update", "inventory_items/delete",
	"inventory_levels/connect", "inventory_levels/update", "inventory_levels/disconnect",
	"fulfillments/create", "fulfillments/update",
	"app/uninstalled", "bulk_operations/finish",
	"locations/create",
}

const subscribeMutation = `mutation($topic: WebhookSubscriptionTopic!, $uri: String!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: {uri: $uri}) { webhookSubscription { id } userErrors { field message } } }`

func subscribeAPI(t *testing.T, srv *Server, shop, topic, uri string) int64 {
	t.Helper()
	r := do(t, srv, shop, subscribeMutation, map[string]any{"topic": topicEnum(topic), "uri": uri})
	require.Empty(t, path(r.Data, "webhookSubscriptionCreate", "userErrors"), string(r.raw))
	id, err := parseGIDForTest(path(r.Data, "webhookSubscriptionCreate", "webhookSubscription", "id"), "WebhookSubscription")
	require.NoError(t, err)
	return id
}

func parseGIDForTest(v any, typ string) (int64, error) {
	s, _ := v.(string)
	id, ok := parseID(s, typ)
	if !ok {
		return 0, fmt.Errorf("not a %s gid: %v", typ, v)
	}
	return id, nil
}

// Locations are not modelled beyond creation: locations/update and
// locations/delete are rendered on request only, and still match
// Shopify's reference.
func TestWebhookPayloadsOfUnrecordedTopics(t *testing.T) {
	srv := NewServer()
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	s.AddLocation(LocationSpec{Name: "Lager", City: "Hamburg", CountryCode: "DE"})
	l := s.Locations()[0]
	var raw []byte
	for _, topic := range []string{"locations/update", "locations/delete"} {
		raw = s.WebhookPayload(Event{Topic: topic, Object: &l})
		assert.Empty(t, webhookProblems(t, "2026-07", topic, raw), "%s: %s", topic, raw)
	}
	assert.JSONEq(t, fmt.Sprintf(`{"id":%d}`, l.ID), string(raw))
}

func TestWebhookHeadersAndSignature(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	named := do(t, srv, DefaultShopName, `mutation($uri: String!) { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: $uri, name: "catalog-sync"}) { userErrors { message } } }`, map[string]any{"uri": rc.URL + "/a"})
	require.Empty(t, path(named.Data, "webhookSubscriptionCreate", "userErrors"), string(named.raw))
	s.AddWebhookSubscription("PRODUCTS_UPDATE", rc.URL+"/b")
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("Changed")})
	require.NoError(t, err)
	waitHooks(t, srv)

	got := rc.all()
	require.Len(t, got, 2, "one delivery per subscription")
	h0, h1 := got[0].Header, got[1].Header
	for _, d := range got {
		h := d.Header
		assert.Equal(t, "products/update", h.Get("X-Shopify-Topic"))
		assert.Equal(t, "test-shop.myshopify.com", h.Get("X-Shopify-Shop-Domain"))
		assert.Equal(t, "2026-07", h.Get("X-Shopify-API-Version"), "the newest version the payloads are shaped by")
		assert.Equal(t, independentHMAC(DefaultWebhookSecret, d.Body), h.Get("X-Shopify-Hmac-Sha256"))
		assert.NotEqual(t, independentHMAC("wrong", d.Body), h.Get("X-Shopify-Hmac-Sha256"))
		_, err := time.Parse(time.RFC3339Nano, h.Get("X-Shopify-Triggered-At"))
		assert.NoError(t, err)
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, h.Get("X-Shopify-Webhook-Id"))
		var body map[string]any
		d := json.NewDecoder(strings.NewReader(string(d.Body)))
		d.UseNumber()
		require.NoError(t, d.Decode(&body))
		assert.Equal(t, json.Number(fmt.Sprint(res.ProductIDs[0])), body["id"], "ids are exact integers")
		assert.Equal(t, "Changed", body["vendor"])
	}
	assert.Equal(t, h0.Get("X-Shopify-Event-Id"), h1.Get("X-Shopify-Event-Id"), "one event")
	assert.NotEqual(t, h0.Get("X-Shopify-Webhook-Id"), h1.Get("X-Shopify-Webhook-Id"), "two deliveries")
	names := []string{h0.Get("X-Shopify-Name"), h1.Get("X-Shopify-Name")}
	assert.ElementsMatch(t, []string{"catalog-sync", ""}, names)
	assert.Equal(t, DefaultWebhookSecret, srv.WebhookSecret())
}

func TestWebhookSecretIsNotPrinted(t *testing.T) {
	srv := NewServer(WithWebhookSecret("top-secret-value"))
	t.Cleanup(srv.Close)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(format, srv.hooks.opts), "top-secret-value")
		assert.NotContains(t, fmt.Sprintf(format, srv.hooks.opts.secret), "top-secret-value")
		assert.NotContains(t, fmt.Sprintf(format, WithWebhookSecret("top-secret-value")), "top-secret-value")
	}
	assert.Equal(t, "top-secret-value", srv.WebhookSecret())
}

func TestWebhookPayloadShapes(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	for _, topic := range []string{"products/update", "orders/delete", "inventory_levels/update"} {
		s.AddWebhookSubscription(topicEnum(topic), rc.URL)
	}
	loc := s.AddLocation(LocationSpec{Name: "Main"})
	spec := ProductSpec{Title: "Many"}
	for i := range 120 {
		spec.Variants = append(spec.Variants, VariantSpec{Title: fmt.Sprint("V", i), SKU: fmt.Sprint("MANY-", i), Price: "1.00", Stock: map[int64]int{loc.ID: 1}})
	}
	p, err := s.CreateProduct(spec)
	require.NoError(t, err)
	_, err = s.EditProduct(p.ID, ProductEdit{Title: ptr("Many v2")})
	require.NoError(t, err)
	v, _ := s.Variant(p.VariantIDs[0])
	require.NoError(t, s.SetQuantity(v.InventoryItemID, loc.ID, "available", 7))
	o, err := s.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{VariantID: v.ID, Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, s.DeleteOrder(o.ID))
	waitHooks(t, srv)

	up := rc.byTopic("products/update")
	require.NotEmpty(t, up)
	var prod struct {
		Variants    []json.RawMessage `json:"variants"`
		VariantGIDs []struct {
			ID string `json:"admin_graphql_api_id"`
		} `json:"variant_gids"`
	}
	require.NoError(t, json.Unmarshal(up[0].Body, &prod))
	assert.Len(t, prod.Variants, 100, "full variants only for the first 100")
	assert.Len(t, prod.VariantGIDs, 120, "variant_gids for all")

	del := rc.byTopic("orders/delete")
	require.Len(t, del, 1)
	assert.JSONEq(t, fmt.Sprintf(`{"id":%d}`, o.ID), string(del[0].Body))

	lv := rc.byTopic("inventory_levels/update")
	require.NotEmpty(t, lv)
	var level map[string]any
	require.NoError(t, json.Unmarshal(lv[0].Body, &level))
	assert.NotContains(t, level, "on_hand")
	assert.Contains(t, level, "available")
	assert.EqualValues(t, 7, level["available"])
}

func TestWebhookIncludeFields(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	r := do(t, srv, DefaultShopName, `mutation($uri: String!) { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: {uri: $uri, includeFields: ["id", "updated_at"]}) { userErrors { message } } }`, map[string]any{"uri": rc.URL})
	require.Empty(t, path(r.Data, "webhookSubscriptionCreate", "userErrors"), string(r.raw))
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("X")})
	require.NoError(t, err)
	waitHooks(t, srv)
	got := rc.all()
	require.Len(t, got, 1)
	var body map[string]any
	require.NoError(t, json.Unmarshal(got[0].Body, &body))
	assert.ElementsMatch(t, []string{"id", "updated_at"}, mapKeys(body))
	assert.Equal(t, independentHMAC(DefaultWebhookSecret, got[0].Body), got[0].Header.Get("X-Shopify-Hmac-Sha256"))
}

func mapKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestWebhookRetriesAndRemoval: a failing endpoint gets the first attempt
// and 8 retries (same webhook id and body) on a growing schedule; the
// API-created subscription is then removed, the control-API one is kept.
func TestWebhookRetriesAndRemoval(t *testing.T) {
	srv := NewServer(WithTimeScale(100000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	failing := newReceiver(t)
	failing.setStatus(func(int, received) int { return http.StatusInternalServerError })
	kept := newReceiver(t)
	kept.setStatus(func(int, received) int { return http.StatusServiceUnavailable })
	apiSub := subscribeAPI(t, srv, DefaultShopName, "products/update", failing.URL)
	s.AddWebhookSubscription("PRODUCTS_UPDATE", kept.URL)
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("X")})
	require.NoError(t, err)
	waitHooks(t, srv)

	got := failing.all()
	require.Len(t, got, 9, "first attempt + 8 retries")
	for _, d := range got[1:] {
		assert.Equal(t, got[0].Header.Get("X-Shopify-Webhook-Id"), d.Header.Get("X-Shopify-Webhook-Id"))
		assert.Equal(t, got[0].Body, d.Body, "retries carry the original payload")
	}
	// the gaps grow like the schedule (10s ... 2h scaled by 1e5: 0.1ms ... 72ms)
	assert.Greater(t, got[8].At.Sub(got[7].At), got[2].At.Sub(got[1].At))
	assert.Greater(t, got[8].At.Sub(got[7].At), 50*time.Millisecond)
	subs := s.WebhookSubscriptions()
	require.Len(t, subs, 1)
	assert.NotEqual(t, apiSub, subs[0].ID, "API subscription removed")
	assert.False(t, subs[0].CreatedViaAPI)
	assert.Len(t, kept.all(), 9)
	st := s.WebhookStats()
	assert.EqualValues(t, 18, st.Attempts)
	assert.EqualValues(t, 18, st.Failed)
	assert.EqualValues(t, 16, st.Retries)
	assert.EqualValues(t, 2, st.Abandoned)
	assert.EqualValues(t, 1, st.Removed)
	assert.Equal(t, st, srv.WebhookStats())
}

func TestWebhookRetrySucceedsAndTimeoutFails(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	// first attempt too slow (5s scaled, at least 250ms), second a 302, third OK
	rc.setStatus(func(n int, _ received) int {
		switch n {
		case 0:
			time.Sleep(1500 * time.Millisecond)
			return http.StatusOK
		case 1:
			return http.StatusFound
		}
		return http.StatusOK
	})
	subscribeAPI(t, srv, DefaultShopName, "products/update", rc.URL)
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("X")})
	require.NoError(t, err)
	waitHooks(t, srv)
	got := rc.all()
	for _, g := range got {
		t.Logf("%s %s", g.At.Format("15:04:05.000000"), g.topic())
	}
	assert.Len(t, got, 3)
	st := s.WebhookStats()
	assert.EqualValues(t, 1, st.Delivered)
	assert.EqualValues(t, 2, st.Failed)
	assert.EqualValues(t, 0, st.Removed)
	assert.Len(t, s.WebhookSubscriptions(), 1)
}

func TestWebhookDeliveryDoesNotBlockMutations(t *testing.T) {
	srv := NewServer() // real time: a hanging endpoint would block for 5s per attempt
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(release) })
	s.AddWebhookSubscription("PRODUCTS_UPDATE", slow.URL)
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	start := time.Now()
	for i := range 20 {
		_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr(fmt.Sprint("V", i))})
		require.NoError(t, err)
	}
	r := do(t, srv, DefaultShopName, `{ shop { name } }`, nil)
	require.Empty(t, r.Errors)
	assert.Less(t, time.Since(start), 4*time.Second, "mutations return while the endpoint hangs (20 blocking attempts would take 100s)")
}

func TestWebhookFaults(t *testing.T) {
	run := func(t *testing.T, faults ...WebhookFault) (*receiver, WebhookStats, []string) {
		srv := NewServer(WithTimeScale(1000), WithSeed(42))
		t.Cleanup(srv.Close)
		s := srv.DefaultShop()
		rc := newReceiver(t)
		s.AddWebhookSubscription("PRODUCTS_UPDATE", rc.URL)
		res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
		require.NoError(t, err)
		for _, f := range faults {
			srv.InjectWebhookFault(f)
		}
		for i := range 10 {
			vendor := fmt.Sprint("V", i)
			_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr(vendor)})
			require.NoError(t, err)
			waitHooks(t, srv) // one event at a time, so order is observable
		}
		var order []string
		for _, d := range rc.all() {
			var body struct {
				Vendor string `json:"vendor"`
			}
			require.NoError(t, json.Unmarshal(d.Body, &body))
			order = append(order, body.Vendor)
		}
		return rc, s.WebhookStats(), order
	}
	t.Run("none", func(t *testing.T) {
		_, st, order := run(t)
		assert.Equal(t, []string{"V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9"}, order)
		assert.EqualValues(t, 10, st.Delivered)
	})
	t.Run("drop next 2", func(t *testing.T) {
		_, st, order := run(t, WebhookFault{Kind: WebhookDrop, Count: 2})
		assert.Equal(t, []string{"V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9"}, order)
		assert.EqualValues(t, 2, st.Dropped)
	})
	t.Run("duplicate next 1", func(t *testing.T) {
		rc, st, order := run(t, WebhookFault{Kind: WebhookDuplicate, Count: 1, Topic: "products/update"})
		assert.Equal(t, []string{"V0", "V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9"}, order)
		got := rc.all()
		assert.Equal(t, got[0].Header.Get("X-Shopify-Webhook-Id"), got[1].Header.Get("X-Shopify-Webhook-Id"))
		assert.Equal(t, got[0].Header.Get("X-Shopify-Event-Id"), got[1].Header.Get("X-Shopify-Event-Id"))
		assert.EqualValues(t, 1, st.Duplicated)
	})
	t.Run("reorder next 1", func(t *testing.T) {
		_, st, order := run(t, WebhookFault{Kind: WebhookReorder, Count: 1})
		// held back for one simulated second, then sent: here after its
		// successor has been sent or after the hold expired
		assert.ElementsMatch(t, []string{"V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7", "V8", "V9"}, order)
		assert.EqualValues(t, 1, st.Reordered)
	})
	t.Run("other topic unaffected", func(t *testing.T) {
		_, st, order := run(t, WebhookFault{Kind: WebhookDrop, Count: 5, Topic: "orders/create"})
		assert.Len(t, order, 10)
		assert.Zero(t, st.Dropped)
	})
	t.Run("rate is deterministic", func(t *testing.T) {
		_, st1, order1 := run(t, WebhookFault{Kind: WebhookDrop, Rate: 0.5})
		_, st2, order2 := run(t, WebhookFault{Kind: WebhookDrop, Rate: 0.5})
		assert.Equal(t, order1, order2)
		assert.Equal(t, st1.Dropped, st2.Dropped)
		assert.Positive(t, st1.Dropped)
		assert.Less(t, st1.Dropped, int64(10))
	})
}

// TestWebhookReorderAndDelay sends several events without waiting, so the
// held or delayed delivery is overtaken by the next one.
func TestWebhookReorderAndDelay(t *testing.T) {
	for _, f := range []WebhookFault{{Kind: WebhookReorder, Count: 1}, {Kind: WebhookDelay, Count: 1, Delay: 2 * time.Second}} {
		t.Run(fmt.Sprint(f.Kind), func(t *testing.T) {
			srv := NewServer(WithTimeScale(2)) // hold 500ms, delay 1s
			t.Cleanup(srv.Close)
			s := srv.DefaultShop()
			rc := newReceiver(t)
			s.AddWebhookSubscription("PRODUCTS_UPDATE", rc.URL)
			res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
			require.NoError(t, err)
			srv.InjectWebhookFault(f)
			for i := range 3 {
				_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr(fmt.Sprint("V", i))})
				require.NoError(t, err)
			}
			waitHooks(t, srv)
			var order []string
			for _, d := range rc.all() {
				var body struct {
					Vendor string `json:"vendor"`
				}
				require.NoError(t, json.Unmarshal(d.Body, &body))
				order = append(order, body.Vendor)
			}
			require.Len(t, order, 3)
			assert.Equal(t, "V1", order[0], "the first event is overtaken: %v", order)
			assert.ElementsMatch(t, []string{"V0", "V1", "V2"}, order)
		})
	}
}

func TestWaitWebhooksHonoursContext(t *testing.T) {
	srv := NewServer() // real time: the retry waits 10s
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	rc.setStatus(func(int, received) int { return http.StatusInternalServerError })
	s.AddWebhookSubscription("PRODUCTS_UPDATE", rc.URL)
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("X")})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, srv.WaitWebhooks(ctx), context.DeadlineExceeded)
}

// TestWebhookPayloadValues decodes deliveries with the library's payload
// types and checks the values against the shop state: exact int64 IDs,
// decimal money, quantities, statuses.
func TestWebhookPayloadValues(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	for _, topic := range []string{"orders/create", "orders/paid", "orders/partially_fulfilled", "refunds/create", "inventory_items/update", "inventory_levels/update", "fulfillments/create"} {
		s.AddWebhookSubscription(topicEnum(topic), rc.URL)
	}
	loc := s.AddLocation(LocationSpec{Name: "Main"})
	p, err := s.CreateProduct(ProductSpec{Title: "Tee", Vendor: "Acme", Variants: []VariantSpec{
		{Title: "S", SKU: "TEE-S", Price: "12.50", Cost: "4.10", WeightGrams: 180, HarmonizedSystemCode: "610910", CountryCodeOfOrigin: "PT", Stock: map[int64]int{loc.ID: 10}},
	}})
	require.NoError(t, err)
	v, _ := s.Variant(p.VariantIDs[0])
	_, err = s.EditVariant(v.ID, VariantEdit{Cost: ptr(shopify.Decimal("4.25"))})
	require.NoError(t, err)
	o, err := s.CreateOrder(OrderSpec{Location: loc.ID, Email: "max@example.com", Lines: []OrderLineSpec{{VariantID: v.ID, Quantity: 3}}})
	require.NoError(t, err)
	fo, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
	r := do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": map[string]any{
		"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": gid("FulfillmentOrder", fo.ID),
			"fulfillmentOrderLineItems": []any{map[string]any{"id": gid("FulfillmentOrderLineItem", fo.LineItems[0].ID), "quantity": 2}}}},
		"trackingInfo": map[string]any{"company": "DHL", "number": "JJD02"},
	}})
	require.Empty(t, path(r.Data, "fulfillmentCreate", "userErrors"), string(r.raw))
	r = do(t, srv, DefaultShopName, refundMutation, map[string]any{"k": "vals", "in": map[string]any{
		"orderId":         gid("Order", o.ID),
		"refundLineItems": []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 1, "restockType": "RETURN", "locationId": gid("Location", loc.ID)}},
		"transactions":    []any{map[string]any{"orderId": gid("Order", o.ID), "amount": "12.50", "gateway": "shopify_payments", "kind": "REFUND"}},
	}})
	require.Empty(t, path(r.Data, "refundCreate", "userErrors"), string(r.raw))
	waitHooks(t, srv)

	decode := func(topic string, i int) any {
		t.Helper()
		got := rc.byTopic(topic)
		require.Greater(t, len(got), i, topic)
		out := shopify.NewWebhookPayload(topic)
		require.NotNil(t, out, topic)
		require.NoError(t, json.Unmarshal(got[i].Body, out), "%s: %s", topic, got[i].Body)
		return out
	}
	for _, topic := range []string{"orders/create", "orders/paid"} {
		op := decode(topic, 0).(*shopify.OrderPayload)
		assert.Equal(t, o.ID, op.ID)
		assert.Equal(t, "#1001", op.Name)
		assert.EqualValues(t, 1001, op.OrderNumber)
		assert.Equal(t, "37.50", op.TotalPrice.String())
		assert.Equal(t, "paid", op.FinancialStatus)
		assert.Equal(t, "max@example.com", op.Email)
		require.Len(t, op.LineItems, 1)
		assert.Equal(t, "TEE-S", op.LineItems[0].SKU)
		assert.Equal(t, 3, op.LineItems[0].Quantity)
		assert.Equal(t, v.ID, op.LineItems[0].VariantID)
		assert.Equal(t, "12.50", op.LineItems[0].Price.String())
	}
	pf := decode("orders/partially_fulfilled", 0).(*shopify.OrderPayload)
	assert.Equal(t, "partial", pf.FulfillmentStatus)
	require.Len(t, pf.Fulfillments, 1)
	assert.Equal(t, "DHL", pf.Fulfillments[0].TrackingCompany)

	fl := decode("fulfillments/create", 0).(*shopify.FulfillmentPayload)
	assert.Equal(t, o.ID, fl.OrderID)
	assert.Equal(t, loc.ID, fl.LocationID)
	require.Len(t, fl.LineItems, 1)
	assert.Equal(t, 2, fl.LineItems[0].Quantity)
	assert.Equal(t, "JJD02", fl.TrackingNumber)

	rf := decode("refunds/create", 0).(*shopify.RefundPayload)
	assert.Equal(t, o.ID, rf.OrderID)
	assert.True(t, rf.Restock)
	require.Len(t, rf.RefundLineItems, 1)
	assert.Equal(t, "return", rf.RefundLineItems[0].RestockType)
	assert.Equal(t, loc.ID, rf.RefundLineItems[0].LocationID)
	assert.Equal(t, "12.50", rf.RefundLineItems[0].Subtotal.String())
	require.Len(t, rf.Transactions, 1)
	assert.Equal(t, "12.50", rf.Transactions[0].Amount.String())

	it := decode("inventory_items/update", 0).(*shopify.InventoryItemPayload)
	assert.Equal(t, v.InventoryItemID, it.ID)
	assert.Equal(t, "4.25", it.Cost.String())
	assert.Equal(t, "TEE-S", it.SKU)
	assert.Equal(t, "610910", it.HarmonizedSystemCode)
	assert.Equal(t, "PT", it.CountryCodeOfOrigin)
	assert.Equal(t, "180", it.WeightValue.String())
	assert.Equal(t, "g", it.WeightUnit)

	levels := rc.byTopic("inventory_levels/update")
	require.NotEmpty(t, levels)
	last := shopify.NewWebhookPayload("inventory_levels/update").(*shopify.InventoryLevelPayload)
	require.NoError(t, json.Unmarshal(levels[len(levels)-1].Body, last))
	assert.Equal(t, v.InventoryItemID, last.InventoryItemID)
	assert.Equal(t, loc.ID, last.LocationID)
	require.NotNil(t, last.Available)
	assert.EqualValues(t, s.Quantity(v.InventoryItemID, loc.ID, "available"), *last.Available, "the last update carries the current available quantity")
}

func TestWebhookHTTPSEndpoint(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	tlsRecv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	t.Cleanup(tlsRecv.Close)
	srv := NewServer(WithTimeScale(1000), WithWebhookClient(tlsRecv.Client()))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	require.True(t, strings.HasPrefix(tlsRecv.URL, "https://"))
	subscribeAPI(t, srv, DefaultShopName, "products/create", tlsRecv.URL)
	_, err := s.CreateProduct(ProductSpec{Title: "TLS"})
	require.NoError(t, err)
	waitHooks(t, srv)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 1)
	assert.Contains(t, string(bodies[0]), `"title":"TLS"`)
	assert.EqualValues(t, 1, s.WebhookStats().Delivered)
}

func TestWebhookCustomRetrySchedule(t *testing.T) {
	srv := NewServer(WithTimeScale(100), WithWebhookRetries(5*time.Second, time.Second, 2*time.Second))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	rc.setStatus(func(int, received) int { return http.StatusBadGateway })
	subscribeAPI(t, srv, DefaultShopName, "products/create", rc.URL)
	_, err := s.CreateProduct(ProductSpec{Title: "Retry"})
	require.NoError(t, err)
	waitHooks(t, srv)
	got := rc.all()
	require.Len(t, got, 3, "first attempt + 2 retries")
	assert.GreaterOrEqual(t, got[1].At.Sub(got[0].At), 10*time.Millisecond)
	assert.GreaterOrEqual(t, got[2].At.Sub(got[1].At), 20*time.Millisecond)
	assert.Empty(t, s.WebhookSubscriptions(), "removed after failing every retry")
	assert.EqualValues(t, 1, s.WebhookStats().Removed)
}

// TestWebhookSuccessInBetweenKeepsSubscription: failures must be
// consecutive; a successful delivery to the subscription resets the count.
func TestWebhookSuccessInBetweenKeepsSubscription(t *testing.T) {
	srv := NewServer(WithTimeScale(4), WithWebhookRetries(5*time.Second, time.Second, time.Second)) // retries after 250ms and 500ms
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	rc.setStatus(func(_ int, r received) int {
		if strings.Contains(string(r.Body), `"vendor":"bad"`) {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	subscribeAPI(t, srv, DefaultShopName, "products/update", rc.URL)
	res, err := s.Seed(SeedOptions{Seed: 2, Products: 1})
	require.NoError(t, err)
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("bad")})
	require.NoError(t, err)
	time.Sleep(375 * time.Millisecond) // between the first and the second retry
	_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr("good")})
	require.NoError(t, err)
	waitHooks(t, srv)
	st := s.WebhookStats()
	assert.EqualValues(t, 1, st.Abandoned, "the bad delivery failed every retry")
	assert.EqualValues(t, 1, st.Delivered)
	assert.Zero(t, st.Removed, "a success in between: not consecutive")
	assert.Len(t, s.WebhookSubscriptions(), 1)
}

// TestWebhookSubscriptionGetsOnlyLaterEvents: an event recorded before a
// subscription existed is not delivered to it, even when the delivery
// worker handles the event only after the subscription was created.
func TestWebhookSubscriptionGetsOnlyLaterEvents(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	slow := newReceiver(t)
	slow.setStatus(func(int, received) int { time.Sleep(150 * time.Millisecond); return http.StatusOK })
	rc := newReceiver(t)
	s.AddWebhookSubscription("PRODUCTS_CREATE", slow.URL) // keeps the worker busy
	_, err := s.CreateProduct(ProductSpec{Title: "Busy"})
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond) // the worker is now sending to the slow endpoint
	_, err = s.CreateProduct(ProductSpec{Title: "Before"})
	require.NoError(t, err)
	s.AddWebhookSubscription("PRODUCTS_CREATE", rc.URL)
	_, err = s.CreateProduct(ProductSpec{Title: "After"})
	require.NoError(t, err)
	waitHooks(t, srv)
	got := rc.all()
	require.Len(t, got, 1)
	assert.Contains(t, string(got[0].Body), `"title":"After"`)
	assert.Len(t, slow.all(), 3)
}

// Two changes within one second carry the same whole-second updated_at, so
// only X-Shopify-Triggered-At orders them: it has sub-second precision and
// increases from one change to the next.
func TestWebhookTriggeredAtOrdersChangesWithinASecond(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	s.AddWebhookSubscription("PRODUCTS_UPDATE", rc.URL+"/p")
	res, err := s.Seed(SeedOptions{Seed: 3, Products: 1})
	require.NoError(t, err)
	for _, v := range []string{"First", "Second", "Third"} {
		_, err = s.EditProduct(res.ProductIDs[0], ProductEdit{Vendor: ptr(v)})
		require.NoError(t, err)
	}
	waitHooks(t, srv)
	got := rc.byTopic("products/update")
	require.Len(t, got, 3)
	var prev time.Time
	for i, d := range got {
		at, err := time.Parse(time.RFC3339Nano, d.Header.Get("X-Shopify-Triggered-At"))
		require.NoError(t, err)
		if i > 0 {
			assert.True(t, at.After(prev), "delivery %d triggered at %v, not after %v", i, at, prev)
		}
		prev = at
	}
}

// The app's webhook API version decides the payload's shape and is what
// deliveries and subscriptions report; versions the simulator has no
// samples of are served as the nearest older one it has.
func TestWebhookAPIVersion(t *testing.T) {
	assert.Equal(t, []string{"2026-04", "2026-07"}, WebhookAPIVersions())
	for _, c := range []struct{ set, want string }{
		{"", "2026-07"}, {"2026-04", "2026-04"}, {"2026-07", "2026-07"},
		{"2026-10", "2026-07"}, {"2026-01", "2026-04"}, {"2025-10", "2026-04"},
	} {
		srv := NewServer(WithTimeScale(1000), WithWebhookAPIVersion(c.set))
		s := srv.DefaultShop()
		rc := newReceiver(t)
		w := s.AddWebhookSubscription("REFUNDS_CREATE", rc.URL)
		assert.Equal(t, c.want, w.APIVersion, "set %q", c.set)
		loc := s.AddLocation(LocationSpec{Name: "Main"}).ID
		p, err := s.CreateProduct(ProductSpec{Title: "T", Variants: []VariantSpec{{SKU: "T-1", Price: "5.00", Stock: map[int64]int{loc: 3}}}})
		require.NoError(t, err)
		o, err := s.CreateOrder(OrderSpec{Email: "a@b.example", Lines: []OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 1}}})
		require.NoError(t, err)
		r := do(t, srv, DefaultShopName, refundMutation, map[string]any{"k": "v-refund", "in": map[string]any{
			"orderId": gid("Order", o.ID), "refundLineItems": []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 1, "restockType": "NO_RESTOCK"}},
		}})
		require.Empty(t, path(r.Data, "refundCreate", "userErrors"), string(r.raw))
		waitHooks(t, srv)
		got := rc.byTopic("refunds/create")
		require.Len(t, got, 1)
		assert.Equal(t, c.want, got[0].Header.Get("X-Shopify-API-Version"))
		// 2026-04 and 2026-07 differ in the refund's field order, as
		// Shopify's samples do.
		body := string(got[0].Body)
		restockFirst := strings.Index(body, `"restock"`) < strings.Index(body, `"refund_shipping_lines"`)
		assert.Equal(t, c.want == "2026-04", restockFirst, "set %q: %s", c.set, body)
		srv.Close()
	}
}
