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
	if _, err := shopifywebhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) ||
		!strings.Contains(err.Error(), shopifywebhook.HeaderWebhookID) {
		t.Errorf("an HTTPS delivery needs its webhook id; the event id does not stand in for it: %v", err)
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

// TestParseEventRequiredHeaders: as Shopify's own library requires them, a
// delivery needs its topic, shop domain, API version and delivery id
// (X-Shopify-Webhook-Id; for the Events system shopify-webhook-id or
// shopify-event-id) and a body; the error names every missing header of
// the delivery's family.
func TestParseEventRequiredHeaders(t *testing.T) {
	body := []byte(`{"id":1}`)
	for _, unprefixed := range []bool{false, true} {
		full := func() http.Header {
			return shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, Unprefixed: unprefixed}, testSecret)
		}
		name := func(n string) string {
			if unprefixed {
				return strings.ToLower(strings.TrimPrefix(n, "X-"))
			}
			return n
		}
		for _, header := range []string{shopifywebhook.HeaderTopic, shopifywebhook.HeaderShopDomain, shopifywebhook.HeaderAPIVersion} {
			h := full()
			h.Del(name(header))
			_, err := shopifywebhook.ConstructEvent(body, h, testSecret)
			if !errors.Is(err, webhook.ErrMissingHeader) || !strings.Contains(err.Error(), name(header)) {
				t.Errorf("unprefixed=%v, without %s: %v", unprefixed, header, err)
			}
		}
		h := full()
		h.Del(name(shopifywebhook.HeaderShopDomain))
		h.Del(name(shopifywebhook.HeaderAPIVersion))
		_, err := shopifywebhook.ConstructEvent(body, h, testSecret)
		if err == nil || !strings.Contains(err.Error(), name(shopifywebhook.HeaderShopDomain)) || !strings.Contains(err.Error(), name(shopifywebhook.HeaderAPIVersion)) {
			t.Errorf("unprefixed=%v: the error names every missing header: %v", unprefixed, err)
		}
		empty := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Unprefixed: unprefixed}, testSecret)
		if _, err := shopifywebhook.ConstructEvent(nil, empty, testSecret); !errors.Is(err, webhook.ErrEmptyBody) {
			t.Errorf("unprefixed=%v, no body: %v", unprefixed, err)
		}
	}
	// The Events system: the event id is the delivery id when no webhook id is sent.
	h := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, EventID: "evt-1", Unprefixed: true}, testSecret)
	h.Del("Shopify-Webhook-Id")
	e, err := shopifywebhook.ConstructEvent(body, h, testSecret)
	if err != nil || e.WebhookID != "evt-1" {
		t.Errorf("Events delivery keyed by its event id: %v %+v", err, e)
	}
	h.Del("Shopify-Event-Id")
	if _, err := shopifywebhook.ConstructEvent(body, h, testSecret); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Errorf("Events delivery without any id: %v", err)
	}
}

// TestParseEventHeaderShapes: header values shaped otherwise than
// Shopify's are refused with ErrInvalidHeader before anything is stored: a
// shop domain that is not a myshopify.com shop, an overlong or oddly shaped
// id, topic or API version. Shopify's own shapes pass, upper case domains
// taken as lower case.
func TestParseEventHeaderShapes(t *testing.T) {
	body := []byte(`{"id":1}`)
	deliver := func(edit func(d *shopifywebhook.TestDelivery)) (*webhook.Event, error) {
		d := shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, ShopDomain: "nordic-socks.myshopify.com",
			APIVersion: "2026-07", WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", EventID: "7d8a2c1e-0e0b-4b9e-9f3e-1d2c3b4a5f60"}
		edit(&d)
		return shopifywebhook.ConstructEvent(body, shopifywebhook.SignedHeader(d, testSecret), testSecret)
	}
	for name, edit := range map[string]func(d *shopifywebhook.TestDelivery){
		"shop evil.com":                  func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "evil.com" },
		"shop x.myshopify.com.evil.com":  func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "x.myshopify.com.evil.com" },
		"shop with a path":               func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "x.myshopify.com/admin" },
		"shop with a port":               func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "x.myshopify.com:443" },
		"shop .myshopify.com":            func(d *shopifywebhook.TestDelivery) { d.ShopDomain = ".myshopify.com" },
		"shop with a dot in its name":    func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "a.b.myshopify.com" },
		"shop of 300 bytes":              func(d *shopifywebhook.TestDelivery) { d.ShopDomain = strings.Repeat("a", 286) + ".myshopify.com" },
		"webhook id of 900 KB":           func(d *shopifywebhook.TestDelivery) { d.WebhookID = strings.Repeat("a", 900<<10) },
		"webhook id of 256 bytes":        func(d *shopifywebhook.TestDelivery) { d.WebhookID = strings.Repeat("a", 256) },
		"webhook id with spaces":         func(d *shopifywebhook.TestDelivery) { d.WebhookID = "a b" },
		"webhook id with a quote":        func(d *shopifywebhook.TestDelivery) { d.WebhookID = `a"b` },
		"event id of 300 bytes":          func(d *shopifywebhook.TestDelivery) { d.EventID = strings.Repeat("e", 300) },
		"topic without a slash":          func(d *shopifywebhook.TestDelivery) { d.Topic = "orders" },
		"topic in upper case":            func(d *shopifywebhook.TestDelivery) { d.Topic = "ORDERS_CREATE" },
		"topic with a path":              func(d *shopifywebhook.TestDelivery) { d.Topic = "../orders/create" },
		"topic of 200 bytes":             func(d *shopifywebhook.TestDelivery) { d.Topic = webhook.Topic("orders/" + strings.Repeat("x", 193)) },
		"API version 2026-7":             func(d *shopifywebhook.TestDelivery) { d.APIVersion = "2026-7" },
		"API version latest":             func(d *shopifywebhook.TestDelivery) { d.APIVersion = "latest" },
		"subscription name of 300 bytes": func(d *shopifywebhook.TestDelivery) { d.Name = strings.Repeat("n", 300) },
	} {
		if _, err := deliver(edit); !errors.Is(err, webhook.ErrInvalidHeader) {
			t.Errorf("%s: %v, want ErrInvalidHeader", name, err)
		} else if len(err.Error()) > 300 {
			t.Errorf("%s: the error is %d bytes long", name, len(err.Error()))
		}
	}
	for name, edit := range map[string]func(d *shopifywebhook.TestDelivery){
		"as Shopify sends it":  func(d *shopifywebhook.TestDelivery) {},
		"upper case shop":      func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "Nordic-Socks.MyShopify.com" },
		"digits in the shop":   func(d *shopifywebhook.TestDelivery) { d.ShopDomain = "shop-1.myshopify.com" },
		"unstable API version": func(d *shopifywebhook.TestDelivery) { d.APIVersion = "unstable" },
		"deep topic":           func(d *shopifywebhook.TestDelivery) { d.Topic = "inventory_levels/update" },
		"numeric event id":     func(d *shopifywebhook.TestDelivery) { d.EventID = "1234567890" },
	} {
		e, err := deliver(edit)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if e.Shop != strings.ToLower(e.Shop) {
			t.Errorf("%s: shop %q not in lower case", name, e.Shop)
		}
	}
}
