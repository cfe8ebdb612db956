package sync

import (
	"context"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// VersionBatcher is an optional capability of a [VersionStore]: the
// versions of many entities read, and compare-and-swapped, in one round
// trip each. The engine applies a page of a product import (up to a few
// hundred products) with two calls instead of two per product; without the
// capability it calls Version and SetVersion for each.
//
// Each entry behaves exactly as Version and SetVersion would for it, in
// order (two writes of one key with the same revision: the first wins).
// SetVersions is not all-or-nothing across entries: each write succeeds or
// loses its compare-and-swap on its own, and when SetVersions returns nil
// every write it reported ok is durable. On an error nothing is reported
// ok, and some writes may have been stored; the engine treats them as
// unknown and reads again.
//
// The in-memory, SQLite and PostgreSQL stores implement it; storetest
// checks it.
type VersionBatcher interface {
	// Versions returns the version and revision of each key, in the order
	// of keys (revision 0 for a key never stored).
	Versions(ctx context.Context, keys []EntityKey) ([]StoredVersion, error)
	// SetVersions applies each write as SetVersion would and returns
	// whether each was stored, in the order of writes.
	SetVersions(ctx context.Context, writes []VersionWrite) ([]bool, error)
}

// StoredVersion is a version as [VersionBatcher.Versions] returns it.
type StoredVersion struct {
	Version webhook.Version
	Rev     int64 // 0: never stored
}

// VersionWrite is one compare-and-swap of [VersionBatcher.SetVersions]:
// store Version for Key if its revision is still Rev.
type VersionWrite struct {
	Key     EntityKey
	Version webhook.Version
	Rev     int64
}

// versions reads the versions of keys, in one call when the store can.
func (e *Engine) versions(ctx context.Context, keys []EntityKey) ([]StoredVersion, error) {
	if vb, ok := e.store.(VersionBatcher); ok && len(keys) > 1 {
		return vb.Versions(ctx, keys)
	}
	out := make([]StoredVersion, len(keys))
	for i, k := range keys {
		v, rev, err := e.store.Version(ctx, k)
		if err != nil {
			return nil, err
		}
		out[i] = StoredVersion{Version: v, Rev: rev}
	}
	return out, nil
}

// setVersions stores writes, in one call when the store can.
func (e *Engine) setVersions(ctx context.Context, writes []VersionWrite) ([]bool, error) {
	if vb, ok := e.store.(VersionBatcher); ok && len(writes) > 1 {
		return vb.SetVersions(ctx, writes)
	}
	out := make([]bool, len(writes))
	for i, w := range writes {
		ok, err := e.store.SetVersion(ctx, w.Key, w.Version, w.Rev)
		if err != nil {
			return nil, err
		}
		out[i] = ok
	}
	return out, nil
}
