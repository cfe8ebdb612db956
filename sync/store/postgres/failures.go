package postgres

import (
	"context"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

var _ wmssync.InboxFailures = (*Store)(nil)

// FailedEvents implements [wmssync.InboxFailures] through the index of
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

// ReplayEvent implements [wmssync.InboxFailures]; it is [Store.Replay].
func (s *Store) ReplayEvent(ctx context.Context, webhookID string) error {
	return s.Replay(ctx, webhookID)
}

// DiscardEvent implements [wmssync.InboxFailures]: the failed event becomes
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
