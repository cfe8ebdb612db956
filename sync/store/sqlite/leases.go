package sqlite

import (
	"context"
	"fmt"
	"time"
)

// AcquireLease takes the named lease for owner until now+ttl and returns
// true if the lease is free, expired, or already held by owner (then it is
// renewed). It returns false, with a nil error, while another owner holds
// an unexpired lease. Name a lease per shop and long task, such as
// "MyShopDK/products"; give each process (or engine) a unique owner. A
// lease whose owner died expires after ttl, and another owner takes over
// from the task's checkpoint. Renew well before ttl runs out (ttl/3).
//
// It implements [wmssync.Leaser]; the engine names its leases
// "step/SHOP/STEP" and "sweep/SHOP".
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if err := s.checkOpen(); err != nil {
		return false, err
	}
	if name == "" || owner == "" || ttl <= 0 {
		return false, fmt.Errorf("sqlite store: acquire lease: want a name, an owner and a positive ttl")
	}
	now := s.now()
	n, err := s.exec(ctx, `INSERT INTO wmsbridge_leases (name, owner, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
		WHERE wmsbridge_leases.owner = excluded.owner OR wmsbridge_leases.expires_at <= ?`,
		name, owner, now.Add(ttl).UnixMicro(), now.UnixMicro())
	if err != nil {
		return false, wrap("acquire lease", err)
	}
	return n == 1, nil
}

// ReleaseLease frees the named lease if owner holds it; otherwise it does
// nothing. It returns nil in both cases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	_, err := s.exec(ctx, `DELETE FROM wmsbridge_leases WHERE name = ? AND owner = ?`, name, owner)
	return wrap("release lease", err)
}

// LeaseHolder returns the owner of the named lease and when it expires, or
// "" and the zero time if nobody holds it (an expired lease counts as
// free).
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	if err := s.checkOpen(); err != nil {
		return "", time.Time{}, err
	}
	var (
		owner string
		exp   int64
	)
	err := s.r.QueryRowContext(ctx, `SELECT owner, expires_at FROM wmsbridge_leases WHERE name = ? AND expires_at > ?`,
		name, s.now().UnixMicro()).Scan(&owner, &exp)
	if err != nil {
		if isNoRows(err) {
			return "", time.Time{}, nil
		}
		return "", time.Time{}, wrap("lease holder", err)
	}
	return owner, time.UnixMicro(exp).UTC(), nil
}
