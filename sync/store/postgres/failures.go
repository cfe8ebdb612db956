package postgres

import (
	"context"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

var _ wmssync.FailureStore = (*Store)(nil)

// FailedEvents implements [wmssync.FailureStore] through the index of
// failed events by shop.
func (s *Store) FailedEvents(ctx context.Context, shop string, limit int) ([]webhook.Job, error) {
	var lim any // NULL: no limit
	if limit > 0 {
		lim = limit
	}
	rows, err := s.pool.Query(ctx, s.q(`SELECT `+jobColumns+` FROM wmsbridge_inbox i
		WHERE state = 3 AND ($1 = '' OR shop = $1) ORDER BY seq LIMIT $2`), shop, lim)
	if err != nil {
		return nil, wrap("failed events", err)
	}
	defer rows.Close()
	out := []webhook.Job{}
	for rows.Next() {
		r, err := scanJob(rows)
		if err != nil {
			return nil, wrap("failed events", err)
		}
		out = append(out, r.job)
	}
	return out, wrap("failed events", rows.Err())
}

// CountFailed implements [wmssync.FailureStore] with counting queries
// (inbound through the index of failed events by shop).
func (s *Store) CountFailed(ctx context.Context, class wmssync.FailureClass, shop string) (int, error) {
	var q string
	switch class {
	case wmssync.FailureInbound:
		q = `SELECT count(*) FROM wmsbridge_inbox WHERE state = 3 AND ($1 = '' OR shop = $1)`
	case wmssync.FailureOutbound:
		q = `SELECT count(*) FROM wmsbridge_outbox WHERE state = 'dead' AND ($1 = '' OR shop = $1)`
	default:
		return 0, fmt.Errorf("postgres store: unknown failure class %q", class)
	}
	var n int64
	if err := s.pool.QueryRow(ctx, s.q(q), shop).Scan(&n); err != nil {
		return 0, wrap("count failures", err)
	}
	return int(n), nil
}

// ReplayEvent implements [wmssync.FailureStore]: the failed event becomes
// pending again, due now, with its attempt count kept.
func (s *Store) ReplayEvent(ctx context.Context, webhookID string) error {
	tag, err := s.pool.Exec(ctx, s.q(`UPDATE wmsbridge_inbox SET state = 0, due = `+nowSQL+`, finished_at = NULL
		WHERE webhook_id = $2 AND state = 3`), s.now(), webhookID)
	if err != nil {
		return wrap("replay", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("replay", fmt.Errorf("%w: no failed event %q", webhook.ErrUnknownJob, webhookID))
	}
	return nil
}

// DiscardEvent implements [wmssync.FailureStore]: the failed event becomes
// completed, with LastError "discarded: " and the reason, and retention
// prunes it like any completed event.
func (s *Store) DiscardEvent(ctx context.Context, webhookID, reason string) error {
	tag, err := s.pool.Exec(ctx, s.q(`UPDATE wmsbridge_inbox SET state = 2, finished_at = `+nowSQL+`, last_error = $3
		WHERE webhook_id = $2 AND state = 3`), s.now(), webhookID, wmssync.DiscardPrefix+reason)
	if err != nil {
		return wrap("discard", err)
	}
	if tag.RowsAffected() == 0 {
		return wrap("discard", fmt.Errorf("%w: no failed event %q", webhook.ErrUnknownJob, webhookID))
	}
	return nil
}
