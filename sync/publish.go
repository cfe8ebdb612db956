package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// outboxRuntime is the engine's in-process outbound state.
type outboxRuntime struct {
	once gosync.Once
	wake chan struct{}

	mu        gosync.Mutex
	listeners map[string]listener
	// stockSeq is the Seq of the newest stock event sent per shop, SKU and
	// warehouse, so an older event arriving later is not sent over a newer
	// one. It is a cache of this process: after a restart a value may be
	// sent once more, which is harmless (absolute quantities).
	stockSeq map[string]int64

	stats outboundCounters
}

type listener struct {
	kinds []wms.EventKind
	fn    func(context.Context, wms.Event) error
}

func (o *outboxRuntime) init() {
	o.once.Do(func() {
		o.wake = make(chan struct{}, 1)
		o.listeners = map[string]listener{}
		o.stockSeq = map[string]int64{}
	})
}

func (o *outboxRuntime) notify() {
	o.init()
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) outbox() (OutboxStore, error) {
	ob, ok := e.store.(OutboxStore)
	if !ok {
		return nil, ErrNoOutbox
	}
	return ob, nil
}

// Publish tells the engine that ev happened in the warehouse. It
// stores ev durably in the outbox before it returns; the dispatcher (in
// [Engine.Run], or [Engine.DeliverOutbound]) then sends it to every shop
// that chose its kind and concerns it, and to the listeners registered
// with [Engine.Listen]. Publishing an event again with the same ID and
// content is a no-op, so a host may publish again after a crash.
//
// Publish validates ev first and stores nothing invalid: it returns a
// [*wms.ValidationError] (matching [wms.ErrInvalid]) naming the field for
// an event without an ID, one that breaks the model's rules (see
// [wms.ValidateEvent]: an empty SKU, on hand below zero, available above
// on hand ...) or that names a warehouse the backend does not have. An
// event whose ID was published before with different content returns an
// error matching [ErrPublishConflict] (the first content stays). An event
// that concerns no shop and no listener (a SKU no shop sells, say) is not
// an error: the dispatcher settles it as skipped, with the reason in its
// LastError, a log line and [OutboundStats.Skipped].
//
// It returns an error matching [ErrNoOutbox] when the Store has no outbox,
// and the store's error otherwise (then the event may or may not be
// stored; publish it again). Safe for concurrent use.
func (e *Engine) Publish(ctx context.Context, ev wms.Event) error {
	ob, err := e.outbox()
	if err != nil {
		return err
	}
	m, err := e.newPublished(ctx, ev)
	if err != nil {
		return err
	}
	if err := ob.AddOutbox(ctx, []OutboxMessage{m}); err != nil {
		return fmt.Errorf("sync: publish %s %s: %w", m.Kind, m.ID, err)
	}
	// Adding is idempotent by ID: read back what is stored under it.
	if err := e.checkConflict(ctx, ob, m); err != nil {
		return err
	}
	e.ob.stats.published.Add(1)
	e.ob.notify()
	return nil
}

// ErrPublishConflict: an event was published with an ID that an earlier
// event with different content has (see [Engine.Publish]). Event IDs must
// identify one event for good.
var ErrPublishConflict = errors.New("sync: event id published before with different content")

// newPublished validates ev and returns its outbox row.
func (e *Engine) newPublished(ctx context.Context, ev wms.Event) (OutboxMessage, error) {
	m, err := NewOutboxMessage(ev, e.now())
	if err != nil {
		return m, err
	}
	if err := wms.ValidateEvent(ev); err != nil {
		return m, fmt.Errorf("sync: publish %s %s: %w", m.Kind, m.ID, err)
	}
	var wh string
	switch ev := ev.(type) {
	case wms.StockChanged:
		wh = ev.Warehouse
	case wms.OrderPacked:
		wh = ev.Warehouse
	case wms.RefundCreated:
		wh = ev.Refund.Warehouse
	}
	if wh != "" {
		known, err := e.knownWarehouse(ctx, wh)
		if err != nil {
			return m, fmt.Errorf("sync: publish %s %s: %w", m.Kind, m.ID, err)
		}
		if !known {
			return m, fmt.Errorf("sync: publish %s %s: %w", m.Kind, m.ID,
				&wms.ValidationError{Field: "warehouse", Reason: fmt.Sprintf("unknown warehouse %q", wh)})
		}
	}
	return m, nil
}

// knownWarehouse reports whether the backend has warehouse id, from a
// cache of the backend's warehouses read again when id is not in it.
func (e *Engine) knownWarehouse(ctx context.Context, id string) (bool, error) {
	e.mu.Lock()
	known := e.warehouses[id]
	e.mu.Unlock()
	if known {
		return true, nil
	}
	whs, err := e.backend.Warehouses(ctx)
	if err != nil {
		return false, fmt.Errorf("read warehouses: %w", err)
	}
	set := make(map[string]bool, len(whs))
	for _, w := range whs {
		set[w.ID] = true
	}
	e.mu.Lock()
	e.warehouses = set
	e.mu.Unlock()
	return set[id], nil
}

// checkConflict returns an error matching ErrPublishConflict when the
// published row stored under m.ID has other content than m.
func (e *Engine) checkConflict(ctx context.Context, ob OutboxStore, m OutboxMessage) error {
	got, err := ob.ListOutbox(ctx, OutboxFilter{Shop: "", ID: m.ID, Limit: 1})
	if err != nil {
		return fmt.Errorf("sync: publish %s %s: read back: %w", m.Kind, m.ID, err)
	}
	for _, g := range got {
		if g.Shop == "" && (g.Kind != m.Kind || !bytes.Equal(g.Data, m.Data)) {
			return fmt.Errorf("%w: %s %s", ErrPublishConflict, m.Kind, m.ID)
		}
	}
	return nil
}

// PublishTx publishes ev within the host's transaction tx, for a Store
// that shares the host's database and implements [OutboxTxStore] for the
// type Tx (such as *sql.Tx): the event is stored if and only if tx
// commits. The dispatcher finds it within [OutboundConfig.Poll] after the
// commit. A store without the capability returns an error matching
// [ErrNoOutbox]. It validates ev as [Engine.Publish] does; it detects an
// ID published before with other content only when that event was
// committed before the call (the host's transaction is not visible to
// the engine).
func PublishTx[Tx any](ctx context.Context, e *Engine, tx Tx, ev wms.Event) error {
	ts, ok := e.store.(OutboxTxStore[Tx])
	if !ok {
		return fmt.Errorf("%w: no OutboxTxStore[%T]", ErrNoOutbox, tx)
	}
	m, err := e.newPublished(ctx, ev)
	if err != nil {
		return err
	}
	if ob, ok := e.store.(OutboxStore); ok {
		if err := e.checkConflict(ctx, ob, m); err != nil {
			return err
		}
	}
	if err := ts.AddOutboxTx(ctx, tx, []OutboxMessage{m}); err != nil {
		return err
	}
	e.ob.stats.published.Add(1) // counted like Publish (the host may still roll back)
	return nil
}

var listenerName = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Listen registers fn as the listener name for events of the given kinds
// (all kinds when none is given), such as an ERP that wants to hear of
// closed purchase orders. Listeners are not shops: their messages
// go through the outbox like a shop's (durable, retried with backoff,
// dead-lettered under the shop name "listener:NAME"), and fn receives each
// event at least once, so it must be idempotent by the event's ID.
//
// Register listeners before Run starts: an event fanned out while a
// listener is not registered does not reach it. Registering a name again
// replaces its function. fn is called from the dispatcher's goroutine.
func (e *Engine) Listen(name string, fn func(ctx context.Context, ev wms.Event) error, kinds ...wms.EventKind) error {
	if !listenerName.MatchString(name) {
		return fmt.Errorf("sync: listener name %q: want 1-64 letters, digits, '.', '-' or '_': %w", name, wms.ErrInvalid)
	}
	if fn == nil {
		return fmt.Errorf("sync: listener %q without function: %w", name, wms.ErrInvalid)
	}
	e.ob.init()
	e.ob.mu.Lock()
	defer e.ob.mu.Unlock()
	e.ob.listeners[name] = listener{kinds: slices.Clone(kinds), fn: fn}
	return nil
}

func (e *Engine) listener(name string) (listener, bool) {
	e.ob.init()
	e.ob.mu.Lock()
	defer e.ob.mu.Unlock()
	l, ok := e.ob.listeners[name]
	return l, ok
}

func (e *Engine) listenersFor(kind wms.EventKind) []string {
	e.ob.init()
	e.ob.mu.Lock()
	defer e.ob.mu.Unlock()
	var names []string
	for n, l := range e.ob.listeners {
		if len(l.kinds) == 0 || slices.Contains(l.kinds, kind) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// DeadLetters returns the parked outbound messages of shop ("" for every
// shop and listener), oldest first, each with the reason in LastError.
func (e *Engine) DeadLetters(ctx context.Context, shop string) ([]OutboxMessage, error) {
	ob, err := e.outbox()
	if err != nil {
		return nil, err
	}
	return ob.ListOutbox(ctx, OutboxFilter{Shop: shop, State: OutboxDead})
}

// ReplayDeadLetter makes the dead message (shop, id) pending again, with
// its attempts reset, once the cause is fixed; the dispatcher sends it at
// once, with the same idempotency key and plan as before. It returns an
// error matching [ErrNotFound] when no such dead message exists.
func (e *Engine) ReplayDeadLetter(ctx context.Context, shop, id string) error {
	ob, err := e.outbox()
	if err != nil {
		return err
	}
	ms, err := ob.ListOutbox(ctx, OutboxFilter{Shop: shop, ID: id, State: OutboxDead})
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fmt.Errorf("sync: dead letter %s/%s: %w", shop, id, ErrNotFound)
	}
	m := ms[0]
	m.State, m.Attempts, m.LastError = OutboxPending, 0, ""
	m.NextAttempt = e.now()
	m.LeaseUntil = m.NextAttempt.Add(-1)
	if err := ob.UpdateOutbox(ctx, []OutboxMessage{m}); err != nil {
		return err
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "outbound: dead letter replayed", slog.String("shop", shop), slog.String("id", id))
	e.ob.notify()
	return nil
}

// DiscardPrefix starts the LastError of a message discarded with
// [Engine.DiscardDeadLetter]; the reason follows.
const DiscardPrefix = "discarded: "

// DiscardDeadLetter gives up the dead message (shop, id) for good, with
// reason (who decided and why, say): the message is settled as done with
// LastError "discarded: " + reason and is never sent. The messages queued
// behind it in its entity's order (a refund behind a dead fulfilment of
// the same order) are delivered from then on. A discarded barcode message
// stops keeping the warehouse's barcode over the shop's. It returns an
// error matching [ErrNotFound] when no such dead message exists, and
// [wms.ErrInvalid] for an empty reason.
func (e *Engine) DiscardDeadLetter(ctx context.Context, shop, id, reason string) error {
	if reason == "" {
		return fmt.Errorf("sync: discard %s/%s: %w", shop, id, &wms.ValidationError{Field: "reason", Reason: "empty"})
	}
	ob, err := e.outbox()
	if err != nil {
		return err
	}
	ms, err := ob.ListOutbox(ctx, OutboxFilter{Shop: shop, ID: id, State: OutboxDead})
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fmt.Errorf("sync: dead letter %s/%s: %w", shop, id, ErrNotFound)
	}
	m := ms[0]
	m.State, m.LastError, m.LeaseUntil = OutboxDone, DiscardPrefix+reason, time.Time{}
	if err := ob.UpdateOutbox(ctx, []OutboxMessage{m}); err != nil {
		return err
	}
	if sku, ok := parseEntity(m.Entity).sku(); ok && m.Kind == wms.KindBarcodeChanged {
		if err := e.markBarcodeSettled(ctx, ob, &m, sku); err != nil {
			return err
		}
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "outbound: dead letter discarded", slog.String("shop", shop),
		slog.String("id", id), slog.String("reason", reason))
	e.ob.notify()
	return nil
}
