// Package migration reads the embedded schema migrations of the SQL stores
// (sync/store/sqlite and sync/store/postgres): files named NNNN_name.sql,
// applied in version order.
package migration

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Migration is one embedded schema migration.
type Migration struct {
	// Version is the number the file name starts with ("0001_init.sql" is
	// version 1).
	Version int
	// Name is the file name.
	Name string
	// SQL is the file's text.
	SQL string
}

// Read returns the migrations in dir of fsys in version order. label names
// the store in errors.
func Read(fsys fs.FS, dir, label string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("%s: migration file %q: want NNNN_name.sql", label, name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("%s: migrations %q and %q share version %d", label, out[i-1].Name, out[i].Name, out[i].Version)
		}
	}
	return out, nil
}
