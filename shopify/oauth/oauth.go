package oauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/internal/redact"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// Defaults of Config.
const (
	DefaultStateTTL      = 10 * time.Minute
	DefaultMaxClockSkew  = 5 * time.Minute
	DefaultRefreshMargin = 5 * time.Minute
	DefaultLeaseTTL      = time.Minute
)

// Config configures an [App]. ClientID, ClientSecret and RedirectURL are
// required.
//
// Formatting a Config (fmt's verbs, slog, JSON) never shows the secrets.
type Config struct {
	// ClientID and ClientSecret are the app's credentials from the Dev
	// Dashboard (or Partner Dashboard).
	ClientID     string
	ClientSecret string
	// PreviousClientSecrets are secrets the app had before a rotation:
	// callbacks signed with them still verify, so an install that started
	// before the rotation completes. Token requests use ClientSecret only.
	PreviousClientSecrets []string
	// RedirectURL is where Shopify sends the merchant back after the
	// install, one of the app's allowed redirection URLs, such as
	// "https://wms.example.com/shopify/callback".
	RedirectURL string
	// Scopes are the access scopes AuthorizeURL asks for when it is given
	// none.
	Scopes []string
	// NonExpiringTokens asks for non-expiring offline tokens instead of
	// expiring ones. Public apps may not (Shopify rejects their
	// non-expiring tokens from 2027-01-01); custom apps may.
	NonExpiringTokens bool

	// States keeps installs in progress (default NewMemoryStateStore(),
	// which works when the callback reaches the process that built the
	// link). StateTTL is how long a merchant has to complete an install
	// (default DefaultStateTTL).
	States   StateStore
	StateTTL time.Duration
	// MaxClockSkew is how far the callback's timestamp may be from Now, in
	// either direction (default DefaultMaxClockSkew).
	MaxClockSkew time.Duration

	// RefreshMargin is how long before an access token expires the token
	// source renews it (default DefaultRefreshMargin).
	RefreshMargin time.Duration
	// LeaseTTL is how long one process may hold a shop's refresh lease
	// (default DefaultLeaseTTL); it must exceed the token request's
	// timeout (HTTPClient's, 30 s by default).
	LeaseTTL time.Duration
	// Owner names this process in refresh leases (default: a random id
	// per App). Processes sharing a credential store need distinct owners.
	Owner string

	// HTTPClient sends token requests (default: a client with a 30 s
	// timeout). Redirects are never followed.
	HTTPClient *http.Client
	// ShopURL returns the base URL of a shop's admin, given its domain
	// (default "https://" + shop). Simulators and proxies set it; the
	// authorize link and the token endpoint are below it.
	ShopURL func(shop string) string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives refreshes and refusals, never a secret (default:
	// discard).
	Logger *slog.Logger
}

const redacted = "[REDACTED]"

// String describes the configuration without its secrets.
func (c Config) String() string {
	secret := `""`
	if c.ClientSecret != "" {
		secret = redacted
	}
	return fmt.Sprintf("oauth.Config{ClientID:%s ClientSecret:%s PreviousClientSecrets:%d RedirectURL:%s Scopes:%v}",
		c.ClientID, secret, len(c.PreviousClientSecrets), c.RedirectURL, c.Scopes)
}

// GoString is String.
func (c Config) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (c Config) Format(f fmt.State, verb rune) { formatString(f, verb, c.String()) }

// LogValue implements slog.LogValuer without the secrets.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// MarshalJSON encodes the configuration without its secrets.
func (c Config) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(c.String())), nil }

func formatString(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	_, _ = io.WriteString(f, s)
}

// App is a Shopify app that merchants install. Build it with [New]. It is
// safe for concurrent use.
type App struct {
	cfg     Config
	log     *slog.Logger
	secrets *redact.Set // the client secrets, kept out of logs and errors
	flights sync.Map    // credential key -> chan struct{} (in-process refresh lock)
}

// New validates cfg, applies its defaults and returns the App.
func New(cfg Config) (*App, error) {
	switch {
	case strings.TrimSpace(cfg.ClientID) == "" || strings.TrimSpace(cfg.ClientSecret) == "":
		return nil, errors.New("shopify/oauth: Config needs ClientID and ClientSecret")
	case cfg.RedirectURL == "":
		return nil, errors.New("shopify/oauth: Config needs RedirectURL")
	case cfg.StateTTL < 0 || cfg.MaxClockSkew < 0 || cfg.RefreshMargin < 0 || cfg.LeaseTTL < 0:
		return nil, errors.New("shopify/oauth: Config has a negative duration")
	}
	if u, err := url.Parse(cfg.RedirectURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return nil, fmt.Errorf("shopify/oauth: RedirectURL %q is not an http(s) URL without a fragment", cfg.RedirectURL)
	}
	if cfg.States == nil {
		cfg.States = NewMemoryStateStore()
	}
	if cfg.StateTTL == 0 {
		cfg.StateTTL = DefaultStateTTL
	}
	if cfg.MaxClockSkew == 0 {
		cfg.MaxClockSkew = DefaultMaxClockSkew
	}
	if cfg.RefreshMargin == 0 {
		cfg.RefreshMargin = DefaultRefreshMargin
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Owner == "" {
		cfg.Owner = "oauth-" + randomHex(8)
	}
	if cfg.ShopURL == nil {
		cfg.ShopURL = func(shop string) string { return "https://" + shop }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Scopes = normalizeScopes(cfg.Scopes)
	cfg.PreviousClientSecrets = slices.Clone(cfg.PreviousClientSecrets)
	secrets := redact.New(append([]string{cfg.ClientSecret}, cfg.PreviousClientSecrets...)...)
	return &App{cfg: cfg, log: secrets.Logger(cfg.Logger), secrets: secrets}, nil
}

// String describes the app without its secrets.
func (a *App) String() string { return "oauth.App{" + a.cfg.ClientID + "}" }

// GoString is String.
func (a *App) GoString() string { return a.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (a *App) Format(f fmt.State, verb rune) { formatString(f, verb, a.String()) }

// LogValue implements slog.LogValuer without the secrets.
func (a *App) LogValue() slog.Value { return slog.StringValue(a.String()) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// shopDomain returns shop's NAME.myshopify.com domain; it accepts what
// shopify.NormalizeShop accepts.
func shopDomain(shop string) (string, error) {
	d, err := shopify.NormalizeShop(shop)
	if err != nil {
		return "", fmt.Errorf("shopify/oauth: %w", err)
	}
	return d, nil
}

// normalizeScopes splits comma-separated entries, trims them and drops
// blanks and duplicates, keeping the order.
func normalizeScopes(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// AuthorizeURL starts an install on shop (a name, NAME.myshopify.com or
// its https:// admin URL): it remembers a new single-use state for the
// shop and returns the link to send the merchant's browser to, Shopify's
// https://{shop}/admin/oauth/authorize with client_id, scope (scopes, or
// Config.Scopes when none are given), redirect_uri and state, for offline
// access. Build scopes with connector.InstallScopes.
func (a *App) AuthorizeURL(ctx context.Context, shop string, scopes []string) (string, error) {
	domain, err := shopDomain(shop)
	if err != nil {
		return "", err
	}
	scopes = normalizeScopes(scopes)
	if len(scopes) == 0 {
		scopes = a.cfg.Scopes
	}
	if len(scopes) == 0 {
		return "", errors.New("shopify/oauth: AuthorizeURL: no scopes to ask for")
	}
	state := randomHex(24)
	p := PendingInstall{Shop: domain, Scopes: slices.Clone(scopes), Expires: a.cfg.Now().Add(a.cfg.StateTTL)}
	if err := a.cfg.States.PutState(ctx, state, p); err != nil {
		return "", fmt.Errorf("shopify/oauth: remember the install's state: %w", err)
	}
	q := url.Values{
		"client_id":    {a.cfg.ClientID},
		"scope":        {strings.Join(scopes, ",")},
		"redirect_uri": {a.cfg.RedirectURL},
		"state":        {state},
	}
	return a.cfg.ShopURL(domain) + "/admin/oauth/authorize?" + q.Encode(), nil
}

// ReauthorizeURL returns the link that asks the merchant of shop for the
// missing scopes, such as the first scope of each requirement the
// connection test reports missing (sync.ConnectionReport.MissingScopeNames). The
// link asks for granted and missing together: the token of an
// authorization carries the scopes it asked for, so asking for the
// missing ones alone would drop the others. Shopify's approval screen
// shows the merchant what is new.
func (a *App) ReauthorizeURL(ctx context.Context, shop string, granted, missing []string) (string, error) {
	missing = normalizeScopes(missing)
	if len(missing) == 0 {
		return "", errors.New("shopify/oauth: ReauthorizeURL: no scope is missing")
	}
	return a.AuthorizeURL(ctx, shop, append(normalizeScopes(granted), missing...))
}

// Grant is the outcome of a completed install.
type Grant struct {
	// Shop is the shop's domain, NAME.myshopify.com.
	Shop string
	// Token is the access token with its expiry, refresh token and refresh
	// token expiry (for expiring tokens) and granted scope.
	Token *shopify.Token
	// Requested are the scopes the install asked for; Granted those the
	// token carries.
	Requested, Granted []string
}

// Credentials returns the grant's credentials to store under key.
func (g *Grant) Credentials(key string) credential.Credentials {
	return credentialsOf(key, g.Token)
}

// Missing returns the requested scopes the token does not carry (a write_
// scope counts for its read_ scope).
func (g *Grant) Missing() []string { return missingScopes(g.Requested, g.Granted) }

func missingScopes(requested, granted []string) []string {
	var out []string
	for _, r := range requested {
		ok := slices.Contains(granted, r)
		if res, isRead := strings.CutPrefix(r, "read_"); isRead && slices.Contains(granted, "write_"+res) {
			ok = true
		}
		if !ok {
			out = append(out, r)
		}
	}
	return out
}

func credentialsOf(key string, t *shopify.Token) credential.Credentials {
	return credential.Credentials{Shop: key, AccessToken: t.AccessToken, Scope: t.Scope, Expiry: t.Expiry,
		RefreshToken: t.RefreshToken, RefreshExpiry: t.RefreshTokenExpiry}
}

// VerifyQuery checks a query string Shopify sent the app (the install
// request to the app's URL, or the callback): its hmac parameter with the
// client secret (or a previous one), in constant time; its timestamp,
// within Config.MaxClockSkew of now; and its shop parameter, a
// NAME.myshopify.com domain. It returns the shop's domain.
func (a *App) VerifyQuery(query url.Values) (string, error) {
	for k, v := range query {
		if len(v) != 1 {
			return "", &CallbackError{Check: "parameters", Reason: fmt.Sprintf("parameter %q appears %d times", k, len(v))}
		}
	}
	got, err := hex.DecodeString(query.Get("hmac"))
	if err != nil || len(got) != sha256.Size {
		return "", &CallbackError{Check: "hmac", Reason: "the hmac parameter is missing or not a hex SHA-256 HMAC"}
	}
	if !a.signedBy(query, got) {
		return "", &CallbackError{Check: "hmac", Reason: "the hmac does not match the query signed with the app's client secret"}
	}
	ts, err := strconv.ParseInt(query.Get("timestamp"), 10, 64)
	if err != nil {
		return "", &CallbackError{Check: "timestamp", Reason: "the timestamp parameter is missing or not a Unix time"}
	}
	now := a.cfg.Now()
	if d := now.Sub(time.Unix(ts, 0)); d > a.cfg.MaxClockSkew || d < -a.cfg.MaxClockSkew {
		return "", &CallbackError{Check: "timestamp", Reason: fmt.Sprintf("the request was signed at %s, %s from now (at most %s allowed): a stale or replayed request",
			time.Unix(ts, 0).UTC().Format(time.RFC3339), d.Round(time.Second), a.cfg.MaxClockSkew)}
	}
	shop := query.Get("shop")
	if d, err := shopify.NormalizeShop(shop); err != nil || d != shop {
		return "", &CallbackError{Check: "shop", Reason: fmt.Sprintf("the shop parameter %q is not a NAME.myshopify.com domain", shop)}
	}
	return shop, nil
}

// signedBy reports whether mac is the HMAC of query with the client
// secret or a previous one. Shopify signs the parameters other than hmac
// and signature, sorted by name and joined as name=value with &; the
// values are compared raw and, as some libraries sign them, URL-encoded.
func (a *App) signedBy(query url.Values, mac []byte) bool {
	keys := make([]string, 0, len(query))
	for k := range query {
		if k != "hmac" && k != "signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	raw, enc := make([]string, len(keys)), make([]string, len(keys))
	for i, k := range keys {
		raw[i] = k + "=" + query.Get(k)
		enc[i] = url.QueryEscape(k) + "=" + url.QueryEscape(query.Get(k))
	}
	msgs := []string{strings.Join(raw, "&")}
	if e := strings.Join(enc, "&"); e != msgs[0] {
		msgs = append(msgs, e)
	}
	ok := false
	for _, secret := range append([]string{a.cfg.ClientSecret}, a.cfg.PreviousClientSecrets...) {
		for _, m := range msgs {
			h := hmac.New(sha256.New, []byte(secret))
			h.Write([]byte(m))
			ok = hmac.Equal(h.Sum(nil), mac) || ok // no early exit: every comparison runs
		}
	}
	return ok
}

// Callback completes an install: it verifies the query Shopify sent the
// merchant's browser back with (see VerifyQuery), takes the state
// AuthorizeURL issued for that shop (once: a replayed callback fails), and
// exchanges the code for the shop's offline token (expiring unless
// Config.NonExpiringTokens). Store the result with credential.Replace
// (Grant.Credentials). A refused callback returns a *CallbackError and
// changes nothing.
func (a *App) Callback(ctx context.Context, query url.Values) (*Grant, error) {
	shop, err := a.VerifyQuery(query)
	if err != nil {
		return nil, err
	}
	code, state := query.Get("code"), query.Get("state")
	if code == "" || state == "" {
		return nil, &CallbackError{Check: "parameters", Reason: "the code or state parameter is missing"}
	}
	p, err := a.cfg.States.TakeState(ctx, state, shop, a.cfg.Now())
	if err != nil {
		if errors.Is(err, ErrStateNotFound) {
			return nil, &CallbackError{Check: "state", Reason: "the state is not one this app issued for " + shop + ", has expired or was used already"}
		}
		return nil, fmt.Errorf("shopify/oauth: take the install's state: %w", err)
	}
	tok, err := a.Exchange(ctx, shop, code)
	if err != nil {
		return nil, &CallbackError{Check: "exchange", Reason: "Shopify did not exchange the authorization code; start the install again", Err: err}
	}
	g := &Grant{Shop: shop, Token: tok, Requested: p.Scopes, Granted: normalizeScopes([]string{tok.Scope})}
	a.log.LogAttrs(ctx, slog.LevelInfo, "shopify app installed", slog.String("shop", shop),
		slog.String("scope", tok.Scope), slog.Time("expiry", tok.Expiry), slog.Any("missing_scopes", g.Missing()))
	return g, nil
}

// Exchange trades an authorization code of shop for its offline token at
// Shopify's token endpoint (client_id, client_secret, code, and
// expiring=1 unless Config.NonExpiringTokens). Callback calls it after its
// checks; call it yourself only with a code you verified.
func (a *App) Exchange(ctx context.Context, shop, code string) (*shopify.Token, error) {
	domain, err := shopDomain(shop)
	if err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {a.cfg.ClientID}, "client_secret": {a.cfg.ClientSecret}, "code": {code}}
	if !a.cfg.NonExpiringTokens {
		form.Set("expiring", "1")
	}
	return shopify.PostToken(ctx, a.cfg.HTTPClient, a.cfg.ShopURL(domain)+shopify.TokenPath, form, a.cfg.Now())
}

// Refresh trades shop's refresh token for a new access token and refresh
// token (grant_type=refresh_token). The token source calls it under the
// shop's lease; a host that calls it itself must store the new pair before
// using the new refresh token.
func (a *App) Refresh(ctx context.Context, shop, refreshToken string) (*shopify.Token, error) {
	domain, err := shopDomain(shop)
	if err != nil {
		return nil, err
	}
	form := url.Values{"client_id": {a.cfg.ClientID}, "client_secret": {a.cfg.ClientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	return shopify.PostToken(ctx, a.cfg.HTTPClient, a.cfg.ShopURL(domain)+shopify.TokenPath, form, a.cfg.Now())
}
