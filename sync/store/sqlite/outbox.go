package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

var (
	_ wmssync.OutboxStore            = (*Store)(nil)
	_ wmssync.OutboxTxStore[*sql.Tx] = (*Store)(nil)
)

const insertOutbox = `INSERT INTO wmsbridge_outbox
	(shop, id, kind, entity, seq, time, data, key, plan, state, attempts, next_attempt, last_error, lease_until, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, NULL, ?)
	ON CONFLICT (shop, id) DO NOTHING`

func addOutbox(ctx context.Context, tx *sql.Tx, msgs []wmssync.OutboxMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, insertOutbox)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, m := range msgs {
		if _, err := stmt.ExecContext(ctx, m.Shop, m.ID, string(m.Kind), m.Entity, m.Seq, micro(m.Time), nonNil(m.Data),
			m.Key, m.Plan, m.Attempts, micro(m.NextAttempt), m.LastError, micro(m.CreatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// AddOutbox implements [wmssync.OutboxStore]: all messages in one
// transaction (group-committed with other writes), duplicates skipped.
func (s *Store) AddOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	return wrap("add outbox", s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return addOutbox(ctx, tx, msgs)
	}))
}

// AddOutboxTx implements [wmssync.OutboxTxStore] for *sql.Tx: it adds msgs
// within the host's transaction on the same database file, so they are
// stored if and only if the host's transaction commits. Begin that
// transaction on [Store.DB] (the store's write connection: the store's
// own writes wait until it ends, so keep it short) or on a *sql.DB of the
// host's own opened on the same file with _txlock=immediate.
func (s *Store) AddOutboxTx(ctx context.Context, tx *sql.Tx, msgs []wmssync.OutboxMessage) error {
	return wrap("add outbox", addOutbox(ctx, tx, msgs))
}

const outboxColumns = `shop, id, kind, entity, seq, time, data, key, plan, state, attempts, next_attempt,
	last_error, pos, lease_until, created_at`

func scanOutbox(sc interface{ Scan(...any) error }) (wmssync.OutboxMessage, error) {
	var (
		m                          wmssync.OutboxMessage
		kind, state                string
		tm, next, lease, createdAt sql.NullInt64
	)
	err := sc.Scan(&m.Shop, &m.ID, &kind, &m.Entity, &m.Seq, &tm, &m.Data, &m.Key, &m.Plan, &state, &m.Attempts,
		&next, &m.LastError, &m.Pos, &lease, &createdAt)
	m.Kind, m.State = wms.EventKind(kind), wmssync.OutboxState(state)
	m.Time, m.NextAttempt, m.LeaseUntil, m.CreatedAt = fromMicro(tm), fromMicro(next), fromMicro(lease), fromMicro(createdAt)
	if len(m.Plan) == 0 {
		m.Plan = nil
	}
	return m, err
}

// ClaimOutbox implements [wmssync.OutboxStore] in one write transaction:
// the claimable messages of shop in Pos order, skipping those blocked by an
// earlier pending or dead message of the same entity.
func (s *Store) ClaimOutbox(ctx context.Context, shop string, now time.Time, lease time.Duration, limit int) ([]wmssync.OutboxMessage, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var out []wmssync.OutboxMessage
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = nil
		n := now.UnixMicro()
		rows, err := tx.QueryContext(ctx, `SELECT `+outboxColumns+` FROM wmsbridge_outbox o
			WHERE o.shop = ? AND o.state = 'pending'
				AND coalesce(o.next_attempt, 0) <= ? AND coalesce(o.lease_until, 0) <= ?
				AND (o.entity = '' OR NOT EXISTS (SELECT 1 FROM wmsbridge_outbox p
					WHERE p.shop = o.shop AND p.entity = o.entity AND p.pos < o.pos
						AND p.state IN ('pending', 'dead')))
			ORDER BY o.pos LIMIT ?`, shop, n, n, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			m, err := scanOutbox(rows)
			if err != nil {
				rows.Close()
				return err
			}
			m.LeaseUntil = now.Add(lease)
			out = append(out, m)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil || len(out) == 0 {
			return err
		}
		args := []any{now.Add(lease).UnixMicro()}
		for _, m := range out {
			args = append(args, m.Pos)
		}
		_, err = tx.ExecContext(ctx, `UPDATE wmsbridge_outbox SET lease_until = ? WHERE pos IN (?`+
			strings.Repeat(",?", len(out)-1)+`)`, args...)
		return err
	})
	if err != nil {
		return nil, wrap("claim outbox", err)
	}
	return out, nil
}

// UpdateOutbox implements [wmssync.OutboxStore]: every message in one
// transaction.
func (s *Store) UpdateOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	if len(msgs) == 0 {
		return ctx.Err()
	}
	return wrap("update outbox", s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `UPDATE wmsbridge_outbox SET state = ?, attempts = ?, next_attempt = ?,
			last_error = ?, key = ?, plan = ?, lease_until = ? WHERE shop = ? AND id = ?`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, m := range msgs {
			if _, err := stmt.ExecContext(ctx, string(m.State), m.Attempts, micro(m.NextAttempt), m.LastError, m.Key,
				m.Plan, micro(m.LeaseUntil), m.Shop, m.ID); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ListOutbox implements [wmssync.OutboxStore].
func (s *Store) ListOutbox(ctx context.Context, f wmssync.OutboxFilter) ([]wmssync.OutboxMessage, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	q := `SELECT ` + outboxColumns + ` FROM wmsbridge_outbox WHERE 1 = 1`
	var args []any
	if f.Shop != "" {
		q += ` AND shop = ?`
		args = append(args, f.Shop)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, string(f.State))
	}
	if f.ID != "" {
		q += ` AND id = ?`
		args = append(args, f.ID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q += ` ORDER BY pos LIMIT ?`
	args = append(args, limit)
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, wrap("list outbox", err)
	}
	defer rows.Close()
	out := []wmssync.OutboxMessage{}
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, wrap("list outbox", err)
		}
		out = append(out, m)
	}
	return out, wrap("list outbox", rows.Err())
}
