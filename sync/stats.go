package sync

import "sync/atomic"

// Stats counts what an Engine did since it was built, for a host to export
// as metrics. Every counter only grows.
type Stats struct {
	// EventsApplied: inbox events whose change reached the backend.
	EventsApplied uint64 `json:"events_applied"`
	// EventsStale: events dropped because newer data was applied already
	// (or the same version again).
	EventsStale uint64 `json:"events_stale"`
	// EventsIgnored: events that needed nothing (other topics, POS orders
	// with POS off, orders before the orders step, unmapped locations).
	EventsIgnored uint64 `json:"events_ignored"`
	// EventsFailed: events whose handling returned an error (retried or
	// parked by the inbox).
	EventsFailed uint64 `json:"events_failed"`
	// UnmappedLocation: orders and POS sales ignored because their
	// location maps to no warehouse.
	UnmappedLocation uint64 `json:"unmapped_location"`
	// POSSales: POS orders turned into stock movements and sales.
	POSSales uint64 `json:"pos_sales"`
	// Sweeps: reconciliation sweeps finished; SweepApplied: orders and
	// products a sweep applied because no webhook had brought them.
	Sweeps       uint64 `json:"sweeps"`
	SweepApplied uint64 `json:"sweep_applied"`
	// SweepErrors: sweeps that failed.
	SweepErrors uint64 `json:"sweep_errors"`
	// Audits: webhook subscription audits finished; WebhooksRecreated:
	// subscriptions they re-created.
	Audits            uint64 `json:"audits"`
	WebhooksRecreated uint64 `json:"webhooks_recreated"`
	// StockAudits, StockAuditErrors: stock audits and pushes finished
	// and failed; StockCorrected: the shop levels they queued corrections
	// of.
	StockAudits      uint64 `json:"stock_audits"`
	StockAuditErrors uint64 `json:"stock_audit_errors"`
	StockCorrected   uint64 `json:"stock_corrected"`
	// ProductsImported, OrdersApplied: products and orders written to the
	// backend, by any path.
	ProductsImported uint64 `json:"products_imported"`
	OrdersApplied    uint64 `json:"orders_applied"`
	// DeletionsRefused: deletion webhooks not applied because the shop
	// still had the order or product (a replayed body under a delete
	// topic, say); the shop's entity was applied instead.
	DeletionsRefused uint64 `json:"deletions_refused"`
	// Restored: orders and products the engine had deleted and brought
	// back because the shop showed them again.
	Restored uint64 `json:"restored"`
}

type counters struct {
	eventsApplied, eventsStale, eventsIgnored, eventsFailed, unmapped, posSales,
	sweeps, sweepApplied, sweepErrors, audits, recreated, products, orders,
	deletionsRefused, restored, stockAudits, stockAuditErrors, stockCorrected atomic.Uint64
}

// Stats returns a snapshot of the engine's counters.
func (e *Engine) Stats() Stats {
	c := &e.stats
	return Stats{
		EventsApplied: c.eventsApplied.Load(), EventsStale: c.eventsStale.Load(),
		EventsIgnored: c.eventsIgnored.Load(), EventsFailed: c.eventsFailed.Load(),
		UnmappedLocation: c.unmapped.Load(), POSSales: c.posSales.Load(),
		Sweeps: c.sweeps.Load(), SweepApplied: c.sweepApplied.Load(), SweepErrors: c.sweepErrors.Load(),
		Audits: c.audits.Load(), WebhooksRecreated: c.recreated.Load(),
		ProductsImported: c.products.Load(), OrdersApplied: c.orders.Load(),
		DeletionsRefused: c.deletionsRefused.Load(), Restored: c.restored.Load(),
		StockAudits: c.stockAudits.Load(), StockAuditErrors: c.stockAuditErrors.Load(), StockCorrected: c.stockCorrected.Load(),
	}
}
