package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// BenchmarkEngineApply measures how many order webhooks per second the
// engine applies, next to how many ingest acknowledges: Shopify's
// orders/create sample (10.7 KB compacted, five lines), each delivery a new
// order, spread over 1 or 100 shops, stored in the inbox first, then
// drained by a webhook.Dispatcher configured as Engine.Run configures it
// (Config.Workers handlers, the same batch size; WMSBRIDGE_BENCH_APPLY_WORKERS
// sets Workers, default 4) through the Shopify
// connector's Decode, the version check, the backend's upsert (memwms,
// stocked so no order is held) and the version write, on SQLite and (with
// WMSBRIDGE_POSTGRES_DSN) PostgreSQL.
//
// Web orders are decoded without the read of their fulfilment location
// (connector.Config.SkipFulfillmentLocations): that read goes to the shop
// and is paced by the shop's rate limit, not by the engine. Any request to
// the shop fails the benchmark.
//
// The store the engine sees counts its calls; store_calls/event is the
// engine's calls per event plus the inbox's (claim per batch, complete per
// event), and the log line breaks them down by method.
//
// With WMSBRIDGE_BENCH_APPLY_BURST set (a duration, such as 60s), a burst
// follows: 32 clients post signed deliveries through webhook.Handler into
// the same store as fast as it acknowledges them while the dispatcher
// applies, for that long; backlog is what was acknowledged and not yet
// applied when the burst ends.
//
//	go test -run '^$' -bench BenchmarkEngineApply -benchtime 1x ./internal/bench
//	WMSBRIDGE_BENCH_APPLY_BURST=60s go test -run '^$' -bench 'BenchmarkEngineApply/sqlite' -benchtime 1x ./internal/bench
func BenchmarkEngineApply(b *testing.B) {
	tmpl := orderTemplate(b)
	n := envInt(b, "WMSBRIDGE_BENCH_APPLY_EVENTS", 3000)
	var burst time.Duration
	if v := os.Getenv("WMSBRIDGE_BENCH_APPLY_BURST"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			b.Fatalf("WMSBRIDGE_BENCH_APPLY_BURST=%q: want a positive duration", v)
		}
		burst = d
	}
	for _, kind := range []string{"sqlite", "postgres"} {
		for _, shops := range []int{1, 100} {
			b.Run(fmt.Sprintf("%s/shops=%d", kind, shops), func(b *testing.B) {
				for b.Loop() {
					env := newApplyEnv(b, kind, shops, tmpl)
					env.drain(b, tmpl, n)
					if burst > 0 {
						env.burst(b, tmpl, burst)
					}
				}
			})
		}
	}
}

// orderMarker stands for the order's id in the template body.
const orderMarker = "7770000000001"

// orderTemplate returns Shopify's orders/create sample, compacted, with
// its id (numeric and GID) replaced by orderMarker.
func orderTemplate(b *testing.B) []byte {
	meta, err := os.ReadFile("../../shopify/testdata/webhooks/2026-07/orders/create.meta.json")
	if err != nil {
		b.Fatal(err)
	}
	var sample struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(meta, &sample); err != nil {
		b.Fatal(err)
	}
	d := json.NewDecoder(bytes.NewReader(sample.Response))
	d.UseNumber()
	var o map[string]any
	if err := d.Decode(&o); err != nil {
		b.Fatal(err)
	}
	o["id"] = json.Number(orderMarker)
	o["admin_graphql_api_id"] = "gid://shopify/Order/" + orderMarker
	o["name"] = "#BENCH"
	body, err := json.Marshal(o)
	if err != nil {
		b.Fatal(err)
	}
	if c := bytes.Count(body, []byte(orderMarker)); c != 2 {
		b.Fatalf("the marker occurs %d times in the template, want 2", c)
	}
	return body
}

// orderBody returns the template as order id.
func orderBody(tmpl []byte, id int64) []byte {
	return bytes.ReplaceAll(tmpl, []byte(orderMarker), fmt.Appendf(nil, "%d", id))
}

// orderSKUs returns the SKUs of the template's lines.
func orderSKUs(b *testing.B, tmpl []byte) []string {
	var o struct {
		Lines []struct {
			SKU string `json:"sku"`
		} `json:"line_items"`
	}
	if err := json.Unmarshal(tmpl, &o); err != nil {
		b.Fatal(err)
	}
	var skus []string
	for _, l := range o.Lines {
		if l.SKU != "" && !slices.Contains(skus, l.SKU) {
			skus = append(skus, l.SKU)
		}
	}
	return skus
}

type applyEnv struct {
	raw     wmssync.Store
	counted *countingStore
	eng     *wmssync.Engine
	wms     *memwms.WMS
	domains []string
	next    atomic.Int64 // order ids
	workers int
}

func newApplyEnv(b *testing.B, kind string, shops int, tmpl []byte) *applyEnv {
	b.Helper()
	ctx := context.Background()
	env := &applyEnv{workers: envInt(b, "WMSBRIDGE_BENCH_APPLY_WORKERS", wmssync.DefaultWorkers)}
	switch kind {
	case "sqlite":
		s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "apply.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		env.raw = s
	case "postgres":
		dsn := os.Getenv("WMSBRIDGE_POSTGRES_DSN")
		if dsn == "" {
			b.Skip("set WMSBRIDGE_POSTGRES_DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run")
		}
		schema := fmt.Sprintf("wmsbridge_apply_%d", time.Now().UnixNano())
		s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			_, _ = s.Pool().Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			s.Close()
		})
		env.raw = s
	}
	env.counted = &countingStore{Store: env.raw}

	ref, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "WH-1", Name: "One"}}})
	if err != nil {
		b.Fatal(err)
	}
	env.wms = ref

	// The apply path must not ask the shop anything.
	var asked atomic.Int64
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		http.Error(w, "the benchmark's shop answers nothing", http.StatusInternalServerError)
	}))
	b.Cleanup(shop.Close)
	b.Cleanup(func() {
		if n := asked.Load(); n > 0 {
			b.Errorf("the engine sent %d requests to the shop", n)
		}
	})
	env.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend: ref, Store: env.counted, Logger: slog.New(slog.DiscardHandler),
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			client, err := shopify.NewClient(s.Domain(), shopify.WithBaseURL(shop.URL), shopify.WithAccessToken("bench"),
				shopify.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				return nil, err
			}
			return connector.New(connector.Config{Client: client, WebhookAddress: "https://wms.example.com/webhooks/shopify",
				SkipFulfillmentLocations: true})
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	long := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range shops {
		s := wmssync.Settings{Shop: fmt.Sprintf("S%03d", i), AdminURL: fmt.Sprintf("https://bench-%03d.myshopify.com/admin", i),
			Country: "dk", Locations: map[string]string{"1": "WH-1"}}
		if _, err := env.eng.SaveSettings(ctx, s); err != nil {
			b.Fatal(err)
		}
		// Orders flow: the orders step ran (since long before the sample's
		// orders were created).
		if err := env.raw.SaveStep(ctx, wmssync.StepState{Shop: s.Shop, Step: wmssync.StepOrders, Status: wmssync.StepDone,
			StartedAt: long, FinishedAt: long}); err != nil {
			b.Fatal(err)
		}
		env.domains = append(env.domains, s.Domain())
	}
	// Stock for every line, so memwms holds no order.
	var items []wms.Variant
	for i, sku := range orderSKUs(b, tmpl) {
		items = append(items, wms.Variant{SKU: sku, ExternalID: fmt.Sprintf("v%d", i), Price: "1.00"})
	}
	if err := ref.UpsertProducts(ctx, []wms.Product{{Shop: "S000", ExternalID: "p1", Title: "Bench", Variants: items}}); err != nil {
		b.Fatal(err)
	}
	for _, it := range items {
		if err := ref.Receive(ctx, "WH-1", it.SKU, 1<<40); err != nil {
			b.Fatal(err)
		}
	}
	env.counted.reset()
	return env
}

// event returns a new order delivery of the i-th shop.
func (env *applyEnv) event(tmpl []byte, i int) *webhook.Event {
	id := 1_000_000_000 + env.next.Add(1)
	return &webhook.Event{Source: shopifywebhook.SourceName, Topic: shopifywebhook.TopicOrdersCreate,
		Shop: env.domains[i%len(env.domains)], APIVersion: "2026-07", WebhookID: fmt.Sprintf("apply-%d", id),
		TriggeredAt: time.Now(), Body: orderBody(tmpl, id)}
}

// dispatcher returns a Dispatcher as Engine.Run builds it, with
// Config.Workers handlers (WMSBRIDGE_BENCH_APPLY_WORKERS, default
// wmssync.DefaultWorkers).
func (env *applyEnv) dispatcher() *webhook.Dispatcher {
	return &webhook.Dispatcher{
		Queue: env.counted, Router: env.eng.Router(), Concurrency: env.workers,
		BatchSize: max(env.workers*4, webhook.DefaultBatchSize), Logger: slog.New(slog.DiscardHandler),
	}
}

// drain stores n events in the inbox, then applies them all, and reports
// the rate and the store's calls per event.
func (env *applyEnv) drain(b *testing.B, tmpl []byte, n int) {
	ctx := context.Background()
	var next atomic.Int64
	var wg gosync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if _, err := env.raw.Put(ctx, env.event(tmpl, i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	env.counted.reset()
	before := env.eng.Stats()
	d := env.dispatcher()
	cpu0, start := processCPU(), time.Now()
	for {
		k, err := d.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	elapsed, cpu := time.Since(start), processCPU()-cpu0
	st := env.eng.Stats()
	if got := st.EventsApplied - before.EventsApplied; got != uint64(n) {
		b.Fatalf("applied %d of %d events (stale %d, ignored %d, failed %d)", got, n,
			st.EventsStale-before.EventsStale, st.EventsIgnored-before.EventsIgnored, st.EventsFailed-before.EventsFailed)
	}
	if got := len(env.wms.Orders()); got < n {
		b.Fatalf("the WMS has %d orders, want %d", got, n)
	}
	calls := env.counted.snapshot()
	total := 0
	for _, c := range calls {
		total += c
	}
	b.ReportMetric(float64(n)/elapsed.Seconds(), "events/s")
	b.ReportMetric(float64(cpu)/float64(time.Microsecond)/float64(n), "cpu_us/event")
	b.ReportMetric(float64(total)/float64(n), "store_calls/event")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d events over %d shops in %v (%.0f/s, CPU %v); store calls per event: %s",
		n, len(env.domains), elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), cpu.Round(time.Millisecond), perEvent(calls, n))
}

// burst posts deliveries through webhook.Handler from 32 clients for d
// while a dispatcher applies, and reports the backlog when it ends.
func (env *applyEnv) burst(b *testing.B, tmpl []byte, d time.Duration) {
	src, err := shopifywebhook.NewSource(ingestSecret)
	if err != nil {
		b.Fatal(err)
	}
	h, err := webhook.NewHandler(env.raw, webhook.WithSource(src))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = ingestClients

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	before := env.eng.Stats()
	disp := env.dispatcher()
	applying := make(chan struct{})
	go func() {
		defer close(applying)
		for ctx.Err() == nil {
			k, err := disp.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				b.Error(err)
				return
			}
			if k == 0 {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	var acked, failed atomic.Int64
	var wg gosync.WaitGroup
	deadline := time.Now().Add(d)
	for c := range ingestClients {
		wg.Go(func() {
			for i := c; time.Now().Before(deadline); i += ingestClients {
				ev := env.event(tmpl, i)
				req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(ev.Body))
				req.Header = shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: ev.Topic, Body: ev.Body,
					ShopDomain: ev.Shop, WebhookID: ev.WebhookID, TriggeredAt: ev.TriggeredAt}, ingestSecret)
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
				} else {
					acked.Add(1)
				}
				if resp != nil {
					_ = resp.Body.Close()
				}
			}
		})
	}
	wg.Wait()
	applied := env.eng.Stats().EventsApplied - before.EventsApplied
	cancel()
	<-applying
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d deliveries were not acknowledged with 200", n)
	}
	backlog := acked.Load() - int64(applied)
	b.ReportMetric(float64(acked.Load())/d.Seconds(), "burst_acked/s")
	b.ReportMetric(float64(applied)/d.Seconds(), "burst_applied/s")
	b.ReportMetric(float64(backlog), "backlog")
	b.Logf("burst of %v: %d acknowledged (%.0f/s), %d applied (%.0f/s), backlog %d",
		d, acked.Load(), float64(acked.Load())/d.Seconds(), applied, float64(applied)/d.Seconds(), backlog)
}

func perEvent(calls map[string]int, n int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(calls)) {
		parts = append(parts, fmt.Sprintf("%s %.2f", k, float64(calls[k])/float64(n)))
	}
	return strings.Join(parts, ", ")
}

// countingStore counts the calls of the engine and the dispatcher to the
// store, by method. Optional capabilities of the store are hidden (the
// apply path of a single event uses none).
type countingStore struct {
	wmssync.Store
	mu    gosync.Mutex
	calls map[string]int
}

func (c *countingStore) count(name string) {
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[name]++
	c.mu.Unlock()
}

func (c *countingStore) reset() {
	c.mu.Lock()
	c.calls = nil
	c.mu.Unlock()
}

func (c *countingStore) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

func (c *countingStore) SaveSettings(ctx context.Context, s wmssync.Settings) error {
	c.count("SaveSettings")
	return c.Store.SaveSettings(ctx, s)
}

func (c *countingStore) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	c.count("Settings")
	return c.Store.Settings(ctx, shop)
}

func (c *countingStore) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	c.count("ListSettings")
	return c.Store.ListSettings(ctx)
}

func (c *countingStore) SaveStep(ctx context.Context, st wmssync.StepState) error {
	c.count("SaveStep")
	return c.Store.SaveStep(ctx, st)
}

func (c *countingStore) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	c.count("Steps")
	return c.Store.Steps(ctx, shop)
}

func (c *countingStore) Version(ctx context.Context, key wmssync.EntityKey) (webhook.Version, int64, error) {
	c.count("Version")
	return c.Store.Version(ctx, key)
}

func (c *countingStore) SetVersion(ctx context.Context, key wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	c.count("SetVersion")
	return c.Store.SetVersion(ctx, key, v, rev)
}

func (c *countingStore) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
	c.count("Watermark")
	return c.Store.Watermark(ctx, shop, name)
}

func (c *countingStore) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	c.count("AdvanceWatermark")
	return c.Store.AdvanceWatermark(ctx, shop, name, t)
}

func (c *countingStore) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	c.count("inbox.Claim")
	return c.Store.Claim(ctx, limit, lease)
}

func (c *countingStore) Complete(ctx context.Context, id string) error {
	c.count("inbox.Complete")
	return c.Store.Complete(ctx, id)
}
