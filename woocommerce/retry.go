package woocommerce

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/httpretry"
)

// CheckRetry decides whether an attempt is retried, in the shape of
// go-retryablehttp's CheckRetry: resp is the answer (nil after a transport
// error err; its body has been read and can be read again).
// AttemptFromContext(ctx) describes the attempt. It runs on the caller's
// goroutine.
type CheckRetry func(ctx context.Context, resp *http.Response, err error) (bool, error)

// Backoff returns how long to wait before retry attemptNum (0 for the first
// retry), in the shape of go-retryablehttp's Backoff; resp is nil after a
// transport error.
type Backoff func(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration

// Attempt describes the attempt a CheckRetry is deciding about.
type Attempt struct {
	Method string
	Path   string // route below /wp-json
	// Repeatable reports that repeating the request does no harm (see
	// Request.Repeatable).
	Repeatable bool
	Number     int // 1 for the first attempt
	// NotJSON reports a 2xx answer whose body is not JSON: a host's bot
	// challenge (SiteGround answers 202 with an HTML page), an empty or
	// corrupted body.
	NotJSON bool
	// Foreign reports an answer that did not come from WooCommerce: an
	// HTML page or a bot challenge from the host, a proxy or a firewall.
	Foreign bool
}

// AttemptFromContext returns the attempt of a request the Client is making;
// ok is false for other contexts.
func AttemptFromContext(ctx context.Context) (a Attempt, ok bool) {
	cl := callFrom(ctx)
	if cl == nil {
		return Attempt{}, false
	}
	return Attempt{
		Method: cl.req.method(), Path: cl.req.route(), Repeatable: cl.req.repeatable(), Number: cl.attempts,
		NotJSON: cl.last.notJSON, Foreign: cl.last.challenge,
	}, true
}

// DefaultRetryPolicy retries transport errors other than certificate
// failures, HTTP 429, HTTP 5xx other than 501 (a firewall refusing the
// method, which a retry does not change), and 2xx answers that are not
// JSON. It stops when ctx is done.
//
// The Client adds one rule no policy lifts: a request that is not
// Repeatable (a POST that creates an order, a refund, a note, a webhook) is
// retried only when WooCommerce cannot have run it: the connection was
// never made, or the answer was 429, 503 or a page from the host rather
// than from WooCommerce. WooCommerce has no idempotency keys, so anything
// else is left to the caller, who should read before creating again.
func DefaultRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return !httpretry.IsCertError(err), nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return true, nil
	}
	if a, ok := AttemptFromContext(ctx); ok && a.NotJSON {
		return true, nil
	}
	return false, nil
}

// DefaultBackoff waits the Retry-After header's time (seconds or an HTTP
// date) on 429 and 503, otherwise a capped exponential backoff with jitter
// (between half and all of minWait*2^attemptNum), never more than maxWait.
func DefaultBackoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := httpretry.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, maxWait)
		}
	}
	return httpretry.Exponential(minWait, maxWait, attemptNum)
}

// shouldRetry is the CheckRetry the retrying client runs: the configured
// policy plus the rule for requests that are not repeatable.
func (c *Client) shouldRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl := callFrom(ctx)
	if cl == nil || ctx.Err() != nil {
		return false, ctx.Err()
	}
	if cl.last.fatal != nil {
		return false, nil
	}
	retry, perr := c.checkRetry(ctx, resp, err)
	if retry && !cl.req.repeatable() && !c.cannotHaveRun(cl, resp) {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "woocommerce: not retrying a request that may have run",
			slog.String("store", c.base.Host), slog.String("method", cl.req.method()), slog.String("path", cl.req.route()))
		return false, perr
	}
	return retry, perr
}

// cannotHaveRun reports whether the last attempt certainly did not reach
// WooCommerce.
func (c *Client) cannotHaveRun(cl *call, resp *http.Response) bool {
	if cl.last.notSent {
		return true
	}
	if resp == nil {
		return false
	}
	return resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable || cl.last.challenge
}

// waitBeforeRetry is the Backoff the retrying client runs.
func (c *Client) waitBeforeRetry(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	d := max(c.backoff(minWait, maxWait, attemptNum, resp), 0)
	if resp == nil || resp.Request == nil {
		return d
	}
	ctx := resp.Request.Context()
	if cl := callFrom(ctx); cl != nil {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "woocommerce: retrying",
			slog.String("store", c.base.Host), slog.String("method", cl.req.method()), slog.String("path", cl.req.route()),
			slog.Int("attempt", cl.attempts), slog.Int("status", cl.last.status), slog.Duration("wait", d))
	}
	return d
}
