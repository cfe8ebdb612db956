package sqlite

import (
	"context"
	"database/sql"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var (
	_ wmssync.InboxPruner  = (*Store)(nil)
	_ wmssync.OutboxPruner = (*Store)(nil)
)

// PruneInbox implements [wmssync.InboxPruner]: one write deleting up to
// limit completed events, earliest finished first, through the index of
// finished events. The freed pages are reused by later inserts, so the
// file stops growing once retention is in force (it does not shrink
// without a VACUUM).
func (s *Store) PruneInbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, ctx.Err()
	}
	// "state >= 2" lets SQLite use the partial index of finished events.
	return s.prune(ctx, "prune inbox", `DELETE FROM wmsbridge_inbox WHERE seq IN (SELECT seq FROM wmsbridge_inbox
		WHERE state >= 2 AND state = 2 AND finished_at < ? ORDER BY finished_at LIMIT ?)`, before.UnixMicro(), limit)
}

// PruneOutbox implements [wmssync.OutboxPruner]: one write deleting up to
// limit done messages created before before, in position order.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, ctx.Err()
	}
	return s.prune(ctx, "prune outbox", `DELETE FROM wmsbridge_outbox WHERE pos IN (SELECT pos FROM wmsbridge_outbox
		WHERE state = 'done' AND created_at < ? ORDER BY pos LIMIT ?)`, before.UnixMicro(), limit)
}

func (s *Store) prune(ctx context.Context, op, q string, args ...any) (int, error) {
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), wrap(op, err)
}
