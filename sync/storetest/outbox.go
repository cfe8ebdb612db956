package storetest

import (
	"fmt"
	gosync "sync"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// runOutbox checks the [wmssync.OutboxStore] capability; stores without it
// skip these subtests.
func runOutbox(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s wmssync.OutboxStore)
	}{
		{"AddRoundTripAndDedupe", testOutboxAdd},
		{"ClaimDueAndLease", testOutboxClaimLease},
		{"ClaimEntityOrder", testOutboxEntityOrder},
		{"UpdateDeadAndReplay", testOutboxDeadReplay},
		{"ShopsAndLimit", testOutboxShops},
		{"ConcurrentClaims", testOutboxConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ob, ok := newStore(t).(wmssync.OutboxStore)
			if !ok {
				t.Skip("store does not implement sync.OutboxStore")
			}
			tc.fn(t, ob)
		})
	}
}

var obNow = time.Date(2026, 11, 26, 12, 0, 0, 123456000, time.UTC)

func obMsg(shop, id, entity string) wmssync.OutboxMessage {
	return wmssync.OutboxMessage{
		Shop: shop, ID: id, Kind: wms.KindStockChanged, Entity: entity, Seq: 7,
		Time: obNow, Data: []byte(`{"id":"` + id + `"}`), Key: "key-" + id,
		State: wmssync.OutboxPending, NextAttempt: obNow, CreatedAt: obNow,
	}
}

func ids(ms []wmssync.OutboxMessage) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func wantIDs(t *testing.T, got []wmssync.OutboxMessage, want ...string) {
	t.Helper()
	g := ids(got)
	if fmt.Sprint(g) != fmt.Sprint(want) {
		t.Fatalf("got messages %v, want %v", g, want)
	}
}

func testOutboxAdd(t *testing.T, s wmssync.OutboxStore) {
	m := obMsg("A", "e1", "order:1")
	m.Plan = []byte(`{"p":1}`)
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{m, obMsg("A", "e2", "")}), "add")
	// The same id again (even with other data) is skipped: dedupe.
	dup := obMsg("A", "e1", "other")
	dup.Data = []byte(`{"x":2}`)
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{dup, obMsg("A", "e3", "")}), "add again")
	all, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "A"})
	check(t, err, "list")
	wantIDs(t, all, "e1", "e2", "e3")
	if !(all[0].Pos < all[1].Pos && all[1].Pos < all[2].Pos) {
		t.Fatalf("positions not increasing: %d %d %d", all[0].Pos, all[1].Pos, all[2].Pos)
	}
	g := all[0]
	switch {
	case g.State != wmssync.OutboxPending, g.Entity != "order:1", string(g.Data) != `{"id":"e1"}`,
		g.Kind != wms.KindStockChanged, g.Seq != 7, g.Key != "key-e1", !g.Time.Equal(obNow),
		!g.NextAttempt.Equal(obNow), !g.CreatedAt.Equal(obNow), g.Attempts != 0:
		t.Fatalf("stored message differs: %+v", g)
	}
}

func testOutboxClaimLease(t *testing.T, s wmssync.OutboxStore) {
	later := obMsg("A", "later", "")
	later.NextAttempt = obNow.Add(time.Hour)
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{obMsg("A", "now", ""), later}), "add")
	got, err := s.ClaimOutbox(ctx, "A", obNow, time.Minute, 10)
	check(t, err, "claim")
	wantIDs(t, got, "now")
	if !got[0].LeaseUntil.Equal(obNow.Add(time.Minute)) {
		t.Fatalf("LeaseUntil = %v, want now+1m", got[0].LeaseUntil)
	}
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(30*time.Second), time.Minute, 10)
	check(t, err, "claim while leased")
	wantIDs(t, got)
	// The lease ran out (the claimer crashed): claimable again.
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(time.Minute), time.Minute, 10)
	check(t, err, "claim after lease")
	wantIDs(t, got, "now")
	// Released and settled: gone; the later one comes when due.
	m := got[0]
	m.State, m.LeaseUntil = wmssync.OutboxDone, time.Time{}
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}), "update")
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(2*time.Hour), time.Minute, 10)
	check(t, err, "claim later")
	wantIDs(t, got, "later")
}

func testOutboxEntityOrder(t *testing.T, s wmssync.OutboxStore) {
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{
		obMsg("A", "a1", "order:1"), obMsg("A", "a2", "order:1"), obMsg("A", "b1", "order:2"),
		obMsg("A", "s1", ""), obMsg("A", "s2", ""),
	}), "add")
	got, err := s.ClaimOutbox(ctx, "A", obNow, time.Minute, 10)
	check(t, err, "claim")
	wantIDs(t, got, "a1", "b1", "s1", "s2")
	// a1 fails and waits: a2 stays blocked even after a1's lease is released.
	a1 := got[0]
	a1.Attempts, a1.NextAttempt, a1.LeaseUntil, a1.LastError = 1, obNow.Add(time.Hour), time.Time{}, "boom"
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{a1}), "update a1")
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(2*time.Minute), time.Minute, 10)
	check(t, err, "claim 2")
	wantIDs(t, got, "b1", "s1", "s2") // leases of the others ran out
	// a1 dead: still blocks a2.
	a1.State = wmssync.OutboxDead
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{a1}), "dead a1")
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(3*time.Hour), time.Minute, 10)
	check(t, err, "claim 3")
	for _, m := range got {
		if m.ID == "a2" || m.ID == "a1" {
			t.Fatalf("a2 claimed while a1 is dead: %v", ids(got))
		}
	}
	// a1 done: a2 is next.
	a1.State = wmssync.OutboxDone
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{a1}), "done a1")
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(4*time.Hour), time.Minute, 10)
	check(t, err, "claim 4")
	if len(got) == 0 || got[0].ID != "a2" {
		t.Fatalf("claim after a1 done = %v, want a2 first", ids(got))
	}
}

func testOutboxDeadReplay(t *testing.T, s wmssync.OutboxStore) {
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{obMsg("A", "x", "sku:1")}), "add")
	got, err := s.ClaimOutbox(ctx, "A", obNow, time.Minute, 10)
	check(t, err, "claim")
	m := got[0]
	m.State, m.Attempts, m.LastError, m.LeaseUntil = wmssync.OutboxDead, 3, "shop said no", time.Time{}
	m.Key, m.Plan = "k2", []byte(`{"before":"5.00"}`)
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}), "dead")
	dead, err := s.ListOutbox(ctx, wmssync.OutboxFilter{State: wmssync.OutboxDead})
	check(t, err, "list dead")
	wantIDs(t, dead, "x")
	if d := dead[0]; d.LastError != "shop said no" || d.Attempts != 3 || d.Key != "k2" || string(d.Plan) != `{"before":"5.00"}` {
		t.Fatalf("dead letter lost fields: %+v", d)
	}
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(time.Hour), time.Minute, 10)
	check(t, err, "claim dead")
	wantIDs(t, got)
	m.State, m.Attempts, m.LastError, m.NextAttempt = wmssync.OutboxPending, 0, "", obNow.Add(time.Hour)
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}), "replay")
	got, err = s.ClaimOutbox(ctx, "A", obNow.Add(time.Hour), time.Minute, 10)
	check(t, err, "claim replayed")
	wantIDs(t, got, "x")
	if string(got[0].Plan) != `{"before":"5.00"}` {
		t.Fatalf("plan lost on replay: %q", got[0].Plan)
	}
	// Updating a message that is not stored is harmless.
	check(t, s.UpdateOutbox(ctx, []wmssync.OutboxMessage{obMsg("A", "nope", "")}), "update unknown")
}

func testOutboxShops(t *testing.T, s wmssync.OutboxStore) {
	got, err := s.ClaimOutbox(ctx, "A", obNow, time.Minute, 10)
	check(t, err, "claim from an empty outbox")
	wantIDs(t, got)
	list, err := s.ListOutbox(ctx, wmssync.OutboxFilter{})
	check(t, err, "list an empty outbox")
	wantIDs(t, list)
	check(t, s.AddOutbox(ctx, []wmssync.OutboxMessage{
		obMsg("", "p1", ""), obMsg("A", "p1", ""), obMsg("B", "p1", ""), obMsg("A", "p2", ""), obMsg("A", "p3", ""),
	}), "add")
	got, err = s.ClaimOutbox(ctx, "", obNow, time.Minute, 10)
	check(t, err, "claim fan-out queue")
	wantIDs(t, got, "p1")
	if got[0].Shop != "" {
		t.Fatalf("claimed shop %q from the fan-out queue", got[0].Shop)
	}
	got, err = s.ClaimOutbox(ctx, "A", obNow, time.Minute, 2)
	check(t, err, "claim A")
	wantIDs(t, got, "p1", "p2")
	got, err = s.ClaimOutbox(ctx, "B", obNow, time.Minute, 2)
	check(t, err, "claim B")
	wantIDs(t, got, "p1")
	list, err = s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "A", Limit: 2})
	check(t, err, "list")
	wantIDs(t, list, "p1", "p2")
	list, err = s.ListOutbox(ctx, wmssync.OutboxFilter{ID: "p1"})
	check(t, err, "list by id")
	if len(list) != 3 {
		t.Fatalf("list by id: %d messages, want 3", len(list))
	}
}

func testOutboxConcurrent(t *testing.T, s wmssync.OutboxStore) {
	const n = 200
	var msgs []wmssync.OutboxMessage
	for i := range n {
		msgs = append(msgs, obMsg("A", fmt.Sprintf("m%03d", i), ""))
	}
	check(t, s.AddOutbox(ctx, msgs), "add")
	var (
		mu     gosync.Mutex
		got    = map[string]int{}
		claims int
		wg     gosync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ms, err := s.ClaimOutbox(ctx, "A", obNow, time.Hour, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, m := range ms {
					got[m.ID]++
				}
				claims += len(ms)
				more := claims > n // a store that hands out leased messages again never runs dry
				mu.Unlock()
				if more {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(got) != n {
		t.Fatalf("%d messages claimed, want %d", len(got), n)
	}
	for id, c := range got {
		if c != 1 {
			t.Fatalf("message %s claimed %d times", id, c)
		}
	}
}
