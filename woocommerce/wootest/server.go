package wootest

import (
	"context"
	"crypto/tls"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// DefaultStoreName is the store NewServer creates when no WithStore option
// is given.
const DefaultStoreName = "shop"

// Server is a simulated WooCommerce on an httptest TLS server (WooCommerce
// honours keys only over HTTPS). It serves one or more stores, each a
// WordPress site under its own path (StoreURL). All methods are safe for
// concurrent use.
type Server struct {
	// URL is the base URL of the server, "https://127.0.0.1:41234".
	URL string

	ts    *httptest.Server
	clock func() time.Time
	scale float64

	mu     sync.RWMutex
	stores map[string]*Store
	names  []string

	faults   faults
	wfaults  webhookFaults
	hookHTTP *http.Client
}

type serverConfig struct {
	clock    func() time.Time
	scale    float64
	seed     uint64
	stores   []storeDecl
	hookHTTP *http.Client
}

type storeDecl struct {
	name string
	opts []StoreOption
}

// Option configures a Server.
type Option func(*serverConfig)

// WithStore adds a store; without any WithStore, NewServer adds one named
// DefaultStoreName.
func WithStore(name string, opts ...StoreOption) Option {
	return func(c *serverConfig) { c.stores = append(c.stores, storeDecl{name, opts}) }
}

// WithClock sets the clock for dates (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *serverConfig) {
		if now != nil {
			c.clock = now
		}
	}
}

// WithTimeScale divides the simulator's waits (webhook delivery delays and
// timeouts) by factor (default 1).
func WithTimeScale(factor float64) Option {
	return func(c *serverConfig) {
		if factor > 0 {
			c.scale = factor
		}
	}
}

// WithSeed seeds the random source of rate-based faults (default 1).
func WithSeed(seed uint64) Option { return func(c *serverConfig) { c.seed = seed } }

// WithWebhookClient sends webhook deliveries and pings through c (default:
// a client with the delivery timeout that never follows redirects).
func WithWebhookClient(c *http.Client) Option {
	return func(cfg *serverConfig) { cfg.hookHTTP = c }
}

// NewServer starts a simulated WooCommerce. The caller must Close it.
func NewServer(opts ...Option) *Server {
	cfg := serverConfig{clock: time.Now, scale: 1, seed: 1}
	for _, o := range opts {
		o(&cfg)
	}
	srv := &Server{clock: cfg.clock, scale: cfg.scale, stores: map[string]*Store{}}
	srv.faults.rng = rand.New(rand.NewPCG(cfg.seed, 0x300c))
	srv.wfaults.rng = rand.New(rand.NewPCG(cfg.seed, 0x400c))
	srv.hookHTTP = cfg.hookHTTP
	if srv.hookHTTP == nil {
		srv.hookHTTP = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	srv.ts = httptest.NewTLSServer(http.HandlerFunc(srv.serveHTTP))
	srv.URL = srv.ts.URL
	if len(cfg.stores) == 0 {
		cfg.stores = []storeDecl{{name: DefaultStoreName}}
	}
	for _, d := range cfg.stores {
		srv.AddStore(d.name, d.opts...)
	}
	return srv
}

// Close stops the webhook deliveries and the server.
func (srv *Server) Close() {
	srv.mu.RLock()
	stores := make([]*Store, 0, len(srv.stores))
	for _, s := range srv.stores {
		stores = append(stores, s)
	}
	srv.mu.RUnlock()
	for _, s := range stores {
		s.hooks.stop()
	}
	srv.ts.Close()
}

// AddStore adds a store (a panic if the name is taken or not a path
// segment: a test defect).
func (srv *Server) AddStore(name string, opts ...StoreOption) *Store {
	if name == "" || strings.ContainsAny(name, "/?#") {
		panic(fmt.Sprintf("wootest: store name %q is not a path segment", name))
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if _, ok := srv.stores[name]; ok {
		panic(fmt.Sprintf("wootest: store %q exists", name))
	}
	s := newStore(srv, name, opts)
	srv.stores[name] = s
	srv.names = append(srv.names, name)
	s.hooks.start()
	return s
}

// Store returns the named store, or nil.
func (srv *Server) Store(name string) *Store {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.stores[name]
}

// DefaultStore returns the first store.
func (srv *Server) DefaultStore() *Store {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.stores[srv.names[0]]
}

// Stores returns the stores' names in the order they were added.
func (srv *Server) Stores() []string {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return slices.Clone(srv.names)
}

// StoreURL returns the store's site address, what woocommerce.NewClient
// takes: the server URL plus "/" + name.
func (srv *Server) StoreURL(name string) string { return srv.URL + "/" + name }

// HTTPClient returns an HTTP client that trusts the server's certificate.
func (srv *Server) HTTPClient() *http.Client { return srv.ts.Client() }

// TLSConfig returns a TLS configuration that trusts the server's
// certificate, for callers that build their own transport.
func (srv *Server) TLSConfig() *tls.Config {
	if t, ok := srv.ts.Client().Transport.(*http.Transport); ok {
		return t.TLSClientConfig.Clone()
	}
	return nil
}

// Client returns a woocommerce.Client for the store with its default
// read/write key, the server's TLS trust, no pacing (rate.Inf) and short
// retry waits; opts come after these and may override them.
func (srv *Server) Client(store string, opts ...woocommerce.Option) (*woocommerce.Client, error) {
	s := srv.Store(store)
	if s == nil {
		return nil, fmt.Errorf("wootest: no store %q", store)
	}
	ck, cs := s.Key()
	base := []woocommerce.Option{
		woocommerce.WithKeys(ck, cs),
		woocommerce.WithHTTPClient(srv.HTTPClient()),
		woocommerce.WithRate(rate.Inf, 1),
		woocommerce.WithRetryWait(5*time.Millisecond, 50*time.Millisecond),
	}
	return woocommerce.NewClient(srv.StoreURL(store), append(base, opts...)...)
}

// scaled divides d by the time scale.
func (srv *Server) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / srv.scale)
}

// WaitWebhooks waits until no store has a webhook delivery queued or in
// flight (deliveries still delayed count as queued).
func (srv *Server) WaitWebhooks(ctx context.Context) error {
	for {
		busy := false
		srv.mu.RLock()
		for _, s := range srv.stores {
			if s.hooks.pending() > 0 {
				busy = true
			}
		}
		srv.mu.RUnlock()
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// serveHTTP routes a request to its store: /{store}/wp-json/{route} or
// /{store}/?rest_route={route}.
func (srv *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	s := srv.Store(name)
	if s == nil {
		http.Error(w, "<html><body><h1>Not Found</h1></body></html>", http.StatusNotFound)
		return
	}
	var route string
	switch {
	case rest == "wp-json" || strings.HasPrefix(rest, "wp-json/"):
		route = "/" + strings.TrimPrefix(strings.TrimPrefix(rest, "wp-json"), "/")
	case r.URL.Query().Has("rest_route"):
		route = r.URL.Query().Get("rest_route")
	default:
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprintf(w, "<!doctype html><html><head><title>%s</title></head><body>storefront</body></html>", s.siteName())
		return
	}
	if route == "" {
		route = "/"
	}
	s.serve(w, r, route)
}

// requestURL is the absolute URL of r, as WordPress builds Link headers.
func requestURL(r *http.Request) *url.URL {
	u := *r.URL
	u.Scheme = "https"
	u.Host = r.Host
	return &u
}
