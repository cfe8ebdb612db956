package shopify

import (
	"errors"
	"fmt"
	"go.opentelemetry.io/otel/metric"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultAPIVersion is the Admin API version a Client requests unless
// WithAPIVersion says otherwise.
const DefaultAPIVersion = "2026-10"

// Defaults of the retry policy.
const (
	DefaultRetryMax     = 5
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
)

// Option configures a Client. Options are validated by NewClient, which
// returns the first error.
type Option func(*options) error

type options struct {
	tokenSource  TokenSource
	credentials  *ClientCredentials
	authOptions  int
	baseURL      *url.URL
	apiVersion   string
	httpClient   *http.Client
	logger       *slog.Logger
	observer     Observer
	meter        metric.MeterProvider
	checkRetry   CheckRetry
	backoff      Backoff
	retryMax     int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	limiter      *Limiter
	userAgent    string
	redact       []string
	now          func() time.Time
}

// WithAccessToken authenticates with a fixed Admin API access token (custom
// apps created in the shop's admin). Exactly one of WithAccessToken,
// WithTokenSource and WithClientCredentials must be given.
func WithAccessToken(token string) Option {
	return func(o *options) error {
		if strings.TrimSpace(token) == "" {
			return errors.New("shopify: WithAccessToken: the token is empty")
		}
		if strings.ContainsAny(token, "\r\n") {
			return errors.New("shopify: WithAccessToken: the token contains a line break")
		}
		o.authOptions++
		o.tokenSource = StaticTokenSource(token)
		return nil
	}
}

// WithTokenSource authenticates with tokens from ts, for example a
// RefreshTokenSource or a host's own TokenSourceFunc. The Client wraps ts in
// ReuseTokenSource, so ts is only asked when the held token expires within
// two minutes or Shopify answered 401.
func WithTokenSource(ts TokenSource) Option {
	return func(o *options) error {
		if ts == nil {
			return errors.New("shopify: WithTokenSource: nil TokenSource")
		}
		o.authOptions++
		o.tokenSource = ts
		return nil
	}
}

// WithClientCredentials authenticates a Dev Dashboard app with the
// client-credentials grant: the Client posts the app's credentials to the
// shop's /admin/oauth/access_token (below the base URL when WithBaseURL is
// given), through the Client's HTTP client, and reuses each token until two
// minutes before it expires. Concurrent requests share one token fetch.
func WithClientCredentials(clientID, clientSecret string) Option {
	return func(o *options) error {
		if strings.TrimSpace(clientID) == "" || strings.TrimSpace(clientSecret) == "" {
			return errors.New("shopify: WithClientCredentials: the client ID and client secret must not be empty")
		}
		o.authOptions++
		o.credentials = &ClientCredentials{ClientID: clientID, ClientSecret: clientSecret}
		return nil
	}
}

// WithBaseURL sends every request to rawURL instead of
// https://{shop}: GraphQL to rawURL + "/admin/api/{version}/graphql.json" and
// client-credentials token requests to rawURL + "/admin/oauth/access_token".
// rawURL may carry a path prefix ("http://127.0.0.1:4321/shops/dk"). It is
// meant for tests, simulators and proxies, and it is the only way to send a
// token to a host other than the shop's myshopify.com domain. http and https
// are accepted; user info, queries and fragments are not.
func WithBaseURL(rawURL string) Option {
	return func(o *options) error {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("shopify: WithBaseURL: %w", err)
		}
		switch {
		case u.Scheme != "http" && u.Scheme != "https":
			return fmt.Errorf("shopify: WithBaseURL: scheme %q is not http or https", u.Scheme)
		case u.Host == "":
			return errors.New("shopify: WithBaseURL: the URL has no host")
		case u.User != nil:
			return errors.New("shopify: WithBaseURL: user info is not accepted")
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return errors.New("shopify: WithBaseURL: queries and fragments are not accepted")
		}
		u.Path = strings.TrimRight(u.Path, "/")
		u.RawPath = ""
		o.baseURL = u
		return nil
	}
}

// apiVersionRe matches Shopify's API version names.
var apiVersionRe = regexp.MustCompile(`^(\d{4}-(01|04|07|10)|unstable)$`)

// WithAPIVersion sets the Admin API version, "YYYY-MM" (a quarter's first
// month) or "unstable". Defaults to DefaultAPIVersion. The documents of this
// package are validated against DefaultAPIVersion only.
func WithAPIVersion(v string) Option {
	return func(o *options) error {
		if !apiVersionRe.MatchString(v) {
			return fmt.Errorf("shopify: WithAPIVersion: %q is not an API version such as %q", v, DefaultAPIVersion)
		}
		o.apiVersion = v
		return nil
	}
}

// WithHTTPClient sends requests through a copy of hc (its Transport,
// Timeout and Jar are used; redirects are never followed, so the token
// cannot leak to another host). Defaults to a client with a 60 s timeout
// per attempt on a clone of http.DefaultTransport.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("shopify: WithHTTPClient: nil *http.Client")
		}
		c := *hc
		o.httpClient = &c
		return nil
	}
}

// WithLogger logs through l: warnings for deprecated API use and
// mismatching API versions, debug lines for every request, attempt and
// retry (failed requests included: the caller gets their error). Secrets
// are never logged. Without it the Client logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("shopify: WithLogger: nil *slog.Logger")
		}
		o.logger = l
		return nil
	}
}

// WithMeterProvider reports every Client.Do as OpenTelemetry metrics
// through mp; without it the Client reports none. It composes with
// WithObserver. The instruments:
//
//	wmsbridge.shopify.requests       counter   {request} operation, outcome: ok|throttled|unauthorized|error
//	wmsbridge.shopify.query_cost     counter   {point}   actual query cost Shopify charged; operation
//	wmsbridge.shopify.retries        counter   {retry}   attempts after the first; operation
//	wmsbridge.shopify.throttle_wait  histogram s         time a request waited for the cost bucket
//
// operation is the GraphQL operation name (the library's documents have
// fixed names); no attribute names a shop or an order.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) error {
		if mp == nil {
			return errors.New("shopify: WithMeterProvider: nil MeterProvider")
		}
		o.meter = mp
		return nil
	}
}

// WithObserver calls obs once per Client.Do, after it ends, with the
// request's metrics. obs runs on the calling goroutine and must be safe for
// concurrent use when the Client is shared.
func WithObserver(obs Observer) Option {
	return func(o *options) error {
		if obs == nil {
			return errors.New("shopify: WithObserver: nil Observer")
		}
		o.observer = obs
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy, which decides whether an
// attempt is retried. Two rules hold whatever the policy says: a 401 is
// retried once after fetching a new token, and a mutation that is not
// Idempotent is never retried after it may have reached Shopify.
func WithRetryPolicy(p CheckRetry) Option {
	return func(o *options) error {
		if p == nil {
			return errors.New("shopify: WithRetryPolicy: nil CheckRetry")
		}
		o.checkRetry = p
		return nil
	}
}

// WithBackoff replaces DefaultBackoff, which decides how long to wait before
// a retry.
func WithBackoff(b Backoff) Option {
	return func(o *options) error {
		if b == nil {
			return errors.New("shopify: WithBackoff: nil Backoff")
		}
		o.backoff = b
		return nil
	}
}

// WithRetryMax sets how many times a request is retried after the first
// attempt (0 disables retries). Defaults to DefaultRetryMax.
func WithRetryMax(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("shopify: WithRetryMax: %d is negative", n)
		}
		o.retryMax = n
		return nil
	}
}

// WithRetryWait sets the minimum and maximum wait the Backoff is given.
// Defaults to DefaultRetryWaitMin and DefaultRetryWaitMax.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(o *options) error {
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("shopify: WithRetryWait: need 0 < min <= max, got %v, %v", minWait, maxWait)
		}
		o.retryWaitMin, o.retryWaitMax = minWait, maxWait
		return nil
	}
}

// WithLimiter makes the Client pace its requests with l, so that several
// Clients of the same shop share one cost bucket. By default each Client
// has its own Limiter. NewClient fails if l already paces another shop.
func WithLimiter(l *Limiter) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("shopify: WithLimiter: nil *Limiter")
		}
		o.limiter = l
		return nil
	}
}

// WithClock sets the clock the Client judges its token's expiry by
// (default time.Now): a token is renewed two minutes before its Expiry by
// this clock. Tests and simulations whose shop runs on a simulated clock
// pass that clock.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("shopify: WithClock: nil clock")
		}
		o.now = now
		return nil
	}
}

// WithUserAgent sets the User-Agent header. Defaults to "wmsbridge".
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("shopify: WithUserAgent: empty or contains a line break")
		}
		o.userAgent = ua
		return nil
	}
}

// WithRedactedSecrets names more secrets the Client keeps out of its errors
// and logs, besides those it knows from its credentials (see Client): a
// webhook signing secret, say, or the credentials of a proxy. Secrets
// shorter than 8 characters are ignored.
func WithRedactedSecrets(secrets ...string) Option {
	return func(o *options) error {
		o.redact = append(o.redact, secrets...)
		return nil
	}
}
