package shopify

import (
	"context"
	"errors"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeNow is a settable clock for limiter unit tests.
type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestLimiterModel(t *testing.T) {
	t.Parallel()
	clk := &fakeNow{t: time.Unix(1_000_000, 0)}
	l := NewLimiter()
	l.now = clk.now
	ctx := context.Background()
	if _, ok := l.Status(); ok {
		t.Fatal("a new Limiter claims to be seeded")
	}
	// The first request probes alone.
	probe, _, err := l.acquire(ctx, "products")
	if err != nil || !probe.probe {
		t.Fatalf("first acquire = %+v, %v", probe, err)
	}
	blocked := make(chan error, 1)
	go func() {
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, _, err := l.acquire(wctx, "products")
		blocked <- err
	}()
	if err := <-blocked; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second request went out before the bucket was known: %v", err)
	}
	// The answer seeds the model: 1000 max, 800 left, 50/s; products costs 120.
	l.settle(probe, "products", &QueryCost{RequestedQueryCost: 120, ActualQueryCost: 100,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 800, RestoreRate: 50}}, true)
	s, ok := l.Status()
	if !ok || s.MaximumAvailable != 1000 || s.RestoreRate != 50 || !near(s.CurrentlyAvailable, 800) {
		t.Fatalf("seeded status %+v %v", s, ok)
	}
	// The next products request reserves its last requested cost, 120.
	r, _, err := l.acquire(ctx, "products")
	if err != nil || r.cost != 120 {
		t.Fatalf("acquire = %+v, %v", r, err)
	}
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 680) {
		t.Fatalf("after reserving 120: %v", s.CurrentlyAvailable)
	}
	// Unknown operations use the static estimate.
	r2, _, _ := l.acquire(ctx, "other")
	if r2.cost != DefaultCostEstimate {
		t.Fatalf("estimate for an unknown operation = %v", r2.cost)
	}
	// Refund: products actually cost 30, and Shopify reports plenty left;
	// the model keeps the lower of its own level and the report minus the
	// 50 points still in flight.
	clk.add(2 * time.Second) // +100 points
	l.settle(r, "products", &QueryCost{RequestedQueryCost: 120, ActualQueryCost: 30,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 900, RestoreRate: 50}}, true)
	// 630 + 100 refill + 90 refund = 820; report 900 - 50 in flight = 850.
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 820) {
		t.Fatalf("after refund: %v, want 820", s.CurrentlyAvailable)
	}
	// Another client of the app used the bucket: the report is lower and wins.
	l.settle(r2, "other", &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 200, RestoreRate: 100}}, true)
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 200) || s.RestoreRate != 100 {
		t.Fatalf("after a low report: %+v", s)
	}
	// A throttled answer refunds the estimate (the query did not run).
	r3, _, _ := l.acquire(ctx, "other")
	l.settle(r3, "other", nil, false)
	if s, _ := l.Status(); s.CurrentlyAvailable > 0 {
		t.Fatalf("a throttle without report leaves %v available", s.CurrentlyAvailable)
	}
	// Plan change: a smaller bucket caps estimates at its size.
	l.mu.Lock()
	l.max = 40
	e := l.estimate("products")
	l.mu.Unlock()
	if e != 40 {
		t.Fatalf("estimate above maximumAvailable: %v", e)
	}
}

func TestLimiterWaitsForCost(t *testing.T) {
	t.Parallel()
	// Unit: with 10 points available, 100/s, a 60-point request waits 500ms.
	l := NewLimiter()
	p, _, _ := l.acquire(context.Background(), "q")
	l.settle(p, "q", &QueryCost{RequestedQueryCost: 60, ActualQueryCost: 60,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 10, RestoreRate: 100}}, true)
	start := time.Now()
	r, waited, err := l.acquire(context.Background(), "q")
	if err != nil || r.cost != 60 {
		t.Fatal(r, err)
	}
	if el := time.Since(start); el < 480*time.Millisecond || waited < 480*time.Millisecond {
		t.Fatalf("waited %v (reported %v); want about (60-10)/100 = 500ms", el, waited)
	}

	// Through the client: the first answer leaves 0 of 100 at 100/s, and the
	// operation costs 20, so the next request waits about 200ms and is not
	// throttled by the server.
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(20, 20, 100, 0, 100)+`}`)
	})
	if _, err := c.Do(context.Background(), shopReq, nil); err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), shopReq, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ThrottleWait < 180*time.Millisecond || resp.ThrottleWait > 2*time.Second {
		t.Fatalf("ThrottleWait %v; want about 200ms", resp.ThrottleWait)
	}
	if calls.Load() != 2 || resp.Attempts != 1 {
		t.Fatalf("calls %d, attempts %d", calls.Load(), resp.Attempts)
	}
}

func TestLimiterCancelWhileQueued(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	p, _, _ := l.acquire(context.Background(), "q")
	l.settle(p, "q", &QueryCost{RequestedQueryCost: 100, ActualQueryCost: 100,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 0, RestoreRate: 1}}, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 { // one at the head of the queue, one behind it
		go func() { _, _, err := l.acquire(ctx, "q"); done <- err }()
	}
	time.Sleep(20 * time.Millisecond)
	cancel()
	for range 2 {
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("a queued acquire did not end on cancel")
		}
	}
	l.mu.Lock()
	n := l.queue.Len()
	l.mu.Unlock()
	if n != 0 {
		t.Fatalf("%d cancelled waiters left in the queue", n)
	}
}

func TestLimiterSharedBetweenClients(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	a, err := NewClient("one", WithAccessToken("t"), WithLimiter(l))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewClient("one.myshopify.com", WithAccessToken("t2"), WithLimiter(l))
	if err != nil {
		t.Fatal(err)
	}
	if a.Limiter() != b.Limiter() {
		t.Fatal("clients do not share the limiter")
	}
	if _, err := NewClient("two", WithAccessToken("t"), WithLimiter(l)); err == nil {
		t.Fatal("a limiter of one shop was accepted for another")
	}
}

func TestLimiterWithoutCostReports(t *testing.T) {
	t.Parallel()
	// A server that sends no extensions.cost: requests must still overlap
	// instead of going one at a time as probes.
	var inFlight, maxInFlight atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		writeJSON(w, http.StatusOK, okShop)
	})
	if _, err := c.Do(context.Background(), shopReq, nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := c.Do(context.Background(), shopReq, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if maxInFlight.Load() < 2 {
		t.Fatalf("requests ran one at a time (max %d in flight)", maxInFlight.Load())
	}
	if _, ok := c.Limiter().Status(); ok {
		t.Fatal("seeded without a cost report")
	}
}

// An operation whose cost varies with its variables (pages or chunks of
// different sizes) is estimated at its recent maximum, so a small request
// does not make the next large one go out early and be throttled.
func TestLimiterEstimateIsRecentMaximum(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	ts := ThrottleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 2000, RestoreRate: 100}
	ctx := context.Background()
	costs := []float64{300, 300, 300, 40}
	for _, c := range costs {
		r, _, err := l.acquire(ctx, "stock")
		if err != nil {
			t.Fatal(err)
		}
		l.settle(r, "stock", &QueryCost{RequestedQueryCost: c, ActualQueryCost: c, ThrottleStatus: ts}, true)
	}
	l.mu.Lock()
	e := l.estimate("stock")
	l.mu.Unlock()
	if e != 300 {
		t.Fatalf("estimate after costs %v = %v, want the recent maximum 300", costs, e)
	}
	// The window forgets: after eight cheap requests the estimate drops.
	for range costWindowSize {
		r, _, err := l.acquire(ctx, "stock")
		if err != nil {
			t.Fatal(err)
		}
		l.settle(r, "stock", &QueryCost{RequestedQueryCost: 40, ActualQueryCost: 40, ThrottleStatus: ts}, true)
	}
	l.mu.Lock()
	e = l.estimate("stock")
	l.mu.Unlock()
	if e != 40 {
		t.Fatalf("estimate after %d requests of 40 = %v, want 40", costWindowSize, e)
	}
}

// Requests in flight still count against Shopify's bucket: the model must not
// refill above max minus what is in flight, or a second batch goes out while
// the first is delayed on its way and the bucket cannot pay both.
func TestLimiterDoesNotRefillOverInflight(t *testing.T) {
	t.Parallel()
	clk := &fakeNow{t: time.Unix(1_000_000, 0)}
	l := NewLimiter()
	l.now = clk.now
	ctx := context.Background()
	probe, _, err := l.acquire(ctx, "q")
	if err != nil {
		t.Fatal(err)
	}
	l.settle(probe, "q", &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 100, RestoreRate: 2000}}, true)
	// Spend the whole bucket on ten requests that stay in flight.
	var held []*reservation
	for range 10 {
		r, _, err := l.acquire(ctx, "q")
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, r)
	}
	// Long enough to refill the bucket twice over; the ten are still
	// unanswered, so Shopify will charge them from what it holds then.
	clk.add(100 * time.Millisecond)
	wctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	if _, _, err := l.acquire(wctx, "q"); err == nil {
		t.Fatal("an eleventh request went out while ten requests worth the whole bucket were in flight")
	}
	// Once they are answered, the model refills again and requests flow.
	for _, r := range held {
		l.settle(r, "q", &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
			ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 100, RestoreRate: 2000}}, true)
	}
	clk.add(10 * time.Millisecond) // 20 points restored
	actx, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if _, _, err := l.acquire(actx, "q"); err != nil {
		t.Fatal(err)
	}
}
