package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Deletions and restores.
//
// A shop signs only a webhook's body, not its topic, so a captured body can
// come back under another topic (an orders/create body as orders/delete).
// The engine therefore applies no deletion on a webhook's word alone: it
// asks the shop first (presence), and when the shop still has the entity,
// applies the shop's entity instead. A deletion is not final either: other
// shop systems restore from a trash, and a shop's read can lag. So the
// engine keeps a mark for every entity it deleted (a tombstone, stored as a
// version of kind kindOrderGone or kindProductGone: TriggeredAt when it
// deleted it, UpdatedAt when the shop last confirmed it gone; the zero
// version once restored), brings an entity back whenever the shop shows it
// again, and re-checks its marks in the reconciliation sweep, at doubling
// intervals, so an entity the shop still has is restored even when nothing
// changes it. A webhook body alone does not bring a deleted entity back
// either: the shop is asked, as for a deletion.
const (
	kindOrderGone   = "order-gone"
	kindProductGone = "product-gone"
)

// VersionLister is an optional capability of a [Store]: listing the
// versions of one shop and kind. The reconciliation sweep lists the
// engine's deletion marks with it, to check each against the shop and
// restore what the shop still has (a deletion whose confirming read raced
// with a restore, an entity restored from a shop's trash without a change
// the sweep would list). Without it, a wrongly deleted entity comes back
// only when the shop changes it again.
//
// The in-memory, SQLite and PostgreSQL stores implement it; storetest
// checks it.
type VersionLister interface {
	// ListVersions returns up to limit versions of shop and kind whose id
	// sorts after after ("" lists from the first), in ascending byte order
	// of the id. limit <= 0 returns nothing.
	ListVersions(ctx context.Context, shop, kind, after string, limit int) ([]ListedVersion, error)
}

// ListedVersion is one entry of [VersionLister.ListVersions].
type ListedVersion struct {
	ID      string
	Version webhook.Version
	Rev     int64
}

// markGone records that the engine deleted the entity (kind is
// kindOrderGone or kindProductGone), at the engine's clock.
func (e *Engine) markGone(ctx context.Context, shop, kind, id string) error {
	now := e.now().UTC().Truncate(time.Microsecond)
	return e.setMark(ctx, EntityKey{Shop: shop, Kind: kind, ID: id}, func(webhook.Version) webhook.Version {
		return webhook.Version{UpdatedAt: now, TriggeredAt: now}
	})
}

// clearGone forgets the deletion mark of a restored entity.
func (e *Engine) clearGone(ctx context.Context, shop, kind, id string) error {
	return e.setMark(ctx, EntityKey{Shop: shop, Kind: kind, ID: id}, func(webhook.Version) webhook.Version {
		return webhook.Version{}
	})
}

// setMark writes change(current) to key, retrying lost compare-and-swaps;
// a key never stored and a zero result write nothing.
func (e *Engine) setMark(ctx context.Context, key EntityKey, change func(webhook.Version) webhook.Version) error {
	for range maxConflicts + 1 {
		v, rev, err := e.store.Version(ctx, key)
		if err != nil {
			return fmt.Errorf("sync: read deletion mark %s: %w", key, err)
		}
		nv := change(v)
		if nv == v || (rev == 0 && nv.IsZero()) {
			return nil
		}
		ok, err := e.store.SetVersion(ctx, key, nv, rev)
		if err != nil {
			return fmt.Errorf("sync: write deletion mark %s: %w", key, err)
		}
		if ok {
			return nil
		}
	}
	return fmt.Errorf("sync: deletion mark %s kept changing concurrently", key)
}

// productGone reports whether the engine deleted the product and has not
// restored it since.
func (e *Engine) productGone(ctx context.Context, shop, id string) (bool, error) {
	v, _, err := e.store.Version(ctx, EntityKey{Shop: shop, Kind: kindProductGone, ID: id})
	if err != nil {
		return false, fmt.Errorf("sync: read deletion mark of product %s of %s: %w", id, shop, err)
	}
	return !v.IsZero(), nil
}

// orderGone reports whether the backend holds the order as deleted.
func (e *Engine) orderGone(ctx context.Context, shop, id string) (bool, error) {
	cur, err := e.backend.Order(ctx, wms.OrderKey{Shop: shop, ExternalID: id})
	switch {
	case errors.Is(err, wms.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sync: read order %s of %s: %w", id, shop, err)
	}
	return cur.Status == wms.OrderDeleted, nil
}

// deleteOrder applies an order deletion the shop confirms: while the shop
// still has the order, the deletion is refused and the shop's order is
// applied instead.
func (e *Engine) deleteOrder(ctx context.Context, s Settings, conn Connector, ch Change) (outcome, error) {
	live, found, err := e.orderPresence.ask(ctx, s.Shop, conn, ch.ID)
	if err != nil {
		return outIgnored, fmt.Errorf("sync: confirm deletion of order %s of %s: %w", ch.ID, s.Shop, err)
	}
	if found {
		e.stats.deletionsRefused.Add(1)
		e.log.LogAttrs(ctx, slog.LevelWarn, "deletion refused: the shop still has the order; applying the shop's order",
			slog.String("shop", s.Shop), slog.String("order", ch.ID))
		return e.applyOrder(ctx, s, conn, live, webhook.Version{UpdatedAt: live.UpdatedAt}, true)
	}
	o := Order{Order: wms.Order{ExternalID: ch.ID, Status: wms.OrderDeleted}}
	return e.applyOrder(ctx, s, conn, o, ch.Version, true)
}

// deleteProduct applies a product deletion the shop confirms (see
// deleteOrder): the backend's listings of the product go and the product
// is marked deleted.
func (e *Engine) deleteProduct(ctx context.Context, s Settings, conn Connector, ch Change) (outcome, error) {
	live, found, err := e.productPresence.ask(ctx, s.Shop, conn, ch.ID)
	if err != nil {
		return outIgnored, fmt.Errorf("sync: confirm deletion of product %s of %s: %w", ch.ID, s.Shop, err)
	}
	if found {
		e.stats.deletionsRefused.Add(1)
		e.log.LogAttrs(ctx, slog.LevelWarn, "deletion refused: the shop still has the product; applying the shop's product",
			slog.String("shop", s.Shop), slog.String("product", ch.ID))
		return e.applyShopProduct(ctx, s, conn, live)
	}
	key := EntityKey{Shop: s.Shop, Kind: KindProduct, ID: ch.ID}
	unlock := e.locks.Lock(key.String())
	defer unlock()
	applied, rev, err := e.store.Version(ctx, key)
	if err != nil {
		return outIgnored, err
	}
	if !ch.Version.Supersedes(applied) {
		return outStale, nil
	}
	if d, ok := e.backend.(wms.ProductDeleter); ok {
		err := d.DeleteProduct(ctx, wms.ProductRef{Shop: s.Shop, ExternalID: ch.ID})
		if err != nil && !errors.Is(err, wms.ErrNotSupported) {
			return outIgnored, fmt.Errorf("sync: delete product %s of %s: %w", ch.ID, s.Shop, err)
		}
	}
	if err := e.markGone(ctx, s.Shop, kindProductGone, ch.ID); err != nil {
		return outIgnored, err
	}
	if _, err := e.store.SetVersion(ctx, key, merge(applied, ch.Version), rev); err != nil {
		return outIgnored, err
	}
	// A lost race here is harmless: the shop confirmed the deletion, and
	// the mark brings the product back if the shop shows it again.
	return outApplied, nil
}

// applyShopProduct applies a product as the shop has it now (read by id):
// a product the engine had deleted is restored even when its version is the
// one applied before the deletion.
func (e *Engine) applyShopProduct(ctx context.Context, s Settings, conn Connector, p Product) (outcome, error) {
	gone, err := e.productGone(ctx, s.Shop, p.ExternalID)
	if err != nil {
		return outIgnored, err
	}
	mode := applyIfNewer
	if gone {
		mode = applyUnlessStale
	}
	n, err := e.applyProducts(ctx, s, conn, []Product{p}, nil, mode, false)
	if err != nil {
		return outIgnored, err
	}
	if gone && n > 0 {
		if err := e.clearGone(ctx, s.Shop, kindProductGone, p.ExternalID); err != nil {
			return outIgnored, err
		}
		e.stats.restored.Add(1)
		e.log.LogAttrs(ctx, slog.LevelWarn, "deleted product restored: the shop has it",
			slog.String("shop", s.Shop), slog.String("product", p.ExternalID))
	}
	if n == 0 {
		return outStale, nil
	}
	return outApplied, nil
}

// Deletion marks are re-checked at doubling intervals after the deletion:
// at the first sweep, then once as much time has passed since the last
// check as between the deletion and that check, so a mark costs a few
// dozen reads over its life (marks go with the versions they shadow, after
// Config.VersionRetention).
func recheckDue(mark webhook.Version, now time.Time) bool {
	if mark.IsZero() {
		return false
	}
	return now.Sub(mark.UpdatedAt) >= mark.UpdatedAt.Sub(mark.TriggeredAt)
}

// markListPage is how many marks a sweep lists per store call.
const markListPage = 500

// recheckDeletions checks the due deletion marks of a shop's orders and
// products against the shop, restores what the shop still has (counted in
// res), and records the others as confirmed.
func (e *Engine) recheckDeletions(ctx context.Context, s Settings, conn Connector, res *SweepResult) error {
	lister, ok := e.store.(VersionLister)
	if !ok {
		return nil
	}
	for _, kind := range []string{kindOrderGone, kindProductGone} {
		after := ""
		for {
			marks, err := lister.ListVersions(ctx, s.Shop, kind, after, markListPage)
			if err != nil {
				return fmt.Errorf("list deletion marks: %w", err)
			}
			now := e.now()
			var due []string
			for _, m := range marks {
				if recheckDue(m.Version, now) {
					due = append(due, m.ID)
				}
			}
			for ids := range slices.Chunk(due, presenceBatch) {
				if err := e.recheck(ctx, s, conn, kind, ids, res); err != nil {
					return err
				}
			}
			if len(marks) < markListPage {
				break
			}
			after = marks[len(marks)-1].ID
		}
	}
	return nil
}

// recheck asks the shop about the deleted entities ids of kind and
// restores those it has.
func (e *Engine) recheck(ctx context.Context, s Settings, conn Connector, kind string, ids []string, res *SweepResult) error {
	present := map[string]bool{}
	switch kind {
	case kindOrderGone:
		live, err := readAll(ctx, func(ctx context.Context, cursor string) (Page[Order], error) {
			return conn.Orders(ctx, OrderQuery{IDs: ids}, cursor)
		})
		if err != nil {
			return fmt.Errorf("re-check deleted orders: %w", err)
		}
		for _, o := range live {
			present[o.ExternalID] = true
			out, err := e.applyOrder(ctx, s, conn, o, webhook.Version{UpdatedAt: o.UpdatedAt}, true)
			if err != nil {
				return err
			}
			if out == outApplied {
				res.OrdersRestored++
			}
		}
	case kindProductGone:
		live, err := readAll(ctx, func(ctx context.Context, cursor string) (Page[Product], error) {
			return conn.Products(ctx, ProductQuery{IDs: ids}, cursor)
		})
		if err != nil {
			return fmt.Errorf("re-check deleted products: %w", err)
		}
		for _, p := range live {
			present[p.ExternalID] = true
			out, err := e.applyShopProduct(ctx, s, conn, p)
			if err != nil {
				return err
			}
			if out == outApplied {
				res.ProductsRestored++
			}
		}
	}
	now := e.now().UTC().Truncate(time.Microsecond)
	for _, id := range ids {
		if present[id] {
			// Restored, or not restorable now (an order of a location
			// the warehouse does not serve): its mark was cleared, or
			// stays to be checked again.
			continue
		}
		err := e.setMark(ctx, EntityKey{Shop: s.Shop, Kind: kind, ID: id}, func(v webhook.Version) webhook.Version {
			if v.IsZero() {
				return v // restored meanwhile
			}
			v.UpdatedAt = now
			return v
		})
		if err != nil {
			return err
		}
	}
	return nil
}
