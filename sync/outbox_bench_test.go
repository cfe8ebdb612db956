package sync_test

import (
	"context"
	"fmt"
	"testing"

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
	var calls, levels int
	shop := &outShop{fail: func(m *wmssync.Outgoing) error { calls++; levels += len(m.Stock); return nil }}
	b.ResetTimer()
	for n := range b.N {
		b.StopTimer()
		store := memstore.New()
		eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store,
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
		shop.sent = nil
		b.StartTimer()
		for i := range changes {
			pair := i % (2 * skus)
			ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprintf("b%d-%d", n, i), Seq: int64(i + 1)},
				SKU: fmt.Sprintf("K%04d", pair/2), Warehouse: []string{"cph", "aar"}[pair%2], Available: int64(i)}
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
