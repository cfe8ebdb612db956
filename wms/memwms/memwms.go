package memwms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// ErrNotReleased is returned by [WMS.Pack] for an order that is not released
// to picking (held, cancelled or deleted).
var ErrNotReleased = errors.New("memwms: order not released to picking")

// Config configures a [WMS]. The zero value is ready to use.
type Config struct {
	// Warehouses are the warehouses the WMS holds stock in; the first is the
	// default warehouse. Defaults to one warehouse, {ID: "main", Name: "Main
	// warehouse"}. IDs must be unique and not empty.
	Warehouses []wms.Warehouse
	// Now returns the time stamped on events. Defaults to time.Now.
	Now func() time.Time
}

// DefaultWarehouse is the ID of the warehouse a WMS gets when its Config
// names none.
const DefaultWarehouse = "main"

// WMS is the reference warehouse: products, stock per warehouse, orders with
// hold and release, sales history, purchase orders with weighted average
// cost, refunds and returns, all in memory. It implements [wms.Backend] and
// every optional capability of package wms.
//
// A WMS is safe for concurrent use by multiple goroutines. Each method is
// atomic: it applies all of its changes or, when it returns an error other
// than a [*wms.NotFoundError], none.
type WMS struct {
	now        func() time.Time
	warehouses []wms.Warehouse

	mu        sync.Mutex
	whSet     map[string]bool
	items     map[string]*wms.Item
	listings  map[listingKey]string       // (shop, variant id) -> sku
	products  map[wms.ProductRef][]string // variant ids a product lists
	suppliers map[string]bool
	stock     map[stockKey]*wms.StockLevel
	orders    map[wms.OrderKey]*orderRec
	held      map[wms.OrderKey]*orderRec // open orders in StageHeld
	orderSeq  int64
	moves     map[moveKey]wms.StockMovement
	sales     map[string]map[salesKey]wms.SalesRecord // sku -> records
	pos       map[string]*wms.PurchaseOrder
	poSeq     int64
	refunds   map[string]wms.Refund

	// Events: appended under mu in commit order, delivered by flush.
	eventSeq  int64
	pending   []wms.Event
	log       []wms.Event
	subs      []subscriber
	nextSub   int
	deliverMu sync.Mutex
}

type listingKey struct{ shop, variantID string }

type stockKey struct{ sku, warehouse string }

type moveKey struct{ shop, externalID string }

type salesKey struct {
	shop, ref string
	day       wms.Date
}

type subscriber struct {
	id int
	fn func(wms.Event)
}

var (
	_ wms.Backend         = (*WMS)(nil)
	_ wms.ProductDeleter  = (*WMS)(nil)
	_ wms.CustomsImporter = (*WMS)(nil)
	_ wms.CostImporter    = (*WMS)(nil)
	_ wms.StockImporter   = (*WMS)(nil)
	_ wms.StockReader     = (*WMS)(nil)
	_ wms.StockMover      = (*WMS)(nil)
	_ wms.SalesRecorder   = (*WMS)(nil)
)

// New returns an empty WMS. A nil cfg means the zero Config. It returns an
// error for an empty or duplicate warehouse ID.
func New(cfg *Config) (*WMS, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	m := &WMS{
		now:       cfg.Now,
		whSet:     map[string]bool{},
		items:     map[string]*wms.Item{},
		listings:  map[listingKey]string{},
		products:  map[wms.ProductRef][]string{},
		suppliers: map[string]bool{},
		stock:     map[stockKey]*wms.StockLevel{},
		orders:    map[wms.OrderKey]*orderRec{},
		held:      map[wms.OrderKey]*orderRec{},
		moves:     map[moveKey]wms.StockMovement{},
		sales:     map[string]map[salesKey]wms.SalesRecord{},
		pos:       map[string]*wms.PurchaseOrder{},
		refunds:   map[string]wms.Refund{},
	}
	if m.now == nil {
		m.now = time.Now
	}
	whs := cfg.Warehouses
	if len(whs) == 0 {
		whs = []wms.Warehouse{{ID: DefaultWarehouse, Name: "Main warehouse"}}
	}
	for i, w := range whs {
		if w.ID == "" {
			return nil, fmt.Errorf("memwms: warehouses[%d]: empty ID", i)
		}
		if m.whSet[w.ID] {
			return nil, fmt.Errorf("memwms: warehouses[%d]: duplicate ID %q", i, w.ID)
		}
		m.whSet[w.ID] = true
		m.warehouses = append(m.warehouses, w)
	}
	return m, nil
}

// Warehouses implements [wms.Backend]. The list is fixed at New.
func (m *WMS) Warehouses(ctx context.Context) ([]wms.Warehouse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(m.warehouses), nil
}

// OnEvent subscribes fn to the events the WMS emits and returns a function
// that ends the subscription.
//
// The WMS emits [wms.StockChanged] whenever on-hand or reserved units of a
// SKU in a warehouse change, whatever the cause (receipts, imports,
// movements, releases, packing, restocking refunds), and
// [wms.BarcodeChanged], [wms.OrderPacked], [wms.PaymentCaptured],
// [wms.PurchaseOrderClosed] and [wms.RefundCreated] for the actions of the
// same names. Product data written by the shops (UpsertProducts, imports of
// customs and costs) emits nothing, so nothing echoes back to the shop.
//
// Events reach subscribers one at a time, in the order their changes were
// committed (their Seq order), on the goroutine of one of the calls that
// produced them; a call returns after its own events were delivered unless
// another goroutine is delivering at that moment, which then delivers them.
// fn may call any method of the WMS; events that call causes are delivered
// after fn returns. fn must not block for long: it holds up the delivery of
// every later event.
func (m *WMS) OnEvent(fn func(wms.Event)) (cancel func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.nextSub++
	id := m.nextSub
	m.subs = append(m.subs, subscriber{id: id, fn: fn})
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		m.subs = slices.DeleteFunc(m.subs, func(s subscriber) bool { return s.id == id })
	}
}

// Events returns every event emitted so far, oldest first.
func (m *WMS) Events() []wms.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.log)
}

// tx collects the effects of one atomic operation, applied under mu.
type tx struct {
	m       *WMS
	touched []stockKey // stock keys changed, in first-touch order
	before  map[stockKey]wms.StockLevel
	events  []wms.Event
	eval    bool // re-evaluate held orders before committing
}

// update runs fn under the lock. If fn succeeds, or fails with a
// *wms.NotFoundError after applying the rest of a batch, the effects are
// committed: held orders re-evaluated, events queued, and then delivered
// outside the lock. Any other error must be returned by fn before it changes
// anything.
func (m *WMS) update(ctx context.Context, fn func(t *tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	t := &tx{m: m, before: map[stockKey]wms.StockLevel{}}
	err := fn(t)
	var nf *wms.NotFoundError
	if err == nil || errors.As(err, &nf) {
		t.commit()
	}
	m.mu.Unlock()
	m.flush()
	return err
}

// level returns the stock record of sku in warehouse for writing, creating
// it, and remembers its value before the operation.
func (t *tx) level(sku, warehouse string) *wms.StockLevel {
	k := stockKey{sku, warehouse}
	l := t.m.stock[k]
	if l == nil {
		l = &wms.StockLevel{SKU: sku, Warehouse: warehouse}
		t.m.stock[k] = l
	}
	if _, ok := t.before[k]; !ok {
		t.before[k] = *l
		t.touched = append(t.touched, k)
	}
	return l
}

func (t *tx) emit(e wms.Event) { t.events = append(t.events, e) }

func (t *tx) commit() {
	m := t.m
	if t.eval {
		m.evaluateHolds(t)
	}
	for _, k := range t.touched {
		l := *m.stock[k]
		if l == t.before[k] {
			continue
		}
		t.emit(wms.StockChanged{SKU: l.SKU, Warehouse: l.Warehouse, OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available()})
	}
	now := m.now()
	for _, e := range t.events {
		m.eventSeq++
		info := wms.EventInfo{ID: fmt.Sprintf("memwms-%d", m.eventSeq), Time: now, Seq: m.eventSeq}
		e = withInfo(e, info)
		m.log = append(m.log, e)
		m.pending = append(m.pending, e)
	}
}

func withInfo(e wms.Event, info wms.EventInfo) wms.Event {
	switch e := e.(type) {
	case wms.StockChanged:
		e.EventInfo = info
		return e
	case wms.BarcodeChanged:
		e.EventInfo = info
		return e
	case wms.OrderPacked:
		e.EventInfo = info
		return e
	case wms.PaymentCaptured:
		e.EventInfo = info
		return e
	case wms.PurchaseOrderClosed:
		e.EventInfo = info
		return e
	case wms.RefundCreated:
		e.EventInfo = info
		return e
	}
	return e
}

// flush delivers pending events in order. Only one goroutine delivers at a
// time; a goroutine that finds delivery busy leaves its events to the one
// delivering, which re-checks the queue after it lets go.
func (m *WMS) flush() {
	for {
		if !m.deliverMu.TryLock() {
			return
		}
		for {
			m.mu.Lock()
			evs := m.pending
			m.pending = nil
			subs := slices.Clone(m.subs)
			m.mu.Unlock()
			if len(evs) == 0 {
				break
			}
			for _, e := range evs {
				for _, s := range subs {
					s.fn(e)
				}
			}
		}
		m.deliverMu.Unlock()
		m.mu.Lock()
		more := len(m.pending) > 0
		m.mu.Unlock()
		if !more {
			return
		}
	}
}

func (m *WMS) defaultWarehouse() string { return m.warehouses[0].ID }
