package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migration is one embedded schema migration: its Version (the number the
// file name starts with), file Name and SQL.
type Migration = migration.Migration

// Migrations returns the embedded migrations in version order, for a host
// that wants to review or apply them with its own tool. [Open] applies the
// pending ones itself.
func Migrations() ([]Migration, error) {
	return migration.Read(migrationFS, "migrations", "sqlite store")
}

// migrate applies the pending migrations, each in its own IMMEDIATE
// transaction, so two processes opening a new file at once apply each
// migration once: the second waits for the first's write lock, then sees
// the version recorded.
//
// SQLite answers SQLITE_BUSY at once, without waiting for the busy
// timeout, in a few cases a fresh file hits (another connection switching
// it to WAL mode or recovering its WAL), so migrate retries busy errors
// until the busy timeout has passed.
func migrate(ctx context.Context, db *sql.DB, busyTimeout time.Duration) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(busyTimeout)
	for {
		err = migrateOnce(ctx, db, ms)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func migrateOnce(ctx context.Context, db *sql.DB, ms []Migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS wmsbridge_schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return wrap("migrate", err)
	}
	for _, m := range ms {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its
// extended codes).
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}

func applyMigration(ctx context.Context, db *sql.DB, m Migration) error {
	tx, err := db.BeginTx(ctx, nil) // BEGIN IMMEDIATE (the DSN's _txlock)
	if err != nil {
		return wrap("migrate", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return wrap("migrate", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return wrap("migrate "+m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO wmsbridge_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UnixMicro()); err != nil {
		return wrap("migrate "+m.Name, err)
	}
	return wrap("migrate "+m.Name, tx.Commit())
}

// SchemaVersion returns the highest migration version applied to the
// database.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT max(version) FROM wmsbridge_schema_migrations`).Scan(&v)
	return int(v.Int64), wrap("schema version", err)
}
