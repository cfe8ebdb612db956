package sync_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// seedProducts puts n products with two variants each into f, with stock at
// the mapped loc-cph and the unmapped loc-drop.
func seedProducts(f *fakeShop, n int, at time.Time) {
	for i := range n {
		id := fmt.Sprintf("P%05d", i)
		p := product(id, at, fmt.Sprintf("SKU-%05d-A", i), fmt.Sprintf("SKU-%05d-B", i))
		p.Stock = []wmssync.LocationStock{
			{SKU: p.Variants[0].SKU, LocationID: "loc-cph", OnHand: 5},
			{SKU: p.Variants[0].SKU, LocationID: "loc-drop", OnHand: 7},
			{SKU: p.Variants[1].SKU, LocationID: "loc-drop", OnHand: 3},
		}
		f.putProduct(p)
	}
}

func TestProductImport(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	seedProducts(f, 120, e.clock.Now())
	f.onPage = func(string, string) { e.clock.Advance(time.Second) }

	var events []wmssync.Progress
	require.NoError(t, e.engine.RunStep(bg, "dk", wmssync.StepProducts, func(p wmssync.Progress) { events = append(events, p) }))

	// S8: product webhooks registered.
	assert.Equal(t, []string{"products/create", "products/delete", "products/update"}, f.subscribed(wmssync.ProductWebhooks))
	// S7: every variant is an item with its data; stock at the mapped location only (S5).
	n, _ := e.wms.CountItems(bg)
	assert.Equal(t, 240, n)
	it, err := e.wms.Item(bg, "SKU-00007-A")
	require.NoError(t, err)
	assert.Equal(t, "Product P00007", it.Title)
	assert.Equal(t, "570SKU-00007-A", it.Barcode)
	assert.Equal(t, "Acme", it.Brand, "S3 off: vendor is the brand")
	assert.Equal(t, "", it.Supplier)
	assert.Equal(t, wms.Decimal("99.95"), it.Price)
	assert.Equal(t, []wms.Listing{{Shop: "dk", ProductID: "P00007", VariantID: "P00007-v0", InventoryItemID: "ii-SKU-00007-A"}}, it.Listings)
	assert.Equal(t, int64(5), e.wms.Level("SKU-00007-A", "cph").OnHand)
	assert.Equal(t, int64(0), e.wms.Level("SKU-00007-B", "cph").OnHand, "stock at an unmapped location is not imported")

	// Progress: webhooks phase, then one event per page with growing
	// counts, then the final event.
	require.GreaterOrEqual(t, len(events), 5)
	assert.Equal(t, "webhooks", events[0].Phase)
	var last int64 = -1
	for _, p := range events[1:] {
		assert.GreaterOrEqual(t, p.Done, last)
		last = p.Done
	}
	mid := events[1] // after the first page
	assert.Equal(t, int64(50), mid.Done)
	assert.Equal(t, int64(120), mid.Total)
	assert.InDelta(t, 50.0, mid.Rate, 0.01, "50 products in 1 fake second")
	assert.Equal(t, 1400*time.Millisecond, mid.ETA)
	assert.Equal(t, "dk products import 50/120 (41.7%) 50/s ETA 1s", mid.String())
	end := events[len(events)-1]
	assert.True(t, end.Finished)
	assert.Equal(t, wmssync.StepDone, end.Status)
	assert.Equal(t, int64(120), end.Done)
	assert.Equal(t, 100.0, end.Percent())

	states, err := e.engine.StepStates(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, wmssync.StepDone, states[0].Status)
	assert.Equal(t, int64(120), states[0].Done)
	assert.Empty(t, states[0].Checkpoint)
	assert.Equal(t, wmssync.StepPending, states[1].Status)

	// Idempotent re-run: same items, one listing each, no new subscription;
	// and S3 switched on now makes the vendor a supplier.
	s, _ := e.engine.Settings(bg, "dk")
	s.VendorAsSupplier = true
	_, err = e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	require.NoError(t, e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil))
	n, _ = e.wms.CountItems(bg)
	assert.Equal(t, 240, n)
	for _, it := range e.wms.Items() {
		require.Len(t, it.Listings, 1, it.SKU)
		require.Equal(t, "Acme", it.Supplier, it.SKU)
		require.Equal(t, "", it.Brand, it.SKU)
	}
	assert.Contains(t, e.wms.Suppliers(), "Acme")
	assert.Len(t, f.subscribed(wmssync.ProductWebhooks), 3)
	assert.Equal(t, uint64(240), e.engine.Stats().ProductsImported)
}

// S2: the main shop's product data wins whatever the order of imports.
func TestMainShopWins(t *testing.T) {
	e := newEnv(t)
	a := e.addShop("main-dk", func(s *wmssync.Settings) { s.Main = true })
	b := e.addShop("uk")
	at := e.clock.Now()
	pa := product("A1", at, "SHARED")
	pa.Title = "Main title"
	a.putProduct(pa)
	pb := product("B1", at, "SHARED", "UK-ONLY")
	pb.Title = "UK title"
	b.putProduct(pb)

	e.runStep("uk", wmssync.StepProducts)
	it, _ := e.wms.Item(bg, "SHARED")
	assert.Equal(t, "UK title", it.Title, "only shop so far")
	e.runStep("main-dk", wmssync.StepProducts)
	e.runStep("uk", wmssync.StepProducts)
	it, _ = e.wms.Item(bg, "SHARED")
	assert.Equal(t, "Main title", it.Title)
	assert.Equal(t, "main-dk", it.Source)
	assert.Len(t, it.Listings, 2, "one item, listed by both shops")
	it, _ = e.wms.Item(bg, "UK-ONLY")
	assert.Equal(t, "UK title", it.Title)
}

func TestStepOrderAndSkip(t *testing.T) {
	e := newEnv(t)
	e.addShop("dk")
	err := e.engine.RunStep(bg, "dk", wmssync.StepOrders, nil)
	assert.ErrorIs(t, err, wmssync.ErrStepOrder)
	assert.ErrorIs(t, e.engine.SkipStep(bg, "dk", wmssync.StepProducts), wmssync.ErrNotSkippable)
	assert.ErrorIs(t, e.engine.SkipStep(bg, "dk", wmssync.StepOrders), wmssync.ErrNotSkippable)
	assert.ErrorIs(t, e.engine.RunStep(bg, "nope", wmssync.StepProducts, nil), wmssync.ErrNotFound)
	assert.Error(t, e.engine.RunStep(bg, "dk", "made-up", nil))

	e.runStep("dk", wmssync.StepProducts)
	require.NoError(t, e.engine.SkipStep(bg, "dk", wmssync.StepCustomsCost))
	require.NoError(t, e.engine.RunSetup(bg, "dk", nil))
	states, err := e.engine.StepStates(bg, "dk")
	require.NoError(t, err)
	want := []wmssync.StepStatus{wmssync.StepDone, wmssync.StepSkipped, wmssync.StepDone, wmssync.StepDone, wmssync.StepDone}
	for i, st := range states {
		assert.Equal(t, want[i], st.Status, st.Step)
	}
	assert.Contains(t, states[4].Note, "stock.changed")
}

// A failing connector marks the step failed with the reason; fixing the
// cause and running again finishes it.
func TestStepFailureAndRetry(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	seedProducts(f, 10, e.clock.Now())
	f.refuse = errRefused
	err := e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil)
	var se *wmssync.StepError
	require.ErrorAs(t, err, &se)
	assert.ErrorIs(t, err, wmssync.ErrUnauthorized)
	states, _ := e.engine.StepStates(bg, "dk")
	assert.Equal(t, wmssync.StepFailed, states[0].Status)
	assert.Contains(t, states[0].Error, "401")
	f.refuse = nil
	e.runStep("dk", wmssync.StepProducts)
	n, _ := e.wms.CountItems(bg)
	assert.Equal(t, 20, n)
}

// An expired cursor restarts the listing from the start; products are
// upserted, so nothing is doubled.
func TestImportCursorExpired(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	seedProducts(f, 120, e.clock.Now())
	ctx, cancel := context.WithCancel(bg)
	pages := 0
	f.onPage = func(string, string) {
		if pages++; pages == 2 {
			cancel()
		}
	}
	require.ErrorIs(t, e.engine.RunStep(ctx, "dk", wmssync.StepProducts, nil), context.Canceled)
	f.onPage = nil
	f.expireAll = true
	err := e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil)
	require.Error(t, err, "every cursor expires: the listing can only restart a few times")
	f.expireAll = false
	e.runStep("dk", wmssync.StepProducts)
	n, _ := e.wms.CountItems(bg)
	assert.Equal(t, 240, n)
}

// The acceptance test: a 30,000-product import interrupted at a random
// point (context cancelled), the engine rebuilt from the same store,
// resumes from its checkpoint and ends with exactly one WMS product per
// shop product.
func TestImportCrashResume30k(t *testing.T) {
	if testing.Short() {
		t.Skip("30,000 products")
	}
	const products, pageSize = 30000, 250
	const pages = products / pageSize
	e := newEnv(t)
	f := e.addShop("big")
	f.pageSize = pageSize
	at := e.clock.Now()
	for i := range products {
		f.putProduct(product(fmt.Sprintf("P%05d", i), at, fmt.Sprintf("SKU-%05d", i)))
	}
	seed := rand.Uint64()
	crashAt := 2 + rand.New(rand.NewPCG(seed, seed)).IntN(pages-3) // a page in the middle
	t.Logf("seed %d: crash when page %d of %d is requested", seed, crashAt, pages)

	ctx, cancel := context.WithCancel(bg)
	served := 0
	f.onPage = func(kind, cursor string) {
		if served++; served == crashAt {
			cancel()
		}
	}
	err := e.engine.RunStep(ctx, "big", wmssync.StepProducts, nil)
	require.ErrorIs(t, err, context.Canceled)
	states, _ := e.engine.StepStates(bg, "big")
	require.Equal(t, wmssync.StepRunning, states[0].Status, "an interrupted step stays resumable")
	require.Equal(t, int64((crashAt-1)*pageSize), states[0].Done)
	before, _ := e.wms.CountItems(bg)
	require.Equal(t, (crashAt-1)*pageSize, before, "pages before the crash were applied")

	// A new process: new engine over the same store and WMS.
	f.onPage = nil
	firstRun := f.productPages.Load()
	e.build()
	var lastProgress wmssync.Progress
	require.NoError(t, e.engine.RunSetup(bg, "big", func(p wmssync.Progress) {
		if p.Step == wmssync.StepProducts {
			lastProgress = p
		}
	}))
	resumedPages := f.productPages.Load() - firstRun
	assert.Equal(t, int64(pages-(crashAt-1)), resumedPages, "the resumed run reads only the pages not applied")
	assert.Equal(t, int64(products), lastProgress.Done)
	assert.Equal(t, int64(products), lastProgress.Total)

	n, _ := e.wms.CountItems(bg)
	require.Equal(t, products, n)
	for _, it := range e.wms.Items() {
		require.Len(t, it.Listings, 1, "SKU %s", it.SKU)
		require.Equal(t, "P"+it.SKU[len("SKU-"):], it.Listings[0].ProductID)
	}
	states, _ = e.engine.StepStates(bg, "big")
	assert.Equal(t, wmssync.StepDone, states[0].Status)
}
