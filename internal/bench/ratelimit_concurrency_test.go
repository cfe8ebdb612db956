package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// concurrencyLevels are the goroutine counts the concurrent rate-limit
// benchmark and test run.
var concurrencyLevels = []int{1, 4, 16, 64}

// BenchmarkRateLimitConcurrency measures the client's pacing when many
// goroutines share one Client and start cold: every goroutine takes tasks
// from one queue, and the tasks cycle through several operations of
// different costs, none of which the client has seen before the run:
//
//   - products by id with stock (17 products, 3 variants each:
//     connectorProductsByID and connectorStock, as the engine re-reads
//     products),
//   - orders by id (connectorOrdersByID),
//   - the first page of the customs and costs listing (connectorVariantsCount
//     and connectorInventoryItems),
//   - a page of the product listing without stock (connectorProductsCount
//     and connectorProducts),
//   - one inventory item's levels (inventoryLevels),
//   - a page of products of the client's own service (products).
//
// The shop is the simulator on the Standard plan (bucket 2,000 points,
// restore 100 points per simulated second), time-scaled ×10 (faster scales
// make the simulator's CPU, not the bucket, the limit at high concurrency on
// two cores).
//
// Reported metrics, as in BenchmarkRateLimitEfficiency: ratio (points per
// second in the steady phase ÷ the restore rate, goal ≥ 0.95) and throttled
// (THROTTLED answers over the whole run, cold start included; goal 0).
//
// Sizes: WMSBRIDGE_BENCH_POINTS (default 20000: the run ends once the shop
// has charged that many points) and WMSBRIDGE_BENCH_TIMESCALE (default 10). Each iteration is a new shop and a new client; run with
// -benchtime 1x and repeat the command for interleaved rounds.
func BenchmarkRateLimitConcurrency(b *testing.B) {
	points := envInt(b, "WMSBRIDGE_BENCH_POINTS", 20000)
	scale := envFloat(b, "WMSBRIDGE_BENCH_TIMESCALE", 10)
	for _, g := range concurrencyLevels {
		b.Run("goroutines="+strconv.Itoa(g), func(b *testing.B) {
			var last workloadResult
			for b.Loop() {
				last = runRateLimitWorkload(b, g, int64(points), scale, true)
			}
			b.ReportMetric(last.ratio, "ratio")
			b.ReportMetric(float64(last.throttled), "throttled")
			b.ReportMetric(last.ptsPerSec, "pts/s")
			b.ReportMetric(last.steadySeconds, "steady_s")
			b.Logf("%s", last)
		})
	}
}

// TestRateLimitConcurrencyNeverThrottled is the short form of
// BenchmarkRateLimitConcurrency that CI runs: 1, 4, 16 and 64 goroutines
// start cold on one client and share the Standard plan's bucket over
// several operations; the shop must not answer THROTTLED once.
func TestRateLimitConcurrencyNeverThrottled(t *testing.T) {
	for _, g := range concurrencyLevels {
		t.Run("goroutines="+strconv.Itoa(g), func(t *testing.T) {
			res := runRateLimitWorkload(t, g, 6000, 20, false)
			t.Logf("%s", res)
			if res.throttled != 0 {
				t.Fatalf("%d THROTTLED answers with %d goroutines (per operation: %s)", res.throttled, g, res.perOpText())
			}
		})
	}
}

// workloadResult is one run of the concurrent workload.
type workloadResult struct {
	goroutines    int
	tasks         int64
	requests      int64
	points        int64
	throttled     int64
	ratio         float64
	ptsPerSec     float64
	steadySeconds float64
	perOp         []string
}

func (r workloadResult) String() string {
	return fmt.Sprintf("%d goroutines: %d tasks, %d requests, %d points; steady phase %.1f simulated s at %.1f points/s = %.3f of the restore rate; %d THROTTLED; per operation: %s",
		r.goroutines, r.tasks, r.requests, r.points, r.steadySeconds, r.ptsPerSec, r.ratio, r.throttled, r.perOpText())
}

func (r workloadResult) perOpText() string { return strings.Join(r.perOp, "; ") }

// runRateLimitWorkload runs goroutines workers on one new client until the
// shop has charged budget points, and measures the steady phase as
// BenchmarkRateLimitEfficiency does; needSteady fails the run when there
// was none (the ratio is then meaningless).
func runRateLimitWorkload(tb testing.TB, goroutines int, budget int64, scale float64, needSteady bool) workloadResult {
	tb.Helper()
	ps := newPacedShop(tb, scale, shopifytest.SeedOptions{Seed: 7, Products: 400, VariantsPerProduct: 3, Orders: 200})
	shop, seed, client, conn := ps.shop, ps.seed, ps.client, ps.conn
	size, rate := shopifytest.PlanStandard.Limits()

	productGID := func(i int) string {
		return shopify.GID("Product", seed.ProductIDs[i%len(seed.ProductIDs)])
	}
	orderGID := func(i int) string { return shopify.GID("Order", seed.OrderIDs[i%len(seed.OrderIDs)]) }
	// One inventory item per product: its first variant's.
	items := make([]string, 0, len(seed.ProductIDs))
	for p := range seed.ProductIDs {
		v, ok := shop.Variant(seed.VariantIDs[p*3])
		if !ok {
			tb.Fatalf("variant %d not found", seed.VariantIDs[p*3])
		}
		items = append(items, shopify.GID("InventoryItem", v.InventoryItemID))
	}
	const kinds = 6
	task := func(ctx context.Context, n int) error {
		switch n % kinds {
		case 0:
			ids := make([]string, 17)
			for i := range ids {
				ids[i] = productGID(n*17 + i)
			}
			_, err := conn.Products(ctx, wmssync.ProductQuery{IDs: ids, Stock: true}, "")
			return err
		case 1:
			ids := make([]string, 10)
			for i := range ids {
				ids[i] = orderGID(n*10 + i)
			}
			_, err := conn.Orders(ctx, wmssync.OrderQuery{IDs: ids}, "")
			return err
		case 2:
			_, err := conn.CustomsAndCosts(ctx, "")
			return err
		case 3:
			_, err := conn.Products(ctx, wmssync.ProductQuery{}, "")
			return err
		case 4:
			_, err := client.Inventory().Levels(ctx, items[n%len(items)])
			return err
		default:
			for _, err := range client.Products().List(ctx, nil) {
				return err // the first page
			}
			return nil
		}
	}

	// The run ends when the shop has charged the budget: requests still
	// waiting for the bucket then give up.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		endMu      gosync.Mutex
		end        time.Time
		next       atomic.Int64
		phaseMu    gosync.Mutex
		steady     bool
		startAt    time.Time
		startSpent int64
		startAvail float64
		wg         gosync.WaitGroup
		errOnce    gosync.Once
		firstErr   error
	)
	markSteady := func() {
		phaseMu.Lock()
		defer phaseMu.Unlock()
		if steady {
			return
		}
		if ts := shop.ThrottleStatus(); ts.CurrentlyAvailable < size/2 {
			steady, startAt = true, time.Now()
			startSpent, startAvail = shop.Counters().PointsSpent, ts.CurrentlyAvailable
		}
	}
	for range goroutines {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := int(next.Add(1) - 1)
				err := task(ctx, n)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("task %d: %w", n, err) })
					cancel()
					return
				}
				markSteady()
				if shop.Counters().PointsSpent >= budget {
					endMu.Lock()
					if end.IsZero() {
						end = time.Now()
					}
					endMu.Unlock()
					cancel()
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
	cnt := shop.Counters() // requests cut short by the end may still have been charged
	res := workloadResult{goroutines: goroutines, tasks: next.Load(), requests: cnt.Requests, points: cnt.PointsSpent, throttled: cnt.Throttled}
	switch {
	case steady:
		endAvail := shop.ThrottleStatus().CurrentlyAvailable
		res.steadySeconds = end.Sub(startAt).Seconds() * scale
		spent := float64(cnt.PointsSpent - startSpent)
		if drop := startAvail - endAvail; drop > 0 {
			spent -= drop
		}
		res.ptsPerSec = spent / res.steadySeconds
		res.ratio = res.ptsPerSec / rate
	case needSteady:
		tb.Fatalf("the bucket never went below half full: a budget of %d points is too small", budget)
	}
	res.perOp = ps.tally.lines()
	return res
}
