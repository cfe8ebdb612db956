package oauth_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

// TestTwoProcessesOnPostgreSQL: two processes (each its own App, lease
// owner, store and connection pool; they share only the database and the
// simulated Shopify) refresh one shop's expiring token concurrently, 40
// times over, with Shopify's rotation and revocation. No token handed out
// fails, each expiry costs one refresh, and the stored credential still
// refreshes at the end.
func TestTwoProcessesOnPostgreSQL(t *testing.T) {
	dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set WMSBRIDGE_POSTGRES_DSN=postgres://USER@HOST:5432/DB?sslmode=disable to run them")
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := fmt.Sprintf("wmsbridge_test_%d_%s", time.Now().Unix(), hex.EncodeToString(b[:]))
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	})
	var stores [2]credential.Store
	for i := range stores {
		s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
		require.NoError(t, err)
		t.Cleanup(s.Close)
		stores[i] = s
	}
	RunTwoProcesses(t, newHarness(t), stores, 40)
}
