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

// Barcode marks, against the echo of barcode messages. Writing a barcode
// to a variant makes the shop send a product update with the whole
// product; a payload
// taken at or before the write still shows the other variants' barcodes
// as they were (the echo of one variant's write carries another
// variant's old barcode, and so does a sweep's read), and the main shop's
// product data would put that old barcode back into the backend, for good
// if the later echo is lost and falls in the same second (the sweep then
// sees no newer updated-at time). So the engine keeps, in the Store's versions
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
