package sync_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// TestOutboundLingerCoalescesAStream: while publishes keep coming (here
// every 10 ms for 600 ms, longer than Gap many times over), the running
// dispatcher keeps gathering them up to Linger, so the stream's 60 levels
// go out in one stock call; a lone change afterwards goes out after Gap,
// not after Linger.
func TestOutboundLingerCoalescesAStream(t *testing.T) {
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}})
	require.NoError(t, err)
	var ps []wms.Product
	for i := range 61 {
		ps = append(ps, wms.Product{Shop: "A", ExternalID: fmt.Sprintf("p%d", i), Title: "P",
			Variants: []wms.Variant{{SKU: fmt.Sprintf("K%02d", i), ExternalID: fmt.Sprintf("v%d", i), InventoryItemID: fmt.Sprintf("i%d", i), Title: "x"}}})
	}
	require.NoError(t, w.UpsertProducts(bg, ps))
	var calls, levels atomic.Int64
	shop := &outShop{fail: func(m *wmssync.Outgoing) error {
		calls.Add(1)
		levels.Add(int64(len(m.Stock)))
		return nil
	}}
	store := memstore.New()
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store,
		Outbound: wmssync.OutboundConfig{Linger: 30 * time.Second, Gap: 100 * time.Millisecond},
		Connect:  func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return shop, nil }})
	require.NoError(t, err)
	_, err = eng.SaveSettings(bg, wmssync.Settings{Shop: "A", AdminURL: "https://a.example.com", Locations: map[string]string{"l1": "cph"}})
	require.NoError(t, err)
	require.NoError(t, store.SaveStep(bg, wmssync.StepState{Shop: "A", Step: wmssync.StepOutbound, Status: wmssync.StepDone}))
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- eng.Run(ctx) }()
	defer func() {
		cancel()
		require.NoError(t, <-done)
	}()
	time.Sleep(50 * time.Millisecond) // Run's first round (nothing to do) is over

	publish := func(i int) {
		require.NoError(t, eng.Publish(bg, wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprint("c", i), Seq: int64(i + 1)},
			SKU: fmt.Sprintf("K%02d", i), Warehouse: "cph", OnHand: int64(i), Available: int64(i)}))
	}
	for i := range 60 {
		publish(i)
		time.Sleep(10 * time.Millisecond)
	}
	require.Eventually(t, func() bool { return levels.Load() == 60 }, 20*time.Second, 10*time.Millisecond)
	require.Equal(t, int64(1), calls.Load(), "the stream's levels in one call")

	start := time.Now()
	publish(60)
	require.Eventually(t, func() bool { return levels.Load() == 61 }, 20*time.Second, 10*time.Millisecond)
	require.Less(t, time.Since(start), 15*time.Second, "a lone change waits Gap, not Linger")
	require.Equal(t, int64(2), calls.Load())
}
