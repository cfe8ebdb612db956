package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

// TestUpgradeInboxToSources opens a schema made by an earlier version
// (migrations 1 and 2, Shopify's columns shop_domain, name and sub_topic,
// events pending in the inbox) and checks that the store upgrades it: the
// events come back with their source ("shopify"), shop and meta.
func TestUpgradeInboxToSources(t *testing.T) {
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	ident := pgx.Identifier{schema}.Sanitize()
	_, err = conn.Exec(ctx, `CREATE SCHEMA `+ident+`; SET search_path TO `+ident)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `CREATE TABLE wmsbridge_schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	require.NoError(t, err)
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	for _, m := range ms {
		if m.Version > 2 {
			continue
		}
		_, err := conn.Exec(ctx, m.SQL)
		require.NoError(t, err, m.Name)
		_, err = conn.Exec(ctx, `INSERT INTO wmsbridge_schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
		require.NoError(t, err)
	}
	for _, r := range [][4]string{{"w-both", "e1", "sub-name", "sub"}, {"w-name", "e2", "sub-name", ""},
		{"w-sub", "e3", "", "sub"}, {"w-none", "e4", "", ""}} {
		_, err := conn.Exec(ctx, `INSERT INTO wmsbridge_inbox (webhook_id, topic, shop_domain, api_version, event_id,
			triggered_at, name, sub_topic, received_at, body, due)
			VALUES ($1, 'orders/create', 'old.myshopify.com', '2026-07', $2, now(), $3, $4, now(), '{}'::bytea, now() - interval '1 minute')`,
			r[0], r[1], r[2], r[3])
		require.NoError(t, err)
	}

	s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
	require.NoError(t, err)
	defer s.Close()
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
		assert.Equal(t, want[e.WebhookID], e.Meta, e.WebhookID)
	}
	stored, err := s.Put(ctx, jobs[0].Event)
	require.NoError(t, err)
	assert.False(t, stored, "a redelivery of an event stored before the upgrade is a duplicate")
}
