package sync_test

import (
	"context"
	"log/slog"
	"strconv"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// recordLogs is a slog.Handler keeping every record.
type recordLogs struct {
	mu   gosync.Mutex
	recs []slog.Record
}

func (h *recordLogs) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordLogs) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}
func (h *recordLogs) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordLogs) WithGroup(string) slog.Handler      { return h }

// pruned returns the "deleted" attribute of the Info record "versions
// pruned" of kind, and whether there is one.
func (h *recordLogs) pruned(kind string) (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.recs {
		if r.Message != "versions pruned" || r.Level != slog.LevelInfo {
			continue
		}
		var k string
		var n int64 = -1
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "kind":
				k = a.Value.String()
			case "deleted":
				n = a.Value.Int64()
			}
			return true
		})
		if k == kind {
			return n, true
		}
	}
	return 0, false
}

// Run prunes, shortly after it starts, the versions of orders and products
// older than Config.VersionRetention by the engine's clock, in batches,
// and keeps recent ones and every barcode mark, a pending one above all
// (its message may sit dead-lettered for longer than the retention).
func TestRunPrunesOldVersions(t *testing.T) {
	logs := &recordLogs{}
	e := newEnv(t, func(c *wmssync.Config) {
		c.Logger = slog.New(logs)
		c.VersionRetention = 30 * 24 * time.Hour
	})
	now := e.clock.Now()
	ago := func(days int) time.Time { return now.Add(-time.Duration(days) * 24 * time.Hour) }
	set := func(kind, id string, v webhook.Version) wmssync.EntityKey {
		k := wmssync.EntityKey{Shop: "PruneDK", Kind: kind, ID: id}
		ok, err := e.store.SetVersion(bg, k, v, 0)
		require.NoError(t, err)
		require.True(t, ok)
		return k
	}
	const oldOrders = 2500 // more than one batch
	var old []wmssync.EntityKey
	for i := range oldOrders {
		old = append(old, set(wmssync.KindOrder, "gid://shopify/Order/"+itoa(i), webhook.Version{UpdatedAt: ago(40), TriggeredAt: ago(31)}))
	}
	old = append(old, set(wmssync.KindProduct, "old", webhook.Version{UpdatedAt: ago(60)}))
	kept := []wmssync.EntityKey{
		set(wmssync.KindOrder, "recent", webhook.Version{UpdatedAt: ago(29), TriggeredAt: ago(29)}),
		set(wmssync.KindOrder, "old-update-recent-delivery", webhook.Version{UpdatedAt: ago(200), TriggeredAt: ago(1)}),
		set(wmssync.KindProduct, "recent", webhook.Version{UpdatedAt: now}),
		// A pending barcode mark whose message was created long ago (dead-lettered).
		set(wmssync.KindBarcodeSentForTest, "SKU-PENDING", webhook.Version{UpdatedAt: ago(120), TriggeredAt: ago(100)}),
		set(wmssync.KindBarcodeSentForTest, "SKU-SETTLED", webhook.Version{UpdatedAt: ago(100), TriggeredAt: ago(101)}),
		set(wmssync.KindBarcodeShopForTest, "shop", webhook.Version{TriggeredAt: ago(300)}),
	}

	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- e.engine.Run(ctx) }()
	require.Eventually(t, func() bool {
		_, orders := logs.pruned(wmssync.KindOrder)
		_, products := logs.pruned(wmssync.KindProduct)
		return orders && products
	}, 10*time.Second, 5*time.Millisecond, "Run did not log the pruning")
	cancel()
	require.NoError(t, <-done)

	n, _ := logs.pruned(wmssync.KindOrder)
	assert.Equal(t, int64(oldOrders), n, "orders pruned")
	n, _ = logs.pruned(wmssync.KindProduct)
	assert.Equal(t, int64(1), n, "products pruned")
	for _, k := range old {
		_, rev, err := e.store.Version(bg, k)
		require.NoError(t, err)
		require.Zero(t, rev, "%s older than the retention is still stored", k)
	}
	for _, k := range kept {
		_, rev, err := e.store.Version(bg, k)
		require.NoError(t, err)
		assert.NotZero(t, rev, "%s was pruned", k)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// NewEngine rejects a positive VersionRetention too short to outlive
// Shopify's webhook retries and the sweeps' overlap; negative disables
// pruning; zero takes the default.
func TestVersionRetentionValidation(t *testing.T) {
	e := newEnv(t)
	cfg := func(r, overlap time.Duration) wmssync.Config {
		return wmssync.Config{Backend: e.wms, Store: e.store, VersionRetention: r, ReconcileOverlap: overlap,
			Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, nil }}
	}
	for _, tc := range []struct {
		retention, overlap time.Duration
		ok                 bool
	}{
		{0, 0, true},
		{-1, 0, true},
		{wmssync.MinVersionRetention, 0, true},
		{wmssync.MinVersionRetention - time.Second, 0, false},
		{48 * time.Hour, 0, false},
		{10 * 24 * time.Hour, 5 * 24 * time.Hour, false},
		{10 * 24 * time.Hour, 4 * 24 * time.Hour, true},
	} {
		_, err := wmssync.NewEngine(cfg(tc.retention, tc.overlap))
		if tc.ok {
			assert.NoError(t, err, "retention %v overlap %v", tc.retention, tc.overlap)
		} else if assert.Error(t, err, "retention %v overlap %v", tc.retention, tc.overlap) {
			assert.Contains(t, err.Error(), "VersionRetention")
		}
	}
}
