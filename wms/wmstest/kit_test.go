package wmstest_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

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

var broken = map[string]struct {
	wrap     func(*memwms.WMS) wms.Backend
	wantFail string
}{
	"appends order lines": {func(w *memwms.WMS) wms.Backend { return appendsLines{w} }, "Orders/UpdateByExternalID"},
	"ignores main shop":   {func(w *memwms.WMS) wms.Backend { return ignoresMain{w} }, "Products/MainShopWins"},
	"moves stock twice": {func(w *memwms.WMS) wms.Backend { return movesTwice{w, new(atomic.Int64)} },
		"StockMover/AppliedOncePerKey"},
	"adds sales records": {func(w *memwms.WMS) wms.Backend { return addsSales{w, new(atomic.Int64)} },
		"SalesRecorder/AggregatesPerDay"},
	"ignores cancellation": {func(w *memwms.WMS) wms.Backend { return ignoresCancel{w} }, "Orders/Cancel"},
	"inserts instead of upserting orders": {func(w *memwms.WMS) wms.Backend { return insertsOrders{w, new(atomic.Int64)} },
		"Orders/Idempotent"},
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
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenBackend$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed a backend that %s:\n%s", mode, out)
			}
			if want := "--- FAIL: TestBrokenBackend/" + c.wantFail + " "; !strings.Contains(string(out), want) {
				t.Fatalf("backend that %s: output lacks %q:\n%s", mode, want, out)
			}
		})
	}
}
