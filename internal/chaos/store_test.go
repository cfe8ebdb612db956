package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
)

// Store kinds a seed can run on (WMSBRIDGE_CHAOS_STORE).
const (
	storeSQLite   = "sqlite"
	storePostgres = "postgres"
	envDSN        = "WMSBRIDGE_POSTGRES_DSN"
)

// chaosStore is what the test needs of a durable store beyond the
// engine's Store: the parked events, closing.
type chaosStore interface {
	wmssync.Store
	wmssync.FailureStore
	close()
}

// storeOpener opens the seed's store again after each restart: the same
// SQLite file, or the same PostgreSQL schema.
type storeOpener func(ctx context.Context) (chaosStore, error)

type sqliteStore struct{ *sqlite.Store }

func (s sqliteStore) close() { _ = s.Close() }

type postgresStore struct{ *postgres.Store }

func (s postgresStore) close() { s.Close() }

// newStoreOpener prepares the seed's store of the given kind: a SQLite
// file in the test's directory, or a private PostgreSQL schema (dropped
// when the test ends) on the server WMSBRIDGE_POSTGRES_DSN names.
func newStoreOpener(t *testing.T, kind string, now func() time.Time) storeOpener {
	t.Helper()
	switch kind {
	case storeSQLite:
		path := filepath.Join(t.TempDir(), "wmsbridge.db")
		return func(ctx context.Context) (chaosStore, error) {
			s, err := sqlite.Open(ctx, path, sqlite.WithClock(now), sqlite.WithSynchronousNormal())
			if err != nil {
				return nil, err
			}
			return sqliteStore{s}, nil
		}
	case storePostgres:
		dsn := os.Getenv(envDSN)
		if dsn == "" {
			t.Fatalf("store %s needs %s", storePostgres, envDSN)
		}
		var b [4]byte
		_, _ = rand.Read(b[:])
		schema := fmt.Sprintf("wmsbridge_chaos_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
		t.Cleanup(func() {
			ctx := context.Background()
			conn, err := pgx.Connect(ctx, dsn)
			if err != nil {
				t.Logf("drop schema %s: %v", schema, err)
				return
			}
			defer conn.Close(ctx)
			if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
				t.Logf("drop schema %s: %v", schema, err)
			}
		})
		return func(ctx context.Context) (chaosStore, error) {
			s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema), postgres.WithClock(now))
			if err != nil {
				return nil, err
			}
			return postgresStore{s}, nil
		}
	}
	t.Fatalf("unknown store %q: want %s or %s", kind, storeSQLite, storePostgres)
	return nil
}
