package sqlite

import (
	"context"
	"database/sql"
	"errors"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Version implements [wmssync.VersionStore].
func (s *Store) Version(ctx context.Context, key wmssync.EntityKey) (webhook.Version, int64, error) {
	if err := s.checkOpen(); err != nil {
		return webhook.Version{}, 0, err
	}
	var (
		upd, trig sql.NullInt64
		rev       int64
	)
	err := s.r.QueryRowContext(ctx, `SELECT updated_at, triggered_at, rev FROM wmsbridge_versions
		WHERE shop = ? AND kind = ? AND id = ?`, key.Shop, key.Kind, key.ID).Scan(&upd, &trig, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return webhook.Version{}, 0, nil
	}
	if err != nil {
		return webhook.Version{}, 0, wrap("version", err)
	}
	return webhook.Version{UpdatedAt: fromMicro(upd), TriggeredAt: fromMicro(trig)}, rev, nil
}

// SetVersion implements [wmssync.VersionStore] with a conditional insert
// (rev 0) or update (rev > 0).
func (s *Store) SetVersion(ctx context.Context, key wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	if err := s.checkOpen(); err != nil {
		return false, err
	}
	var (
		n   int64
		err error
	)
	if rev == 0 {
		n, err = s.exec(ctx, `INSERT INTO wmsbridge_versions (shop, kind, id, updated_at, triggered_at, rev)
			VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`,
			key.Shop, key.Kind, key.ID, micro(v.UpdatedAt), micro(v.TriggeredAt))
	} else {
		n, err = s.exec(ctx, `UPDATE wmsbridge_versions SET updated_at = ?, triggered_at = ?, rev = rev + 1
			WHERE shop = ? AND kind = ? AND id = ? AND rev = ?`,
			micro(v.UpdatedAt), micro(v.TriggeredAt), key.Shop, key.Kind, key.ID, rev)
	}
	if err != nil {
		return false, wrap("set version", err)
	}
	return n == 1, nil
}
