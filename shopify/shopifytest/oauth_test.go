package shopifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncClock is a settable clock safe for the server's goroutines.
type syncClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *syncClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *syncClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	appID     = "app-client-id"
	appSecret = "shpss_app_secret_for_tests"
	redirect  = "https://wms.example/shopify/callback"
)

func newOAuthServer(t *testing.T, shopOpts ...ShopOption) (*Server, *Shop, *syncClock) {
	t.Helper()
	clk := &syncClock{t: testEpoch}
	srv := NewServer(WithClock(clk.now), WithOAuthApp(appID, appSecret, redirect), WithShop("oauth-shop", shopOpts...))
	t.Cleanup(srv.Close)
	return srv, srv.Shop("oauth-shop"), clk
}

func authorizeLink(srv *Server, shop string, q url.Values) string {
	return srv.ShopURL(shop) + "/admin/oauth/authorize?" + q.Encode()
}

func installQuery(state string, scopes ...string) url.Values {
	return url.Values{"client_id": {appID}, "scope": {strings.Join(scopes, ",")}, "redirect_uri": {redirect}, "state": {state}}
}

type tokenAnswer struct {
	status int
	body   map[string]any
}

func postToken(t *testing.T, srv *Server, shop string, form url.Values) tokenAnswer {
	t.Helper()
	resp, err := srv.HTTPClient().PostForm(srv.ShopURL(shop)+"/admin/oauth/access_token", form)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	a := tokenAnswer{status: resp.StatusCode}
	require.NoError(t, json.Unmarshal(raw, &a.body), string(raw))
	return a
}

func codeForm(code string) url.Values {
	return url.Values{"client_id": {appID}, "client_secret": {appSecret}, "code": {code}, "expiring": {"1"}}
}

func refreshForm(rt string) url.Values {
	return url.Values{"client_id": {appID}, "client_secret": {appSecret}, "grant_type": {"refresh_token"}, "refresh_token": {rt}}
}

// install runs the authorize redirect and the code exchange and returns
// the token answer.
func install(t *testing.T, srv *Server, scopes ...string) map[string]any {
	t.Helper()
	loc, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", scopes...)))
	require.NoError(t, err)
	a := postToken(t, srv, "oauth-shop", codeForm(loc.Query().Get("code")))
	require.Equal(t, http.StatusOK, a.status, a.body)
	return a.body
}

func TestSignQueryMatchesShopifysExample(t *testing.T) {
	// The example of Shopify's authorization-code-grant documentation.
	q := url.Values{"code": {"0907a61c0c8d55e99db179b68161bc00"}, "shop": {"some-shop.myshopify.com"},
		"state": {"0.6784241404160823"}, "timestamp": {"1337178173"}, "hmac": {"ignored"}}
	assert.Equal(t, "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf", SignQuery(q, "hush"))
	q.Del("state")
	assert.Equal(t, "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20", SignQuery(q, "hush"))
}

func TestAuthorizeRedirectsWithSignedParameters(t *testing.T) {
	srv, s, clk := newOAuthServer(t, WithoutApp())
	assert.False(t, s.Installed())
	assert.Empty(t, s.Scopes())
	loc, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("nonce-1", "read_products", "write_inventory")))
	require.NoError(t, err)
	assert.Equal(t, redirect, loc.Scheme+"://"+loc.Host+loc.Path)
	q := loc.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	assert.ElementsMatch(t, []string{"code", "hmac", "host", "shop", "state", "timestamp"}, keys)
	assert.Equal(t, "oauth-shop.myshopify.com", q.Get("shop"))
	assert.Equal(t, "nonce-1", q.Get("state"))
	assert.Equal(t, strconv.FormatInt(clk.now().Unix(), 10), q.Get("timestamp"))
	assert.Equal(t, "YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvb2F1dGgtc2hvcA", q.Get("host")) // admin.shopify.com/store/oauth-shop
	assert.Equal(t, SignQuery(q, appSecret), q.Get("hmac"))
	assert.NotEqual(t, SignQuery(q, "another secret"), q.Get("hmac"))
	assert.False(t, s.Installed(), "the app is installed when the code is exchanged")
}

func TestAuthorizeRefusesBadRequests(t *testing.T) {
	srv, _, _ := newOAuthServer(t)
	for name, q := range map[string]url.Values{
		"unknown client":     {"client_id": {"other"}, "scope": {"read_products"}, "redirect_uri": {redirect}, "state": {"s"}},
		"foreign redirect":   {"client_id": {appID}, "scope": {"read_products"}, "redirect_uri": {"https://evil.example/cb"}, "state": {"s"}},
		"invalid scope":      {"client_id": {appID}, "scope": {"read_products,steal_everything"}, "redirect_uri": {redirect}, "state": {"s"}},
		"online access mode": {"client_id": {appID}, "scope": {"read_products"}, "redirect_uri": {redirect}, "state": {"s"}, "grant_options[]": {"per-user"}},
	} {
		_, err := srv.Authorize(authorizeLink(srv, "oauth-shop", q))
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "Oauth error", name)
	}
}

func TestCodeGrantIssuesExpiringTokenOnce(t *testing.T) {
	srv, s, clk := newOAuthServer(t, WithoutApp())
	loc, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products", "write_orders")))
	require.NoError(t, err)
	code := loc.Query().Get("code")

	a := postToken(t, srv, "oauth-shop", url.Values{"client_id": {appID}, "client_secret": {"wrong"}, "code": {code}, "expiring": {"1"}})
	assert.Equal(t, http.StatusUnauthorized, a.status)
	assert.Equal(t, "invalid_client", a.body["error"])

	a = postToken(t, srv, "oauth-shop", codeForm(code))
	require.Equal(t, http.StatusOK, a.status, a.body)
	assert.Equal(t, "read_products,write_orders", a.body["scope"])
	assert.EqualValues(t, 3600, a.body["expires_in"])
	assert.EqualValues(t, 90*24*3600, a.body["refresh_token_expires_in"])
	access := a.body["access_token"].(string)
	assert.True(t, strings.HasPrefix(access, "shpat_"))
	assert.NotEmpty(t, a.body["refresh_token"])
	assert.True(t, s.Installed())
	assert.Equal(t, []string{"read_products", "write_orders"}, s.Scopes())
	assert.Equal(t, 200, doToken(t, srv, "oauth-shop", access, `{ shop { name } }`, nil).status)

	again := postToken(t, srv, "oauth-shop", codeForm(code))
	assert.Equal(t, http.StatusBadRequest, again.status)
	assert.Equal(t, map[string]any{"error": "invalid_request", "error_description": "The authorization code was not found or was already used"}, again.body)

	clk.advance(time.Hour)
	assert.Equal(t, http.StatusUnauthorized, doToken(t, srv, "oauth-shop", access, `{ shop { name } }`, nil).status, "an expired access token")
}

func TestCodeGrantAcceptsJSONAndExpiresCodes(t *testing.T) {
	srv, _, clk := newOAuthServer(t)
	loc, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products")))
	require.NoError(t, err)
	body, _ := json.Marshal(map[string]any{"client_id": appID, "client_secret": appSecret, "code": loc.Query().Get("code")})
	resp, err := srv.HTTPClient().Post(srv.ShopURL("oauth-shop")+"/admin/oauth/access_token", "application/json", strings.NewReader(string(body)))
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, got)
	assert.NotContains(t, got, "refresh_token", "without expiring=1 the token does not expire")
	assert.NotContains(t, got, "expires_in")

	loc, err = srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products")))
	require.NoError(t, err)
	clk.advance(AuthorizationCodeTTL)
	a := postToken(t, srv, "oauth-shop", codeForm(loc.Query().Get("code")))
	assert.Equal(t, http.StatusBadRequest, a.status, "an expired code")
}

func TestRefreshRotatesWithGraceForThePreviousToken(t *testing.T) {
	srv, s, _ := newOAuthServer(t, WithoutApp())
	first := install(t, srv, "read_products")
	r0, a0 := first["refresh_token"].(string), first["access_token"].(string)

	// R0 buys (A1, R1) and revokes A0: one expiring token per app and shop.
	b := postToken(t, srv, "oauth-shop", refreshForm(r0))
	require.Equal(t, http.StatusOK, b.status, b.body)
	r1, a1 := b.body["refresh_token"].(string), b.body["access_token"].(string)
	assert.NotEqual(t, r0, r1)
	assert.False(t, s.TokenValid(a0))
	assert.True(t, s.TokenValid(a1))

	// The answer was lost: R0 still works while R1 is unused.
	c := postToken(t, srv, "oauth-shop", refreshForm(r0))
	require.Equal(t, http.StatusOK, c.status, c.body)
	r2, a2 := c.body["refresh_token"].(string), c.body["access_token"].(string)
	assert.False(t, s.TokenValid(a1))
	assert.True(t, s.TokenValid(a2))
	// R1 was replaced by R2 before it was used.
	d := postToken(t, srv, "oauth-shop", refreshForm(r1))
	assert.Equal(t, http.StatusBadRequest, d.status)
	assert.Equal(t, "invalid_grant", d.body["error"])

	// Using R2 retires R0.
	e := postToken(t, srv, "oauth-shop", refreshForm(r2))
	require.Equal(t, http.StatusOK, e.status, e.body)
	f := postToken(t, srv, "oauth-shop", refreshForm(r0))
	assert.Equal(t, http.StatusBadRequest, f.status, "a refresh token rotated past its grace")
	assert.Equal(t, "invalid_grant", f.body["error"])
	assert.Equal(t, 4, s.TokenGrants())

	// A new authorization replaces the chain.
	newer := install(t, srv, "read_products")
	assert.Equal(t, http.StatusBadRequest, postToken(t, srv, "oauth-shop", refreshForm(e.body["refresh_token"].(string))).status)
	assert.False(t, s.TokenValid(e.body["access_token"].(string)))
	assert.True(t, s.TokenValid(newer["access_token"].(string)))
}

func TestRefreshTokensExpire(t *testing.T) {
	srv, _, clk := newOAuthServer(t)
	rt := install(t, srv, "read_products")["refresh_token"].(string)
	clk.advance(RefreshTokenTTL)
	a := postToken(t, srv, "oauth-shop", refreshForm(rt))
	assert.Equal(t, http.StatusBadRequest, a.status)

	rt = install(t, srv, "read_products")["refresh_token"].(string)
	b := postToken(t, srv, "oauth-shop", refreshForm(rt))
	require.Equal(t, http.StatusOK, b.status)
	clk.advance(RefreshRecoveryWindow)
	c := postToken(t, srv, "oauth-shop", refreshForm(rt))
	assert.Equal(t, http.StatusBadRequest, c.status, "the previous token past its recovery window")
	d := postToken(t, srv, "oauth-shop", refreshForm(b.body["refresh_token"].(string)))
	assert.Equal(t, http.StatusOK, d.status, "the current token is still good")
}

func TestUninstallRevokesEverythingAndReinstallWorks(t *testing.T) {
	srv, s, _ := newOAuthServer(t)
	got := make(chan string, 4)
	cancel := s.Subscribe(func(ev Event) { got <- ev.Topic })
	defer cancel()
	tok := install(t, srv, "read_products")
	pending, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products")))
	require.NoError(t, err)

	assert.Equal(t, "app/scopes_update", <-got, "the install changed the granted scopes")
	s.UninstallApp()
	assert.Equal(t, "app/uninstalled", <-got)
	assert.False(t, s.Installed())
	assert.False(t, s.TokenValid(tok["access_token"].(string)))
	assert.False(t, s.TokenValid(s.AccessToken()), "the static token is revoked too")
	assert.Equal(t, http.StatusBadRequest, postToken(t, srv, "oauth-shop", refreshForm(tok["refresh_token"].(string))).status)
	assert.Equal(t, http.StatusBadRequest, postToken(t, srv, "oauth-shop", codeForm(pending.Query().Get("code"))).status, "codes issued before the uninstall")

	again := install(t, srv, "read_products", "read_orders")
	assert.True(t, s.Installed())
	assert.True(t, s.TokenValid(again["access_token"].(string)))
	assert.Equal(t, []string{"read_orders", "read_products"}, s.Scopes())
}

func TestClientCredentialsAfterUninstall(t *testing.T) {
	srv, s, _ := newOAuthServer(t, WithClientCredentials("cc-id", "cc-secret", 0))
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"cc-id"}, "client_secret": {"cc-secret"}}
	assert.Equal(t, http.StatusOK, postToken(t, srv, "oauth-shop", form).status)
	s.UninstallApp()
	a := postToken(t, srv, "oauth-shop", form)
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "invalid_request", a.body["error"])
}

func TestRotatedClientSecret(t *testing.T) {
	srv, _, _ := newOAuthServer(t)
	srv.RotateClientSecret("shpss_new_secret")
	assert.Equal(t, "shpss_new_secret", srv.WebhookSecret())
	loc, err := srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products")))
	require.NoError(t, err)
	assert.Equal(t, SignQuery(loc.Query(), "shpss_new_secret"), loc.Query().Get("hmac"), "redirects are signed with the new secret")
	a := postToken(t, srv, "oauth-shop", codeForm(loc.Query().Get("code"))) // the old secret, still accepted
	assert.Equal(t, http.StatusOK, a.status)
	srv.RetireClientSecrets()
	loc, err = srv.Authorize(authorizeLink(srv, "oauth-shop", installQuery("st", "read_products")))
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, postToken(t, srv, "oauth-shop", codeForm(loc.Query().Get("code"))).status)
}

func TestUnsupportedGrant(t *testing.T) {
	srv, _, _ := newOAuthServer(t)
	a := postToken(t, srv, "oauth-shop", url.Values{"grant_type": {"password"}})
	assert.Equal(t, http.StatusBadRequest, a.status)
	assert.Equal(t, "unsupported_grant_type", a.body["error"])
}

func TestScopesUpdateAndComplianceWebhooks(t *testing.T) {
	srv, s, _ := newOAuthServer(t)
	rc := newReceiver(t)
	for _, topic := range []string{"APP_SCOPES_UPDATE", "APP_UNINSTALLED", "CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"} {
		s.AddWebhookSubscription(topic, rc.URL)
	}
	install(t, srv, "read_products") // the static token's shop had the default scopes: they change
	waitHooks(t, srv)
	got := rc.all()
	require.Len(t, got, 1)
	assert.Equal(t, "app/scopes_update", got[0].topic())
	var su map[string]any
	require.NoError(t, json.Unmarshal(got[0].Body, &su))
	assert.Equal(t, []any{"read_products"}, su["current"])
	assert.Contains(t, su["previous"], "write_orders")
	assert.Equal(t, "gid://shopify/Shop/"+strconv.FormatInt(s.Info().ID, 10), su["shop_id"])
	install(t, srv, "read_products") // the same scopes: no event
	waitHooks(t, srv)
	assert.Len(t, rc.all(), 1)

	reqID := s.RequestCustomerData(CustomerRequest{CustomerID: 42, Email: "jane@example.com", Phone: "+4512345678", OrderIDs: []int64{7, 8}})
	s.RedactCustomer(CustomerRequest{CustomerID: 42, Email: "jane@example.com", OrderIDs: []int64{7}})
	require.ErrorIs(t, s.RedactShop(), ErrAppInstalled)
	s.UninstallApp()
	require.NoError(t, s.RedactShop())
	waitHooks(t, srv)
	got = rc.all()
	require.Len(t, got, 5)
	bodies := map[string]map[string]any{}
	for _, d := range got {
		for _, v := range []string{"2026-04", "2026-07"} {
			if problems := webhookProblems(t, v, d.topic(), d.Body); !assert.Empty(t, problems, "%s payload against Shopify's %s reference", d.topic(), v) {
				t.Logf("%s", d.Body)
			}
		}
	}
	for _, d := range got[1:] {
		var m map[string]any
		require.NoError(t, json.Unmarshal(d.Body, &m))
		bodies[d.topic()] = m
		assert.Equal(t, Sign(appSecret, d.Body), d.Header.Get("X-Shopify-Hmac-Sha256"), "signed with the app's client secret")
	}
	dr := bodies["customers/data_request"]
	assert.Equal(t, "oauth-shop.myshopify.com", dr["shop_domain"])
	assert.Equal(t, map[string]any{"id": float64(42), "email": "jane@example.com", "phone": "+4512345678"}, dr["customer"])
	assert.Equal(t, []any{float64(7), float64(8)}, dr["orders_requested"])
	assert.Equal(t, map[string]any{"id": float64(reqID)}, dr["data_request"])
	assert.Equal(t, []any{float64(7)}, bodies["customers/redact"]["orders_to_redact"])
	assert.Equal(t, map[string]any{"shop_id": float64(s.Info().ID), "shop_domain": "oauth-shop.myshopify.com"}, bodies["shop/redact"])
	assert.Contains(t, bodies, "app/uninstalled")
	assert.Len(t, s.WebhookSubscriptions(), 3, "the compliance subscriptions outlive the uninstall")
}
