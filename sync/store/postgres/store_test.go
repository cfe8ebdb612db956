package postgres_test

import (
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// TestStoreConformance runs the sync store kit, the webhook inbox part
// included.
func TestStoreConformance(t *testing.T) {
	testDSN(t)
	storetest.Run(t, func(t *testing.T) wmssync.Store { return newStore(t) })
}

// Settings, steps, version compare-and-swap and watermarks are checked by
// storetest (TestStoreConformance); the tests below cover what is particular
// to this store.

func TestLeases(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var mu gosync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	s := newStore(t, postgres.WithClock(clock))

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
	assert.Equal(t, postgres.InboxStats{Claimed: 1, Completed: 1, Failed: 1}, st)
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

func TestMigrationsConcurrentOpen(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	var wg gosync.WaitGroup
	stores := make([]*postgres.Store, 4)
	errs := make([]error, len(stores))
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = postgres.Open(ctx, dsn, postgres.WithSchema(schema))
		}()
	}
	wg.Wait()
	for i, s := range stores {
		require.NoError(t, errs[i])
		t.Cleanup(s.Close)
	}
	v, err := stores[0].SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, ms[len(ms)-1].Version, v)
	var n int
	require.NoError(t, stores[0].Pool().QueryRow(ctx,
		`SELECT count(*) FROM `+schema+`.wmsbridge_schema_migrations`).Scan(&n))
	assert.Equal(t, len(ms), n, "each migration recorded once")

	// All four share the data.
	stored, err := stores[1].Put(ctx, &webhook.Event{WebhookID: "w", Topic: "orders/create", Body: []byte("{}")})
	require.NoError(t, err)
	require.True(t, stored)
	stored, err = stores[2].Put(ctx, &webhook.Event{WebhookID: "w", Topic: "orders/create", Body: []byte("{}")})
	require.NoError(t, err)
	require.False(t, stored)
}

func TestRejectsBadSchemaAndDSN(t *testing.T) {
	_, err := postgres.Open(ctx, "postgres://u:s3cret-pw@127.0.0.1:5432/db?sslmode=bogus")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cret-pw", "DSN password must not leak into errors")
	dsn := testDSN(t)
	_, err = postgres.Open(ctx, dsn, postgres.WithSchema("Bad-Schema;drop"))
	require.Error(t, err)
}

// After Close (of a pool the store opened), calls return an error matching
// sync.ErrStoreClosed, so the engine's Run stops instead of retrying.
func TestClosedStore(t *testing.T) {
	dsn := testDSN(t)
	s, err := postgres.Open(ctx, dsn, postgres.WithSchema(newSchema(t, dsn)))
	require.NoError(t, err)
	s.Close()
	_, err = s.Claim(ctx, 1, time.Minute)
	require.ErrorIs(t, err, wmssync.ErrStoreClosed)
	_, err = s.Settings(ctx, "a")
	require.ErrorIs(t, err, wmssync.ErrStoreClosed)
}

// TestInboxBodiesUseLZ4 checks that migration 0006 switched the inbox's
// body column to lz4 compression on a server that has it (PostgreSQL 14
// and later built with lz4, as the Debian and official builds are); pglz
// took most of the server's time per stored 16 KB webhook.
func TestInboxBodiesUseLZ4(t *testing.T) {
	s := newStore(t)
	var supported bool
	err := s.Pool().QueryRow(ctx, `SELECT current_setting('server_version_num')::int >= 140000
		AND EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals))`).Scan(&supported)
	require.NoError(t, err)
	if !supported {
		t.Skip("this PostgreSQL server has no lz4 compression")
	}
	var method string
	err = s.Pool().QueryRow(ctx, `SELECT attcompression::text FROM pg_attribute
		WHERE attrelid = (quote_ident($1) || '.wmsbridge_inbox')::regclass AND attname = 'body'`, s.Schema()).Scan(&method)
	require.NoError(t, err)
	require.Equal(t, "l", method, "the inbox's body column is not compressed with lz4")
}
