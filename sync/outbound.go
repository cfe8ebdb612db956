package sync

import (
	"context"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Outbound is the optional [Connector] capability that delivers WMS
// events to the shop. The engine finds it by type
// assertion; a shop whose connector lacks it gets no outbound messages
// (they are dead-lettered with a reason saying so).
//
// # Exactly once
//
// The engine calls Send until it returns nil, possibly in another process
// after a crash. Every call for one message carries the same Key and Plan.
// A mutation the shop protects with an idempotency key (stock, refunds)
// sends Key. One it does not protect (fulfilment, capture, barcode, cost)
// must read the shop first and send only what is still missing, measured
// against the Plan: Prepare records, before the first attempt, what the
// shop held (the fulfilment orders' remaining quantities, the captured
// amount), and the engine stores it before calling Send.
//
// # Errors
//
// An error matching [ErrRejected] means the shop refused the message for
// good: the engine parks it (dead letter). ctx.Err() means the engine is
// stopping. Any other error is transient: the engine retries with capped
// backoff and parks the message after [OutboundConfig.MaxAttempts].
type Outbound interface {
	// Prepare reads the shop and returns the plan of m (nil when the kind
	// needs none). It must not change the shop. The engine calls it once
	// per message, before the first Send, and never for stock.
	Prepare(ctx context.Context, m *Outgoing) (plan []byte, err error)
	// Send delivers m; see the type's documentation.
	Send(ctx context.Context, m *Outgoing) error
}

// Outgoing is one message to a shop, in shop-neutral terms.
type Outgoing struct {
	// Kind is the event kind.
	Kind wms.EventKind
	// Event is the WMS event (nil for stock: see Stock).
	Event wms.Event
	// Stock are the coalesced stock levels to set (Kind
	// wms.KindStockChanged), at most the connector's batch size (see
	// [StockBatcher]), one per listing and location, newest value.
	Stock []StockTarget
	// Key is the idempotency key to send (stable across retries).
	Key string
	// Plan is what Prepare returned.
	Plan []byte
	// Retry reports that an earlier attempt may have reached the shop.
	Retry bool
	// Listings are the shop's variants of the SKUs the event concerns
	// (barcode, cost).
	Listings []wms.Listing
	// Locations are the shop locations mapped to the event's warehouse
	// (the packing warehouse, the refund's restock warehouse), sorted.
	Locations []string
	// StockSynced reports that the shop receives the WMS's stock levels
	// (stock messages on). The WMS's absolute figures then set the
	// shop's stock, so a refund must not also restock in the shop: the two
	// would count returned units twice, whichever arrives first.
	StockSynced bool
}

// StockTarget is the available quantity to set for one listing of a SKU at
// one shop location. It carries every id the shop's listing has
// ([wms.Listing]), so a connector addresses it the way its shop system
// does: by inventory item (Shopify), or by product and variant
// (WooCommerce sets stock on a product or a variation). LocationID is ""
// for a shop without locations ([SingleLocation]).
type StockTarget struct {
	SKU             string
	ProductID       string
	VariantID       string
	InventoryItemID string
	LocationID      string
	Available       int64
}

// PackCapturer is implemented by an [Outbound] connector whose shop system
// authorises a payment at checkout and captures it later (Shopify), when
// CapturesOnPack reports true: the engine then captures an order's payment
// when the warehouse packs it. After each order packed message to the shop
// it adds a [wms.PaymentCaptured] of the order's total (its ID ends in
// [CaptureOnPackSuffix]), which the connector caps at what the
// authorisation still holds; it is sent when the shop has order packed
// messages on. A connector whose shop captures at checkout or leaves
// capture to its payment provider (WooCommerce) does not implement it, and
// its shops get no such message.
type PackCapturer interface {
	CapturesOnPack() bool
}

// StockBatcher is implemented by an [Outbound] connector whose shop sets
// several stock levels in one call: StockBatchSize is the most levels one
// stock [Outgoing] may carry (Shopify's inventorySetQuantities takes 250;
// a batch endpoint may take 100). Without it, or when it returns less
// than 1, the engine sends [DefaultStockBatchSize] levels per call.
type StockBatcher interface {
	StockBatchSize() int
}

// DefaultStockBatchSize is the number of stock levels per call for a
// connector that declares no batch size ([StockBatcher]): one, which any
// shop API takes.
const DefaultStockBatchSize = 1

// Defaults of OutboundConfig.
const (
	DefaultOutboundPoll        = time.Second
	DefaultOutboundLinger      = 3 * time.Second
	DefaultOutboundGap         = 200 * time.Millisecond
	DefaultOutboundLease       = 2 * time.Minute
	DefaultOutboundMaxAttempts = 12
	DefaultOutboundBackoff     = time.Second
	DefaultOutboundMaxBackoff  = 10 * time.Minute
	DefaultOutboundClaim       = 10000
)

// OutboundConfig tunes the outbox dispatcher. Zero fields take the
// defaults.
type OutboundConfig struct {
	// Poll is the pause between rounds when nothing was published
	// (default DefaultOutboundPoll); Publish wakes the dispatcher at once.
	Poll time.Duration
	// Linger and Gap let a burst of changes coalesce into few calls: after
	// a Publish woke it, the dispatcher waits until no Publish came for
	// Gap (default DefaultOutboundGap, 200 ms), or until Linger passed
	// since the wake (default DefaultOutboundLinger, 3 s), whichever is
	// first. A lone message therefore waits Gap, and a message of a
	// stream of publishes (a stock count, a big receipt booked over a few
	// seconds) at most Linger, so that a burst spread over a few seconds
	// goes out in about ⌈distinct levels / batch size⌉ stock calls
	// instead of a few calls per Gap. Linger bounds the wait: a Gap above
	// it counts as Linger. Negative Linger: no wait at all.
	Linger time.Duration
	Gap    time.Duration // the quiet time that ends a wait early; see Linger
	// Lease is how long a claimed message stays with its dispatcher
	// (default DefaultOutboundLease): after a crash, another process takes
	// the message over once the lease ran out. It must exceed the longest
	// shop call.
	Lease time.Duration
	// MaxAttempts is the number of failed attempts after which a message
	// is parked as a dead letter (default DefaultOutboundMaxAttempts).
	MaxAttempts int
	// Backoff is the pause after the first failure, doubled after each
	// further one up to MaxBackoff (defaults DefaultOutboundBackoff,
	// DefaultOutboundMaxBackoff).
	Backoff, MaxBackoff time.Duration
	// Claim is the most messages of one shop handled per round (default
	// DefaultOutboundClaim); stock messages among them coalesce.
	Claim int
}

func (c OutboundConfig) withDefaults() OutboundConfig {
	if c.Poll <= 0 {
		c.Poll = DefaultOutboundPoll
	}
	if c.Linger == 0 {
		c.Linger = DefaultOutboundLinger
	}
	if c.Gap <= 0 {
		c.Gap = DefaultOutboundGap
	}
	if c.Lease <= 0 {
		c.Lease = DefaultOutboundLease
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = DefaultOutboundMaxAttempts
	}
	if c.Backoff <= 0 {
		c.Backoff = DefaultOutboundBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultOutboundMaxBackoff
	}
	if c.Claim <= 0 {
		c.Claim = DefaultOutboundClaim
	}
	return c
}

// backoff returns the pause after the attempts-th failure.
func (c OutboundConfig) backoff(attempts int) time.Duration {
	d := c.Backoff
	for i := 1; i < attempts && d < c.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, c.MaxBackoff)
}
