package memstore

import (
	"cmp"
	"context"
	"slices"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.OutboxStore = (*Store)(nil)

// outboxTable is the outbox: rows by (shop, id), and per shop the rows not
// done yet in Pos order (what ClaimOutbox scans).
type outboxTable struct {
	mu   gosync.Mutex
	pos  int64
	rows map[outboxKey]*wmssync.OutboxMessage
	open map[string][]*wmssync.OutboxMessage
}

func (t *outboxTable) init() {
	if t.rows == nil {
		t.rows = map[outboxKey]*wmssync.OutboxMessage{}
		t.open = map[string][]*wmssync.OutboxMessage{}
	}
}

type outboxKey struct{ shop, id string }

func cloneMsg(m wmssync.OutboxMessage) wmssync.OutboxMessage {
	m.Data = slices.Clone(m.Data)
	m.Plan = slices.Clone(m.Plan)
	return m
}

// AddOutbox implements wmssync.OutboxStore.
func (s *Store) AddOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	for _, m := range msgs {
		k := outboxKey{m.Shop, m.ID}
		if _, ok := t.rows[k]; ok {
			continue
		}
		t.pos++
		r := cloneMsg(m)
		r.Pos, r.State, r.LeaseUntil = t.pos, wmssync.OutboxPending, time.Time{}
		t.rows[k] = &r
		t.open[m.Shop] = append(t.open[m.Shop], &r)
	}
	return nil
}

// ClaimOutbox implements wmssync.OutboxStore.
func (s *Store) ClaimOutbox(ctx context.Context, shop string, now time.Time, lease time.Duration, limit int) ([]wmssync.OutboxMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	open := slices.DeleteFunc(t.open[shop], func(m *wmssync.OutboxMessage) bool { return m.State == wmssync.OutboxDone })
	t.open[shop] = open
	var out []wmssync.OutboxMessage
	blocked := map[string]bool{}
	for _, m := range open {
		if limit > 0 && len(out) >= limit {
			break
		}
		if m.Entity != "" {
			if blocked[m.Entity] {
				continue
			}
			blocked[m.Entity] = true // pending or dead: later ones wait
		}
		if m.State != wmssync.OutboxPending || m.NextAttempt.After(now) || m.LeaseUntil.After(now) {
			continue
		}
		m.LeaseUntil = now.Add(lease)
		out = append(out, cloneMsg(*m))
	}
	return out, nil
}

// UpdateOutbox implements wmssync.OutboxStore.
func (s *Store) UpdateOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, m := range msgs {
		r := t.rows[outboxKey{m.Shop, m.ID}]
		if r == nil {
			continue
		}
		wasDone := r.State == wmssync.OutboxDone
		r.State, r.Attempts, r.NextAttempt, r.LastError = m.State, m.Attempts, m.NextAttempt, m.LastError
		r.Key, r.Plan, r.LeaseUntil = m.Key, slices.Clone(m.Plan), m.LeaseUntil
		if wasDone && r.State != wmssync.OutboxDone {
			// Back in play: keep the open list in Pos order.
			open := append(t.open[r.Shop], r)
			slices.SortFunc(open, func(a, b *wmssync.OutboxMessage) int { return cmp.Compare(a.Pos, b.Pos) })
			t.open[r.Shop] = slices.CompactFunc(open, func(a, b *wmssync.OutboxMessage) bool { return a == b })
		}
	}
	return nil
}

// ListOutbox implements wmssync.OutboxStore.
func (s *Store) ListOutbox(ctx context.Context, f wmssync.OutboxFilter) ([]wmssync.OutboxMessage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	t.init()
	match := func(r *wmssync.OutboxMessage) bool {
		return (f.Shop == "" || r.Shop == f.Shop) && (f.State == "" || r.State == f.State) && (f.ID == "" || r.ID == f.ID)
	}
	// Collect pointers and clone only what is returned: a caller polling
	// with a small Limit must not pay for copying the whole outbox.
	var hits []*wmssync.OutboxMessage
	if f.ID != "" {
		// By ID: one lookup per shop (every shop with rows has an open
		// list), not a scan of the outbox; Publish reads back each event.
		for shop := range t.open {
			if f.Shop != "" && shop != f.Shop {
				continue
			}
			if r := t.rows[outboxKey{shop, f.ID}]; r != nil && match(r) {
				hits = append(hits, r)
			}
		}
	} else if f.State == wmssync.OutboxPending || f.State == wmssync.OutboxDead {
		// Only messages not done are in the open lists.
		for shop, open := range t.open {
			if f.Shop != "" && shop != f.Shop {
				continue
			}
			for _, r := range open {
				if match(r) {
					hits = append(hits, r)
				}
			}
		}
	} else {
		for _, r := range t.rows {
			if match(r) {
				hits = append(hits, r)
			}
		}
	}
	slices.SortFunc(hits, func(a, b *wmssync.OutboxMessage) int { return cmp.Compare(a.Pos, b.Pos) })
	if f.Limit > 0 && len(hits) > f.Limit {
		hits = hits[:f.Limit]
	}
	out := make([]wmssync.OutboxMessage, len(hits))
	for i, r := range hits {
		out[i] = cloneMsg(*r)
	}
	return out, nil
}

// OutboxDepth implements wmssync.QueueInspector.
func (s *Store) OutboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	var d wmssync.QueueDepth
	if err := ctx.Err(); err != nil {
		return d, err
	}
	var first int64
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, r := range t.rows {
		if k.shop != shop {
			continue
		}
		switch r.State {
		case wmssync.OutboxPending:
			d.Pending++
			if first == 0 || r.Pos < first {
				first, d.Oldest = r.Pos, r.CreatedAt
			}
		case wmssync.OutboxDead:
			d.Failed++
		}
	}
	return d, nil
}

var _ wmssync.OutboxPruner = (*Store)(nil)

// PruneOutbox implements wmssync.OutboxPruner: done messages created
// before before, oldest position first.
func (s *Store) PruneOutbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil || limit <= 0 {
		return 0, err
	}
	t := &s.outbox
	t.mu.Lock()
	defer t.mu.Unlock()
	var old []*wmssync.OutboxMessage
	for _, r := range t.rows {
		if r.State == wmssync.OutboxDone && r.CreatedAt.Before(before) {
			old = append(old, r)
		}
	}
	slices.SortFunc(old, func(a, b *wmssync.OutboxMessage) int { return cmp.Compare(a.Pos, b.Pos) })
	old = old[:min(limit, len(old))]
	for _, r := range old {
		delete(t.rows, outboxKey{r.Shop, r.ID})
	}
	return len(old), nil
}
