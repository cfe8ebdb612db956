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
	probe, _, err := l.acquire(ctx, "products", 100)
	if err != nil || !probe.probe {
		t.Fatalf("first acquire = %+v, %v", probe, err)
	}
	blocked := make(chan error, 1)
	go func() {
		wctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, _, err := l.acquire(wctx, "products", 100)
		blocked <- err
	}()
	if err := <-blocked; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a second request went out before the bucket was known: %v", err)
	}
	// The answer seeds the model: 1000 max, 800 left, 50/s; products costs
	// 120 where its document says 100.
	l.settle(probe, &QueryCost{RequestedQueryCost: 120, ActualQueryCost: 100,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 800, RestoreRate: 50}}, true)
	s, ok := l.Status()
	if !ok || s.MaximumAvailable != 1000 || s.RestoreRate != 50 || !near(s.CurrentlyAvailable, 800) {
		t.Fatalf("seeded status %+v %v", s, ok)
	}
	// The next products request reserves its document's estimate times the
	// ratio Shopify reported: 100 × 1.2 = 120.
	r, _, err := l.acquire(ctx, "products", 100)
	if err != nil || r.cost != 120 {
		t.Fatalf("acquire = %+v, %v", r, err)
	}
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 680) {
		t.Fatalf("after reserving 120: %v", s.CurrentlyAvailable)
	}
	// An operation without history is estimated from its document.
	r2, _, _ := l.acquire(ctx, "other", 37)
	if r2.cost != 37 || !r2.learning {
		t.Fatalf("reservation for an unknown operation = %+v", r2)
	}
	// Refund: products actually cost 30, and Shopify reports plenty left.
	// No other answer arrived while it was out, so the report minus the 37
	// points still in flight is the new level, even above the model's.
	clk.add(2 * time.Second) // +100 points
	l.settle(r, &QueryCost{RequestedQueryCost: 120, ActualQueryCost: 30,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 900, RestoreRate: 50}}, true)
	// The model had 643 + 100 refill + 90 refund = 833; the report says
	// 900 - 37 in flight = 863.
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 863) {
		t.Fatalf("after refund: %v, want 863", s.CurrentlyAvailable)
	}
	// Another client of the app used the bucket: the report is lower and wins.
	l.settle(r2, &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: 200, RestoreRate: 100}}, true)
	if s, _ := l.Status(); !near(s.CurrentlyAvailable, 200) || s.RestoreRate != 100 {
		t.Fatalf("after a low report: %+v", s)
	}
	// A throttled answer refunds the estimate (the query did not run).
	r3, _, _ := l.acquire(ctx, "other", 37)
	l.settle(r3, nil, false)
	if s, _ := l.Status(); s.CurrentlyAvailable > 0 {
		t.Fatalf("a throttle without report leaves %v available", s.CurrentlyAvailable)
	}
	// Plan change: a smaller bucket caps estimates at its size.
	l.mu.Lock()
	l.max = 40
	e := l.estimate("products", 100)
	l.mu.Unlock()
	if e != 40 {
		t.Fatalf("estimate above maximumAvailable: %v", e)
	}
}

func TestLimiterWaitsForCost(t *testing.T) {
	t.Parallel()
	// Unit: with 10 points available, 100/s, a 60-point request waits 500ms.
	l := NewLimiter()
	p, _, _ := l.acquire(context.Background(), "q", 60)
	l.settle(p, &QueryCost{RequestedQueryCost: 60, ActualQueryCost: 60,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 10, RestoreRate: 100}}, true)
	start := time.Now()
	r, waited, err := l.acquire(context.Background(), "q", 60)
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
	p, _, _ := l.acquire(context.Background(), "q", 100)
	l.settle(p, &QueryCost{RequestedQueryCost: 100, ActualQueryCost: 100,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 0, RestoreRate: 1}}, true)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 { // one at the head of the queue, one behind it
		go func() { _, _, err := l.acquire(ctx, "q", 100); done <- err }()
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

// An operation's cost follows its document (pages or chunks of different
// sizes), times the largest recent ratio of Shopify's reported cost to the
// document's estimate, so neither a small request nor a field Shopify
// prices above the documented rules makes the next request go out early.
func TestLimiterEstimateIsDocumentTimesRecentRatio(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	ts := ThrottleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 2000, RestoreRate: 100}
	ctx := context.Background()
	answer := func(doc, requested float64) {
		t.Helper()
		r, _, err := l.acquire(ctx, "stock", doc)
		if err != nil {
			t.Fatal(err)
		}
		l.settle(r, &QueryCost{RequestedQueryCost: requested, ActualQueryCost: requested, ThrottleStatus: ts}, true)
	}
	estimate := func(doc float64) float64 {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.estimate("stock", doc)
	}
	// Chunks of 12 and 3 items priced as their documents say: a large chunk
	// after a small one is estimated at its own size.
	for _, c := range []float64{643, 643, 163} {
		answer(c, c)
	}
	if e := estimate(643); e != 643 {
		t.Fatalf("estimate of a 643-point document after a 163-point one = %v", e)
	}
	if e := estimate(163); e != 163 {
		t.Fatalf("estimate of a 163-point document = %v", e)
	}
	// Shopify once charged twice the documented cost: the ratio is kept
	// while it is among the last eight answers.
	answer(300, 600)
	answer(40, 40)
	if e := estimate(100); e != 200 {
		t.Fatalf("estimate after a ratio of 2 = %v, want 200", e)
	}
	for range costWindowSize {
		answer(40, 40)
	}
	if e := estimate(100); e != 100 {
		t.Fatalf("estimate after %d answers at the documented cost = %v, want 100", costWindowSize, e)
	}
}

// An operation without a cost report goes out one request at a time until
// its first answer, so a wrong document estimate cannot be repeated by every
// goroutine at once; other operations are not held up meanwhile.
func TestLimiterHoldsNewOperationUntilItsCostIsKnown(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	ctx := context.Background()
	ts := ThrottleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 2000, RestoreRate: 100}
	p, _, err := l.acquire(ctx, "shop", 1)
	if err != nil {
		t.Fatal(err)
	}
	l.settle(p, &QueryCost{RequestedQueryCost: 1, ActualQueryCost: 1, ThrottleStatus: ts}, true)

	first, _, err := l.acquire(ctx, "products", 250)
	if err != nil || !first.learning || first.cost != 250 {
		t.Fatalf("first products request: %+v, %v", first, err)
	}
	second := make(chan *reservation, 1)
	go func() {
		r, _, err := l.acquire(ctx, "products", 250)
		if err != nil {
			t.Error(err)
		}
		second <- r
	}()
	select {
	case r := <-second:
		t.Fatalf("a second request of an operation without a cost report went out: %+v", r)
	case <-time.After(50 * time.Millisecond):
	}
	// Another operation is not queued behind the held one.
	octx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	other, _, err := l.acquire(octx, "orders", 80)
	if err != nil {
		t.Fatalf("another operation waited behind the held one: %v", err)
	}
	l.settle(other, &QueryCost{RequestedQueryCost: 80, ActualQueryCost: 10, ThrottleStatus: ts}, true)
	// Shopify prices products at 3× the document: the held request goes out
	// with that ratio.
	l.settle(first, &QueryCost{RequestedQueryCost: 750, ActualQueryCost: 100, ThrottleStatus: ts}, true)
	select {
	case r := <-second:
		if r.learning || r.cost != 750 {
			t.Fatalf("held request: %+v, want a reservation of 750", r)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("the held request did not go out after the first answer")
	}
}

// A first request that fails without a cost report releases the others, one
// of which then goes out alone.
func TestLimiterNewOperationFailureReleasesNext(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	ctx := context.Background()
	ts := ThrottleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 2000, RestoreRate: 100}
	p, _, _ := l.acquire(ctx, "shop", 1)
	l.settle(p, &QueryCost{RequestedQueryCost: 1, ActualQueryCost: 1, ThrottleStatus: ts}, true)
	first, _, _ := l.acquire(ctx, "q", 100)
	got := make(chan *reservation, 1)
	go func() {
		r, _, _ := l.acquire(ctx, "q", 100)
		got <- r
	}()
	time.Sleep(20 * time.Millisecond)
	l.settle(first, nil, true) // e.g. the connection broke
	select {
	case r := <-got:
		if !r.learning {
			t.Fatalf("the next request after a failed first one is not alone: %+v", r)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a failed first request kept the operation held")
	}
}

// Overlapping requests are counted twice in a report (charged by Shopify and
// still in flight in the model). A report that only lowered the model would
// lose those points for good with every overlap; a report taken when no
// other answer arrived meanwhile resets the model, and an older report
// (another answer arrived meanwhile) can only lower it.
func TestLimiterLevelFollowsFreshReports(t *testing.T) {
	t.Parallel()
	clk := &fakeNow{t: time.Unix(1_000_000, 0)}
	l := NewLimiter()
	l.now = clk.now
	ctx := context.Background()
	ts := func(avail float64) *QueryCost {
		return &QueryCost{RequestedQueryCost: 100, ActualQueryCost: 100,
			ThrottleStatus: ThrottleStatus{MaximumAvailable: 1000, CurrentlyAvailable: avail, RestoreRate: 1}}
	}
	p, _, _ := l.acquire(ctx, "q", 100)
	l.settle(p, ts(1000), true)
	level := func() float64 { s, _ := l.Status(); return s.CurrentlyAvailable }

	// A and B go out; Shopify charges both (800 left) and answers A.
	a, _, _ := l.acquire(ctx, "q", 100)
	b, _, _ := l.acquire(ctx, "q", 100)
	l.settle(a, ts(800), true)
	if got := level(); !near(got, 700) { // 800 - B's 100 still in flight
		t.Fatalf("after A: %v, want 700", got)
	}
	// B's answer is not fresh (A was answered while B was out): its report
	// of 800 cannot raise the model above 700 + B's refund of 0.
	l.settle(b, ts(800), true)
	if got := level(); !near(got, 700) {
		t.Fatalf("after B: %v, want 700 (an older report must not raise the model)", got)
	}
	// C goes out alone: its report corrects the model upwards.
	c, _, _ := l.acquire(ctx, "q", 100)
	l.settle(c, ts(700), true)
	if got := level(); !near(got, 700) {
		t.Fatalf("after C: %v, want the report, 700", got)
	}
	// Many overlapping pairs must not ratchet the model down.
	for range 20 {
		x, _, _ := l.acquire(ctx, "q", 100)
		y, _, _ := l.acquire(ctx, "q", 100)
		l.settle(x, ts(700), true) // charged and refunded: 700 left
		l.settle(y, ts(700), true)
	}
	if got := level(); got < 500 {
		t.Fatalf("after 20 overlapping pairs the model is at %v while Shopify reports 700", got)
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
	probe, _, err := l.acquire(ctx, "q", 10)
	if err != nil {
		t.Fatal(err)
	}
	l.settle(probe, &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 100, RestoreRate: 2000}}, true)
	// Spend the whole bucket on ten requests that stay in flight.
	var held []*reservation
	for range 10 {
		r, _, err := l.acquire(ctx, "q", 10)
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
	if _, _, err := l.acquire(wctx, "q", 10); err == nil {
		t.Fatal("an eleventh request went out while ten requests worth the whole bucket were in flight")
	}
	// Once they are answered, the model refills again and requests flow.
	for _, r := range held {
		l.settle(r, &QueryCost{RequestedQueryCost: 10, ActualQueryCost: 10,
			ThrottleStatus: ThrottleStatus{MaximumAvailable: 100, CurrentlyAvailable: 100, RestoreRate: 2000}}, true)
	}
	clk.add(10 * time.Millisecond) // 20 points restored
	actx, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	if _, _, err := l.acquire(actx, "q", 10); err != nil {
		t.Fatal(err)
	}
}
