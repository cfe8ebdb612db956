package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.VersionPruner = (*Store)(nil)

// PruneVersions implements [wmssync.VersionPruner]. It walks the versions
// under the Store's mutex, so a call costs one pass over the versions of
// every kind; limit bounds the rows it deletes, not the pass.
func (s *Store) PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, r := range s.versions {
		if n >= limit {
			break
		}
		if k.Kind == kind && r.v.UpdatedAt.Before(before) && r.v.TriggeredAt.Before(before) {
			delete(s.versions, k)
			n++
		}
	}
	return n, nil
}

var _ wmssync.VersionLister = (*Store)(nil)

// ListVersions implements [wmssync.VersionLister]. It walks the versions
// under the Store's mutex, so a call costs one pass over the versions of
// every kind.
func (s *Store) ListVersions(ctx context.Context, shop, kind, after string, limit int) ([]wmssync.ListedVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	s.mu.Lock()
	var out []wmssync.ListedVersion
	for k, r := range s.versions {
		if k.Shop == shop && k.Kind == kind && k.ID > after {
			out = append(out, wmssync.ListedVersion{ID: k.ID, Version: r.v, Rev: r.rev})
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b wmssync.ListedVersion) int { return strings.Compare(a.ID, b.ID) })
	return out[:min(limit, len(out))], nil
}
