package sync

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Health is the state of one shop's connection as an operator sees it: how
// much work waits, what failed, when the engine last checked the shop. It
// is a snapshot for a status page or an alert rule; see [Engine.Health].
type Health struct {
	Shop string `json:"shop"`
	// Inbox are the shop's webhook events in the store's inbox: pending
	// (waiting or being handled), the oldest pending one's arrival, and
	// failed events (dead letters). Nil when the Store is not a
	// [QueueInspector].
	Inbox *QueueDepth `json:"inbox,omitempty"`
	// Outbox are the engine's messages to the shop: pending, the oldest
	// pending one's creation, and dead letters. Nil when the Store is not
	// a QueueInspector with an outbox.
	Outbox *QueueDepth `json:"outbox,omitempty"`
	// Sweep is the last reconciliation sweep of the shop by this engine
	// (zero before the first since the engine was built), and OrdersSince
	// the orders watermark in the Store: changes up to it are known to be
	// applied, whichever engine swept.
	Sweep       CheckResult `json:"sweep"`
	OrdersSince time.Time   `json:"orders_since,omitzero"`
	// Webhooks is the last webhook subscription audit of the shop by this
	// engine; Recreated the subscriptions it found missing and created
	// again.
	Webhooks  CheckResult `json:"webhooks"`
	Recreated []string    `json:"recreated,omitempty"`
	// StockAudit is the last stock audit of the shop by this engine
	// ([Engine.AuditStock], [Engine.PushStock]), LastStockAudit its
	// result (nil before the first), and StockAuditedAt when the last
	// audit that succeeded started, whichever engine ran it (the
	// watermark [WatermarkStockAudit] in the Store).
	StockAudit     CheckResult       `json:"stock_audit"`
	LastStockAudit *StockAuditResult `json:"last_stock_audit,omitempty"`
	StockAuditedAt time.Time         `json:"stock_audited_at,omitzero"`
	// Budget is the shop's API budget as the connector last saw it; nil
	// when the connector is not a [BudgetReporter] or has not talked to
	// the shop yet.
	Budget *APIBudget `json:"budget,omitempty"`
	// SetupDone reports that every setup step is done or skipped.
	SetupDone bool `json:"setup_done"`
}

// CheckResult is the outcome of the last periodic check of a shop (a
// sweep, an audit).
type CheckResult struct {
	// At is when the last check ended; zero if none ran yet.
	At time.Time `json:"at,omitzero"`
	// LastOK is when a check last succeeded; zero if none did.
	LastOK time.Time `json:"last_ok,omitzero"`
	// Error is the last check's error, "" when it succeeded.
	Error string `json:"error,omitempty"`
}

// QueueDepth counts one shop's entries in a queue (the webhook inbox or
// the outbox).
type QueueDepth struct {
	// Pending are entries waiting to be handled or being handled.
	Pending int `json:"pending"`
	// Oldest is when the oldest pending entry arrived (inbox: received;
	// outbox: created); zero when none is pending.
	Oldest time.Time `json:"oldest,omitzero"`
	// Failed are entries parked for good (dead letters).
	Failed int `json:"failed"`
}

// QueueInspector is the optional [Store] capability that counts a shop's
// queued work, for [Engine.Health]. The in-memory, SQLite and PostgreSQL
// stores implement it; storetest checks it.
type QueueInspector interface {
	// InboxDepth counts the inbox events whose [webhook.Event.Shop] is
	// shop: pending (due or not) and claimed ones as Pending, with the
	// earliest ReceivedAt among them as Oldest, and failed ones as Failed.
	// Completed events are not counted.
	InboxDepth(ctx context.Context, shop string) (QueueDepth, error)
	// OutboxDepth counts the outbox messages whose Shop is shop (""
	// is the fan-out queue): pending ones (leased or not) as Pending,
	// with the CreatedAt of the first of them in Pos order as Oldest, and
	// dead ones as Failed. A store without an outbox returns a zero
	// QueueDepth.
	OutboxDepth(ctx context.Context, shop string) (QueueDepth, error)
}

// APIBudget is a shop's API rate budget as a connector sees it (a query
// cost bucket, a request rate).
type APIBudget struct {
	// Available and Capacity are in the shop system's units (query cost
	// points, requests); RestoreRate is how many return per second.
	Available   float64 `json:"available"`
	Capacity    float64 `json:"capacity"`
	RestoreRate float64 `json:"restore_rate"`
}

// Used returns the share of the budget in use, 0 to 1.
func (b APIBudget) Used() float64 {
	if b.Capacity <= 0 {
		return 0
	}
	return min(max(1-b.Available/b.Capacity, 0), 1)
}

// BudgetReporter is the optional [Connector] capability that reports the
// shop's API budget, for [Engine.Health]. It does no I/O: it returns what
// the connector last learned, and ok=false before it learned anything.
type BudgetReporter interface {
	APIBudget() (b APIBudget, ok bool)
}

// shopChecks is what this engine remembers of a shop's periodic checks.
type shopChecks struct {
	sweep, audit, stockAudit CheckResult
	recreated                []string
	stock                    *StockAuditResult // the last stock audit's result
}

// checkKind names a periodic check of a shop.
type checkKind int

const (
	checkSweep      checkKind = iota // reconciliation sweep
	checkWebhooks                    // webhook subscription audit
	checkStockAudit                  // stock audit
)

// recordCheck records the outcome of a check of shop, ended now.
func (e *Engine) recordCheck(shop string, kind checkKind, err error, recreated []string) {
	now := e.now()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.checks == nil {
		e.checks = map[string]*shopChecks{}
	}
	c := e.checks[shop]
	if c == nil {
		c = &shopChecks{}
		e.checks[shop] = c
	}
	r := &c.sweep
	switch kind {
	case checkWebhooks:
		r = &c.audit
		if err == nil {
			c.recreated = recreated
		}
	case checkStockAudit:
		r = &c.stockAudit
	}
	r.At, r.Error = now, ""
	if err != nil {
		r.Error = err.Error()
	} else {
		r.LastOK = now
	}
}

// Health returns a snapshot of shop's health: its inbox and outbox depth
// and dead letters (when the Store is a [QueueInspector]), the last
// reconciliation sweep, webhook audit and stock audit by this engine, the
// orders and stock audit watermarks, the API budget (when the connector is a [BudgetReporter])
// and whether setup is done. It reads the Store (a few counting queries)
// and does not contact the shop. It returns an error matching
// [ErrNotFound] for an unknown shop. Safe for concurrent use.
func (e *Engine) Health(ctx context.Context, shop string) (Health, error) {
	h := Health{Shop: shop}
	s, err := e.Settings(ctx, shop)
	if err != nil {
		return h, err
	}
	if qi, ok := e.store.(QueueInspector); ok {
		in, err := qi.InboxDepth(ctx, e.inboxShop(s))
		if err != nil {
			return h, fmt.Errorf("sync: health of %s: inbox: %w", shop, err)
		}
		h.Inbox = &in
		if _, ok := e.store.(OutboxStore); ok {
			out, err := qi.OutboxDepth(ctx, shop)
			if err != nil {
				return h, fmt.Errorf("sync: health of %s: outbox: %w", shop, err)
			}
			h.Outbox = &out
		}
	}
	if h.OrdersSince, err = e.store.Watermark(ctx, shop, WatermarkOrders); err != nil {
		return h, fmt.Errorf("sync: health of %s: watermark: %w", shop, err)
	}
	if h.StockAuditedAt, err = e.store.Watermark(ctx, shop, WatermarkStockAudit); err != nil {
		return h, fmt.Errorf("sync: health of %s: watermark: %w", shop, err)
	}
	states, err := e.StepStates(ctx, shop)
	if err != nil {
		return h, err
	}
	h.SetupDone = true
	for _, st := range states {
		h.SetupDone = h.SetupDone && st.Status.Finished()
	}
	e.mu.Lock()
	if c := e.checks[shop]; c != nil {
		h.Sweep, h.Webhooks, h.StockAudit = c.sweep, c.audit, c.stockAudit
		h.Recreated = append([]string(nil), c.recreated...)
		if c.stock != nil {
			r := *c.stock
			r.Drifts = slices.Clone(r.Drifts)
			h.LastStockAudit = &r
		}
	}
	ce := e.conns[shop]
	e.mu.Unlock()
	if ce != nil {
		if br, ok := ce.conn.(BudgetReporter); ok {
			if b, ok := br.APIBudget(); ok {
				h.Budget = &b
			}
		}
	}
	return h, nil
}

// inboxShop is how the inbox's events name shop s ([webhook.Event.Shop]):
// as its shop system names it.
func (e *Engine) inboxShop(s Settings) string {
	if sys, err := e.system(s); err == nil {
		return sys.EventShop(s)
	}
	return s.Domain()
}
