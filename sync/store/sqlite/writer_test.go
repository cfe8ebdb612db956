package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	gosync "sync"
	"testing"

	"github.com/stretchr/testify/require"
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
