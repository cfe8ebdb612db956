package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/erasetest"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
)

// TestEraseShopLeavesNoRow searches every column of every table of the
// database file, as the catalogue lists them, after EraseShop.
func TestEraseShopLeavesNoRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erase.db")
	s := openStore(t, path)
	erasetest.Run(t, s, func(t *testing.T) map[string][]string { return dumpSQLite(t, path) })
}

func dumpSQLite(t *testing.T, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	require.NoError(t, err)
	var tables []string
	for rows.Next() {
		var n string
		require.NoError(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	require.NoError(t, rows.Close())
	require.Contains(t, tables, "wmsbridge_credentials")
	out := map[string][]string{}
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + table + `"`)
		require.NoError(t, err)
		cols, err := rs.Columns()
		require.NoError(t, err)
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rs.Scan(ptrs...))
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		require.NoError(t, rs.Close())
	}
	return out
}

var _ erasetest.Store = (*sqlite.Store)(nil)
