package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
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

// BenchmarkSetupImport measures a merchant's product import end to end:
// Engine.RunSetup of a new shop (customs and costs and the sales history
// skipped, so the setup is the product import with stock, the webhook
// registrations and the outbound switch) through the Shopify connector,
// which reads the simulator's bulk exports (products, and inventory levels
// for the stock) over HTTP, into a WMS, with the engine's state in a SQLite
// file. In the same iteration, alternating which goes first, the bare
// baseline downloads the same two result files over HTTP and decodes every
// line with one json.Decoder into structs of plain strings (bareDecode).
//
// The simulator runs in a child process (this test binary, see simEnv), so
// the CPU time and memory measured are the engine's process alone: the
// connector, engine, store and WMS, and the HTTP client.
//
// Sub-benchmarks: products=N (WMSBRIDGE_BENCH_SETUP_PRODUCTS, a
// comma-separated list, default 30000; × 3 variants at 2 locations) and
// wms=reference (memwms, the reference WMS, which keeps every item in
// memory) or wms=discard (memwms for everything but products and stock,
// which are validated and dropped, so the memory is the SDK's own).
//
// Reported: ratio = the import's best process CPU time ÷ the bare
// decode's best (goal ≤ 2), ratio_wall (wall-clock, which includes waiting
// for the simulator's bulk operations), import_live_MB and decode_live_MB
// (peak live heap after each GC, minus the live heap before), import_rss_MB
// and decode_rss_MB (peak resident set of the process, sampled every 5 ms).
// The memory goal compares products=300000 with products=30000 (≤ 1.2×).
// Run with -benchtime 3x (2x or 1x for 300,000 products: the simulator
// keeps every result file in memory, about 1 GB per 300,000-product
// iteration).
func BenchmarkSetupImport(b *testing.B) {
	var sizes []int
	for _, f := range strings.Split(envString("WMSBRIDGE_BENCH_SETUP_PRODUCTS", "30000"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			b.Fatalf("WMSBRIDGE_BENCH_SETUP_PRODUCTS=%q: want positive integers", f)
		}
		sizes = append(sizes, n)
	}
	for _, n := range sizes {
		b.Run("products="+strconv.Itoa(n), func(b *testing.B) {
			sim := startSimulator(b, simConfig{Products: n, Variants: variantsPerProduct, Plan: shopifytest.PlanStandard})
			b.Logf("simulator seeded %d products in %s", n, sim.SeedTime)
			for _, discard := range []bool{false, true} {
				name := "wms=reference"
				if discard {
					name = "wms=discard"
				}
				b.Run(name, func(b *testing.B) { benchSetupImport(b, sim, n, discard) })
			}
		})
	}
}

func benchSetupImport(b *testing.B, sim *simProcess, n int, discard bool) {
	ctx := context.Background()
	var imp, dec costs
	var impMem, decMem memPeak
	i := 0
	for b.Loop() {
		var urls []string
		load := func() {
			var c cost
			var m memPeak
			c, m, urls = runSetupImport(b, ctx, sim, n, discard)
			imp.add(c)
			impMem.max(m)
		}
		decode := func() {
			if urls == nil {
				urls = resultURLs(b, ctx, sim)
			}
			c, m := measure(func() {
				lines := 0
				for _, u := range urls {
					k, err := bareDecodeURL(ctx, u)
					if err != nil {
						b.Fatal(err)
					}
					lines += k
				}
				if lines < n*(1+variantsPerProduct) {
					b.Fatalf("decoded %d lines, want at least %d", lines, n*(1+variantsPerProduct))
				}
			})
			dec.add(c)
			decMem.max(m)
		}
		if i%2 == 0 {
			load()
			decode()
		} else {
			// The decode needs the files of a finished export: the previous
			// iteration's import left them.
			decode()
			load()
		}
		i++
	}
	ratio := float64(imp.best.cpu) / float64(dec.best.cpu)
	b.ReportMetric(ratio, "ratio")
	b.ReportMetric(float64(imp.best.wall)/float64(dec.best.wall), "ratio_wall")
	b.ReportMetric(imp.best.cpu.Seconds(), "import_cpu_s")
	b.ReportMetric(dec.best.cpu.Seconds(), "decode_cpu_s")
	b.ReportMetric(impMem.live/1e6, "import_live_MB")
	b.ReportMetric(impMem.rss/1e6, "import_rss_MB")
	b.ReportMetric(decMem.live/1e6, "decode_live_MB")
	b.ReportMetric(decMem.rss/1e6, "decode_rss_MB")
	b.Logf("%d products × %d variants, %d iterations: import best CPU %v wall %v (mean wall %v); bare decode best CPU %v wall %v; ratio CPU %.2f; peak live heap %.1f MB (decode %.1f), peak RSS %.1f MB (decode %.1f)",
		n, variantsPerProduct, i, imp.best.cpu, imp.best.wall, imp.total.wall/time.Duration(i), dec.best.cpu, dec.best.wall,
		ratio, impMem.live/1e6, decMem.live/1e6, impMem.rss/1e6, decMem.rss/1e6)
}

// memPeak is the memory high-water marks of one run, in bytes.
type memPeak struct{ live, rss float64 }

func (m *memPeak) max(o memPeak) {
	m.live = max(m.live, o.live)
	m.rss = max(m.rss, o.rss)
}

// measure runs fn and returns its cost and memory high-water marks: the
// live heap above the live heap before, and the process's resident set.
func measure(fn func()) (cost, memPeak) {
	debug.FreeOSMemory()
	hs := startHeapSampler()
	base := float64(hs.live)
	start, cpu := time.Now(), processCPU()
	fn()
	c := cost{time.Since(start), processCPU() - cpu}
	live, _ := hs.finish()
	return c, memPeak{live: float64(live) - base, rss: float64(hs.rss)}
}

// runSetupImport runs one RunSetup of a new shop into a fresh WMS and
// SQLite store, checks what the WMS received, and returns the cost and the
// URLs of the result files the connector read.
func runSetupImport(b *testing.B, ctx context.Context, sim *simProcess, n int, discard bool) (cost, memPeak, []string) {
	b.Helper()
	dir := b.TempDir()
	ref, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "WH-1", Name: "One"}, {ID: "WH-2", Name: "Two"}}})
	if err != nil {
		b.Fatal(err)
	}
	var backend wms.Backend = ref
	sink := &discardWMS{WMS: ref}
	if discard {
		backend = sink
	}
	store, err := sqlite.Open(ctx, filepath.Join(dir, "engine.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	client, err := shopify.NewClient(sim.Domain, shopify.WithBaseURL(sim.ShopURL), shopify.WithAccessToken(sim.Token),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	var conn *connector.Connector
	eng, err := wmssync.NewEngine(wmssync.Config{
		Backend: backend, Store: store, Logger: slog.New(slog.DiscardHandler),
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			if conn == nil {
				conn, err = connector.New(connector.Config{Client: client, WebhookAddress: "https://wms.example.com/webhooks/shopify",
					BulkWait: &shopify.WaitOptions{MinInterval: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond}})
			}
			return conn, err
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	s := wmssync.Settings{Shop: "BENCH", AdminURL: "https://" + sim.Domain + "/admin", Country: "dk",
		Locations: map[string]string{sim.Locations[0]: "WH-1", sim.Locations[1]: "WH-2"}}
	if _, err := eng.SaveSettings(ctx, s); err != nil {
		b.Fatal(err)
	}
	for _, st := range []wmssync.Step{wmssync.StepCustomsCost, wmssync.StepSalesHistory} {
		if err := eng.SkipStep(ctx, "BENCH", st); err != nil {
			b.Fatal(err)
		}
	}
	c, m := measure(func() {
		if err := eng.RunSetup(ctx, "BENCH", nil); err != nil {
			b.Fatal(err)
		}
	})
	if conn != nil {
		conn.Close()
	}
	items, stock := sink.items, sink.levels
	if !discard {
		var err error
		if items, err = ref.CountItems(ctx); err != nil {
			b.Fatal(err)
		}
		stock = -1
	}
	if items != n*variantsPerProduct {
		b.Fatalf("the WMS received %d items, want %d", items, n*variantsPerProduct)
	}
	if discard && stock != 2*n*variantsPerProduct {
		b.Fatalf("the WMS received %d stock levels, want %d", stock, 2*n*variantsPerProduct)
	}
	return c, m, resultURLs(b, ctx, sim)
}

// resultURLs returns the result files of the newest products export and
// inventory levels export of the simulated shop.
func resultURLs(b *testing.B, ctx context.Context, sim *simProcess) []string {
	b.Helper()
	client, err := shopify.NewClient(sim.Domain, shopify.WithBaseURL(sim.ShopURL), shopify.WithAccessToken(sim.Token))
	if err != nil {
		b.Fatal(err)
	}
	ops, err := client.BulkOperations().List(ctx, "status:completed", 10)
	if err != nil {
		b.Fatal(err)
	}
	var products, levels string
	for _, op := range ops { // newest first
		switch {
		case products == "" && strings.Contains(op.Query, "products"):
			products = op.URL
		case levels == "" && strings.Contains(op.Query, "inventoryItems"):
			levels = op.URL
		}
	}
	if products == "" || levels == "" {
		b.Fatalf("no finished products and inventory levels exports among %d operations", len(ops))
	}
	return []string{products, levels}
}

// bareDecodeURL downloads a result file and decodes it with bareDecode.
func bareDecodeURL(ctx context.Context, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	n, err := bareDecode(resp.Body)
	if err != nil {
		return n, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return n, nil
}

// discardWMS is the reference WMS except that products and stock levels
// are validated, counted and dropped.
type discardWMS struct {
	*memwms.WMS
	items, levels int
}

func (d *discardWMS) UpsertProducts(_ context.Context, ps []wms.Product) error {
	if err := wms.ValidateAll("products", ps); err != nil {
		return err
	}
	for _, p := range ps {
		d.items += len(p.Variants)
	}
	return nil
}

func (d *discardWMS) ImportStock(_ context.Context, levels []wms.StockLevel) error {
	d.levels += len(levels)
	return nil
}

// envString reads a benchmark setting from the environment, or returns def.
func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
