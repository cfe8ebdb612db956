package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/redact"
)

// redacted replaces every secret in formatted output, logs and errors.
const redacted = redact.Mask

// Token is an Admin API access token as a TokenSource hands it out. Its shape
// follows golang.org/x/oauth2's Token.
//
// Formatting a Token (fmt's %v, %+v, %#v, %s, %q), logging it with log/slog,
// encoding it with encoding/json or calling String never shows AccessToken
// or RefreshToken. To persist a token, copy its fields into a type of your
// own.
type Token struct {
	// AccessToken goes into the X-Shopify-Access-Token header.
	AccessToken string
	// Scope is the comma-separated list of granted access scopes, when known.
	Scope string
	// RefreshToken, when set, lets a refresh hook obtain a new token.
	RefreshToken string
	// Expiry is when the token stops working; the zero value means never.
	Expiry time.Time
	// RefreshTokenExpiry is when RefreshToken stops working, when the token
	// endpoint said (refresh_token_expires_in); zero means unknown.
	RefreshTokenExpiry time.Time
}

// expiryMargin is how long before Expiry a token counts as expired, so that
// it is refreshed before requests start failing.
const expiryMargin = 2 * time.Minute

// Valid reports whether t is non-nil, has an access token and does not expire
// within the next two minutes.
func (t *Token) Valid() bool { return t.validAt(time.Now()) }

func (t *Token) validAt(now time.Time) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || now.Add(expiryMargin).Before(t.Expiry)
}

// String describes the token without its secrets.
func (t Token) String() string {
	var b strings.Builder
	b.WriteString("shopify.Token{AccessToken:")
	b.WriteString(redactedOrEmpty(t.AccessToken))
	if t.Scope != "" {
		b.WriteString(" Scope:" + t.Scope)
	}
	if t.RefreshToken != "" {
		b.WriteString(" RefreshToken:" + redacted)
	}
	if !t.Expiry.IsZero() {
		b.WriteString(" Expiry:" + t.Expiry.UTC().Format(time.RFC3339))
	}
	if !t.RefreshTokenExpiry.IsZero() {
		b.WriteString(" RefreshTokenExpiry:" + t.RefreshTokenExpiry.UTC().Format(time.RFC3339))
	}
	b.WriteString("}")
	return b.String()
}

// GoString is String: %#v never prints the secrets either.
func (t Token) GoString() string { return t.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (t Token) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// LogValue implements slog.LogValuer without the secrets.
func (t Token) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("access_token", redactedOrEmpty(t.AccessToken))}
	if t.Scope != "" {
		attrs = append(attrs, slog.String("scope", t.Scope))
	}
	if !t.Expiry.IsZero() {
		attrs = append(attrs, slog.Time("expiry", t.Expiry))
	}
	return slog.GroupValue(attrs...)
}

// MarshalJSON encodes the token with its secrets redacted, so JSON logs
// cannot leak them.
func (t Token) MarshalJSON() ([]byte, error) {
	v := struct {
		AccessToken        string    `json:"access_token"`
		Scope              string    `json:"scope,omitempty"`
		RefreshToken       string    `json:"refresh_token,omitempty"`
		Expiry             time.Time `json:"expiry,omitzero"`
		RefreshTokenExpiry time.Time `json:"refresh_token_expiry,omitzero"`
	}{redactedOrEmpty(t.AccessToken), t.Scope, "", t.Expiry, t.RefreshTokenExpiry}
	if t.RefreshToken != "" {
		v.RefreshToken = redacted
	}
	return json.Marshal(v)
}

func redactedOrEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

// formatRedacted writes s for any verb; %q quotes it.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	_, _ = io.WriteString(f, s)
}

// TokenSource supplies access tokens. It has the shape of
// golang.org/x/oauth2's TokenSource with a context. The Client calls Token
// before every attempt through a cache (see ReuseTokenSource), so an
// implementation may do I/O on every call. Implementations must be safe for
// concurrent use.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
}

// TokenSourceFunc adapts a function to TokenSource. It is the hook for
// expiring offline tokens: the function loads, refreshes and stores tokens
// in the host's own storage, and the Client calls it again when the token
// it holds is about to expire or Shopify answers 401.
type TokenSourceFunc func(ctx context.Context) (*Token, error)

// Token calls f.
func (f TokenSourceFunc) Token(ctx context.Context) (*Token, error) { return f(ctx) }

// staticTokenSource always returns the same token.
type staticTokenSource struct{ tok *Token }

// StaticTokenSource returns a TokenSource for a fixed Admin API access token,
// as used by custom apps created in a shop's admin ("shpat_..."). The token
// never expires, so a 401 with it is final.
func StaticTokenSource(accessToken string) TokenSource {
	return &staticTokenSource{tok: &Token{AccessToken: accessToken}}
}

func (s *staticTokenSource) Token(context.Context) (*Token, error) {
	t := *s.tok
	return &t, nil
}

func (s *staticTokenSource) String() string             { return "shopify.StaticTokenSource(" + redacted + ")" }
func (s *staticTokenSource) GoString() string           { return s.String() }
func (s *staticTokenSource) Format(f fmt.State, v rune) { formatRedacted(f, v, s.String()) }
func (s *staticTokenSource) LogValue() slog.Value       { return slog.StringValue(s.String()) }

// RefreshTokenSource returns a TokenSource for expiring offline tokens. It
// hands out current while it is valid; after that it calls refresh with the
// token it holds (whose RefreshToken the hook exchanges, typically through
// Shopify's /admin/oauth/access_token with grant_type=refresh_token) and keeps
// the result. refresh is the place to persist the new token pair. Calls are
// serialised, so refresh never runs twice at once. current may be nil, in
// which case the first call refreshes.
func RefreshTokenSource(current *Token, refresh func(ctx context.Context, current *Token) (*Token, error)) TokenSource {
	var t *Token
	if current != nil {
		c := *current
		t = &c
	}
	return &refreshTokenSource{cur: t, refresh: refresh}
}

type refreshTokenSource struct {
	mu      sync.Mutex
	cur     *Token
	refresh func(ctx context.Context, current *Token) (*Token, error)
	forced  bool
}

func (s *refreshTokenSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur.Valid() && !s.forced {
		t := *s.cur
		return &t, nil
	}
	if s.refresh == nil {
		return nil, errors.New("shopify: RefreshTokenSource has no refresh function")
	}
	var prev *Token
	if s.cur != nil {
		p := *s.cur
		prev = &p
	}
	nt, err := s.refresh(ctx, prev)
	if err != nil {
		return nil, err
	}
	if nt == nil || nt.AccessToken == "" {
		return nil, errors.New("shopify: token refresh returned no access token")
	}
	c := *nt
	s.cur, s.forced = &c, false
	t := c
	return &t, nil
}

// invalidate makes the next Token call refresh even if the held token has not
// expired (Shopify answered 401 with it).
func (s *refreshTokenSource) invalidate(tok *Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil && tok != nil && s.cur.AccessToken == tok.AccessToken {
		s.forced = true
	}
}

func (s *refreshTokenSource) String() string             { return "shopify.RefreshTokenSource(" + redacted + ")" }
func (s *refreshTokenSource) GoString() string           { return s.String() }
func (s *refreshTokenSource) Format(f fmt.State, v rune) { formatRedacted(f, v, s.String()) }
func (s *refreshTokenSource) LogValue() slog.Value       { return slog.StringValue(s.String()) }

// ClientCredentials obtains tokens with the OAuth client-credentials grant
// that Dev Dashboard apps installed on their own organisation's shops use:
// a form-encoded POST of grant_type=client_credentials, client_id and
// client_secret to https://{shop}/admin/oauth/access_token, answered with
// {"access_token", "scope", "expires_in"}. Tokens last about a day.
//
// Token fetches a new token on every call; wrap it in ReuseTokenSource (the
// Client does that itself, see WithClientCredentials) to reuse a token until
// shortly before it expires. ClientSecret never appears in formatted output,
// logs or errors.
type ClientCredentials struct {
	// TokenURL is the token endpoint, for example
	// "https://name.myshopify.com/admin/oauth/access_token".
	TokenURL string
	// ClientID and ClientSecret are the app's credentials.
	ClientID     string
	ClientSecret string
	// HTTPClient sends the token request; nil means a client with a 30 s
	// timeout that follows no redirects.
	HTTPClient *http.Client
}

// tokenResponse is the JSON answer of the token endpoint.
type tokenResponse struct {
	AccessToken           string  `json:"access_token"`
	Scope                 string  `json:"scope"`
	ExpiresIn             float64 `json:"expires_in"`
	RefreshToken          string  `json:"refresh_token"`
	RefreshTokenExpiresIn float64 `json:"refresh_token_expires_in"`
	Error                 string  `json:"error"`
	Description           string  `json:"error_description"`
	Errors                any     `json:"errors"`
}

// TokenError is returned when the token endpoint refuses to issue a token.
type TokenError struct {
	StatusCode  int    // HTTP status of the token endpoint's answer
	RequestID   string // Shopify's X-Request-Id
	Code        string // OAuth "error" value, e.g. "invalid_client", when given
	Description string // human-readable reason, when given
}

func (e *TokenError) Error() string {
	msg := fmt.Sprintf("shopify: token request failed: HTTP %d", e.StatusCode)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.RequestID != "" {
		msg += " (request id " + e.RequestID + ")"
	}
	return msg
}

// Is makes a 401, an invalid_client and an invalid_grant answer (a refresh
// token Shopify no longer accepts) match ErrUnauthorized.
func (e *TokenError) Is(target error) bool {
	return target == ErrUnauthorized && (e.StatusCode == http.StatusUnauthorized || e.Code == "invalid_client" || e.Code == "invalid_grant")
}

// Token requests a new access token.
func (cc ClientCredentials) Token(ctx context.Context) (*Token, error) {
	if cc.TokenURL == "" || cc.ClientID == "" || cc.ClientSecret == "" {
		return nil, errors.New("shopify: ClientCredentials needs TokenURL, ClientID and ClientSecret")
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {cc.ClientID},
		"client_secret": {cc.ClientSecret},
	}
	return PostToken(ctx, cc.HTTPClient, cc.TokenURL, form, time.Time{})
}

// secretsOf returns the secrets a token source holds before it issues a
// token: a static token, a client secret, the token a RefreshTokenSource
// starts from. (Tokens it issues later reach the Client's secrets through
// reuseTokenSource.issued.)
func secretsOf(src TokenSource) []string {
	switch s := src.(type) {
	case *staticTokenSource:
		return []string{s.tok.AccessToken}
	case *refreshTokenSource:
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.cur == nil {
			return nil
		}
		return []string{s.cur.AccessToken, s.cur.RefreshToken}
	case *ClientCredentials:
		return []string{s.ClientSecret}
	case ClientCredentials:
		return []string{s.ClientSecret}
	case *reuseTokenSource:
		return secretsOf(s.src)
	}
	return nil
}

// String describes the credentials without the client secret.
func (cc ClientCredentials) String() string {
	return fmt.Sprintf("shopify.ClientCredentials{TokenURL:%s ClientID:%s ClientSecret:%s}", cc.TokenURL, cc.ClientID, redactedOrEmpty(cc.ClientSecret))
}

// GoString is String.
func (cc ClientCredentials) GoString() string { return cc.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (cc ClientCredentials) Format(f fmt.State, verb rune) { formatRedacted(f, verb, cc.String()) }

// MarshalJSON encodes the credentials with the client secret redacted.
func (cc ClientCredentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"token_url": cc.TokenURL, "client_id": cc.ClientID, "client_secret": redactedOrEmpty(cc.ClientSecret)})
}

// LogValue implements slog.LogValuer without the client secret.
func (cc ClientCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token_url", cc.TokenURL), slog.String("client_id", cc.ClientID),
		slog.String("client_secret", redactedOrEmpty(cc.ClientSecret)))
}

// ReuseTokenSource returns a TokenSource that caches the token of src until
// two minutes before it expires, then asks src for a new one. Concurrent
// callers share one fetch: src is never called twice at once, and a caller
// whose context ends stops waiting. A ReuseTokenSource passed in is returned
// unchanged.
func ReuseTokenSource(src TokenSource) TokenSource {
	if r, ok := src.(*reuseTokenSource); ok {
		return r
	}
	return &reuseTokenSource{src: src, now: time.Now}
}

type reuseTokenSource struct {
	src TokenSource
	now func() time.Time
	// issued learn every token fetched from src before anyone uses it
	// (each Client sharing the source adds it to the secrets it redacts).
	issued []func(*Token)

	mu       sync.Mutex
	tok      *Token
	fetching chan struct{} // closed when the running fetch ends; nil when none runs
}

func (r *reuseTokenSource) Token(ctx context.Context) (*Token, error) {
	for {
		r.mu.Lock()
		if r.tok.validAt(r.now()) {
			t := *r.tok
			r.mu.Unlock()
			return &t, nil
		}
		if ch := r.fetching; ch != nil {
			r.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		ch := make(chan struct{})
		r.fetching = ch
		r.mu.Unlock()

		t, err := r.src.Token(ctx)
		if err == nil && t != nil && t.AccessToken != "" {
			r.mu.Lock()
			hooks := r.issued
			r.mu.Unlock()
			for _, f := range hooks {
				f(t)
			}
		}
		r.mu.Lock()
		r.fetching = nil
		if err == nil && t != nil && t.AccessToken != "" {
			c := *t
			r.tok = &c
		}
		r.mu.Unlock()
		close(ch)
		switch {
		case err != nil:
			return nil, err
		case t == nil || t.AccessToken == "":
			return nil, errors.New("shopify: token source returned no access token")
		}
		c := *t
		return &c, nil
	}
}

// onIssued adds f to the functions that learn every token fetched.
func (r *reuseTokenSource) onIssued(f func(*Token)) {
	r.mu.Lock()
	r.issued = append(r.issued[:len(r.issued):len(r.issued)], f)
	r.mu.Unlock()
}

// refreshable reports whether asking the source again can yield a different
// token (a static token cannot).
func (r *reuseTokenSource) refreshable() bool {
	_, static := r.src.(*staticTokenSource)
	return !static
}

// invalidate drops tok from the cache after Shopify rejected it, so the next
// Token call fetches a new one.
func (r *reuseTokenSource) invalidate(tok *Token) {
	r.mu.Lock()
	if r.tok != nil && tok != nil && r.tok.AccessToken == tok.AccessToken {
		r.tok = nil
	}
	r.mu.Unlock()
	if inv, ok := r.src.(interface{ invalidate(*Token) }); ok {
		inv.invalidate(tok)
	}
	if inv, ok := r.src.(TokenInvalidator); ok {
		inv.InvalidateToken(tok)
	}
}

// TokenInvalidator is an optional interface of a TokenSource. When
// Shopify answers 401 to a token the source handed out, the Client calls
// InvalidateToken with a copy of it before asking the source for a new
// one, so a source that keeps tokens elsewhere (a database shared by
// several processes) knows that this one no longer works even though it
// has not expired: Shopify revokes an expiring token when it issues the
// next one. It must be safe for concurrent use and must not block.
type TokenInvalidator interface {
	InvalidateToken(tok *Token)
}

func (r *reuseTokenSource) String() string             { return "shopify.ReuseTokenSource(" + redacted + ")" }
func (r *reuseTokenSource) GoString() string           { return r.String() }
func (r *reuseTokenSource) Format(f fmt.State, v rune) { formatRedacted(f, v, r.String()) }
func (r *reuseTokenSource) LogValue() slog.Value       { return slog.StringValue(r.String()) }

// noRedirects refuses to follow redirects, so a token or secret is never
// replayed to another location.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
