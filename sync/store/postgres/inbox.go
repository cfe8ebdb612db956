package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/eventmeta"
	"github.com/wmsbridge/wmsbridge/webhook"

	"github.com/wmsbridge/wmsbridge/internal/fairclaim"
)

// Inbox states in wmsbridge_inbox.state.
const (
	statePending   = 0
	stateClaimed   = 1
	stateCompleted = 2
	stateFailed    = 3
)

const jobColumns = `i.seq, i.webhook_id, i.source, i.topic, i.shop, i.api_version, i.event_id, i.triggered_at,
	i.meta, i.received_at, i.body, i.attempt, i.last_error`

type jobRow struct {
	seq    int64
	oldDue time.Time
	job    webhook.Job
}

func scanJob(row pgx.Row, extra ...any) (jobRow, error) {
	var (
		r                  jobRow
		e                  webhook.Event
		topic, meta        string
		triggered, receive pgtype.Timestamptz
		attempt            int32
	)
	dest := append([]any{&r.seq, &e.WebhookID, &e.Source, &topic, &e.Shop, &e.APIVersion, &e.EventID, &triggered,
		&meta, &receive, &e.Body, &attempt, &r.job.LastError}, extra...)
	err := row.Scan(dest...)
	if err != nil {
		return r, err
	}
	if e.Meta, err = eventmeta.Decode(meta); err != nil {
		return r, err
	}
	e.Topic = webhook.Topic(topic)
	e.TriggeredAt = fromTS(triggered)
	e.ReceivedAt = fromTS(receive)
	r.job.Attempt = int(attempt)
	r.job.Event = &e
	return r, nil
}

// Claim implements [webhook.Queue]: it picks up to limit
// due events round-robin over shops (every shop's oldest due event, then
// every shop's second, ...; so one shop's burst does not hold the others
// back), locks them with FOR UPDATE SKIP LOCKED (so concurrent claimers, in
// any process, take disjoint events without waiting for each other; a
// claimer may get fewer than limit while another holds some of its picks)
// and leases them until now+lease. Events come back oldest due first.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []webhook.Job{}, nil
	}
	now := s.now()
	seqs, err := s.fairSeqs(ctx, now, limit)
	if err != nil {
		return nil, wrap("claim", err)
	}
	if len(seqs) == 0 {
		return []webhook.Job{}, nil
	}
	// The candidates are four times the limit, in claim order, so that
	// concurrent claimers, which read the same first candidates, skip to
	// the next.
	rows, err := s.pool.Query(ctx, s.q(`WITH c AS (
			SELECT seq, due FROM wmsbridge_inbox
			WHERE seq = ANY($4) AND state < 2 AND due <= `+nowSQL+`
			ORDER BY array_position($4, seq)
			LIMIT $2
			FOR UPDATE SKIP LOCKED
		)
		UPDATE wmsbridge_inbox i
		SET state = 1, attempt = i.attempt + 1, due = `+nowSQL+` + $3::bigint * interval '1 microsecond'
		FROM c WHERE i.seq = c.seq
		RETURNING `+jobColumns+`, c.due`), now, limit, lease.Microseconds(), seqs)
	if err != nil {
		return nil, wrap("claim", err)
	}
	defer rows.Close()
	var got []jobRow
	for rows.Next() {
		var due time.Time
		r, err := scanJob(rows, &due)
		if err != nil {
			return nil, wrap("claim", err)
		}
		r.oldDue = due
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("claim", err)
	}
	slices.SortFunc(got, func(a, b jobRow) int {
		if c := a.oldDue.Compare(b.oldDue); c != 0 {
			return c
		}
		return cmp.Compare(a.seq, b.seq)
	})
	jobs := make([]webhook.Job, len(got))
	for i, r := range got {
		jobs[i] = r.job
	}
	return jobs, nil
}

// shopsWithDue lists, with one index seek per shop, the shops with pending
// or claimed events (wmsbridge_inbox_fair).
const shopsWithDue = `WITH RECURSIVE shops(s) AS (
		SELECT (SELECT shop FROM wmsbridge_inbox WHERE state < 2 ORDER BY shop LIMIT 1)
		UNION ALL
		SELECT (SELECT shop FROM wmsbridge_inbox WHERE state < 2 AND shop > s ORDER BY shop LIMIT 1)
		FROM shops WHERE s IS NOT NULL)`

// fairSeqs returns the positions of up to four times limit due events,
// round-robin over shops (internal/fairclaim), read without locks.
func (s *Store) fairSeqs(ctx context.Context, now any, limit int) ([]int64, error) {
	var shops int64
	if err := s.pool.QueryRow(ctx, s.q(shopsWithDue+` SELECT count(*) FROM shops WHERE s IS NOT NULL`)).Scan(&shops); err != nil {
		return nil, err
	}
	return fairclaim.Pick(4*limit, int(shops), func(per int) ([]fairclaim.Candidate, error) {
		rows, err := s.pool.Query(ctx, s.q(shopsWithDue+` SELECT c.seq, shops.s, c.due_us FROM shops CROSS JOIN LATERAL (
				SELECT seq, (extract(epoch FROM due) * 1000000)::bigint AS due_us FROM wmsbridge_inbox
				WHERE shop = shops.s AND state < 2 AND due <= `+nowSQL+` ORDER BY due, seq LIMIT $2) c
			WHERE shops.s IS NOT NULL`), now, per)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []fairclaim.Candidate
		for rows.Next() {
			var c fairclaim.Candidate
			if err := rows.Scan(&c.Seq, &c.Shop, &c.Due); err != nil {
				return nil, err
			}
			out = append(out, c)
		}
		return out, rows.Err()
	})
}

// Complete implements [webhook.Queue].
func (s *Store) Complete(ctx context.Context, webhookID string) error {
	return s.finish(ctx, "complete", webhookID,
		`UPDATE wmsbridge_inbox SET state = 2, finished_at = `+nowSQL+` WHERE webhook_id = $2 AND state < 2`,
		s.now(), webhookID)
}

// Fail implements [webhook.Queue]: the event is parked for good with
// reason; see [Store.FailedEvents] and [Store.ReplayEvent].
func (s *Store) Fail(ctx context.Context, webhookID, reason string) error {
	return s.finish(ctx, "fail", webhookID,
		`UPDATE wmsbridge_inbox SET state = 3, finished_at = `+nowSQL+`, last_error = $3 WHERE webhook_id = $2 AND state < 2`,
		s.now(), webhookID, reason)
}

// Retry implements [webhook.Queue]. Retrying a finished event changes
// nothing.
func (s *Store) Retry(ctx context.Context, webhookID string, at time.Time, reason string) error {
	return s.finish(ctx, "retry", webhookID,
		`UPDATE wmsbridge_inbox SET state = 0, due = $1, last_error = $3 WHERE webhook_id = $2 AND state < 2`,
		at, webhookID, reason)
}

func (s *Store) finish(ctx context.Context, op, webhookID, query string, args ...any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, s.q(query), args...)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() > 0 {
		return nil
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, s.q(`SELECT EXISTS (SELECT 1 FROM wmsbridge_inbox WHERE webhook_id = $1)`), webhookID).Scan(&exists); err != nil {
		return wrap(op, err)
	}
	if !exists {
		return fmt.Errorf("postgres store: %s: %w: %q", op, webhook.ErrUnknownJob, webhookID)
	}
	return nil
}

var errNoRows = pgx.ErrNoRows

func isNoRows(err error) bool { return errors.Is(err, errNoRows) }
