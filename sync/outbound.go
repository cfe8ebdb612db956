package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Outbound is the optional [Connector] capability that delivers WMS
// events to the shop (S14-S18, S20). The engine finds it by type
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
	// wms.KindStockChanged), at most [MaxStockPerCall], one per
	// (InventoryItemID, LocationID), newest value.
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
	// (stock messages on, S14). The WMS's absolute figures then set the
	// shop's stock, so a refund must not also restock in the shop: the two
	// would count returned units twice, whichever arrives first.
	StockSynced bool
}

// StockTarget is the available quantity to set for one inventory item at
// one shop location (S14).
type StockTarget struct {
	SKU             string
	InventoryItemID string
	LocationID      string
	Available       int64
}

// MaxStockPerCall is the most stock levels in one [Outgoing]: Shopify's
// inventorySetQuantities takes 250.
const MaxStockPerCall = 250

// Defaults of OutboundConfig.
const (
	DefaultOutboundPoll        = time.Second
	DefaultOutboundLinger      = 200 * time.Millisecond
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
	// Linger is how long the dispatcher waits after a Publish woke it, so
	// that a burst of changes coalesces into few calls (default
	// DefaultOutboundLinger; negative: no wait).
	Linger time.Duration
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

// Barcode marks (S15 echo suppression). Writing a barcode to a variant
// makes the shop send products/update with the whole product; a payload
// taken at or before the write still shows the other variants' barcodes
// as they were (the echo of one variant's write carries another
// variant's old barcode, and so does a sweep's read), and the main shop's
// product data would put that old barcode back into the backend, for good
// if the later echo is lost and falls in the same second (the sweep then
// sees no newer updated_at). So the engine keeps, in the Store's versions
// (kind kindBarcodeSent, ID the SKU), per shop and SKU: TriggeredAt, when
// the newest barcode message to the shop was created (recorded before the
// message is added to the outbox), and UpdatedAt, when the newest one was
// settled (sent, or nothing to send). While a message is pending
// (TriggeredAt after UpdatedAt; a dead-lettered one stays pending until
// it is replayed), and for product data whose updated_at is not after the
// settlement, the backend's barcode of the SKU wins over the shop's; the
// product's other fields flow as before, and so does a barcode changed in
// the shop after the settlement (a merchant's edit in the very second of
// the engine's write is not told apart from the echo, and is lost). The
// state is in the Store, so it holds across restarts and processes. A key
// of kind kindBarcodeShop marks a shop that ever had barcode messages:
// other shops pay one store read per batch of products; such a shop one
// per variant.
const (
	kindBarcodeSent = "barcode-sent"
	kindBarcodeShop = "barcode-shop"
	barcodeShopID   = "shop"
)

// markBarcodePending records that a barcode message for sku, created at
// created, goes to shop. The engine calls it before the message is added
// to the outbox. Idempotent; safe for concurrent use.
func (e *Engine) markBarcodePending(ctx context.Context, shop, sku string, created time.Time) error {
	created = created.UTC().Truncate(time.Microsecond)
	gate := EntityKey{Shop: shop, Kind: kindBarcodeShop, ID: barcodeShopID}
	if _, rev, err := e.store.Version(ctx, gate); err != nil {
		return fmt.Errorf("sync: outbound: read barcode mark of %s: %w", shop, err)
	} else if rev == 0 {
		if _, err := e.store.SetVersion(ctx, gate, webhook.Version{TriggeredAt: created}, 0); err != nil {
			return fmt.Errorf("sync: outbound: mark barcodes of %s: %w", shop, err)
		}
	}
	return e.updateBarcodeMark(ctx, shop, sku, func(v webhook.Version) (webhook.Version, bool) {
		if !created.After(v.TriggeredAt) {
			return v, false
		}
		v.TriggeredAt = created
		return v, true
	})
}

// markBarcodeSettled records that the barcode message m for sku was
// settled (sent, or nothing to send). A newer message of the SKU still
// pending in ob keeps the mark pending. Idempotent; safe for concurrent
// use.
func (e *Engine) markBarcodeSettled(ctx context.Context, ob OutboxStore, m *OutboxMessage, sku string) error {
	created := m.CreatedAt.UTC().Truncate(time.Microsecond)
	now := e.now().UTC().Truncate(time.Microsecond)
	key := EntityKey{Shop: m.Shop, Kind: kindBarcodeSent, ID: sku}
	mark, _, err := e.store.Version(ctx, key)
	if err != nil {
		return fmt.Errorf("sync: outbound: read barcode mark %s: %w", key, err)
	}
	if created.Before(mark.TriggeredAt) {
		// A newer message was fanned out, or the fan-out of this one was
		// retried after it had been added (the mark then carries the
		// retry's time): look for another message still pending.
		pending, err := ob.ListOutbox(ctx, OutboxFilter{Shop: m.Shop, State: OutboxPending})
		if err != nil {
			return fmt.Errorf("sync: outbound: list pending messages of %s: %w", m.Shop, err)
		}
		for _, p := range pending {
			if p.Entity == m.Entity && p.ID != m.ID {
				return nil
			}
		}
	}
	return e.updateBarcodeMark(ctx, m.Shop, sku, func(v webhook.Version) (webhook.Version, bool) {
		if v.TriggeredAt.After(mark.TriggeredAt) || !now.After(v.UpdatedAt) {
			// A newer message was fanned out meanwhile, or settled.
			return v, false
		}
		v.UpdatedAt = now
		if v.TriggeredAt.After(now) { // the engine's clock went back
			v.TriggeredAt = now
		}
		return v, true
	})
}

func (e *Engine) updateBarcodeMark(ctx context.Context, shop, sku string, change func(webhook.Version) (webhook.Version, bool)) error {
	key := EntityKey{Shop: shop, Kind: kindBarcodeSent, ID: sku}
	for range maxConflicts + 1 {
		v, rev, err := e.store.Version(ctx, key)
		if err != nil {
			return fmt.Errorf("sync: outbound: read barcode mark %s: %w", key, err)
		}
		nv, ok := change(v)
		if !ok {
			return nil
		}
		if ok, err := e.store.SetVersion(ctx, key, nv, rev); err != nil {
			return fmt.Errorf("sync: outbound: store barcode mark %s: %w", key, err)
		} else if ok {
			return nil
		}
	}
	return fmt.Errorf("sync: outbound: barcode mark %s kept changing concurrently", key)
}

// sentBarcodeWins reports whether, by the mark of a SKU, the backend's
// barcode wins over shop product data last updated at updatedAt.
func sentBarcodeWins(mark webhook.Version, updatedAt time.Time) bool {
	pending := mark.TriggeredAt.After(mark.UpdatedAt)
	return pending || !updatedAt.After(mark.UpdatedAt)
}

// keepSentBarcodes replaces, in products about to be written to the
// backend, the barcode of each variant whose SKU has a barcode message to
// the shop that the product data (last updated at updatedAt[i]) may
// predate, with the backend's own barcode (see kindBarcodeSent).
func (e *Engine) keepSentBarcodes(ctx context.Context, shop string, ps []wms.Product, updatedAt []time.Time) error {
	_, rev, err := e.store.Version(ctx, EntityKey{Shop: shop, Kind: kindBarcodeShop, ID: barcodeShopID})
	if err != nil {
		return fmt.Errorf("sync: read barcode mark of %s: %w", shop, err)
	}
	if rev == 0 {
		return nil
	}
	for i := range ps {
		for j := range ps[i].Variants {
			v := &ps[i].Variants[j]
			mark, rev, err := e.store.Version(ctx, EntityKey{Shop: shop, Kind: kindBarcodeSent, ID: v.SKU})
			if err != nil {
				return fmt.Errorf("sync: read barcode mark of %s in %s: %w", v.SKU, shop, err)
			}
			if rev == 0 || !sentBarcodeWins(mark, updatedAt[i]) {
				continue
			}
			it, err := e.backend.Item(ctx, v.SKU)
			if errors.Is(err, wms.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("sync: read item %s: %w", v.SKU, err)
			}
			if it.Barcode != v.Barcode {
				e.log.LogAttrs(ctx, slog.LevelDebug, "shop's barcode left out: the warehouse's change was sent after it",
					slog.String("shop", shop), slog.String("sku", v.SKU))
				v.Barcode = it.Barcode
			}
		}
	}
	return nil
}
