package sqlite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// A host publishing inside its own transaction on the store's database:
// the messages exist if and only if the host's transaction commits.
func TestAddOutboxTx(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	msg := func(id string) wmssync.OutboxMessage {
		return wmssync.OutboxMessage{ID: id, Kind: wms.KindStockChanged, Data: []byte(`{}`), State: wmssync.OutboxPending,
			NextAttempt: now, CreatedAt: now, Time: now}
	}
	_, err := s.DB().Exec(`CREATE TABLE host_stock (sku TEXT PRIMARY KEY, qty INTEGER)`)
	require.NoError(t, err)

	tx, err := s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO host_stock VALUES ('A', 1)`)
	require.NoError(t, err)
	require.NoError(t, s.AddOutboxTx(ctx, tx, []wmssync.OutboxMessage{msg("ev-1")}))
	require.NoError(t, tx.Rollback())
	got, err := s.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Empty(t, got)

	tx, err = s.DB().BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.Exec(`INSERT INTO host_stock VALUES ('A', 2)`)
	require.NoError(t, err)
	require.NoError(t, s.AddOutboxTx(ctx, tx, []wmssync.OutboxMessage{msg("ev-2"), msg("ev-3")}))
	require.NoError(t, tx.Commit())
	got, err = s.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "ev-2", got[0].ID)
	require.Less(t, got[0].Pos, got[1].Pos)
	claimed, err := s.ClaimOutbox(ctx, "", now, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 2)
	var qty int
	require.NoError(t, s.DB().QueryRow(`SELECT qty FROM host_stock WHERE sku = 'A'`).Scan(&qty))
	require.Equal(t, 2, qty)
}
