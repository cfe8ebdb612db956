package sqlite

import (
	"context"
	"database/sql"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.QueueInspector = (*Store)(nil)

// InboxDepth implements [wmssync.QueueInspector] with two reads: the
// pending events (a walk of the small index of unfinished events) and the
// failed ones (an index of failed events by shop).
func (s *Store) InboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	var (
		d      wmssync.QueueDepth
		oldest sql.NullInt64
	)
	if err := s.checkOpen(); err != nil {
		return d, err
	}
	err := s.r.QueryRowContext(ctx, `SELECT count(*), min(received_at) FROM wmsbridge_inbox
		WHERE state < 2 AND shop = ?`, shop).Scan(&d.Pending, &oldest)
	if err != nil {
		return d, wrap("inbox depth", err)
	}
	d.Oldest = fromMicro(oldest)
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_inbox WHERE state = 3 AND shop = ?`, shop).Scan(&d.Failed)
	return d, wrap("inbox depth", err)
}

// OutboxDepth implements [wmssync.QueueInspector] from the outbox's
// (shop, state, pos) index.
func (s *Store) OutboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	var (
		d      wmssync.QueueDepth
		oldest sql.NullInt64
	)
	if err := s.checkOpen(); err != nil {
		return d, err
	}
	err := s.r.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM wmsbridge_outbox WHERE shop = ? AND state = 'pending'),
			(SELECT created_at FROM wmsbridge_outbox WHERE shop = ? AND state = 'pending' ORDER BY pos LIMIT 1),
			(SELECT count(*) FROM wmsbridge_outbox WHERE shop = ? AND state = 'dead')`,
		shop, shop, shop).Scan(&d.Pending, &oldest, &d.Failed)
	d.Oldest = fromMicro(oldest)
	return d, wrap("outbox depth", err)
}
