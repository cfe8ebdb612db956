package sync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// Run audits a shop's stock on its own once the shop is due
// (Config.StockAuditInterval), without a call to AuditStock, records when,
// and sends the correction.
func TestRunAuditsStockWhenDue(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	warehouse, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	require.NoError(t, err)
	shop := demoCatalog()
	for i := range shop.products {
		shop.products[i].Variants[0].InventoryItemID = fmt.Sprint(300 + i)
	}
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend:            warehouse,
		Store:              memstore.New(),
		StockAuditInterval: 200 * time.Millisecond,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return auditedShop{writingShop{shop}}, nil // shows 40 units of DEMO-0; the warehouse has 10
		},
	})
	require.NoError(t, err)
	_, err = engine.SaveSettings(ctx, wmssync.Settings{Shop: "DemoDK", AdminURL: "demo-dk.myshopify.com", Locations: map[string]string{"1": "cph"}})
	require.NoError(t, err)
	require.NoError(t, engine.RunSetup(ctx, "DemoDK", nil))

	done := make(chan error, 1)
	go func() { done <- engine.Run(ctx) }()
	var h wmssync.Health
	require.Eventually(t, func() bool {
		h, err = engine.Health(ctx, "DemoDK")
		return err == nil && h.LastStockAudit != nil && !h.StockAuditedAt.IsZero()
	}, 20*time.Second, 20*time.Millisecond, "Run did not audit the due shop")
	require.Equal(t, 2, h.LastStockAudit.Compared)
	require.Equal(t, 1, h.LastStockAudit.Corrected)
	require.Equal(t, "DEMO-0", h.LastStockAudit.Drifts[0].SKU)
	require.Eventually(t, func() bool { return engine.OutboundStats().StockCalls > 0 }, 20*time.Second, 20*time.Millisecond,
		"the audit's correction was not sent")
	cancel()
	require.NoError(t, <-done)
}
