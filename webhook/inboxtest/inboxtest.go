// Package inboxtest is a conformance suite for implementations of
// webhook.Inbox and webhook.Queue (a webhook.Store), in the spirit of
// testing/fstest and River's driver tests. A durable store proves it keeps
// the contract documented on the interfaces with one test:
//
//	func TestStoreConformance(t *testing.T) {
//		inboxtest.Run(t, func(t *testing.T) webhook.Store { return newTestStore(t) })
//	}
//
// newStore must return a new, empty store for each call. The suite uses the
// wall clock: it sleeps for lease expiry (a few hundred milliseconds in all)
// and expects the store's clock to agree with the test process's within
// LeaseSlack.
package inboxtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// LeaseSlack is how far the store's clock may drift from the test process's.
const LeaseSlack = 50 * time.Millisecond

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, newStore func(t *testing.T) webhook.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s webhook.Store)
	}{
		{"PutRoundTrip", testPutRoundTrip},
		{"PutRoundTripBare", testPutRoundTripBare},
		{"PutDuplicate", testPutDuplicate},
		{"PutConcurrentSameID", testPutConcurrent},
		{"PutCancelledContext", testPutCancelled},
		{"PutCopiesBody", testPutCopiesBody},
		{"ClaimEmpty", testClaimEmpty},
		{"ClaimLimitAndOrder", testClaimLimitOrder},
		{"ClaimFairPerShop", testClaimFairPerShop},
		{"ClaimLease", testClaimLease},
		{"ClaimConcurrent", testClaimConcurrent},
		{"Complete", testComplete},
		{"Retry", testRetry},
		{"Fail", testFail},
		{"UnknownJob", testUnknownJob},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

var ctx = context.Background()

// newEvent returns a fully populated event. Times have microsecond
// precision, which SQL timestamps keep.
func newEvent(id string) *webhook.Event {
	base := time.Date(2026, 7, 1, 12, 0, 0, 123456000, time.UTC)
	return &webhook.Event{
		Source: "conformance",
		Topic:  "order.created",
		// A shop named by a site URL with a path: stores keep it as is.
		Shop:        "https://conformance.example/shop/",
		APIVersion:  "2026-07",
		WebhookID:   id,
		EventID:     "evt-" + id,
		TriggeredAt: base,
		Meta:        map[string]string{"name": "sub-name", "sub_topic": "sub"},
		ReceivedAt:  base.Add(time.Second),
		Body:        []byte(`{"id":9007199254740993,"note":"` + id + `"}`),
	}
}

func put(t *testing.T, s webhook.Store, e *webhook.Event) bool {
	t.Helper()
	stored, err := s.Put(ctx, e)
	if err != nil {
		t.Fatalf("Put(%s): %v", e.WebhookID, err)
	}
	return stored
}

func claim(t *testing.T, s webhook.Store, limit int, lease time.Duration) []webhook.Job {
	t.Helper()
	jobs, err := s.Claim(ctx, limit, lease)
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return jobs
}

func ids(jobs []webhook.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Event.WebhookID
	}
	return out
}

func sameEvent(a, b *webhook.Event) error {
	switch {
	case a.Source != b.Source, a.Topic != b.Topic, a.Shop != b.Shop, a.APIVersion != b.APIVersion,
		a.WebhookID != b.WebhookID, a.EventID != b.EventID, !maps.Equal(a.Meta, b.Meta):
		return fmt.Errorf("metadata differs:\n got %+v\nwant %+v", *a, *b)
	case !a.TriggeredAt.Equal(b.TriggeredAt), !a.ReceivedAt.Equal(b.ReceivedAt):
		return fmt.Errorf("times differ: got %v/%v, want %v/%v", a.TriggeredAt, a.ReceivedAt, b.TriggeredAt, b.ReceivedAt)
	case !bytes.Equal(a.Body, b.Body):
		return fmt.Errorf("body differs: got %q, want %q", a.Body, b.Body)
	}
	return nil
}

// testPutRoundTripBare stores an event with only what every source sets:
// no API version, event id, trigger time or Meta.
func testPutRoundTripBare(t *testing.T, s webhook.Store) {
	want := &webhook.Event{Source: "bare", Topic: "product.updated", Shop: "12345", WebhookID: "bare-1",
		Body: []byte(`{"id":1}`)}
	if !put(t, s, want) {
		t.Fatal("first Put returned stored=false")
	}
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("Claim returned %d jobs, want 1", len(jobs))
	}
	if err := sameEvent(jobs[0].Event, want); err != nil {
		t.Fatal(err)
	}
	if len(jobs[0].Event.Meta) != 0 {
		t.Fatalf("Meta = %v, want none", jobs[0].Event.Meta)
	}
}

func testPutRoundTrip(t *testing.T, s webhook.Store) {
	want := newEvent("w1")
	if !put(t, s, want) {
		t.Fatal("first Put returned stored=false")
	}
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("Claim returned %d jobs, want 1", len(jobs))
	}
	if err := sameEvent(jobs[0].Event, newEvent("w1")); err != nil {
		t.Fatal(err)
	}
	if jobs[0].Attempt != 1 {
		t.Errorf("Attempt = %d, want 1", jobs[0].Attempt)
	}
}

func testPutDuplicate(t *testing.T, s webhook.Store) {
	put(t, s, newEvent("dup"))
	again := newEvent("dup")
	again.Body = []byte(`{"changed":true}`)
	if put(t, s, again) {
		t.Fatal("second Put with the same WebhookID returned stored=true")
	}
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("Claim returned %d jobs, want 1", len(jobs))
	}
	if err := sameEvent(jobs[0].Event, newEvent("dup")); err != nil {
		t.Fatalf("the first event must be kept: %v", err)
	}
}

func testPutConcurrent(t *testing.T, s webhook.Store) {
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	storedCount := 0
	var errs []error
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stored, err := s.Put(ctx, newEvent("same"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if stored {
				storedCount++
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("concurrent Put errors: %v", errors.Join(errs...))
	}
	if storedCount != 1 {
		t.Fatalf("%d of %d concurrent Puts returned stored=true, want exactly 1", storedCount, n)
	}
	if jobs := claim(t, s, 100, time.Minute); len(jobs) != 1 {
		t.Fatalf("Claim returned %d jobs, want 1", len(jobs))
	}
}

func testPutCancelled(t *testing.T, s webhook.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	stored, err := s.Put(c, newEvent("cancelled"))
	if err == nil && stored {
		// Storing despite a cancelled context is allowed only if it is
		// reported as stored, which it was; then a new Put must dedupe.
		if put(t, s, newEvent("cancelled")) {
			t.Fatal("event stored twice")
		}
		return
	}
	if err == nil {
		t.Fatal("Put with a cancelled context returned stored=false and no error")
	}
	if !put(t, s, newEvent("cancelled")) {
		t.Fatal("a failed Put must leave nothing behind: the retry must store the event")
	}
}

// testPutCopiesBody checks the promise of a store that is a
// webhook.BodyCopier reporting true: once Put has returned, overwriting the
// event and its body changes nothing stored.
func testPutCopiesBody(t *testing.T, s webhook.Store) {
	c, ok := s.(webhook.BodyCopier)
	if !ok || !c.CopiesBody() {
		t.Skip("the store does not promise to copy bodies (webhook.BodyCopier)")
	}
	e := newEvent("copied")
	if !put(t, s, e) {
		t.Fatal("first Put returned stored=false")
	}
	for i := range e.Body {
		e.Body[i] = 'X'
	}
	e.Body = e.Body[:1]
	e.Shop = "https://overwritten.example/"
	e.Meta["name"] = "overwritten"
	// A duplicate Put must not keep its event either.
	d := newEvent("copied")
	put(t, s, d)
	for i := range d.Body {
		d.Body[i] = 'Y'
	}
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 1 {
		t.Fatalf("Claim returned %d jobs, want 1", len(jobs))
	}
	if err := sameEvent(jobs[0].Event, newEvent("copied")); err != nil {
		t.Fatalf("the stored event changed with the caller's after Put returned: %v", err)
	}
}

func testClaimEmpty(t *testing.T, s webhook.Store) {
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 0 {
		t.Fatalf("Claim on an empty store returned %d jobs", len(jobs))
	}
}

func testClaimLimitOrder(t *testing.T, s webhook.Store) {
	for i := range 5 {
		put(t, s, newEvent(fmt.Sprintf("o%d", i)))
		time.Sleep(2 * time.Millisecond) // distinct insertion times for stores ordering by time
	}
	first := claim(t, s, 2, time.Minute)
	if got := fmt.Sprint(ids(first)); got != "[o0 o1]" {
		t.Fatalf("first Claim(2) = %s, want [o0 o1] (oldest first)", got)
	}
	rest := claim(t, s, 10, time.Minute)
	if got := fmt.Sprint(ids(rest)); got != "[o2 o3 o4]" {
		t.Fatalf("second Claim = %s, want [o2 o3 o4]", got)
	}
}

// A shop's burst does not hold the other shops' events back: claims take
// the shops round-robin, each shop's events oldest first.
func testClaimFairPerShop(t *testing.T, s webhook.Store) {
	for _, id := range []string{"a0", "a1", "a2", "a3", "a4", "b0", "b1", "c0"} {
		e := newEvent(id)
		e.Shop = "https://" + id[:1] + ".example/"
		put(t, s, e)
		time.Sleep(2 * time.Millisecond) // distinct insertion times for stores ordering by time
	}
	for _, want := range []string{"[a0 b0 c0]", "[a1 a2 b1]", "[a3 a4]"} {
		if got := fmt.Sprint(ids(claim(t, s, 3, time.Minute))); got != want {
			t.Fatalf("Claim(3) = %s, want %s (round-robin over shops, each oldest first; returned oldest first)", got, want)
		}
	}
}

func testClaimLease(t *testing.T, s webhook.Store) {
	put(t, s, newEvent("long"))
	time.Sleep(2 * time.Millisecond)
	put(t, s, newEvent("short"))
	if got := fmt.Sprint(ids(claim(t, s, 1, time.Hour))); got != "[long]" {
		t.Fatalf("Claim(1) = %s, want [long]", got)
	}
	const lease = 100 * time.Millisecond
	if got := fmt.Sprint(ids(claim(t, s, 1, lease))); got != "[short]" {
		t.Fatalf("Claim(1) = %s, want [short]", got)
	}
	// Only "short" may come back (if this machine is slow enough for its
	// lease to have run out already); "long" is leased for an hour.
	for _, j := range claim(t, s, 10, time.Hour) {
		if j.Event.WebhookID == "long" {
			t.Fatal("an event was claimed again while its lease runs")
		}
		if j.Event.WebhookID == "short" {
			return // lease expired under load: nothing more to check reliably
		}
	}
	time.Sleep(lease + 2*LeaseSlack)
	jobs := claim(t, s, 10, time.Minute)
	if got := fmt.Sprint(ids(jobs)); got != "[short]" {
		t.Fatalf("after the lease expired Claim = %s, want [short]", got)
	}
	if jobs[0].Attempt != 2 {
		t.Fatalf("Attempt = %d after a second claim, want 2", jobs[0].Attempt)
	}
}

func testClaimConcurrent(t *testing.T, s webhook.Store) {
	const events, workers = 30, 4
	for i := range events {
		put(t, s, newEvent(fmt.Sprintf("c%02d", i)))
	}
	var mu sync.Mutex
	seen := map[string]int{}
	total := 0
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := s.Claim(ctx, 3, time.Minute)
				if err != nil {
					t.Errorf("Claim: %v", err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				mu.Lock()
				for _, j := range jobs {
					seen[j.Event.WebhookID]++
				}
				total += len(jobs)
				stop := total > 2*events // a store that ignores leases would loop forever
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(seen) != events {
		t.Fatalf("claimed %d distinct events, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s claimed %d times under one lease", id, n)
		}
	}
}

func testComplete(t *testing.T, s webhook.Store) {
	put(t, s, newEvent("done"))
	claim(t, s, 10, 10*time.Millisecond)
	if err := s.Complete(ctx, "done"); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := s.Complete(ctx, "done"); err != nil {
		t.Fatalf("second Complete: %v", err)
	}
	time.Sleep(10*time.Millisecond + 2*LeaseSlack)
	if jobs := claim(t, s, 10, time.Minute); len(jobs) != 0 {
		t.Fatalf("a completed event was claimed: %v", ids(jobs))
	}
	if put(t, s, newEvent("done")) {
		t.Fatal("Put of a completed WebhookID returned stored=true")
	}
}

func testRetry(t *testing.T, s webhook.Store) {
	put(t, s, newEvent("later"))
	put(t, s, newEvent("now"))
	jobs := claim(t, s, 10, time.Minute)
	if len(jobs) != 2 {
		t.Fatalf("Claim returned %d jobs, want 2", len(jobs))
	}
	if err := s.Retry(ctx, "later", time.Now().Add(time.Hour), "boom later"); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if err := s.Retry(ctx, "now", time.Now().Add(-time.Second), "boom now"); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	jobs = claim(t, s, 10, time.Minute)
	if got := fmt.Sprint(ids(jobs)); got != "[now]" {
		t.Fatalf("Claim after Retry = %s, want [now] (later is due in an hour)", got)
	}
	if jobs[0].Attempt != 2 || jobs[0].LastError != "boom now" {
		t.Fatalf("retried job: Attempt %d LastError %q, want 2 and %q", jobs[0].Attempt, jobs[0].LastError, "boom now")
	}
	if put(t, s, newEvent("later")) {
		t.Fatal("Put of a WebhookID waiting for retry returned stored=true")
	}
}

func testFail(t *testing.T, s webhook.Store) {
	put(t, s, newEvent("dead"))
	claim(t, s, 10, 10*time.Millisecond)
	if err := s.Fail(ctx, "dead", "bad payload"); err != nil {
		t.Fatalf("Fail: %v", err)
	}
	time.Sleep(10*time.Millisecond + 2*LeaseSlack)
	if jobs := claim(t, s, 10, time.Minute); len(jobs) != 0 {
		t.Fatalf("a failed event was claimed: %v", ids(jobs))
	}
	if put(t, s, newEvent("dead")) {
		t.Fatal("Put of a failed WebhookID returned stored=true")
	}
}

func testUnknownJob(t *testing.T, s webhook.Store) {
	for name, err := range map[string]error{
		"Complete": s.Complete(ctx, "nope"),
		"Retry":    s.Retry(ctx, "nope", time.Now(), "x"),
		"Fail":     s.Fail(ctx, "nope", "x"),
	} {
		if !errors.Is(err, webhook.ErrUnknownJob) {
			t.Errorf("%s of an unknown id: %v, want ErrUnknownJob", name, err)
		}
	}
}
