package wmstest_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"

	"github.com/wmsbridge/wmsbridge/internal/kitcheck"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
	"github.com/wmsbridge/wmsbridge/wms/wmstest"
)

func newMem(t *testing.T) *memwms.WMS {
	w, err := memwms.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// coreOnly implements the five Backend methods and nothing else.
type coreOnly struct{ b wms.Backend }

func (c coreOnly) Warehouses(ctx context.Context) ([]wms.Warehouse, error) {
	return c.b.Warehouses(ctx)
}
func (c coreOnly) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	return c.b.UpsertProducts(ctx, ps)
}
func (c coreOnly) Item(ctx context.Context, sku string) (wms.Item, error) { return c.b.Item(ctx, sku) }
func (c coreOnly) UpsertOrder(ctx context.Context, o wms.Order) error     { return c.b.UpsertOrder(ctx, o) }
func (c coreOnly) Order(ctx context.Context, k wms.OrderKey) (wms.Order, error) {
	return c.b.Order(ctx, k)
}

// TestCoreOnlyBackend shows that a backend without any optional capability
// passes: the capability subtests skip.
func TestCoreOnlyBackend(t *testing.T) {
	t.Parallel()
	wmstest.Run(t, func(t *testing.T) wms.Backend { return coreOnly{newMem(t)} })
}

// notSupported implements every capability but reports them unsupported,
// as a wrapper around a WMS without them would.
type notSupported struct{ coreOnly }

func (notSupported) DeleteProduct(context.Context, wms.ProductRef) error { return wms.ErrNotSupported }
func (notSupported) ImportCustoms(context.Context, []wms.CustomsUpdate) error {
	return wms.ErrNotSupported
}
func (notSupported) ImportCosts(context.Context, []wms.CostUpdate) error  { return wms.ErrNotSupported }
func (notSupported) ImportStock(context.Context, []wms.StockLevel) error  { return wms.ErrNotSupported }
func (notSupported) MoveStock(context.Context, []wms.StockMovement) error { return wms.ErrNotSupported }
func (notSupported) Stock(context.Context, string, []string) ([]wms.StockLevel, error) {
	return nil, wms.ErrNotSupported
}
func (notSupported) RecordSales(context.Context, []wms.SalesRecord) error { return wms.ErrNotSupported }
func (notSupported) DailySales(context.Context, string, wms.Date, wms.Date) ([]wms.DailySales, error) {
	return nil, wms.ErrNotSupported
}

func TestErrNotSupportedSkips(t *testing.T) {
	t.Parallel()
	wmstest.Run(t, func(t *testing.T) wms.Backend { return notSupported{coreOnly{newMem(t)}} })
}

// Broken backends: each breaks one rule of the contract, and the kit must
// fail the named subtest.

type appendsLines struct{ *memwms.WMS }

func (b appendsLines) UpsertOrder(ctx context.Context, o wms.Order) error {
	if old, err := b.WMS.Order(ctx, o.Key()); err == nil {
		var merged []wms.OrderLine
		for _, l := range old.Lines {
			if !slices.ContainsFunc(o.Lines, func(n wms.OrderLine) bool { return n.ExternalID == l.ExternalID }) {
				merged = append(merged, l)
			}
		}
		o.Lines = append(merged, o.Lines...)
	}
	return b.WMS.UpsertOrder(ctx, o)
}

type ignoresMain struct{ *memwms.WMS }

func (b ignoresMain) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i].Main = true // last writer wins
	}
	return b.WMS.UpsertProducts(ctx, ps)
}

type movesTwice struct {
	*memwms.WMS
	n *atomic.Int64
}

func (b movesTwice) MoveStock(ctx context.Context, ms []wms.StockMovement) error {
	ms = slices.Clone(ms)
	for i := range ms {
		ms[i].ExternalID += fmt.Sprint("#", b.n.Add(1))
	}
	return b.WMS.MoveStock(ctx, ms)
}

type addsSales struct {
	*memwms.WMS
	n *atomic.Int64
}

func (b addsSales) RecordSales(ctx context.Context, rs []wms.SalesRecord) error {
	rs = slices.Clone(rs)
	for i := range rs {
		rs[i].Ref += fmt.Sprint("#", b.n.Add(1))
	}
	return b.WMS.RecordSales(ctx, rs)
}

type ignoresCancel struct{ *memwms.WMS }

func (b ignoresCancel) UpsertOrder(ctx context.Context, o wms.Order) error {
	if o.Status == wms.OrderCancelled {
		o.Status = wms.OrderOpen
	}
	return b.WMS.UpsertOrder(ctx, o)
}

type insertsOrders struct {
	*memwms.WMS
	n *atomic.Int64
}

func (b insertsOrders) UpsertOrder(ctx context.Context, o wms.Order) error {
	b.n.Add(1)
	return b.WMS.UpsertOrder(ctx, o)
}

func (b insertsOrders) CountOrders(context.Context) (int, error) { return int(b.n.Load()), nil }

// releasesEarly reports an order released as soon as its items exist,
// whether or not the stock covers it.
type releasesEarly struct{ *memwms.WMS }

func (b releasesEarly) Order(ctx context.Context, key wms.OrderKey) (wms.Order, error) {
	o, err := b.WMS.Order(ctx, key)
	if err == nil && o.Open() && o.Stage == wms.StageHeld && strings.HasPrefix(o.HoldReason, "short of") {
		o.Stage, o.HoldReason = wms.StageReleased, ""
	}
	return o, err
}

// holdsCancelled records the cancellation or deletion of a held order
// beside its hold queue instead of taking the order out of it, so stock
// arriving later releases the cancelled order.
type holdsCancelled struct {
	*memwms.WMS
	mu     *gosync.Mutex
	status map[wms.OrderKey]wms.OrderStatus
}

func (b holdsCancelled) UpsertOrder(ctx context.Context, o wms.Order) error {
	if !o.Open() {
		if cur, err := b.WMS.Order(ctx, o.Key()); err == nil && cur.Stage == wms.StageHeld {
			b.mu.Lock()
			b.status[o.Key()] = o.Status
			b.mu.Unlock()
			return nil
		}
	}
	return b.WMS.UpsertOrder(ctx, o)
}

func (b holdsCancelled) Order(ctx context.Context, key wms.OrderKey) (wms.Order, error) {
	o, err := b.WMS.Order(ctx, key)
	b.mu.Lock()
	st, ok := b.status[key]
	b.mu.Unlock()
	if err == nil && ok {
		o.Status = st
	}
	return o, err
}

// picksUnpaid stores an order awaiting payment as an open one, reporting
// the status it was given, so stock releases it to picking.
type picksUnpaid struct {
	*memwms.WMS
	mu      *gosync.Mutex
	pending map[wms.OrderKey]bool
}

func (b picksUnpaid) UpsertOrder(ctx context.Context, o wms.Order) error {
	b.mu.Lock()
	b.pending[o.Key()] = o.Status == wms.OrderPaymentPending
	b.mu.Unlock()
	if o.Status == wms.OrderPaymentPending {
		o.Status = wms.OrderOpen
	}
	return b.WMS.UpsertOrder(ctx, o)
}

func (b picksUnpaid) Order(ctx context.Context, key wms.OrderKey) (wms.Order, error) {
	o, err := b.WMS.Order(ctx, key)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err == nil && b.pending[key] {
		o.Status = wms.OrderPaymentPending
	}
	return o, err
}

// zeroesUnknownWeight writes a weight the upsert does not know as zero.
type zeroesUnknownWeight struct{ *memwms.WMS }

func (b zeroesUnknownWeight) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i] = ps[i].Clone()
		for j := range ps[i].Variants {
			if ps[i].Variants[j].Weight.IsZero() {
				ps[i].Variants[j].Weight = wms.Weight{Value: "0", Unit: wms.Grams}
			}
		}
	}
	return b.WMS.UpsertProducts(ctx, ps)
}

// blanksInventoryItem writes an inventory item id the upsert does not
// carry as empty.
type blanksInventoryItem struct{ *memwms.WMS }

func (b blanksInventoryItem) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	ps = slices.Clone(ps)
	for i := range ps {
		ps[i] = ps[i].Clone()
		for j, v := range ps[i].Variants {
			if v.InventoryItemID == "" {
				// Unlist first, so the new listing replaces the old one.
				p := ps[i]
				p.Variants = slices.Delete(slices.Clone(p.Variants), j, j+1)
				if err := b.WMS.UpsertProducts(ctx, []wms.Product{p}); err != nil {
					return err
				}
			}
		}
	}
	return b.WMS.UpsertProducts(ctx, ps)
}

// dropsBatchTail loses every product of a batch beyond the first 100.
type dropsBatchTail struct{ *memwms.WMS }

func (b dropsBatchTail) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	return b.WMS.UpsertProducts(ctx, ps[:min(len(ps), 100)])
}

// broken are backends with one planted bug each and the subtests of the kit
// that must fail on it (and no others).
var broken = map[string]struct {
	wrap     func(*memwms.WMS) wms.Backend
	wantFail []string
}{
	"appends order lines": {func(w *memwms.WMS) wms.Backend { return appendsLines{w} }, []string{"Orders/UpdateByExternalID", "Orders/StatusOnlyDeletionKeepsTheRest", "Concurrency/SameOrder"}},
	"ignores main shop":   {func(w *memwms.WMS) wms.Backend { return ignoresMain{w} }, []string{"Products/MainShopWins", "Concurrency/SharedSKUAcrossShops"}},
	"moves stock twice": {func(w *memwms.WMS) wms.Backend { return movesTwice{w, new(atomic.Int64)} },
		[]string{"StockMover/AppliedOncePerKey", "StockMover/Invalid", "StockMover/UnknownReportedAndRetryable"}},
	"adds sales records": {func(w *memwms.WMS) wms.Backend { return addsSales{w, new(atomic.Int64)} },
		[]string{"SalesRecorder/AggregatesPerDay"}},
	"ignores cancellation": {func(w *memwms.WMS) wms.Backend { return ignoresCancel{w} }, []string{"Orders/Cancel", "Orders/CancelledNotReleasedWhenItemsArrive", "StockImporter/CancelledOrderNotReleasedWhenStockArrives"}},
	"inserts instead of upserting orders": {func(w *memwms.WMS) wms.Backend { return insertsOrders{w, new(atomic.Int64)} },
		[]string{"Orders/Idempotent", "Orders/Cancel", "Orders/Invalid", "Orders/UpdateByExternalID", "Concurrency/SameOrder"}},
	"releases before the stock covers the order": {func(w *memwms.WMS) wms.Backend { return releasesEarly{w} },
		[]string{"StockImporter/ShortOrderNotReleased"}},
	"releases a cancelled order when stock arrives": {func(w *memwms.WMS) wms.Backend {
		return holdsCancelled{w, new(gosync.Mutex), map[wms.OrderKey]wms.OrderStatus{}}
	}, []string{"StockImporter/CancelledOrderNotReleasedWhenStockArrives"}},
	"picks orders awaiting payment": {func(w *memwms.WMS) wms.Backend {
		return picksUnpaid{w, new(gosync.Mutex), map[wms.OrderKey]bool{}}
	}, []string{"StockImporter/PaymentPendingNotReleasedWithStock"}},
	"writes an unknown weight as zero": {func(w *memwms.WMS) wms.Backend { return zeroesUnknownWeight{w} },
		[]string{"Products/AbsentWeightKept"}},
	"writes an unknown inventory item as empty": {func(w *memwms.WMS) wms.Backend { return blanksInventoryItem{w} },
		[]string{"Products/AbsentInventoryItemIDKept"}},
	"loses products beyond 100 in a batch": {func(w *memwms.WMS) wms.Backend { return dropsBatchTail{w} },
		[]string{"Products/Batch"}},
}

const brokenEnv = "WMSTEST_BROKEN_MODE"

// TestBrokenBackend runs the kit on one broken backend; it is meant to
// fail, so it only runs in the child process TestKitCatchesBrokenBackends
// starts.
func TestBrokenBackend(t *testing.T) {
	mode := os.Getenv(brokenEnv)
	if mode == "" {
		t.Skip("run by TestKitCatchesBrokenBackends")
	}
	wmstest.Run(t, func(t *testing.T) wms.Backend { return broken[mode].wrap(newMem(t)) })
}

func TestKitCatchesBrokenBackends(t *testing.T) {
	t.Parallel()
	if os.Getenv(brokenEnv) != "" {
		t.Skip("child process")
	}
	for mode, c := range broken {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			kitcheck.Expect(t, "TestBrokenBackend", brokenEnv, mode, c.wantFail...)
		})
	}
}
