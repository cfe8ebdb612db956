package woowebhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

const secret = "wh-secret-&<'\"" // WooCommerce secrets may hold HTML special characters

func delivery(t *testing.T, topic, shop, hookID, deliveryID string, body []byte, sign string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "https://wms.example/hooks/woo", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(woocommerce.HeaderWebhookTopic, topic)
	r.Header.Set(woocommerce.HeaderWebhookSource, shop)
	r.Header.Set(woocommerce.HeaderWebhookResource, strings.Split(topic, ".")[0])
	r.Header.Set(woocommerce.HeaderWebhookEvent, strings.Split(topic, ".")[1])
	r.Header.Set(woocommerce.HeaderWebhookID, hookID)
	r.Header.Set(woocommerce.HeaderWebhookDeliveryID, deliveryID)
	if sign != "" {
		r.Header.Set(woocommerce.HeaderWebhookSignature, woocommerce.Sign(body, sign))
	}
	return r
}

func TestSourceVerifiesAndBuildsEvents(t *testing.T) {
	src, err := woowebhook.NewSource("old", secret)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	body := []byte(`{"id":727,"status":"processing"}`)
	r := delivery(t, "order.updated", "https://Shop.Example:443/", "142", "0123456789abcdef0123456789abcdef", body, secret)
	if k := src.Classify(r, body); k != webhook.Delivery {
		t.Fatalf("classified as %v", k)
	}
	if err := src.Verify(ctx, r, body); err != nil {
		t.Fatal(err)
	}
	if err := src.Verify(ctx, r, []byte(`{"id":727,"status":"completed"}`)); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Fatalf("tampered body: %v", err)
	}
	unsigned := delivery(t, "order.updated", "https://shop.example/", "142", "d", body, "")
	if err := src.Verify(ctx, unsigned, body); !errors.Is(err, webhook.ErrNotSigned) {
		t.Fatalf("unsigned: %v", err)
	}
	consumer := delivery(t, "order.updated", "https://shop.example/", "142", "d", body, "cs_the_consumer_secret")
	if err := src.Verify(ctx, consumer, body); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Fatalf("signed with another secret: %v", err)
	}
	e, err := src.Event(r, body)
	if err != nil {
		t.Fatal(err)
	}
	if e.Source != "woocommerce" || e.Topic != "order.updated" || e.Shop != "https://shop.example" ||
		e.Meta[woowebhook.MetaWebhookID] != "142" || e.Meta[woowebhook.MetaDeliveryID] != "0123456789abcdef0123456789abcdef" ||
		string(e.Body) != string(body) || !e.TriggeredAt.IsZero() {
		t.Fatalf("event %+v", e)
	}

	// The delivery id is shared by deliveries of one webhook in one second:
	// different bodies must give different keys, a duplicate the same.
	other := []byte(`{"id":728,"status":"processing"}`)
	e2, _ := src.Event(delivery(t, "order.updated", "https://shop.example/", "142", "0123456789abcdef0123456789abcdef", other, secret), other)
	e3, _ := src.Event(delivery(t, "order.updated", "https://shop.example/", "142", "0123456789abcdef0123456789abcdef", body, secret), body)
	if e2.WebhookID == e.WebhookID || e3.WebhookID != e.WebhookID {
		t.Fatalf("keys %s %s %s", e.WebhookID, e2.WebhookID, e3.WebhookID)
	}
	// Another store with the same webhook id, delivery id and body is another delivery.
	e4, _ := src.Event(delivery(t, "order.updated", "https://other.example/", "142", "0123456789abcdef0123456789abcdef", body, secret), body)
	if e4.WebhookID == e.WebhookID {
		t.Fatal("stores share a key")
	}

	noTopic := delivery(t, "order.updated", "https://shop.example/", "142", "d", body, secret)
	noTopic.Header.Del(woocommerce.HeaderWebhookTopic)
	if _, err := src.Event(noTopic, body); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Fatalf("no topic: %v", err)
	}
	noSource := delivery(t, "order.updated", "", "142", "d", body, secret)
	if _, err := src.Event(noSource, body); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Fatalf("no source: %v", err)
	}
	if printed := fmt.Sprintf("%v %+v %#v %s", src, src, src, src); strings.Contains(printed, secret) || strings.Contains(printed, "old") {
		t.Fatalf("printing reveals a secret: %s", printed)
	}
	if _, err := woowebhook.NewSource(""); !errors.Is(err, webhook.ErrNoSecret) {
		t.Fatal(err)
	}
}

func TestSourcePerStoreSecrets(t *testing.T) {
	src, err := woowebhook.NewSourceFunc(func(_ context.Context, shop string) ([]string, error) {
		if shop == "https://example.com/dk" {
			return []string{"dk-secret"}, nil
		}
		return nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":1}`)
	ok := delivery(t, "product.updated", "https://example.com/dk/", "9", "d", body, "dk-secret")
	if err := src.Verify(context.Background(), ok, body); err != nil {
		t.Fatal(err)
	}
	unknown := delivery(t, "product.updated", "https://example.com/se/", "9", "d", body, "dk-secret")
	if err := src.Verify(context.Background(), unknown, body); !errors.Is(err, webhook.ErrNoSecret) {
		t.Fatalf("unknown store: %v", err)
	}
}

func TestHandlerAnswersWooCommerce(t *testing.T) {
	src, err := woowebhook.NewSource(secret)
	if err != nil {
		t.Fatal(err)
	}
	inbox := webhook.NewMemoryInbox()
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		t.Fatal(err)
	}
	serve := func(r *http.Request) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	stored := func() int { return inbox.Stats().Pending }
	body := []byte(`{"id":1}`)

	// The unsigned ping: 200, nothing stored.
	ping := httptest.NewRequest(http.MethodPost, "https://wms.example/hooks", strings.NewReader("webhook_id=142"))
	ping.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if code := serve(ping); code != http.StatusOK || stored() != 0 {
		t.Fatalf("ping: %d, %d stored", code, stored())
	}
	// A bad signature: 401, nothing stored.
	if code := serve(delivery(t, "order.created", "https://shop.example/", "142", "d", body, "wrong")); code != http.StatusUnauthorized || stored() != 0 {
		t.Fatalf("bad signature: %d, %d stored", code, stored())
	}
	// Two orders in one second share the delivery id; both are stored.
	a, b := []byte(`{"id":1}`), []byte(`{"id":2}`)
	for _, body := range [][]byte{a, b, a} {
		if code := serve(delivery(t, "order.created", "https://shop.example/", "142", "same", body, secret)); code != http.StatusOK {
			t.Fatalf("delivery: %d", code)
		}
	}
	if n := stored(); n != 2 {
		t.Fatalf("%d stored, want 2 (the third was a duplicate)", n)
	}
	// Topics other than orders and products are acknowledged, not stored.
	if code := serve(delivery(t, "coupon.updated", "https://shop.example/", "143", "x", body, secret)); code != http.StatusOK || stored() != 2 {
		t.Fatalf("coupon: %d, %d stored", code, stored())
	}
}
