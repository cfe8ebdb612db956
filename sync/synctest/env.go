package synctest

import (
	"context"
	"fmt"
	"net/http/httptest"
	gosync "sync"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// env is one test's world: the reference WMS, a memory store, the engine,
// the webhook endpoint and one test shop.
type env struct {
	t     *testing.T
	ctx   context.Context
	wms   *memwms.WMS
	store *memstore.Store
	eng   *wmssync.Engine
	srv   *httptest.Server
	shop  Shop
	id    string // the shop's id in the engine

	mu     gosync.Mutex
	offset time.Duration
	conn   wmssync.Connector
}

func newEnv(t *testing.T, sys System) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	e := &env{t: t, ctx: ctx, id: "kitshop"}
	var err error
	e.wms, err = memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: Warehouse, Name: "Main"}}, Now: e.now})
	e.check(err)
	e.store = memstore.New(memstore.WithClock(e.now))
	e.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend: e.wms, Store: e.store, Now: e.now,
		ShopSystems: []wmssync.ShopSystem{sys.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			c, err := e.shop.Connect(ctx, s)
			if err == nil {
				e.mu.Lock()
				e.conn = c
				e.mu.Unlock()
			}
			return c, err
		},
		Outbound: wmssync.OutboundConfig{Linger: -1, Backoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond},
	})
	e.check(err)
	h, err := webhook.NewHandler(e.eng.Inbox(), webhook.WithSource(sys.Source()), webhook.WithClock(e.now))
	e.check(err)
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	e.shop = sys.NewShop(t, "kitshop", e.srv.URL+"/webhooks", e.now)
	// Warehouse events reach the engine as a host's would.
	cancelSub := e.wms.OnEvent(func(ev wms.Event) {
		if err := e.eng.Publish(context.Background(), ev); err != nil {
			t.Errorf("publish %s: %v", ev.Kind(), err)
		}
	})
	t.Cleanup(cancelSub)
	_, err = e.eng.SaveSettings(ctx, e.shop.Settings(e.id, Warehouse))
	e.check(err)
	return e
}

func (e *env) check(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// now is the clock of the WMS, the store, the engine and the shop: the
// real time plus the offset tick adds.
func (e *env) now() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return time.Now().Add(e.offset)
}

// tick moves the clock two seconds ahead, so that the next change carries
// a later updated-at than the data the engine holds (shop systems often
// keep whole seconds only).
func (e *env) tick() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.offset += 2 * time.Second
}

// drain delivers the shop's webhooks and applies every stored event.
func (e *env) drain() {
	e.t.Helper()
	e.check(e.shop.Flush(e.ctx))
	d := &webhook.Dispatcher{Queue: e.store, Router: e.eng.Router(), Now: e.now}
	for {
		n, err := d.RunOnce(e.ctx)
		e.check(err)
		if n == 0 {
			break
		}
	}
	if failed := e.store.Failed(); len(failed) > 0 {
		e.t.Fatalf("%d events dead-lettered, the first: %s %s: %s", len(failed), failed[0].Event.Topic,
			failed[0].Event.WebhookID, failed[0].LastError)
	}
}

// deliverOutbound sends what the warehouse published until nothing is due.
func (e *env) deliverOutbound() {
	e.t.Helper()
	for range 20 {
		if _, err := e.eng.DeliverOutbound(e.ctx); err != nil {
			e.t.Fatalf("deliver outbound: %v", err)
		}
		pending, err := e.store.ListOutbox(e.ctx, wmssync.OutboxFilter{State: wmssync.OutboxPending})
		e.check(err)
		if len(pending) == 0 {
			break
		}
		e.tick() // past any backoff
	}
	dead, err := e.eng.DeadLetters(e.ctx, "")
	e.check(err)
	if len(dead) > 0 {
		e.t.Fatalf("%d outbound messages dead-lettered, the first: %s %s: %s", len(dead), dead[0].Kind, dead[0].ID, dead[0].LastError)
	}
}

// steps runs the setup steps up to and including last; customs and cost
// are skipped, and the sales history starts today (nothing to import).
func (e *env) steps(last wmssync.Step) {
	e.t.Helper()
	s, err := e.eng.Settings(e.ctx, e.id)
	e.check(err)
	s.SalesHistorySince = wms.DateOf(e.now())
	_, err = e.eng.SaveSettings(e.ctx, s)
	e.check(err)
	for _, st := range wmssync.Steps() {
		if st == wmssync.StepCustomsCost {
			e.check(e.eng.SkipStep(e.ctx, e.id, st))
		} else if err := e.eng.RunStep(e.ctx, e.id, st, nil); err != nil {
			e.t.Fatalf("step %s: %v", st, err)
		}
		if st == last {
			return
		}
	}
}

// item returns the WMS item of sku, failing the test when it is missing.
func (e *env) item(sku string) wms.Item {
	e.t.Helper()
	it, err := e.wms.Item(e.ctx, sku)
	if err != nil {
		e.t.Fatalf("item %s: %v", sku, err)
	}
	return it
}

// listed reports whether the item of sku lists the test shop's product id.
func (e *env) listed(sku, productID string) bool {
	it, err := e.wms.Item(e.ctx, sku)
	if err != nil {
		return false
	}
	for _, l := range it.Listings {
		if l.Shop == e.id && l.ProductID == productID {
			return true
		}
	}
	return false
}

// order returns the WMS order of the shop's order id, and whether it exists.
func (e *env) order(id string) (wms.Order, bool) {
	o, err := e.wms.Order(e.ctx, wms.OrderKey{Shop: e.id, ExternalID: id})
	return o, err == nil
}

func (e *env) connector() wmssync.Connector {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.conn
}

func errorf(t *testing.T, format string, args ...any) {
	t.Helper()
	t.Error(fmt.Sprintf(format, args...))
}
