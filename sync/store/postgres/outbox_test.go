package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// A host publishing inside its own transaction: the messages exist if and
// only if the host's transaction commits.
func TestAddOutboxTx(t *testing.T) {
	s := newStore(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	msg := func(id string) wmssync.OutboxMessage {
		return wmssync.OutboxMessage{ID: id, Kind: wms.KindStockChanged, Data: []byte(`{}`), State: wmssync.OutboxPending,
			NextAttempt: now, CreatedAt: now, Time: now}
	}
	_, err := s.Pool().Exec(ctx, `CREATE TABLE `+s.Schema()+`.host_stock (sku text PRIMARY KEY, qty int)`)
	require.NoError(t, err)

	// Rolled back: neither the host's row nor the message.
	tx, err := s.Pool().Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO `+s.Schema()+`.host_stock VALUES ('A', 1)`)
	require.NoError(t, err)
	require.NoError(t, s.AddOutboxTx(ctx, tx, []wmssync.OutboxMessage{msg("ev-1")}))
	require.NoError(t, tx.Rollback(ctx))
	got, err := s.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Empty(t, got)

	// Committed: both, in one unit.
	require.NoError(t, pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO `+s.Schema()+`.host_stock VALUES ('A', 2)`); err != nil {
			return err
		}
		return s.AddOutboxTx(ctx, tx, []wmssync.OutboxMessage{msg("ev-2"), msg("ev-3")})
	}))
	got, err = s.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "ev-2", got[0].ID)
	require.Less(t, got[0].Pos, got[1].Pos)
	claimed, err := s.ClaimOutbox(ctx, "", now, time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claimed, 2)
}
