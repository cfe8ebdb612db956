package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func putEvent(t *testing.T, inbox webhook.Inbox, id string, topic webhook.Topic, body string) {
	t.Helper()
	if ok, err := inbox.Put(context.Background(), &webhook.Event{WebhookID: id, Topic: topic, Body: []byte(body)}); !ok || err != nil {
		t.Fatalf("Put %s: %v %v", id, ok, err)
	}
}

func TestDispatcherCompletesRetriesAndFails(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	inbox := webhook.NewMemoryInbox(webhook.WithMemoryClock(clock.Now))
	r := webhook.NewRouter()
	var okCalls, flakyCalls atomic.Int64
	webhook.On(r, shopifywebhook.TopicOrdersCreate, func(context.Context, *webhook.Event, *shopify.OrderPayload) error {
		okCalls.Add(1)
		return nil
	})
	webhook.On(r, shopifywebhook.TopicOrdersUpdated, func(context.Context, *webhook.Event, *shopify.OrderPayload) error {
		if flakyCalls.Add(1) < 3 {
			return errors.New("warehouse busy")
		}
		return nil
	})
	r.Handle(shopifywebhook.TopicRefundsCreate, func(context.Context, *webhook.Event) error {
		return webhook.Permanent(errors.New("refund for an order we never saw"))
	})
	r.Handle(shopifywebhook.TopicProductsUpdate, func(context.Context, *webhook.Event) error { panic("bug") })

	putEvent(t, inbox, "ok", shopifywebhook.TopicOrdersCreate, `{"id":1}`)
	putEvent(t, inbox, "flaky", shopifywebhook.TopicOrdersUpdated, `{"id":2}`)
	putEvent(t, inbox, "perm", shopifywebhook.TopicRefundsCreate, `{"id":3}`)
	putEvent(t, inbox, "undecodable", shopifywebhook.TopicOrdersCreate, `{"id":"x"}`)
	putEvent(t, inbox, "unrouted", shopifywebhook.TopicShopRedact, `{}`)
	putEvent(t, inbox, "panics", shopifywebhook.TopicProductsUpdate, `{}`)

	d := &webhook.Dispatcher{Queue: inbox, Router: r, Now: clock.Now, MaxAttempts: 4, Concurrency: 3,
		Backoff: func(attempt int) time.Duration { return time.Duration(attempt) * time.Minute }}
	ctx := context.Background()
	n, err := d.RunOnce(ctx)
	if err != nil || n != 6 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if st := inbox.Stats(); st.Completed != 1 || st.Failed != 3 || st.Pending != 2 {
		t.Fatalf("after one round: %+v", st)
	}
	// Nothing is due until the backoff (1 minute after attempt 1) passed.
	if n, _ := d.RunOnce(ctx); n != 0 {
		t.Fatalf("ran %d events before their retry time", n)
	}
	clock.Advance(time.Minute)
	if n, _ := d.RunOnce(ctx); n != 2 {
		t.Fatalf("second round ran %d, want 2", n)
	}
	clock.Advance(2 * time.Minute)
	d.RunOnce(ctx) // flaky succeeds on its 3rd attempt; panics fails for the 3rd time
	clock.Advance(3 * time.Minute)
	d.RunOnce(ctx) // panics: 4th attempt = MaxAttempts -> failed
	if st := inbox.Stats(); st.Completed != 2 || st.Failed != 4 || st.Pending+st.Claimed != 0 {
		t.Fatalf("final: %+v", st)
	}
	if okCalls.Load() != 1 || flakyCalls.Load() != 3 {
		t.Fatalf("calls ok=%d flaky=%d", okCalls.Load(), flakyCalls.Load())
	}
	reasons := map[string]webhook.Job{}
	for _, j := range inbox.Failed() {
		reasons[j.Event.WebhookID] = j
	}
	for id, want := range map[string]string{"perm": "never saw", "undecodable": "decode", "unrouted": "no handler", "panics": "panicked"} {
		if !strings.Contains(reasons[id].LastError, want) {
			t.Errorf("%s failed with %q, want it to mention %q", id, reasons[id].LastError, want)
		}
	}
	if reasons["panics"].Attempt != 4 || reasons["perm"].Attempt != 1 {
		t.Errorf("attempts: panics %d perm %d", reasons["panics"].Attempt, reasons["perm"].Attempt)
	}
}

func TestDispatcherRunUntilCancelled(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	r := webhook.NewRouter()
	done := make(chan string, 10)
	r.Handle(shopifywebhook.TopicOrdersCreate, func(_ context.Context, e *webhook.Event) error {
		done <- e.WebhookID
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	d := &webhook.Dispatcher{Queue: inbox, Router: r, PollInterval: 5 * time.Millisecond}
	result := make(chan error, 1)
	go func() { result <- d.Run(ctx) }()
	putEvent(t, inbox, "late-arrival", shopifywebhook.TopicOrdersCreate, `{}`)
	select {
	case id := <-done:
		if id != "late-arrival" {
			t.Fatalf("handled %s", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not pick up the event")
	}
	cancel()
	select {
	case err := <-result:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop")
	}
	if (&webhook.Dispatcher{}).Run(context.Background()) == nil {
		t.Fatal("Run without Queue/Router must fail")
	}
}

func TestDefaultBackoff(t *testing.T) {
	for attempt, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 9: 2560 * time.Second, 10: time.Hour, 1000: time.Hour} {
		if got := webhook.DefaultBackoff(attempt); got != want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

// TestEndToEnd: a signed delivery goes through Handler into the inbox, a
// redelivery is deduplicated, and the Dispatcher hands the typed payload to
// the handler exactly once.
func TestEndToEnd(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	r := webhook.NewRouter()
	var got []string
	webhook.On(r, shopifywebhook.TopicRefundsCreate, func(_ context.Context, e *webhook.Event, p *shopify.RefundPayload) error {
		got = append(got, e.Shop+" "+p.RefundLineItems[0].LineItem.SKU+" "+p.Transactions[0].Amount.String())
		return nil
	})
	h, err := webhook.NewHandler(inbox, withShopify(t, testSecret), webhook.WithTopics(r.Topics()...))
	if err != nil {
		t.Fatal(err)
	}
	d := shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicRefundsCreate, Body: sampleBody(t, "2026-07", "refunds/create"), ShopDomain: "acme.myshopify.com", WebhookID: "wh-1"}
	for range 2 { // Shopify retries with the same webhook id
		if w := serve(h, signedRequest(t, d, testSecret)); w.Code != http.StatusOK {
			t.Fatalf("status %d", w.Code)
		}
	}
	disp := &webhook.Dispatcher{Queue: inbox, Router: r}
	if _, err := disp.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != "acme.myshopify.com SKU2006-001 75.00" {
		t.Fatalf("handled %q", got)
	}
}

// failingQueue fails every Claim until told otherwise.
type failingQueue struct {
	*webhook.MemoryInbox
	failing atomic.Bool
	claims  atomic.Int64
}

func (q *failingQueue) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	q.claims.Add(1)
	if q.failing.Load() {
		return nil, errors.New("database unavailable")
	}
	return q.MemoryInbox.Claim(ctx, limit, lease)
}

func TestDispatcherRunSurvivesQueueOutage(t *testing.T) {
	q := &failingQueue{MemoryInbox: webhook.NewMemoryInbox()}
	q.failing.Store(true)
	r := webhook.NewRouter()
	done := make(chan struct{})
	r.Handle(shopifywebhook.TopicOrdersCreate, func(context.Context, *webhook.Event) error { close(done); return nil })
	putEvent(t, q, "x", shopifywebhook.TopicOrdersCreate, `{}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	result := make(chan error, 1)
	go func() { result <- (&webhook.Dispatcher{Queue: q, Router: r, PollInterval: time.Millisecond}).Run(ctx) }()
	for q.claims.Load() < 3 {
		select {
		case err := <-result:
			t.Fatalf("Run ended during the outage: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	q.failing.Store(false)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("event not dispatched after the outage")
	}
	cancel()
	if err := <-result; err != nil {
		t.Fatal(err)
	}
}

// TestDispatchersShareAQueue runs two Dispatchers on one inbox, as two
// processes would: every event is handled exactly once.
func TestDispatchersShareAQueue(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	const n = 200
	for i := range n {
		putEvent(t, inbox, "e"+strconv.Itoa(i), shopifywebhook.TopicOrdersCreate, `{}`)
	}
	var mu sync.Mutex
	handled := map[string]int{}
	all := make(chan struct{})
	r := webhook.NewRouter()
	r.Handle(shopifywebhook.TopicOrdersCreate, func(_ context.Context, e *webhook.Event) error {
		mu.Lock()
		defer mu.Unlock()
		handled[e.WebhookID]++
		if len(handled) == n {
			close(all)
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &webhook.Dispatcher{Queue: inbox, Router: r, Concurrency: 3, BatchSize: 7, PollInterval: time.Millisecond}
			if err := d.Run(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	select {
	case <-all:
	case <-time.After(10 * time.Second):
		t.Fatal("not all events handled")
	}
	cancel()
	wg.Wait()
	for id, c := range handled {
		if c != 1 {
			t.Errorf("%s handled %d times", id, c)
		}
	}
	if st := inbox.Stats(); st.Completed != n {
		t.Fatalf("stats %+v", st)
	}
}
