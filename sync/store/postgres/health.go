package postgres

import (
	"context"

	"github.com/jackc/pgx/v5/pgtype"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.QueueInspector = (*Store)(nil)

// InboxDepth implements [wmssync.QueueInspector] in one statement: the
// pending events through the index of unfinished events, the failed ones
// through the index of failed events by shop.
func (s *Store) InboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	var (
		d               wmssync.QueueDepth
		pending, failed int64
		oldest          pgtype.Timestamptz
	)
	err := s.pool.QueryRow(ctx, s.q(`SELECT
			(SELECT count(*) FROM wmsbridge_inbox WHERE state < 2 AND shop = $1),
			(SELECT min(received_at) FROM wmsbridge_inbox WHERE state < 2 AND shop = $1),
			(SELECT count(*) FROM wmsbridge_inbox WHERE state = 3 AND shop = $1)`), shop).Scan(&pending, &oldest, &failed)
	if err != nil {
		return d, wrap("inbox depth", err)
	}
	d.Pending, d.Failed, d.Oldest = int(pending), int(failed), fromTS(oldest)
	return d, nil
}

// OutboxDepth implements [wmssync.QueueInspector] from the outbox's
// (shop, state, pos) index.
func (s *Store) OutboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	var (
		d             wmssync.QueueDepth
		pending, dead int64
		oldest        pgtype.Timestamptz
	)
	err := s.pool.QueryRow(ctx, s.q(`SELECT
			(SELECT count(*) FROM wmsbridge_outbox WHERE shop = $1 AND state = 'pending'),
			(SELECT created_at FROM wmsbridge_outbox WHERE shop = $1 AND state = 'pending' ORDER BY pos LIMIT 1),
			(SELECT count(*) FROM wmsbridge_outbox WHERE shop = $1 AND state = 'dead')`), shop).Scan(&pending, &oldest, &dead)
	if err != nil {
		return d, wrap("outbox depth", err)
	}
	d.Pending, d.Failed, d.Oldest = int(pending), int(dead), fromTS(oldest)
	return d, nil
}
