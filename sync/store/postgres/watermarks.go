package postgres

import (
	"context"
	"time"
)

// Watermark implements [wmssync.WatermarkStore].
func (s *Store) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, s.q(`SELECT at FROM wmsbridge_watermarks WHERE shop = $1 AND name = $2`), shop, name).Scan(&at)
	if isNoRows(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, wrap("watermark", err)
	}
	return at.UTC(), nil
}

// AdvanceWatermark implements [wmssync.WatermarkStore] in one upsert that
// keeps the later of the stored and the given time. Times are kept to the
// microsecond.
func (s *Store) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	if t.IsZero() {
		return s.Watermark(ctx, shop, name)
	}
	var at time.Time
	err := s.pool.QueryRow(ctx, s.q(`INSERT INTO wmsbridge_watermarks AS w (shop, name, at) VALUES ($1, $2, $3)
		ON CONFLICT (shop, name) DO UPDATE SET at = GREATEST(w.at, EXCLUDED.at)
		RETURNING at`), shop, name, t).Scan(&at)
	if err != nil {
		return time.Time{}, wrap("advance watermark", err)
	}
	return at.UTC(), nil
}
