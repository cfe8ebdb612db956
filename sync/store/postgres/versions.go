package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
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

var _ wmssync.VersionBatcher = (*Store)(nil)

// Versions implements [wmssync.VersionBatcher] with one query per shop and
// kind (id = ANY of the ids).
func (s *Store) Versions(ctx context.Context, keys []wmssync.EntityKey) ([]wmssync.StoredVersion, error) {
	out := make([]wmssync.StoredVersion, len(keys))
	type group struct {
		ids []string
		at  map[string][]int
	}
	groups := map[[2]string]*group{}
	var order [][2]string
	for i, k := range keys {
		sk := [2]string{k.Shop, k.Kind}
		g := groups[sk]
		if g == nil {
			g = &group{at: map[string][]int{}}
			groups[sk] = g
			order = append(order, sk)
		}
		if _, seen := g.at[k.ID]; !seen {
			g.ids = append(g.ids, k.ID)
		}
		g.at[k.ID] = append(g.at[k.ID], i)
	}
	for _, sk := range order {
		g := groups[sk]
		rows, err := s.pool.Query(ctx, s.q(`SELECT id, updated_at, triggered_at, rev FROM wmsbridge_versions
			WHERE shop = $1 AND kind = $2 AND id = ANY($3)`), sk[0], sk[1], g.ids)
		if err != nil {
			return nil, wrap("versions", err)
		}
		for rows.Next() {
			var (
				id        string
				upd, trig pgtype.Timestamptz
				rev       int64
			)
			if err := rows.Scan(&id, &upd, &trig, &rev); err != nil {
				rows.Close()
				return nil, wrap("versions", err)
			}
			for _, i := range g.at[id] {
				out[i] = wmssync.StoredVersion{Version: webhook.Version{UpdatedAt: fromTS(upd), TriggeredAt: fromTS(trig)}, Rev: rev}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrap("versions", err)
		}
	}
	return out, nil
}

// SetVersions implements [wmssync.VersionBatcher]: the statements of
// SetVersion, sent as one pipelined batch in one transaction. They run in
// key order, so that two batches with keys in common lock their rows in
// the same order and cannot deadlock.
func (s *Store) SetVersions(ctx context.Context, writes []wmssync.VersionWrite) ([]bool, error) {
	order := make([]int, len(writes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ka, kb := writes[a].Key, writes[b].Key
		return cmp.Or(cmp.Compare(ka.Shop, kb.Shop), cmp.Compare(ka.Kind, kb.Kind), cmp.Compare(ka.ID, kb.ID))
	})
	b := &pgx.Batch{}
	for _, i := range order {
		w := writes[i]
		if w.Rev == 0 {
			b.Queue(s.q(`INSERT INTO wmsbridge_versions (shop, kind, id, updated_at, triggered_at, rev)
				VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT DO NOTHING`),
				w.Key.Shop, w.Key.Kind, w.Key.ID, ts(w.Version.UpdatedAt), ts(w.Version.TriggeredAt))
		} else {
			b.Queue(s.q(`UPDATE wmsbridge_versions SET updated_at = $4, triggered_at = $5, rev = rev + 1
				WHERE shop = $1 AND kind = $2 AND id = $3 AND rev = $6`),
				w.Key.Shop, w.Key.Kind, w.Key.ID, ts(w.Version.UpdatedAt), ts(w.Version.TriggeredAt), w.Rev)
		}
	}
	out := make([]bool, len(writes))
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		res := tx.SendBatch(ctx, b)
		for _, i := range order {
			tag, err := res.Exec()
			if err != nil {
				res.Close()
				return err
			}
			out[i] = tag.RowsAffected() == 1
		}
		return res.Close()
	})
	if err != nil {
		return nil, wrap("set versions", err)
	}
	return out, nil
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

var _ wmssync.VersionLister = (*Store)(nil)

// ListVersions implements [wmssync.VersionLister]: a scan of the shop and
// kind's part of the primary key, ids compared and sorted bytewise
// (COLLATE "C") whatever the database's collation.
func (s *Store) ListVersions(ctx context.Context, shop, kind, after string, limit int) ([]wmssync.ListedVersion, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, s.q(`SELECT id, updated_at, triggered_at, rev FROM wmsbridge_versions
		WHERE shop = $1 AND kind = $2 AND id COLLATE "C" > $3 ORDER BY id COLLATE "C" LIMIT $4`), shop, kind, after, limit)
	if err != nil {
		return nil, wrap("list versions", err)
	}
	defer rows.Close()
	var out []wmssync.ListedVersion
	for rows.Next() {
		var (
			lv        wmssync.ListedVersion
			upd, trig pgtype.Timestamptz
		)
		if err := rows.Scan(&lv.ID, &upd, &trig, &lv.Rev); err != nil {
			return nil, wrap("list versions", err)
		}
		lv.Version = webhook.Version{UpdatedAt: fromTS(upd), TriggeredAt: fromTS(trig)}
		out = append(out, lv)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list versions", err)
	}
	return out, nil
}
