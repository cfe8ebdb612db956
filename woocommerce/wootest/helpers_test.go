package wootest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// receiver records the requests a webhook address gets and answers them
// with status (200 unless set).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	status int
}

type received struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rv := &receiver{status: http.StatusOK}
	rv.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rv.mu.Lock()
		rv.got = append(rv.got, received{header: r.Header.Clone(), body: b})
		st := rv.status
		rv.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(rv.Close)
	return rv
}

func (rv *receiver) setStatus(s int) {
	rv.mu.Lock()
	rv.status = s
	rv.mu.Unlock()
}

func (rv *receiver) requests() []received {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	return append([]received(nil), rv.got...)
}

// deliveries returns the signed deliveries (not pings).
func (rv *receiver) deliveries() []received {
	var out []received
	for _, r := range rv.requests() {
		if r.header.Get(woocommerce.HeaderWebhookTopic) != "" {
			out = append(out, r)
		}
	}
	return out
}

func newTestServer(t *testing.T, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func client(t *testing.T, srv *Server, store string, opts ...woocommerce.Option) *woocommerce.Client {
	t.Helper()
	c, err := srv.Client(store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func waitHooks(t *testing.T, srv *Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}
