package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

var _ wmssync.FailureStore = (*Store)(nil)

// FailedEvents implements [wmssync.FailureStore] through the index of
// failed events by shop.
func (s *Store) FailedEvents(ctx context.Context, shop string, limit int) ([]webhook.Job, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT ` + jobColumns + ` FROM wmsbridge_inbox WHERE state = 3 ORDER BY seq LIMIT ?`
	args := []any{limit}
	if shop != "" {
		q = `SELECT ` + jobColumns + ` FROM wmsbridge_inbox WHERE state = 3 AND shop = ? ORDER BY seq LIMIT ?`
		args = []any{shop, limit}
	}
	rows, err := s.r.QueryContext(ctx, q, args...)
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
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	var q string
	switch class {
	case wmssync.FailureInbound:
		q = `SELECT count(*) FROM wmsbridge_inbox WHERE state = 3 AND (? = '' OR shop = ?)`
	case wmssync.FailureOutbound:
		q = `SELECT count(*) FROM wmsbridge_outbox WHERE state = 'dead' AND (? = '' OR shop = ?)`
	default:
		return 0, fmt.Errorf("sqlite store: unknown failure class %q", class)
	}
	var n int
	err := s.r.QueryRowContext(ctx, q, shop, shop).Scan(&n)
	return n, wrap("count failures", err)
}

// ReplayEvent implements [wmssync.FailureStore]: the failed event becomes
// pending again, due now, with its attempt count kept.
func (s *Store) ReplayEvent(ctx context.Context, webhookID string) error {
	return s.settleFailed(ctx, "replay", webhookID, `UPDATE wmsbridge_inbox SET state = 0, due = ?, finished_at = NULL
			WHERE webhook_id = ? AND state = 3`, s.now().UnixMicro(), webhookID)
}

// DiscardEvent implements [wmssync.FailureStore]: the failed event becomes
// completed, with LastError "discarded: " and the reason, and retention
// prunes it like any completed event.
func (s *Store) DiscardEvent(ctx context.Context, webhookID, reason string) error {
	return s.settleFailed(ctx, "discard", webhookID, `UPDATE wmsbridge_inbox SET state = 2, finished_at = ?, last_error = ?
			WHERE webhook_id = ? AND state = 3`, s.now().UnixMicro(), wmssync.DiscardPrefix+reason, webhookID)
}

// settleFailed runs update on the failed event webhookID; an event that is
// not failed (or not there) is webhook.ErrUnknownJob.
func (s *Store) settleFailed(ctx context.Context, op, webhookID, update string, args ...any) error {
	var n int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("%w: no failed event %q", webhook.ErrUnknownJob, webhookID)
	}
	return wrap(op, err)
}
