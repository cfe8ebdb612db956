package postgres

import (
	"context"
	"fmt"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/eventmeta"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// putReq is one Put waiting for a group commit.
type putReq struct {
	ctx   context.Context
	e     *webhook.Event
	taken bool // under ingest.mu: a flusher took it; Put must wait for res
	res   chan putRes
}

type putRes struct {
	stored bool
	err    error
}

// ingest batches concurrent Puts: a Put queues its event and, if fewer
// than maxFlushers flushers run, starts one; a flusher inserts everything
// queued (up to maxBatch rows) in one statement, and goes on while events
// are queued. No goroutine outlives the Puts that need it.
type ingest struct {
	maxBatch, maxFlushers int

	mu       gosync.Mutex
	pending  []*putReq
	flushers int
	bufs     [][]byte // encoding buffers of flushers that stopped, kept for the next
}

// maxKeptBuffer bounds an encoding buffer kept between batches (a batch of
// 256 bodies of 16 KB fits).
const maxKeptBuffer = 4 << 20

// flushTimeout bounds one batch insert; a Put waits at most this long once
// its batch started.
const flushTimeout = 30 * time.Second

// Put implements [webhook.Inbox]. Concurrent Puts are committed together:
// up to 4 batches are in flight at a time (4 connections of the pool), and
// Puts arriving meanwhile queue for the next batch, inserted with one
// multi-row INSERT ... ON CONFLICT DO NOTHING: one round trip and one
// commit for many webhooks. When Put returns stored=true the event is
// committed. A Put whose context ends before its batch starts returns the
// context's error and stores nothing; once its batch started, Put waits
// for it (at most 30s).
func (s *Store) Put(ctx context.Context, e *webhook.Event) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if e == nil || e.WebhookID == "" {
		return false, fmt.Errorf("%w: event without webhook id", webhook.ErrMissingHeader)
	}
	req := &putReq{ctx: ctx, e: e, res: make(chan putRes, 1)}
	in := &s.ingest
	in.mu.Lock()
	in.pending = append(in.pending, req)
	if in.flushers < in.maxFlushers {
		in.flushers++
		go s.flushLoop()
	}
	in.mu.Unlock()
	select {
	case r := <-req.res:
		return r.stored, r.err
	case <-ctx.Done():
	}
	in.mu.Lock()
	if !req.taken {
		for i, p := range in.pending {
			if p == req {
				in.pending = append(in.pending[:i], in.pending[i+1:]...)
				break
			}
		}
		in.mu.Unlock()
		return false, ctx.Err()
	}
	in.mu.Unlock()
	r := <-req.res
	return r.stored, r.err
}

func (s *Store) flushLoop() {
	in := &s.ingest
	var buf []byte
	in.mu.Lock()
	if n := len(in.bufs); n > 0 {
		buf, in.bufs = in.bufs[n-1], in.bufs[:n-1]
	}
	in.mu.Unlock()
	for {
		in.mu.Lock()
		n := min(len(in.pending), in.maxBatch)
		if n == 0 {
			in.flushers--
			if cap(buf) > 0 && cap(buf) <= maxKeptBuffer {
				in.bufs = append(in.bufs, buf[:0])
			}
			in.mu.Unlock()
			return
		}
		batch := make([]*putReq, n)
		copy(batch, in.pending)
		in.pending = append(in.pending[:0], in.pending[n:]...)
		for _, r := range batch {
			r.taken = true
		}
		in.mu.Unlock()
		buf = s.flush(batch, buf[:0])
	}
}

// flush inserts a batch with one statement and answers its Puts. It
// returns buf, the flusher's encoding buffer, for the next batch.
func (s *Store) flush(batch []*putReq, buf []byte) []byte {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.res <- putRes{err: err}
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return buf
	}
	n := len(live)
	var (
		ids, sources, topics, shops, versions, eventIDs, metas = make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		triggered, received = make([]pgtype.Timestamptz, n), make([]pgtype.Timestamptz, n)
		bodies              = make([][]byte, n)
	)
	for i, r := range live {
		e := r.e
		ids[i], sources[i], topics[i], shops[i], versions[i] = e.WebhookID, e.Source, string(e.Topic), e.Shop, e.APIVersion
		eventIDs[i], metas[i] = e.EventID, eventmeta.Encode(e.Meta)
		triggered[i] = pgtype.Timestamptz{Time: e.TriggeredAt, Valid: !e.TriggeredAt.IsZero()}
		received[i] = pgtype.Timestamptz{Time: e.ReceivedAt, Valid: !e.ReceivedAt.IsZero()}
		bodies[i] = e.Body
		if bodies[i] == nil {
			bodies[i] = []byte{}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
	defer cancel()
	stored, buf, err := s.insertInbox(ctx, buf, []any{s.now(), ids, sources, topics, shops, versions, eventIDs,
		triggered, metas, received, bodies})
	for _, r := range live {
		if err != nil {
			r.res <- putRes{err: wrap("put", err)}
			continue
		}
		// Of several Puts of one id in the batch, the first stored it.
		// Nothing reads r.e once r.res is answered (see CopiesBody).
		id := r.e.WebhookID
		r.res <- putRes{stored: stored[id]}
		delete(stored, id)
	}
	return buf
}

// insertInboxSQL inserts a batch of events given as parallel arrays, in
// the order of inboxParamOIDs, and returns the ids it stored.
const insertInboxSQL = `INSERT INTO wmsbridge_inbox
		(webhook_id, source, topic, shop, api_version, event_id, triggered_at, meta, received_at, body, due)
		SELECT u.id, u.src, u.topic, u.shop, u.ver, u.eid, u.trig, u.meta, u.recv, u.body, ` + nowSQL + `
		FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::timestamptz[], $9::text[], $10::timestamptz[], $11::bytea[])
			WITH ORDINALITY AS u(id, src, topic, shop, ver, eid, trig, meta, recv, body, ord)
		ORDER BY u.ord
		ON CONFLICT (webhook_id) DO NOTHING
		RETURNING webhook_id`

var inboxParamOIDs = []uint32{pgtype.TimestamptzOID,
	pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID, pgtype.TextArrayOID,
	pgtype.TimestamptzArrayOID, pgtype.TextArrayOID, pgtype.TimestamptzArrayOID, pgtype.ByteaArrayOID}

var (
	inboxParamFormats = []int16{pgtype.BinaryFormatCode, pgtype.BinaryFormatCode, pgtype.BinaryFormatCode,
		pgtype.BinaryFormatCode, pgtype.BinaryFormatCode, pgtype.BinaryFormatCode, pgtype.BinaryFormatCode,
		pgtype.BinaryFormatCode, pgtype.BinaryFormatCode, pgtype.BinaryFormatCode, pgtype.BinaryFormatCode}
	inboxResultFormats = []int16{pgtype.TextFormatCode}
)

// insertInbox runs insertInboxSQL with params. It encodes the parameters
// into buf and sends them through the connection's protocol layer rather
// than pgx's query path: that path allocates a new buffer for every
// parameter over a few hundred bytes, and for batches of 16 KB bodies
// that garbage was most of the ingest's garbage-collection work. buf is
// returned, grown if needed, for the next batch.
func (s *Store) insertInbox(ctx context.Context, buf []byte, params []any) (map[string]bool, []byte, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, buf, err
	}
	defer conn.Release()
	types := conn.Conn().TypeMap()
	values := make([][]byte, len(params))
	for i, p := range params {
		if p == nil {
			continue // NULL
		}
		start := len(buf)
		if buf, err = types.Encode(inboxParamOIDs[i], pgtype.BinaryFormatCode, p, buf); err != nil {
			return nil, buf, fmt.Errorf("encode parameter %d: %w", i+1, err)
		}
		// Earlier values may point into a smaller array buf outgrew; it
		// is not written again, so they stay valid.
		values[i] = buf[start:len(buf):len(buf)]
	}
	// Prepared once per connection, so the server plans it once, not for
	// every batch. Named by its text (pgx names it by a digest of it), so
	// stores of other schemas sharing a pool (New) prepare their own.
	sql := s.q(insertInboxSQL)
	sd, err := conn.Conn().Prepare(ctx, sql, sql)
	if err != nil {
		return nil, buf, err
	}
	rr := conn.Conn().PgConn().ExecPrepared(ctx, sd.Name, values, inboxParamFormats, inboxResultFormats)
	stored := map[string]bool{}
	for rr.NextRow() {
		stored[string(rr.Values()[0])] = true
	}
	_, err = rr.Close()
	return stored, buf, err
}

// CopiesBody implements [webhook.BodyCopier]: it reports true, as Put sends
// the event to the database and keeps no reference to it once it returns
// (a Put whose context ends before its batch starts is taken out of the
// queue; one whose batch started waits for it).
func (s *Store) CopiesBody() bool { return true }
