package connector_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// freshProducts creates n products in shop, the i-th with variants[i]
// variants (1 past the end of variants), stocked at a new location, and
// returns their GIDs in creation (ascending id) order.
func freshProducts(t *testing.T, shop *shopifytest.Shop, n int, variants ...int) []string {
	t.Helper()
	loc := shop.AddLocation(shopifytest.LocationSpec{Name: "Aarhus", CountryCode: "DK"}).ID
	var ids []string
	for i := range n {
		spec := shopifytest.ProductSpec{Title: fmt.Sprintf("Fresh %d", i), Vendor: "Nordlicht"}
		nv := 1
		if i < len(variants) {
			nv = variants[i]
		}
		for j := range nv {
			spec.Variants = append(spec.Variants, shopifytest.VariantSpec{
				Title: fmt.Sprintf("V%d", j), SKU: fmt.Sprintf("FRESH-%d-%d", i, j), Price: "4.50", WeightGrams: 100 + j,
				Stock: map[int64]int{loc: 3 + j%5}})
		}
		p, err := shop.CreateProduct(spec)
		require.NoError(t, err)
		ids = append(ids, shopify.GID("Product", p.ID))
	}
	return ids
}

// A lookup by ids reads the products by id, not through the search index,
// which lags behind writes: products created a moment ago are found, whole
// (all variants, also beyond the first page and beyond one page of the
// rest), with their stock, in ascending id order, 17 per query; unknown,
// malformed, repeated and foreign ids do not disturb it.
func TestProductsByIDFindsFreshProducts(t *testing.T) {
	srv := newServer(t, shopifytest.WithShop("lagging", shopifytest.WithSearchLag(time.Hour)))
	shop := srv.Shop("lagging")
	ids := freshProducts(t, shop, 20, 25, 1, 230, 2)
	c := newConnector(t, srv, shop, connector.Config{})

	listed, _ := listAll(t, c, wmssync.ProductQuery{UpdatedSince: time.Now().Add(-time.Hour)})
	assert.Empty(t, listed, "the search does not find the new products yet (the simulated lag works)")

	ask := slices.Clone(ids)
	slices.Reverse(ask)
	ask = append(ask, "gid://shopify/Product/1", "not-an-id", "gid://shopify/Order/"+strconv.Itoa(7), ids[3])
	before := shop.Counters().Requests
	page, err := c.Products(ctxT(t), wmssync.ProductQuery{IDs: ask}, "")
	require.NoError(t, err)
	var got []string
	for _, p := range page.Items {
		got = append(got, p.ExternalID)
	}
	assert.Equal(t, ids, got, "every product once, in ascending id order")
	checkCatalog(t, shop, page.Items, false)
	assert.Equal(t, int64(len(ids)), page.Total)
	assert.Empty(t, page.Next)
	// 20 ids: two queries of at most 17 products; the rest of the 25
	// variants one query, of the 230 two (10 read with the product, then
	// 200 per query).
	assert.Equal(t, int64(2+1+2), shop.Counters().Requests-before)

	// With stock, as the import asks.
	page, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids, Stock: true}, "")
	require.NoError(t, err)
	checkCatalog(t, shop, page.Items, true)

	// As the engine asks for a webhook's product: one nodes(ids:) query for
	// a small product.
	before = shop.Counters().Requests
	page, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids[1:2]}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, ids[1], page.Items[0].ExternalID)
	assert.Empty(t, page.Items[0].Stock, "no stock unless asked")
	assert.Equal(t, int64(1), shop.Counters().Requests-before)

	// UpdatedSince filters a lookup.
	page, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids, UpdatedSince: time.Now().Add(24 * time.Hour)}, "")
	require.NoError(t, err)
	assert.Empty(t, page.Items)

	// Only unknown or foreign ids: nothing, no error.
	page, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: []string{"gid://shopify/Product/1", "x"}}, "")
	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.Total)

	// A deleted product is left out.
	_, n, err := shopify.ParseGID(ids[0])
	require.NoError(t, err)
	require.NoError(t, shop.DeleteProduct(n))
	page, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids[:2]}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, ids[1], page.Items[0].ExternalID)

	_, err = c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids}, "page:1|x")
	assert.ErrorIs(t, err, wmssync.ErrCursorExpired)
}

// A lookup by ids stays within the cost budget of a listing page (the
// simulator refuses a query above the shop's limit, set here to the
// budget), for more ids than one query reads.
func TestProductsByIDWithinCostBudget(t *testing.T) {
	srv := newServer(t, shopifytest.WithShop("tight", shopifytest.WithMaxQueryCost(800)))
	shop := srv.Shop("tight")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 5, Products: 40, VariantsPerProduct: 3})
	require.NoError(t, err)
	var ids []string
	for _, id := range res.ProductIDs {
		ids = append(ids, shopify.GID("Product", id))
	}
	c := newConnector(t, srv, shop, connector.Config{})
	before := shop.Counters().Requests
	page, err := c.Products(ctxT(t), wmssync.ProductQuery{IDs: ids}, "")
	require.NoError(t, err)
	checkCatalog(t, shop, page.Items, false)
	assert.Equal(t, int64(3), shop.Counters().Requests-before, "40 ids: three queries of at most 17 products")
}

// connectorProducts and connectorProductsByID share the ConnectorProduct
// fragment: both files must carry it word for word, so the listing and the
// lookup read the same fields.
func TestProductFragmentShared(t *testing.T) {
	frag := regexp.MustCompile(`(?s)fragment ConnectorProduct on Product \{.*\n\}`)
	var found []string
	for _, f := range []string{"graphql/connectorProducts.graphql", "graphql/connectorProductsByID.graphql"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m := frag.Find(b)
		require.NotNil(t, m, "%s has the fragment", f)
		found = append(found, string(m))
	}
	assert.Equal(t, found[0], found[1])
}

// S8 while Shopify's search index lags: the products/create webhook of a
// product with more than 100 variants carries only 100 (the change is
// Partial), so the engine reads the product; the read finds it although
// the search does not yet, and the product with all its variants is in the
// WMS once the webhook is handled, without a reconciliation sweep.
func TestE2E_S8_BigProductWebhookWhileSearchLags(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("lagshop", shopifytest.WithSearchLag(time.Hour))
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 82, Products: 3})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepProducts)
	h.tick()

	big := shopifytest.ProductSpec{Title: "Washer assortment", Vendor: "Alpenwerk"}
	for i := range 130 {
		big.Variants = append(big.Variants, shopifytest.VariantSpec{Title: fmt.Sprintf("D%d", i), SKU: fmt.Sprintf("WASHER-%03d", i), Price: "0.10"})
	}
	bp, err := shop.CreateProduct(big)
	require.NoError(t, err)
	gid := shopify.GID("Product", bp.ID)
	h.drain()

	c := newConnector(t, h.srv, shop, connector.Config{})
	listed, _ := listAll(t, c, wmssync.ProductQuery{UpdatedSince: time.Now().Add(-time.Hour)})
	for _, p := range listed {
		assert.NotEqual(t, gid, p.ExternalID, "the search does not find the new product yet (the simulated lag works)")
	}
	for i := range 130 {
		it, ok := h.item(fmt.Sprintf("WASHER-%03d", i))
		require.True(t, ok, "variant %d of 130 in the WMS after the webhook", i)
		assert.Equal(t, "Washer assortment", it.Title)
		require.Len(t, it.Listings, 1)
		assert.Equal(t, gid, it.Listings[0].ProductID)
		assert.Equal(t, shopify.GID("ProductVariant", bp.VariantIDs[i]), it.Listings[0].VariantID)
	}
	assert.Empty(t, h.store.Failed())
}
