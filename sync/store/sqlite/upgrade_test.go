package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
)

// TestUpgradeInboxToSources opens a database made by an earlier version
// (migrations 1 and 2, Shopify's columns shop_domain, name and sub_topic,
// events pending in the inbox) and checks that the store upgrades it: the
// events come back with their source ("shopify"), shop and meta, and new
// events are stored next to them.
func TestUpgradeInboxToSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	ms, err := sqlite.Migrations()
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE wmsbridge_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`)
	require.NoError(t, err)
	for _, m := range ms {
		if m.Version > 2 {
			continue
		}
		_, err := db.Exec(m.SQL)
		require.NoError(t, err, m.Name)
		_, err = db.Exec(`INSERT INTO wmsbridge_schema_migrations VALUES (?, ?, ?)`, m.Version, m.Name, time.Now().UnixMicro())
		require.NoError(t, err)
	}
	ins := `INSERT INTO wmsbridge_inbox (webhook_id, topic, shop_domain, api_version, event_id, triggered_at, name, sub_topic,
		received_at, body, due) VALUES (?, 'orders/create', 'old.myshopify.com', '2026-07', ?, 1, ?, ?, 2, X'7B7D', 0)`
	for _, r := range [][4]string{{"w-both", "e1", "sub-name", "sub"}, {"w-name", "e2", "sub-name", ""},
		{"w-sub", "e3", "", "sub"}, {"w-none", "e4", "", ""}} {
		_, err := db.Exec(ins, r[0], r[1], r[2], r[3])
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	s := openStore(t, path)
	v, err := s.SchemaVersion(ctx)
	require.NoError(t, err)
	assert.Equal(t, ms[len(ms)-1].Version, v)
	jobs, err := s.Claim(ctx, 10, time.Minute)
	require.NoError(t, err)
	require.Len(t, jobs, 4)
	want := map[string]map[string]string{
		"w-both": {"name": "sub-name", "sub_topic": "sub"}, "w-name": {"name": "sub-name"},
		"w-sub": {"sub_topic": "sub"}, "w-none": nil,
	}
	for _, j := range jobs {
		e := j.Event
		assert.Equal(t, "shopify", e.Source, e.WebhookID)
		assert.Equal(t, "old.myshopify.com", e.Shop, e.WebhookID)
		assert.Equal(t, "orders/create", string(e.Topic), e.WebhookID)
		assert.Equal(t, want[e.WebhookID], e.Meta, e.WebhookID)
	}
	stored, err := s.Put(ctx, jobs[0].Event)
	require.NoError(t, err)
	assert.False(t, stored, "a redelivery of an event stored before the upgrade is a duplicate")
}
