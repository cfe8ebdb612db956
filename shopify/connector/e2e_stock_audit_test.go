package connector_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The stock audit repairs drift: levels changed in the shop by hand and a
// stock message the shop refused until it was dead-lettered are all
// brought back to the WMS's figures by one audit, in ⌈corrections / 250⌉
// inventorySetQuantities calls; every other level is left as it was.
func TestStockAudit_RepairsDrift(t *testing.T) {
	for _, tc := range []struct {
		name string
		conn connector.Config
	}{
		{"paged", connector.Config{BulkThreshold: -1}},
		{"bulk", connector.Config{BulkThreshold: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const skus = 300
			o := newOutHarness(t, tc.conn)
			var specs []shopifytest.ProductSpec
			for i := range skus {
				specs = append(specs, shopifytest.ProductSpec{Title: fmt.Sprintf("P%d", i), Variants: []shopifytest.VariantSpec{
					{SKU: fmt.Sprintf("AUD-%04d", i), Price: "1.00", Stock: map[int64]int{0: 5, 1: 2}}}})
			}
			a := o.addOutShop("audit"+tc.name, nil, specs...)
			o.drainOut()
			ctx := ctxT(t)

			// A stock message dead-lettered: the shop fails until the
			// engine gives up.
			remove := o.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 500, Shop: a.shop.Name(), Rate: 1})
			require.NoError(t, o.wms.Receive(ctx, whDK, "AUD-0000", 4)) // 5 + 4
			require.Eventually(t, func() bool {
				dead, err := o.engine().DeadLetters(context.Background(), a.settings.Shop)
				return err == nil && len(dead) == 1 && dead[0].Kind == wms.KindStockChanged
			}, 30*time.Second, 10*time.Millisecond)
			remove()
			require.Equal(t, 5, o.available(a, "AUD-0000", a.dk), "not delivered")

			// The merchant edits 260 levels by hand in the admin.
			for i := 1; i <= 260; i++ {
				sku, loc := fmt.Sprintf("AUD-%04d", i), a.dk
				if i > 250 {
					loc = a.de
				}
				v, ok := a.shop.VariantBySKU(sku)
				require.True(t, ok)
				require.NoError(t, a.shop.SetQuantity(v.InventoryItemID, loc, "available", 1000+i))
			}
			const corrections = 261

			before := o.tr.count("inventorySetQuantities")
			res, err := o.engine().AuditStock(ctx, a.settings.Shop)
			require.NoError(t, err)
			assert.Equal(t, 2*skus, res.Compared)
			assert.Equal(t, corrections, res.Corrected)
			assert.Equal(t, corrections, res.Messages) // one SKU-location each
			assert.Zero(t, res.InFlight)
			assert.Zero(t, res.Unmatched)
			require.Len(t, res.Drifts, 10)
			assert.Equal(t, wmssync.StockDrift{SKU: "AUD-0260", Warehouse: whDE, LocationID: fmt.Sprintf("gid://shopify/Location/%d", a.de),
				Shop: 1260, Want: 2}, res.Drifts[0])
			require.Eventually(t, o.outboxIdle, 60*time.Second, 20*time.Millisecond)
			calls := o.tr.count("inventorySetQuantities") - before
			t.Logf("reads: %d stock level pages, %d bulk exports started (import included)", o.tr.count("connectorStockLevels"), o.tr.count("bulkOperationRunQuery"))
			assert.Equal(t, (corrections+249)/250, calls, "inventorySetQuantities calls for %d corrections", corrections)

			for i := range skus {
				sku := fmt.Sprintf("AUD-%04d", i)
				for _, loc := range []struct {
					wh string
					id int64
				}{{whDK, a.dk}, {whDE, a.de}} {
					want := o.wms.Level(sku, loc.wh).Available()
					require.Equal(t, int(want), o.available(a, sku, loc.id), "%s at %s", sku, loc.wh)
				}
			}
			h, err := o.engine().Health(ctx, a.settings.Shop)
			require.NoError(t, err)
			require.NotNil(t, h.LastStockAudit)
			assert.Equal(t, corrections, h.LastStockAudit.Corrected)
			assert.False(t, h.StockAuditedAt.IsZero())

			// Nothing drifted since: a second audit corrects nothing.
			res, err = o.engine().AuditStock(ctx, a.settings.Shop)
			require.NoError(t, err)
			assert.Equal(t, 2*skus, res.Compared)
			assert.Zero(t, res.Corrected)
		})
	}
}
