package sync_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// Run returns, with an error matching ErrStoreClosed, when its store is
// closed under it.
func TestRunReturnsWhenStoreCloses(t *testing.T) {
	w, err := memwms.New(nil)
	require.NoError(t, err)
	store, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "run.db"))
	require.NoError(t, err)
	logs := &recordLogs{}
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store, Logger: slog.New(logs),
		Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, errors.New("none") }})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- eng.Run(bg) }()
	time.Sleep(50 * time.Millisecond) // let Run start its loops
	require.NoError(t, store.Close())
	select {
	case err := <-done:
		require.ErrorIs(t, err, wmssync.ErrStoreClosed)
		assert.ErrorIs(t, err, sqlite.ErrClosed)
	case <-time.After(10 * time.Second):
		t.Fatal("Run kept running after its store was closed")
	}
	assert.Zero(t, logs.count("store error; retrying with backoff until it answers"),
		"a closed store is not retried")
}

// flakyStore fails the inbox's Claim a number of times, then works.
type flakyStore struct {
	*memstore.Store
	fails atomic.Int32
}

func (s *flakyStore) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	if s.fails.Add(-1) >= 0 {
		return nil, fmt.Errorf("flaky store: connection reset")
	}
	return s.Store.Claim(ctx, limit, lease)
}

// Transient store errors are retried with backoff and logged once per
// episode (when it starts and when it ends), not once per retry; Run goes
// on.
func TestRunRetriesTransientStoreErrorsQuietly(t *testing.T) {
	defer wmssync.SetStoreBackoffForTest(time.Millisecond, 4*time.Millisecond)()
	w, err := memwms.New(nil)
	require.NoError(t, err)
	store := &flakyStore{Store: memstore.New()}
	store.fails.Store(6)
	logs := &recordLogs{}
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store, Logger: slog.New(logs),
		Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, errors.New("none") }})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for logs.count("store answers again") == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	require.NoError(t, <-done, "Run returns nil when its context ends")
	assert.Equal(t, 1, logs.count("store error; retrying with backoff until it answers"), "one error log per episode")
	assert.Equal(t, 1, logs.count("store answers again"), "one recovery log per episode")
	assert.Equal(t, 5, logs.count("store error again"), "the other failures at debug level")
	assert.Less(t, store.fails.Load(), int32(0), "Claim works again after the episode")
}

// count returns the number of records with message msg.
func (h *recordLogs) count(msg string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.recs {
		if r.Message == msg {
			n++
		}
	}
	return n
}
