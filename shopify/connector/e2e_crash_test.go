package connector_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// The crash test of issue 6 (S7): an import of 30,000 products (3,000 with
// -short or -race), read through a bulk export, is interrupted at a random page (the
// context is cancelled), the engine is rebuilt from the same store (new
// connectors, nothing kept in memory) and resumes: every shop product ends
// up exactly once in the WMS, and the finished export is reused.
func TestE2E_S7_CrashResume(t *testing.T) {
	n := 30000
	if testing.Short() || raceEnabled {
		n = 3000
	}
	h := newHarness(t, harnessOptions{conn: connector.Config{BulkThreshold: 1000, BulkPageSize: 500}})
	shop, dk, de := h.addShop("crash")
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 30, Products: n, VariantsPerProduct: 1})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))

	pages := n / 500
	stopAfter := 1 + rand.IntN(pages-2) // never the first nor the last page
	ctx, cancel := context.WithCancel(ctxT(t))
	seen := 0
	err = h.eng.RunStep(ctx, s.Shop, wmssync.StepProducts, func(p wmssync.Progress) {
		if p.Phase == "import" && p.Done > 0 && !p.Finished {
			seen++
			if seen == stopAfter {
				cancel()
			}
		}
	})
	cancel()
	require.True(t, errors.Is(err, context.Canceled), "interrupted: %v", err)
	states, err := h.eng.StepStates(ctxT(t), s.Shop)
	require.NoError(t, err)
	interrupted := states[0]
	require.NotEqual(t, wmssync.StepDone, interrupted.Status)
	require.NotEmpty(t, interrupted.Checkpoint)
	require.Less(t, len(h.wms.Items()), n, "stopped part-way")
	t.Logf("interrupted after %d of %d pages, %d items in the WMS", stopAfter, pages, len(h.wms.Items()))

	e2 := h.restartedEngine()
	var first *wmssync.Progress
	require.NoError(t, e2.RunStep(ctxT(t), s.Shop, wmssync.StepProducts, func(p wmssync.Progress) {
		if first == nil && p.Phase == "import" {
			first = &p
		}
	}))
	require.NotNil(t, first)
	assert.Positive(t, first.Done, "resumed, not started over")
	states, err = e2.StepStates(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Equal(t, wmssync.StepDone, states[0].Status)
	assert.Equal(t, int64(n), states[0].Done)

	items := h.wms.Items()
	require.Len(t, items, n)
	perProduct := map[string]int{}
	for _, it := range items {
		require.Len(t, it.Listings, 1, it.SKU)
		perProduct[it.Listings[0].ProductID]++
	}
	require.Len(t, perProduct, n)
	for _, p := range shop.Products() {
		assert.Equal(t, 1, perProduct[shopify.GID("Product", p.ID)], "product %d exactly once", p.ID)
	}
	assert.Len(t, shop.BulkOperations(), 2, "the resumed import reused the products and stock exports")
}
