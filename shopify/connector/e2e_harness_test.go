package connector_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// The end-to-end harness: the simulated Shopify, the reference WMS, the
// memory store, the engine with this package's connector, and a real HTTP
// webhook endpoint (webhook.Handler over the store's inbox) that the
// simulator delivers to. Orders and product changes reach the WMS only
// through those deliveries (or the reconciliation sweep).

// Warehouses of the reference WMS in the end-to-end tests.
const (
	whDK = "WH-DK"
	whDE = "WH-DE"
)

type harness struct {
	t     *testing.T
	srv   *shopifytest.Server
	store *memstore.Store
	wms   *memwms.WMS
	eng   *wmssync.Engine
	hook  *httptest.Server
	addr  string
	cfg   connector.Config // template for the connectors Connect builds

	engCfg wmssync.Config
	down   atomic.Bool // the webhook endpoint answers 503
	record atomic.Bool // keep every delivery the endpoint receives (captured)
	wrap   func(wmssync.Connector) wmssync.Connector

	capMu    gosync.Mutex
	captured []capturedDelivery

	logMu gosync.Mutex
	logs  bytes.Buffer

	mu     gosync.Mutex
	offset time.Duration // added to the real time by the shared clock
	conns  []*connector.Connector
	stop   func()
}

type harnessOptions struct {
	srv  []shopifytest.Option
	conn connector.Config
	// wrap, when set, wraps each connector the engine gets.
	wrap func(wmssync.Connector) wmssync.Connector
}

// capturedDelivery is a webhook delivery as it reached the endpoint.
type capturedDelivery struct {
	Header http.Header
	Body   []byte
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	h := &harness{t: t, cfg: o.conn, wrap: o.wrap}
	h.srv = newServer(t, append([]shopifytest.Option{shopifytest.WithClock(h.now)}, o.srv...)...)
	h.store = memstore.New(memstore.WithClock(h.now))
	var err error
	h.wms, err = memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: whDK, Name: "Denmark"}, {ID: whDE, Name: "Germany"}}})
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(lockedWriter{h}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.engCfg = wmssync.Config{
		Backend: h.wms, Store: h.store, Connect: h.connect,
		ShopSystems:       []wmssync.ShopSystem{connector.ShopSystem()},
		Logger:            logger,
		Now:               h.now,
		ReconcileInterval: time.Hour, AuditInterval: time.Hour, // sweeps run when a test calls them
	}
	h.eng, err = wmssync.NewEngine(h.engCfg)
	require.NoError(t, err)
	src, err := shopifywebhook.NewSource(h.srv.WebhookSecret())
	require.NoError(t, err)
	handler, err := webhook.NewHandler(h.eng.Inbox(), webhook.WithSource(src), webhook.WithLogger(logger))
	require.NoError(t, err)
	h.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		if h.record.Load() {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			h.capMu.Lock()
			h.captured = append(h.captured, capturedDelivery{Header: r.Header.Clone(), Body: body})
			h.capMu.Unlock()
		}
		handler.ServeHTTP(w, r)
	}))
	h.addr = h.hook.URL + "/webhooks/shopify"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.eng.Run(ctx)
	}()
	h.stop = func() { cancel(); <-done }
	t.Cleanup(func() {
		h.stop()
		h.hook.Close()
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, c := range h.conns {
			c.Close()
		}
	})
	return h
}

type lockedWriter struct{ h *harness }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.h.logMu.Lock()
	defer w.h.logMu.Unlock()
	return w.h.logs.Write(p)
}

func (h *harness) logText() string {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	return h.logs.String()
}

// connect is the engine's Config.Connect: the host keeps the token of each
// shop (here: the simulator's) and builds the connector.
func (h *harness) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	name := strings.TrimSuffix(s.Domain(), ".myshopify.com")
	shop := h.srv.Shop(name)
	token := "shpat_unknown_shop"
	if shop != nil {
		token = shop.AccessToken()
	}
	opts := []shopify.Option{
		shopify.WithBaseURL(h.srv.ShopURL(name)), shopify.WithAccessToken(token),
		shopify.WithHTTPClient(h.srv.HTTPClient()), shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		shopify.WithLogger(slog.New(slog.DiscardHandler)),
	}
	if s.APIVersion != "" {
		opts = append(opts, shopify.WithAPIVersion(s.APIVersion))
	}
	cl, err := shopify.NewClient(s.Domain(), opts...)
	if err != nil {
		return nil, err
	}
	cfg := h.cfg
	cfg.Client, cfg.WebhookAddress = cl, h.addr
	if cfg.BulkWait == nil {
		cfg.BulkWait = fastBulk
	}
	c, err := connector.New(cfg)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	h.conns = append(h.conns, c)
	h.mu.Unlock()
	if h.wrap != nil {
		return h.wrap(c), nil
	}
	return c, nil
}

// addShop adds a simulated shop with two locations (Copenhagen, Berlin).
func (h *harness) addShop(name string, opts ...shopifytest.ShopOption) (*shopifytest.Shop, int64, int64) {
	shop := h.srv.AddShop(name, opts...)
	dk := shop.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen", CountryCode: "DK"})
	de := shop.AddLocation(shopifytest.LocationSpec{Name: "Berlin", CountryCode: "DE"})
	return shop, dk.ID, de.ID
}

// settings returns the usual settings of a shop: both locations mapped.
func settingsFor(shop *shopifytest.Shop, dk, de int64) wmssync.Settings {
	return wmssync.Settings{
		Shop: strings.ToUpper(shop.Name()), AdminURL: "https://" + shop.Domain() + "/admin", Country: "dk",
		Locations: map[string]string{shopify.GID("Location", dk): whDK, shopify.GID("Location", de): whDE},
	}
}

func (h *harness) save(s wmssync.Settings) wmssync.Settings {
	h.t.Helper()
	s, err := h.eng.SaveSettings(ctxT(h.t), s)
	require.NoError(h.t, err)
	return s
}

// runSteps runs the setup steps up to and including last, skipping the
// skippable ones named in skip.
func (h *harness) runSteps(shop string, last wmssync.Step, skip ...wmssync.Step) []wmssync.Progress {
	h.t.Helper()
	var events []wmssync.Progress
	ctx := ctxT(h.t)
	for _, st := range wmssync.Steps() {
		if containsStep(skip, st) {
			require.NoError(h.t, h.eng.SkipStep(ctx, shop, st))
		} else {
			require.NoError(h.t, h.eng.RunStep(ctx, shop, st, func(p wmssync.Progress) { events = append(events, p) }), "step %s", st)
		}
		if st == last {
			return events
		}
	}
	return events
}

func containsStep(l []wmssync.Step, s wmssync.Step) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// drain waits until the simulator delivered every webhook and the engine
// handled every stored event.
func (h *harness) drain() {
	h.t.Helper()
	h.settle()
	require.Empty(h.t, h.store.Failed(), "no event may be dead-lettered")
}

// settle waits until the simulator delivered every webhook and the engine
// handled every stored event, dead letters allowed.
func (h *harness) settle() {
	h.t.Helper()
	require.NoError(h.t, h.srv.WaitWebhooks(ctxT(h.t)))
	require.Eventually(h.t, func() bool {
		st := h.store.Stats()
		return st.Pending == 0 && st.Claimed == 0
	}, 30*time.Second, 10*time.Millisecond, "inbox not drained")
}

func (h *harness) order(shop string, id int64) (wms.Order, bool) {
	o, err := h.wms.Order(context.Background(), wms.OrderKey{Shop: shop, ExternalID: shopify.GID("Order", id)})
	if err != nil {
		return wms.Order{}, false
	}
	return o, true
}

func (h *harness) item(sku string) (wms.Item, bool) {
	it, err := h.wms.Item(context.Background(), sku)
	return it, err == nil
}

// skuOf returns the SKU of a simulated variant.
func skuOf(shop *shopifytest.Shop, variantID int64) string {
	v, _ := shop.Variant(variantID)
	it, _ := shop.InventoryItem(v.InventoryItemID)
	return it.SKU
}

// timeNow is the tests' clock (the engine and the simulator use the real
// one).
func timeNow() time.Time { return time.Now() }

// connector0 is the default connector configuration of the harness.
func connector0() connector.Config { return connector.Config{} }

// restartedEngine builds a new engine on the same store and WMS, as a new
// process after a crash would: its connectors are new too.
func (h *harness) restartedEngine() *wmssync.Engine {
	h.t.Helper()
	e, err := wmssync.NewEngine(h.engCfg)
	require.NoError(h.t, err)
	return e
}

// now is the clock shared by the simulator, the store and the engine: the
// real time plus an offset tick moves forward.
func (h *harness) now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return time.Now().Add(h.offset)
}

// tick moves the shared clock two seconds ahead, so that a change made
// next carries a later updated_at (Shopify's timestamps have whole-second
// precision) than the data imported before.
func (h *harness) tick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.offset += 2 * time.Second
}
