package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// spyInbox wraps an Inbox, counting Puts and optionally failing them.
type spyInbox struct {
	inner webhook.Inbox
	puts  atomic.Int64
	err   error
	delay time.Duration
	ctxOK atomic.Bool // the last Put's context was still live
}

func (s *spyInbox) Put(ctx context.Context, e *webhook.Event) (bool, error) {
	s.puts.Add(1)
	if s.delay > 0 {
		time.Sleep(s.delay)
	}
	s.ctxOK.Store(ctx.Err() == nil)
	if s.err != nil {
		return false, s.err
	}
	return s.inner.Put(ctx, e)
}

func newTestHandler(t *testing.T, inbox webhook.Inbox, opts ...webhook.Option) *webhook.Handler {
	t.Helper()
	h, err := webhook.NewHandler(inbox, append([]webhook.Option{withShopify(t, testSecret)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func signedRequest(t testing.TB, d shopifywebhook.TestDelivery, secret string) *http.Request {
	t.Helper()
	r, err := shopifywebhook.NewSignedRequest(context.Background(), "http://wms.example/webhooks", d, secret)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandlerStoresVerifiedDelivery(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	now := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	h := newTestHandler(t, inbox, webhook.WithClock(func() time.Time { return now }))
	body := sampleBody(t, "2026-07", "orders/create")
	w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "w-1"}, testSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d, want 200", w.Code)
	}
	jobs, _ := inbox.Claim(context.Background(), 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Event.WebhookID != "w-1" || !bytes.Equal(jobs[0].Event.Body, body) || !jobs[0].Event.ReceivedAt.Equal(now) {
		t.Fatalf("inbox holds %+v", jobs)
	}
	if s := h.Stats(); s.Stored != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestHandlerRejectsWithoutSideEffect(t *testing.T) {
	body := []byte(`{"id":1}`)
	cases := map[string]func() *http.Request{
		"wrong secret": func() *http.Request {
			return signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, "wrong")
		},
		"no signature": func() *http.Request {
			r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, testSecret)
			r.Header.Del(shopifywebhook.HeaderHmac)
			return r
		},
		"tampered body": func() *http.Request {
			r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, testSecret)
			r.Body = nopCloser(strings.NewReader(`{"id":2}`))
			return r
		},
		"non-base64 signature": func() *http.Request {
			r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, testSecret)
			r.Header.Set(shopifywebhook.HeaderHmac, "not base64 !!")
			return r
		},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			spy := &spyInbox{inner: webhook.NewMemoryInbox()}
			h := newTestHandler(t, spy)
			w := serve(h, req())
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", w.Code)
			}
			if n := spy.puts.Load(); n != 0 {
				t.Fatalf("inbox touched %d times on a 401", n)
			}
			if s := h.Stats(); s.Unauthorized != 1 || s.Stored != 0 {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestHandlerInboxFailureIs5xx(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox(), err: errors.New("database is down")}
	h := newTestHandler(t, spy)
	w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{"id":1}`)}, testSecret))
	if w.Code < 500 || w.Code > 599 {
		t.Fatalf("status %d, want 5xx so Shopify retries", w.Code)
	}
	if strings.Contains(w.Body.String(), "database") {
		t.Errorf("internal error leaked to the client: %q", w.Body.String())
	}
	if s := h.Stats(); s.StoreFailed != 1 || s.Stored != 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestHandlerConcurrentDeliveriesOfOneWebhookID(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	h := newTestHandler(t, inbox)
	body := sampleBody(t, "2026-07", "orders/create")
	d := shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "same-webhook-id", EventID: "e1"}
	const n = 100
	reqs := make([]*http.Request, n)
	for i := range reqs {
		reqs[i] = signedRequest(t, d, testSecret)
	}
	codes := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i] = serve(h, reqs[i]).Code
		}()
	}
	close(start)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, c)
		}
	}
	if st := inbox.Stats(); st.Pending != 1 {
		t.Fatalf("inbox %+v, want exactly one pending event", st)
	}
	jobs, _ := inbox.Claim(context.Background(), 1000, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("%d events stored, want 1", len(jobs))
	}
	if s := h.Stats(); s.Stored != 1 || s.Duplicates != n-1 {
		t.Fatalf("stats %+v, want 1 stored and %d duplicates", s, n-1)
	}
}

func TestHandlerOversizeBody(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy, webhook.WithMaxBodyBytes(1024))
	body := []byte(`{"note":"` + strings.Repeat("x", 2000) + `"}`)
	w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, testSecret))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", w.Code)
	}
	if spy.puts.Load() != 0 || h.Stats().TooLarge != 1 {
		t.Fatalf("puts %d stats %+v", spy.puts.Load(), h.Stats())
	}
	// Exactly at the limit is fine.
	body = []byte(`{"note":"` + strings.Repeat("x", 1024-11) + `"}`)
	if len(body) != 1024 {
		t.Fatalf("test body is %d bytes", len(body))
	}
	if w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, testSecret)); w.Code != 200 {
		t.Fatalf("body at the limit: status %d", w.Code)
	}
}

func TestHandlerDefaultBodyLimit(t *testing.T) {
	h := newTestHandler(t, webhook.NewMemoryInbox())
	body := bytes.Repeat([]byte("x"), webhook.DefaultMaxBodyBytes+1)
	if w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, testSecret)); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", w.Code)
	}
}

func TestHandlerMethodNotAllowed(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy)
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete} {
		r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}, testSecret)
		r.Method = m
		w := serve(h, r)
		if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != http.MethodPost {
			t.Fatalf("%s: status %d Allow %q", m, w.Code, w.Header().Get("Allow"))
		}
	}
	if spy.puts.Load() != 0 || h.Stats().MethodNotAllowed != 4 {
		t.Fatalf("puts %d stats %+v", spy.puts.Load(), h.Stats())
	}
}

func TestHandlerUnknownTopicAcknowledged(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy)
	w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: "carts/create", Body: []byte(`{}`)}, testSecret))
	if w.Code != http.StatusOK || spy.puts.Load() != 0 || h.Stats().UnknownTopic != 1 {
		t.Fatalf("status %d puts %d stats %+v", w.Code, spy.puts.Load(), h.Stats())
	}
	// A topic outside WithTopics counts as unknown too; WithAllTopics stores anything.
	h = newTestHandler(t, spy, webhook.WithTopics(shopifywebhook.TopicOrdersCreate))
	serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicProductsUpdate, Body: []byte(`{}`)}, testSecret))
	if spy.puts.Load() != 0 || h.Stats().UnknownTopic != 1 {
		t.Fatalf("WithTopics: puts %d stats %+v", spy.puts.Load(), h.Stats())
	}
	h = newTestHandler(t, spy, webhook.WithAllTopics())
	serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: "carts/create", Body: []byte(`{}`)}, testSecret))
	if spy.puts.Load() != 1 || h.Stats().Stored != 1 {
		t.Fatalf("WithAllTopics: puts %d stats %+v", spy.puts.Load(), h.Stats())
	}
}

func TestHandlerMalformed(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy)
	r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}, testSecret)
	r.Header.Del(shopifywebhook.HeaderWebhookID)
	r.Header.Del(shopifywebhook.HeaderEventID)
	if w := serve(h, r); w.Code != http.StatusBadRequest {
		t.Fatalf("no ids: status %d", w.Code)
	}
	r = signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate}, testSecret)
	if w := serve(h, r); w.Code != http.StatusBadRequest {
		t.Fatalf("empty body: status %d", w.Code)
	}
	if spy.puts.Load() != 0 || h.Stats().Malformed != 2 {
		t.Fatalf("puts %d stats %+v", spy.puts.Load(), h.Stats())
	}
}

func TestHandlerPutOutlivesClientDisconnect(t *testing.T) {
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h := newTestHandler(t, spy)
	ctx, cancel := context.WithCancel(context.Background())
	r := signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}, testSecret).WithContext(ctx)
	cancel() // the client hung up
	serve(h, r)
	if !spy.ctxOK.Load() {
		t.Fatal("Put ran with the cancelled request context")
	}
}

func TestHandlerStoreTimeout(t *testing.T) {
	slow := &blockingInbox{}
	h := newTestHandler(t, slow, webhook.WithStoreTimeout(20*time.Millisecond))
	w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}, testSecret))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", w.Code)
	}
}

// blockingInbox blocks until the context ends.
type blockingInbox struct{}

func (blockingInbox) Put(ctx context.Context, _ *webhook.Event) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

func TestNewHandlerNeedsSourceAndInbox(t *testing.T) {
	if _, err := webhook.NewHandler(webhook.NewMemoryInbox()); !errors.Is(err, webhook.ErrNoSource) {
		t.Errorf("no source: %v", err)
	}
	if _, err := webhook.NewHandler(webhook.NewMemoryInbox(), webhook.WithSource(nil)); err == nil {
		t.Error("nil source accepted")
	}
	if _, err := shopifywebhook.NewSource("", ""); !errors.Is(err, webhook.ErrNoSecret) {
		t.Errorf("empty secret: %v", err)
	}
	if _, err := webhook.NewHandler(nil, withShopify(t, "x")); err == nil {
		t.Error("nil inbox accepted")
	}
}

// TestHandlerSecretsNeverLeak drives every outcome with a debug logger and
// checks that neither the logs, the responses nor printing the handler
// reveal a secret (or its bytes, or its base64).
func TestHandlerSecretsNeverLeak(t *testing.T) {
	const oldSecret = "shpss_OLD_rotating_secret_42"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	spy := &spyInbox{inner: webhook.NewMemoryInbox()}
	h, err := webhook.NewHandler(spy, withShopify(t, testSecret, oldSecret), webhook.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	var responses bytes.Buffer
	body := []byte(`{"id":1}`)
	for _, r := range []*http.Request{
		signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "a"}, testSecret),
		signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "a"}, oldSecret),
		signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, "attacker"),
		signedRequest(t, shopifywebhook.TestDelivery{Topic: "carts/create", Body: body}, testSecret),
		signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate}, testSecret),
	} {
		responses.WriteString(serve(h, r).Body.String())
	}
	spy.err = errors.New("down")
	responses.WriteString(serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, testSecret)).Body.String())

	printed := fmt.Sprintf("%v %+v %#v", h, h, h)
	for _, s := range []string{testSecret, oldSecret} {
		for _, form := range []string{s, fmt.Sprint([]byte(s)), fmt.Sprintf("%x", s), b64(s)} {
			for where, text := range map[string]string{"logs": logs.String(), "responses": responses.String(), "printed handler": printed} {
				if strings.Contains(text, form) {
					t.Errorf("%s reveal a secret (%q)", where, form)
				}
			}
		}
	}
	if !strings.Contains(logs.String(), "webhook rejected") || !strings.Contains(logs.String(), "webhook stored") {
		t.Fatalf("expected log lines missing:\n%s", logs.String())
	}
}

func b64(s string) string { return strings.TrimRight(base64Std(s), "=") }

// copyingInbox is a BodyCopier: Put copies each event's body, as a database
// does, and keeps the copies by webhook id.
type copyingInbox struct {
	mu     sync.Mutex
	bodies map[string][]byte
}

func (c *copyingInbox) CopiesBody() bool { return true }

func (c *copyingInbox) Put(_ context.Context, e *webhook.Event) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, dup := c.bodies[e.WebhookID]; dup {
		return false, nil
	}
	c.bodies[e.WebhookID] = bytes.Clone(e.Body)
	return true, nil
}

// deliveries returns n signed deliveries of different lengths and contents.
func deliveries(t *testing.T, n int) ([]shopifywebhook.TestDelivery, []*http.Request) {
	ds := make([]shopifywebhook.TestDelivery, n)
	rs := make([]*http.Request, n)
	for i := range n {
		ds[i] = shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, WebhookID: fmt.Sprintf("w-%d", i),
			Body: []byte(fmt.Sprintf(`{"id":%d,"note":%q}`, i, strings.Repeat(string(rune('a'+i%26)), 1+i*37%900)))}
		rs[i] = signedRequest(t, ds[i], testSecret)
	}
	return ds, rs
}

// Body buffers are reused across requests when the inbox copies bodies:
// concurrent deliveries of different sizes each store their own body, and
// tampering is still caught on a reused buffer.
func TestHandlerReusesBodiesOfCopyingInbox(t *testing.T) {
	inbox := &copyingInbox{bodies: map[string][]byte{}}
	h := newTestHandler(t, inbox)
	ds, rs := deliveries(t, 400)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < len(rs); i += 8 {
				if code := serve(h, rs[i]).Code; code != http.StatusOK {
					t.Errorf("delivery %d: status %d", i, code)
				}
				bad := signedRequest(t, ds[i], testSecret)
				bad.Body = nopCloser(bytes.NewReader(append([]byte(`{"x":1}`), ds[i].Body[7:]...)))
				if code := serve(h, bad).Code; code != http.StatusUnauthorized {
					t.Errorf("tampered delivery %d: status %d", i, code)
				}
			}
		})
	}
	wg.Wait()
	for _, d := range ds {
		if got := inbox.bodies[d.WebhookID]; !bytes.Equal(got, d.Body) {
			t.Fatalf("%s: stored %q, want %q", d.WebhookID, got, d.Body)
		}
	}
	if s := h.Stats(); s.Stored != uint64(len(ds)) || s.Unauthorized != uint64(len(ds)) {
		t.Fatalf("stats %+v", s)
	}
}

// An inbox that keeps the Event (MemoryInbox, not a BodyCopier) keeps a
// body that no later request overwrites.
func TestHandlerDoesNotReuseBodiesKeptByInbox(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	h := newTestHandler(t, inbox)
	ds, rs := deliveries(t, 50)
	for i, r := range rs {
		if code := serve(h, r).Code; code != http.StatusOK {
			t.Fatalf("delivery %d: status %d", i, code)
		}
		// A rejected request in between must not reuse a kept buffer either.
		bad := signedRequest(t, ds[i], "wrong")
		if code := serve(h, bad).Code; code != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", code)
		}
	}
	jobs, err := inbox.Claim(context.Background(), len(ds), time.Minute)
	if err != nil || len(jobs) != len(ds) {
		t.Fatalf("claimed %d, %v", len(jobs), err)
	}
	want := map[string][]byte{}
	for _, d := range ds {
		want[d.WebhookID] = d.Body
	}
	for _, j := range jobs {
		if !bytes.Equal(j.Event.Body, want[j.Event.WebhookID]) {
			t.Fatalf("%s: inbox holds %q, want %q", j.Event.WebhookID, j.Event.Body, want[j.Event.WebhookID])
		}
	}
}
