package shopifywebhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestSource(t *testing.T) {
	src, err := shopifywebhook.NewSource("", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":1}`)
	for _, unprefixed := range []bool{false, true} {
		r, err := shopifywebhook.NewSignedRequest(context.Background(), "http://wms.example/", shopifywebhook.TestDelivery{
			Topic: shopifywebhook.TopicOrdersDelete, Body: body, WebhookID: "w-1", Unprefixed: unprefixed}, testSecret)
		if err != nil {
			t.Fatal(err)
		}
		if k := src.Classify(r, body); k != webhook.Delivery {
			t.Fatalf("unprefixed=%v: classified as %v", unprefixed, k)
		}
		if err := src.Verify(context.Background(), r, body); err != nil {
			t.Fatalf("unprefixed=%v: %v", unprefixed, err)
		}
		e, err := src.Event(r, body)
		if err != nil || e.Source != "shopify" || e.WebhookID != "w-1" || e.Shop != "example.myshopify.com" {
			t.Fatalf("unprefixed=%v: %+v %v", unprefixed, e, err)
		}
		if err := src.Verify(context.Background(), r, []byte(`{"id":2}`)); !errors.Is(err, webhook.ErrInvalidSignature) {
			t.Fatalf("tampered body: %v", err)
		}
	}
	bare, _ := http.NewRequest(http.MethodPost, "http://wms.example/", strings.NewReader("webhook_id=1"))
	if k := src.Classify(bare, []byte("webhook_id=1")); k != webhook.NotMine {
		t.Fatalf("a request without Shopify headers classified as %v", k)
	}
	if err := src.Verify(context.Background(), bare, nil); !errors.Is(err, webhook.ErrNotSigned) {
		t.Fatalf("unsigned: %v", err)
	}
	if printed := fmt.Sprintf("%v %+v %#v %s", src, src, src, src); strings.Contains(printed, testSecret) {
		t.Fatalf("printing the source reveals the secret: %s", printed)
	}
	if _, err := shopifywebhook.NewSource(); !errors.Is(err, webhook.ErrNoSecret) {
		t.Fatalf("no secret: %v", err)
	}
}

// TestHandlerRefusesMalformedDeliveries: behind a webhook.Handler, a
// correctly signed Shopify delivery without one of its required headers
// (topic, shop domain, API version, webhook id), without a body, or with a
// header shaped otherwise than Shopify's (a 900 KB webhook id, a shop
// domain that is not a myshopify.com shop) is answered 400 with a message
// naming the header, and nothing is stored; only a missing or wrong
// signature gets 401.
func TestHandlerRefusesMalformedDeliveries(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	src, err := shopifywebhook.NewSource(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":1}`)
	request := func(d shopifywebhook.TestDelivery, secret string, edit func(http.Header)) *http.Request {
		if d.Topic == "" {
			d.Topic = shopifywebhook.TopicOrdersCreate
		}
		r, err := shopifywebhook.NewSignedRequest(context.Background(), "http://wms.example/", d, secret)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(r.Header)
		}
		return r
	}
	del := func(name string) func(http.Header) { return func(h http.Header) { h.Del(name) } }
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
		says   string
	}{
		{"no topic", request(shopifywebhook.TestDelivery{Body: body}, testSecret, del(shopifywebhook.HeaderTopic)), 400, "X-Shopify-Topic"},
		{"no shop domain", request(shopifywebhook.TestDelivery{Body: body}, testSecret, del(shopifywebhook.HeaderShopDomain)), 400, "X-Shopify-Shop-Domain"},
		{"no API version", request(shopifywebhook.TestDelivery{Body: body}, testSecret, del(shopifywebhook.HeaderAPIVersion)), 400, "X-Shopify-API-Version"},
		{"no webhook id", request(shopifywebhook.TestDelivery{Body: body}, testSecret, del(shopifywebhook.HeaderWebhookID)), 400, "X-Shopify-Webhook-Id"},
		{"no event id (Events)", request(shopifywebhook.TestDelivery{Body: body, Unprefixed: true}, testSecret, func(h http.Header) {
			h.Del("Shopify-Webhook-Id")
			h.Del("Shopify-Event-Id")
		}), 400, "shopify-event-id"},
		{"no body", request(shopifywebhook.TestDelivery{}, testSecret, nil), 400, "empty body"},
		{"900 KB webhook id", request(shopifywebhook.TestDelivery{Body: body, WebhookID: strings.Repeat("a", 900<<10)}, testSecret, nil), 400, "X-Shopify-Webhook-Id"},
		{"shop evil.com", request(shopifywebhook.TestDelivery{Body: body, ShopDomain: "evil.com"}, testSecret, nil), 400, "X-Shopify-Shop-Domain"},
		{"no signature", request(shopifywebhook.TestDelivery{Body: body}, testSecret, del(shopifywebhook.HeaderHmac)), 401, "invalid signature"},
		{"wrong secret", request(shopifywebhook.TestDelivery{Body: body, ShopDomain: "evil.com"}, "attacker", del(shopifywebhook.HeaderTopic)), 401, "invalid signature"},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, tc.r)
		if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.says) {
			t.Errorf("%s: %d %q, want %d saying %q", tc.name, w.Code, w.Body.String(), tc.status, tc.says)
		}
		if w.Body.Len() > 400 {
			t.Errorf("%s: a %d-byte answer", tc.name, w.Body.Len())
		}
	}
	if st := inbox.Stats(); st != (webhook.MemoryInboxStats{}) {
		t.Fatalf("malformed deliveries were stored: %+v", st)
	}
	if st := h.Stats(); st.Malformed != 8 || st.Unauthorized != 2 || st.Stored != 0 {
		t.Fatalf("handler stats %+v", st)
	}
	// The same delivery, complete, is stored.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, request(shopifywebhook.TestDelivery{Body: body}, testSecret, nil))
	if w.Code != http.StatusOK || inbox.Stats().Pending != 1 {
		t.Fatalf("a complete delivery: %d, inbox %+v", w.Code, inbox.Stats())
	}
}
