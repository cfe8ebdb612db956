package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema migration: its Version (the number the
// file name starts with), file Name and SQL.
type Migration = migration.Migration

// Migrations returns the embedded migrations in version order, for a host
// that applies them with its own tool (then pass [WithoutMigrate]). Their
// SQL creates unqualified tables, so run it with search_path set to the
// target schema.
func Migrations() ([]Migration, error) {
	return migration.Read(migrationFS, "migrations", "postgres store")
}

// migrate applies the pending migrations in one transaction holding a
// transaction-level advisory lock keyed by the schema, so processes
// starting together apply each migration exactly once: the others wait for
// the lock, then find nothing to do. PostgreSQL's DDL is transactional, so
// a failed migration leaves nothing behind.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap("migrate", err)
	}
	defer tx.Rollback(ctx)
	schema := s.schema
	if schema == "" {
		if err := tx.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return wrap("migrate", err)
		}
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('wmsbridge.migrate.' || $1, 0))`, schema); err != nil {
		return wrap("migrate: lock", err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if s.schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+ident); err != nil {
			return wrap("migrate: create schema", err)
		}
	}
	if _, err := tx.Exec(ctx, `SET LOCAL search_path TO `+ident); err != nil {
		return wrap("migrate", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS wmsbridge_schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return wrap("migrate", err)
	}
	applied := map[int]bool{}
	rows, err := tx.Query(ctx, `SELECT version FROM wmsbridge_schema_migrations`)
	if err != nil {
		return wrap("migrate", err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return wrap("migrate", err)
	}
	for _, v := range vs {
		applied[int(v)] = true
	}
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return wrap("migrate "+m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO wmsbridge_schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
			return wrap("migrate "+m.Name, err)
		}
	}
	return wrap("migrate", tx.Commit(ctx))
}

// SchemaVersion returns the highest migration version applied.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v *int32
	err := s.pool.QueryRow(ctx, s.q(`SELECT max(version) FROM wmsbridge_schema_migrations`)).Scan(&v)
	if err != nil || v == nil {
		return 0, wrap("schema version", err)
	}
	return int(*v), nil
}
