package shopify

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const okShop = `{"data":{"shop":{"name":"S"}}}`

var shopReq = &Request{Query: `query shop { shop { name } }`}

func TestThrottled200IsRecovered(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			// 40 points short at 200 points/s: wait 200ms.
			writeJSON(w, http.StatusOK, throttledJSON(50, 100, 10, 200))
			return
		}
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(50, 50, 100, 50, 200)+`}`)
	}, WithRetryWait(time.Millisecond, 5*time.Second))
	start := time.Now()
	resp, err := c.Do(context.Background(), shopReq, nil)
	if err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || resp.Attempts != 2 {
		t.Fatalf("%d calls, %d attempts", calls.Load(), resp.Attempts)
	}
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Fatalf("retried after %v; throttleStatus asks for (50-10)/200 = 200ms", el)
	}
	if resp.ThrottleWait < 190*time.Millisecond {
		t.Fatalf("ThrottleWait %v", resp.ThrottleWait)
	}
}

func TestThrottled429IsRecoveredAndRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var first time.Time
	var gap time.Duration
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "0.4")
			writeJSON(w, http.StatusTooManyRequests, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`)
			return
		}
		gap = time.Since(first)
		writeJSON(w, http.StatusOK, okShop)
	}, WithRetryWait(time.Millisecond, 5*time.Second))
	resp, err := c.Do(context.Background(), shopReq, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 2 {
		t.Fatalf("%d attempts", resp.Attempts)
	}
	if gap < 400*time.Millisecond {
		t.Fatalf("retried after %v, Retry-After said 0.4s", gap)
	}
}

func TestThrottledExhausted(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		status int
		body   string
	}{
		{"200 THROTTLED", 200, throttledJSON(10, 1000, 0, 1000)},
		{"429", 429, `{"errors":"Throttled"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("X-Request-Id", "thr")
				w.Header().Set("Retry-After", "0.01")
				writeJSON(w, tt.status, tt.body)
			}, WithRetryMax(2))
			_, err := c.Do(context.Background(), shopReq, nil)
			var te *ThrottledError
			if !errors.As(err, &te) || !errors.Is(err, ErrThrottled) || te.Attempts != 3 || te.StatusCode != tt.status || te.RequestID != "thr" {
				t.Fatalf("err = %#v", err)
			}
			if calls.Load() != 3 {
				t.Fatalf("%d calls, want 1 + 2 retries", calls.Load())
			}
			if tt.status == 200 && (te.Cost == nil || te.Cost.RequestedQueryCost != 10) {
				t.Fatalf("cost %+v", te.Cost)
			}
		})
	}
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	statuses := []int{500, 502, 503, 504}
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1))
		if n <= len(statuses) {
			writeJSON(w, statuses[n-1], `{"errors":"Internal Server Error"}`)
			return
		}
		writeJSON(w, http.StatusOK, okShop)
	})
	resp, err := c.Do(context.Background(), shopReq, nil)
	if err != nil || resp.Attempts != 5 {
		t.Fatalf("err %v, resp %+v", err, resp)
	}
	// Exhausted: the last 5xx is reported with the attempt count.
	c2, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "r5")
		writeJSON(w, http.StatusBadGateway, `{"errors":"Bad Gateway"}`)
	}, WithRetryMax(1))
	_, err = c2.Do(context.Background(), shopReq, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 502 || he.Attempts != 2 || he.RequestID != "r5" {
		t.Fatalf("err = %#v", err)
	}
}

// flakyTransport fails the first request with err, then passes requests on.
type flakyTransport struct {
	err   error
	calls atomic.Int32
	next  http.RoundTripper
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.calls.Add(1) == 1 {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
		}
		return nil, f.err
	}
	return f.next.RoundTrip(r)
}

func TestMutationRetries(t *testing.T) {
	t.Parallel()
	const plain = `mutation tagsAdd($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { message } } }`
	const keyed = `mutation inventoryAdjustQuantities($input: InventoryAdjustQuantitiesInput!, $key: String!) { inventoryAdjustQuantities(input: $input) @idempotent(key: $key) { userErrors { message } } }`
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	resetErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name      string
		req       *Request
		first     func(w http.ResponseWriter) // first answer; nil when the transport fails
		transport error
		wantCalls int32 // attempts that reached the server or the transport
		wantErr   bool
	}{
		{"plain mutation 502 not retried", &Request{Query: plain}, func(w http.ResponseWriter) { writeJSON(w, 502, `{"errors":"Bad Gateway"}`) }, nil, 1, true},
		{"plain mutation reset not retried", &Request{Query: plain}, nil, resetErr, 1, true},
		{"plain mutation throttled retried", &Request{Query: plain}, func(w http.ResponseWriter) { writeJSON(w, 200, throttledJSON(10, 1000, 0, 1000)) }, nil, 2, false},
		{"plain mutation 429 retried", &Request{Query: plain}, func(w http.ResponseWriter) { writeJSON(w, 429, `{"errors":"Throttled"}`) }, nil, 2, false},
		{"plain mutation dial error retried", &Request{Query: plain}, nil, dialErr, 2, false},
		{"Idempotent mutation 502 retried", &Request{Query: plain, Idempotent: true}, func(w http.ResponseWriter) { writeJSON(w, 502, `{"errors":"Bad Gateway"}`) }, nil, 2, false},
		{"@idempotent mutation 503 retried", &Request{Query: keyed}, func(w http.ResponseWriter) { writeJSON(w, 503, `{"errors":"Unavailable"}`) }, nil, 2, false},
		{"@idempotent mutation reset retried", &Request{Query: keyed}, nil, resetErr, 2, false},
		{"query reset retried", &Request{Query: `query shop { shop { name } }`}, nil, resetErr, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			ft := &flakyTransport{err: tt.transport, next: http.DefaultTransport}
			opts := []Option{}
			if tt.transport != nil {
				opts = append(opts, WithHTTPClient(&http.Client{Transport: ft}))
			}
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				if n == 1 && tt.first != nil {
					tt.first(w)
					return
				}
				writeJSON(w, 200, `{"data":{}}`)
			}, opts...)
			_, err := c.Do(context.Background(), tt.req, nil)
			got := calls.Load()
			if tt.transport != nil {
				got = ft.calls.Load()
			}
			if got != tt.wantCalls {
				t.Fatalf("%d attempts, want %d (err %v)", got, tt.wantCalls, err)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestCancelDuringThrottleWaitReturnsPromptly(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		// 990 points short at 1 point/s: a wait of over 16 minutes.
		writeJSON(w, http.StatusOK, throttledJSON(1000, 1000, 10, 1))
	}, WithRetryWait(time.Millisecond, time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Do(ctx, shopReq, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Do returned %v after the cancel", el)
	}
	// The limiter now knows the bucket is empty; a second request waits in
	// the limiter and must end on its deadline too.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	start = time.Now()
	if _, err := c.Do(ctx2, shopReq, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded", err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Fatalf("Do returned %v after the deadline", el)
	}
}

func TestRetryHooksAreReplaceable(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var policyCalls, backoffCalls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, 418, `{"errors":"teapot"}`)
	},
		WithRetryMax(3),
		WithRetryPolicy(func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			policyCalls.Add(1)
			a, ok := AttemptFromContext(ctx)
			if !ok || a.Operation != "shop" || a.Mutation || a.Number < 1 {
				t.Errorf("AttemptFromContext = %+v, %v", a, ok)
			}
			return resp != nil && resp.StatusCode == 418, nil
		}),
		WithBackoff(func(minWait, maxWait time.Duration, n int, resp *http.Response) time.Duration {
			backoffCalls.Add(1)
			return time.Millisecond
		}))
	_, err := c.Do(context.Background(), shopReq, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != 418 {
		t.Fatalf("err = %v", err)
	}
	if calls.Load() != 4 || policyCalls.Load() != 4 || backoffCalls.Load() != 3 {
		t.Fatalf("calls %d, policy %d, backoff %d", calls.Load(), policyCalls.Load(), backoffCalls.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   string
		want time.Duration
		ok   bool
	}{
		{"seconds", "2", 2 * time.Second, true},
		{"fractional", "2.0", 2 * time.Second, true},
		{"half", "0.5", 500 * time.Millisecond, true},
		{"spaces", " 3 ", 3 * time.Second, true},
		{"http date", "Thu, 26 Nov 2026 12:00:05 GMT", 5 * time.Second, true},
		{"past date", "Thu, 26 Nov 2026 11:00:00 GMT", 0, true},
		{"empty", "", 0, false},
		{"negative", "-1", 0, false},
		{"garbage", "soon", 0, false},
		{"absurd", "1e12", 0, false},
		{"nan", "NaN", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseRetryAfter(tt.in, now)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("parseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestDefaultBackoff(t *testing.T) {
	t.Parallel()
	hdr := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	minW, maxW := 100*time.Millisecond, 2*time.Second
	if d := DefaultBackoff(minW, maxW, 0, hdr(429, "1.5")); d != 1500*time.Millisecond {
		t.Errorf("429 Retry-After 1.5: %v", d)
	}
	if d := DefaultBackoff(minW, maxW, 0, hdr(503, "60")); d != maxW {
		t.Errorf("Retry-After above max: %v, want capped at %v", d, maxW)
	}
	for n := range 8 {
		want := min(time.Duration(float64(minW)*float64(int(1)<<n)), maxW)
		for range 20 {
			d := DefaultBackoff(minW, maxW, n, hdr(500, ""))
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %v outside [%v, %v]", n, d, want/2, want)
			}
		}
	}
	// A THROTTLED answer: (requested - available) / restoreRate.
	cl := &call{op: operation{name: "q"}}
	cl.last.throttled = true
	cl.last.env.Extensions.Cost = &QueryCost{RequestedQueryCost: 300, ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 100, RestoreRate: 400}}
	req, _ := http.NewRequestWithContext(context.WithValue(context.Background(), callKey{}, cl), "POST", "http://x", nil)
	resp := hdr(200, "")
	resp.Request = req
	if d := DefaultBackoff(minW, maxW, 0, resp); d != 500*time.Millisecond {
		t.Errorf("THROTTLED: %v, want (300-100)/400 = 500ms", d)
	}
	if !strings.Contains(DefaultBackoff(minW, maxW, 100, nil).String(), "s") {
		t.Error("huge attempt numbers must stay finite")
	}
}
