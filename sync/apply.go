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

// applyMode says when data is written: always unless older than what was
// applied (the import: a re-run rewrites, so changed settings take
// effect), or only when strictly newer (webhooks and sweeps: a redelivery
// writes nothing).
type applyMode int

const (
	applyIfNewer applyMode = iota
	applyUnlessStale
)

func (m applyMode) wants(v, applied webhook.Version) bool {
	if m == applyUnlessStale {
		return !v.Stale(applied)
	}
	return v.Supersedes(applied)
}

// merge returns the version to store after applying v over applied: v's
// times, keeping applied's where v has none, so a later delivery can still
// be compared on the clock it carries.
func merge(applied, v webhook.Version) webhook.Version {
	if v.UpdatedAt.IsZero() {
		v.UpdatedAt = applied.UpdatedAt
	}
	if v.TriggeredAt.IsZero() {
		v.TriggeredAt = applied.TriggeredAt
	}
	return v
}

// maxConflicts bounds the re-reads after lost compare-and-swaps (another
// process applied the same entity meanwhile).
const maxConflicts = 3

// versioned is one entity to apply with its version.
type versioned[T any] struct {
	item T
	key  EntityKey
	v    webhook.Version
	rev  int64
	prev webhook.Version
}

// toWMSProduct finishes a connector's product for the backend.
// It returns ok=false for a product the backend cannot take, after logging
// why.
func (e *Engine) toWMSProduct(ctx context.Context, s Settings, p Product) (wms.Product, bool) {
	wp := p.Product.Clone()
	wp.Shop, wp.Main = s.Shop, s.Main
	if s.VendorAsSupplier {
		wp.Brand, wp.Supplier = "", p.Vendor
	} else {
		wp.Brand, wp.Supplier = p.Vendor, ""
	}
	seen := map[string]bool{}
	wp.Variants = slices.DeleteFunc(wp.Variants, func(v wms.Variant) bool {
		if v.SKU == "" || seen[v.SKU] {
			if v.SKU != "" {
				e.log.LogAttrs(ctx, slog.LevelWarn, "variant left out: SKU already used by another variant of the product",
					slog.String("shop", s.Shop), slog.String("product", wp.ExternalID), slog.String("sku", v.SKU))
			}
			return true
		}
		seen[v.SKU] = true
		return false
	})
	if err := wp.Validate(); err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "product left out: invalid for the warehouse",
			slog.String("shop", s.Shop), slog.String("product", wp.ExternalID), slog.String("error", err.Error()))
		return wp, false
	}
	return wp, true
}

// applyProducts writes products of one shop to the backend, each only if
// its version wins (see applyMode), and records the versions. With
// withStock it also imports their stock at mapped locations. It returns the
// number of products written.
func (e *Engine) applyProducts(ctx context.Context, s Settings, conn Connector, ps []Product,
	versions []webhook.Version, mode applyMode, withStock bool) (int, error) {
	var todo []versioned[Product]
	var keys []string
	for i, p := range ps {
		k := EntityKey{Shop: s.Shop, Kind: KindProduct, ID: p.ExternalID}
		v := webhook.Version{UpdatedAt: p.UpdatedAt}
		if versions != nil {
			v = versions[i]
		}
		todo = append(todo, versioned[Product]{item: p, key: k, v: v})
		keys = append(keys, k.String())
	}
	unlock := e.lockAll(keys)
	defer unlock()

	var write []versioned[Product]
	var batch []wms.Product
	vkeys := make([]EntityKey, len(todo))
	for i, t := range todo {
		vkeys[i] = t.key
	}
	stored, err := e.versions(ctx, vkeys)
	if err != nil {
		return 0, fmt.Errorf("sync: read versions of %d products of %s: %w", len(vkeys), s.Shop, err)
	}
	for i, t := range todo {
		applied, rev := stored[i].Version, stored[i].Rev
		if !mode.wants(t.v, applied) {
			continue
		}
		wp, ok := e.toWMSProduct(ctx, s, t.item)
		if !ok {
			continue
		}
		t.rev, t.prev = rev, applied
		write = append(write, t)
		batch = append(batch, wp)
	}
	updated := make([]time.Time, len(write))
	for i, t := range write {
		updated[i] = t.item.UpdatedAt
	}
	if err := e.keepSentBarcodes(ctx, s.Shop, batch, updated); err != nil {
		return 0, err
	}
	for chunk := range slices.Chunk(batch, e.cfg.BatchSize) {
		if err := e.backend.UpsertProducts(ctx, chunk); err != nil {
			return 0, fmt.Errorf("sync: upsert %d products of %s: %w", len(chunk), s.Shop, err)
		}
	}
	if withStock && len(write) > 0 {
		if err := e.importStock(ctx, s, write); err != nil {
			return 0, err
		}
	}
	var conflicts []string
	writes := make([]VersionWrite, len(write))
	for i, t := range write {
		writes[i] = VersionWrite{Key: t.key, Version: merge(t.prev, t.v), Rev: t.rev}
	}
	oks, err := e.setVersions(ctx, writes)
	if err != nil {
		return 0, fmt.Errorf("sync: record versions of %d products of %s: %w", len(writes), s.Shop, err)
	}
	for i, ok := range oks {
		if !ok {
			conflicts = append(conflicts, write[i].key.ID)
		}
	}
	e.stats.products.Add(uint64(len(write)))
	if len(conflicts) > 0 {
		unlock() // forceProduct locks each key again
		if err := e.refreshProducts(ctx, s, conn, conflicts); err != nil {
			return len(write), err
		}
	}
	return len(write), nil
}

// refreshProducts re-reads products whose version another writer changed
// while this one applied them, and applies the shop's current data, so
// the backend ends with the newest data whoever wrote last.
func (e *Engine) refreshProducts(ctx context.Context, s Settings, conn Connector, ids []string) error {
	e.log.LogAttrs(ctx, slog.LevelInfo, "product versions changed concurrently; re-reading",
		slog.String("shop", s.Shop), slog.Int("products", len(ids)))
	for attempt := 0; attempt < maxConflicts; attempt++ {
		current, err := readAll(ctx, func(ctx context.Context, cursor string) (Page[Product], error) {
			return conn.Products(ctx, ProductQuery{IDs: ids}, cursor)
		})
		if err != nil {
			return fmt.Errorf("sync: re-read products of %s: %w", s.Shop, err)
		}
		var again []string
		for _, p := range current {
			key := EntityKey{Shop: s.Shop, Kind: KindProduct, ID: p.ExternalID}
			ok, err := e.forceProduct(ctx, s, key, p)
			if err != nil {
				return err
			}
			if !ok {
				again = append(again, p.ExternalID)
			}
		}
		if len(again) == 0 {
			return nil
		}
		ids = again
	}
	return fmt.Errorf("sync: products of %s kept changing concurrently: %v", s.Shop, ids)
}

// forceProduct writes the shop's current product and bumps its version if
// no other writer moved it meanwhile.
func (e *Engine) forceProduct(ctx context.Context, s Settings, key EntityKey, p Product) (bool, error) {
	unlock := e.locks.Lock(key.String())
	defer unlock()
	applied, rev, err := e.store.Version(ctx, key)
	if err != nil {
		return false, err
	}
	wp, ok := e.toWMSProduct(ctx, s, p)
	if ok {
		if err := e.keepSentBarcodes(ctx, s.Shop, []wms.Product{wp}, []time.Time{p.UpdatedAt}); err != nil {
			return false, err
		}
		if err := e.backend.UpsertProducts(ctx, []wms.Product{wp}); err != nil {
			return false, err
		}
	}
	return e.store.SetVersion(ctx, key, merge(applied, webhook.Version{UpdatedAt: p.UpdatedAt}), rev)
}

// importStock sets the warehouse's on-hand stock from the shop's stock at
// mapped locations, summing locations mapped to one warehouse.
func (e *Engine) importStock(ctx context.Context, s Settings, ps []versioned[Product]) error {
	si, ok := e.backend.(wms.StockImporter)
	if !ok {
		return nil
	}
	type key struct{ sku, wh string }
	pl := e.places(s)
	sum := map[key]int64{}
	var order []key
	for _, t := range ps {
		skus := map[string]bool{}
		for _, v := range t.item.Variants {
			skus[v.SKU] = true
		}
		for _, ls := range t.item.Stock {
			wh, mapped, err := pl.warehouse(ctx, ls.LocationID)
			if err != nil {
				return err
			}
			if !mapped || !skus[ls.SKU] {
				continue
			}
			k := key{ls.SKU, wh}
			if _, seen := sum[k]; !seen {
				order = append(order, k)
			}
			sum[k] += ls.OnHand
		}
	}
	if len(order) == 0 {
		return nil
	}
	levels := make([]wms.StockLevel, 0, len(order))
	for _, k := range order {
		levels = append(levels, wms.StockLevel{SKU: k.sku, Warehouse: k.wh, OnHand: sum[k]})
	}
	err := si.ImportStock(ctx, levels)
	var nf *wms.NotFoundError
	switch {
	case err == nil, errors.Is(err, wms.ErrNotSupported):
		return nil
	case errors.As(err, &nf):
		e.log.LogAttrs(ctx, slog.LevelWarn, "stock not imported for unknown keys",
			slog.String("shop", s.Shop), slog.String("error", err.Error()))
		return nil
	}
	return fmt.Errorf("sync: import stock of %s: %w", s.Shop, err)
}

// lockAll locks the keys in sorted order (no deadlock between batches) and
// returns a function unlocking them all once.
func (e *Engine) lockAll(keys []string) func() {
	keys = slices.Clone(keys)
	slices.Sort(keys)
	keys = slices.Compact(keys)
	unlocks := make([]func(), 0, len(keys))
	for _, k := range keys {
		unlocks = append(unlocks, e.locks.Lock(k))
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		for _, u := range slices.Backward(unlocks) {
			u()
		}
	}
}

// readAll reads every page of a (small) listing.
func readAll[T any](ctx context.Context, fetch func(ctx context.Context, cursor string) (Page[T], error)) ([]T, error) {
	var out []T
	cursor := ""
	for {
		pg, err := fetch(ctx, cursor)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Next == "" || pg.Next == cursor {
			return out, nil
		}
		cursor = pg.Next
	}
}
