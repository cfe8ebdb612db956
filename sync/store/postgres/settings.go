package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// SaveSettings implements [wmssync.SettingsStore]; settings are kept as
// jsonb.
func (s *Store) SaveSettings(ctx context.Context, st wmssync.Settings) error {
	if st.Shop == "" {
		return fmt.Errorf("postgres store: settings without shop id")
	}
	data, err := json.Marshal(st)
	if err != nil {
		return wrap("save settings", err)
	}
	_, err = s.pool.Exec(ctx, s.q(`INSERT INTO wmsbridge_settings (shop, data) VALUES ($1, $2)
		ON CONFLICT (shop) DO UPDATE SET data = EXCLUDED.data`), st.Shop, data)
	return wrap("save settings", err)
}

// Settings implements [wmssync.SettingsStore].
func (s *Store) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	var data []byte
	err := s.pool.QueryRow(ctx, s.q(`SELECT data FROM wmsbridge_settings WHERE shop = $1`), shop).Scan(&data)
	if isNoRows(err) {
		return wmssync.Settings{}, fmt.Errorf("postgres store: shop %q: %w", shop, wmssync.ErrNotFound)
	}
	if err != nil {
		return wmssync.Settings{}, wrap("settings", err)
	}
	var st wmssync.Settings
	return st, wrap("settings", json.Unmarshal(data, &st))
}

// ListSettings implements [wmssync.SettingsStore].
func (s *Store) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	rows, err := s.pool.Query(ctx, s.q(`SELECT data FROM wmsbridge_settings ORDER BY shop COLLATE "C"`))
	if err != nil {
		return nil, wrap("list settings", err)
	}
	defer rows.Close()
	out := []wmssync.Settings{}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("list settings", err)
		}
		var st wmssync.Settings
		if err := json.Unmarshal(data, &st); err != nil {
			return nil, wrap("list settings", err)
		}
		out = append(out, st)
	}
	return out, wrap("list settings", rows.Err())
}

// DeleteSettings implements [wmssync.SettingsStore].
func (s *Store) DeleteSettings(ctx context.Context, shop string) error {
	_, err := s.pool.Exec(ctx, s.q(`DELETE FROM wmsbridge_settings WHERE shop = $1`), shop)
	return wrap("delete settings", err)
}
