package sync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
)

const appSecret = "test-app-client-secret"

var bg = context.Background()

// clock is a settable clock; tests never sleep.
type clock struct {
	mu gosync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return c.t
}

// env is an engine over memstore and memwms with fake shops, and a real
// webhook.Handler behind an httptest server.
type env struct {
	t      testing.TB
	clock  *clock
	store  *memstore.Store
	wms    *memwms.WMS
	shops  map[string]*fakeShop // by shop id
	conns  map[string]wmssync.Connector
	engine *wmssync.Engine
	srv    *httptest.Server
	cfg    func(*wmssync.Config)

	deliveries atomic.Int64 // webhook deliveries sent, for their ids
}

func newEnv(t testing.TB, cfg ...func(*wmssync.Config)) *env {
	t.Helper()
	c := newClock()
	w, err := memwms.New(&memwms.Config{
		Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}, {ID: "store", Name: "Shop floor"}},
		Now:        c.Now,
	})
	require.NoError(t, err)
	e := &env{t: t, clock: c, store: memstore.New(memstore.WithClock(c.Now)), wms: w,
		shops: map[string]*fakeShop{}, conns: map[string]wmssync.Connector{}}
	if len(cfg) > 0 {
		e.cfg = cfg[0]
	}
	e.build()
	h, err := webhook.NewHandler(e.store, webhook.WithSource(newFakeSource(appSecret)), webhook.WithClock(c.Now))
	require.NoError(t, err)
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

// build (re)creates the engine over the same store and WMS, as a restarted
// process would.
func (e *env) build() {
	cfg := wmssync.Config{
		Backend:     e.wms,
		Store:       e.store,
		Now:         e.clock.Now,
		ShopSystems: []wmssync.ShopSystem{fakeSystem{}},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			if c, ok := e.conns[s.Shop]; ok {
				return c, nil
			}
			f, ok := e.shops[s.Shop]
			if !ok {
				return nil, fmt.Errorf("no credentials for %s", s.Shop)
			}
			return f, nil
		},
	}
	if e.cfg != nil {
		e.cfg(&cfg)
	}
	eng, err := wmssync.NewEngine(cfg)
	require.NoError(e.t, err)
	e.engine = eng
}

// addShop creates a fake shop and saves its settings (locations: loc-cph
// -> cph, loc-store -> store; loc-drop unmapped).
func (e *env) addShop(id string, edit ...func(*wmssync.Settings)) *fakeShop {
	e.t.Helper()
	f := newFakeShop(id)
	e.shops[id] = f
	s := wmssync.Settings{
		Shop: id, AdminURL: "https://" + f.domain, Country: "dk",
		Locations: map[string]string{"loc-cph": "cph", "loc-store": "store"},
	}
	for _, fn := range edit {
		fn(&s)
	}
	_, err := e.engine.SaveSettings(bg, s)
	require.NoError(e.t, err)
	return f
}

// deliver posts a signed webhook to the handler, like the shop would.
func (e *env) deliver(f *fakeShop, topic webhook.Topic, p fakePayload) {
	e.t.Helper()
	body, err := json.Marshal(p)
	require.NoError(e.t, err)
	req, err := newFakeDelivery(bg, e.srv.URL, f.domain, topic, body,
		fmt.Sprintf("delivery-%d", e.deliveries.Add(1)), e.clock.Now(), appSecret)
	require.NoError(e.t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(e.t, err)
	resp.Body.Close()
	require.Equal(e.t, http.StatusOK, resp.StatusCode, "webhook delivery not accepted")
}

// drain applies every due inbox event through the engine's router.
func (e *env) drain() {
	e.t.Helper()
	d := &webhook.Dispatcher{Queue: e.store, Router: e.engine.Router(), Concurrency: 4, Now: e.clock.Now}
	for {
		n, err := d.RunOnce(bg)
		require.NoError(e.t, err)
		if n == 0 {
			return
		}
	}
}

func (e *env) runStep(shop string, step wmssync.Step) {
	e.t.Helper()
	require.NoError(e.t, e.engine.RunStep(bg, shop, step, nil))
}

// throughOrders runs the setup steps of shop up to and including orders.
func (e *env) throughOrders(shop string) {
	e.t.Helper()
	e.runStep(shop, wmssync.StepProducts)
	require.NoError(e.t, e.engine.SkipStep(bg, shop, wmssync.StepCustomsCost))
	e.runStep(shop, wmssync.StepOrders)
}

func product(id string, updated time.Time, skus ...string) wmssync.Product {
	p := wmssync.Product{Product: wms.Product{ExternalID: id, Title: "Product " + id}, Vendor: "Acme", UpdatedAt: updated}
	for i, sku := range skus {
		p.Variants = append(p.Variants, wms.Variant{SKU: sku, ExternalID: fmt.Sprintf("%s-v%d", id, i),
			InventoryItemID: "ii-" + sku, Barcode: "570" + sku, Price: "99.95"})
	}
	return p
}

func order(id, location string, created time.Time, lines ...wms.OrderLine) wmssync.Order {
	return wmssync.Order{Order: wms.Order{ExternalID: id, Name: "#" + id, Lines: lines, Currency: "DKK",
		CreatedAt: created, UpdatedAt: created}, LocationID: location}
}

func line(id, sku string, qty int64) wms.OrderLine {
	return wms.OrderLine{ExternalID: id, SKU: sku, Quantity: qty, Price: "10.00"}
}

func (e *env) order(shop, id string) wms.Order {
	e.t.Helper()
	o, err := e.wms.Order(bg, wms.OrderKey{Shop: shop, ExternalID: id})
	require.NoError(e.t, err, "order %s/%s", shop, id)
	return o
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// stepState returns the state of one setup step of shop.
func (e *env) stepState(shop string, step wmssync.Step) wmssync.StepState {
	e.t.Helper()
	states, err := e.engine.StepStates(bg, shop)
	require.NoError(e.t, err)
	for _, st := range states {
		if st.Step == step {
			return st
		}
	}
	e.t.Fatalf("no state for step %s of %s", step, shop)
	return wmssync.StepState{}
}
