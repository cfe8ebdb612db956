package webhook

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/fairclaim"
)

// MemoryInbox is an in-process Store: it implements Inbox and Queue with a
// mutex-guarded map, honouring their contracts except durability (events
// are lost with the process). Use it in tests and for trying things out;
// production wants a durable Store such as the sync store.
//
// MemoryInbox remembers the WebhookID of every event it ever stored, so
// memory grows with traffic; Forget drops finished events. It is safe for
// concurrent use. The zero value is not usable; call NewMemoryInbox.
type MemoryInbox struct {
	now func() time.Time

	mu      sync.Mutex
	seq     uint64
	entries map[string]*memEntry // by WebhookID, finished ones included
	active  []*memEntry          // pending or claimed, in insertion order
}

type memState int

const (
	memPending memState = iota
	memClaimed
	memCompleted
	memFailed
)

type memEntry struct {
	event      *Event
	seq        uint64
	state      memState
	due        time.Time // pending: due time; claimed: lease end
	attempt    int
	lastError  string
	finishedAt time.Time
}

// MemoryInboxOption configures a MemoryInbox.
type MemoryInboxOption func(*MemoryInbox)

// WithMemoryClock sets the clock MemoryInbox uses for due times and leases
// (default time.Now), for tests.
func WithMemoryClock(now func() time.Time) MemoryInboxOption {
	return func(m *MemoryInbox) { m.now = now }
}

// NewMemoryInbox returns an empty MemoryInbox.
func NewMemoryInbox(opts ...MemoryInboxOption) *MemoryInbox {
	m := &MemoryInbox{now: time.Now, entries: map[string]*memEntry{}}
	for _, o := range opts {
		o(m)
	}
	return m
}

// Put implements Inbox. It stores a copy of e (the body is shared, not
// copied).
func (m *MemoryInbox) Put(ctx context.Context, e *Event) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if e == nil || e.WebhookID == "" {
		return false, fmt.Errorf("%w: event without webhook id", ErrMissingHeader)
	}
	cp := e.clone()
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.entries[e.WebhookID]; dup {
		return false, nil
	}
	m.seq++
	ent := &memEntry{event: cp, seq: m.seq, state: memPending, due: m.now()}
	m.entries[e.WebhookID] = ent
	m.active = append(m.active, ent)
	return true, nil
}

// Claim implements Queue.
func (m *MemoryInbox) Claim(ctx context.Context, limit int, lease time.Duration) ([]Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return []Job{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var due []*memEntry
	for _, ent := range m.active {
		if !ent.due.After(now) {
			due = append(due, ent)
		}
	}
	due = fairOrder(due)
	if len(due) > limit {
		due = due[:limit]
	}
	slices.SortFunc(due, byAge)
	jobs := make([]Job, 0, len(due))
	for _, ent := range due {
		ent.state = memClaimed
		ent.attempt++
		ent.due = now.Add(lease)
		jobs = append(jobs, Job{Event: ent.event.clone(), Attempt: ent.attempt, LastError: ent.lastError})
	}
	return jobs, nil
}

// byAge orders entries oldest due first, ties in insertion order.
func byAge(a, b *memEntry) int {
	if c := a.due.Compare(b.due); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// fairOrder orders due events round-robin over shops (see
// internal/fairclaim).
func fairOrder(due []*memEntry) []*memEntry {
	cands := make([]fairclaim.Candidate, len(due))
	bySeq := make(map[int64]*memEntry, len(due))
	for i, ent := range due {
		cands[i] = fairclaim.Candidate{Seq: int64(ent.seq), Shop: ent.event.Shop, Due: ent.due.UnixNano()}
		bySeq[int64(ent.seq)] = ent
	}
	out := due[:0:0]
	for _, seq := range fairclaim.Order(cands, len(cands)) {
		out = append(out, bySeq[seq])
	}
	return out
}

// Complete implements Queue.
func (m *MemoryInbox) Complete(ctx context.Context, webhookID string) error {
	return m.finish(ctx, webhookID, memCompleted, "")
}

// Fail implements Queue.
func (m *MemoryInbox) Fail(ctx context.Context, webhookID, reason string) error {
	return m.finish(ctx, webhookID, memFailed, reason)
}

func (m *MemoryInbox) finish(ctx context.Context, webhookID string, state memState, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ent, ok := m.entries[webhookID]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownJob, webhookID)
	}
	if ent.state == memCompleted || ent.state == memFailed {
		return nil
	}
	ent.state = state
	if reason != "" {
		ent.lastError = reason
	}
	ent.finishedAt = m.now()
	m.active = slices.DeleteFunc(m.active, func(x *memEntry) bool { return x == ent })
	return nil
}

// Retry implements Queue.
func (m *MemoryInbox) Retry(ctx context.Context, webhookID string, at time.Time, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ent, ok := m.entries[webhookID]
	if !ok {
		return fmt.Errorf("%w: %q", ErrUnknownJob, webhookID)
	}
	if ent.state == memCompleted || ent.state == memFailed {
		return nil // finished for good; a late Retry does not revive it
	}
	ent.state = memPending
	ent.due = at
	ent.lastError = reason
	return nil
}

// MemoryInboxStats counts the events of a MemoryInbox by state.
type MemoryInboxStats struct {
	Pending, Claimed, Completed, Failed int
}

// Stats returns the number of events in each state.
func (m *MemoryInbox) Stats() MemoryInboxStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	var s MemoryInboxStats
	for _, ent := range m.entries {
		switch ent.state {
		case memPending:
			s.Pending++
		case memClaimed:
			s.Claimed++
		case memCompleted:
			s.Completed++
		case memFailed:
			s.Failed++
		}
	}
	return s
}

// Depth counts the events of shop ([Event.Shop]): pending and claimed
// ones, the earliest ReceivedAt among them, and failed ones.
func (m *MemoryInbox) Depth(shop string) (pending int, oldest time.Time, failed int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, ent := range m.entries {
		if ent.event.Shop != shop {
			continue
		}
		switch ent.state {
		case memPending, memClaimed:
			pending++
			if t := ent.event.ReceivedAt; oldest.IsZero() || t.Before(oldest) {
				oldest = t
			}
		case memFailed:
			failed++
		}
	}
	return pending, oldest, failed
}

// Replay makes the failed event webhookID pending again, due now, with its
// attempt count kept. It returns an error wrapping ErrUnknownJob when no
// failed event has that id.
func (m *MemoryInbox) Replay(webhookID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ent, ok := m.entries[webhookID]
	if !ok || ent.state != memFailed {
		return fmt.Errorf("%w: no failed event %q", ErrUnknownJob, webhookID)
	}
	ent.state, ent.due, ent.finishedAt = memPending, m.now(), time.Time{}
	m.active = append(m.active, ent)
	slices.SortFunc(m.active, func(a, b *memEntry) int { return int(a.seq) - int(b.seq) })
	return nil
}

// Discard completes the failed event webhookID for good, with lastError
// as its LastError. It returns an error wrapping ErrUnknownJob when no
// failed event has that id.
func (m *MemoryInbox) Discard(webhookID, lastError string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	ent, ok := m.entries[webhookID]
	if !ok || ent.state != memFailed {
		return fmt.Errorf("%w: no failed event %q", ErrUnknownJob, webhookID)
	}
	ent.state, ent.lastError, ent.finishedAt = memCompleted, lastError, m.now()
	return nil
}

// Failed returns the failed (dead-lettered) events in the order they were
// stored, with their attempt count and last error.
func (m *MemoryInbox) Failed() []Job {
	m.mu.Lock()
	defer m.mu.Unlock()
	var failed []*memEntry
	for _, ent := range m.entries {
		if ent.state == memFailed {
			failed = append(failed, ent)
		}
	}
	slices.SortFunc(failed, func(a, b *memEntry) int { return int(a.seq) - int(b.seq) })
	out := make([]Job, len(failed))
	for i, ent := range failed {
		out[i] = Job{Event: ent.event.clone(), Attempt: ent.attempt, LastError: ent.lastError}
	}
	return out
}

// ForgetCompleted drops up to limit completed events finished before the
// given time, the earliest finished first, and with them the memory of
// their WebhookIDs (see Forget); failed events stay. It returns the number
// dropped.
func (m *MemoryInbox) ForgetCompleted(before time.Time, limit int) int {
	if limit <= 0 {
		return 0
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var old []*memEntry
	for _, ent := range m.entries {
		if ent.state == memCompleted && ent.finishedAt.Before(before) {
			old = append(old, ent)
		}
	}
	slices.SortFunc(old, func(a, b *memEntry) int { return a.finishedAt.Compare(b.finishedAt) })
	old = old[:min(limit, len(old))]
	for _, ent := range old {
		delete(m.entries, ent.event.WebhookID)
	}
	return len(old)
}

// Forget drops completed and failed events finished before the given time,
// and with them the memory of their WebhookIDs: a redelivery of a forgotten
// event would be stored again. Keep finished events at least as long as a
// shop system may redeliver (Shopify retries for 4 hours and rarely delivers
// a day late), a few days, say. It returns the number of events dropped.
func (m *MemoryInbox) Forget(before time.Time) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, ent := range m.entries {
		if (ent.state == memCompleted || ent.state == memFailed) && ent.finishedAt.Before(before) {
			delete(m.entries, id)
			n++
		}
	}
	return n
}

// EraseShop drops every event of shop (Event.Shop), finished or not, and
// the memory of their WebhookIDs, for a shop's request to erase its data.
// It returns the number of events dropped.
func (m *MemoryInbox) EraseShop(shop string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for id, ent := range m.entries {
		if ent.event.Shop == shop {
			delete(m.entries, id)
			n++
		}
	}
	m.active = slices.DeleteFunc(m.active, func(x *memEntry) bool { return x.event.Shop == shop })
	return n
}

// RewriteBodies passes fn a copy of every stored event of shop, in the
// order they were stored, and replaces the event's Body with what fn
// returns when it reports a change (a nil body drops the event), for a
// request to erase personal data. fn must not call the inbox. It returns
// the number of events changed or dropped; an error of fn stops the walk.
func (m *MemoryInbox) RewriteBodies(shop string, fn func(*Event) ([]byte, bool, error)) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var ents []*memEntry
	for _, ent := range m.entries {
		if ent.event.Shop == shop {
			ents = append(ents, ent)
		}
	}
	slices.SortFunc(ents, func(a, b *memEntry) int { return int(a.seq) - int(b.seq) })
	n := 0
	for _, ent := range ents {
		out, changed, err := fn(ent.event.clone())
		if err != nil {
			return n, err
		}
		if !changed {
			continue
		}
		n++
		if out == nil {
			delete(m.entries, ent.event.WebhookID)
			m.active = slices.DeleteFunc(m.active, func(x *memEntry) bool { return x == ent })
			continue
		}
		ev := ent.event.clone()
		ev.Body = slices.Clone(out)
		ent.event = ev
	}
	return n, nil
}
