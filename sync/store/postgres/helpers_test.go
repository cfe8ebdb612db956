package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

var ctx = context.Background()

// dsnEnv names the environment variable that enables the PostgreSQL tests.
const dsnEnv = "WMSBRIDGE_POSTGRES_DSN"

// testDSN returns the DSN of the test database, or skips the test.
func testDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set " + dsnEnv +
			"=postgres://USER@HOST:5432/DB?sslmode=disable to run them (each test uses a fresh schema wmsbridge_test_*, dropped afterwards)")
	}
	return dsn
}

// newSchema returns a fresh schema name, wmsbridge_test_<unix time>_<random>,
// and drops the schema when the test ends. It also drops test schemas more
// than an hour old, left behind by runs that were killed.
func newSchema(t testing.TB, dsn string) string {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := fmt.Sprintf("wmsbridge_test_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
	dropStaleSchemas(t, dsn)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Logf("drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Logf("drop schema %s: %v", name, err)
		}
	})
	return name
}

func dropStaleSchemas(t testing.TB, dsn string) {
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		return
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'wmsbridge\_test\_%'`)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		ts, _, _ := strings.Cut(strings.TrimPrefix(n, "wmsbridge_test_"), "_")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || time.Since(time.Unix(sec, 0)) < time.Hour {
			continue
		}
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{n}.Sanitize()+` CASCADE`); err == nil {
			t.Logf("dropped stale test schema %s", n)
		}
	}
}

// newStore opens a Store in a fresh schema.
func newStore(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	dsn := testDSN(t)
	schema := newSchema(t, dsn)
	s, err := postgres.Open(ctx, dsn, append([]postgres.Option{postgres.WithSchema(schema)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	return s
}
