package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// runFailureStore checks the [wmssync.FailureStore] capability; stores
// without it skip this subtest.
func runFailureStore(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	s := newStore(t)
	f, ok := s.(wmssync.FailureStore)
	if !ok {
		t.Skip("store does not implement sync.FailureStore")
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
	count := func(class wmssync.FailureClass, shop string, want int) {
		t.Helper()
		n, err := f.CountFailed(ctx, class, shop)
		check(t, err, "CountFailed")
		if n != want {
			t.Fatalf("CountFailed(%s, %q) = %d, want %d", class, shop, n, want)
		}
	}
	count(wmssync.FailureInbound, "", 3)
	count(wmssync.FailureInbound, "a.example", 2)
	count(wmssync.FailureInbound, "c.example", 0)
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
	count(wmssync.FailureInbound, "a.example", 0)
	count(wmssync.FailureInbound, "", 1)
	jobs, err := s.Claim(ctx, 10, time.Minute)
	check(t, err, "Claim")
	if len(jobs) != 1 || jobs[0].Event.WebhookID != "a3" || jobs[0].Attempt != 2 {
		t.Fatalf("after the replay Claim returned %d jobs, want a3 on its second attempt", len(jobs))
	}
}

// runFailureCountOutbound checks [wmssync.FailureStore.CountFailed] of
// dead outbox messages; stores without both capabilities skip it.
func runFailureCountOutbound(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	s := newStore(t)
	f, ok := s.(wmssync.FailureStore)
	ob, hasOutbox := s.(wmssync.OutboxStore)
	if !ok || !hasOutbox {
		t.Skip("store does not implement sync.FailureStore and sync.OutboxStore")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var msgs []wmssync.OutboxMessage
	for _, m := range []struct{ shop, id string }{{"A", "1"}, {"A", "2"}, {"B", "3"}, {"listener:erp", "4"}, {"A", "5"}} {
		msgs = append(msgs, wmssync.OutboxMessage{Shop: m.shop, ID: m.id, Kind: wms.KindStockChanged, Time: now, Data: []byte(`{}`),
			State: wmssync.OutboxPending, NextAttempt: now, CreatedAt: now})
	}
	check(t, ob.AddOutbox(ctx, msgs), "AddOutbox")
	stored, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{})
	check(t, err, "ListOutbox")
	var dead []wmssync.OutboxMessage
	for _, m := range stored {
		if m.ID != "5" {
			m.State, m.LastError = wmssync.OutboxDead, "refused"
			dead = append(dead, m)
		}
	}
	check(t, ob.UpdateOutbox(ctx, dead), "UpdateOutbox")
	for shop, want := range map[string]int{"": 4, "A": 2, "B": 1, "listener:erp": 1, "C": 0} {
		n, err := f.CountFailed(ctx, wmssync.FailureOutbound, shop)
		check(t, err, "CountFailed")
		if n != want {
			t.Fatalf("CountFailed(outbound, %q) = %d, want %d", shop, n, want)
		}
	}
	if n, err := f.CountFailed(ctx, wmssync.FailureInbound, ""); err != nil || n != 0 {
		t.Fatalf("CountFailed(inbound) with dead outbox messages only = %d, %v; want 0", n, err)
	}
}
