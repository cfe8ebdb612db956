package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

var (
	_ wmssync.OutboxStore           = (*Store)(nil)
	_ wmssync.OutboxTxStore[pgx.Tx] = (*Store)(nil)
)

// dbtx is what AddOutbox needs of a pool or a transaction.
type dbtx interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

func (s *Store) addOutbox(ctx context.Context, db dbtx, msgs []wmssync.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	q := s.q(`INSERT INTO wmsbridge_outbox
		(shop, id, kind, entity, seq, time, data, key, plan, state, attempts, next_attempt, last_error, lease_until, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11, $12, NULL, $13)
		ON CONFLICT (shop, id) DO NOTHING`)
	b := &pgx.Batch{}
	// Positions come from a sequence when a row is inserted, but rows
	// become visible when their transaction commits: two publishers of one
	// entity could commit out of position order, and a claimer could then
	// deliver the later message before the earlier one exists. A
	// transaction-level advisory lock per (shop, entity), taken in sorted
	// order (no deadlocks), makes publishers of one entity commit in
	// position order.
	var locks []string
	for _, m := range msgs {
		if m.Entity != "" {
			locks = append(locks, s.schema+"\x1f"+m.Shop+"\x1f"+m.Entity)
		}
	}
	slices.Sort(locks)
	for _, k := range slices.Compact(locks) {
		b.Queue(`SELECT pg_advisory_xact_lock(hashtextextended('wmsbridge.outbox.' || $1, 0))`, k)
	}
	for _, m := range msgs {
		data := m.Data
		if data == nil {
			data = []byte{}
		}
		b.Queue(q, m.Shop, m.ID, string(m.Kind), m.Entity, m.Seq, ts(m.Time), data, m.Key, m.Plan, m.Attempts,
			ts(m.NextAttempt), m.LastError, ts(m.CreatedAt))
	}
	return db.SendBatch(ctx, b).Close()
}

// AddOutbox implements [wmssync.OutboxStore]: every message in one
// transaction (one round trip), duplicates skipped.
func (s *Store) AddOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	if len(msgs) == 0 {
		return ctx.Err()
	}
	return wrap("add outbox", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return s.addOutbox(ctx, tx, msgs)
	}))
}

// AddOutboxTx implements [wmssync.OutboxTxStore] for pgx.Tx: it adds msgs
// within the host's transaction, so they are stored if and only if the
// host's transaction commits. The transaction must be on the store's
// database (any connection: it need not come from [Store.Pool]).
func (s *Store) AddOutboxTx(ctx context.Context, tx pgx.Tx, msgs []wmssync.OutboxMessage) error {
	return wrap("add outbox", s.addOutbox(ctx, tx, msgs))
}

const outboxColumns = `o.shop, o.id, o.kind, o.entity, o.seq, o.time, o.data, o.key, o.plan, o.state, o.attempts,
	o.next_attempt, o.last_error, o.pos, o.lease_until, o.created_at`

func scanOutbox(row pgx.Row) (wmssync.OutboxMessage, error) {
	var (
		m                          wmssync.OutboxMessage
		kind, state                string
		tm, next, lease, createdAt pgtype.Timestamptz
		attempts                   int32
	)
	err := row.Scan(&m.Shop, &m.ID, &kind, &m.Entity, &m.Seq, &tm, &m.Data, &m.Key, &m.Plan, &state, &attempts,
		&next, &m.LastError, &m.Pos, &lease, &createdAt)
	m.Kind, m.State, m.Attempts = wms.EventKind(kind), wmssync.OutboxState(state), int(attempts)
	m.Time, m.NextAttempt, m.LeaseUntil, m.CreatedAt = fromTS(tm), fromTS(next), fromTS(lease), fromTS(createdAt)
	if len(m.Plan) == 0 {
		m.Plan = nil
	}
	return m, err
}

// ClaimOutbox implements [wmssync.OutboxStore] in one statement: the
// claimable messages of shop in Pos order, skipping those blocked by an
// earlier pending or dead message of the same entity, locked with FOR
// UPDATE SKIP LOCKED so that claimers in several processes take disjoint
// messages.
func (s *Store) ClaimOutbox(ctx context.Context, shop string, now time.Time, lease time.Duration, limit int) ([]wmssync.OutboxMessage, error) {
	var lim *int
	if limit > 0 {
		lim = &limit
	}
	rows, err := s.pool.Query(ctx, s.q(`WITH c AS (
			SELECT o.pos FROM wmsbridge_outbox o
			WHERE o.shop = $1 AND o.state = 'pending'
				AND coalesce(o.next_attempt, '-infinity') <= $2 AND coalesce(o.lease_until, '-infinity') <= $2
				AND (o.entity = '' OR NOT EXISTS (SELECT 1 FROM wmsbridge_outbox p
					WHERE p.shop = o.shop AND p.entity = o.entity AND p.pos < o.pos
						AND p.state IN ('pending', 'dead')))
			ORDER BY o.pos
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		)
		UPDATE wmsbridge_outbox o SET lease_until = $2::timestamptz + $3::bigint * interval '1 microsecond'
		FROM c WHERE o.pos = c.pos
		RETURNING `+outboxColumns), shop, now, lease.Microseconds(), lim)
	if err != nil {
		return nil, wrap("claim outbox", err)
	}
	defer rows.Close()
	var out []wmssync.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, wrap("claim outbox", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("claim outbox", err)
	}
	sortByPos(out)
	return out, nil
}

func sortByPos(ms []wmssync.OutboxMessage) {
	slices.SortFunc(ms, func(a, b wmssync.OutboxMessage) int { return cmp.Compare(a.Pos, b.Pos) })
}

// UpdateOutbox implements [wmssync.OutboxStore]: every message in one
// transaction (one round trip).
func (s *Store) UpdateOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	if err := ctx.Err(); err != nil || len(msgs) == 0 {
		return err
	}
	q := s.q(`UPDATE wmsbridge_outbox SET state = $1, attempts = $2, next_attempt = $3, last_error = $4, key = $5,
		plan = $6, lease_until = $7 WHERE shop = $8 AND id = $9`)
	return wrap("update outbox", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, m := range msgs {
			b.Queue(q, string(m.State), m.Attempts, ts(m.NextAttempt), m.LastError, m.Key, m.Plan, ts(m.LeaseUntil),
				m.Shop, m.ID)
		}
		return tx.SendBatch(ctx, b).Close()
	}))
}

// ListOutbox implements [wmssync.OutboxStore].
func (s *Store) ListOutbox(ctx context.Context, f wmssync.OutboxFilter) ([]wmssync.OutboxMessage, error) {
	var lim *int
	if f.Limit > 0 {
		lim = &f.Limit
	}
	rows, err := s.pool.Query(ctx, s.q(`SELECT `+outboxColumns+` FROM wmsbridge_outbox o
		WHERE ($1 = '' OR o.shop = $1) AND ($2 = '' OR o.state = $2) AND ($3 = '' OR o.id = $3)
		ORDER BY o.pos LIMIT $4`), f.Shop, string(f.State), f.ID, lim)
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
