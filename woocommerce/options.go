package woocommerce

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Defaults of the Client.
const (
	// DefaultRetryMax is how many times a request is retried after the
	// first attempt.
	DefaultRetryMax = 5
	// DefaultRetryWaitMin and DefaultRetryWaitMax bound the backoff.
	DefaultRetryWaitMin = 500 * time.Millisecond
	DefaultRetryWaitMax = 30 * time.Second
	// DefaultRate is the pace of requests per second to one store when no
	// WithRate or WithLimiter is given. WooCommerce itself has no rate
	// limit, but the hosts it runs on throttle or block bursts; a few
	// requests a second, one after the other, is what stores tolerate.
	DefaultRate rate.Limit = 5
	// DefaultBurst is the number of requests that may start at once.
	DefaultBurst = 2
	// MaxBatchItems is WooCommerce's default limit of create + update +
	// delete items in one batch call (the filter
	// woocommerce_rest_batch_items_limit can change it per store).
	MaxBatchItems = 100
	// MaxPerPage is the largest page WooCommerce serves (per_page).
	MaxPerPage = 100
)

// Option configures a Client. NewClient validates the options and returns
// the first error.
type Option func(*options) error

type options struct {
	key, secret     string
	queryAuth       bool
	plainPermalinks bool
	httpClient      *http.Client
	logger          *slog.Logger
	checkRetry      CheckRetry
	backoff         Backoff
	retryMax        int
	retryWaitMin    time.Duration
	retryWaitMax    time.Duration
	limiter         *rate.Limiter
	userAgent       string
	batchLimit      int
}

// WithKeys authenticates with a REST API key: the consumer key ("ck_...")
// and consumer secret ("cs_...") made in WooCommerce > Settings > Advanced >
// REST API. Required. The Client sends them with HTTP Basic auth, which
// WooCommerce honours only over HTTPS (see WithQueryStringAuth for servers
// that strip the Authorization header).
func WithKeys(consumerKey, consumerSecret string) Option {
	return func(o *options) error {
		if strings.TrimSpace(consumerKey) == "" || strings.TrimSpace(consumerSecret) == "" {
			return errors.New("woocommerce: WithKeys: the consumer key and secret must not be empty")
		}
		if strings.ContainsAny(consumerKey+consumerSecret, "\r\n:") {
			return errors.New("woocommerce: WithKeys: the consumer key or secret contains a line break or colon")
		}
		o.key, o.secret = consumerKey, consumerSecret
		return nil
	}
}

// WithQueryStringAuth sends the key as the consumer_key and consumer_secret
// query parameters instead of Basic auth, for servers that strip the
// Authorization header (some CGI/FastCGI setups). The Client removes them
// again from what it returns: errors, the Response's request and the Link
// header, which WooCommerce builds from the request URL.
func WithQueryStringAuth() Option {
	return func(o *options) error {
		o.queryAuth = true
		return nil
	}
}

// WithPlainPermalinks addresses routes as ?rest_route=/wc/v3/... for stores
// whose WordPress permalinks are set to "Plain", where /wp-json/ does not
// exist.
func WithPlainPermalinks() Option {
	return func(o *options) error {
		o.plainPermalinks = true
		return nil
	}
}

// WithHTTPClient sends requests through a copy of hc (its Transport,
// Timeout and Jar; redirects are never followed, so the key cannot reach
// another host). Defaults to a client with a 60 s timeout per attempt.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *options) error {
		if hc == nil {
			return errors.New("woocommerce: WithHTTPClient: nil *http.Client")
		}
		c := *hc
		o.httpClient = &c
		return nil
	}
}

// WithLogger logs debug lines for retries through l; secrets are never
// logged. Without it the Client logs nothing (the caller gets the errors).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("woocommerce: WithLogger: nil *slog.Logger")
		}
		o.logger = l
		return nil
	}
}

// WithRetryPolicy replaces DefaultRetryPolicy. Whatever the policy says, a
// request that is not Repeatable (a POST that creates something) is not
// retried after it may have reached WooCommerce.
func WithRetryPolicy(p CheckRetry) Option {
	return func(o *options) error {
		if p == nil {
			return errors.New("woocommerce: WithRetryPolicy: nil CheckRetry")
		}
		o.checkRetry = p
		return nil
	}
}

// WithBackoff replaces DefaultBackoff.
func WithBackoff(b Backoff) Option {
	return func(o *options) error {
		if b == nil {
			return errors.New("woocommerce: WithBackoff: nil Backoff")
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
			return fmt.Errorf("woocommerce: WithRetryMax: %d is negative", n)
		}
		o.retryMax = n
		return nil
	}
}

// WithRetryWait sets the minimum and maximum wait the Backoff is given.
func WithRetryWait(minWait, maxWait time.Duration) Option {
	return func(o *options) error {
		if minWait <= 0 || maxWait < minWait {
			return fmt.Errorf("woocommerce: WithRetryWait: need 0 < min <= max, got %v, %v", minWait, maxWait)
		}
		o.retryWaitMin, o.retryWaitMax = minWait, maxWait
		return nil
	}
}

// WithRate paces the Client's requests to r per second with bursts of
// burst, every attempt (retries included) counted. rate.Inf switches pacing
// off. Defaults to DefaultRate and DefaultBurst.
func WithRate(r rate.Limit, burst int) Option {
	return func(o *options) error {
		if r <= 0 || burst < 1 {
			return fmt.Errorf("woocommerce: WithRate: need a positive rate and burst, got %v, %d", r, burst)
		}
		o.limiter = rate.NewLimiter(r, burst)
		return nil
	}
}

// WithLimiter paces the Client with l, so that several Clients of one store
// (in one process) share one pace. Every goroutine using a Client already
// shares its limiter.
func WithLimiter(l *rate.Limiter) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("woocommerce: WithLimiter: nil *rate.Limiter")
		}
		o.limiter = l
		return nil
	}
}

// WithUserAgent sets the User-Agent header. Defaults to "wmsbridge".
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" || strings.ContainsAny(ua, "\r\n") {
			return errors.New("woocommerce: WithUserAgent: empty or contains a line break")
		}
		o.userAgent = ua
		return nil
	}
}

// WithBatchLimit sets the most items the Client sends in one batch call,
// for stores whose woocommerce_rest_batch_items_limit filter differs from
// MaxBatchItems (or hosts that time out on 100 items). Defaults to
// MaxBatchItems.
func WithBatchLimit(n int) Option {
	return func(o *options) error {
		if n < 1 {
			return fmt.Errorf("woocommerce: WithBatchLimit: %d is less than 1", n)
		}
		o.batchLimit = n
		return nil
	}
}
