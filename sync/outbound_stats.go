package sync

// Counters of the outbox dispatcher.

import (
	"sync/atomic"
)

// OutboundStats counts the outbox's work since the engine was built.
type OutboundStats struct {
	// Published: successful Publish calls (an event published twice
	// counts twice; the outbox stores it once).
	Published uint64 `json:"published"`
	// FannedOut: messages created for shops and listeners.
	FannedOut uint64 `json:"fanned_out"`
	// Delivered: messages settled as done (sent, or nothing to send).
	Delivered uint64 `json:"delivered"`
	// Coalesced: stock messages made redundant by a newer one.
	Coalesced uint64 `json:"coalesced"`
	// StockCalls: stock sends (one shop call each); StockLevels: the
	// levels they carried.
	StockCalls  uint64 `json:"stock_calls"`
	StockLevels uint64 `json:"stock_levels"`
	// Retried: failed attempts that will be retried; DeadLettered:
	// messages parked.
	Retried      uint64 `json:"retried"`
	DeadLettered uint64 `json:"dead_lettered"`
	// Skipped: published events that concerned no shop and no listener
	// (a SKU no shop sells, an order of an unknown shop); each is settled
	// with the reason in LastError and logged.
	Skipped uint64 `json:"skipped"`
}

// OutboundStats returns a snapshot of the outbox counters.
func (e *Engine) OutboundStats() OutboundStats {
	c := &e.ob.stats
	return OutboundStats{
		Published: c.published.Load(), FannedOut: c.fannedOut.Load(), Delivered: c.delivered.Load(),
		Coalesced: c.coalesced.Load(), StockCalls: c.stockCalls.Load(), StockLevels: c.stockLevels.Load(),
		Retried: c.retried.Load(), DeadLettered: c.dead.Load(), Skipped: c.skipped.Load(),
	}
}

type outboundCounters struct {
	published, fannedOut, delivered, coalesced, stockCalls, stockLevels, retried, dead, skipped atomic.Uint64
}
