package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// A failing write in a group-committed batch is rolled back to its
// savepoint; the other writes of the batch commit.
func TestGroupCommitIsolatesFailingWrites(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	require.NoError(t, err)
	defer s.Close()

	boom := errors.New("boom")
	const n = 200
	var wg gosync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `INSERT INTO wmsbridge_watermarks (shop, name, at) VALUES (?, 'x', 1)`,
					fmt.Sprint(i)); err != nil {
					return err
				}
				if i%3 == 0 {
					return boom // after writing: the savepoint must undo the insert
				}
				return nil
			})
		}()
	}
	wg.Wait()
	want := 0
	for i, err := range errs {
		if i%3 == 0 {
			require.ErrorIs(t, err, boom)
		} else {
			require.NoError(t, err)
			want++
		}
	}
	var got int
	require.NoError(t, s.r.QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_watermarks`).Scan(&got))
	require.Equal(t, want, got)
	var bad int
	require.NoError(t, s.r.QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_watermarks WHERE CAST(shop AS INTEGER) % 3 = 0`).Scan(&bad))
	require.Zero(t, bad, "failed writes left rows behind")

	// A write whose context is cancelled before the writer takes it does
	// not run.
	c, cancel := context.WithCancel(ctx)
	cancel()
	ran := false
	err = s.write(c, func(context.Context, *sql.Tx) error { ran = true; return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, ran)
}

// A single-statement write (writeSingle) runs without a savepoint, so one
// that fails takes its whole batch with it: nothing of the batch is
// committed and every write in it returns an error. A batch without a
// failure commits single and isolated writes alike.
func TestGroupCommitSingleWriteFailureAbortsBatch(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	require.NoError(t, err)
	defer s.Close()

	insert := func(shop string) func(context.Context, *sql.Tx) error {
		return func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO wmsbridge_watermarks (shop, name, at) VALUES (?, 'x', 1)`, shop)
			return err
		}
	}
	req := func(fn func(context.Context, *sql.Tx) error, single bool) *writeReq {
		return &writeReq{ctx: ctx, fn: fn, single: single, done: make(chan error, 1)}
	}
	count := func() int {
		var n int
		require.NoError(t, s.r.QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_watermarks`).Scan(&n))
		return n
	}

	// The writer goroutine is idle: commit runs the batches directly.
	boom := errors.New("boom")
	failing := func(ctx context.Context, tx *sql.Tx) error {
		if err := insert("c")(ctx, tx); err != nil {
			return err
		}
		return boom // after writing: only the batch's rollback undoes it
	}
	batch := []*writeReq{req(insert("a"), false), req(insert("b"), true), req(failing, true),
		req(insert("d"), false), req(insert("e"), true)}
	s.commit(batch)
	for i, r := range batch {
		err := <-r.done
		if i == 2 {
			require.ErrorIs(t, err, boom)
			continue
		}
		require.ErrorIs(t, err, errBatchAborted, "write %d", i)
	}
	require.Zero(t, count(), "a batch with a failed single write committed rows")

	batch = []*writeReq{req(insert("f"), true), req(insert("g"), false), req(insert("h"), true)}
	s.commit(batch)
	for _, r := range batch {
		require.NoError(t, <-r.done)
	}
	require.Equal(t, 3, count())
}

// New files get 16 KiB pages; a file created with SQLite's default 4 KiB
// keeps them and works as before.
func TestPageSize(t *testing.T) {
	ctx := context.Background()
	pageSizeOf := func(s *Store) int {
		var n int
		require.NoError(t, s.r.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&n))
		return n
	}
	s, err := Open(ctx, filepath.Join(t.TempDir(), "new.db"))
	require.NoError(t, err)
	require.Equal(t, pageSize, pageSizeOf(s))
	require.NoError(t, s.Close())

	old := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", old+"?_journal_mode=WAL")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE host_table (x INTEGER)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	s, err = Open(ctx, old)
	require.NoError(t, err)
	defer s.Close()
	require.Equal(t, 4096, pageSizeOf(s))
	e := &webhook.Event{Topic: "orders/create", WebhookID: "w1", Body: bytes.Repeat([]byte("x"), 20000)}
	stored, err := s.Put(ctx, e)
	require.NoError(t, err)
	require.True(t, stored)
	jobs, err := s.Claim(ctx, 1, time.Minute)
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	require.Equal(t, e.Body, jobs[0].Event.Body)
}
