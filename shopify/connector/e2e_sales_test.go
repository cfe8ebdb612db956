package connector_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// S12: the sales history from a chosen day: the quantity sold per SKU and
// day, read with a bulk export for a long range (read_all_orders granted),
// with progress; a start day of today skips the step.
func TestE2E_S12_SalesHistory(t *testing.T) {
	h := newHarness(t, harnessOptions{conn: connector0()})
	shop, dk, de := h.addShop("s12shop", shopifytest.WithScopes(append(shopifytest.DefaultScopes(), "read_all_orders")...))
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 121, Products: 6, VariantsPerProduct: 2, Orders: 120, OrderAgeDays: 250, POSShare: 0.2})
	require.NoError(t, err)
	for _, id := range res.OrderIDs[:5] {
		require.NoError(t, shop.CancelOrder(id))
	}
	today := wms.DateOf(timeNow())
	since := today.AddDays(-180)
	s := settingsFor(shop, dk, de)
	s.POS = true
	s.SalesHistorySince = since
	s = h.save(s)
	events := h.runSteps(s.Shop, wmssync.StepSalesHistory, wmssync.StepCustomsCost)

	var sawSales bool
	for _, e := range events {
		if e.Step == wmssync.StepSalesHistory && e.Finished {
			sawSales = true
			assert.Equal(t, wmssync.StepDone, e.Status)
			assert.Positive(t, e.Done)
		}
	}
	assert.True(t, sawSales)
	var bulkOrders bool
	for _, op := range shop.BulkOperations() {
		if strings.Contains(op.Query, "orders") {
			bulkOrders = true
		}
	}
	assert.True(t, bulkOrders, "180 days of orders are read with a bulk export")

	// Days are the shop's days (its time zone).
	loc, err := time.LoadLocation(shop.Info().IanaTimezone)
	require.NoError(t, err)
	want := map[string]map[wms.Date]int64{}
	var counted int
	for _, o := range shop.Orders() {
		day := wms.DateOf(o.CreatedAt.In(loc))
		if o.CancelledAt != nil || day.Before(since) {
			continue
		}
		counted++
		for _, li := range o.LineItems {
			if want[li.SKU] == nil {
				want[li.SKU] = map[wms.Date]int64{}
			}
			want[li.SKU][day] += int64(li.Quantity - li.RefundedQuantity)
		}
	}
	require.Positive(t, counted)
	require.Less(t, counted, len(res.OrderIDs), "older and cancelled orders do not count")
	for sku, days := range want {
		got, err := h.wms.DailySales(context.Background(), sku, since.AddDays(-1), today)
		require.NoError(t, err)
		gotDays := map[wms.Date]int64{}
		for _, d := range got {
			gotDays[d.Day] = d.Quantity
		}
		assert.Equal(t, days, gotDays, sku)
	}

	// Re-running replaces the records with the same figures.
	require.NoError(t, h.eng.RunStep(ctxT(t), s.Shop, wmssync.StepSalesHistory, nil))
	for sku, days := range want {
		got, _ := h.wms.DailySales(context.Background(), sku, since.AddDays(-1), today)
		var sum, wantSum int64
		for _, d := range got {
			sum += d.Quantity
		}
		for _, q := range days {
			wantSum += q
		}
		assert.Equal(t, wantSum, sum, sku)
	}

	// Today means skip.
	other, dk2, de2 := h.addShop("s12today")
	o := settingsFor(other, dk2, de2)
	o.SalesHistorySince = today
	o = h.save(o)
	h.runSteps(o.Shop, wmssync.StepSalesHistory, wmssync.StepCustomsCost)
	states, err := h.eng.StepStates(ctxT(t), o.Shop)
	require.NoError(t, err)
	assert.Equal(t, wmssync.StepSkipped, states[3].Status)
}
