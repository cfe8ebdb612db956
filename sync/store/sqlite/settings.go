package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// SaveSettings implements [wmssync.SettingsStore]; settings are kept as
// JSON.
func (s *Store) SaveSettings(ctx context.Context, st wmssync.Settings) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	if st.Shop == "" {
		return fmt.Errorf("sqlite store: settings without shop id")
	}
	data, err := json.Marshal(st)
	if err != nil {
		return wrap("save settings", err)
	}
	_, err = s.exec(ctx, `INSERT INTO wmsbridge_settings (shop, data) VALUES (?, ?)
		ON CONFLICT (shop) DO UPDATE SET data = excluded.data`, st.Shop, string(data))
	return wrap("save settings", err)
}

// Settings implements [wmssync.SettingsStore].
func (s *Store) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	if err := s.checkOpen(); err != nil {
		return wmssync.Settings{}, err
	}
	var data string
	err := s.queryRow(ctx, `SELECT data FROM wmsbridge_settings WHERE shop = ?`, shop).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return wmssync.Settings{}, fmt.Errorf("sqlite store: shop %q: %w", shop, wmssync.ErrNotFound)
	}
	if err != nil {
		return wmssync.Settings{}, wrap("settings", err)
	}
	var st wmssync.Settings
	return st, wrap("settings", json.Unmarshal([]byte(data), &st))
}

// ListSettings implements [wmssync.SettingsStore].
func (s *Store) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	if err := s.checkOpen(); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM wmsbridge_settings ORDER BY shop`)
	if err != nil {
		return nil, wrap("list settings", err)
	}
	defer rows.Close()
	out := []wmssync.Settings{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, wrap("list settings", err)
		}
		var st wmssync.Settings
		if err := json.Unmarshal([]byte(data), &st); err != nil {
			return nil, wrap("list settings", err)
		}
		out = append(out, st)
	}
	return out, wrap("list settings", rows.Err())
}

// DeleteSettings implements [wmssync.SettingsStore].
func (s *Store) DeleteSettings(ctx context.Context, shop string) error {
	if err := s.checkOpen(); err != nil {
		return err
	}
	_, err := s.exec(ctx, `DELETE FROM wmsbridge_settings WHERE shop = ?`, shop)
	return wrap("delete settings", err)
}
