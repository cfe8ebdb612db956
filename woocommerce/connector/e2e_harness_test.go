package connector_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// The end-to-end harness: the simulated WooCommerce, the reference WMS,
// the memory store, the engine with this package's connector, and a real
// HTTP webhook endpoint (webhook.Handler with woowebhook's source over the
// engine's inbox) that the simulator delivers to. The reference WMS
// publishes what it emits to the engine, as a host would.

const (
	whMain     = "WH-1"
	hookSecret = "e2e-webhook-secret-&<>"
)

type e2e struct {
	t     *testing.T
	srv   *wootest.Server
	store *wootest.Store
	mem   *memstore.Store
	wms   *memwms.WMS
	eng   *wmssync.Engine
	hook  *httptest.Server
	addr  string
	down  atomic.Bool // the webhook endpoint answers 503

	mu   gosync.Mutex
	keys map[string][2]string // engine shop id -> consumer key and secret

	logMu gosync.Mutex
	logs  bytes.Buffer
}

func newE2E(t *testing.T, srvOpts []wootest.Option, storeOpts ...wootest.StoreOption) *e2e {
	t.Helper()
	h := &e2e{t: t, keys: map[string][2]string{}}
	storeOpts = append([]wootest.StoreOption{wootest.WithDeliveryDelay(20 * time.Millisecond), wootest.WithCurrency("DKK")}, storeOpts...)
	h.srv = wootest.NewServer(append(srvOpts, wootest.WithStore("shop", storeOpts...))...)
	t.Cleanup(h.srv.Close)
	h.store = h.srv.Store("shop")
	h.mem = memstore.New()
	var err error
	h.wms, err = memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: whMain, Name: "Main"}}})
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(lockedWriter{h}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend: h.wms, Store: h.mem, Connect: h.connect,
		ShopSystems:       []wmssync.ShopSystem{connector.ShopSystem()},
		Logger:            logger,
		ReconcileInterval: time.Hour, AuditInterval: time.Hour, // sweeps run when a test calls them
		Outbound: wmssync.OutboundConfig{Poll: 20 * time.Millisecond, Linger: 5 * time.Millisecond, Lease: 30 * time.Second,
			Backoff: 2 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 3},
	})
	require.NoError(t, err)
	src, err := woowebhook.NewSource(hookSecret)
	require.NoError(t, err)
	handler, err := webhook.NewHandler(h.eng.Inbox(), webhook.WithSource(src), webhook.WithLogger(logger))
	require.NoError(t, err)
	h.hook = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		handler.ServeHTTP(w, r)
	}))
	t.Cleanup(h.hook.Close)
	h.addr = h.hook.URL + "/webhooks/woocommerce"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = h.eng.Run(ctx)
	}()
	stopPublish := h.wms.OnEvent(func(ev wms.Event) {
		if err := h.eng.Publish(context.Background(), ev); err != nil {
			t.Errorf("publish %s: %v", ev.Kind(), err)
		}
	})
	t.Cleanup(func() { stopPublish(); cancel(); <-done })
	return h
}

type lockedWriter struct{ h *e2e }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.h.logMu.Lock()
	defer w.h.logMu.Unlock()
	return w.h.logs.Write(p)
}

func (h *e2e) logText() string {
	h.logMu.Lock()
	defer h.logMu.Unlock()
	return h.logs.String()
}

// useKey makes the host connect the shop with another key.
func (h *e2e) useKey(shop, ck, cs string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.keys[shop] = [2]string{ck, cs}
}

// connect is the engine's Config.Connect: the host keeps each shop's key.
func (h *e2e) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	h.mu.Lock()
	key, ok := h.keys[s.Shop]
	h.mu.Unlock()
	if !ok {
		key[0], key[1] = h.store.Key()
	}
	cl, err := woocommerce.NewClient(s.AdminURL, woocommerce.WithKeys(key[0], key[1]),
		woocommerce.WithHTTPClient(h.srv.HTTPClient()), woocommerce.WithRetryWait(time.Millisecond, 20*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return connector.New(connector.Config{Client: cl, WebhookAddress: h.addr, WebhookSecret: hookSecret})
}

// settings are the usual settings of the store: no location mapping (one
// stock figure, the backend's default warehouse), no capture.
func (h *e2e) settings() wmssync.Settings {
	return wmssync.Settings{Shop: "WOO", AdminURL: h.srv.StoreURL("shop"), Country: "DK",
		Outbound: map[wms.EventKind]bool{wms.KindPaymentCaptured: false, wms.KindRefundCreated: true}}
}

func (h *e2e) save(s wmssync.Settings) wmssync.Settings {
	h.t.Helper()
	s, err := h.eng.SaveSettings(ctxT(h.t), s)
	require.NoError(h.t, err)
	return s
}

// setup saves the settings and runs the setup steps (products, orders; the
// sales history unless history).
func (h *e2e) setup(history bool) wmssync.Settings {
	h.t.Helper()
	s := h.settings()
	if !history {
		s.SalesHistorySince = wms.DateOf(time.Now().AddDate(0, 0, 1))
	}
	s = h.save(s)
	require.NoError(h.t, h.eng.RunSetup(ctxT(h.t), s.Shop, nil))
	return s
}

// drain waits until the simulator delivered every webhook and the engine
// handled every stored event.
func (h *e2e) drain() {
	h.t.Helper()
	require.NoError(h.t, h.srv.WaitWebhooks(ctxT(h.t)))
	require.Eventually(h.t, func() bool {
		st := h.mem.Stats()
		return st.Pending == 0 && st.Claimed == 0
	}, 30*time.Second, 10*time.Millisecond, "inbox not drained")
	require.Empty(h.t, h.mem.Failed(), "no event may be dead-lettered")
}

// outboundDone waits until the outbox of the shop is empty.
func (h *e2e) outboundDone(shop string) {
	h.t.Helper()
	require.Eventually(h.t, func() bool {
		n, err := h.eng.DeliverOutbound(context.Background())
		if err != nil {
			return false
		}
		for _, sh := range []string{"", shop} {
			ms, err := h.mem.ListOutbox(context.Background(), wmssync.OutboxFilter{Shop: sh, State: wmssync.OutboxPending, Limit: 1})
			if err != nil || len(ms) > 0 {
				return false
			}
		}
		return n == 0
	}, 30*time.Second, 20*time.Millisecond, "outbox not drained")
}

func (h *e2e) order(id int64) (wms.Order, bool) {
	o, err := h.wms.Order(context.Background(), wms.OrderKey{Shop: "WOO", ExternalID: itoa(id)})
	return o, err == nil
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
