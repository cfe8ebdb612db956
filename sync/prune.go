package sync

import (
	"context"
	"log/slog"
	"time"
)

// VersionPruner is an optional capability of a [Store]: deleting old rows
// of the [VersionStore], which otherwise grows by one row per order for
// ever. With it, [Engine.Run] deletes the versions of orders and products
// older than [Config.VersionRetention] once a day; without it, nothing is
// pruned.
//
// The in-memory, SQLite and PostgreSQL stores implement it; storetest
// checks it.
type VersionPruner interface {
	// PruneVersions deletes up to limit version rows of the given kind
	// whose newest time (the later of UpdatedAt and TriggeredAt; a zero
	// time counts as older than any) is before before, and returns how
	// many it deleted. Rows of other kinds, and rows with either time at
	// or after before, stay. A deleted key reads as never stored (zero
	// Version, revision 0), so a SetVersion holding the old revision
	// returns ok=false and the next one with revision 0 creates the key
	// again. limit <= 0 deletes nothing. Each call is one short write
	// (a batch); call it again until it returns fewer than limit. Safe
	// for concurrent use with every other method; idempotent.
	PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error)
}

// Defaults and bounds of Config.VersionRetention.
const (
	// DefaultVersionRetention is how long the versions of orders and
	// products are kept after their newest time.
	DefaultVersionRetention = 90 * 24 * time.Hour
	// MinVersionRetention is the shortest positive VersionRetention
	// NewEngine accepts: well above the time shop systems retry a webhook
	// (a day or two at most).
	MinVersionRetention = 7 * 24 * time.Hour
)

// versionPruneInterval is the pause between two prunings in Run;
// versionPruneBatch the rows deleted per PruneVersions call.
const (
	versionPruneInterval = 24 * time.Hour
	versionPruneBatch    = 1000
)

// prunedKinds are the version kinds Run prunes. Barcode marks
// (kindBarcodeSent, kindBarcodeShop) are never pruned: there is at most
// one per SKU and shop, so they do not grow with the order volume, and a
// mark whose message is pending (dead-lettered messages stay pending until
// they are replayed) may be arbitrarily old yet still decide which barcode
// wins (sentBarcodeWins); the shop's gate mark, written once, is needed as
// long as any mark of the shop is. Deletion marks (tombstone.go) are: a
// restored one is zero, and a confirmed one's newest time is its last
// check, so it goes once checks are further apart than the retention.
var prunedKinds = [...]string{KindOrder, KindProduct, kindOrderGone, kindProductGone}

// runPrune prunes old versions at once and then every day until ctx ends,
// when the Store is a [VersionPruner] and retention is enabled.
func (e *Engine) runPrune(ctx context.Context) {
	if _, ok := e.store.(VersionPruner); !ok || e.cfg.VersionRetention < 0 {
		return
	}
	e.pruneVersions(ctx)
	e.every(ctx, versionPruneInterval, e.pruneVersions)
}

// pruneVersions deletes the versions of orders and products whose newest
// time is older than Config.VersionRetention, in batches, until a batch
// deletes fewer than a full one. With a [Leaser] store, one engine of
// several sharing the Store prunes at a time (lease "prune/versions");
// pruning twice would be harmless, only wasted work. Failures are logged
// and retried at the next tick.
func (e *Engine) pruneVersions(ctx context.Context) {
	p, ok := e.store.(VersionPruner)
	if !ok || ctx.Err() != nil {
		return
	}
	lctx, release, held, err := e.holdLease(ctx, "prune/versions")
	if err != nil || !held {
		if err != nil && ctx.Err() == nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "version pruning: lease", slog.String("error", err.Error()))
		}
		return
	}
	defer release()
	before := e.now().Add(-e.cfg.VersionRetention)
	for _, kind := range prunedKinds {
		total := 0
		for {
			n, err := p.PruneVersions(lctx, kind, before, versionPruneBatch)
			total += n
			if err != nil {
				if lctx.Err() == nil {
					e.log.LogAttrs(ctx, slog.LevelError, "version pruning failed", slog.String("kind", kind),
						slog.Int("deleted", total), slog.String("error", err.Error()))
				}
				return
			}
			if n < versionPruneBatch {
				break
			}
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "versions pruned", slog.String("kind", kind),
			slog.Int("deleted", total), slog.Time("before", before))
	}
}
