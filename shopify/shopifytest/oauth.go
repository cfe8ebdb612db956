package shopifytest

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Lifetimes of what the authorization-code and refresh grants issue, in
// simulated time (divided by the time scale like every simulated duration).
const (
	// ExpiringTokenTTL is the lifetime of an expiring offline access token
	// (Shopify: 60 minutes, expires_in 3600).
	ExpiringTokenTTL = time.Hour
	// RefreshTokenTTL is the lifetime of a refresh token (Shopify: 90 days).
	RefreshTokenTTL = 90 * 24 * time.Hour
	// RefreshRecoveryWindow is how long after its first use a refresh token
	// stays usable while its replacement has not been used (Shopify: 30
	// days, never beyond the token's own lifetime).
	RefreshRecoveryWindow = 30 * 24 * time.Hour
	// AuthorizationCodeTTL is how long an authorization code can be
	// exchanged (Shopify does not publish it; ours).
	AuthorizationCodeTTL = 10 * time.Minute
)

// Shopify's error bodies of the token endpoint.
var (
	errCodeUsed = map[string]any{"error": "invalid_request", "error_description": "The authorization code was not found or was already used"}
	// Shopify's wording for a refused refresh token is not published;
	// the code is the OAuth one Shopify answers with.
	errRefreshRefused = map[string]any{"error": "invalid_grant", "error_description": "The refresh token is invalid, expired, revoked or was replaced by a newer one"}
	errInvalidClient  = map[string]any{"error": "invalid_client", "error_description": "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method."}
	errNotInstalled   = map[string]any{"error": "invalid_request", "error_description": "The app is not installed on this shop"}
)

// oauthApp is the app merchants install with the authorization-code
// grant (WithOAuthApp).
type oauthApp struct {
	clientID  string
	mu        sync.RWMutex
	secrets   []secretValue // current first, then older ones still accepted
	redirects []string
}

func (a *oauthApp) secretList() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]string, len(a.secrets))
	for i, s := range a.secrets {
		out[i] = s.get()
	}
	return out
}

// authenticates reports whether id and secret are the app's (any secret
// not yet retired).
func (a *oauthApp) authenticates(id, secret string) bool {
	if a == nil || id != a.clientID || secret == "" {
		return false
	}
	ok := false
	for _, s := range a.secretList() {
		ok = subtle.ConstantTimeCompare([]byte(s), []byte(secret)) == 1 || ok
	}
	return ok
}

// WithOAuthApp registers the app merchants install through Shopify's
// authorization-code grant: GET ShopURL(name)+"/admin/oauth/authorize"
// (client_id, scope, redirect_uri, state) approves the install at once, as
// a merchant clicking "Install" would, and redirects to redirect_uri with
// code, hmac, host, shop, state and timestamp; the code is exchanged at
// ShopURL(name)+"/admin/oauth/access_token" (see the package
// documentation). redirectURLs are the allowed redirect addresses (an
// authorize request whose redirect_uri does not start with one of them is
// refused); none allows any http(s) address. Unless WithWebhookSecret says
// otherwise, webhooks are signed with clientSecret, as Shopify signs them
// with the app's client secret.
func WithOAuthApp(clientID, clientSecret string, redirectURLs ...string) Option {
	return func(c *serverConfig) {
		c.app = &oauthApp{clientID: clientID, secrets: []secretValue{newSecret(clientSecret)}, redirects: slices.Clone(redirectURLs)}
	}
}

// WithoutApp makes the shop start without the app installed: no access
// token works (not even the static one) until a merchant installs the app
// through the authorization-code grant, and the shop grants no scopes
// until then.
func WithoutApp() ShopOption {
	return func(c *shopConfig) { c.notInstalled = true }
}

// RotateClientSecret makes secret the app's client secret. The previous
// secrets stay accepted by the token endpoint until RetireClientSecrets,
// as in Shopify's rotation (the old secret works until it is revoked);
// webhooks are signed with the new secret from now on (Shopify takes up to
// an hour to switch).
func (srv *Server) RotateClientSecret(secret string) {
	if srv.app == nil {
		return
	}
	srv.app.mu.Lock()
	srv.app.secrets = append([]secretValue{newSecret(secret)}, srv.app.secrets...)
	srv.app.mu.Unlock()
	srv.hooks.setSecret(secret)
}

// RetireClientSecrets stops accepting every client secret but the current
// one.
func (srv *Server) RetireClientSecrets() {
	if srv.app == nil {
		return
	}
	srv.app.mu.Lock()
	srv.app.secrets = srv.app.secrets[:1]
	srv.app.mu.Unlock()
}

// shopAuth is a shop's side of the app installation: authorization codes,
// the expiring access token and the refresh tokens. Guarded by Shop.mu.
type shopAuth struct {
	uninstalled bool
	codes       map[string]*authCode
	offline     string // the non-expiring offline token, stable across re-authorizations
	expiring    string // the one expiring access token in force
	refresh     map[string]*refreshToken
	current     string // the refresh token issued last
	previous    string // the refresh token current replaced, usable until current is used
	grants      int    // access tokens issued by the code and refresh grants
}

type authCode struct {
	scopes   []string
	redirect string
	expires  time.Time
}

type refreshToken struct {
	expires   time.Time
	firstUsed time.Time
}

func (a *shopAuth) init() {
	if a.codes == nil {
		a.codes = map[string]*authCode{}
		a.refresh = map[string]*refreshToken{}
	}
}

// revoke drops every token, code and refresh token (uninstall).
func (a *shopAuth) revoke() {
	a.codes, a.refresh = nil, nil
	a.offline, a.expiring, a.current, a.previous = "", "", "", ""
}

func randomToken(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

var scopeNameRe = regexp.MustCompile(`^(unauthenticated_)?(read|write)_[a-z_]+$`)

// handleAuthorize serves GET .../admin/oauth/authorize: the merchant's
// browser arrives with the app's install request and is sent back to the
// app at once, the merchant having approved.
func (srv *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s := srv.shopFor(w, r)
	if s == nil {
		return
	}
	srv.setCommonHeaders(w, "")
	q := r.URL.Query()
	oauthErr := func(code, msg string) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "Oauth error %s: %s\n", code, msg)
	}
	app := srv.app
	if app == nil || q.Get("client_id") != app.clientID {
		oauthErr("invalid_request", "Could not find Shopify API application with api_key "+q.Get("client_id"))
		return
	}
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	if err != nil || (ru.Scheme != "http" && ru.Scheme != "https") || ru.Host == "" || ru.Fragment != "" {
		oauthErr("invalid_request", "The redirect_uri is missing or not a valid URL")
		return
	}
	if len(app.redirects) > 0 && !slices.ContainsFunc(app.redirects, func(p string) bool { return strings.HasPrefix(redirect, p) }) {
		oauthErr("invalid_request", "The redirect_uri is not whitelisted")
		return
	}
	if slices.Contains(q["grant_options[]"], "per-user") {
		oauthErr("invalid_request", "online (per-user) access tokens are not simulated")
		return
	}
	scopes := normalizeScopes(q["scope"])
	for _, sc := range scopes {
		if !scopeNameRe.MatchString(sc) {
			oauthErr("invalid_scope", "The access scope is invalid: "+sc)
			return
		}
	}
	code := randomToken("")
	now := srv.now()
	s.mu.Lock()
	s.auth.init()
	s.auth.codes[code] = &authCode{scopes: scopes, redirect: redirect, expires: now.Add(srv.Scaled(AuthorizationCodeTTL))}
	s.mu.Unlock()

	params := url.Values{
		"code":      {code},
		"host":      {base64.RawStdEncoding.EncodeToString([]byte("admin.shopify.com/store/" + s.name))},
		"shop":      {s.Domain()},
		"state":     {q.Get("state")},
		"timestamp": {strconv.FormatInt(now.Unix(), 10)},
	}
	params.Set("hmac", SignQuery(params, app.secretList()[0]))
	if ru.RawQuery != "" {
		for k, v := range ru.Query() {
			if params[k] == nil {
				params[k] = v
			}
		}
	}
	ru.RawQuery = params.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

// SignQuery returns the hmac parameter Shopify adds to the query strings
// it sends an app (install requests, the authorization redirect): the hex
// HMAC-SHA256, keyed with the app's client secret, of the parameters other
// than hmac and signature, sorted by name and joined as name=value with &.
func SignQuery(params url.Values, clientSecret string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+strings.Join(params[k], ","))
	}
	m := hmac.New(sha256.New, []byte(clientSecret))
	m.Write([]byte(strings.Join(parts, "&")))
	return hex.EncodeToString(m.Sum(nil))
}

// Authorize plays the merchant's browser: it requests authorizeURL (an
// install link built for this server) without following the redirect and
// returns the address Shopify sends the browser back to, the app's
// redirect URI with code, hmac, host, shop, state and timestamp. A refused
// request returns an error with Shopify's message.
func (srv *Server) Authorize(authorizeURL string) (*url.URL, error) {
	hc := *srv.HTTPClient()
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := hc.Get(authorizeURL)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("shopifytest: authorize: HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return resp.Location()
}

// tokenRequest reads the token endpoint's parameters from a form-encoded
// or JSON body (Shopify accepts both).
func tokenRequest(r *http.Request) (url.Values, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		if err := r.ParseForm(); err != nil {
			return nil, err
		}
		return r.PostForm, nil
	}
	var m map[string]any
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&m); err != nil {
		return nil, err
	}
	v := url.Values{}
	for k, x := range m {
		switch x := x.(type) {
		case string:
			v.Set(k, x)
		case json.Number, float64, bool:
			v.Set(k, fmt.Sprint(x))
		}
	}
	return v, nil
}

// handleToken serves POST .../admin/oauth/access_token for the
// authorization_code, refresh_token and client_credentials grants.
func (srv *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s := srv.shopFor(w, r)
	if s == nil {
		return
	}
	srv.setCommonHeaders(w, "")
	if f := srv.faults.pick(s.name); f != nil {
		s.countFault()
		if serveFault(w, r, f) {
			return
		}
	}
	form, err := tokenRequest(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "malformed request body"})
		return
	}
	grant := form.Get("grant_type")
	if grant == "" && form.Get("code") != "" {
		grant = "authorization_code" // Shopify's install flow sends no grant_type
	}
	switch grant {
	case "client_credentials":
		srv.clientCredentialsGrant(w, s, form)
	case "authorization_code":
		if !srv.app.authenticates(form.Get("client_id"), form.Get("client_secret")) {
			writeJSON(w, http.StatusUnauthorized, errInvalidClient)
			return
		}
		srv.codeGrant(w, s, form)
	case "refresh_token":
		if !srv.app.authenticates(form.Get("client_id"), form.Get("client_secret")) {
			writeJSON(w, http.StatusUnauthorized, errInvalidClient)
			return
		}
		srv.refreshGrant(w, s, form.Get("refresh_token"))
	default:
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "unsupported_grant_type", "error_description": "The authorization grant type is not supported by the authorization server."})
	}
}

func (srv *Server) clientCredentialsGrant(w http.ResponseWriter, s *Shop, form url.Values) {
	id, secret := form.Get("client_id"), form.Get("client_secret")
	s.mu.Lock()
	cfg := s.cfg
	ok := cfg.clientID != "" && id == cfg.clientID && subtle.ConstantTimeCompare([]byte(secret), []byte(cfg.clientSecret)) == 1
	installed := !s.auth.uninstalled
	var tok string
	if ok && installed {
		tok = fmt.Sprintf("shpat_sim_%s_%020d", s.name, srv.reqSeq.Add(1))
		s.tokens[tok] = srv.now().Add(srv.Scaled(cfg.tokenTTL))
	}
	s.mu.Unlock()
	switch {
	case !ok:
		writeJSON(w, http.StatusUnauthorized, errInvalidClient)
	case !installed:
		writeJSON(w, http.StatusBadRequest, errNotInstalled)
	default:
		writeJSON(w, http.StatusOK, map[string]any{
			"access_token": tok,
			"scope":        strings.Join(cfg.scopes, ","),
			"expires_in":   int64(srv.Scaled(cfg.tokenTTL).Seconds()),
		})
	}
}

// codeGrant exchanges an authorization code once. expiring=1 asks for an
// expiring offline token with a refresh token; otherwise the answer is
// the shop's non-expiring offline token.
func (srv *Server) codeGrant(w http.ResponseWriter, s *Shop, form url.Values) {
	now := srv.now()
	s.mu.Lock()
	c := s.auth.codes[form.Get("code")]
	if c == nil || !now.Before(c.expires) || (form.Has("redirect_uri") && form.Get("redirect_uri") != c.redirect) {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, errCodeUsed)
		return
	}
	delete(s.auth.codes, form.Get("code"))
	previous, reinstalled := s.cfg.scopes, s.auth.uninstalled
	s.auth.uninstalled = false
	s.cfg.scopes = c.scopes
	if !reinstalled && !slices.Equal(previous, c.scopes) {
		// The app's access changed on an installed shop.
		s.emit("app/scopes_update", "Shop", s.info.ID, &scopesUpdate{id: s.newID(), previous: slices.Clone(previous), current: slices.Clone(c.scopes)})
	}
	var body map[string]any
	if form.Get("expiring") == "1" {
		// A new authorization replaces the whole chain of refresh tokens.
		clear(s.auth.refresh)
		s.auth.current, s.auth.previous = "", ""
		body = srv.issueExpiring(s, now)
	} else {
		if s.auth.offline == "" {
			s.auth.offline = randomToken("shpat_")
		}
		s.tokens[s.auth.offline] = time.Time{}
		body = map[string]any{"access_token": s.auth.offline, "scope": strings.Join(s.cfg.scopes, ",")}
	}
	s.unlock() // delivers app/scopes_update
	writeJSON(w, http.StatusOK, body)
}

// issueExpiring issues a new expiring access token and refresh token,
// revoking the previous expiring access token: one expiring offline token
// is active per app and shop. Callers hold s.mu.
func (srv *Server) issueExpiring(s *Shop, now time.Time) map[string]any {
	s.auth.init()
	if s.auth.expiring != "" {
		delete(s.tokens, s.auth.expiring)
	}
	access, refresh := randomToken("shpat_"), randomToken("shprt_")
	ttl, rttl := srv.Scaled(ExpiringTokenTTL), srv.Scaled(RefreshTokenTTL)
	s.tokens[access] = now.Add(ttl)
	s.auth.expiring = access
	s.auth.refresh[refresh] = &refreshToken{expires: now.Add(rttl)}
	if s.auth.current != "" && s.auth.current != s.auth.previous {
		delete(s.auth.refresh, s.auth.current) // a replacement never used is replaced
	}
	s.auth.current = refresh
	s.auth.grants++
	return map[string]any{
		"access_token":             access,
		"scope":                    strings.Join(s.cfg.scopes, ","),
		"expires_in":               int64(ttl.Seconds()),
		"refresh_token":            refresh,
		"refresh_token_expires_in": int64(rttl.Seconds()),
	}
}

// refreshGrant rotates: the current refresh token, or the one it replaced
// while the current one is unused (within the recovery window), buys a new
// pair. Using the current one retires the one before it.
func (srv *Server) refreshGrant(w http.ResponseWriter, s *Shop, token string) {
	now := srv.now()
	s.mu.Lock()
	a := &s.auth
	rt := a.refresh[token]
	usable := rt != nil && now.Before(rt.expires) && (token == a.current || token == a.previous) &&
		(rt.firstUsed.IsZero() || now.Before(rt.firstUsed.Add(srv.Scaled(RefreshRecoveryWindow))))
	if !usable {
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, errRefreshRefused)
		return
	}
	if rt.firstUsed.IsZero() {
		rt.firstUsed = now
	}
	if token == a.current {
		if a.previous != "" {
			delete(a.refresh, a.previous) // the replacement is in use: retire its predecessor
		}
		a.previous = token
	}
	body := srv.issueExpiring(s, now)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

// ---- control API -------------------------------------------------------------

// Installed reports whether the app is installed on the shop.
func (s *Shop) Installed() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !s.auth.uninstalled
}

// TokenValid reports whether tok is an access token the shop accepts now.
func (s *Shop) TokenValid(tok string) bool { return s.tokenValid(tok) }

// TokenGrants returns how many access tokens the authorization-code and
// refresh grants have issued for the shop.
func (s *Shop) TokenGrants() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.auth.grants
}

// ShopURLByDomain returns ShopURL of the shop whose domain is domain
// (NAME.myshopify.com), for code that knows shops by their domain, such as
// an OAuth app's ShopURL hook.
func (srv *Server) ShopURLByDomain(domain string) string {
	return srv.ShopURL(strings.TrimSuffix(domain, ".myshopify.com"))
}
