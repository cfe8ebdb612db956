package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

var ctx = context.Background()

func openStore(t testing.TB, path string, opts ...sqlite.Option) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, path, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func newStore(t testing.TB) *sqlite.Store {
	t.Helper()
	return openStore(t, filepath.Join(t.TempDir(), "wmsbridge.db"))
}

// TestStoreConformance runs the sync store kit, the webhook inbox part
// included.
func TestStoreConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) wmssync.Store { return newStore(t) })
}

func TestOpenRejectsBadPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "x.db?mode=ro"} {
		_, err := sqlite.Open(ctx, p)
		assert.Error(t, err, p)
	}
}

func TestMigrationsAppliedOnceAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ms, err := sqlite.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	require.Equal(t, 1, ms[0].Version)

	// Two stores opening a new file at once both succeed.
	var wg gosync.WaitGroup
	stores := make([]*sqlite.Store, 2)
	errs := make([]error, 2)
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = sqlite.Open(ctx, path)
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	v, err := stores[0].SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, ms[len(ms)-1].Version, v)
	var n int
	require.NoError(t, stores[0].DB().QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_schema_migrations`).Scan(&n))
	assert.Equal(t, len(ms), n, "each migration recorded once")

	stored, err := stores[1].Put(ctx, &webhook.Event{WebhookID: "w", Topic: "orders/create", Body: []byte("{}")})
	require.NoError(t, err)
	require.True(t, stored)
	require.NoError(t, stores[0].Close())
	require.NoError(t, stores[1].Close())
	require.ErrorIs(t, stores[0].Close(), nil)

	// Reopen: data kept, migrations not re-run.
	s := openStore(t, path)
	stored, err = s.Put(ctx, &webhook.Event{WebhookID: "w", Topic: "orders/create", Body: []byte("{}")})
	require.NoError(t, err)
	assert.False(t, stored, "event survived the reopen")
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_schema_migrations`).Scan(&n))
	assert.Equal(t, len(ms), n)
}

func TestClosedStore(t *testing.T) {
	s := newStore(t)
	require.NoError(t, s.Close())
	_, err := s.Put(ctx, &webhook.Event{WebhookID: "x", Body: []byte("{}")})
	assert.ErrorIs(t, err, sqlite.ErrClosed)
	_, err = s.Claim(ctx, 1, time.Minute)
	assert.ErrorIs(t, err, sqlite.ErrClosed)
	_, err = s.Settings(ctx, "a")
	assert.ErrorIs(t, err, sqlite.ErrClosed)
	assert.ErrorIs(t, err, wmssync.ErrStoreClosed, "the engine's Run stops on it")
}

// Settings, steps, version compare-and-swap and watermarks are checked by
// storetest (TestStoreConformance); the tests below cover what is particular
// to this store.

func TestLeases(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var mu gosync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := openStore(t, filepath.Join(t.TempDir(), "l.db"), sqlite.WithClock(clock))

	ok, err := s.AcquireLease(ctx, "shop/products", "p1", time.Minute)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = s.AcquireLease(ctx, "shop/products", "p2", time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "held by p1")
	owner, exp, err := s.LeaseHolder(ctx, "shop/products")
	require.NoError(t, err)
	assert.Equal(t, "p1", owner)
	assert.True(t, exp.Equal(now.Add(time.Minute)))

	advance(50 * time.Second)
	ok, err = s.AcquireLease(ctx, "shop/products", "p1", time.Minute) // renew
	require.NoError(t, err)
	require.True(t, ok)
	advance(50 * time.Second)
	ok, err = s.AcquireLease(ctx, "shop/products", "p2", time.Minute)
	require.NoError(t, err)
	require.False(t, ok, "renewed lease still held")

	advance(11 * time.Second) // p1 "died": its lease expires
	ok, err = s.AcquireLease(ctx, "shop/products", "p2", time.Minute)
	require.NoError(t, err)
	require.True(t, ok, "expired lease taken over")
	require.NoError(t, s.ReleaseLease(ctx, "shop/products", "p1"), "not the holder: no-op")
	owner, _, err = s.LeaseHolder(ctx, "shop/products")
	require.NoError(t, err)
	assert.Equal(t, "p2", owner)
	require.NoError(t, s.ReleaseLease(ctx, "shop/products", "p2"))
	owner, _, err = s.LeaseHolder(ctx, "shop/products")
	require.NoError(t, err)
	assert.Empty(t, owner)
	// Concurrent acquirers are checked by storetest (Leases/Concurrent).
}

func TestFailedReplayForgetStats(t *testing.T) {
	s := newStore(t)
	for _, id := range []string{"a", "b", "c"} {
		stored, err := s.Put(ctx, &webhook.Event{WebhookID: id, Topic: "orders/create", Body: []byte(`{}`)})
		require.NoError(t, err)
		require.True(t, stored)
	}
	jobs, err := s.Claim(ctx, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, jobs, 3)
	require.NoError(t, s.Complete(ctx, "a"))
	require.NoError(t, s.Fail(ctx, "b", "bad payload"))
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	assert.Equal(t, sqlite.InboxStats{Claimed: 1, Completed: 1, Failed: 1}, st)
	failed, err := s.FailedEvents(ctx, "", 10)
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Equal(t, "b", failed[0].Event.WebhookID)
	assert.Equal(t, "bad payload", failed[0].LastError)
	assert.Equal(t, 1, failed[0].Attempt)

	require.ErrorIs(t, s.ReplayEvent(ctx, "a"), webhook.ErrUnknownJob, "completed, not failed")
	require.NoError(t, s.ReplayEvent(ctx, "b"))
	jobs, err = s.Claim(ctx, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, 2, jobs[0].Attempt)

	n, err := s.PruneInbox(ctx, time.Now().Add(time.Second), 100)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "only the completed event is finished")
	stored, err := s.Put(ctx, &webhook.Event{WebhookID: "a", Topic: "orders/create", Body: []byte(`{}`)})
	require.NoError(t, err)
	assert.True(t, stored, "a pruned id is stored again")
}
