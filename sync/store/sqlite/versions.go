package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

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
	err := s.queryRow(ctx, `SELECT updated_at, triggered_at, rev FROM wmsbridge_versions
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

var _ wmssync.VersionBatcher = (*Store)(nil)

// versionsChunk bounds the ids of one Versions query (SQLite allows 32,766
// parameters).
const versionsChunk = 500

// Versions implements [wmssync.VersionBatcher] with one query per shop,
// kind and 500 ids, on a reader connection.
func (s *Store) Versions(ctx context.Context, keys []wmssync.EntityKey) ([]wmssync.StoredVersion, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	out := make([]wmssync.StoredVersion, len(keys))
	for _, g := range groupKeys(keys, versionsChunk) {
		args := make([]any, 0, 2+len(g.ids))
		args = append(args, g.shop, g.kind)
		for _, id := range g.ids {
			args = append(args, id)
		}
		rows, err := s.r.QueryContext(ctx, `SELECT id, updated_at, triggered_at, rev FROM wmsbridge_versions
			WHERE shop = ? AND kind = ? AND id IN (?`+strings.Repeat(", ?", len(g.ids)-1)+`)`, args...)
		if err != nil {
			return nil, wrap("versions", err)
		}
		for rows.Next() {
			var (
				id        string
				upd, trig sql.NullInt64
				rev       int64
			)
			if err := rows.Scan(&id, &upd, &trig, &rev); err != nil {
				rows.Close()
				return nil, wrap("versions", err)
			}
			for _, i := range g.at[id] {
				out[i] = wmssync.StoredVersion{Version: webhook.Version{UpdatedAt: fromMicro(upd), TriggeredAt: fromMicro(trig)}, Rev: rev}
			}
		}
		if err := rows.Close(); err != nil {
			return nil, wrap("versions", err)
		}
		if err := rows.Err(); err != nil {
			return nil, wrap("versions", err)
		}
	}
	return out, nil
}

// SetVersions implements [wmssync.VersionBatcher]: every write in one
// write of the single writer (one transaction), each as SetVersion.
func (s *Store) SetVersions(ctx context.Context, writes []wmssync.VersionWrite) ([]bool, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	out := make([]bool, len(writes))
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		clear(out)
		var ins, upd *sql.Stmt
		defer func() {
			for _, st := range []*sql.Stmt{ins, upd} {
				if st != nil {
					st.Close()
				}
			}
		}()
		for i, w := range writes {
			var (
				res sql.Result
				err error
			)
			if w.Rev == 0 {
				if ins == nil {
					if ins, err = tx.PrepareContext(ctx, `INSERT INTO wmsbridge_versions (shop, kind, id, updated_at, triggered_at, rev)
						VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING`); err != nil {
						return err
					}
				}
				res, err = ins.ExecContext(ctx, w.Key.Shop, w.Key.Kind, w.Key.ID, micro(w.Version.UpdatedAt), micro(w.Version.TriggeredAt))
			} else {
				if upd == nil {
					if upd, err = tx.PrepareContext(ctx, `UPDATE wmsbridge_versions SET updated_at = ?, triggered_at = ?, rev = rev + 1
						WHERE shop = ? AND kind = ? AND id = ? AND rev = ?`); err != nil {
						return err
					}
				}
				res, err = upd.ExecContext(ctx, micro(w.Version.UpdatedAt), micro(w.Version.TriggeredAt), w.Key.Shop, w.Key.Kind, w.Key.ID, w.Rev)
			}
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			out[i] = n == 1
		}
		return nil
	})
	if err != nil {
		return nil, wrap("set versions", err)
	}
	return out, nil
}

// keyGroup is up to n distinct ids of one shop and kind, with the
// positions of each id in the caller's list.
type keyGroup struct {
	shop, kind string
	ids        []string
	at         map[string][]int
}

// groupKeys splits keys into groups of one shop and kind and at most n
// distinct ids.
func groupKeys(keys []wmssync.EntityKey, n int) []*keyGroup {
	var groups []*keyGroup
	open := map[[2]string]*keyGroup{}
	for i, k := range keys {
		sk := [2]string{k.Shop, k.Kind}
		g := open[sk]
		if g != nil {
			if _, seen := g.at[k.ID]; seen {
				g.at[k.ID] = append(g.at[k.ID], i)
				continue
			}
		}
		if g == nil || len(g.ids) == n {
			g = &keyGroup{shop: k.Shop, kind: k.Kind, at: map[string][]int{}}
			open[sk] = g
			groups = append(groups, g)
		}
		g.ids = append(g.ids, k.ID)
		g.at[k.ID] = append(g.at[k.ID], i)
	}
	return groups
}

var _ wmssync.VersionPruner = (*Store)(nil)

// PruneVersions implements [wmssync.VersionPruner] without holding the
// single writer for a scan: it looks up to limit candidate keys up on a
// reader connection (the table has no index on the times, so this may read
// much of it, concurrently with writes), then deletes them by primary key
// in one short write that checks the times again, so a version updated in
// between stays.
func (s *Store) PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	if err := s.checkOpen(); err != nil {
		return 0, err
	}
	if limit <= 0 {
		return 0, nil
	}
	b := before.UnixMicro()
	rows, err := s.r.QueryContext(ctx, `SELECT shop, id FROM wmsbridge_versions
		WHERE kind = ? AND (updated_at IS NULL OR updated_at < ?) AND (triggered_at IS NULL OR triggered_at < ?)
		LIMIT ?`, kind, b, b, limit)
	if err != nil {
		return 0, wrap("prune versions", err)
	}
	var keys [][2]string
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			rows.Close()
			return 0, wrap("prune versions", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Close(); err != nil {
		return 0, wrap("prune versions", err)
	}
	if err := rows.Err(); err != nil {
		return 0, wrap("prune versions", err)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	var n int64
	err = s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n = 0
		st, err := tx.PrepareContext(ctx, `DELETE FROM wmsbridge_versions
			WHERE shop = ? AND kind = ? AND id = ?
			AND (updated_at IS NULL OR updated_at < ?) AND (triggered_at IS NULL OR triggered_at < ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, k := range keys {
			res, err := st.ExecContext(ctx, k[0], kind, k[1], b, b)
			if err != nil {
				return err
			}
			m, err := res.RowsAffected()
			if err != nil {
				return err
			}
			n += m
		}
		return nil
	})
	if err != nil {
		return 0, wrap("prune versions", err)
	}
	return int(n), nil
}

var _ wmssync.VersionLister = (*Store)(nil)

// ListVersions implements [wmssync.VersionLister] with a range scan of the
// primary key, on a reader connection.
func (s *Store) ListVersions(ctx context.Context, shop, kind, after string, limit int) ([]wmssync.ListedVersion, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, updated_at, triggered_at, rev FROM wmsbridge_versions
		WHERE shop = ? AND kind = ? AND id > ? ORDER BY id LIMIT ?`, shop, kind, after, limit)
	if err != nil {
		return nil, wrap("list versions", err)
	}
	defer rows.Close()
	var out []wmssync.ListedVersion
	for rows.Next() {
		var (
			lv        wmssync.ListedVersion
			upd, trig sql.NullInt64
		)
		if err := rows.Scan(&lv.ID, &upd, &trig, &lv.Rev); err != nil {
			return nil, wrap("list versions", err)
		}
		lv.Version = webhook.Version{UpdatedAt: fromMicro(upd), TriggeredAt: fromMicro(trig)}
		out = append(out, lv)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list versions", err)
	}
	return out, nil
}
