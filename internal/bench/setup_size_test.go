package bench

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// BenchmarkSetupBySize measures how long a new shop's whole setup takes on
// Shopify's Basic plan (bucket 2,000 points, restore 100 points/s), by shop
// size, against the least time the plan's budget allows for the points the
// setup spent: every setup step (products with stock, customs and costs,
// orders, sales history of the last year, outbound) with the Shopify
// connector at its defaults, the reference WMS and a SQLite store, against
// the simulator time-scaled ×WMSBRIDGE_BENCH_TIMESCALE (default 50; times
// are reported in simulated seconds).
//
// Sizes: WMSBRIDGE_BENCH_SETUP_SIZES (default "200,2000,20000") products
// × 3 variants at 2 locations, with one order per 4 products over the last
// 30 days.
//
// Reported: setup_s (simulated wall time of RunSetup), min_s (the budget
// minimum: the points the shop charged, less the full bucket it starts
// with, at the restore rate), ratio (setup_s ÷ min_s, when min_s > 0),
// points, requests. The log shows each step's time, points (actual and
// requested) and requests.
func BenchmarkSetupBySize(b *testing.B) {
	scale := envFloat(b, "WMSBRIDGE_BENCH_TIMESCALE", 50)
	for _, f := range strings.Split(envString("WMSBRIDGE_BENCH_SETUP_SIZES", "200,2000,20000"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("WMSBRIDGE_BENCH_SETUP_SIZES: %q is not a positive integer", f)
		}
		b.Run("products="+strconv.Itoa(n), func(b *testing.B) {
			var last setupRun
			for b.Loop() {
				last = runSetupBySize(b, n, scale)
			}
			size, rate := shopifytest.PlanStandard.Limits()
			minS := max(0, float64(last.points)-size) / rate
			b.ReportMetric(last.wall.Seconds()*scale, "setup_s")
			b.ReportMetric(minS, "min_s")
			if minS > 0 {
				b.ReportMetric(last.wall.Seconds()*scale/minS, "ratio")
			}
			b.ReportMetric(float64(last.points), "points")
			b.ReportMetric(float64(last.requests), "requests")
			b.Logf("%d products on the Basic plan: setup %.1f s (simulated), budget minimum %.1f s for %d points, %d requests",
				n, last.wall.Seconds()*scale, minS, last.points, last.requests)
			for _, st := range last.steps {
				b.Logf("  %-14s %8.1f s  %7d points (requested %7.0f)  %5d requests", st.step, st.wall.Seconds()*scale, st.points, st.requested, st.requests)
			}
			for _, line := range last.perOp {
				b.Logf("    %s", line)
			}
		})
	}
}

// setupRun is one measured setup.
type setupRun struct {
	wall             time.Duration
	points, requests int64
	steps            []stepCost
	perOp            []string
}

type stepCost struct {
	step             wmssync.Step
	wall             time.Duration
	points, requests int64
	requested        float64
}

func runSetupBySize(b *testing.B, n int, scale float64) setupRun {
	b.Helper()
	ctx := context.Background()
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(scale),
		shopifytest.WithShop("bench", shopifytest.WithPlan(shopifytest.PlanStandard)))
	defer srv.Close()
	shop := srv.Shop("bench")
	seed, err := shop.Seed(shopifytest.SeedOptions{Seed: 3, Products: n, VariantsPerProduct: 3, Orders: max(1, n/4), OrderAgeDays: 30})
	if err != nil {
		b.Fatal(err)
	}
	var tally opTallies
	var requested float64
	observe := func(ctx context.Context, m shopify.RequestMetrics) {
		tally.observe(ctx, m)
		tally.mu.Lock()
		requested += m.RequestedCost
		tally.mu.Unlock()
	}
	client, err := srv.Client("bench", shopify.WithLogger(slog.New(slog.DiscardHandler)), shopify.WithObserver(observe))
	if err != nil {
		b.Fatal(err)
	}
	ref, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "WH-1", Name: "One"}, {ID: "WH-2", Name: "Two"}}})
	if err != nil {
		b.Fatal(err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "engine.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	conn, err := connector.New(connector.Config{Client: client, WebhookAddress: "https://wms.example.com/webhooks/shopify",
		BulkWait: &shopify.WaitOptions{MinInterval: 5 * time.Millisecond, MaxInterval: 50 * time.Millisecond}})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	eng, err := wmssync.NewEngine(wmssync.Config{
		Backend: ref, Store: store, Logger: slog.New(slog.DiscardHandler),
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect:     func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return conn, nil },
	})
	if err != nil {
		b.Fatal(err)
	}
	s := wmssync.Settings{Shop: "BENCH", AdminURL: "https://" + shop.Domain() + "/admin", Country: "dk",
		Locations: map[string]string{shopify.GID("Location", seed.Locations[0]): "WH-1", shopify.GID("Location", seed.Locations[1]): "WH-2"}}
	if _, err := eng.SaveSettings(ctx, s); err != nil {
		b.Fatal(err)
	}
	var run setupRun
	start := time.Now()
	for _, step := range wmssync.Steps() {
		c0, r0 := shop.Counters(), requested
		t0 := time.Now()
		if err := eng.RunStep(ctx, "BENCH", step, nil); err != nil {
			b.Fatal(fmt.Errorf("step %s: %w", step, err))
		}
		c1 := shop.Counters()
		tally.mu.Lock()
		r1 := requested
		tally.mu.Unlock()
		run.steps = append(run.steps, stepCost{step: step, wall: time.Since(t0), points: c1.PointsSpent - c0.PointsSpent,
			requests: c1.Requests - c0.Requests, requested: r1 - r0})
	}
	run.wall = time.Since(start)
	cnt := shop.Counters()
	run.points, run.requests = cnt.PointsSpent, cnt.Requests
	if items, err := ref.CountItems(ctx); err != nil || items != n*3 {
		b.Fatalf("the WMS has %d items (%v), want %d", items, err, n*3)
	}
	if cnt.Throttled != 0 {
		b.Fatalf("%d THROTTLED answers", cnt.Throttled)
	}
	run.perOp = tally.lines()
	return run
}
