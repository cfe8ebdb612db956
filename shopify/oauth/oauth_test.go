package oauth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

func TestAuthorizeURL(t *testing.T) {
	h := newHarness(t)
	link, err := h.app.AuthorizeURL(ctx, "Merchant", []string{"read_products, write_orders", "read_products"})
	require.NoError(t, err)
	u, err := url.Parse(link)
	require.NoError(t, err)
	assert.Equal(t, h.srv.ShopURL(shopName)+"/admin/oauth/authorize", u.Scheme+"://"+u.Host+u.Path)
	q := u.Query()
	assert.Equal(t, clientID, q.Get("client_id"))
	assert.Equal(t, "read_products,write_orders", q.Get("scope"))
	assert.Equal(t, redirectURL, q.Get("redirect_uri"))
	assert.Len(t, q.Get("state"), 48)
	assert.NotContains(t, q, "grant_options[]", "offline access: no per-user grant option")

	other, err := h.app.AuthorizeURL(ctx, shopDomain, nil)
	require.NoError(t, err)
	u2, _ := url.Parse(other)
	assert.Equal(t, "read_products,write_inventory", u2.Query().Get("scope"), "Config.Scopes when none are given")
	assert.NotEqual(t, q.Get("state"), u2.Query().Get("state"))

	for _, bad := range []string{"evil.com", "x.myshopify.com.evil.com", "https://admin.shopify.com/store/x", ""} {
		_, err := h.app.AuthorizeURL(ctx, bad, nil)
		assert.Error(t, err, bad)
	}

	// Real shops: the link goes to the shop's own domain.
	real, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL, Scopes: []string{"read_products"}})
	require.NoError(t, err)
	link, err = real.AuthorizeURL(ctx, "merchant", nil)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(link, "https://merchant.myshopify.com/admin/oauth/authorize?"), link)
}

func TestInstallFlowGivesAnExpiringOfflineToken(t *testing.T) {
	h := newHarness(t)
	start := h.clk.Now()
	g := h.install(t, "read_products", "write_inventory")
	assert.Equal(t, shopDomain, g.Shop)
	assert.Equal(t, []string{"read_products", "write_inventory"}, g.Requested)
	assert.Equal(t, []string{"read_products", "write_inventory"}, g.Granted)
	assert.Empty(t, g.Missing())
	assert.Equal(t, start.Add(time.Hour), g.Token.Expiry)
	assert.Equal(t, start.Add(90*24*time.Hour), g.Token.RefreshTokenExpiry)
	assert.NotEmpty(t, g.Token.RefreshToken)
	assert.True(t, h.shop.Installed())

	store := credential.NewMemoryStore()
	c, err := credential.Replace(ctx, store, g.Credentials("MerchantDK"))
	require.NoError(t, err)
	assert.EqualValues(t, 1, c.Revision)
	require.NoError(t, works(t, h, h.app.TokenSource(store, "MerchantDK", shopDomain)))
}

// TestCallbackRefusesBadInput is the list of bad input: each is a
// clear error, and nothing changes (the genuine callback still completes
// afterwards, and the simulator issued no token).
func TestCallbackRefusesBadInput(t *testing.T) {
	h := newHarness(t)
	good := h.callback(t, "read_products")
	grants := h.shop.TokenGrants()

	cases := []struct {
		name  string
		query func() url.Values
		check string
	}{
		{"tampered hmac", func() url.Values {
			q := clone(good)
			q.Set("hmac", strings.Repeat("0", 64))
			return q
		}, "hmac"},
		{"parameter changed after signing", func() url.Values {
			q := clone(good)
			q.Set("state", "attacker-state")
			return q
		}, "hmac"},
		{"signed with another secret", func() url.Values {
			q := clone(good)
			q.Set("hmac", shopifytest.SignQuery(q, "shpss_someone_else"))
			return q
		}, "hmac"},
		{"missing hmac", func() url.Values {
			q := clone(good)
			q.Del("hmac")
			return q
		}, "hmac"},
		{"stale timestamp", func() url.Values {
			q := clone(good)
			q.Set("timestamp", strconv.FormatInt(h.clk.Now().Add(-10*time.Minute).Unix(), 10))
			return resign(q)
		}, "timestamp"},
		{"timestamp from the future", func() url.Values {
			q := clone(good)
			q.Set("timestamp", strconv.FormatInt(h.clk.Now().Add(time.Hour).Unix(), 10))
			return resign(q)
		}, "timestamp"},
		{"shop=evil.com", func() url.Values {
			q := clone(good)
			q.Set("shop", "evil.com")
			return resign(q)
		}, "shop"},
		{"shop=x.myshopify.com.evil.com", func() url.Values {
			q := clone(good)
			q.Set("shop", "x.myshopify.com.evil.com")
			return resign(q)
		}, "shop"},
		{"shop not lower-case", func() url.Values {
			q := clone(good)
			q.Set("shop", "Merchant.myshopify.com")
			return resign(q)
		}, "shop"},
		{"another shop than the one that started", func() url.Values {
			q := clone(good)
			q.Set("shop", "other-shop.myshopify.com")
			return resign(q)
		}, "state"},
		{"wrong state", func() url.Values {
			q := clone(good)
			q.Set("state", "0123456789abcdef")
			return resign(q)
		}, "state"},
		{"missing code", func() url.Values {
			q := clone(good)
			q.Del("code")
			return resign(q)
		}, "parameters"},
		{"repeated parameter", func() url.Values {
			q := clone(good)
			q.Add("shop", "evil.com")
			return q
		}, "parameters"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h.app.Callback(ctx, tc.query())
			var ce *oauth.CallbackError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.check, ce.Check, err.Error())
			assert.ErrorIs(t, err, oauth.ErrInvalidCallback)
			assertNoSecrets(t, "error", err.Error(), good.Get("code"))
			assert.Equal(t, grants, h.shop.TokenGrants(), "no token was issued")
			assert.False(t, h.shop.Installed())
		})
	}

	// Nothing changed: the genuine callback completes...
	g, err := h.app.Callback(ctx, good)
	require.NoError(t, err)
	assert.NotEmpty(t, g.Token.AccessToken)
	// ...once: replaying it (state reused) is refused before the code is
	// sent to Shopify again.
	_, err = h.app.Callback(ctx, good)
	var ce *oauth.CallbackError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "state", ce.Check)
	assert.Equal(t, grants+1, h.shop.TokenGrants())
}

func TestCallbackStateExpires(t *testing.T) {
	h := newHarness(t, func(c *oauth.Config) { c.StateTTL = 2 * time.Minute })
	q := h.callback(t, "read_products")
	h.clk.Advance(3 * time.Minute)
	q.Set("timestamp", strconv.FormatInt(h.clk.Now().Unix(), 10))
	_, err := h.app.Callback(ctx, resign(q))
	var ce *oauth.CallbackError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "state", ce.Check)
}

func TestCodeUsedTwice(t *testing.T) {
	h := newHarness(t)
	q := h.callback(t, "read_products")
	_, err := h.app.Exchange(ctx, shopDomain, q.Get("code"))
	require.NoError(t, err)
	_, err = h.app.Callback(ctx, q) // the state is fresh, the code is not
	var ce *oauth.CallbackError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "exchange", ce.Check)
	var te *shopify.TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, 400, te.StatusCode)
	assert.Equal(t, "invalid_request", te.Code)
	assert.Equal(t, "The authorization code was not found or was already used", te.Description)
	assertNoSecrets(t, "error", err.Error(), q.Get("code"))
}

func TestCallbackDuringSecretRotation(t *testing.T) {
	h := newHarness(t, func(c *oauth.Config) {
		c.ClientSecret, c.PreviousClientSecrets = "shpss_NEW_SECRET", []string{clientSecret}
	})
	q := h.callback(t, "read_products")
	q.Set("hmac", shopifytest.SignQuery(q, "shpss_NEW_SECRET"))
	_, err := h.app.VerifyQuery(q)
	require.NoError(t, err, "signed with the new secret")
	q.Set("hmac", shopifytest.SignQuery(q, clientSecret))
	_, err = h.app.VerifyQuery(q)
	require.NoError(t, err, "signed with the previous secret")
	q.Set("hmac", shopifytest.SignQuery(q, "shpss_retired"))
	_, err = h.app.VerifyQuery(q)
	require.Error(t, err)
}

func TestGrantReportsMissingScopesAndReauthorize(t *testing.T) {
	h := newHarness(t)
	g := h.install(t, "read_products", "write_inventory")
	g.Requested = append(g.Requested, "read_inventory", "read_orders", "write_orders")
	assert.Equal(t, []string{"read_orders", "write_orders"}, g.Missing(), "write_inventory covers read_inventory")

	link, err := h.app.ReauthorizeURL(ctx, shopDomain, g.Granted, []string{"read_orders"})
	require.NoError(t, err)
	u, _ := url.Parse(link)
	assert.Equal(t, "read_products,write_inventory,read_orders", u.Query().Get("scope"))
	loc, err := h.srv.Authorize(link)
	require.NoError(t, err)
	g2, err := h.app.Callback(ctx, loc.Query())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"read_products", "write_inventory", "read_orders"}, g2.Granted)

	_, err = h.app.ReauthorizeURL(ctx, shopDomain, g2.Granted, nil)
	assert.Error(t, err)
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []oauth.Config{
		{ClientSecret: "s", RedirectURL: redirectURL},
		{ClientID: "id", RedirectURL: redirectURL},
		{ClientID: "id", ClientSecret: "s"},
		{ClientID: "id", ClientSecret: "s", RedirectURL: "ftp://x/cb"},
		{ClientID: "id", ClientSecret: "s", RedirectURL: redirectURL, StateTTL: -1},
	} {
		_, err := oauth.New(cfg)
		assert.Error(t, err, "%v", cfg)
	}
}

func TestNoSecretInFormattedValues(t *testing.T) {
	h := newHarness(t, func(c *oauth.Config) { c.PreviousClientSecrets = []string{"shpss_PREVIOUS_SECRET"} })
	g := h.install(t, "read_products")
	store := credential.NewMemoryStore()
	c, err := credential.Replace(ctx, store, g.Credentials("k"))
	require.NoError(t, err)
	cfg := oauth.Config{ClientID: clientID, ClientSecret: clientSecret, PreviousClientSecrets: []string{"shpss_PREVIOUS_SECRET"}, RedirectURL: redirectURL}
	secrets := []string{g.Token.AccessToken, g.Token.RefreshToken, "shpss_PREVIOUS_SECRET"}
	for name, v := range map[string]any{"Config": cfg, "*Config": &cfg, "App": h.app, "Grant": g, "*Grant": *g,
		"Credentials": c, "TokenSource": h.app.TokenSource(store, "k", shopDomain)} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			assertNoSecrets(t, name+" "+verb, fmt.Sprintf(verb, v), secrets...)
		}
		b, _ := json.Marshal(v)
		assertNoSecrets(t, name+" JSON", string(b), secrets...)
		var buf syncBuffer
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		assertNoSecrets(t, name+" slog", buf.String(), secrets...)
	}
	assertNoSecrets(t, "logs", h.logs.String(), secrets...)
}

func TestRefusedRefreshIsUnauthorizedWithAReason(t *testing.T) {
	h := newHarness(t)
	g := h.install(t, "read_products")
	store := credential.NewMemoryStore()
	_, err := credential.Replace(ctx, store, g.Credentials("k"))
	require.NoError(t, err)
	ts := h.app.TokenSource(store, "k", shopDomain)

	h.shop.UninstallApp()
	h.clk.Advance(time.Hour)
	_, err = ts.Token(ctx)
	require.Error(t, err)
	assert.ErrorIs(t, err, shopify.ErrUnauthorized)
	var ae *oauth.AuthorizationError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, shopDomain, ae.Shop)
	assert.Contains(t, err.Error(), "install the app again")
	assert.Contains(t, err.Error(), "invalid_grant")
	assertNoSecrets(t, "error", err.Error(), g.Token.AccessToken, g.Token.RefreshToken)
	assertNoSecrets(t, "logs", h.logs.String(), g.Token.AccessToken, g.Token.RefreshToken)
	// The stored credentials are kept: the host decides (it deletes them
	// on app/uninstalled).
	_, err = store.LoadCredentials(ctx, "k")
	require.NoError(t, err)

	// Through a client the error still says what to do.
	err = works(t, h, ts)
	assert.ErrorIs(t, err, shopify.ErrUnauthorized)
	assert.Contains(t, err.Error(), "install the app again")

	// No credentials at all.
	_, err = h.app.TokenSource(store, "never-installed", shopDomain).Token(ctx)
	require.ErrorAs(t, err, &ae)
	assert.True(t, errors.Is(err, credential.ErrNotFound))
}

func TestTokenSourceWithoutRefreshToken(t *testing.T) {
	h := newHarness(t, func(c *oauth.Config) { c.NonExpiringTokens = true })
	g := h.install(t, "read_products")
	assert.Empty(t, g.Token.RefreshToken)
	assert.True(t, g.Token.Expiry.IsZero())
	store := credential.NewMemoryStore()
	_, err := credential.Replace(ctx, store, g.Credentials("k"))
	require.NoError(t, err)
	ts := h.app.TokenSource(store, "k", shopDomain)
	require.NoError(t, works(t, h, ts))
	h.shop.RevokeTokens()
	err = works(t, h, ts)
	var ae *oauth.AuthorizationError
	require.ErrorAs(t, err, &ae, "%v", err)
	assert.Contains(t, err.Error(), "no refresh token")
}
