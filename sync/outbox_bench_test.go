package sync_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// BenchmarkOutboundStockBurst publishes 10,000 stock changes over 3,000
// SKU-locations (1,500 SKUs in two warehouses, each mapped to a shop
// location) and drains the outbox over the memory store, with a connector
// that only counts. It reports the shop calls per burst (the ideal is
// ⌈3,000 / 250⌉ = 12), the ratio of the two (goal 1), and the time per
// burst (publish + fan-out + coalescing + settling).
func BenchmarkOutboundStockBurst(b *testing.B) {
	const skus, changes = 1500, 10000
	w := stockBenchWMS(b, skus)
	var calls, levels int
	shop := &outShop{fail: func(m *wmssync.Outgoing) error { calls++; levels += len(m.Stock); return nil }}
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		store := memstore.New()
		eng := stockBenchEngine(b, w, store, shop)
		shop.sent = nil
		b.StartTimer()
		for i := range changes {
			pair := i % (2 * skus)
			ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprintf("b%d-%d", n, i), Seq: int64(i + 1)},
				SKU: fmt.Sprintf("K%04d", pair/2), Warehouse: []string{"cph", "aar"}[pair%2], OnHand: int64(i), Available: int64(i)}
			if err := eng.Publish(bg, ev); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := eng.DeliverOutbound(bg); err != nil {
			b.Fatal(err)
		}
	}
	minimum := float64((2*skus + outShopBatch - 1) / outShopBatch)
	b.ReportMetric(float64(calls)/float64(b.N), "calls/burst")
	b.ReportMetric(float64(levels)/float64(b.N), "levels/burst")
	b.ReportMetric(float64(calls)/float64(b.N)/minimum, "ratio")
}

// BenchmarkOutboundStockSpread publishes 10,000 stock changes over 3,000
// SKU-locations at an even pace over 2 seconds (WMSBRIDGE_BENCH_SPREAD
// changes it) to an engine that runs ([Engine.Run], default
// OutboundConfig, memory store, a connector that only counts), waits until
// every message is settled, and reports the shop calls against the
// minimum ⌈3,000 / 250⌉ = 12 (ratio, goal 1). It then publishes one lone
// change after a quiet second and reports how long it took to reach the
// shop (lone_ms: the dispatcher's wait for more publishes; never more than
// OutboundConfig.Linger).
//
//	go test -run '^$' -bench BenchmarkOutboundStockSpread -benchtime 3x ./sync
func BenchmarkOutboundStockSpread(b *testing.B) {
	const skus, changes = 1500, 10000
	spread := 2 * time.Second
	if v := os.Getenv("WMSBRIDGE_BENCH_SPREAD"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			b.Fatalf("WMSBRIDGE_BENCH_SPREAD=%q: want a positive duration", v)
		}
		spread = d
	}
	w := stockBenchWMS(b, skus)
	var calls, levels atomic.Int64
	lone := make(chan struct{}, 1)
	shop := &outShop{fail: func(m *wmssync.Outgoing) error {
		calls.Add(1)
		levels.Add(int64(len(m.Stock)))
		for _, l := range m.Stock {
			if l.SKU == "LONE" {
				lone <- struct{}{}
			}
		}
		return nil
	}}
	if err := w.UpsertProducts(bg, []wms.Product{{Shop: "A", ExternalID: "lone", Title: "P",
		Variants: []wms.Variant{{SKU: "LONE", ExternalID: "vl", InventoryItemID: "il", Title: "x"}}}}); err != nil {
		b.Fatal(err)
	}
	var totalCalls, totalLone float64
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		calls.Store(0)
		store := memstore.New()
		eng := stockBenchEngine(b, w, store, shop)
		ctx, cancel := context.WithCancel(bg)
		done := make(chan error, 1)
		go func() { done <- eng.Run(ctx) }()
		settled := func() {
			for {
				st := eng.OutboundStats()
				if st.Published == st.FannedOut+st.Skipped && st.FannedOut > 0 {
					pending, err := store.ListOutbox(bg, wmssync.OutboxFilter{State: wmssync.OutboxPending, Limit: 1})
					if err != nil {
						b.Fatal(err)
					}
					if len(pending) == 0 {
						return
					}
				}
				time.Sleep(5 * time.Millisecond)
			}
		}
		b.StartTimer()
		start := time.Now()
		for i := range changes {
			if ahead := time.Until(start.Add(spread * time.Duration(i) / changes)); ahead > 0 {
				time.Sleep(ahead)
			}
			pair := i % (2 * skus)
			ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprintf("s%d-%d", n, i), Seq: int64(i + 1)},
				SKU: fmt.Sprintf("K%04d", pair/2), Warehouse: []string{"cph", "aar"}[pair%2], OnHand: int64(i), Available: int64(i)}
			if err := eng.Publish(bg, ev); err != nil {
				b.Fatal(err)
			}
		}
		settled()
		b.StopTimer()
		totalCalls += float64(calls.Load())
		// A lone change after a quiet second.
		time.Sleep(time.Second)
		t0 := time.Now()
		if err := eng.Publish(bg, wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprintf("lone-%d", n), Seq: changes + 1},
			SKU: "LONE", Warehouse: "cph", OnHand: 1, Available: 1}); err != nil {
			b.Fatal(err)
		}
		select {
		case <-lone:
		case <-time.After(time.Minute):
			b.Fatal("the lone change did not reach the shop within a minute")
		}
		totalLone += float64(time.Since(t0)) / float64(time.Millisecond)
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	minimum := float64((2*skus + outShopBatch - 1) / outShopBatch)
	b.ReportMetric(totalCalls/float64(b.N), "calls/burst")
	b.ReportMetric(totalCalls/float64(b.N)/minimum, "ratio")
	b.ReportMetric(totalLone/float64(b.N), "lone_ms")
	b.ReportMetric(spread.Seconds(), "spread_s")
}

// stockBenchWMS returns memwms with skus SKUs K0000... of shop A in the
// warehouses cph and aar.
func stockBenchWMS(b *testing.B, skus int) *memwms.WMS {
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}, {ID: "aar"}}})
	if err != nil {
		b.Fatal(err)
	}
	var ps []wms.Product
	for i := range skus {
		ps = append(ps, wms.Product{Shop: "A", ExternalID: fmt.Sprintf("p%d", i), Title: "P",
			Variants: []wms.Variant{{SKU: fmt.Sprintf("K%04d", i), ExternalID: fmt.Sprintf("v%d", i), InventoryItemID: fmt.Sprintf("i%d", i), Title: "x"}}})
	}
	if err := w.UpsertProducts(bg, ps); err != nil {
		b.Fatal(err)
	}
	return w
}

// stockBenchEngine returns an engine over w and store with shop A (its
// locations l1 and l2 mapped to cph and aar, outbound on) served by shop.
func stockBenchEngine(b *testing.B, w *memwms.WMS, store *memstore.Store, shop *outShop) *wmssync.Engine {
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store, Logger: slog.New(slog.DiscardHandler),
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return shop, nil }})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := eng.SaveSettings(bg, wmssync.Settings{Shop: "A", AdminURL: "https://a.example.com",
		Locations: map[string]string{"l1": "cph", "l2": "aar"}}); err != nil {
		b.Fatal(err)
	}
	if err := store.SaveStep(bg, wmssync.StepState{Shop: "A", Step: wmssync.StepOutbound, Status: wmssync.StepDone}); err != nil {
		b.Fatal(err)
	}
	return eng
}
