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
}

// OutboundStats returns a snapshot of the outbox counters.
func (e *Engine) OutboundStats() OutboundStats {
	c := &e.ob.stats
	return OutboundStats{
		Published: c.published.Load(), FannedOut: c.fannedOut.Load(), Delivered: c.delivered.Load(),
		Coalesced: c.coalesced.Load(), StockCalls: c.stockCalls.Load(), StockLevels: c.stockLevels.Load(),
		Retried: c.retried.Load(), DeadLettered: c.dead.Load(),
	}
}

type outboundCounters struct {
	published, fannedOut, delivered, coalesced, stockCalls, stockLevels, retried, dead atomic.Uint64
}
