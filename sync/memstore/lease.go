package memstore

import (
	"context"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.Leaser = (*Store)(nil)

type lease struct {
	owner   string
	expires time.Time
}

// AcquireLease implements [wmssync.Leaser]. Leases in memory only matter
// to several engines sharing one Store in one process (tests, examples).
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if l, ok := s.leases[name]; ok && l.owner != owner && now.Before(l.expires) {
		return false, nil
	}
	s.leases[name] = lease{owner: owner, expires: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements [wmssync.Leaser].
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.owner == owner {
		delete(s.leases, name)
	}
	return nil
}
