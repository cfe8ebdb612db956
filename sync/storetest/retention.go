package storetest

import (
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runRetention checks the [wmssync.InboxPruner] and [wmssync.OutboxPruner]
// capabilities; stores without them skip these subtests.
func runRetention(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	t.Run("PruneInbox", func(t *testing.T) {
		s := newStore(t)
		p, ok := s.(wmssync.InboxPruner)
		if !ok {
			t.Skip("store does not implement sync.InboxPruner")
		}
		testPruneInbox(t, s, p)
	})
	t.Run("PruneOutbox", func(t *testing.T) {
		s := newStore(t)
		p, ok := s.(wmssync.OutboxPruner)
		ob, isOutbox := s.(wmssync.OutboxStore)
		if !ok || !isOutbox {
			t.Skip("store does not implement sync.OutboxPruner")
		}
		testPruneOutbox(t, ob, p)
	})
}

// testPruneInbox: completed events go (in batches of at most limit), and
// their webhook ids with them; pending, claimed and failed ones stay.
// The store stamps completion with its own clock, so the cutoffs are far
// from now.
func testPruneInbox(t *testing.T, s wmssync.Store, p wmssync.InboxPruner) {
	for _, id := range []string{"c1", "c2", "c3", "f1", "k1", "p1"} {
		_, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: "a.example", WebhookID: id, Body: []byte(`{}`)})
		check(t, err, "Put")
	}
	jobs, err := s.Claim(ctx, 5, time.Hour)
	check(t, err, "Claim")
	if len(jobs) != 5 {
		t.Fatalf("Claim returned %d jobs, want 5", len(jobs))
	}
	for _, id := range []string{"c1", "c2", "c3"} {
		check(t, s.Complete(ctx, id), "Complete")
	}
	check(t, s.Fail(ctx, "f1", "bad"), "Fail") // k1 stays claimed, p1 pending
	past := time.Now().Add(-100 * 24 * time.Hour)
	future := time.Now().Add(100 * 24 * time.Hour)
	if n, err := p.PruneInbox(ctx, past, 10); err != nil || n != 0 {
		t.Fatalf("PruneInbox before the events finished: n=%d err=%v, want 0", n, err)
	}
	if n, err := p.PruneInbox(ctx, future, 0); err != nil || n != 0 {
		t.Fatalf("PruneInbox with limit 0: n=%d err=%v, want 0", n, err)
	}
	if n, err := p.PruneInbox(ctx, future, 2); err != nil || n != 2 {
		t.Fatalf("PruneInbox limit 2: n=%d err=%v, want 2", n, err)
	}
	if n, err := p.PruneInbox(ctx, future, 10); err != nil || n != 1 {
		t.Fatalf("PruneInbox rest: n=%d err=%v, want 1 (failed, claimed and pending events stay)", n, err)
	}
	for _, id := range []string{"c1", "c2", "c3"} {
		stored, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: "a.example", WebhookID: id, Body: []byte(`{}`)})
		check(t, err, "Put")
		if !stored {
			t.Fatalf("webhook id %s is still known after pruning", id)
		}
	}
	for _, id := range []string{"f1", "k1", "p1"} {
		stored, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: "a.example", WebhookID: id, Body: []byte(`{}`)})
		check(t, err, "Put")
		if stored {
			t.Fatalf("event %s was pruned, but it was not completed", id)
		}
	}
	check(t, s.Retry(ctx, "k1", time.Now(), "still there"), "Retry of the claimed event")
}

// testPruneOutbox: done messages created before the cutoff go, in
// batches; pending and dead ones stay, and so do newer done ones.
func testPruneOutbox(t *testing.T, ob wmssync.OutboxStore, p wmssync.OutboxPruner) {
	var msgs []wmssync.OutboxMessage
	for i, id := range []string{"d1", "d2", "d3", "x1", "p1", "d4"} {
		m := obMsg("s1", id, "")
		m.CreatedAt = obNow.Add(time.Duration(i) * time.Hour)
		msgs = append(msgs, m)
	}
	check(t, ob.AddOutbox(ctx, msgs), "AddOutbox")
	got, err := ob.ClaimOutbox(ctx, "s1", obNow.Add(24*time.Hour), time.Minute, 0)
	check(t, err, "ClaimOutbox")
	wantIDs(t, got, "d1", "d2", "d3", "x1", "p1", "d4")
	var settle []wmssync.OutboxMessage
	for _, m := range got {
		m.LeaseUntil = time.Time{}
		switch m.ID {
		case "x1":
			m.State, m.LastError = wmssync.OutboxDead, "rejected"
		case "p1":
			m.Attempts = 1
		default:
			m.State = wmssync.OutboxDone
		}
		settle = append(settle, m)
	}
	check(t, ob.UpdateOutbox(ctx, settle), "UpdateOutbox")
	cutoff := obNow.Add(5 * time.Hour) // d4 was created at +5h: not before
	if n, err := p.PruneOutbox(ctx, cutoff, 2); err != nil || n != 2 {
		t.Fatalf("PruneOutbox limit 2: n=%d err=%v, want 2", n, err)
	}
	if n, err := p.PruneOutbox(ctx, cutoff, 10); err != nil || n != 1 {
		t.Fatalf("PruneOutbox rest: n=%d err=%v, want 1", n, err)
	}
	left, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "s1"})
	check(t, err, "ListOutbox")
	wantIDs(t, left, "x1", "p1", "d4")
}
