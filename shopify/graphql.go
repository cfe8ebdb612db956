package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// maxResponseBody caps how much of an answer is read (bulk results are
// downloaded elsewhere; GraphQL pages are far smaller).
const maxResponseBody = 64 << 20

// Request is one GraphQL operation.
//
// Formatting a Request prints its fields as they are; it holds no secrets
// unless the caller puts them into Variables.
type Request struct {
	// Query is the GraphQL document. It may hold several operations when
	// OperationName picks one.
	Query string
	// Variables are encoded as the request's JSON "variables".
	Variables map[string]any
	// OperationName selects the operation to run; it may be empty when the
	// document holds one operation.
	OperationName string
	// Idempotent marks a mutation that carries an idempotency key
	// (@idempotent(key:)), which makes it safe to retry after it may have
	// reached Shopify. A document that uses @idempotent is detected as
	// idempotent without it. Queries are always safe to retry.
	Idempotent bool
}

// Response describes Shopify's answer to a request, including an answer
// that ended in an error.
type Response struct {
	StatusCode   int           // HTTP status of the last attempt (0 if none was answered)
	Header       http.Header   // headers of the last answer
	RequestID    string        // Shopify's X-Request-Id of the last answer
	APIVersion   string        // X-Shopify-API-Version: the version that served the request
	Cost         *QueryCost    // extensions.cost of the last answer, when given
	Attempts     int           // attempts made, counting the first
	ThrottleWait time.Duration // time spent waiting for the cost bucket
}

// operation is what the Client needs to know about a document.
type operation struct {
	name       string
	mutation   bool
	idempotent bool
	doc        *ast.QueryDocument       // for the cost estimate
	def        *ast.OperationDefinition // the operation run
}

// parseOperation finds the operation a request runs.
func parseOperation(query, name string) (operation, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "request", Input: query})
	if err != nil {
		return operation{}, fmt.Errorf("shopify: the query does not parse: %w", err)
	}
	var op *ast.OperationDefinition
	switch {
	case name != "":
		op = doc.Operations.ForName(name)
		if op == nil {
			return operation{}, fmt.Errorf("shopify: the document has no operation named %q", name)
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	default:
		return operation{}, fmt.Errorf("shopify: the document holds %d operations; set OperationName", len(doc.Operations))
	}
	o := operation{name: op.Name, mutation: op.Operation == ast.Mutation, doc: doc, def: op}
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); ok && f.Directives.ForName("idempotent") != nil {
			o.idempotent = true
		}
	}
	return o, nil
}

// opCache remembers parsed operations per Client: documents are usually
// constants, and parsing costs more than the rest of a request's overhead.
type opCache struct {
	mu sync.RWMutex
	m  map[string]operation
}

// maxCachedOps bounds the cache for programs that build documents at run time.
const maxCachedOps = 1024

func (oc *opCache) parse(query, name string) (operation, error) {
	key := name + "\x00" + query
	oc.mu.RLock()
	op, ok := oc.m[key]
	oc.mu.RUnlock()
	if ok {
		return op, nil
	}
	op, err := parseOperation(query, name)
	if err != nil {
		return op, err
	}
	oc.mu.Lock()
	if oc.m == nil {
		oc.m = map[string]operation{}
	}
	if len(oc.m) < maxCachedOps {
		oc.m[key] = op
	}
	oc.mu.Unlock()
	return op, nil
}

// opLabel names an operation in logs and errors.
func opLabel(name string) string {
	if name == "" {
		return "(anonymous)"
	}
	return name
}

// callKey carries the *call of a Do through the request context.
type callKey struct{}

// call is the state of one Do across its attempts. Attempts of one call run
// one after the other on the caller's goroutine.
type call struct {
	op           operation
	body         []byte
	estimate     float64 // the document's cost by Shopify's rules (estimateCost)
	attempts     int
	refreshed    bool
	throttleWait time.Duration
	last         attemptResult
}

// attemptResult is what the transport learned from one attempt.
type attemptResult struct {
	status    int
	header    http.Header
	body      []byte
	env       envelope
	errs      []GraphQLError
	throttled bool
	notSent   bool  // the request provably did not reach Shopify
	fatal     error // an error that must not be retried (token source, refused host)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// envelope is a GraphQL answer.
type envelope struct {
	Data       json.RawMessage `json:"data"`
	Errors     json.RawMessage `json:"errors"`
	Extensions struct {
		Cost *QueryCost `json:"cost"`
	} `json:"extensions"`
}

// parseErrors decodes "errors", which Shopify sends as a list of GraphQL
// errors, or as a string or object on some HTTP errors.
func parseErrors(raw json.RawMessage) []GraphQLError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	var list []GraphQLError
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []GraphQLError{{Message: s}}
	}
	var obj any
	if json.Unmarshal(raw, &obj) == nil {
		b, _ := json.Marshal(obj)
		return []GraphQLError{{Message: string(b)}}
	}
	return nil
}

// Do runs req and decodes the answer's "data" into out (a pointer, or nil
// to discard it).
//
// Before each attempt Do waits for the Limiter (so requests are paced by
// query cost) and for the token source. Attempts are retried as the retry
// policy decides (see DefaultRetryPolicy and DefaultBackoff); a mutation is
// retried only when it is idempotent (see Request.Idempotent) or the failure
// proves it never ran (connection refused, throttled, 401). Waits end when
// ctx is done.
//
// Do returns the Response even with an error, when an answer arrived. Errors
// are typed: *ThrottledError, *AuthError, *AccessDeniedError, *HTTPError and
// *GraphQLErrors (data that came with GraphQL errors is still decoded into
// out). Mutation userErrors are part of data; check them with
// CheckUserErrors.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*Response, error) {
	if req == nil || strings.TrimSpace(req.Query) == "" {
		return nil, errors.New("shopify: Do: empty request")
	}
	op, err := c.ops.parse(req.Query, req.OperationName)
	if err != nil {
		return nil, err
	}
	op.idempotent = op.idempotent || req.Idempotent
	payload := struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables,omitempty"`
		OperationName string         `json:"operationName,omitempty"`
	}{req.Query, req.Variables, req.OperationName}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("shopify: %sencoding variables: %w", opPrefix(op.name), err)
	}
	cl := &call{op: op, body: body, estimate: estimateCost(op.doc, op.def, req.Variables)}
	ctx = context.WithValue(ctx, callKey{}, cl)
	rreq, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, body)
	if err != nil {
		return nil, fmt.Errorf("shopify: %w", err)
	}
	rreq.Header.Set("Content-Type", "application/json")
	rreq.Header.Set("Accept", "application/json")
	rreq.Header.Set("User-Agent", c.userAgent)

	start := time.Now()
	hresp, doErr := c.rc.Do(rreq)
	if hresp != nil {
		_ = hresp.Body.Close()
	}
	resp, err := c.finish(ctx, cl, hresp != nil, doErr, out)
	err = c.secrets.Error(err) // a token source's or transport's error text
	c.report(ctx, cl, resp, err, time.Since(start))
	return resp, err
}

// finish turns the last attempt into the Response and error of Do.
func (c *Client) finish(ctx context.Context, cl *call, answered bool, doErr error, out any) (*Response, error) {
	a := &cl.last
	resp := &Response{Attempts: cl.attempts, ThrottleWait: cl.throttleWait}
	if answered || a.status != 0 {
		resp.StatusCode = a.status
		resp.Header = a.header
		resp.RequestID = a.header.Get("X-Request-Id")
		resp.APIVersion = a.header.Get("X-Shopify-API-Version")
		resp.Cost = a.env.Extensions.Cost
	}
	op := cl.op.name
	if !answered {
		switch {
		case ctx.Err() != nil:
			return nilIfUnanswered(resp), fmt.Errorf("shopify: %s%w", opPrefix(op), ctx.Err())
		case a.fatal != nil:
			return nilIfUnanswered(resp), a.fatal
		case doErr != nil:
			return nilIfUnanswered(resp), fmt.Errorf("shopify: %srequest failed after %d attempt(s): %w", opPrefix(op), cl.attempts, doErr)
		}
		return nilIfUnanswered(resp), fmt.Errorf("shopify: %sno answer", opPrefix(op))
	}

	rid := resp.RequestID
	if a.throttled {
		te := &ThrottledError{Operation: op, StatusCode: a.status, RequestID: rid, Attempts: cl.attempts, Cost: resp.Cost}
		if d, ok := parseRetryAfter(a.header.Get("Retry-After"), time.Now()); ok {
			te.RetryAfter = d
		} else {
			te.RetryAfter = throttleWait(resp.Cost)
		}
		return resp, te
	}
	switch s := a.status; {
	case s == http.StatusUnauthorized:
		return resp, &AuthError{Operation: op, StatusCode: s, RequestID: rid, Message: errorText(a), Refreshed: cl.refreshed}
	case s == http.StatusForbidden:
		msg := errorText(a)
		return resp, &AccessDeniedError{Operation: op, StatusCode: s, RequestID: rid, Message: msg, Scopes: scopesIn(msg)}
	case s < 200 || s > 299:
		return resp, &HTTPError{Operation: op, StatusCode: s, RequestID: rid, Message: errorText(a), Attempts: cl.attempts}
	}
	if a.env.Data == nil && a.errs == nil {
		return resp, &HTTPError{Operation: op, StatusCode: a.status, RequestID: rid, Message: "the answer is not a GraphQL JSON response: " + snippet(a.body), Attempts: cl.attempts}
	}
	var decodeErr error
	if out != nil && len(a.env.Data) > 0 && !bytes.Equal(a.env.Data, []byte("null")) {
		if err := json.Unmarshal(a.env.Data, out); err != nil {
			decodeErr = fmt.Errorf("shopify: %sdecoding data: %w", opPrefix(op), err)
		}
	}
	if len(a.errs) > 0 {
		ge := &GraphQLErrors{Operation: op, RequestID: rid, Errors: a.errs}
		if ge.HasCode("ACCESS_DENIED") {
			ad := &AccessDeniedError{Operation: op, StatusCode: a.status, RequestID: rid, GraphQL: ge}
			var texts []string
			for i := range a.errs {
				if a.errs[i].Code() != "ACCESS_DENIED" {
					continue
				}
				if ra, _ := a.errs[i].Extensions["requiredAccess"].(string); ra != "" && ad.RequiredAccess == "" {
					ad.RequiredAccess = ra
				}
				if ad.Message == "" {
					ad.Message = a.errs[i].Message
				}
				texts = append(texts, a.errs[i].Message)
			}
			ad.Scopes = scopesIn(append(texts, ad.RequiredAccess)...)
			return resp, ad
		}
		return resp, ge
	}
	return resp, decodeErr
}

func nilIfUnanswered(r *Response) *Response {
	if r.StatusCode == 0 {
		return nil
	}
	return r
}

// errorText extracts Shopify's message from an error answer.
func errorText(a *attemptResult) string {
	if len(a.errs) > 0 {
		msgs := make([]string, len(a.errs))
		for i := range a.errs {
			msgs[i] = a.errs[i].Message
		}
		return strings.Join(msgs, "; ")
	}
	return snippet(a.body)
}

// snippet returns the start of a body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}

// report logs the outcome and calls the observer.
func (c *Client) report(ctx context.Context, cl *call, resp *Response, err error, d time.Duration) {
	m := RequestMetrics{
		Shop:         c.shop,
		Operation:    cl.op.name,
		Mutation:     cl.op.mutation,
		Attempts:     cl.attempts,
		ThrottleWait: cl.throttleWait,
		Duration:     d,
		Err:          err,
	}
	if cl.attempts > 0 {
		m.Retries = cl.attempts - 1
	}
	if resp != nil {
		m.StatusCode, m.RequestID, m.APIVersion = resp.StatusCode, resp.RequestID, resp.APIVersion
		if resp.Cost != nil {
			m.RequestedCost, m.ActualCost = resp.Cost.RequestedQueryCost, resp.Cost.ActualQueryCost
			ts := resp.Cost.ThrottleStatus
			m.Throttle = &ts
		}
	}
	// Debug even when the request failed: the error goes back to the
	// caller, who logs it at the level it deserves (a refused token is the
	// engine's business, not a line per request on the host's log).
	level := slog.LevelDebug
	if c.logger.Enabled(ctx, level) {
		attrs := []slog.Attr{
			slog.String("shop", c.shop), slog.String("operation", opLabel(cl.op.name)),
			slog.Int("status", m.StatusCode), slog.Int("attempts", m.Attempts),
			slog.Float64("requested_cost", m.RequestedCost), slog.Float64("actual_cost", m.ActualCost),
			slog.Duration("throttle_wait", m.ThrottleWait), slog.Duration("duration", d),
			slog.String("request_id", m.RequestID),
		}
		if err != nil {
			attrs = append(attrs, slog.String("error", err.Error()))
		}
		c.logger.LogAttrs(ctx, level, "shopify: graphql request", attrs...)
	}
	if c.observer != nil {
		c.observer(ctx, m)
	}
	if c.metrics != nil {
		c.metrics.record(ctx, m)
	}
}

// transport runs one attempt: it waits for the Limiter, adds the token,
// sends, reads the answer and feeds its cost report back to the Limiter.
// It sits below the retrying client, so every attempt passes through it.
type transport struct {
	c    *Client
	base http.RoundTripper
}

// errRefusedHost is returned instead of sending a token to another host.
var errRefusedHost = errors.New("shopify: refusing to send the access token to a host other than the shop or the base URL")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl == nil {
		return nil, errors.New("shopify: internal error: request without call state")
	}
	if req.URL.Scheme != c.base.Scheme || req.URL.Host != c.base.Host {
		cl.last = attemptResult{fatal: errRefusedHost, notSent: true}
		return nil, errRefusedHost
	}
	for try := 0; ; try++ {
		cl.attempts++
		cl.last = attemptResult{}
		res, waited, err := c.limiter.acquire(ctx, cl.op.name, cl.estimate)
		cl.throttleWait += waited
		if err != nil {
			cl.last.notSent = true
			return nil, err
		}
		tok, err := c.tokens.Token(ctx)
		if err != nil {
			c.limiter.settle(res, nil, false)
			cl.last.notSent = true
			if ctx.Err() == nil {
				cl.last.fatal = fmt.Errorf("shopify: %sgetting an access token: %w", opPrefix(cl.op.name), err)
			}
			return nil, err
		}
		r2 := req.Clone(ctx)
		r2.Body = io.NopCloser(bytes.NewReader(cl.body))
		r2.ContentLength = int64(len(cl.body))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(cl.body)), nil }
		r2.Header.Set("X-Shopify-Access-Token", tok.AccessToken)

		resp, err := t.base.RoundTrip(r2)
		if err != nil {
			notSent := isDialError(err)
			cl.last.notSent = notSent
			c.limiter.settle(res, nil, !notSent)
			return nil, err
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
		_ = resp.Body.Close()
		if rerr != nil {
			c.limiter.settle(res, nil, true)
			return nil, rerr
		}
		// Nothing read from the answer (errors, user errors, request id,
		// log attributes) may carry a secret an endpoint or proxy echoed.
		body = c.secrets.Bytes(body)
		c.secrets.Header(resp.Header)
		a := attemptResult{status: resp.StatusCode, header: resp.Header, body: body}
		if ct := resp.Header.Get("Content-Type"); strings.Contains(ct, "json") || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
			if json.Unmarshal(body, &a.env) == nil {
				a.errs = parseErrors(a.env.Errors)
			}
		}
		for i := range a.errs {
			if a.errs[i].Code() == "THROTTLED" {
				a.throttled = true
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			a.throttled = true
		}
		// 401 and throttled answers mean Shopify did not run the query.
		a.notSent = a.throttled || resp.StatusCode == http.StatusUnauthorized
		executed := !a.notSent && resp.StatusCode < 500
		c.limiter.settle(res, a.env.Extensions.Cost, executed)
		cl.last = a
		c.warn(ctx, cl, resp)
		if c.logger.Enabled(ctx, slog.LevelDebug) {
			c.logger.LogAttrs(ctx, slog.LevelDebug, "shopify: attempt", slog.String("shop", c.shop),
				slog.String("operation", opLabel(cl.op.name)), slog.Int("attempt", cl.attempts),
				slog.Int("status", resp.StatusCode), slog.Bool("throttled", a.throttled),
				slog.String("request_id", resp.Header.Get("X-Request-Id")), slog.Duration("limiter_wait", waited))
		}

		if resp.StatusCode == http.StatusUnauthorized && try == 0 && c.tokens.refreshable() && ctx.Err() == nil {
			// The token was refused: fetch a new one and try once more.
			c.tokens.invalidate(tok)
			cl.refreshed = true
			continue
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.Request = r2
		return resp, nil
	}
}

// warn logs deprecation notices and API version mismatches, once each.
func (c *Client) warn(ctx context.Context, cl *call, resp *http.Response) {
	if reason := resp.Header.Get("X-Shopify-API-Deprecated-Reason"); reason != "" && c.warned.first("deprecated\x00"+cl.op.name+"\x00"+reason) {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "shopify: the request uses a deprecated part of the Admin API",
			slog.String("shop", c.shop), slog.String("operation", opLabel(cl.op.name)),
			slog.String("reason", reason), slog.String("api_version", c.apiVersion),
			slog.String("request_id", resp.Header.Get("X-Request-Id")))
	}
	if served := resp.Header.Get("X-Shopify-API-Version"); served != "" && served != c.apiVersion && c.warned.first("version\x00"+served) {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "shopify: Shopify served a different Admin API version than requested",
			slog.String("shop", c.shop), slog.String("requested", c.apiVersion), slog.String("served", served),
			slog.String("request_id", resp.Header.Get("X-Request-Id")))
	}
}
