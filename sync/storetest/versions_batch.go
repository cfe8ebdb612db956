package storetest

import (
	"fmt"
	"math/rand/v2"
	gosync "sync"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// runVersionBatch checks the [wmssync.VersionBatcher] capability; stores
// without it skip these subtests.
func runVersionBatch(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	runCapability(t, newStore, "sync.VersionBatcher", []capabilityTest[wmssync.VersionBatcher]{
		{"ReadsMatchVersion", testBatchReads},
		{"CompareAndSwap", testBatchCAS},
		{"Concurrent", testBatchConcurrent},
	})
}

// capabilityTest is a subtest of an optional capability C of a store.
type capabilityTest[C any] struct {
	name string
	fn   func(t *testing.T, s wmssync.Store, c C)
}

// runCapability runs tests as subtests on new stores, each skipped when
// the store does not implement C (called name in the skip message).
func runCapability[C any](t *testing.T, newStore func(t *testing.T) wmssync.Store, name string, tests []capabilityTest[C]) {
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			c, ok := s.(C)
			if !ok {
				t.Skip("store does not implement " + name)
			}
			tc.fn(t, s, c)
		})
	}
}

// testBatchReads: Versions answers what Version answers for each key, in
// the caller's order, for more keys than fit in one SQL statement, across
// shops and kinds, with keys never stored and keys asked for twice.
func testBatchReads(t *testing.T, s wmssync.Store, b wmssync.VersionBatcher) {
	var keys []wmssync.EntityKey
	for i := range 700 {
		k := wmssync.EntityKey{Shop: []string{"a", "b"}[i%2], Kind: []string{wmssync.KindProduct, wmssync.KindOrder}[i/2%2], ID: fmt.Sprint(i)}
		setVersion(t, s, k, webhook.Version{UpdatedAt: t0.Add(time.Duration(i) * time.Minute)})
		if i%3 == 0 {
			setVersion(t, s, k, webhook.Version{UpdatedAt: t0.Add(time.Duration(i) * time.Hour), TriggeredAt: t0})
		}
		keys = append(keys, k)
	}
	for i := range 300 {
		keys = append(keys, wmssync.EntityKey{Shop: "a", Kind: wmssync.KindProduct, ID: fmt.Sprint("unknown-", i)})
	}
	keys = append(keys, keys[:200]...)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	got, err := b.Versions(ctx, keys)
	check(t, err, "Versions")
	if len(got) != len(keys) {
		t.Fatalf("Versions returned %d entries for %d keys", len(got), len(keys))
	}
	for i, k := range keys {
		v, rev, err := s.Version(ctx, k)
		check(t, err, "Version")
		if got[i].Rev != rev || !got[i].Version.UpdatedAt.Equal(v.UpdatedAt) || !got[i].Version.TriggeredAt.Equal(v.TriggeredAt) {
			t.Fatalf("Versions[%d] (%s) = %+v, Version says %+v rev %d", i, k, got[i], v, rev)
		}
	}
}

// testBatchCAS: each write is a compare-and-swap of its own, applied in
// order, and what was reported ok is stored.
func testBatchCAS(t *testing.T, s wmssync.Store, b wmssync.VersionBatcher) {
	ka := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindProduct, ID: "A"}
	kb := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindProduct, ID: "B"}
	kc := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "C"}
	setVersion(t, s, ka, webhook.Version{UpdatedAt: t0})
	setVersion(t, s, kb, webhook.Version{UpdatedAt: t0})
	v := func(h int) webhook.Version { return webhook.Version{UpdatedAt: t0.Add(time.Duration(h) * time.Hour)} }
	writes := []wmssync.VersionWrite{
		{Key: ka, Version: v(1), Rev: 1}, // ok: A is at 1
		{Key: kb, Version: v(2), Rev: 5}, // stale
		{Key: kc, Version: v(3), Rev: 0}, // ok: new
		{Key: kc, Version: v(4), Rev: 0}, // C exists now
		{Key: ka, Version: v(5), Rev: 2}, // ok: the first write moved A to 2
		{Key: kb, Version: v(6), Rev: 0}, // B exists
	}
	oks, err := b.SetVersions(ctx, writes)
	check(t, err, "SetVersions")
	want := []bool{true, false, true, false, true, false}
	if fmt.Sprint(oks) != fmt.Sprint(want) {
		t.Fatalf("SetVersions = %v, want %v", oks, want)
	}
	for _, c := range []struct {
		k   wmssync.EntityKey
		v   webhook.Version
		rev int64
	}{{ka, v(5), 3}, {kb, webhook.Version{UpdatedAt: t0}, 1}, {kc, v(3), 1}} {
		got, rev, err := s.Version(ctx, c.k)
		check(t, err, "Version")
		if rev != c.rev || !got.UpdatedAt.Equal(c.v.UpdatedAt) {
			t.Fatalf("%s after SetVersions: %+v rev %d, want %v rev %d", c.k, got, rev, c.v.UpdatedAt, c.rev)
		}
	}
	if oks, err := b.SetVersions(ctx, nil); err != nil || len(oks) != 0 {
		t.Fatalf("SetVersions(nil) = %v, %v", oks, err)
	}
}

// testBatchConcurrent: of concurrent batches writing the same keys with
// the same revisions (in different orders), exactly one write per key
// wins, and none fails.
func testBatchConcurrent(t *testing.T, s wmssync.Store, b wmssync.VersionBatcher) {
	const writers, n = 8, 40
	keys := make([]wmssync.EntityKey, n)
	for i := range keys {
		keys[i] = wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: fmt.Sprint("k", i)}
	}
	for round := int64(0); round < 3; round++ {
		wins := make([]int, n)
		var mu gosync.Mutex
		var wg gosync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				order := rand.New(rand.NewPCG(uint64(round), uint64(w))).Perm(n)
				writes := make([]wmssync.VersionWrite, n)
				for i, j := range order {
					writes[i] = wmssync.VersionWrite{Key: keys[j], Version: webhook.Version{UpdatedAt: t0.Add(time.Duration(w) * time.Second)}, Rev: round}
				}
				oks, err := b.SetVersions(ctx, writes)
				if err != nil {
					t.Errorf("SetVersions: %v", err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for i, ok := range oks {
					if ok {
						wins[order[i]]++
					}
				}
			})
		}
		wg.Wait()
		for i, w := range wins {
			if w != 1 {
				t.Fatalf("round %d: %d concurrent writes of %s with the same revision won, want exactly 1", round, w, keys[i])
			}
		}
	}
}
