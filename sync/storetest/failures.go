package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runInboxFailures checks the [wmssync.InboxFailures] capability; stores
// without it skip this subtest.
func runInboxFailures(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	s := newStore(t)
	f, ok := s.(wmssync.InboxFailures)
	if !ok {
		t.Skip("store does not implement sync.InboxFailures")
	}
	for _, e := range []struct{ id, shop string }{{"a1", "a.example"}, {"b1", "b.example"}, {"a2", "a.example"}, {"a3", "a.example"}} {
		_, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: e.shop, WebhookID: e.id, Body: []byte(`{}`)})
		check(t, err, "Put")
	}
	_, err := s.Claim(ctx, 4, time.Minute)
	check(t, err, "Claim")
	check(t, s.Fail(ctx, "a1", "bad a1"), "Fail")
	check(t, s.Fail(ctx, "b1", "bad b1"), "Fail")
	check(t, s.Fail(ctx, "a3", "bad a3"), "Fail")
	check(t, s.Complete(ctx, "a2"), "Complete")
	ids := func(jobs []webhook.Job) string {
		var out []string
		for _, j := range jobs {
			out = append(out, j.Event.WebhookID+"="+j.LastError)
		}
		return strings.Join(out, ",")
	}
	all, err := f.FailedEvents(ctx, "", 0)
	check(t, err, "FailedEvents")
	if got := ids(all); got != "a1=bad a1,b1=bad b1,a3=bad a3" {
		t.Fatalf("FailedEvents(all) = %s", got)
	}
	a, err := f.FailedEvents(ctx, "a.example", 1)
	check(t, err, "FailedEvents")
	if got := ids(a); got != "a1=bad a1" {
		t.Fatalf("FailedEvents(a, 1) = %s", got)
	}
	check(t, f.DiscardEvent(ctx, "a1", "test data"), "DiscardEvent")
	if err := f.DiscardEvent(ctx, "a2", "completed, not failed"); !errors.Is(err, webhook.ErrUnknownJob) {
		t.Fatalf("DiscardEvent of a completed event: %v, want ErrUnknownJob", err)
	}
	if stored, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: "a.example", WebhookID: "a1", Body: []byte(`{}`)}); err != nil || stored {
		t.Fatalf("Put of a discarded event's id: stored=%v err=%v, want a known duplicate", stored, err)
	}
	check(t, f.ReplayEvent(ctx, "a3"), "ReplayEvent")
	if err := f.ReplayEvent(ctx, "nope"); !errors.Is(err, webhook.ErrUnknownJob) {
		t.Fatalf("ReplayEvent of an unknown id: %v, want ErrUnknownJob", err)
	}
	a, err = f.FailedEvents(ctx, "a.example", 0)
	check(t, err, "FailedEvents")
	if len(a) != 0 {
		t.Fatalf("shop a still has failed events %s", ids(a))
	}
	jobs, err := s.Claim(ctx, 10, time.Minute)
	check(t, err, "Claim")
	if len(jobs) != 1 || jobs[0].Event.WebhookID != "a3" || jobs[0].Attempt != 2 {
		t.Fatalf("after the replay Claim returned %d jobs, want a3 on its second attempt", len(jobs))
	}
}
