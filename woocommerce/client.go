package woocommerce

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/wmsbridge/wmsbridge/internal/httpretry"
	"github.com/wmsbridge/wmsbridge/internal/redact"
	"golang.org/x/time/rate"
)

// redacted replaces secrets in formatted output, logs and errors.
const redacted = redact.Mask

// maxResponseBody bounds what the Client reads of one answer.
const maxResponseBody = 64 << 20

// Client talks to one WooCommerce store's REST API (wc/v3).
//
// A Client is safe for concurrent use, and the goroutines working on one
// store should share it: its rate limiter paces all of them (WooCommerce
// has no limit of its own, the hosts it runs on do), and its connection
// pool is reused. Create it with NewClient.
//
// Formatting a Client (fmt's %v, %+v, %#v) or logging it never shows the
// consumer key or secret.
type Client struct {
	base            *url.URL // https://store[/prefix], no trailing slash
	key, secret     string
	secrets         *redact.Set // the key and the secret, in every form
	queryAuth       bool
	plainPermalinks bool
	limiter         *rate.Limiter
	rc              *retryablehttp.Client
	logger          *slog.Logger
	checkRetry      CheckRetry
	backoff         Backoff
	userAgent       string
	batchLimit      int
}

// NewClient returns a Client for the store at storeURL, the address of its
// WordPress site ("https://shop.example" or "https://example.com/shop" when
// WordPress lives in a folder). WithKeys is required. The URL must use
// HTTPS: WooCommerce accepts a key over plain HTTP only with OAuth 1.0a
// signatures, which this Client does not implement.
//
// NewClient does no I/O; wrong keys show on the first request.
func NewClient(storeURL string, opts ...Option) (*Client, error) {
	norm, err := NormalizeStoreURL(storeURL)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: NewClient: %w", err)
	}
	u, _ := url.Parse(norm)
	o := options{
		retryMax:     DefaultRetryMax,
		retryWaitMin: DefaultRetryWaitMin,
		retryWaitMax: DefaultRetryWaitMax,
		userAgent:    "wmsbridge",
		batchLimit:   MaxBatchItems,
	}
	for _, opt := range opts {
		if opt == nil {
			return nil, errors.New("woocommerce: NewClient: nil Option")
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	if o.key == "" {
		return nil, errors.New("woocommerce: NewClient: no key; use WithKeys")
	}
	c := &Client{
		base:            u,
		key:             o.key,
		secret:          o.secret,
		secrets:         redact.New(o.key, o.secret),
		queryAuth:       o.queryAuth,
		plainPermalinks: o.plainPermalinks,
		limiter:         o.limiter,
		logger:          o.logger,
		checkRetry:      o.checkRetry,
		backoff:         o.backoff,
		userAgent:       o.userAgent,
		batchLimit:      o.batchLimit,
	}
	if c.limiter == nil {
		c.limiter = rate.NewLimiter(DefaultRate, DefaultBurst)
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	c.logger = c.secrets.Logger(c.logger)
	if c.checkRetry == nil {
		c.checkRetry = DefaultRetryPolicy
	}
	if c.backoff == nil {
		c.backoff = DefaultBackoff
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
	api := *hc
	api.Transport = &transport{c: c, base: rt}
	api.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
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

// NormalizeStoreURL checks a store's site address and returns it in one
// form: https, lower-case host without the default port, path kept
// (WordPress in a folder) without a trailing slash or "/wp-json". It is
// how the library names a store, in settings and in webhook events
// (X-WC-Webhook-Source is the site's home URL with a trailing slash).
// Plain http is refused: WooCommerce accepts keys over plain HTTP only
// with OAuth 1.0a signatures, which this package does not implement.
func NormalizeStoreURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	switch {
	case err != nil:
		return "", err
	case u.Scheme == "http":
		return "", errors.New("the store URL must use https: WooCommerce ignores Basic and query-string keys over plain HTTP")
	case u.Scheme != "https" || u.Host == "":
		return "", fmt.Errorf("%q is not an https URL of a store", raw)
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return "", errors.New("the store URL must not carry user info, a query or a fragment")
	}
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, ":443")
	path := strings.TrimRight(u.Path, "/")
	path = strings.TrimRight(strings.TrimSuffix(path, "/wp-json"), "/")
	return "https://" + host + path, nil
}

// StoreURL returns the store's address as NewClient normalised it.
func (c *Client) StoreURL() string { return c.base.String() }

// Limiter returns the rate limiter pacing the Client.
func (c *Client) Limiter() *rate.Limiter { return c.limiter }

// BatchLimit returns the most items the Client sends in one batch call.
func (c *Client) BatchLimit() int { return c.batchLimit }

// String describes the Client without secrets.
func (c *Client) String() string {
	if c == nil {
		return "woocommerce.Client(nil)"
	}
	auth := "basic"
	if c.queryAuth {
		auth = "query string"
	}
	return fmt.Sprintf("woocommerce.Client{store:%s auth:%s key:%s}", c.base, auth, redacted)
}

// GoString is String.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter so that every verb prints String.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue implements slog.LogValuer without secrets.
func (c *Client) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("woocommerce.Client(nil)")
	}
	return slog.GroupValue(slog.String("store", c.base.String()))
}

func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	_, _ = io.WriteString(f, s)
}

// Request is one call of the REST API for Client.Do.
type Request struct {
	// Method is the HTTP method; "" is GET.
	Method string
	// Path is the route below the wc/v3 namespace ("products/12"), or,
	// starting with "/", below /wp-json ("/wc/v3", "/" for the site index).
	Path string
	// Query holds the query parameters.
	Query url.Values
	// Body is encoded as JSON when not nil.
	Body any
	// Repeatable marks a POST whose repetition does no harm (a batch of
	// updates and deletes), so the Client retries it like GET, PUT and
	// DELETE. Other POSTs create something, and the Client retries them
	// only when WooCommerce cannot have received them (see
	// DefaultRetryPolicy).
	Repeatable bool
	// Unauthenticated sends no key, for public routes such as the site
	// index (WooCommerce 11.1+ refuses keys outside its own namespaces).
	Unauthenticated bool
}

// route returns the route below /wp-json.
func (r *Request) route() string {
	if strings.HasPrefix(r.Path, "/") {
		return r.Path
	}
	return "/wc/v3/" + r.Path
}

func (r *Request) method() string {
	if r.Method == "" {
		return http.MethodGet
	}
	return r.Method
}

func (r *Request) repeatable() bool {
	switch r.method() {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return r.Repeatable
}

// Response is the answer to a call, with WooCommerce's paging headers
// decoded. Its body has been read.
type Response struct {
	*http.Response
	// Total and TotalPages are X-WP-Total and X-WP-TotalPages on
	// collection answers; -1 when absent.
	Total      int64
	TotalPages int
	// HasNext reports a Link header with rel="next".
	HasNext bool
}

func newResponse(r *http.Response) *Response {
	out := &Response{Response: r, Total: -1, TotalPages: -1}
	if v, err := strconv.ParseInt(r.Header.Get("X-WP-Total"), 10, 64); err == nil {
		out.Total = v
	}
	if v, err := strconv.Atoi(r.Header.Get("X-WP-TotalPages")); err == nil {
		out.TotalPages = v
	}
	for _, l := range r.Header.Values("Link") {
		if strings.Contains(l, `rel="next"`) {
			out.HasNext = true
		}
	}
	return out
}

// Do sends req and decodes a 2xx answer's JSON into out (when not nil). An
// error answer becomes an *APIError (WooCommerce's {code, message, data})
// or an *HTTPError (anything else); a transport failure after the retries
// is returned wrapped. The Response is returned whenever an answer came.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := json.Marshal(req.Body)
		if err != nil {
			return nil, fmt.Errorf("woocommerce: %s%w", reqPrefix(req.method(), req.route()), err)
		}
		body = b
	}
	cl := &call{req: req, body: body}
	ctx = context.WithValue(ctx, callKey{}, cl)
	rreq, err := retryablehttp.NewRequestWithContext(ctx, req.method(), c.url(req), body)
	if err != nil {
		return nil, fmt.Errorf("woocommerce: %s%w", reqPrefix(req.method(), req.route()), err)
	}
	if body != nil {
		rreq.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.rc.Do(rreq)
	if err != nil {
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("woocommerce: %s%w", reqPrefix(req.method(), req.route()), ctx.Err())
		}
		if cl.last.fatal != nil {
			return nil, cl.last.fatal
		}
		return nil, fmt.Errorf("woocommerce: %s%w", reqPrefix(req.method(), req.route()), c.secrets.Error(err))
	}
	r := newResponse(resp)
	a := cl.last
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300 && !a.notJSON:
		if out != nil {
			if err := json.Unmarshal(a.body, out); err != nil {
				return r, fmt.Errorf("woocommerce: %sdecoding the answer: %w", reqPrefix(req.method(), req.route()), err)
			}
		}
		return r, nil
	case resp.StatusCode >= 300 || resp.StatusCode < 200 || a.notJSON:
		var eb apiErrorBody
		if !a.notJSON && json.Unmarshal(a.body, &eb) == nil && eb.Code != "" {
			e := eb.toAPIError(resp.StatusCode)
			e.Method, e.Path, e.Attempts = req.method(), req.route(), cl.attempts
			e.Message = c.scrub(e.Message)
			return r, e
		}
	}
	return r, &HTTPError{
		Method: req.method(), Path: req.route(), StatusCode: resp.StatusCode,
		ContentType: resp.Header.Get("Content-Type"), Body: c.scrub(clip(strings.TrimSpace(string(a.body)), 200)),
		Attempts: cl.attempts,
	}
}

// url builds the request URL without credentials.
func (c *Client) url(req *Request) string {
	q := req.Query
	if c.plainPermalinks {
		q2 := url.Values{}
		for k, v := range q {
			q2[k] = v
		}
		q2.Set("rest_route", req.route())
		return c.base.String() + "/?" + q2.Encode()
	}
	u := c.base.String() + "/wp-json" + req.route()
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// scrub removes the key and secret from text that may echo a URL.
func (c *Client) scrub(s string) string { return c.secrets.Text(s) }

// call is the state of one Client.Do across its attempts.
type call struct {
	req      *Request
	body     []byte
	attempts int
	last     attemptResult
}

type attemptResult struct {
	status    int
	body      []byte
	notJSON   bool  // a 2xx whose body is not JSON
	challenge bool  // an HTML page or a host's bot challenge, not WooCommerce
	notSent   bool  // the request cannot have reached the store
	fatal     error // stop retrying and return this
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	cl, _ := ctx.Value(callKey{}).(*call)
	return cl
}

// transport paces each attempt, adds the credentials to a copy of the
// request, and reads the answer so the retry policy can judge it.
type transport struct {
	c    *Client
	base http.RoundTripper
}

var errOtherHost = errors.New("woocommerce: refusing to send the key to a host other than the store's")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl == nil {
		return nil, errors.New("woocommerce: internal error: request without call state")
	}
	cl.attempts++
	cl.last = attemptResult{}
	if req.URL.Scheme != c.base.Scheme || req.URL.Host != c.base.Host {
		cl.last = attemptResult{fatal: errOtherHost, notSent: true}
		return nil, errOtherHost
	}
	if err := c.limiter.Wait(ctx); err != nil {
		cl.last.notSent = true
		if ctx.Err() == nil {
			// The wait would outlast the context's deadline.
			cl.last.fatal = fmt.Errorf("woocommerce: %swaiting for the rate limiter: %w", reqPrefix(cl.req.method(), cl.req.route()), context.DeadlineExceeded)
		}
		return nil, err
	}
	r2 := req.Clone(ctx)
	r2.Body = io.NopCloser(bytes.NewReader(cl.body))
	r2.ContentLength = int64(len(cl.body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(cl.body)), nil }
	if cl.body == nil {
		r2.Body, r2.GetBody, r2.ContentLength = nil, nil, 0
	}
	r2.Header.Set("User-Agent", c.userAgent)
	r2.Header.Set("Accept", "application/json")
	if !cl.req.Unauthenticated {
		if c.queryAuth {
			sep := "&"
			if r2.URL.RawQuery == "" {
				sep = ""
			}
			r2.URL.RawQuery += sep + "consumer_key=" + url.QueryEscape(c.key) + "&consumer_secret=" + url.QueryEscape(c.secret)
		} else {
			r2.SetBasicAuth(c.key, c.secret)
		}
	}
	resp, err := t.base.RoundTrip(r2)
	if err != nil {
		cl.last.notSent = httpretry.IsDialError(err)
		return nil, c.secrets.Error(err)
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	_ = resp.Body.Close()
	resp.Request = req // the copy without credentials
	if rerr != nil {
		return nil, c.secrets.Error(rerr)
	}
	body = c.secrets.Bytes(body) // an answer that echoes the key hands it to no one
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if c.queryAuth {
		for i, l := range resp.Header.Values("Link") {
			resp.Header["Link"][i] = stripCredentials(l)
		}
	}
	trimmed := bytes.TrimSpace(body)
	a := attemptResult{status: resp.StatusCode, body: body}
	a.challenge = resp.Header.Get("SG-Captcha") != "" || bytes.HasPrefix(trimmed, []byte("<"))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		a.notJSON = len(trimmed) == 0 || !json.Valid(trimmed)
	}
	cl.last = a
	return resp, nil
}

// stripCredentials removes consumer_key and consumer_secret from the URLs
// in a Link header value.
func stripCredentials(link string) string {
	var out []string
	for part := range strings.SplitSeq(link, ",") {
		start, end := strings.Index(part, "<"), strings.Index(part, ">")
		if start < 0 || end < start {
			out = append(out, part)
			continue
		}
		u, err := url.Parse(part[start+1 : end])
		if err != nil {
			out = append(out, part[:start+1]+redacted+part[end:])
			continue
		}
		q := u.Query()
		q.Del("consumer_key")
		q.Del("consumer_secret")
		u.RawQuery = q.Encode()
		out = append(out, part[:start+1]+u.String()+part[end:])
	}
	return strings.Join(out, ",")
}
