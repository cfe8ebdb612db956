package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	gosync "sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// A Put whose context ends while it waits for a batch is withdrawn and
// stores nothing; Puts of one id in one batch store it once.
func TestIngestWithdrawAndDuplicatesInBatch(t *testing.T) {
	ctx := context.Background()
	s, _ := openIngestStore(t)

	// No flusher may start: the Put waits, then withdraws.
	s.ingest.mu.Lock()
	s.ingest.maxFlushers = 0
	s.ingest.mu.Unlock()
	c, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	ev := &webhook.Event{WebhookID: "w1", Topic: "orders/create", Body: []byte(`{}`)}
	_, err := s.Put(c, ev)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	s.ingest.mu.Lock()
	require.Empty(t, s.ingest.pending, "the withdrawn Put left its event queued")
	s.ingest.mu.Unlock()

	// Queue 20 Puts of one id and 20 of distinct ids, then let one
	// flusher take them all in one batch.
	var wg gosync.WaitGroup
	results := make(chan bool, 40)
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "same"
			if i%2 == 1 {
				id = fmt.Sprintf("d%d", i)
			}
			stored, err := s.Put(ctx, &webhook.Event{WebhookID: id, Topic: "orders/create", Body: []byte(`{}`)})
			assert.NoError(t, err)
			results <- stored
		}()
	}
	require.Eventually(t, func() bool {
		s.ingest.mu.Lock()
		defer s.ingest.mu.Unlock()
		return len(s.ingest.pending) == 40
	}, 5*time.Second, 5*time.Millisecond)
	s.ingest.mu.Lock()
	s.ingest.maxFlushers = 1
	s.ingest.flushers++
	go s.flushLoop()
	s.ingest.mu.Unlock()
	wg.Wait()
	close(results)
	n := 0
	for stored := range results {
		if stored {
			n++
		}
	}
	require.Equal(t, 21, n, "20 distinct ids and one of the 20 duplicates stored")
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, InboxStats{Pending: 21}, st, "w1 was withdrawn, not stored")
}

// Batches encode into a buffer their flusher keeps and the next flusher
// takes over: every body, id and time of every batch is stored as given,
// whether a batch is larger or smaller than the one before it.
func TestIngestReusedBufferKeepsEveryEvent(t *testing.T) {
	ctx := context.Background()
	s, schema := openIngestStore(t, WithIngest(8, 1))

	want := map[string]*webhook.Event{}
	trig := time.Date(2026, 12, 7, 10, 0, 0, 123456000, time.UTC)
	for round, size := range []int{20 << 10, 100, 40 << 10, 1, 3 << 10} {
		var wg gosync.WaitGroup
		for i := range 30 {
			body := make([]byte, size)
			_, _ = rand.Read(body)
			e := &webhook.Event{WebhookID: fmt.Sprintf("r%d-%d", round, i), Source: "src", Topic: "orders/create",
				Shop: fmt.Sprintf("shop-%d", i%3), APIVersion: "2026-10", Body: body}
			if i%2 == 0 {
				e.TriggeredAt = trig.Add(time.Duration(i) * time.Millisecond)
			}
			want[e.WebhookID] = &webhook.Event{WebhookID: e.WebhookID, Shop: e.Shop, TriggeredAt: e.TriggeredAt,
				Body: append([]byte(nil), body...)}
			wg.Go(func() {
				stored, err := s.Put(ctx, e)
				assert.NoError(t, err)
				assert.True(t, stored)
				clear(e.Body) // the store promised to copy it (webhook.BodyCopier)
			})
		}
		wg.Wait()
		// The flusher answers the Puts before it stops and keeps its buffer.
		require.Eventually(t, func() bool {
			s.ingest.mu.Lock()
			defer s.ingest.mu.Unlock()
			return s.ingest.flushers == 0 && len(s.ingest.bufs) == 1
		}, 5*time.Second, time.Millisecond, "round %d: the flusher's buffer was not kept for the next", round)
	}

	rows, err := s.pool.Query(ctx, `SELECT webhook_id, shop, triggered_at, body FROM `+schema+`.wmsbridge_inbox`)
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, shop string
		var trig *time.Time
		var body []byte
		require.NoError(t, rows.Scan(&id, &shop, &trig, &body))
		w, ok := want[id]
		require.True(t, ok, "unexpected event %s", id)
		assert.Equal(t, w.Shop, shop, id)
		assert.Equal(t, w.Body, body, "%s: body", id)
		if w.TriggeredAt.IsZero() {
			assert.Nil(t, trig, id)
		} else if assert.NotNil(t, trig, id) {
			assert.True(t, w.TriggeredAt.Equal(*trig), "%s: triggered %v, want %v", id, *trig, w.TriggeredAt)
		}
		n++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, len(want), n)
}

// openIngestStore opens a store on a schema of its own, dropped after the
// test, or skips without a server.
func openIngestStore(t *testing.T, opts ...Option) (*Store, string) {
	t.Helper()
	dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set WMSBRIDGE_POSTGRES_DSN=postgres://USER@HOST:5432/DB?sslmode=disable to run them")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := fmt.Sprintf("wmsbridge_test_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:4]))
	s, err := Open(context.Background(), dsn, append([]Option{WithSchema(schema)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, _ = s.pool.Exec(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		s.Close()
	})
	return s, schema
}

// Stores of two schemas sharing one pool connection (New) each store
// their webhooks in their own schema: their prepared inserts do not clash.
func TestIngestStoresSharingAPool(t *testing.T) {
	_, schemaA := openIngestStore(t)
	_, schemaB := openIngestStore(t)
	cfg, err := pgxpool.ParseConfig(os.Getenv("WMSBRIDGE_POSTGRES_DSN"))
	require.NoError(t, err)
	cfg.MaxConns = 1
	ctx := context.Background()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	for round := range 2 {
		for _, schema := range []string{schemaA, schemaB} {
			s, err := New(ctx, pool, WithSchema(schema))
			require.NoError(t, err)
			id := fmt.Sprintf("%s-%d", schema, round)
			stored, err := s.Put(ctx, &webhook.Event{WebhookID: id, Topic: "orders/create", Body: []byte(`{}`)})
			require.NoError(t, err, schema)
			require.True(t, stored, schema)
		}
	}
	for _, schema := range []string{schemaA, schemaB} {
		var n int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.wmsbridge_inbox WHERE webhook_id LIKE $1`, schema+"-%").Scan(&n))
		assert.Equal(t, 2, n, schema)
	}
}
