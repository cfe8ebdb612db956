package console_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/console"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// fakeShop is a shop the tests control: its token, its locations, how
// many products it lists (one page at a time, each page waiting for the
// gate when one is set), and whether decoding its webhooks fails.
type fakeShop struct {
	domain   string
	token    string
	name     string
	products int
	pageSize int
	gate     chan struct{} // nil: pages come at once
	// badPayloads is the number of webhook payloads Decode refuses
	// before it accepts them again.
	badPayloads atomic.Int32
	// budgetUsed is the API budget in use the connector reports, in
	// thousandths (0: none reported).
	budgetUsed atomic.Int32
	// subscribed are the webhook groups subscribed; missing the topics
	// the next EnsureWebhooks finds missing.
	mu      gosync.Mutex
	missing []string
}

// fakeSystem is the shop system of the fake shops, named as console's
// ShopifyToken method says its shops are.
type fakeSystem struct{}

func (fakeSystem) Name() string { return "shopify" }

func (fakeSystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := wmssync.NormalizeAdminURL(s.AdminURL)
	if err != nil {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: err.Error()}
	}
	s.AdminURL = u
	return s, nil
}

func (fakeSystem) EventShop(s wmssync.Settings) string { return s.Domain() }

// fakeConnector is the shop as the engine sees it through the host's
// Connect, with the token the merchant entered.
type fakeConnector struct {
	shop  *fakeShop
	token string
}

func (c *fakeConnector) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	if c.token != c.shop.token {
		return wmssync.ShopInfo{}, fmt.Errorf("%w: token not accepted", wmssync.ErrUnauthorized)
	}
	req := []wmssync.ScopeRequirement{
		{AnyOf: []string{"read_products", "write_products"}, Feature: "import products (S7)"},
		{AnyOf: []string{"read_orders"}, Feature: "receive orders (S10)"},
	}
	if f.POS {
		req = append(req, wmssync.ScopeRequirement{NotSupported: true, Feature: "point of sale (S4)",
			Reason: "the shop system has no point of sale"})
	}
	if !f.SalesHistorySince.IsZero() && f.SalesHistorySince.Before(f.Today.AddDays(-60)) {
		req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"read_all_orders"}, Feature: "import sales history (S12)",
			Reason: "sales history goes back more than 60 days"})
	}
	return wmssync.ShopInfo{Name: c.shop.name, Domain: c.shop.domain, Country: "DK", Currency: "EUR", Timezone: "UTC",
		GrantedScopes:  []string{"read_products", "read_orders"},
		RequiredScopes: req,
		Locations: []wmssync.Location{
			{ID: "loc-1", Name: "Main warehouse <b>north</b>", Active: true},
			{ID: "loc-2", Name: "Shop floor", Active: true},
		},
		APIVersion: "2026-10", APIVersionOK: true, SupportedVersions: []string{"2026-10"}}, nil
}

func (c *fakeConnector) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	start := 0
	if cursor != "" {
		if _, err := fmt.Sscan(cursor, &start); err != nil {
			return wmssync.Page[wmssync.Product]{}, wmssync.ErrCursorExpired
		}
	}
	if g := c.shop.gate; g != nil {
		select {
		case <-g:
		case <-ctx.Done():
			return wmssync.Page[wmssync.Product]{}, ctx.Err()
		}
	}
	var p wmssync.Page[wmssync.Product]
	p.Total = int64(c.shop.products)
	end := min(start+c.shop.pageSize, c.shop.products)
	for i := start; i < end; i++ {
		sku := fmt.Sprintf("SKU-%04d", i)
		p.Items = append(p.Items, wmssync.Product{Product: wms.Product{ExternalID: fmt.Sprintf("p%d", i), Title: "Product " + sku,
			Variants: []wms.Variant{{ExternalID: fmt.Sprintf("v%d", i), SKU: sku}}}, UpdatedAt: time.Unix(1700000000, 0)})
	}
	if end < c.shop.products {
		p.Next = fmt.Sprint(end)
	}
	return p, nil
}

func (c *fakeConnector) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	return wmssync.Page[wmssync.Order]{}, nil
}

func (c *fakeConnector) APIBudget() (wmssync.APIBudget, bool) {
	used := c.shop.budgetUsed.Load()
	if used == 0 {
		return wmssync.APIBudget{}, false
	}
	return wmssync.APIBudget{Available: float64(1000 - used), Capacity: 1000, RestoreRate: 50}, true
}

func (c *fakeConnector) EnsureWebhooks(ctx context.Context, g wmssync.WebhookGroup) ([]string, error) {
	c.shop.mu.Lock()
	defer c.shop.mu.Unlock()
	created := c.shop.missing
	c.shop.missing = nil
	return created, nil
}

func (c *fakeConnector) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	if c.shop.badPayloads.Load() > 0 {
		c.shop.badPayloads.Add(-1)
		return wmssync.Change{}, fmt.Errorf("%w: the payload is not a product: %s", wmssync.ErrInvalidPayload, e.Body)
	}
	return wmssync.Change{Kind: wmssync.ChangeNone}, nil
}

// env is a console over a real engine (SQLite store, reference WMS) and
// fake shops, served by httptest.
type env struct {
	t       *testing.T
	eng     *wmssync.Engine
	store   *sqlite.Store
	con     *console.Console
	srv     *httptest.Server
	shops   map[string]*fakeShop // by domain
	mu      gosync.Mutex
	tokens  map[string]string // shop id -> token, the host's secret store
	secrets []string
}

// newEnv builds the environment; cfg's Engine and Warehouses are filled in.
func newEnv(t *testing.T, cfg console.Config) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, shops: map[string]*fakeShop{}, tokens: map[string]string{}}
	e.shops["one.myshopify.com"] = &fakeShop{domain: "one.myshopify.com", token: "shpat_one_0123456789abcdef", name: "Shop One",
		products: 30, pageSize: 10}
	e.shops["two.myshopify.com"] = &fakeShop{domain: "two.myshopify.com", token: "shpat_two_fedcba9876543210", name: "Shop Two",
		products: 5, pageSize: 5}
	e.secrets = []string{"shpat_one_0123456789abcdef", "shpat_two_fedcba9876543210", "app-secret-key-42"}
	var err error
	e.store, err = sqlite.Open(ctx, t.TempDir()+"/console.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	wh, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "CPH", Name: "Copenhagen"}, {ID: "AAR", Name: "Aarhus"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.eng, err = wmssync.NewEngine(wmssync.Config{Backend: wh, Store: e.store, Connect: e.connect,
		ShopSystems:       []wmssync.ShopSystem{fakeSystem{}},
		ReconcileInterval: time.Hour, AuditInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Engine, cfg.Warehouses = e.eng, wh
	if cfg.Methods == nil {
		cfg.Methods = []console.Method{console.ShopifyToken(func(ctx context.Context, shop, adminURL, token, secret string) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.tokens[shop] = token
			return nil
		})}
	}
	e.con, err = console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.con.Close() })
	mux := http.NewServeMux()
	mux.Handle("/", e.con)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	shop := e.shops[s.Domain()]
	if shop == nil {
		return nil, fmt.Errorf("%w: no shop at %s", wmssync.ErrUnreachable, s.Domain())
	}
	e.mu.Lock()
	tok, ok := e.tokens[s.Shop]
	e.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%w: no credentials", wmssync.ErrUnauthorized)
	}
	return &fakeConnector{shop: shop, token: tok}, nil
}

// run starts the engine's background work until the test ends.
func (e *env) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.eng.Run(ctx)
	}()
	e.t.Cleanup(func() {
		cancel()
		<-done
	})
}

// response is a page fetched by the tests.
type response struct {
	status int
	header http.Header
	body   string
	loc    string
}

// do sends a request to the console as a same-origin browser would; the
// secrets of the environment must not be in the answer.
func (e *env) do(method, path string, form url.Values, hdr map[string]string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.Header.Set("Origin", e.srv.URL)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, body: string(b), loc: resp.Header.Get("Location")}
	for _, s := range e.secrets {
		if strings.Contains(r.body, s) {
			e.t.Fatalf("%s %s shows a secret (%.8s…)", method, path, s)
		}
		for k, vs := range resp.Header {
			if strings.Contains(strings.Join(vs, " "), s) {
				e.t.Fatalf("%s %s: header %s holds a secret (%.8s…)", method, path, k, s)
			}
		}
	}
	return r
}

func (e *env) get(path string) response {
	e.t.Helper()
	return e.do(http.MethodGet, path, nil, nil)
}

func (e *env) post(path string, form url.Values) response {
	e.t.Helper()
	return e.do(http.MethodPost, path, form, nil)
}

// connectShop connects the fake shop at domain as shop id through the
// connect form and checks it was saved.
func (e *env) connectShop(id, domain string) {
	e.t.Helper()
	r := e.post("/connect/shopify-token", url.Values{"shop": {id}, "admin_url": {"https://" + domain},
		"access_token": {e.shops[domain].token}, "api_secret": {"app-secret-key-42"}})
	if r.status != http.StatusSeeOther {
		e.t.Fatalf("connect %s: HTTP %d\n%s", id, r.status, r.body)
	}
}

// waitFor polls cond until it is true.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

var errRefused = errors.New("only administrators change shops")
