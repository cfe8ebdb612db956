package memwms_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

var (
	t0   = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	ctxB = context.Background()
)

// bundle is a WMS with two warehouses and a recorder of its events.
type bundle struct {
	w      *memwms.WMS
	mu     sync.Mutex
	events []wms.Event
}

func setup(t *testing.T) *bundle {
	t.Helper()
	w, err := memwms.New(&memwms.Config{
		Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}, {ID: "aar", Name: "Aarhus"}},
		Now:        func() time.Time { return t0 },
	})
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle{w: w}
	cancel := w.OnEvent(func(e wms.Event) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.events = append(b.events, e)
	})
	t.Cleanup(cancel)
	return b
}

// take returns the events seen since the last call.
func (b *bundle) take() []wms.Event {
	b.mu.Lock()
	defer b.mu.Unlock()
	evs := b.events
	b.events = nil
	return evs
}

// items creates one product per SKU in shop-a.
func (b *bundle) items(t *testing.T, skus ...string) {
	t.Helper()
	var ps []wms.Product
	for _, s := range skus {
		ps = append(ps, wms.Product{Shop: "shop-a", ExternalID: "p-" + s, Main: true, Title: "Product " + s,
			Variants: []wms.Variant{{SKU: s, ExternalID: "v-" + s, Barcode: "EAN-" + s}}})
	}
	ok(t, b.w.UpsertProducts(ctxB, ps))
}

func (b *bundle) receive(t *testing.T, wh, sku string, qty int64) {
	t.Helper()
	ok(t, b.w.Receive(ctxB, wh, sku, qty))
}

func (b *bundle) upsert(t *testing.T, o wms.Order) {
	t.Helper()
	ok(t, b.w.UpsertOrder(ctxB, o))
}

func (b *bundle) order(t *testing.T, id string) wms.Order {
	t.Helper()
	o, err := b.w.Order(ctxB, wms.OrderKey{Shop: "shop-a", ExternalID: id})
	ok(t, err)
	return o
}

func (b *bundle) stage(t *testing.T, id string) wms.OrderStage {
	t.Helper()
	return b.order(t, id).Stage
}

func order(id, wh string, lines ...wms.OrderLine) wms.Order {
	return wms.Order{Shop: "shop-a", ExternalID: id, Name: "#" + id, Warehouse: wh, Lines: lines, Currency: "DKK", Total: "100.00"}
}

func line(id, sku string, qty int64) wms.OrderLine {
	return wms.OrderLine{ExternalID: id, SKU: sku, Quantity: qty, Price: "10.00"}
}

func key(id string) wms.OrderKey { return wms.OrderKey{Shop: "shop-a", ExternalID: id} }

func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func is(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want %v", err, target)
	}
}

func eq[T any](t *testing.T, want, got T, what string) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func wantStage(t *testing.T, b *bundle, id string, want wms.OrderStage) {
	t.Helper()
	o := b.order(t, id)
	if o.Stage != want {
		t.Fatalf("order %s: stage %q (hold reason %q), want %q", id, o.Stage, o.HoldReason, want)
	}
}

func level(t *testing.T, b *bundle, sku, wh string, onHand, reserved int64) {
	t.Helper()
	eq(t, wms.StockLevel{SKU: sku, Warehouse: wh, OnHand: onHand, Reserved: reserved}, b.w.Level(sku, wh), "stock of "+sku+" in "+wh)
}

// stockEvents returns the StockChanged events among evs.
func stockEvents(evs []wms.Event) []wms.StockChanged {
	var out []wms.StockChanged
	for _, e := range evs {
		if s, ok := e.(wms.StockChanged); ok {
			s.EventInfo = wms.EventInfo{}
			out = append(out, s)
		}
	}
	return out
}

func sc(sku, wh string, onHand, reserved int64) wms.StockChanged {
	return wms.StockChanged{SKU: sku, Warehouse: wh, OnHand: onHand, Reserved: reserved, Available: onHand - reserved}
}
