// Package credentialtest is a conformance kit for implementations of
// [credential.Store]. A store proves it keeps the contract with one test in
// its own package:
//
//	func TestCredentialStore(t *testing.T) {
//		credentialtest.Run(t, func(t *testing.T) credential.Store {
//			return newEmptyStore(t) // a fresh, empty store per subtest
//		})
//	}
//
// Run covers the round trip of every field, unknown shops, the
// compare-and-swap on Revision (also under concurrency), deletion, shops
// kept apart, invalid credentials refused without a change, cancelled
// contexts, secrets kept out of error texts, and, when the store
// implements [credential.Locker], its leases (with the wall clock). Run it
// with -race.
package credentialtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
)

// Run runs the conformance kit as subtests of t. newStore must return a
// new, empty store for each call; it gets the subtest's t, for t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) credential.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s credential.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"NotFound", testNotFound},
		{"CompareAndSwap", testCAS},
		{"ConcurrentSaves", testConcurrentSaves},
		{"Delete", testDelete},
		{"ShopsApart", testShopsApart},
		{"InvalidRefused", testInvalid},
		{"CancelledContext", testCancelled},
		{"NoSecretInErrors", testNoSecretInErrors},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newStore(t)) })
	}
	lockers := []struct {
		name string
		fn   func(t *testing.T, l credential.Locker)
	}{
		{"Lease", testLease},
		{"LeaseExpiry", testLeaseExpiry},
		{"LeaseConcurrent", testLeaseConcurrent},
	}
	for _, tc := range lockers {
		t.Run(tc.name, func(t *testing.T) {
			l, ok := newStore(t).(credential.Locker)
			if !ok {
				t.Skip("store does not implement credential.Locker")
			}
			tc.fn(t, l)
		})
	}
}

var ctx = context.Background()

// Secrets the kit stores; errors must never contain them.
const (
	accessSecret  = "shpat_KIT_ACCESS_SECRET_0001"
	refreshSecret = "shprt_KIT_REFRESH_SECRET_0001"
)

func sample(shop string) credential.Credentials {
	return credential.Credentials{
		Shop:          shop,
		AccessToken:   accessSecret + "-" + shop,
		Scope:         "read_products,write_inventory",
		Expiry:        time.Date(2026, 11, 2, 10, 4, 5, 123456000, time.UTC),
		RefreshToken:  refreshSecret + "-" + shop,
		RefreshExpiry: time.Date(2027, 1, 31, 10, 4, 5, 654321000, time.FixedZone("CET", 3600)),
	}
}

func mustSave(t *testing.T, s credential.Store, c credential.Credentials) int64 {
	t.Helper()
	rev, err := s.SaveCredentials(ctx, c)
	if err != nil {
		t.Fatalf("SaveCredentials(%s, revision %d): %v", c.Shop, c.Revision, err)
	}
	if rev != c.Revision+1 {
		t.Fatalf("SaveCredentials over revision %d returned revision %d, want %d", c.Revision, rev, c.Revision+1)
	}
	return rev
}

func mustLoad(t *testing.T, s credential.Store, shop string) credential.Credentials {
	t.Helper()
	c, err := s.LoadCredentials(ctx, shop)
	if err != nil {
		t.Fatalf("LoadCredentials(%s): %v", shop, err)
	}
	return c
}

func same(t *testing.T, got, want credential.Credentials) {
	t.Helper()
	if got.Shop != want.Shop || got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken ||
		got.Scope != want.Scope || !got.Expiry.Equal(want.Expiry) || !got.RefreshExpiry.Equal(want.RefreshExpiry) ||
		got.Revision != want.Revision || got.Expiry.IsZero() != want.Expiry.IsZero() || got.RefreshExpiry.IsZero() != want.RefreshExpiry.IsZero() {
		// The secrets are compared, never printed.
		t.Fatalf("loaded %v (tokens equal: %v, %v), want %v", got, got.AccessToken == want.AccessToken, got.RefreshToken == want.RefreshToken, want)
	}
}

func testRoundTrip(t *testing.T, s credential.Store) {
	c := sample("shop-a")
	c.Revision = mustSave(t, s, c)
	same(t, mustLoad(t, s, "shop-a"), c)

	// A token that never expires and cannot be refreshed: empty and zero
	// fields come back empty and zero.
	plain := credential.Credentials{Shop: "shop-b", AccessToken: accessSecret + "-static"}
	plain.Revision = mustSave(t, s, plain)
	same(t, mustLoad(t, s, "shop-b"), plain)
}

func testNotFound(t *testing.T, s credential.Store) {
	_, err := s.LoadCredentials(ctx, "never-saved")
	if !errors.Is(err, credential.ErrNotFound) {
		t.Fatalf("LoadCredentials of an unknown shop: %v, want ErrNotFound", err)
	}
}

func testCAS(t *testing.T, s credential.Store) {
	c := sample("shop-a")
	rev := mustSave(t, s, c)
	if _, err := s.SaveCredentials(ctx, c); !errors.Is(err, credential.ErrConflict) {
		t.Fatalf("a second save as new (revision 0) over revision %d: %v, want ErrConflict", rev, err)
	}
	next := sample("shop-a")
	next.AccessToken, next.RefreshToken, next.Revision = accessSecret+"-next", refreshSecret+"-next", rev
	next.Revision = mustSave(t, s, next)

	stale := sample("shop-a")
	stale.AccessToken, stale.Revision = accessSecret+"-stale", rev
	if _, err := s.SaveCredentials(ctx, stale); !errors.Is(err, credential.ErrConflict) {
		t.Fatalf("a save over stale revision %d: %v, want ErrConflict", rev, err)
	}
	ahead := stale
	ahead.Revision = next.Revision + 5
	if _, err := s.SaveCredentials(ctx, ahead); !errors.Is(err, credential.ErrConflict) {
		t.Fatalf("a save over a revision never stored: %v, want ErrConflict", err)
	}
	same(t, mustLoad(t, s, "shop-a"), next)
}

func testConcurrentSaves(t *testing.T, s credential.Store) {
	c := sample("shop-a")
	c.Revision = mustSave(t, s, c)
	const n = 16
	var won atomic.Int32
	var winner atomic.Value
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			mine := c
			mine.AccessToken = fmt.Sprintf("%s-writer-%d", accessSecret, i)
			rev, err := s.SaveCredentials(ctx, mine)
			switch {
			case err == nil:
				won.Add(1)
				mine.Revision = rev
				winner.Store(mine)
			case !errors.Is(err, credential.ErrConflict):
				t.Errorf("writer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d of %d concurrent saves over one revision succeeded, want 1", won.Load(), n)
	}
	same(t, mustLoad(t, s, "shop-a"), winner.Load().(credential.Credentials))
}

func testDelete(t *testing.T, s credential.Store) {
	mustSave(t, s, sample("shop-a"))
	if err := s.DeleteCredentials(ctx, "shop-a"); err != nil {
		t.Fatalf("DeleteCredentials: %v", err)
	}
	if _, err := s.LoadCredentials(ctx, "shop-a"); !errors.Is(err, credential.ErrNotFound) {
		t.Fatalf("LoadCredentials after delete: %v, want ErrNotFound", err)
	}
	if err := s.DeleteCredentials(ctx, "shop-a"); err != nil {
		t.Fatalf("deleting deleted credentials: %v", err)
	}
	c := sample("shop-a")
	c.Revision = mustSave(t, s, c) // after a delete the shop counts as new again
	same(t, mustLoad(t, s, "shop-a"), c)
}

func testShopsApart(t *testing.T, s credential.Store) {
	shops := []string{"MyShopDK", "myshopdk", "my-shop.myshopify.com", "shop_ü-1", "a/b"}
	saved := map[string]credential.Credentials{}
	for _, sh := range shops {
		c := sample(sh)
		c.Revision = mustSave(t, s, c)
		saved[sh] = c
	}
	if err := s.DeleteCredentials(ctx, "myshopdk"); err != nil {
		t.Fatal(err)
	}
	delete(saved, "myshopdk")
	for sh, c := range saved {
		same(t, mustLoad(t, s, sh), c)
	}
}

func testInvalid(t *testing.T, s credential.Store) {
	for _, c := range []credential.Credentials{
		{AccessToken: accessSecret},
		{Shop: "shop-a"},
		{Shop: "shop-a", AccessToken: accessSecret, Revision: -1},
	} {
		if _, err := s.SaveCredentials(ctx, c); err == nil {
			t.Errorf("SaveCredentials(%v) stored invalid credentials", c)
		}
	}
	if _, err := s.LoadCredentials(ctx, "shop-a"); !errors.Is(err, credential.ErrNotFound) {
		t.Fatalf("after refused saves LoadCredentials: %v, want ErrNotFound", err)
	}
}

func testCancelled(t *testing.T, s credential.Store) {
	c := sample("shop-a")
	c.Revision = mustSave(t, s, c)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.LoadCredentials(cctx, "shop-a"); err == nil {
		t.Error("LoadCredentials with a cancelled context returned no error")
	}
	next := c
	next.AccessToken = accessSecret + "-cancelled"
	if _, err := s.SaveCredentials(cctx, next); err == nil {
		t.Error("SaveCredentials with a cancelled context returned no error")
	}
	if err := s.DeleteCredentials(cctx, "shop-a"); err == nil {
		t.Error("DeleteCredentials with a cancelled context returned no error")
	}
	same(t, mustLoad(t, s, "shop-a"), c)
}

func testNoSecretInErrors(t *testing.T, s credential.Store) {
	c := sample("shop-a")
	mustSave(t, s, c)
	var errs []error
	_, err := s.SaveCredentials(ctx, c) // conflict
	errs = append(errs, err)
	_, err = s.SaveCredentials(ctx, credential.Credentials{Shop: "shop-b", RefreshToken: refreshSecret})
	errs = append(errs, err)
	_, err = s.SaveCredentials(ctx, credential.Credentials{AccessToken: accessSecret, RefreshToken: refreshSecret})
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("an invalid or conflicting save returned no error")
		}
		for _, form := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", err, err, err)} {
			if strings.Contains(form, accessSecret) || strings.Contains(form, refreshSecret) {
				t.Errorf("error text carries a secret: %s", form)
			}
		}
	}
}

func acquire(t *testing.T, l credential.Locker, name, owner string, ttl time.Duration) bool {
	t.Helper()
	ok, err := l.AcquireLease(ctx, name, owner, ttl)
	if err != nil {
		t.Fatalf("AcquireLease(%s, %s): %v", name, owner, err)
	}
	return ok
}

func testLease(t *testing.T, l credential.Locker) {
	name := credential.LeaseName("shop-a")
	if !acquire(t, l, name, "process-1", time.Minute) {
		t.Fatal("a free lease was refused")
	}
	if acquire(t, l, name, "process-2", time.Minute) {
		t.Fatal("a second owner got a held lease")
	}
	if !acquire(t, l, name, "process-1", time.Minute) {
		t.Fatal("the holder could not renew its lease")
	}
	if !acquire(t, l, credential.LeaseName("shop-b"), "process-2", time.Minute) {
		t.Fatal("the leases of two shops are not independent")
	}
	if err := l.ReleaseLease(ctx, name, "process-2"); err != nil {
		t.Fatal(err)
	}
	if acquire(t, l, name, "process-2", time.Minute) {
		t.Fatal("a release by a non-holder freed the lease")
	}
	if err := l.ReleaseLease(ctx, name, "process-1"); err != nil {
		t.Fatal(err)
	}
	if !acquire(t, l, name, "process-2", time.Minute) {
		t.Fatal("a released lease could not be taken")
	}
}

func testLeaseExpiry(t *testing.T, l credential.Locker) {
	const ttl = 200 * time.Millisecond
	name := credential.LeaseName("shop-a")
	if !acquire(t, l, name, "crashed", ttl) {
		t.Fatal("a free lease was refused")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !acquire(t, l, name, "survivor", time.Minute) {
		if time.Now().After(deadline) {
			t.Fatal("a lease whose holder stopped renewing never expired")
		}
		time.Sleep(ttl / 4)
	}
}

func testLeaseConcurrent(t *testing.T, l credential.Locker) {
	var won atomic.Int32
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			ok, err := l.AcquireLease(ctx, credential.LeaseName("shop-a"), fmt.Sprintf("process-%d", i), time.Minute)
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
