package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Version implements [wmssync.VersionStore].
func (s *Store) Version(ctx context.Context, key wmssync.EntityKey) (webhook.Version, int64, error) {
	var (
		upd, trig pgtype.Timestamptz
		rev       int64
	)
	err := s.pool.QueryRow(ctx, s.q(`SELECT updated_at, triggered_at, rev FROM wmsbridge_versions
		WHERE shop = $1 AND kind = $2 AND id = $3`), key.Shop, key.Kind, key.ID).Scan(&upd, &trig, &rev)
	if isNoRows(err) {
		return webhook.Version{}, 0, nil
	}
	if err != nil {
		return webhook.Version{}, 0, wrap("version", err)
	}
	return webhook.Version{UpdatedAt: fromTS(upd), TriggeredAt: fromTS(trig)}, rev, nil
}

// SetVersion implements [wmssync.VersionStore] with a conditional insert
// (rev 0) or update (rev > 0). Under READ COMMITTED a concurrent update of
// the same row waits for the first to commit and then finds the revision
// moved on, so exactly one of them succeeds.
func (s *Store) SetVersion(ctx context.Context, key wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	var (
		tag pgconn.CommandTag
		err error
	)
	if rev == 0 {
		tag, err = s.pool.Exec(ctx, s.q(`INSERT INTO wmsbridge_versions (shop, kind, id, updated_at, triggered_at, rev)
			VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING`),
			key.Shop, key.Kind, key.ID, ts(v.UpdatedAt), ts(v.TriggeredAt))
	} else {
		tag, err = s.pool.Exec(ctx, s.q(`UPDATE wmsbridge_versions SET updated_at = $4, triggered_at = $5, rev = rev + 1
			WHERE shop = $1 AND kind = $2 AND id = $3 AND rev = $6`),
			key.Shop, key.Kind, key.ID, ts(v.UpdatedAt), ts(v.TriggeredAt), rev)
	}
	if err != nil {
		return false, wrap("set version", err)
	}
	return tag.RowsAffected() == 1, nil
}

var _ wmssync.VersionPruner = (*Store)(nil)

// PruneVersions implements [wmssync.VersionPruner] with one DELETE of at
// most limit rows. The rows are locked as they are chosen and rows another
// transaction is writing are skipped (FOR UPDATE SKIP LOCKED), so pruning
// never waits on nor undoes a concurrent SetVersion. The table has no
// index on the times: each call may read much of it.
func (s *Store) PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	if limit <= 0 {
		return 0, nil
	}
	tag, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_versions WHERE (shop, kind, id) IN (
		SELECT shop, kind, id FROM wmsbridge_versions
		WHERE kind = $1 AND (updated_at IS NULL OR updated_at < $2) AND (triggered_at IS NULL OR triggered_at < $2)
		LIMIT $3 FOR UPDATE SKIP LOCKED)`), kind, before, limit)
	if err != nil {
		return 0, wrap("prune versions", err)
	}
	return int(tag.RowsAffected()), nil
}
