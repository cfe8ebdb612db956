package memstore

import (
	"context"
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
