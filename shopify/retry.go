package shopify

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/httpretry"
)

// CheckRetry decides whether an attempt is retried, in the shape of
// go-retryablehttp's CheckRetry: resp is the answer (nil on a transport
// error err). A non-nil error stops the retries and is reported if no
// answer came. AttemptFromContext(ctx) tells which operation it is and
// whether the answer was a throttle. It runs on the caller's goroutine.
type CheckRetry func(ctx context.Context, resp *http.Response, err error) (bool, error)

// Backoff returns how long to wait before retry attemptNum (0 for the first
// retry), in the shape of go-retryablehttp's Backoff. minWait and maxWait
// come from WithRetryWait. resp is nil after a transport error; otherwise
// AttemptFromContext(resp.Request.Context()) describes the attempt.
type Backoff func(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration

// Attempt describes the attempt a CheckRetry or Backoff is deciding about.
type Attempt struct {
	Operation  string     // operation name, "" when anonymous
	Mutation   bool       // the operation is a mutation
	Idempotent bool       // the mutation carries an idempotency key
	Number     int        // 1 for the first attempt
	Throttled  bool       // Shopify answered 429 or THROTTLED
	Cost       *QueryCost // Shopify's cost report, when given
}

// AttemptFromContext returns the attempt of a request the Client is making;
// ok is false for other contexts.
func AttemptFromContext(ctx context.Context) (a Attempt, ok bool) {
	cl := callFrom(ctx)
	if cl == nil {
		return Attempt{}, false
	}
	return Attempt{
		Operation: cl.op.name, Mutation: cl.op.mutation, Idempotent: cl.op.idempotent,
		Number: cl.attempts, Throttled: cl.last.throttled, Cost: cl.last.env.Extensions.Cost,
	}, true
}

// DefaultRetryPolicy retries transport errors other than TLS certificate
// failures, HTTP 429, HTTP 5xx other than 501, and HTTP 200 answers with a
// THROTTLED error. It stops when ctx is done. (The Client adds its own
// rules on top, see WithRetryPolicy.)
func DefaultRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return !httpretry.IsCertError(err), nil
	}
	if resp.StatusCode == http.StatusTooManyRequests ||
		(resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented) {
		return true, nil
	}
	if a, ok := AttemptFromContext(ctx); ok && a.Throttled {
		return true, nil
	}
	return false, nil
}

// DefaultBackoff waits
//   - the Retry-After header's time (seconds, fractional seconds or an HTTP
//     date) on 429 and 503,
//   - (requestedQueryCost - currentlyAvailable) / restoreRate after a
//     THROTTLED answer,
//   - otherwise a capped exponential backoff with jitter: a random time
//     between half and all of minWait*2^attemptNum,
//
// never more than maxWait.
func DefaultBackoff(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	if resp != nil {
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
				return min(d, maxWait)
			}
		}
		if resp.Request != nil {
			if a, ok := AttemptFromContext(resp.Request.Context()); ok && a.Throttled && a.Cost != nil {
				if d := throttleWait(a.Cost); d > 0 {
					return min(d, maxWait)
				}
			}
		}
	}
	return httpretry.Exponential(minWait, maxWait, attemptNum)
}

// parseRetryAfter reads a Retry-After value: seconds ("2", "2.0") or an
// HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	return httpretry.ParseRetryAfter(v, now)
}

// isDialError reports whether err happened while connecting, that is before
// any byte of the request was sent.
func isDialError(err error) bool { return httpretry.IsDialError(err) }

// shouldRetry is the CheckRetry the retrying client runs: the configured
// policy plus the rules no policy can lift.
func (c *Client) shouldRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl := callFrom(ctx)
	if cl == nil || ctx.Err() != nil {
		return false, ctx.Err()
	}
	if cl.last.fatal != nil {
		return false, nil
	}
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return false, nil // already refreshed once by the transport
	}
	retry, perr := c.checkRetry(ctx, resp, err)
	if retry && cl.op.mutation && !cl.op.idempotent && !cl.last.notSent {
		c.logger.LogAttrs(ctx, slog.LevelDebug, "shopify: not retrying a mutation without idempotency key that may have run",
			slog.String("shop", c.shop), slog.String("operation", opLabel(cl.op.name)))
		return false, perr
	}
	return retry, perr
}

// waitBeforeRetry is the Backoff the retrying client runs.
func (c *Client) waitBeforeRetry(minWait, maxWait time.Duration, attemptNum int, resp *http.Response) time.Duration {
	d := max(c.backoff(minWait, maxWait, attemptNum, resp), 0)
	if resp == nil || resp.Request == nil {
		return d
	}
	ctx := resp.Request.Context()
	if cl := callFrom(ctx); cl != nil {
		if cl.last.throttled {
			cl.throttleWait += d
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "shopify: retrying",
			slog.String("shop", c.shop), slog.String("operation", opLabel(cl.op.name)),
			slog.Int("attempt", cl.attempts), slog.Int("status", cl.last.status),
			slog.Bool("throttled", cl.last.throttled), slog.Duration("wait", d))
	}
	return d
}
