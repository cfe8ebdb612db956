package storetest

import (
	"fmt"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runPruneVersions checks the [wmssync.VersionPruner] capability; stores
// without it skip these subtests.
func runPruneVersions(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	runCapability(t, newStore, "sync.VersionPruner", []capabilityTest[wmssync.VersionPruner]{
		{"NewestTime", testPruneNewestTime},
		{"Batches", testPruneBatches},
		{"RecreateAfterPrune", testPruneRecreate},
	})
}

func setVersion(t *testing.T, s wmssync.Store, k wmssync.EntityKey, v webhook.Version) {
	t.Helper()
	_, rev, err := s.Version(ctx, k)
	check(t, err, "Version")
	if ok, err := s.SetVersion(ctx, k, v, rev); err != nil || !ok {
		t.Fatalf("SetVersion %s: ok=%v err=%v", k, ok, err)
	}
}

func stored(t *testing.T, s wmssync.Store, k wmssync.EntityKey) bool {
	t.Helper()
	_, rev, err := s.Version(ctx, k)
	check(t, err, "Version")
	return rev != 0
}

func prune(t *testing.T, p wmssync.VersionPruner, kind string, before time.Time, limit int) int {
	t.Helper()
	n, err := p.PruneVersions(ctx, kind, before, limit)
	check(t, err, "PruneVersions")
	return n
}

// testPruneNewestTime: a row goes only when both its times are before the
// cutoff (a zero time counts as oldest), and only rows of the kind asked
// for. A row shaped like a pending barcode mark (TriggeredAt after an old
// UpdatedAt) stays while its TriggeredAt is recent.
func testPruneNewestTime(t *testing.T, s wmssync.Store, p wmssync.VersionPruner) {
	cut := t0.Add(100 * 24 * time.Hour)
	old, recent := cut.Add(-time.Hour), cut.Add(time.Hour)
	key := func(kind, id string) wmssync.EntityKey { return wmssync.EntityKey{Shop: "a", Kind: kind, ID: id} }
	gone := map[wmssync.EntityKey]webhook.Version{
		key(wmssync.KindOrder, "both-old"):     {UpdatedAt: old.Add(-time.Minute), TriggeredAt: old},
		key(wmssync.KindOrder, "deleted-old"):  {TriggeredAt: old}, // orders/delete: no updated_at
		key(wmssync.KindOrder, "updated-only"): {UpdatedAt: old},   // a sweep's version
		key(wmssync.KindOrder, "just-before"):  {UpdatedAt: cut.Add(-time.Microsecond), TriggeredAt: t0},
	}
	kept := map[wmssync.EntityKey]webhook.Version{
		key(wmssync.KindOrder, "triggered-recent"): {UpdatedAt: old, TriggeredAt: recent},
		key(wmssync.KindOrder, "updated-recent"):   {UpdatedAt: recent, TriggeredAt: old},
		key(wmssync.KindOrder, "at-cutoff"):        {UpdatedAt: cut, TriggeredAt: old},
		key(wmssync.KindOrder, "pending-mark"):     {UpdatedAt: t0, TriggeredAt: recent},
		key(wmssync.KindProduct, "both-old"):       {UpdatedAt: old, TriggeredAt: old}, // another kind
		{Shop: "b", Kind: "barcode-like", ID: "x"}: {UpdatedAt: old, TriggeredAt: old}, // another kind
	}
	for k, v := range gone {
		setVersion(t, s, k, v)
	}
	for k, v := range kept {
		setVersion(t, s, k, v)
	}
	if n := prune(t, p, wmssync.KindOrder, cut, 0); n != 0 {
		t.Fatalf("PruneVersions with limit 0 deleted %d rows", n)
	}
	for k := range gone {
		if !stored(t, s, k) {
			t.Fatalf("limit 0 deleted %s", k)
		}
	}
	if n := prune(t, p, wmssync.KindOrder, cut, 100); n != len(gone) {
		t.Fatalf("PruneVersions deleted %d rows, want %d", n, len(gone))
	}
	for k := range gone {
		if stored(t, s, k) {
			t.Errorf("%s (%+v) is still stored, want it pruned", k, gone[k])
		}
	}
	for k, v := range kept {
		if !stored(t, s, k) {
			t.Errorf("%s (%+v) was pruned, want it kept", k, v)
		}
	}
	if n := prune(t, p, wmssync.KindOrder, cut, 100); n != 0 {
		t.Fatalf("a second PruneVersions deleted %d rows, want 0", n)
	}
}

// testPruneBatches: limit bounds each call, and calls until one returns
// fewer than limit delete every old row and nothing else.
func testPruneBatches(t *testing.T, s wmssync.Store, p wmssync.VersionPruner) {
	cut := t0.Add(time.Hour)
	const old, limit = 25, 10
	for i := range old {
		setVersion(t, s, wmssync.EntityKey{Shop: fmt.Sprintf("shop-%d", i%3), Kind: wmssync.KindOrder, ID: fmt.Sprint(i)},
			webhook.Version{UpdatedAt: t0, TriggeredAt: t0.Add(time.Duration(i) * time.Second)})
	}
	fresh := wmssync.EntityKey{Shop: "shop-0", Kind: wmssync.KindOrder, ID: "fresh"}
	setVersion(t, s, fresh, webhook.Version{UpdatedAt: cut, TriggeredAt: cut})
	var got []int
	for {
		n := prune(t, p, wmssync.KindOrder, cut, limit)
		got = append(got, n)
		if n < limit || len(got) > 10 {
			break
		}
	}
	if fmt.Sprint(got) != "[10 10 5]" {
		t.Fatalf("batches deleted %v rows, want [10 10 5]", got)
	}
	for i := range old {
		if k := (wmssync.EntityKey{Shop: fmt.Sprintf("shop-%d", i%3), Kind: wmssync.KindOrder, ID: fmt.Sprint(i)}); stored(t, s, k) {
			t.Fatalf("%s survived the batches", k)
		}
	}
	if !stored(t, s, fresh) {
		t.Fatal("the fresh version was pruned")
	}
}

// testPruneRecreate: a pruned key reads as never stored; a writer holding
// its old revision loses, and revision 0 creates it again.
func testPruneRecreate(t *testing.T, s wmssync.Store, p wmssync.VersionPruner) {
	k := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindProduct, ID: "42"}
	setVersion(t, s, k, webhook.Version{UpdatedAt: t0})
	setVersion(t, s, k, webhook.Version{UpdatedAt: t0.Add(time.Second)})
	if n := prune(t, p, wmssync.KindProduct, t0.Add(time.Minute), 10); n != 1 {
		t.Fatalf("PruneVersions deleted %d rows, want 1", n)
	}
	v, rev, err := s.Version(ctx, k)
	check(t, err, "Version")
	if rev != 0 || !v.IsZero() {
		t.Fatalf("pruned key reads %+v rev %d, want zero and 0", v, rev)
	}
	nv := webhook.Version{UpdatedAt: t0.Add(time.Hour)}
	if ok, err := s.SetVersion(ctx, k, nv, 2); err != nil || ok {
		t.Fatalf("SetVersion with the pruned revision: ok=%v err=%v, want false, nil", ok, err)
	}
	if ok, err := s.SetVersion(ctx, k, nv, 0); err != nil || !ok {
		t.Fatalf("SetVersion rev 0 after pruning: ok=%v err=%v, want true", ok, err)
	}
	if v, rev, err := s.Version(ctx, k); err != nil || rev != 1 || !v.UpdatedAt.Equal(nv.UpdatedAt) {
		t.Fatalf("recreated key reads %+v rev %d err %v, want %+v rev 1", v, rev, err, nv)
	}
}
