package sync_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// S9: customs information and costs from the shop into the items;
// skippable; skipped by itself when the connector cannot.
func TestCustomsCostStep(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	p := product("P1", e.clock.Now(), "TEE", "CAP")
	p.Variants[0].Cost = "41.50"
	p.Variants[0].Customs = wms.Customs{HSCode: "6109.10", CountryOfOrigin: "PT", CountryHSCodes: map[string]string{"US": "6109.10.0012"}}
	f.putProduct(p)
	e.runStep("dk", wmssync.StepProducts)
	// The product listing carried cost and customs already; clear them to
	// see the step write them.
	require.NoError(t, e.wms.ImportCosts(bg, []wms.CostUpdate{{SKU: "TEE", Cost: "0", Shop: "x"}}))
	require.NoError(t, e.wms.ImportCustoms(bg, []wms.CustomsUpdate{{SKU: "TEE", Shop: "x"}}))

	var last wmssync.Progress
	require.NoError(t, e.engine.RunStep(bg, "dk", wmssync.StepCustomsCost, func(p wmssync.Progress) { last = p }))
	it, _ := e.wms.Item(bg, "TEE")
	assert.Equal(t, wms.Decimal("41.50"), it.Cost)
	assert.Equal(t, "6109.10", it.Customs.HSCode)
	assert.Equal(t, "PT", it.Customs.CountryOfOrigin)
	assert.Equal(t, "6109.10.0012", it.Customs.CountryHSCodes["US"])
	cap, _ := e.wms.Item(bg, "CAP")
	assert.True(t, cap.Customs.IsZero(), "nothing to write for CAP")
	assert.True(t, last.Finished)
	assert.Equal(t, wmssync.StepDone, last.Status)

	// A connector without the capability: the step skips itself.
	e2 := newEnv(t)
	plain := e2.addShop("plain")
	e2.conns["plain"] = struct{ wmssync.Connector }{plain} // hides the optional interfaces
	e2.runStep("plain", wmssync.StepProducts)
	e2.runStep("plain", wmssync.StepCustomsCost)
	states, _ := e2.engine.StepStates(bg, "plain")
	assert.Equal(t, wmssync.StepSkipped, states[1].Status)
	assert.Contains(t, states[1].Note, "cannot read customs")
	assert.Empty(t, plain.subscribed(wmssync.ProductWebhooks), "no registrar: no webhooks")
}

// salesFixture puts orders over several days into f and returns the
// expected quantity per SKU and day.
func salesFixture(f *fakeShop, today time.Time) map[string]int64 {
	cph := time.FixedZone("CET", 3600)
	day := func(daysAgo, hour int) time.Time {
		d := today.In(cph).AddDate(0, 0, -daysAgo)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, 30, 0, 0, cph)
	}
	want := map[string]int64{}
	add := func(id string, at time.Time, pos bool, status wms.OrderStatus, lines ...wms.OrderLine) {
		o := order(id, "loc-cph", at.UTC(), lines...) // UTC, as Shopify's API gives it
		o.POS, o.Status = pos, status
		f.putOrder(o)
	}
	n := 0
	for d := 12; d >= 1; d-- { // since = 10 days ago: days 12 and 11 are before
		for h := range 3 {
			n++
			id := fmt.Sprintf("S%03d", n)
			// 00:30 in Copenhagen is the previous day in UTC: the shop's
			// day (ShopInfo.Timezone) counts.
			at := day(d, []int{0, 9, 23}[h])
			add(id, at, false, "", line("L1", "TEE", int64(h+1)), line("L2", "CAP", 1), line("L3", "TEE", 1))
			if d <= 10 {
				k := wms.DateOf(at).String()
				want["TEE/"+k] += int64(h + 2)
				want["CAP/"+k]++
			}
		}
	}
	add("X1", day(3, 10), false, wms.OrderCancelled, line("L1", "TEE", 50)) // cancelled: not sold
	add("X2", day(3, 11), true, "", line("L1", "TEE", 70))                  // POS with POS off: ignored
	return want
}

func salesOf(t *testing.T, e *env, since wms.Date) map[string]int64 {
	got := map[string]int64{}
	for _, sku := range []string{"TEE", "CAP"} {
		ds, err := e.wms.DailySales(bg, sku, since.AddDays(-5), since.AddDays(30))
		require.NoError(t, err)
		for _, d := range ds {
			got[sku+"/"+d.Day.String()] = d.Quantity
		}
	}
	return got
}

// S12: sales per SKU and day from the orders since the chosen day, in the
// shop's days; resumable after a crash without counting twice.
func TestSalesHistoryStep(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	f.pageSize = 4
	today := e.clock.Now()
	want := salesFixture(f, today)
	since := wms.DateOf(today.In(time.FixedZone("CET", 3600))).AddDays(-10)
	s, _ := e.engine.Settings(bg, "dk")
	s.SalesHistorySince = since
	_, err := e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	e.throughOrders("dk")

	// Crash in the middle of the listing, resume in a new engine.
	ctx, cancel := context.WithCancel(bg)
	pages := 0
	f.onPage = func(kind, _ string) {
		if kind == "orders" {
			if pages++; pages == 5 {
				cancel()
			}
		}
	}
	require.ErrorIs(t, e.engine.RunStep(ctx, "dk", wmssync.StepSalesHistory, nil), context.Canceled)
	f.onPage = nil
	e.build()
	e.runStep("dk", wmssync.StepSalesHistory)
	assert.Equal(t, want, salesOf(t, e, since))

	// Idempotent re-run.
	e.runStep("dk", wmssync.StepSalesHistory)
	assert.Equal(t, want, salesOf(t, e, since))
	states, _ := e.engine.StepStates(bg, "dk")
	assert.Equal(t, wmssync.StepDone, states[3].Status)
}

// S12: today means skip; a SalesSource is used when the connector has one;
// the default starts a year back.
func TestSalesHistoryVariants(t *testing.T) {
	e := newEnv(t)
	today := wms.DateOf(e.clock.Now())
	e.addShop("skip", func(s *wmssync.Settings) { s.SalesHistorySince = today })
	e.throughOrders("skip")
	e.runStep("skip", wmssync.StepSalesHistory)
	states, _ := e.engine.StepStates(bg, "skip")
	assert.Equal(t, wmssync.StepSkipped, states[3].Status)
	assert.Contains(t, states[3].Note, "today")

	src := &salesShop{fakeShop: e.addShop("reports")}
	src.records = []wms.SalesRecord{
		{SKU: "TEE", Day: today.AddDays(-400), Quantity: 9}, // before the default year
		{SKU: "TEE", Day: today.AddDays(-300), Quantity: 4},
		{SKU: "CAP", Day: today.AddDays(-1), Quantity: 2, Amount: "30.00"},
	}
	e.conns["reports"] = src
	e.throughOrders("reports")
	e.runStep("reports", wmssync.StepSalesHistory)
	ds, err := e.wms.DailySales(bg, "TEE", today.AddDays(-500), today)
	require.NoError(t, err)
	assert.Equal(t, []wms.DailySales{{Day: today.AddDays(-300), Quantity: 4, Amount: "0"}}, ds)
	ds, err = e.wms.DailySales(bg, "CAP", today.AddDays(-500), today)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, wms.Decimal("30.00"), ds[0].Amount)
}
