package shopifytest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wmsbridge/wmsbridge/internal/adminschema"
)

// DefaultShopName is the shop NewServer creates when no WithShop option is given.
const DefaultShopName = "test-shop"

// SupportedVersions are the API versions the server answers for; any other
// version falls forward to the oldest one, as Shopify does. All are served
// with the 2026-10 schema.
var supportedVersions = []string{"2025-10", "2026-01", "2026-04", "2026-07", "2026-10"}

// Server is a simulated Shopify Admin API on an httptest.Server. It serves
// one or more shops, each under its own path prefix (ShopURL). All methods
// are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, e.g. "http://127.0.0.1:41234".
	URL string

	ts     *httptest.Server
	mux    *http.ServeMux
	schema *ast.Schema
	scale  float64
	clock  func() time.Time
	seed   uint64

	mu     sync.RWMutex
	shops  map[string]*Shop
	order  []string
	docs   docCache
	faults faults
	reqSeq atomic.Int64

	app   *oauthApp        // the app merchants install (oauth.go)
	bulk  *bulkManager     // bulk operations (bulk.go)
	hooks *webhookDelivery // webhook delivery (webhook_delivery.go)
}

type serverConfig struct {
	scale float64
	clock func() time.Time
	seed  uint64
	shops []shopDecl
	ext   extOptions // bulk and webhook options (bulk.go, webhook_delivery.go)
	app   *oauthApp  // WithOAuthApp (oauth.go)
}

type shopDecl struct {
	name string
	opts []ShopOption
}

// Option configures a Server.
type Option func(*serverConfig)

// WithTimeScale speeds simulated time up by factor (default 1): the bucket
// restores factor times faster (and throttleStatus reports the scaled
// restore rate), and every duration the simulator waits (token lifetimes,
// and the bulk and webhook schedules built on Server.Scaled) is divided by
// factor, so rate-limited scenarios keep their shape but run fast.
func WithTimeScale(factor float64) Option {
	return func(c *serverConfig) {
		if factor > 0 {
			c.scale = factor
		}
	}
}

// WithClock sets the clock for timestamps, token expiry and the bucket
// (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *serverConfig) { c.clock = now }
}

// WithSeed seeds the server's random source, used for rate-based faults
// (default 1).
func WithSeed(seed uint64) Option {
	return func(c *serverConfig) { c.seed = seed }
}

// WithShop adds a shop; without any WithShop, NewServer adds one shop
// named DefaultShopName.
func WithShop(name string, opts ...ShopOption) Option {
	return func(c *serverConfig) { c.shops = append(c.shops, shopDecl{name, opts}) }
}

// NewServer starts a simulated Shopify. The caller must Close it. It
// panics only if the embedded schema cannot be loaded, which is a build
// defect (httptest.NewServer panics likewise when it cannot listen).
func NewServer(opts ...Option) *Server {
	cfg := serverConfig{scale: 1, clock: time.Now, seed: 1}
	for _, o := range opts {
		o(&cfg)
	}
	schema, err := adminschema.Load()
	if err != nil {
		panic(fmt.Sprintf("shopifytest: %v", err))
	}
	srv := &Server{schema: schema, scale: cfg.scale, clock: cfg.clock, seed: cfg.seed, shops: map[string]*Shop{}, mux: http.NewServeMux()}
	srv.faults.rng = rand.New(rand.NewPCG(cfg.seed, 0x5eed))
	srv.docs.max = 512
	srv.routes()
	srv.ts = httptest.NewServer(srv.mux)
	srv.URL = srv.ts.URL
	srv.app = cfg.app
	if cfg.app != nil && cfg.ext.webhook.secret.get() == "" {
		cfg.ext.webhook.secret = cfg.app.secrets[0] // Shopify signs webhooks with the app's client secret
	}
	srv.startExtensions(cfg.ext) // bulk operations and webhook delivery (bulk.go, webhook_delivery.go)
	if len(cfg.shops) == 0 {
		cfg.shops = []shopDecl{{name: DefaultShopName}}
	}
	for _, d := range cfg.shops {
		srv.AddShop(d.name, d.opts...)
	}
	return srv
}

// Close shuts the server down.
func (srv *Server) Close() {
	srv.stopExtensions() // bulk operations and webhook delivery (bulk.go, webhook_delivery.go)
	srv.ts.Close()
}

// HTTPClient returns an HTTP client for the server (httptest's).
func (srv *Server) HTTPClient() *http.Client { return srv.ts.Client() }

// TimeScale returns the time-scale factor (1 = real time).
func (srv *Server) TimeScale() float64 { return srv.scale }

// Scaled returns d divided by the time scale: the real time that a
// simulated duration d takes.
func (srv *Server) Scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) / srv.scale)
}

func (srv *Server) now() time.Time { return srv.clock() }

// AddShop adds a shop (replacing none: it returns the existing shop when the
// name is taken). Shop names must be URL path segments.
func (srv *Server) AddShop(name string, opts ...ShopOption) *Shop {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if s := srv.shops[name]; s != nil {
		return s
	}
	cfg := defaultShopConfig(name)
	for _, o := range opts {
		o(&cfg)
	}
	s := &Shop{
		name: name, srv: srv, cfg: cfg, nextID: cfg.idBase,
		tokens:            map[string]time.Time{},
		locations:         map[int64]*Location{},
		products:          map[int64]*Product{},
		variants:          map[int64]*Variant{},
		items:             map[int64]*InventoryItem{},
		levels:            map[levelKey]*InventoryLevel{},
		levelByID:         map[int64]levelKey{},
		itemLevels:        map[int64][]int64{},
		orders:            map[int64]*Order{},
		fulfillmentOrders: map[int64]*FulfillmentOrder{},
		fulfillments:      map[int64]*Fulfillment{},
		refunds:           map[int64]*Refund{},
		webhooks:          map[int64]*WebhookSubscription{},
		adjustments:       map[int64]*InventoryAdjustmentGroup{},
		idempotency:       map[string]*idemEntry{},
		listeners:         map[int]func(Event){},
	}
	s.bucket = newBucket(cfg.bucketSize, cfg.restoreRate, srv.scale, srv.now())
	if cfg.notInstalled {
		s.auth.uninstalled = true
		s.cfg.scopes = nil
	} else if cfg.accessToken != "" {
		s.tokens[cfg.accessToken] = time.Time{}
	}
	s.info = ShopInfo{
		ID: s.newID(), Name: titleCase(name), MyshopifyDomain: name + ".myshopify.com", Email: "owner@" + name + ".example",
		CurrencyCode: "EUR", IanaTimezone: "Europe/Berlin", WeightUnit: "KILOGRAMS",
		PlanName: cfg.plan.String(), ShopifyPlus: cfg.plan == PlanPlus || cfg.plan == PlanEnterprise, Development: cfg.plan == PlanDevelopment,
	}
	srv.shops[name] = s
	srv.order = append(srv.order, name)
	srv.hooks.addShop(s) // webhook delivery (webhook_delivery.go)
	return s
}

// Shop returns the named shop, or nil.
func (srv *Server) Shop(name string) *Shop {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	return srv.shops[name]
}

// DefaultShop returns the first shop added.
func (srv *Server) DefaultShop() *Shop {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	if len(srv.order) == 0 {
		return nil
	}
	return srv.shops[srv.order[0]]
}

// Shops returns all shops in the order they were added.
func (srv *Server) Shops() []*Shop {
	srv.mu.RLock()
	defer srv.mu.RUnlock()
	out := make([]*Shop, 0, len(srv.order))
	for _, n := range srv.order {
		out = append(out, srv.shops[n])
	}
	return out
}

// ShopURL returns the base URL of a shop, to pass to shopify.WithBaseURL:
// srv.URL + "/shops/" + name. The GraphQL endpoint is
// ShopURL(name) + "/admin/api/{version}/graphql.json".
func (srv *Server) ShopURL(name string) string {
	return srv.URL + "/shops/" + url.PathEscape(name)
}

// GraphQLURL returns the GraphQL endpoint of a shop for an API version.
func (srv *Server) GraphQLURL(name, version string) string {
	return srv.ShopURL(name) + "/admin/api/" + version + "/graphql.json"
}

// Handle registers an extra handler on the server's mux under a Go 1.22
// pattern (e.g. "GET /shops/{shop}/bulk/{id}"), for simulator extensions.
func (srv *Server) Handle(pattern string, h http.Handler) { srv.mux.Handle(pattern, h) }

func (srv *Server) routes() {
	srv.mux.HandleFunc("POST /shops/{shop}/admin/api/{version}/graphql.json", srv.handleGraphQL)
	srv.mux.HandleFunc("POST /shops/{shop}/admin/oauth/access_token", srv.handleToken)
	srv.mux.HandleFunc("GET /shops/{shop}/admin/oauth/authorize", srv.handleAuthorize)
	srv.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
	})
}

func (srv *Server) shopFor(w http.ResponseWriter, r *http.Request) *Shop {
	s := srv.Shop(r.PathValue("shop"))
	if s == nil {
		writeJSON(w, http.StatusNotFound, map[string]any{"errors": "Not Found"})
	}
	return s
}

func (s *Shop) countFault() {
	s.mu.Lock()
	s.counter.Faults++
	s.mu.Unlock()
}

func (srv *Server) setCommonHeaders(w http.ResponseWriter, version string) {
	n := srv.reqSeq.Add(1)
	w.Header().Set("X-Request-Id", fmt.Sprintf("sim-%08x-%04x", srv.seed, n))
	if version != "" {
		w.Header().Set("X-Shopify-API-Version", version)
	}
}

// effectiveVersion maps a requested version to the one served.
func effectiveVersion(v string) string {
	if slices.Contains(supportedVersions, v) {
		return v
	}
	return supportedVersions[0]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func titleCase(name string) string {
	parts := strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' })
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, " ")
}
