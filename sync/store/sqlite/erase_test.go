package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/wmsbridge/wmsbridge/internal/storedump"
	"github.com/wmsbridge/wmsbridge/sync/store/internal/erasetest"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
)

var _ erasetest.Store = (*sqlite.Store)(nil)

// TestEraseShopLeavesNoRow searches every column of every table of the
// database file, as the catalogue lists them, after EraseShop.
func TestEraseShopLeavesNoRow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "erase.db")
	s := openStore(t, path)
	erasetest.Run(t, s, func(t *testing.T) map[string][]string { return storedump.SQLite(t, path) })
}
