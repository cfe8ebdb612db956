package webhook_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestComputeSignatureKnownVector(t *testing.T) {
	// Computed independently with
	// `printf '{"id":1}' | openssl dgst -sha256 -hmac secret -binary | base64`.
	got := webhook.ComputeSignature([]byte(`{"id":1}`), "secret")
	if got != "A971iWIMgT8Zj9A9eWfikrFj7wQ16/Qwcc4OlRl2PLc=" {
		t.Fatalf("ComputeSignature = %s", got)
	}
}

func TestValidateSignatureTable(t *testing.T) {
	body := []byte(`{"id":820982911946154508,"total_price":"404.95"}`)
	good := webhook.ComputeSignature(body, testSecret)
	old := "shpss_old_secret"
	tests := []struct {
		name    string
		body    []byte
		sig     string
		secrets []string
		want    error
	}{
		{"valid", body, good, []string{testSecret}, nil},
		{"valid among several", body, good, []string{"other", testSecret}, nil},
		{"rotated: signed with old secret, both accepted", body, webhook.ComputeSignature(body, old), []string{testSecret, old}, nil},
		{"rotated: old secret no longer accepted", body, webhook.ComputeSignature(body, old), []string{testSecret}, webhook.ErrInvalidSignature},
		{"tampered body", []byte(strings.Replace(string(body), "404.95", "0.01", 1)), good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"wrong secret", body, good, []string{"wrong"}, webhook.ErrInvalidSignature},
		{"missing header", body, "", []string{testSecret}, webhook.ErrNotSigned},
		{"empty body, signature of another body", nil, good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"empty body, correctly signed", nil, webhook.ComputeSignature(nil, testSecret), []string{testSecret}, nil},
		{"non-base64 header", body, strings.Repeat("!", 44), []string{testSecret}, webhook.ErrInvalidSignature},
		{"hex instead of base64", body, strings.Repeat("ab", 32), []string{testSecret}, webhook.ErrInvalidSignature},
		{"truncated signature", body, good[:20], []string{testSecret}, webhook.ErrInvalidSignature},
		{"overlong signature", body, good + good, []string{testSecret}, webhook.ErrInvalidSignature},
		{"short MAC, valid base64", body, base64.StdEncoding.EncodeToString(make([]byte, 31)) + "AAAA", []string{testSecret}, webhook.ErrInvalidSignature},
		{"no secret", body, good, nil, webhook.ErrNoSecret},
		{"only empty secrets", body, good, []string{"", ""}, webhook.ErrNoSecret},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := webhook.ValidateSignature(tc.body, tc.sig, tc.secrets...)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			for _, s := range append(tc.secrets, testSecret, old) {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Fatalf("error %q contains a secret", err)
				}
			}
			if tc.sig != "" && strings.Contains(err.Error(), tc.sig) {
				t.Fatalf("error %q contains the signature", err)
			}
		})
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
			if err := webhook.Verify(body, h, testSecret); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := webhook.Verify(body, http.Header{}, testSecret); !errors.Is(err, webhook.ErrNotSigned) {
		t.Fatalf("no header: %v", err)
	}
}

func TestConstructEvent(t *testing.T) {
	body := sampleBody(t, "2026-07", "orders/create")
	triggered := time.Date(2026, 7, 2, 10, 11, 12, 345678900, time.UTC)
	for _, unprefixed := range []bool{false, true} {
		h := webhook.SignedHeader(webhook.TestDelivery{
			Topic: webhook.TopicOrdersCreate, Body: body, ShopDomain: "shop-1.myshopify.com",
			APIVersion: "2026-07", WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "evt-9",
			TriggeredAt: triggered, Name: "wms-orders", Unprefixed: unprefixed,
		}, testSecret)
		e, err := webhook.ConstructEvent(body, h, "stale-secret", testSecret)
		if err != nil {
			t.Fatalf("unprefixed=%v: %v", unprefixed, err)
		}
		want := webhook.Event{
			Topic: "orders/create", ShopDomain: "shop-1.myshopify.com", APIVersion: "2026-07",
			WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "evt-9", Name: "wms-orders",
		}
		got := *e
		got.Body, got.TriggeredAt = nil, time.Time{}
		if got.Topic != want.Topic || got.ShopDomain != want.ShopDomain || got.APIVersion != want.APIVersion ||
			got.WebhookID != want.WebhookID || got.EventID != want.EventID || got.Name != want.Name {
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
		return webhook.SignedHeader(webhook.TestDelivery{Topic: webhook.TopicOrdersDelete, Body: body}, testSecret)
	}
	h := full()
	h.Del(webhook.HeaderTopic)
	if _, err := webhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("no topic: %v", err)
	}
	h = full()
	h.Del(webhook.HeaderWebhookID)
	h.Del(webhook.HeaderEventID)
	if _, err := webhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("no ids: %v", err)
	}
	h = full()
	h.Del(webhook.HeaderWebhookID)
	e, err := webhook.ConstructEvent(body, h, testSecret)
	if err != nil || e.WebhookID != h.Get(webhook.HeaderEventID) {
		t.Errorf("event id must stand in for a missing webhook id: %v %+v", err, e)
	}
	h = webhook.SignedHeader(webhook.TestDelivery{Topic: webhook.TopicOrdersDelete}, testSecret)
	if _, err := webhook.ConstructEvent(nil, h, testSecret); !errors.Is(err, webhook.ErrEmptyBody) {
		t.Errorf("empty body: %v", err)
	}
	h = full()
	h.Set(webhook.HeaderTriggeredAt, "yesterday")
	if e, err := webhook.ConstructEvent(body, h, testSecret); err != nil || !e.TriggeredAt.IsZero() {
		t.Errorf("unparsable triggered-at must leave a zero time: %v", err)
	}
	// A bad signature is reported before anything else.
	h = full()
	h.Del(webhook.HeaderTopic)
	if _, err := webhook.ConstructEvent(body, h, "wrong"); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Errorf("bad signature + missing topic: %v", err)
	}
}

func TestEventPayloadAllSamples(t *testing.T) {
	for name, body := range allSamples(t) {
		topic := webhook.Topic(strings.SplitN(name, "/", 2)[1])
		if !topic.Known() {
			continue
		}
		t.Run(name, func(t *testing.T) {
			h := webhook.SignedHeader(webhook.TestDelivery{Topic: topic, Body: body}, testSecret)
			e, err := webhook.ConstructEvent(body, h, testSecret)
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.Payload()
			if err != nil {
				t.Fatal(err)
			}
			if p == nil {
				t.Fatal("nil payload")
			}
		})
	}
	e := &webhook.Event{Topic: "carts/create", Body: []byte(`{}`)}
	if _, err := e.Payload(); !errors.Is(err, webhook.ErrNoRoute) {
		t.Fatalf("unknown topic: %v", err)
	}
	e = &webhook.Event{Topic: webhook.TopicOrdersCreate, Body: []byte(`{"id":"not a number"}`)}
	var de *webhook.DecodeError
	if _, err := e.Payload(); !errors.As(err, &de) || de.Topic != webhook.TopicOrdersCreate {
		t.Fatalf("bad body: %v", err)
	}
}
