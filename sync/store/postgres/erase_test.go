package postgres_test

import (
	"testing"

	"github.com/wmsbridge/wmsbridge/internal/storedump"
	"github.com/wmsbridge/wmsbridge/sync/store/internal/erasetest"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
)

var _ erasetest.Store = (*postgres.Store)(nil)

// TestEraseShopLeavesNoRow searches every row of every table of the
// store's schema, as information_schema lists them (binary columns as
// their bytes), after EraseShop.
func TestEraseShopLeavesNoRow(t *testing.T) {
	s := newStore(t)
	erasetest.Run(t, s, func(t *testing.T) map[string][]string { return storedump.Postgres(t, s.Pool(), s.Schema()) })
}
