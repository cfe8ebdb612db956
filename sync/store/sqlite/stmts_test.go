package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// TestPreparedStatementsAfterClose: the statements the store keeps
// prepared are used before and after a write of each kind, and once the
// store is closed every such call answers ErrStoreClosed (not an error of
// a closed statement or database), whether or not it was prepared before.
func TestPreparedStatementsAfterClose(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "stmts.db"))
	require.NoError(t, err)
	key := wmssync.EntityKey{Shop: "s", Kind: wmssync.KindOrder, ID: "1"}
	for rev := int64(0); rev < 3; rev++ { // prepared once, used three times
		ok, err := s.SetVersion(ctx, key, webhook.Version{}, rev)
		require.NoError(t, err)
		require.True(t, ok)
		_, got, err := s.Version(ctx, key)
		require.NoError(t, err)
		require.Equal(t, rev+1, got)
	}
	_, err = s.Put(ctx, &webhook.Event{Topic: "orders/create", Shop: "s", WebhookID: "w1", Body: []byte(`{}`)})
	require.NoError(t, err)
	require.NoError(t, s.Complete(ctx, "w1"))
	require.NoError(t, s.Close())

	_, err = s.SetVersion(ctx, key, webhook.Version{}, 3)
	require.ErrorIs(t, err, wmssync.ErrStoreClosed)
	require.ErrorIs(t, s.Complete(ctx, "w1"), wmssync.ErrStoreClosed)
	require.ErrorIs(t, s.Fail(ctx, "w1", "x"), wmssync.ErrStoreClosed) // never prepared
	_, err = s.Steps(ctx, "s")
	require.ErrorIs(t, err, wmssync.ErrStoreClosed)
}
