package bench

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// BenchmarkRateLimitEfficiency measures how much of a shop's rate budget a
// paginated product import uses: the Shopify connector pages through the
// whole catalogue with stock (Connector.Products with bulk exports turned
// off, so every page is an Admin API query paced by the client's Limiter)
// against the simulator on the Standard plan (bucket 2,000 points, restore
// 100 points per simulated second), time-scaled so that a simulated minute
// passes in about a second.
//
// Reported metrics:
//
//   - ratio: points spent per second in the steady phase ÷ the restore rate
//     (goal ≥ 0.95). The steady phase starts after the first page that
//     leaves the shop's bucket below half full, so the initial 2,000-point
//     burst is excluded; in addition, whatever the bucket level dropped
//     from the start of the phase to its end is subtracted from the points
//     spent, so stored points spent down never count as restored ones.
//   - throttled: THROTTLED responses the shop sent over the whole run,
//     burst included (goal 0).
//   - pts/s and restore/s: the achieved and the allowed rate in simulated
//     points per simulated second; steady_s: the steady phase in simulated
//     seconds.
//
// Sizes: WMSBRIDGE_BENCH_PRODUCTS (default 2000, × 3 variants, 2
// locations) and WMSBRIDGE_BENCH_TIMESCALE (default 50). Run with
// -benchtime 1x; every iteration is one full import.
func BenchmarkRateLimitEfficiency(b *testing.B) {
	products := envInt(b, "WMSBRIDGE_BENCH_PRODUCTS", 2000)
	scale := envFloat(b, "WMSBRIDGE_BENCH_TIMESCALE", 50)

	ps := newPacedShop(b, scale, shopifytest.SeedOptions{Seed: 1, Products: products, VariantsPerProduct: 3})
	shop, conn, tally := ps.shop, ps.conn, &ps.tally
	size, rate := shopifytest.PlanStandard.Limits()
	ctx := context.Background()

	var (
		steady     bool
		startAt    time.Time
		startSpent int64
		startAvail float64
		imported   int
	)
	for b.Loop() {
		cursor := ""
		for {
			page, err := conn.Products(ctx, wmssync.ProductQuery{Stock: true}, cursor)
			if err != nil {
				b.Fatal(err)
			}
			imported += len(page.Items)
			if !steady {
				if ts := shop.ThrottleStatus(); ts.CurrentlyAvailable < size/2 {
					steady, startAt = true, time.Now()
					startSpent, startAvail = shop.Counters().PointsSpent, ts.CurrentlyAvailable
				}
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
	}
	end := time.Now()
	b.StopTimer()
	if !steady {
		b.Fatalf("the bucket never went below half full: %d products are too few to measure a steady phase", products)
	}
	if want := products * b.N; imported != want {
		b.Fatalf("imported %d products, want %d", imported, want)
	}
	cnt := shop.Counters()
	endAvail := shop.ThrottleStatus().CurrentlyAvailable
	simSeconds := end.Sub(startAt).Seconds() * scale
	spent := float64(cnt.PointsSpent - startSpent)
	if drop := startAvail - endAvail; drop > 0 {
		spent -= drop
	}
	ptsPerSec := spent / simSeconds
	b.ReportMetric(ptsPerSec/rate, "ratio")
	b.ReportMetric(float64(cnt.Throttled), "throttled")
	b.ReportMetric(ptsPerSec, "pts/s")
	b.ReportMetric(rate, "restore/s")
	b.ReportMetric(simSeconds, "steady_s")
	b.Logf("Standard plan (bucket %.0f, restore %.0f/s) at time scale %.0f: %d products × 3 variants imported %d time(s) in %d requests, %d points; steady phase %.1f simulated s from bucket level %.0f to %.0f: %.1f points/s = %.3f of the restore rate; %d THROTTLED",
		size, rate, scale, products, b.N, cnt.Requests, cnt.PointsSpent, simSeconds, startAvail, endAvail, ptsPerSec, ptsPerSec/rate, cnt.Throttled)
	for _, line := range tally.lines() {
		b.Logf("  %s", line)
	}
}

// pacedShop is a simulated shop on the Standard plan with a client (whose
// requests are tallied per operation) and a Shopify connector without bulk
// exports.
type pacedShop struct {
	shop   *shopifytest.Shop
	seed   shopifytest.SeedResult
	client *shopify.Client
	conn   *connector.Connector
	tally  opTallies
}

// newPacedShop starts the simulator at time scale scale, seeds the shop
// and connects; everything is closed when tb ends.
func newPacedShop(tb testing.TB, scale float64, seed shopifytest.SeedOptions) *pacedShop {
	tb.Helper()
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(scale),
		shopifytest.WithShop("bench", shopifytest.WithPlan(shopifytest.PlanStandard)))
	tb.Cleanup(srv.Close)
	ps := &pacedShop{shop: srv.Shop("bench")}
	var err error
	if ps.seed, err = ps.shop.Seed(seed); err != nil {
		tb.Fatal(err)
	}
	// The observer tallies, per operation, the requests and the attempts
	// that had to be repeated, to show where THROTTLED answers come from.
	ps.client, err = srv.Client("bench", shopify.WithLogger(slog.New(slog.DiscardHandler)), shopify.WithObserver(ps.tally.observe))
	if err != nil {
		tb.Fatal(err)
	}
	ps.conn, err = connector.New(connector.Config{Client: ps.client, BulkThreshold: -1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ps.conn.Close() })
	return ps
}

// opTally sums the observer's reports for one operation.
type opTally struct {
	requests, retries int
	requested, actual float64
}

// opTallies is a shopify.Observer tallying requests per operation.
type opTallies struct {
	mu    gosync.Mutex
	perOp map[string]*opTally
}

func (o *opTallies) observe(_ context.Context, m shopify.RequestMetrics) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.perOp == nil {
		o.perOp = map[string]*opTally{}
	}
	t := o.perOp[m.Operation]
	if t == nil {
		t = &opTally{}
		o.perOp[m.Operation] = t
	}
	t.requests++
	t.retries += m.Retries
	t.requested += m.RequestedCost
	t.actual += m.ActualCost
}

// lines describes each operation's tally, sorted by operation name.
func (o *opTallies) lines() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for _, op := range slices.Sorted(maps.Keys(o.perOp)) {
		t := o.perOp[op]
		out = append(out, fmt.Sprintf("%-26s %6d calls, %5d repeated attempts, mean requested cost %6.1f, mean actual cost %6.1f",
			op, t.requests, t.retries, t.requested/float64(t.requests), t.actual/float64(t.requests)))
	}
	return out
}
