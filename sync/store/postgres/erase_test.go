package postgres_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/sync/store/internal/erasetest"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

var _ erasetest.Store = (*postgres.Store)(nil)

// TestEraseShopLeavesNoRow searches every row of every table of the
// store's schema, as information_schema lists them, after EraseShop.
func TestEraseShopLeavesNoRow(t *testing.T) {
	s := newStore(t)
	erasetest.Run(t, s, func(t *testing.T) map[string][]string {
		rows, err := s.Pool().Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, s.Schema())
		require.NoError(t, err)
		tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		require.Contains(t, tables, "wmsbridge_credentials")
		out := map[string][]string{}
		for _, table := range tables {
			// Every column as text; bytea (bodies, payloads) as its bytes,
			// so text inside a payload is found too.
			rows, err := s.Pool().Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
				WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, s.Schema(), table)
			require.NoError(t, err)
			var cols []string
			for rows.Next() {
				var name, typ string
				require.NoError(t, rows.Scan(&name, &typ))
				col := pgx.Identifier{name}.Sanitize()
				if typ == "bytea" {
					cols = append(cols, "coalesce(encode("+col+", 'escape'), '')")
				} else {
					cols = append(cols, "coalesce("+col+"::text, '')")
				}
			}
			require.NoError(t, rows.Err())
			rows, err = s.Pool().Query(ctx, `SELECT concat_ws(' | ', `+strings.Join(cols, ", ")+`) FROM `+pgx.Identifier{s.Schema(), table}.Sanitize())
			require.NoError(t, err)
			rs, err := pgx.CollectRows(rows, pgx.RowTo[string])
			require.NoError(t, err)
			out[table] = rs
		}
		return out
	})
}
