package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/sync/store/internal/credrow"
)

var (
	_ credential.Store  = (*Store)(nil)
	_ credential.Locker = (*Store)(nil)
)

// WithCredentialSealer seals the access and refresh tokens of stored
// credentials with sealer (see [credential.Sealer]); without it they are
// kept in plain text in the database, and protecting it (encryption at
// rest, access rights, backups) is the host's job. Credentials sealed once
// can only be read with the same Sealer.
func WithCredentialSealer(sealer credential.Sealer) Option {
	return func(o *options) { o.sealer = sealer }
}

// LoadCredentials implements [credential.Store].
func (s *Store) LoadCredentials(ctx context.Context, shop string) (credential.Credentials, error) {
	c := credential.Credentials{Shop: shop}
	var (
		blob           []byte
		expiry, rexpir pgtype.Timestamptz
	)
	err := s.pool.QueryRow(ctx, s.q(`SELECT secrets, scope, expiry, refresh_expiry, revision FROM wmsbridge_credentials WHERE shop = $1`), shop).
		Scan(&blob, &c.Scope, &expiry, &rexpir, &c.Revision)
	if isNoRows(err) {
		return credential.Credentials{}, fmt.Errorf("postgres store: credentials of %q: %w", shop, credential.ErrNotFound)
	}
	if err != nil {
		return credential.Credentials{}, wrap("load credentials", err)
	}
	c.Expiry, c.RefreshExpiry = fromTS(expiry), fromTS(rexpir)
	if err := credrow.Open(ctx, s.sealer, &c, blob); err != nil {
		return credential.Credentials{}, fmt.Errorf("postgres store: load credentials: %w", err)
	}
	return c, nil
}

// SaveCredentials implements [credential.Store] with a conditional insert
// (revision 0) or update. Under READ COMMITTED a concurrent update of the
// row waits for the first to commit and then finds the revision moved on,
// so exactly one of them succeeds.
func (s *Store) SaveCredentials(ctx context.Context, c credential.Credentials) (int64, error) {
	if err := credential.Validate(c); err != nil {
		return 0, err
	}
	blob, err := credrow.Seal(ctx, s.sealer, c)
	if err != nil {
		return 0, fmt.Errorf("postgres store: save credentials: %w", err)
	}
	var tag pgconn.CommandTag
	if c.Revision == 0 {
		tag, err = s.pool.Exec(ctx, s.q(`INSERT INTO wmsbridge_credentials (shop, secrets, scope, expiry, refresh_expiry, revision, updated_at)
			VALUES ($2, $3, $4, $5, $6, 1, `+nowSQL+`) ON CONFLICT DO NOTHING`),
			s.now(), c.Shop, blob, c.Scope, ts(c.Expiry), ts(c.RefreshExpiry))
	} else {
		tag, err = s.pool.Exec(ctx, s.q(`UPDATE wmsbridge_credentials SET secrets = $3, scope = $4, expiry = $5, refresh_expiry = $6,
			revision = revision + 1, updated_at = `+nowSQL+` WHERE shop = $2 AND revision = $7`),
			s.now(), c.Shop, blob, c.Scope, ts(c.Expiry), ts(c.RefreshExpiry), c.Revision)
	}
	if err != nil {
		return 0, wrap("save credentials", err)
	}
	if tag.RowsAffected() != 1 {
		return 0, fmt.Errorf("postgres store: credentials of %q are no longer at revision %d: %w", c.Shop, c.Revision, credential.ErrConflict)
	}
	return c.Revision + 1, nil
}

// DeleteCredentials implements [credential.Store].
func (s *Store) DeleteCredentials(ctx context.Context, shop string) error {
	_, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_credentials WHERE shop = $1`), shop)
	return wrap("delete credentials", err)
}
