package oauth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

const (
	clientID     = "wms-vendor-app"
	clientSecret = "shpss_VENDOR_CLIENT_SECRET_42"
	redirectURL  = "https://wms.example/shopify/callback"
	shopName     = "merchant"
	shopDomain   = "merchant.myshopify.com"
)

var ctx = context.Background()

// clock is the simulator's and the app's clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type harness struct {
	srv  *shopifytest.Server
	shop *shopifytest.Shop
	clk  *clock
	app  *oauth.App
	logs *syncBuffer
}

func newHarness(t *testing.T, mod ...func(*oauth.Config)) *harness {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)}
	srv := shopifytest.NewServer(shopifytest.WithClock(clk.Now), shopifytest.WithOAuthApp(clientID, clientSecret, redirectURL),
		shopifytest.WithShop(shopName, shopifytest.WithoutApp()), shopifytest.WithShop("other-shop"))
	t.Cleanup(srv.Close)
	h := &harness{srv: srv, shop: srv.Shop(shopName), clk: clk, logs: &syncBuffer{}}
	cfg := oauth.Config{
		ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		Scopes:     []string{"read_products", "write_inventory"},
		HTTPClient: srv.HTTPClient(), ShopURL: srv.ShopURLByDomain, Now: clk.Now,
		Logger: slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mod {
		m(&cfg)
	}
	app, err := oauth.New(cfg)
	require.NoError(t, err)
	h.app = app
	return h
}

// callback runs AuthorizeURL and the merchant's approval, returning the
// query Shopify sends the browser back with.
func (h *harness) callback(t *testing.T, scopes ...string) url.Values {
	t.Helper()
	link, err := h.app.AuthorizeURL(ctx, shopDomain, scopes)
	require.NoError(t, err)
	loc, err := h.srv.Authorize(link)
	require.NoError(t, err)
	return loc.Query()
}

func (h *harness) install(t *testing.T, scopes ...string) *oauth.Grant {
	t.Helper()
	g, err := h.app.Callback(ctx, h.callback(t, scopes...))
	require.NoError(t, err)
	return g
}

// resign recomputes the hmac after a test changed a parameter, as if
// Shopify had signed the forged query.
func resign(q url.Values) url.Values {
	q.Set("hmac", shopifytest.SignQuery(q, clientSecret))
	return q
}

func clone(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// shopName query: is the shop readable with tok?
func works(t *testing.T, h *harness, ts shopify.TokenSource) error {
	t.Helper()
	c, err := shopify.NewClient(shopDomain, shopify.WithTokenSource(ts), shopify.WithBaseURL(h.srv.ShopURL(shopName)),
		shopify.WithHTTPClient(h.srv.HTTPClient()), shopify.WithRetryMax(0), shopify.WithLogger(slog.New(slog.NewTextHandler(h.logs, nil))))
	require.NoError(t, err)
	_, err = c.ShopDetails().Get(ctx)
	return err
}

func assertNoSecrets(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range append(secrets, clientSecret) {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s leaks a secret (%.8s...): %s", where, s, text)
		}
	}
}
