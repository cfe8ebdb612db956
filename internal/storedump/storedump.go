// Package storedump reads every row of every table of a SQL store's
// database, as the database's catalogue lists them, each row rendered as
// one line of text with all its columns (binary columns as their bytes).
// Tests use it to prove that no row of an erased shop is left anywhere,
// including in tables added after the test was written.
package storedump

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SQLite returns the rows of every table of the SQLite database file at
// path, by table (an empty table maps to an empty slice). The caller must have registered the "sqlite" driver
// (importing the SQLite store does).
func SQLite(t testing.TB, path string) map[string][]string {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?mode=ro")
	must(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	must(t, err)
	var tables []string
	for rows.Next() {
		var n string
		must(t, rows.Scan(&n))
		tables = append(tables, n)
	}
	must(t, rows.Close())
	out := map[string][]string{}
	for _, table := range tables {
		rs, err := db.Query(`SELECT * FROM "` + strings.ReplaceAll(table, `"`, `""`) + `"`)
		must(t, err)
		cols, err := rs.Columns()
		must(t, err)
		out[table] = []string{} // listed even when empty
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			must(t, rs.Scan(ptrs...))
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			out[table] = append(out[table], strings.Join(parts, " "))
		}
		must(t, rs.Close())
	}
	return out
}

// Postgres returns the rows of every table of schema, by table.
func Postgres(t testing.TB, pool *pgxpool.Pool, schema string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`, schema)
	must(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := pool.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
			WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, schema, table)
		must(t, err)
		var cols []string
		for rows.Next() {
			var name, typ string
			must(t, rows.Scan(&name, &typ))
			col := pgx.Identifier{name}.Sanitize()
			if typ == "bytea" {
				cols = append(cols, "coalesce(encode("+col+", 'escape'), '')")
			} else {
				cols = append(cols, "coalesce("+col+"::text, '')")
			}
		}
		must(t, rows.Err())
		rows, err = pool.Query(ctx, `SELECT concat_ws(' | ', `+strings.Join(cols, ", ")+`) FROM `+pgx.Identifier{schema, table}.Sanitize())
		must(t, err)
		rs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(t, err)
		out[table] = rs
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
