package postgres

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
// lease whose owner died expires after ttl, and another process takes over
// from the task's checkpoint. Renew well before ttl runs out (every ttl/3).
// Expiry is judged by the database's clock, which all processes share.
//
// It implements [wmssync.Leaser]; the engine names its leases
// "step/SHOP/STEP" and "sweep/SHOP".
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if name == "" || owner == "" || ttl <= 0 {
		return false, fmt.Errorf("postgres store: acquire lease: want a name, an owner and a positive ttl")
	}
	tag, err := s.pool.Exec(ctx, s.q(`INSERT INTO wmsbridge_leases AS l (name, owner, expires_at)
		VALUES ($2, $3, `+nowSQL+` + $4::bigint * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
		WHERE l.owner = EXCLUDED.owner OR l.expires_at <= `+nowSQL),
		s.now(), name, owner, ttl.Microseconds())
	if err != nil {
		return false, wrap("acquire lease", err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease frees the named lease if owner holds it; otherwise it does
// nothing. It returns nil in both cases.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_leases WHERE name = $1 AND owner = $2`), name, owner)
	return wrap("release lease", err)
}

// LeaseHolder returns the owner of the named lease and when it expires, or
// "" and the zero time if nobody holds it (an expired lease counts as
// free).
func (s *Store) LeaseHolder(ctx context.Context, name string) (string, time.Time, error) {
	var (
		owner string
		exp   time.Time
	)
	err := s.pool.QueryRow(ctx, s.q(`SELECT owner, expires_at FROM wmsbridge_leases
		WHERE name = $2 AND expires_at > `+nowSQL), s.now(), name).Scan(&owner, &exp)
	if isNoRows(err) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, wrap("lease holder", err)
	}
	return owner, exp.UTC(), nil
}
