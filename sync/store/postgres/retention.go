package postgres

import (
	"context"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var (
	_ wmssync.InboxPruner  = (*Store)(nil)
	_ wmssync.OutboxPruner = (*Store)(nil)
)

// PruneInbox implements [wmssync.InboxPruner]: one statement deleting up
// to limit completed events, earliest finished first, through the index
// of finished events; rows another transaction holds are skipped (SKIP
// LOCKED), so pruning never waits for the hot path. Autovacuum makes the
// space reusable.
func (s *Store) PruneInbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, ctx.Err()
	}
	tag, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_inbox WHERE seq IN (SELECT seq FROM wmsbridge_inbox
		WHERE state >= 2 AND state = 2 AND finished_at < $1 ORDER BY finished_at LIMIT $2 FOR UPDATE SKIP LOCKED)`), before, limit)
	if err != nil {
		return 0, wrap("prune inbox", err)
	}
	return int(tag.RowsAffected()), nil
}

// PruneOutbox implements [wmssync.OutboxPruner]: one statement deleting up
// to limit done messages created before before, in position order,
// skipping locked rows.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, ctx.Err()
	}
	tag, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_outbox WHERE pos IN (SELECT pos FROM wmsbridge_outbox
		WHERE state = 'done' AND created_at < $1 ORDER BY pos LIMIT $2 FOR UPDATE SKIP LOCKED)`), before, limit)
	if err != nil {
		return 0, wrap("prune outbox", err)
	}
	return int(tag.RowsAffected()), nil
}
