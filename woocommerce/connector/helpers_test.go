package connector

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

const hookSecret = "test-webhook-secret"

type harness struct {
	srv   *wootest.Server
	store *wootest.Store
	conn  *Connector
	hooks *hookSink
}

// hookSink is a webhook endpoint: a webhook.Handler with woowebhook's
// source over a memory inbox.
type hookSink struct {
	*httptest.Server
	inbox *webhook.MemoryInbox
	mu    sync.Mutex
	codes []int
}

func newHarness(t *testing.T, storeOpts ...wootest.StoreOption) *harness {
	t.Helper()
	srv := wootest.NewServer(wootest.WithStore("shop", append([]wootest.StoreOption{wootest.WithDeliveryDelay(10 * time.Millisecond)}, storeOpts...)...))
	t.Cleanup(srv.Close)
	sink := &hookSink{inbox: webhook.NewMemoryInbox()}
	src, err := woowebhook.NewSource(hookSecret)
	if err != nil {
		t.Fatal(err)
	}
	h, err := webhook.NewHandler(sink.inbox, webhook.WithSource(src))
	if err != nil {
		t.Fatal(err)
	}
	sink.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: 200}
		h.ServeHTTP(rec, r)
		sink.mu.Lock()
		sink.codes = append(sink.codes, rec.code)
		sink.mu.Unlock()
	}))
	t.Cleanup(sink.Close)
	client, err := srv.Client("shop")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := New(Config{Client: client, WebhookAddress: sink.URL + "/hooks", WebhookSecret: hookSecret})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{srv: srv, store: srv.Store("shop"), conn: conn, hooks: sink}
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) { r.code = code; r.ResponseWriter.WriteHeader(code) }

// events returns the events stored so far, oldest first, and completes them.
func (s *hookSink) events(t *testing.T) []*webhook.Event {
	t.Helper()
	jobs, err := s.inbox.Claim(context.Background(), 10000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var out []*webhook.Event
	for _, j := range jobs {
		out = append(out, j.Event)
		_ = s.inbox.Complete(context.Background(), j.Event.WebhookID)
	}
	return out
}

func (h *harness) wait(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

// allProducts pages through Products.
func allProducts(t *testing.T, c *Connector, q wmssync.ProductQuery, between func(page int)) []wmssync.Product {
	t.Helper()
	var out []wmssync.Product
	cur := ""
	for page := 1; ; page++ {
		pg, err := c.Products(context.Background(), q, cur)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out
		}
		if page > 10000 {
			t.Fatal("the listing does not end")
		}
		cur = pg.Next
		if between != nil {
			between(page)
		}
	}
}

func allOrders(t *testing.T, c *Connector, q wmssync.OrderQuery) []wmssync.Order {
	t.Helper()
	var out []wmssync.Order
	cur := ""
	for {
		pg, err := c.Orders(context.Background(), q, cur)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out
		}
		cur = pg.Next
	}
}

type webhookEvent struct{ topic, body string }

func (w webhookEvent) event() *webhook.Event {
	return &webhook.Event{Source: "woocommerce", Topic: webhook.Topic(w.topic), Shop: "https://shop.example", WebhookID: "x", Body: []byte(w.body)}
}
