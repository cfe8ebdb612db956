package storetest

import (
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runQueueInspector checks the [wmssync.QueueInspector] capability; stores
// without it skip these subtests.
func runQueueInspector(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	t.Run("InboxDepth", func(t *testing.T) {
		s := newStore(t)
		qi, ok := s.(wmssync.QueueInspector)
		if !ok {
			t.Skip("store does not implement sync.QueueInspector")
		}
		testInboxDepth(t, s, qi)
	})
	t.Run("OutboxDepth", func(t *testing.T) {
		s := newStore(t)
		qi, ok := s.(wmssync.QueueInspector)
		ob, isOutbox := s.(wmssync.OutboxStore)
		if !ok || !isOutbox {
			t.Skip("store does not implement sync.QueueInspector and sync.OutboxStore")
		}
		testOutboxDepth(t, ob, qi)
	})
}

func wantDepth(t *testing.T, what string, got wmssync.QueueDepth, want wmssync.QueueDepth) {
	t.Helper()
	if got.Pending != want.Pending || got.Failed != want.Failed || !got.Oldest.Equal(want.Oldest) {
		t.Fatalf("%s: got %+v, want %+v", what, got, want)
	}
}

// testInboxDepth: claimed events count as pending, completed ones not at
// all, failed ones as failed, each shop on its own.
func testInboxDepth(t *testing.T, s wmssync.Store, qi wmssync.QueueInspector) {
	base := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	put := func(id, shop string, at time.Time) {
		t.Helper()
		_, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: shop, WebhookID: id,
			ReceivedAt: at, Body: []byte(`{}`)})
		check(t, err, "Put")
	}
	for i, id := range []string{"a1", "a2", "a3", "a4"} {
		put(id, "a.example", base.Add(time.Duration(i)*time.Minute))
	}
	put("b1", "b.example", base.Add(time.Hour))
	wantDepth(t, "shop a before any claim", must(qi.InboxDepth(ctx, "a.example")),
		wmssync.QueueDepth{Pending: 4, Oldest: base})
	jobs, err := s.Claim(ctx, 3, time.Minute)
	check(t, err, "Claim")
	// Claims are fair per shop: a's first two, and b's first.
	if len(jobs) != 3 || jobs[0].Event.WebhookID != "a1" || jobs[1].Event.WebhookID != "a2" || jobs[2].Event.WebhookID != "b1" {
		t.Fatalf("Claim returned %d jobs, want a1, a2, b1", len(jobs))
	}
	check(t, s.Complete(ctx, "a1"), "Complete")
	check(t, s.Fail(ctx, "a2", "bad payload"), "Fail")
	wantDepth(t, "shop a", must(qi.InboxDepth(ctx, "a.example")),
		wmssync.QueueDepth{Pending: 2, Oldest: base.Add(2 * time.Minute), Failed: 1})
	wantDepth(t, "shop b", must(qi.InboxDepth(ctx, "b.example")),
		wmssync.QueueDepth{Pending: 1, Oldest: base.Add(time.Hour)})
	wantDepth(t, "unknown shop", must(qi.InboxDepth(ctx, "c.example")), wmssync.QueueDepth{})
}

// testOutboxDepth: pending messages (leased or not) and dead ones, per
// shop; done ones are not counted.
func testOutboxDepth(t *testing.T, ob wmssync.OutboxStore, qi wmssync.QueueInspector) {
	var msgs []wmssync.OutboxMessage
	for i, id := range []string{"m1", "m2", "m3", "m4"} {
		m := obMsg("s1", id, "")
		m.CreatedAt = obNow.Add(time.Duration(i) * time.Second)
		msgs = append(msgs, m)
	}
	msgs = append(msgs, obMsg("s2", "n1", ""))
	check(t, ob.AddOutbox(ctx, msgs), "AddOutbox")
	got, err := ob.ClaimOutbox(ctx, "s1", obNow.Add(time.Minute), time.Minute, 2)
	check(t, err, "ClaimOutbox")
	wantIDs(t, got, "m1", "m2")
	got[0].State, got[0].LeaseUntil = wmssync.OutboxDone, time.Time{}
	got[1].State, got[1].LeaseUntil, got[1].LastError = wmssync.OutboxDead, time.Time{}, "rejected"
	check(t, ob.UpdateOutbox(ctx, got), "UpdateOutbox")
	wantDepth(t, "shop s1", must(qi.OutboxDepth(ctx, "s1")),
		wmssync.QueueDepth{Pending: 2, Oldest: obNow.Add(2 * time.Second), Failed: 1})
	wantDepth(t, "shop s2", must(qi.OutboxDepth(ctx, "s2")), wmssync.QueueDepth{Pending: 1, Oldest: obNow})
	wantDepth(t, "fan-out queue", must(qi.OutboxDepth(ctx, "")), wmssync.QueueDepth{})
}

func must(d wmssync.QueueDepth, err error) wmssync.QueueDepth {
	if err != nil {
		panic(err)
	}
	return d
}
