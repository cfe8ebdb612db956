package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// siteSource is a second shop system for the handler's tests, shaped like
// WooCommerce: its own headers, a secret per shop (the shop named by a site
// URL with a path), a delivery id that is not unique (so the key is derived
// from the shop, the delivery id and the body), and an unsigned
// form-encoded ping that must get 200.
type siteSource struct {
	secrets map[string]*webhook.Keyring // by shop URL
}

const (
	siteSig   = "X-Site-Signature"
	siteTopic = "X-Site-Topic"
	siteShop  = "X-Site-Source"
	siteID    = "X-Site-Delivery"
)

func (s *siteSource) Name() string { return "site" }

func (s *siteSource) Classify(r *http.Request, body []byte) webhook.RequestKind {
	switch {
	case r.Header.Get(siteSig) != "" || r.Header.Get(siteTopic) != "":
		return webhook.Delivery
	case bytes.HasPrefix(body, []byte("webhook_id=")) && len(body) < 32:
		return webhook.Ping
	}
	return webhook.NotMine
}

func (s *siteSource) Verify(_ context.Context, r *http.Request, body []byte) error {
	k := s.secrets[r.Header.Get(siteShop)]
	if k == nil {
		return fmt.Errorf("%w for shop %q", webhook.ErrNoSecret, r.Header.Get(siteShop))
	}
	return k.Verify(body, r.Header.Get(siteSig))
}

func (s *siteSource) Event(r *http.Request, body []byte) (*webhook.Event, error) {
	if r.Header.Get(siteTopic) == "" {
		return nil, fmt.Errorf("%w: %s", webhook.ErrMissingHeader, siteTopic)
	}
	return &webhook.Event{
		Topic: webhook.Topic(r.Header.Get(siteTopic)), Shop: r.Header.Get(siteShop),
		WebhookID: "site:" + webhook.ComputeSignature(body, r.Header.Get(siteShop)+"|"+r.Header.Get(siteID)),
		Body:      body,
	}, nil
}

func siteRequest(t *testing.T, shop, topic, id string, body []byte, secret string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, "http://wms.example/webhooks", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set(siteSig, webhook.ComputeSignature(body, secret))
	r.Header.Set(siteTopic, topic)
	r.Header.Set(siteShop, shop)
	r.Header.Set(siteID, id)
	return r
}

// TestHandlerServesSeveralSources: one Handler, two shop systems. Each
// source recognises its own requests and only its own secrets verify them;
// a ping is acknowledged and not stored; what no source claims gets 401.
func TestHandlerServesSeveralSources(t *testing.T) {
	const shopA, shopB = "https://a.example/shop/", "https://b.example/"
	site := &siteSource{secrets: map[string]*webhook.Keyring{
		shopA: webhook.NewKeyring("secret-a"), shopB: webhook.NewKeyring("secret-b"),
	}}
	inbox := webhook.NewMemoryInbox()
	spy := &spyInbox{inner: inbox}
	h := newTestHandler(t, spy, webhook.WithSource(site))
	body := []byte(`{"id":42}`)

	for name, tc := range map[string]struct {
		req  func() *http.Request
		code int
	}{
		"shopify delivery": {func() *http.Request {
			return signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "s-1"}, testSecret)
		}, http.StatusOK},
		"site delivery of shop A": {func() *http.Request { return siteRequest(t, shopA, "order.created", "d1", body, "secret-a") }, http.StatusOK},
		"site delivery of shop B, any topic": {func() *http.Request {
			return siteRequest(t, shopB, "coupon.created", "d1", body, "secret-b")
		}, http.StatusOK},
		"site delivery signed with another shop's secret": {func() *http.Request {
			return siteRequest(t, shopA, "order.created", "d2", body, "secret-b")
		}, http.StatusUnauthorized},
		"site delivery signed with the shopify secret": {func() *http.Request {
			return siteRequest(t, shopA, "order.created", "d3", body, testSecret)
		}, http.StatusUnauthorized},
		"site delivery of an unknown shop": {func() *http.Request {
			return siteRequest(t, "https://c.example/", "order.created", "d4", body, "secret-a")
		}, http.StatusUnauthorized},
		"ping": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, "http://wms.example/webhooks", strings.NewReader("webhook_id=142"))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, http.StatusOK},
		"no source's request": {func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, "http://wms.example/webhooks", bytes.NewReader(body))
			return r
		}, http.StatusUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			if w := serve(h, tc.req()); w.Code != tc.code {
				t.Fatalf("status %d, want %d", w.Code, tc.code)
			}
		})
	}
	st := h.Stats()
	if st.Stored != 3 || st.Pings != 1 || st.Unauthorized != 4 || spy.puts.Load() != 3 {
		t.Fatalf("stats %+v, %d puts", st, spy.puts.Load())
	}
	jobs, _ := inbox.Claim(context.Background(), 10, time.Minute)
	got := map[string]string{}
	for _, j := range jobs {
		got[j.Event.Source+" "+j.Event.Shop+" "+string(j.Event.Topic)] = j.Event.WebhookID
	}
	for _, want := range []string{"shopify example.myshopify.com orders/create", "site " + shopA + " order.created",
		"site " + shopB + " coupon.created"} {
		if got[want] == "" {
			t.Errorf("inbox lacks %q: %v", want, got)
		}
	}
	if got["site "+shopA+" order.created"] == got["site "+shopB+" coupon.created"] {
		t.Error("two shops' deliveries with one delivery id got one deduplication key")
	}
}

// TestHandlerTopicsPerSource: a source that lists its topics (Shopify's)
// has the others acknowledged without storing; a source that lists none
// has every topic stored; WithTopics overrides both.
func TestHandlerTopicsPerSource(t *testing.T) {
	site := &siteSource{secrets: map[string]*webhook.Keyring{"s": webhook.NewKeyring("k")}}
	body := []byte(`{}`)
	shopifyUnknown := func() *http.Request {
		return signedRequest(t, shopifywebhook.TestDelivery{Topic: "carts/create", Body: body}, testSecret)
	}
	for name, tc := range map[string]struct {
		opts                   []webhook.Option
		wantStored, wantUnknow uint64
	}{
		"default":     {nil, 1, 1},
		"WithTopics":  {[]webhook.Option{webhook.WithTopics("carts/create")}, 1, 1},
		"all topics":  {[]webhook.Option{webhook.WithAllTopics()}, 2, 0},
		"none listed": {[]webhook.Option{webhook.WithTopics()}, 0, 2},
	} {
		t.Run(name, func(t *testing.T) {
			h := newTestHandler(t, webhook.NewMemoryInbox(), append(tc.opts, webhook.WithSource(site))...)
			serve(h, shopifyUnknown())
			serve(h, siteRequest(t, "s", "whatever.happened", "1", body, "k"))
			if st := h.Stats(); st.Stored != tc.wantStored || st.UnknownTopic != tc.wantUnknow {
				t.Fatalf("stats %+v", st)
			}
		})
	}
}

// TestHandlerSourceWithoutKey: a source that builds an event without a
// deduplication key gets 400, and nothing is stored.
func TestHandlerSourceWithoutKey(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h, err := webhook.NewHandler(spy, webhook.WithSource(keylessSource{}))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodPost, "http://wms.example/", strings.NewReader(`{}`))
	if w := serve(h, r); w.Code != http.StatusBadRequest || spy.puts.Load() != 0 {
		t.Fatalf("status %d, %d puts", w.Code, spy.puts.Load())
	}
}

type keylessSource struct{}

func (keylessSource) Name() string                                        { return "keyless" }
func (keylessSource) Classify(*http.Request, []byte) webhook.RequestKind  { return webhook.Delivery }
func (keylessSource) Verify(context.Context, *http.Request, []byte) error { return nil }
func (keylessSource) Event(_ *http.Request, body []byte) (*webhook.Event, error) {
	return &webhook.Event{Topic: "t", Body: body}, nil
}

func TestRouterHandleDefault(t *testing.T) {
	r := webhook.NewRouter()
	var got []string
	r.Handle("a", func(_ context.Context, e *webhook.Event) error { got = append(got, "a:"+string(e.Topic)); return nil })
	r.HandleDefault(func(_ context.Context, e *webhook.Event) error {
		got = append(got, "default:"+string(e.Topic))
		return nil
	})
	for _, topic := range []webhook.Topic{"a", "b", "order.created"} {
		if err := r.Dispatch(context.Background(), &webhook.Event{Topic: topic}); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, " ") != "a:a default:b default:order.created" {
		t.Fatalf("dispatched %v", got)
	}
	r.HandleDefault(nil)
	if err := r.Dispatch(context.Background(), &webhook.Event{Topic: "b"}); !errors.Is(err, webhook.ErrNoRoute) {
		t.Fatalf("without a default: %v", err)
	}
}
