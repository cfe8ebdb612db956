package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/sync/store/internal/credrow"
)

var (
	_ credential.Store  = (*Store)(nil)
	_ credential.Locker = (*Store)(nil)
)

// WithCredentialSealer seals the access and refresh tokens of stored
// credentials with sealer (see [credential.Sealer]); without it they are
// kept in plain text in the database file, and protecting the file (disk
// encryption, permissions, backups) is the host's job. Credentials sealed
// once can only be read with the same Sealer.
func WithCredentialSealer(sealer credential.Sealer) Option {
	return func(o *options) { o.sealer = sealer }
}

// LoadCredentials implements [credential.Store].
func (s *Store) LoadCredentials(ctx context.Context, shop string) (credential.Credentials, error) {
	c := credential.Credentials{Shop: shop}
	if err := s.checkOpen(); err != nil {
		return c, err
	}
	var (
		blob           []byte
		expiry, rexpir sql.NullInt64
	)
	err := s.r.QueryRowContext(ctx, `SELECT secrets, scope, expiry, refresh_expiry, revision FROM wmsbridge_credentials WHERE shop = ?`, shop).
		Scan(&blob, &c.Scope, &expiry, &rexpir, &c.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return credential.Credentials{}, fmt.Errorf("sqlite store: credentials of %q: %w", shop, credential.ErrNotFound)
	}
	if err != nil {
		return credential.Credentials{}, wrap("load credentials", err)
	}
	c.Expiry, c.RefreshExpiry = fromMicro(expiry), fromMicro(rexpir)
	if err := credrow.Open(ctx, s.sealer, &c, blob); err != nil {
		return credential.Credentials{}, fmt.Errorf("sqlite store: load credentials: %w", err)
	}
	return c, nil
}

// SaveCredentials implements [credential.Store] with a conditional insert
// (revision 0) or update.
func (s *Store) SaveCredentials(ctx context.Context, c credential.Credentials) (int64, error) {
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	if err := credential.Validate(c); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	blob, err := credrow.Seal(ctx, s.sealer, c)
	if err != nil {
		return 0, fmt.Errorf("sqlite store: save credentials: %w", err)
	}
	var n int64
	if c.Revision == 0 {
		n, err = s.exec(ctx, `INSERT INTO wmsbridge_credentials (shop, secrets, scope, expiry, refresh_expiry, revision, updated_at)
			VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
			c.Shop, blob, c.Scope, micro(c.Expiry), micro(c.RefreshExpiry), s.now().UnixMicro())
	} else {
		n, err = s.exec(ctx, `UPDATE wmsbridge_credentials SET secrets = ?, scope = ?, expiry = ?, refresh_expiry = ?,
			revision = revision + 1, updated_at = ? WHERE shop = ? AND revision = ?`,
			blob, c.Scope, micro(c.Expiry), micro(c.RefreshExpiry), s.now().UnixMicro(), c.Shop, c.Revision)
	}
	if err != nil {
		return 0, wrap("save credentials", err)
	}
	if n != 1 {
		return 0, fmt.Errorf("sqlite store: credentials of %q are no longer at revision %d: %w", c.Shop, c.Revision, credential.ErrConflict)
	}
	return c.Revision + 1, nil
}

// DeleteCredentials implements [credential.Store].
func (s *Store) DeleteCredentials(ctx context.Context, shop string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	_, err := s.exec(ctx, `DELETE FROM wmsbridge_credentials WHERE shop = ?`, shop)
	return wrap("delete credentials", err)
}
