package storetest

import (
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// runLeases checks the [wmssync.Leaser] capability; stores without it skip
// these subtests.
func runLeases(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l wmssync.Leaser)
	}{
		{"AcquireRenewRelease", testLeaseAcquire},
		{"Expiry", testLeaseExpiry},
		{"Concurrent", testLeaseConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := newStore(t).(wmssync.Leaser)
			if !ok {
				t.Skip("store does not implement sync.Leaser")
			}
			tc.fn(t, l)
		})
	}
}

func acquire(t *testing.T, l wmssync.Leaser, name, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := l.AcquireLease(ctx, name, owner, ttl)
	check(t, err, "AcquireLease")
	return ok
}

func testLeaseAcquire(t *testing.T, l wmssync.Leaser) {
	if !acquire(t, l, "shop/products", "a", time.Minute) {
		t.Fatal("a free lease was refused")
	}
	if acquire(t, l, "shop/products", "b", time.Minute) {
		t.Fatal("a second owner got a held lease")
	}
	if !acquire(t, l, "shop/products", "a", time.Minute) {
		t.Fatal("the holder could not renew its lease")
	}
	if !acquire(t, l, "shop/orders", "b", time.Minute) {
		t.Fatal("leases with other names are independent")
	}
	check(t, l.ReleaseLease(ctx, "shop/products", "b"), "ReleaseLease by a non-holder")
	if acquire(t, l, "shop/products", "b", time.Minute) {
		t.Fatal("a release by a non-holder freed the lease")
	}
	check(t, l.ReleaseLease(ctx, "shop/products", "a"), "ReleaseLease")
	if !acquire(t, l, "shop/products", "b", time.Minute) {
		t.Fatal("a released lease could not be taken")
	}
	check(t, l.ReleaseLease(ctx, "never/held", "a"), "ReleaseLease of an unknown lease")
}

func testLeaseExpiry(t *testing.T, l wmssync.Leaser) {
	const ttl = 200 * time.Millisecond
	if !acquire(t, l, "shop/sweep", "dead-process", ttl) {
		t.Fatal("a free lease was refused")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !acquire(t, l, "shop/sweep", "survivor", time.Minute) {
		if time.Now().After(deadline) {
			t.Fatal("a lease whose holder stopped renewing never expired")
		}
		time.Sleep(ttl / 4)
	}
	if acquire(t, l, "shop/sweep", "dead-process", ttl) {
		t.Fatal("the old holder took the lease back from the survivor")
	}
}

func testLeaseConcurrent(t *testing.T, l wmssync.Leaser) {
	var won atomic.Int32
	var wg gosync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ok, err := l.AcquireLease(ctx, "shop/contended", "owner-"+string(rune('a'+i)), time.Minute)
			if err != nil {
				t.Error(err)
			}
			if ok {
				won.Add(1)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d owners hold one lease at once, want 1", won.Load())
	}
}
