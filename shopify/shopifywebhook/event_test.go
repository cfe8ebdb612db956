package shopifywebhook_test

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestTopics(t *testing.T) {
	all := shopifywebhook.KnownTopics()
	for _, want := range []webhook.Topic{"customers/data_request", "customers/redact", "shop/redact", "bulk_operations/finish", "orders/edited"} {
		if !slices.Contains(all, want) || !shopifywebhook.Known(want) {
			t.Errorf("%s not known", want)
		}
	}
	for _, topic := range all {
		if shopify.NewWebhookPayload(string(topic)) == nil {
			t.Errorf("%s has no payload type", topic)
		}
	}
	if shopifywebhook.Known("carts/create") || !shopifywebhook.Compliance(shopifywebhook.TopicShopRedact) || shopifywebhook.Compliance(shopifywebhook.TopicOrdersCreate) {
		t.Error("Known/Compliance")
	}
	all[0] = "mutated"
	if shopifywebhook.KnownTopics()[0] == "mutated" {
		t.Error("KnownTopics shares its slice")
	}
}

func TestVerifyHeaderFamilies(t *testing.T) {
	body := []byte(`{"id":1}`)
	sig := webhook.ComputeSignature(body, testSecret)
	for name, set := range map[string]func(h http.Header){
		"X-Shopify-Hmac-Sha256":        func(h http.Header) { h.Set("X-Shopify-Hmac-Sha256", sig) },
		"shopify-hmac-sha256 (Events)": func(h http.Header) { h.Set("shopify-hmac-sha256", sig) },
		"value padded with spaces":     func(h http.Header) { h.Set("X-Shopify-Hmac-Sha256", " "+sig+" ") },
		"X- wins over unprefixed":      func(h http.Header) { h.Set("X-Shopify-Hmac-Sha256", sig); h.Set("Shopify-Hmac-Sha256", "bogus") },
	} {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			set(h)
			if err := shopifywebhook.Verify(body, h, testSecret); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := shopifywebhook.Verify(body, http.Header{}, testSecret); !errors.Is(err, webhook.ErrNotSigned) {
		t.Fatalf("no header: %v", err)
	}
}

func TestConstructEvent(t *testing.T) {
	body := sampleBody(t, "2026-07", "orders/create")
	triggered := time.Date(2026, 7, 2, 10, 11, 12, 345678900, time.UTC)
	for _, unprefixed := range []bool{false, true} {
		h := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{
			Topic: shopifywebhook.TopicOrdersCreate, Body: body, ShopDomain: "shop-1.myshopify.com",
			APIVersion: "2026-07", WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "evt-9",
			TriggeredAt: triggered, Name: "wms-orders", Unprefixed: unprefixed,
		}, testSecret)
		e, err := shopifywebhook.ConstructEvent(body, h, "stale-secret", testSecret)
		if err != nil {
			t.Fatalf("unprefixed=%v: %v", unprefixed, err)
		}
		want := webhook.Event{
			Topic: "orders/create", Shop: "shop-1.myshopify.com", APIVersion: "2026-07",
			WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "evt-9",
			Meta: map[string]string{shopifywebhook.MetaName: "wms-orders"}, Source: "shopify",
		}
		got := *e
		got.Body, got.TriggeredAt = nil, time.Time{}
		if got.Topic != want.Topic || got.Shop != want.Shop || got.APIVersion != want.APIVersion ||
			got.WebhookID != want.WebhookID || got.EventID != want.EventID || !maps.Equal(got.Meta, want.Meta) ||
			got.Source != want.Source {
			t.Fatalf("unprefixed=%v: event %+v, want %+v", unprefixed, got, want)
		}
		if !e.TriggeredAt.Equal(triggered) {
			t.Errorf("TriggeredAt = %v, want %v", e.TriggeredAt, triggered)
		}
		if string(e.Body) != string(body) {
			t.Error("Body is not the raw body")
		}
	}
}

func TestParseEventErrors(t *testing.T) {
	body := []byte(`{"id":1}`)
	full := func() http.Header {
		return shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, testSecret)
	}
	h := full()
	h.Del(shopifywebhook.HeaderTopic)
	if _, err := shopifywebhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("no topic: %v", err)
	}
	h = full()
	h.Del(shopifywebhook.HeaderWebhookID)
	h.Del(shopifywebhook.HeaderEventID)
	if _, err := shopifywebhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("no ids: %v", err)
	}
	h = full()
	h.Del(shopifywebhook.HeaderWebhookID)
	e, err := shopifywebhook.ConstructEvent(body, h, testSecret)
	if err != nil || e.WebhookID != h.Get(shopifywebhook.HeaderEventID) {
		t.Errorf("event id must stand in for a missing webhook id: %v %+v", err, e)
	}
	h = shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete}, testSecret)
	if _, err := shopifywebhook.ConstructEvent(nil, h, testSecret); !errors.Is(err, webhook.ErrEmptyBody) {
		t.Errorf("empty body: %v", err)
	}
	h = full()
	h.Set(shopifywebhook.HeaderTriggeredAt, "yesterday")
	if e, err := shopifywebhook.ConstructEvent(body, h, testSecret); err != nil || !e.TriggeredAt.IsZero() {
		t.Errorf("unparsable triggered-at must leave a zero time: %v", err)
	}
	// A bad signature is reported before anything else.
	h = full()
	h.Del(shopifywebhook.HeaderTopic)
	if _, err := shopifywebhook.ConstructEvent(body, h, "wrong"); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Errorf("bad signature + missing topic: %v", err)
	}
}

func TestEventPayloadAllSamples(t *testing.T) {
	for name, body := range allSamples(t) {
		topic := webhook.Topic(strings.SplitN(name, "/", 2)[1])
		if !shopifywebhook.Known(topic) {
			continue
		}
		t.Run(name, func(t *testing.T) {
			h := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: topic, Body: body}, testSecret)
			e, err := shopifywebhook.ConstructEvent(body, h, testSecret)
			if err != nil {
				t.Fatal(err)
			}
			p, err := shopifywebhook.Payload(e)
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				t.Fatal("nil payload")
			}
		})
	}
	e := &webhook.Event{Topic: "carts/create", Body: []byte(`{}`)}
	if _, err := shopifywebhook.Payload(e); !errors.Is(err, webhook.ErrNoRoute) {
		t.Fatalf("unknown topic: %v", err)
	}
	e = &webhook.Event{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{"id":"not a number"}`)}
	var de *webhook.DecodeError
	if _, err := shopifywebhook.Payload(e); !errors.As(err, &de) || de.Topic != shopifywebhook.TopicOrdersCreate {
		t.Fatalf("bad body: %v", err)
	}
}
