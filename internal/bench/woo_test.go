package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"golang.org/x/time/rate"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

// BenchmarkWooImport imports a WooCommerce catalogue through the REST API's
// pages, as the products setup step does: woocommerce/connector's Products
// with stock, page after page, against woocommerce/wootest, every request
// paced by the client's rate limiter at WMSBRIDGE_BENCH_WOO_RATE requests a
// second (default 20, one at a time). The catalogue has
// WMSBRIDGE_BENCH_WOO_PRODUCTS products (default 30,000), a third of them
// variable with three variations. It reports the requests, the requests a
// second achieved and their ratio to the configured rate: 1.0 means the
// import runs exactly as fast as the pacing allows, below it the time
// the simulator and the client take shows. With WMSBRIDGE_BENCH_WOO_VERSION
// 10.2.0 the store lacks the cross-product variations listing and the
// connector reads each variable product's variations on its own.
func BenchmarkWooImport(b *testing.B) {
	n := envInt(b, "WMSBRIDGE_BENCH_WOO_PRODUCTS", 30000)
	r := envFloat(b, "WMSBRIDGE_BENCH_WOO_RATE", 20)
	version := envString("WMSBRIDGE_BENCH_WOO_VERSION", "10.9.0")
	variable := n / 3
	srv := wootest.NewServer(wootest.WithStore("shop", wootest.WithVersion(version)))
	defer srv.Close()
	store := srv.Store("shop")
	store.Seed(wootest.SeedOptions{Simple: n - variable, Variable: variable, VariationsPer: 3})
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		client, err := srv.Client("shop", woocommerce.WithRate(rate.Limit(r), 1))
		if err != nil {
			b.Fatal(err)
		}
		conn, err := wooconnector.New(wooconnector.Config{Client: client})
		if err != nil {
			b.Fatal(err)
		}
		store.ResetCounters()
		b.StartTimer()
		start := time.Now()
		products, variants, cur := 0, 0, ""
		for {
			pg, err := conn.Products(ctx, wmssync.ProductQuery{Stock: true}, cur)
			if err != nil {
				b.Fatal(err)
			}
			products += len(pg.Items)
			for _, p := range pg.Items {
				variants += len(p.Variants)
			}
			if cur = pg.Next; cur == "" {
				break
			}
		}
		elapsed := time.Since(start)
		b.StopTimer()
		if products != n || variants != n-variable+3*variable {
			b.Fatalf("imported %d products and %d variants, want %d and %d", products, variants, n, n-variable+3*variable)
		}
		reqs := float64(store.Counters().Requests)
		perSec := reqs / elapsed.Seconds()
		b.ReportMetric(reqs, "requests")
		b.ReportMetric(perSec, "req/s")
		b.ReportMetric(perSec/r, "ratio")
		b.ReportMetric(float64(products)/elapsed.Seconds(), "products/s")
		b.StartTimer()
	}
}

// BenchmarkWooStockBurst publishes a burst of stock changes, one per SKU of
// WMSBRIDGE_BENCH_WOO_SKUS simple products (default 1,000) and of the
// three variations of WMSBRIDGE_BENCH_WOO_PARENTS variable products
// (default 0), through the engine (memory store, reference WMS) to a
// simulated WooCommerce store and counts the store's batch calls.
// WooCommerce takes at most 100 items a call and variations only under
// their product, so the minimum is ⌈simple SKUs / 100⌉ plus one call per
// variable product; the benchmark reports calls and their ratio to that.
func BenchmarkWooStockBurst(b *testing.B) {
	simple := envInt(b, "WMSBRIDGE_BENCH_WOO_SKUS", 1000)
	parents := 0
	if envString("WMSBRIDGE_BENCH_WOO_PARENTS", "") != "" {
		parents = envInt(b, "WMSBRIDGE_BENCH_WOO_PARENTS", 1)
	}
	ctx := context.Background()
	srv := wootest.NewServer(wootest.WithStore("shop", wootest.WithDeliveryDelay(time.Hour)))
	defer srv.Close()
	store := srv.Store("shop")
	store.Seed(wootest.SeedOptions{Simple: simple, Variable: parents, VariationsPer: 3, Stock: 5})
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer hooks.Close()
	mem := memstore.New()
	wh, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "WH"}}})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: wh, Store: mem,
		ShopSystems: []wmssync.ShopSystem{wooconnector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			c, err := srv.Client("shop")
			if err != nil {
				return nil, err
			}
			return wooconnector.New(wooconnector.Config{Client: c, WebhookAddress: hooks.URL, WebhookSecret: "bench-secret"})
		},
		ReconcileInterval: time.Hour, AuditInterval: time.Hour,
		Outbound: wmssync.OutboundConfig{Linger: -1},
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := eng.SaveSettings(ctx, wmssync.Settings{Shop: "WOO", AdminURL: srv.StoreURL("shop"),
		SalesHistorySince: wms.DateOf(time.Now().AddDate(0, 0, 1))})
	if err != nil {
		b.Fatal(err)
	}
	if err := eng.RunSetup(ctx, s.Shop, nil); err != nil {
		b.Fatal(err)
	}
	stop := wh.OnEvent(func(ev wms.Event) {
		if err := eng.Publish(ctx, ev); err != nil {
			b.Error(err)
		}
	})
	defer stop()
	var skus []string
	for _, p := range store.Products() {
		if p.SKU != "" {
			skus = append(skus, p.SKU)
		}
	}
	minimum := (simple+99)/100 + parents
	b.ResetTimer()
	for i := range b.N {
		store.ResetCounters()
		for _, sku := range skus {
			if err := wh.Receive(ctx, "WH", sku, 1); err != nil {
				b.Fatal(err)
			}
		}
		for {
			n, err := eng.DeliverOutbound(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		b.StopTimer()
		c := store.Counters()
		for _, sku := range skus[:1] {
			if p, _ := store.ProductBySKU(sku); p.Stock != int64(6+i) {
				b.Fatalf("stock of %s is %d, want %d", sku, p.Stock, 6+i)
			}
		}
		b.ReportMetric(float64(c.Writes), "calls/burst")
		b.ReportMetric(float64(len(skus)), "skus/burst")
		b.ReportMetric(float64(c.Writes)/float64(minimum), "ratio")
		b.StartTimer()
	}
}
