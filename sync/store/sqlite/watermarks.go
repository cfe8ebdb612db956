package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Watermark implements [wmssync.WatermarkStore].
func (s *Store) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
	if err := s.checkOpen(); err != nil {
		return time.Time{}, err
	}
	var at int64
	err := s.r.QueryRowContext(ctx, `SELECT at FROM wmsbridge_watermarks WHERE shop = ? AND name = ?`, shop, name).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, wrap("watermark", err)
	}
	return time.UnixMicro(at).UTC(), nil
}

// AdvanceWatermark implements [wmssync.WatermarkStore] in one upsert that
// keeps the later of the stored and the given time. Times are kept to the
// microsecond.
func (s *Store) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	if err := s.checkOpen(); err != nil {
		return time.Time{}, err
	}
	if t.IsZero() {
		return s.Watermark(ctx, shop, name)
	}
	var at int64
	err := s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO wmsbridge_watermarks (shop, name, at) VALUES (?, ?, ?)
			ON CONFLICT (shop, name) DO UPDATE SET at = max(at, excluded.at)
			RETURNING at`, shop, name, t.UnixMicro()).Scan(&at)
	})
	if err != nil {
		return time.Time{}, wrap("advance watermark", err)
	}
	return time.UnixMicro(at).UTC(), nil
}
