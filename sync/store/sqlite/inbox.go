package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

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

const insertEvent = `INSERT INTO wmsbridge_inbox
	(webhook_id, source, topic, shop, api_version, event_id, triggered_at, meta, received_at, body, due)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (webhook_id) DO NOTHING`

// Put implements [webhook.Inbox]. Concurrent Puts are committed together:
// a Put waits for the transaction in progress, then the Puts (and other
// writes) that queued meanwhile share the next one, so one disk flush
// serves many webhooks. When Put returns stored=true the event is on disk.
// Put keeps no reference to e or e.Body once it has returned.
// A Put whose context ends before its transaction starts returns the
// context's error and stores nothing; once its transaction started, Put
// waits for it.
func (s *Store) Put(ctx context.Context, e *webhook.Event) (bool, error) {
	if e == nil || e.WebhookID == "" {
		return false, fmt.Errorf("%w: event without webhook id", webhook.ErrMissingHeader)
	}
	var stored bool
	// One INSERT ... ON CONFLICT DO NOTHING: it fails only if the
	// database does, so it needs no savepoint of its own.
	err := s.writeSingle(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.insertEvent).ExecContext(ctx, e.WebhookID, e.Source, string(e.Topic), e.Shop,
			e.APIVersion, e.EventID, micro(e.TriggeredAt), eventmeta.Encode(e.Meta), micro(e.ReceivedAt), nonNil(e.Body),
			s.now().UnixMicro())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		stored = n == 1
		return err
	})
	if err != nil {
		return false, wrap("put", err)
	}
	return stored, nil
}

// CopiesBody implements [webhook.BodyCopier]: it reports true, as Put
// copies the event into the database and keeps no reference to it once it
// returns (a Put whose context ends first never reaches the writer).
func (s *Store) CopiesBody() bool { return true }

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

const jobColumns = `seq, webhook_id, source, topic, shop, api_version, event_id, triggered_at, meta, received_at, body, attempt, last_error`

type jobRow struct {
	seq int64
	job webhook.Job
}

func scanJob(sc interface{ Scan(...any) error }) (jobRow, error) {
	var (
		r                  jobRow
		e                  webhook.Event
		topic, meta        string
		triggered, receive sql.NullInt64
	)
	err := sc.Scan(&r.seq, &e.WebhookID, &e.Source, &topic, &e.Shop, &e.APIVersion, &e.EventID, &triggered,
		&meta, &receive, &e.Body, &r.job.Attempt, &r.job.LastError)
	if err != nil {
		return r, err
	}
	if e.Meta, err = eventmeta.Decode(meta); err != nil {
		return r, err
	}
	e.Topic = webhook.Topic(topic)
	e.TriggeredAt = fromMicro(triggered)
	e.ReceivedAt = fromMicro(receive)
	r.job.Event = &e
	return r, nil
}

// Claim implements [webhook.Queue]: it leases up to limit due events in
// one write transaction (shared with concurrent writes), taken
// round-robin over shops (every shop's oldest due event, then every
// shop's second, ...), so that one shop's burst does not hold the others
// back; they are returned oldest due first.
func (s *Store) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	if limit <= 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return []webhook.Job{}, nil
	}
	var jobs []webhook.Job
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		jobs = make([]webhook.Job, 0, limit)
		now := s.now()
		seqs, err := fairSeqs(ctx, tx, now.UnixMicro(), limit)
		if err != nil || len(seqs) == 0 {
			return err
		}
		in := make([]any, len(seqs))
		for i, q := range seqs {
			in[i] = q
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+jobColumns+` FROM wmsbridge_inbox WHERE seq IN (?`+
			strings.Repeat(",?", len(seqs)-1)+`) ORDER BY due, seq`, in...)
		if err != nil {
			return err
		}
		var got []jobRow
		for rows.Next() {
			r, err := scanJob(rows)
			if err != nil {
				rows.Close()
				return err
			}
			got = append(got, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil || len(got) == 0 {
			return err
		}
		args := make([]any, 0, len(got)+1)
		args = append(args, now.Add(lease).UnixMicro())
		for _, r := range got {
			args = append(args, r.seq)
		}
		q := `UPDATE wmsbridge_inbox SET state = 1, attempt = attempt + 1, due = ? WHERE seq IN (?` +
			strings.Repeat(",?", len(got)-1) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		for _, r := range got {
			r.job.Attempt++
			jobs = append(jobs, r.job)
		}
		return nil
	})
	if err != nil {
		return nil, wrap("claim", err)
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

// fairSeqs returns the positions of up to limit due events, round-robin
// over shops (internal/fairclaim).
func fairSeqs(ctx context.Context, tx *sql.Tx, now int64, limit int) ([]int64, error) {
	var shops int
	if err := tx.QueryRowContext(ctx, shopsWithDue+` SELECT count(*) FROM shops WHERE s IS NOT NULL`).Scan(&shops); err != nil {
		return nil, err
	}
	return fairclaim.Pick(limit, shops, func(per int) ([]fairclaim.Candidate, error) {
		rows, err := tx.QueryContext(ctx, shopsWithDue+` SELECT i.seq, i.shop, i.due FROM shops
			JOIN wmsbridge_inbox i ON i.seq IN (SELECT seq FROM wmsbridge_inbox
				WHERE shop = shops.s AND state < 2 AND due <= ? ORDER BY due, seq LIMIT ?)
			WHERE shops.s IS NOT NULL`, now, per)
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
		`UPDATE wmsbridge_inbox SET state = 2, finished_at = ? WHERE webhook_id = ? AND state < 2`,
		s.now().UnixMicro(), webhookID)
}

// Fail implements [webhook.Queue]: the event is parked for good with
// reason; see [Store.FailedEvents] and [Store.ReplayEvent].
func (s *Store) Fail(ctx context.Context, webhookID, reason string) error {
	return s.finish(ctx, "fail", webhookID,
		`UPDATE wmsbridge_inbox SET state = 3, finished_at = ?, last_error = ? WHERE webhook_id = ? AND state < 2`,
		s.now().UnixMicro(), reason, webhookID)
}

// Retry implements [webhook.Queue]. Retrying a finished event changes
// nothing.
func (s *Store) Retry(ctx context.Context, webhookID string, at time.Time, reason string) error {
	return s.finish(ctx, "retry", webhookID,
		`UPDATE wmsbridge_inbox SET state = 0, due = ?, last_error = ? WHERE webhook_id = ? AND state < 2`,
		at.UnixMicro(), reason, webhookID)
}

// finish runs an update of one event and reports ErrUnknownJob when no row
// holds webhookID.
func (s *Store) finish(ctx context.Context, op, webhookID, q string, args ...any) error {
	unknown := false
	st, err := s.stmt(ctx, s.w, q)
	if err != nil {
		return wrap(op, err)
	}
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, st).ExecContext(ctx, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM wmsbridge_inbox WHERE webhook_id = ?`, webhookID).Scan(&one)
		if err == sql.ErrNoRows {
			unknown = true
			return nil
		}
		return err
	})
	if unknown {
		return fmt.Errorf("sqlite store: %s: %w: %q", op, webhook.ErrUnknownJob, webhookID)
	}
	return wrap(op, err)
}
