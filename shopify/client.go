package shopify

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/wmsbridge/wmsbridge/internal/redact"
)

// Client talks to one shop's GraphQL Admin API.
//
// A Client is safe for concurrent use by any number of goroutines, and they
// should share it: its Limiter paces all of them by query cost (see
// Limiter), its token cache fetches one token for all of them, and its
// connection pool is reused. Create it with NewClient.
//
// Formatting a Client (fmt's %v, %+v, %#v) or logging it never shows a token
// or client secret. Nor do its errors and log lines, even when a server or
// proxy echoes the request: the Client knows its secrets (the access token,
// the client secret, every token and refresh token its token source hands
// out, and those given with WithRedactedSecrets) and replaces each with
// "[REDACTED]" in every answer it reads, before anything is decoded from it,
// and in every error it returns and every line it logs. Secrets shorter than
// 8 characters are not looked for (they cannot be told from ordinary text).
type Client struct {
	shop       string
	base       *url.URL // scheme + host + optional path prefix, no trailing slash
	endpoint   string   // GraphQL endpoint URL
	apiVersion string
	authKind   string
	tokens     *reuseTokenSource
	limiter    *Limiter
	rc         *retryablehttp.Client
	logger     *slog.Logger // writes through secrets
	secrets    *redact.Set  // every secret the Client knows, see Client
	observer   Observer
	metrics    *clientMetrics // nil: no metrics
	checkRetry CheckRetry
	backoff    Backoff
	userAgent  string
	warned     *warnings
	ops        *opCache
}

// NewClient returns a Client for shop, given as "name",
// "name.myshopify.com", "https://name.myshopify.com" or
// "https://name.myshopify.com/admin..." (see NormalizeShop). Exactly one of
// WithAccessToken, WithTokenSource and WithClientCredentials is required.
// The defaults: API version DefaultAPIVersion, base URL
// https://name.myshopify.com, DefaultRetryMax retries, a Limiter of its own,
// no logging (see WithLogger).
//
// NewClient does no I/O; a wrong token shows on the first request.
func NewClient(shop string, opts ...Option) (*Client, error) {
	domain, err := NormalizeShop(shop)
	if err != nil {
		return nil, err
	}
	o := options{
		apiVersion:   DefaultAPIVersion,
		retryMax:     DefaultRetryMax,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
		userAgent:    "wmsbridge",
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("shopify: NewClient: nil Option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	switch {
	case o.authOptions == 0:
		return nil, errors.New("shopify: NewClient: no credentials; use WithAccessToken, WithTokenSource or WithClientCredentials")
	case o.authOptions > 1:
		return nil, errors.New("shopify: NewClient: give only one of WithAccessToken, WithTokenSource and WithClientCredentials")
	}
	base := o.baseURL
	if base == nil {
		base = &url.URL{Scheme: "https", Host: domain}
	}
	c := &Client{
		secrets:    redact.New(o.redact...),
		shop:       domain,
		base:       base,
		endpoint:   base.String() + "/admin/api/" + o.apiVersion + "/graphql.json",
		apiVersion: o.apiVersion,
		logger:     o.logger,
		observer:   o.observer,
		checkRetry: o.checkRetry,
		backoff:    o.backoff,
		userAgent:  o.userAgent,
		limiter:    o.limiter,
		warned:     &warnings{seen: map[string]bool{}},
		ops:        &opCache{},
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.logger = c.secrets.Logger(c.logger)
	if o.meter != nil {
		if c.metrics, err = newClientMetrics(o.meter); err != nil {
			return nil, err
		}
	}
	if c.checkRetry == nil {
		c.checkRetry = DefaultRetryPolicy
	}
	if c.backoff == nil {
		c.backoff = DefaultBackoff
	}
	if c.limiter == nil {
		c.limiter = NewLimiter()
	}
	if err := c.limiter.bind(domain); err != nil {
		return nil, err
	}

	hc := o.httpClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	rt := hc.Transport
	if rt == nil {
		if dt, ok := http.DefaultTransport.(*http.Transport); ok {
			rt = dt.Clone()
		} else {
			rt = http.DefaultTransport
		}
	}
	plain := *hc
	plain.Transport = rt
	plain.CheckRedirect = noRedirects

	switch {
	case o.credentials != nil:
		cc := *o.credentials
		cc.TokenURL = base.String() + "/admin/oauth/access_token"
		cc.HTTPClient = &plain
		c.secrets.Add(cc.ClientSecret)
		c.tokens = ReuseTokenSource(&cc).(*reuseTokenSource)
		c.authKind = "client credentials"
	default:
		c.tokens = ReuseTokenSource(o.tokenSource).(*reuseTokenSource)
		if _, ok := o.tokenSource.(*staticTokenSource); ok {
			c.authKind = "access token"
		} else {
			c.authKind = "token source"
		}
	}
	c.secrets.Add(secretsOf(c.tokens.src)...)
	c.tokens.onIssued(func(t *Token) { c.secrets.AddRotating(t.AccessToken, t.RefreshToken) })

	if o.now != nil {
		c.tokens.now = o.now
	}
	api := plain
	api.Transport = &transport{c: c, base: rt}
	c.rc = &retryablehttp.Client{
		HTTPClient:   &api,
		RetryMax:     o.retryMax,
		RetryWaitMin: o.retryWaitMin,
		RetryWaitMax: o.retryWaitMax,
		CheckRetry:   c.shouldRetry,
		Backoff:      c.waitBeforeRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	return c, nil
}

// Shop returns the shop's normalised domain, "name.myshopify.com".
func (c *Client) Shop() string { return c.shop }

// APIVersion returns the Admin API version the Client requests.
func (c *Client) APIVersion() string { return c.apiVersion }

// Limiter returns the Limiter pacing the Client.
func (c *Client) Limiter() *Limiter { return c.limiter }

// String describes the Client without secrets.
func (c *Client) String() string {
	if c == nil {
		return "shopify.Client(nil)"
	}
	return fmt.Sprintf("shopify.Client{shop:%s endpoint:%s auth:%s %s}", c.shop, c.endpoint, c.authKind, redacted)
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue implements slog.LogValuer without secrets.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("shopify.Client(nil)")
	}
	return slog.GroupValue(slog.String("shop", c.shop), slog.String("api_version", c.apiVersion), slog.String("auth", c.authKind))
}

// warnings remembers which warnings were logged, so each is logged once per
// Client.
type warnings struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether key is new (and records it, up to a bound).
func (w *warnings) first(key string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[key] {
		return false
	}
	if len(w.seen) < 1024 {
		w.seen[key] = true
	}
	return true
}
