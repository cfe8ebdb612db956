package chaos

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// Warehouses of the reference WMS: CPH is shared by both shops (each has a
// location for it), STORE is shop A's point of sale, BER is shop B's own.
const (
	whCPH   = "CPH"
	whSTORE = "STORE"
	whBER   = "BER"

	simA  = "chaos-a"
	simB  = "chaos-b"
	shopA = "CHAOS-A"
	shopB = "CHAOS-B"
)

// world is everything one seed runs: the simulated shops, the reference WMS
// (it survives restarts, as a warehouse would), the durable store (a SQLite
// file or a PostgreSQL schema), the webhook endpoint and the current engine
// process.
type world struct {
	t        *testing.T
	seed     uint64
	size     size
	oversell bool // shops sell beyond their available stock

	srv            *shopifytest.Server
	a, b           *shopifytest.Shop
	aCPH, aSTORE   int64
	bCPH, bBER     int64
	wms            *memwms.WMS
	storeKind      string
	openStore      storeOpener
	hook           *httptest.Server
	addr           string
	webhookRemoves []func()

	clockMu gosync.Mutex
	offset  time.Duration

	logMu gosync.Mutex
	logs  bytes.Buffer
	// debugLog receives every engine log line (debug and up), for the
	// diagnosis of a failure (see lostOrderReport).
	debugLog *os.File

	// procMu guards proc: publishers and the webhook endpoint hold it for
	// reading while they use the current process; a restart holds it for
	// writing while it swaps the store and the engine.
	procMu    gosync.RWMutex
	proc      *process
	restartMu gosync.Mutex
	restarts  atomic.Int64

	outbox      bool // the store has an outbox: outbound half runs
	publishErrs atomic.Int64

	woo     *wootest.Server // the WooCommerce store (woo_test.go)
	ws      *wootest.Store
	wooAddr string

	wooMu     gosync.Mutex
	wooRefuse float64 // rate of WooCommerce deliveries the endpoint refuses
	wooRng    *rand.Rand
}

// process is one "engine process": the store opened again, an engine, its
// connectors and its webhook handler.
type process struct {
	store   chaosStore
	eng     *wmssync.Engine
	handler http.Handler
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}

	mu    gosync.Mutex
	conns []*connector.Connector
}

func newWorld(t *testing.T, seed uint64, sz size, oversell bool, storeKind string) *world {
	t.Helper()
	w := &world{t: t, seed: seed, size: sz, oversell: oversell, storeKind: storeKind}
	w.openStore = newStoreOpener(t, storeKind, w.now)
	var err error
	w.debugLog, err = os.Create(filepath.Join(t.TempDir(), "engine-debug.log"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.debugLog.Close() })
	w.srv = shopifytest.NewServer(
		shopifytest.WithClock(w.now),
		shopifytest.WithSeed(seed),
		// Shopify Plus limits (1,000 points a second): the engine's sweeps
		// run every two seconds here instead of every five minutes.
		shopifytest.WithShop(simA, shopifytest.WithPlan(shopifytest.PlanPlus)),
		shopifytest.WithShop(simB, shopifytest.WithPlan(shopifytest.PlanPlus)),
		// Short, real-time retries: a delivery that meets a restarting
		// engine (503) is retried within seconds, not hours.
		shopifytest.WithWebhookRetries(2*time.Second,
			20*time.Millisecond, 50*time.Millisecond, 100*time.Millisecond, 200*time.Millisecond,
			400*time.Millisecond, 800*time.Millisecond, 1600*time.Millisecond, 3200*time.Millisecond),
	)
	t.Cleanup(w.srv.Close)
	w.a, w.b = w.srv.Shop(simA), w.srv.Shop(simB)
	w.aCPH = w.a.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse", CountryCode: "DK"}).ID
	w.aSTORE = w.a.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen store", CountryCode: "DK"}).ID
	w.bCPH = w.b.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse (ships to DE)", CountryCode: "DK"}).ID
	w.bBER = w.b.AddLocation(shopifytest.LocationSpec{Name: "Berlin warehouse", CountryCode: "DE"}).ID

	w.wms, err = memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{
		{ID: whCPH, Name: "Copenhagen"}, {ID: whSTORE, Name: "Copenhagen store"}, {ID: whBER, Name: "Berlin"}}})
	require.NoError(t, err)

	w.newWoo()
	w.hook = httptest.NewServer(http.HandlerFunc(w.serveWebhook))
	w.addr = w.hook.URL + "/webhooks/shopify"
	w.wooAddr = w.hook.URL + "/webhooks/woocommerce"

	p, err := w.open()
	require.NoError(t, err)
	w.procMu.Lock()
	w.proc = p
	w.procMu.Unlock()
	w.run(p)
	_, w.outbox = any(p.store).(wmssync.OutboxStore)

	// The host publishes every warehouse event to the engine's outbox.
	cancel := w.wms.OnEvent(w.publish)
	t.Cleanup(func() {
		cancel()
		w.stopProcess()
		w.hook.Close()
	})
	return w
}

// now is the clock shared by the simulator, the store and the engine: real
// time plus the offset restarts add (so leases of a "dead" process expire).
func (w *world) now() time.Time {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	return time.Now().Add(w.offset)
}

func (w *world) advance(d time.Duration) {
	w.clockMu.Lock()
	defer w.clockMu.Unlock()
	w.offset += d
}

type lockedWriter struct{ w *world }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.w.logMu.Lock()
	defer l.w.logMu.Unlock()
	if l.w.logs.Len() > 4<<20 { // keep the tail only
		tail := append([]byte(nil), l.w.logs.Bytes()[l.w.logs.Len()-1<<20:]...)
		l.w.logs.Reset()
		l.w.logs.Write(tail)
	}
	return l.w.logs.Write(p)
}

// logTail returns the last n lines the engines logged (warnings and up).
func (w *world) logTail(n int) string {
	w.logMu.Lock()
	defer w.logMu.Unlock()
	lines := strings.Split(strings.TrimRight(w.logs.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// open opens the store again and builds an engine on it (a new process).
// It does not start Run.
func (w *world) open() (*process, error) {
	p := &process{done: make(chan struct{})}
	var err error
	p.store, err = w.openStore(context.Background())
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(lockedWriter{w}, &slog.HandlerOptions{Level: slog.LevelWarn}),
		slog.NewTextHandler(w.debugLog, &slog.HandlerOptions{Level: slog.LevelDebug})))
	p.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend: w.wms, Store: p.store,
		Connect:           func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return w.connect(p, s) },
		ShopSystems:       []wmssync.ShopSystem{connector.ShopSystem(), wooconnector.ShopSystem()},
		Logger:            logger,
		Now:               w.now,
		ReconcileInterval: 2 * time.Second,
		ReconcileOverlap:  time.Minute, // one clock for the shops and the engine: no skew
		AuditInterval:     3 * time.Second,
		Outbound: wmssync.OutboundConfig{Poll: 20 * time.Millisecond, Lease: 30 * time.Second,
			Backoff: 5 * time.Millisecond, MaxBackoff: 100 * time.Millisecond},
	})
	if err == nil {
		var src *shopifywebhook.Source
		var wsrc *woowebhook.Source
		if src, err = shopifywebhook.NewSource(w.srv.WebhookSecret()); err == nil {
			if wsrc, err = woowebhook.NewSource(wooSecret); err == nil {
				p.handler, err = webhook.NewHandler(p.eng.Inbox(), webhook.WithSource(src, wsrc), webhook.WithLogger(logger))
			}
		}
	}
	if err != nil {
		p.store.close()
		return nil, err
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

// run starts the process's Run loop.
func (w *world) run(p *process) {
	go func() {
		defer close(p.done)
		_ = p.eng.Run(p.ctx)
	}()
}

// connect is the engine's Config.Connect: the host keeps the tokens.
func (w *world) connect(p *process, s wmssync.Settings) (wmssync.Connector, error) {
	if s.System == "woocommerce" {
		return w.wooConnect(s)
	}
	name := strings.TrimSuffix(s.Domain(), ".myshopify.com")
	shop := w.srv.Shop(name)
	if shop == nil {
		return nil, wmssync.ErrUnreachable
	}
	cl, err := shopify.NewClient(s.Domain(),
		shopify.WithBaseURL(w.srv.ShopURL(name)), shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithHTTPClient(w.srv.HTTPClient()), shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	c, err := connector.New(connector.Config{Client: cl, WebhookAddress: w.addr,
		BulkThreshold: -1, BulkOrderDays: -1}) // small shops: paged reads
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.conns = append(p.conns, c)
	p.mu.Unlock()
	return c, nil
}

// current returns the running process.
func (w *world) current() *process {
	w.procMu.RLock()
	defer w.procMu.RUnlock()
	return w.proc
}

// serveWebhook is the host's webhook endpoint: the current process's
// handler, which stores each verified delivery in the store's inbox.
func (w *world) serveWebhook(rw http.ResponseWriter, r *http.Request) {
	if w.refuseWoo(r) {
		http.Error(rw, "bad gateway", http.StatusBadGateway)
		return
	}
	w.procMu.RLock()
	defer w.procMu.RUnlock()
	if w.proc == nil {
		http.Error(rw, "restarting", http.StatusServiceUnavailable)
		return
	}
	w.proc.handler.ServeHTTP(rw, r)
}

// publish is the host's wiring of warehouse events into the engine's
// outbox.
func (w *world) publish(ev wms.Event) {
	w.procMu.RLock()
	defer w.procMu.RUnlock()
	if w.proc == nil || !w.outbox {
		return
	}
	if err := w.proc.eng.Publish(context.Background(), ev); err != nil {
		w.publishErrs.Add(1)
		w.t.Errorf("publish %s %s: %v", ev.Kind(), ev.Info().ID, err)
	}
}

// restart ends the current process (its context is cancelled, its engine
// and connectors dropped, its store closed) and starts a new one on the
// same store. The clock jumps past every lease the old process held.
// It may run on any goroutine: a failure to reopen is reported with Errorf
// and the old process is kept (stopped).
func (w *world) restart() {
	w.restartMu.Lock()
	defer w.restartMu.Unlock()
	old := w.current()
	if old == nil {
		return
	}
	old.cancel()
	<-old.done
	w.procMu.Lock()
	defer w.procMu.Unlock()
	closeProcess(old)
	w.advance(6 * time.Minute) // beyond the inbox (5 min) and outbox (30 s) leases
	p, err := w.open()
	if err != nil {
		w.t.Errorf("restart: reopen the store: %v", err)
		w.proc = nil
		return
	}
	w.proc = p
	w.run(p)
	w.restarts.Add(1)
}

func closeProcess(p *process) {
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.store.close()
}

// stopProcess ends the current process for good (test cleanup).
func (w *world) stopProcess() {
	w.restartMu.Lock()
	defer w.restartMu.Unlock()
	p := w.current()
	if p == nil {
		return
	}
	p.cancel()
	<-p.done
	w.procMu.Lock()
	closeProcess(p)
	w.proc = nil
	w.procMu.Unlock()
}

// errSkipped is returned by a retry function whose work another process
// (or the engine's own loop) holds the lease for: it is tried again.
var errSkipped = errors.New("skipped: lease held elsewhere")

// retry calls fn on the current process until it succeeds; an attempt that
// fails (a fault, or the process restarted under it) is repeated on the
// then current process. It fails the test after the deadline.
func (w *world) retry(what string, deadline time.Duration, fn func(p *process) error) {
	w.t.Helper()
	end := time.Now().Add(deadline)
	var last error
	for time.Now().Before(end) {
		p := w.current()
		if p == nil {
			w.t.Fatalf("%s: no engine process (restart failed)", what)
		}
		err := fn(p)
		if err == nil {
			return
		}
		if errors.Is(err, errSkipped) {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		last = err
		if errors.Is(err, context.Canceled) || p.ctx.Err() != nil {
			time.Sleep(5 * time.Millisecond) // restarted under us
			continue
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.t.Fatalf("%s: not done after %s: %v", what, deadline, last)
}
