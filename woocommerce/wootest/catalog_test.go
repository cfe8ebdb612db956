package wootest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

func TestPagingHeadersAndValidation(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	srv.DefaultStore().Seed(SeedOptions{Simple: 230, Variable: 10})
	c := client(t, srv, "shop")
	ctx := context.Background()

	ps, resp, err := c.Products().List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, ps, 10, "WooCommerce's default page is 10")
	assert.Equal(t, int64(240), resp.Total)
	assert.Equal(t, 24, resp.TotalPages)

	ps, _, err = c.Products().List(ctx, &woocommerce.ProductListOptions{ListOptions: woocommerce.ListOptions{Page: 99, PerPage: 100}})
	require.NoError(t, err)
	assert.Empty(t, ps, "a page past the end is empty, not an error")

	_, _, err = c.Products().List(ctx, &woocommerce.ProductListOptions{ListOptions: woocommerce.ListOptions{PerPage: 101}})
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.Equal(t, "rest_invalid_param", apiErr.Code)
	assert.Equal(t, "Invalid parameter(s): per_page", apiErr.Message)
	assert.Equal(t, "per_page must be between 1 (inclusive) and 100 (inclusive)", apiErr.Params["per_page"])

	// All pages through everything, ids ascending with orderby id, no
	// duplicates; variations are not products.
	seen := map[int64]bool{}
	var last int64
	for p, err := range c.Products().All(ctx, &woocommerce.ProductListOptions{Filter: woocommerce.Filter{OrderBy: "id", Order: "asc"}}) {
		require.NoError(t, err)
		assert.False(t, seen[p.ID])
		assert.Greater(t, p.ID, last)
		assert.NotEqual(t, "variation", p.Type)
		seen[p.ID], last = true, p.ID
	}
	assert.Len(t, seen, 240)
	assert.Greater(t, last, int64(1<<53), "ids above 2^53 catch float64 decoding")
}

func TestModifiedAfterIsExclusiveAndHonoursGMT(t *testing.T) {
	t.Parallel()
	cph, err := time.LoadLocation("Europe/Copenhagen")
	require.NoError(t, err)
	var now time.Time
	clock := func() time.Time { return now }
	now = time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	srv := newTestServer(t, WithClock(clock), WithStore("dk", WithTimezone(cph)))
	store := srv.Store("dk")
	a, _, err := store.CreateProduct(ProductSpec{SKU: "A", Stock: 1})
	require.NoError(t, err)
	now = now.Add(time.Second)
	b, _, err := store.CreateProduct(ProductSpec{SKU: "B", Stock: 1})
	require.NoError(t, err)
	c := client(t, srv, "dk")
	ctx := context.Background()

	ids := func(f woocommerce.Filter) []int64 {
		var out []int64
		for p, err := range c.Products().All(ctx, &woocommerce.ProductListOptions{Filter: f}) {
			require.NoError(t, err)
			out = append(out, p.ID)
		}
		return out
	}
	// Exclusive at one-second resolution, compared in UTC (the client
	// sends dates_are_gmt=true).
	assert.Equal(t, []int64{b}, ids(woocommerce.Filter{ModifiedAfter: time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), OrderBy: "modified", Order: "asc"}))
	assert.Equal(t, []int64{a, b}, ids(woocommerce.Filter{ModifiedAfter: time.Date(2026, 6, 1, 9, 59, 59, 0, time.UTC), OrderBy: "modified", Order: "asc"}))

	// Without dates_are_gmt the site-local column is compared: 12:00:00 in
	// Copenhagen (UTC+2) is 10:00:00 UTC.
	req, _ := http.NewRequest("GET", srv.StoreURL("dk")+"/wp-json/wc/v3/products?modified_after=2026-06-01T12:00:00", nil)
	ck, cs := store.Key()
	req.SetBasicAuth(ck, cs)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "1", resp.Header.Get("X-WP-Total"))

	p, _, err := c.Products().Get(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC), p.DateCreatedGMT.Time)
}

func TestVariationsAndSKULookup(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	pid, vids, err := store.CreateProduct(ProductSpec{Name: "Tee", Variations: []VariationSpec{
		{SKU: "TEE-S", Price: "9.00", Stock: 3, Options: map[string]string{"Size": "S"}},
		{SKU: "TEE-M", Price: "9.50", Stock: 4, Options: map[string]string{"Size": "M"}},
	}})
	require.NoError(t, err)
	c := client(t, srv, "shop")
	ctx := context.Background()

	var vs []woocommerce.Variation
	for v, err := range c.Variations().All(ctx, pid, nil) {
		require.NoError(t, err)
		vs = append(vs, v)
	}
	require.Len(t, vs, 2)
	assert.Equal(t, "TEE-S", vs[0].SKU, "menu order")
	assert.Equal(t, woocommerce.Number("3"), *vs[0].StockQuantity)
	assert.Equal(t, []woocommerce.VariationAttribute{{Name: "Size", Option: "S"}}, vs[0].Attributes)
	all, _, err := c.Variations().ListAll(ctx, nil)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, pid, all[0].ParentID)

	// ?sku= returns variations, as product-shaped objects.
	ps, _, err := c.Products().List(ctx, &woocommerce.ProductListOptions{SKU: "TEE-M"})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, "variation", ps[0].Type)
	assert.Equal(t, pid, ps[0].ParentID)
	assert.Equal(t, vids[1], ps[0].ID)

	parent, _, err := c.Products().Get(ctx, pid)
	require.NoError(t, err)
	assert.Equal(t, "variable", parent.Type)
	assert.Equal(t, vids, parent.Variations)
	assert.Equal(t, woocommerce.Decimal(""), parent.Price, "variable parents have no price")
	assert.Nil(t, parent.StockQuantity)

	// Writing a variation through /products is refused.
	_, _, err = c.Products().Update(ctx, vids[0], &woocommerce.ProductRequest{SKU: woocommerce.Ptr("X")})
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, "woocommerce_rest_invalid_product_id", apiErr.Code)

	// Duplicate SKUs are refused across products and variations.
	_, _, err = c.Products().Create(ctx, &woocommerce.ProductRequest{Name: woocommerce.Ptr("Dup"), SKU: woocommerce.Ptr("TEE-S")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "product_invalid_sku", apiErr.Code)
	assert.Equal(t, vids[0], apiErr.ResourceID())

	// Stock updates need manage_stock; GTIN is stored without other characters.
	v, _, err := c.Variations().Update(ctx, pid, vids[0], &woocommerce.VariationRequest{StockQuantity: woocommerce.Ptr(woocommerce.Int(11)), GlobalUniqueID: woocommerce.Ptr("5701 2345 6789 9")})
	require.NoError(t, err)
	assert.Equal(t, woocommerce.Number("11"), *v.StockQuantity)
	assert.Equal(t, "5701234567899", v.GlobalUniqueID)
	st, _ := store.Product(vids[0])
	assert.Equal(t, int64(11), st.Stock)
}

func TestBatchLimitsAndItemErrors(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	store.Seed(SeedOptions{Simple: 3})
	ps := store.Products()
	c := client(t, srv, "shop", woocommerce.WithBatchLimit(500))
	ctx := context.Background()

	big := &woocommerce.Batch[woocommerce.ProductRequest]{}
	for range 101 {
		big.Update = append(big.Update, woocommerce.ProductRequest{ID: ps[0].ID})
	}
	_, _, err := c.Products().Batch(ctx, big)
	assert.ErrorIs(t, err, woocommerce.ErrBatchTooLarge)
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "Unable to accept more than 100 items for this request.", apiErr.Message)

	res, resp, err := c.Products().Batch(ctx, &woocommerce.Batch[woocommerce.ProductRequest]{
		Update: []woocommerce.ProductRequest{
			{ID: ps[0].ID, StockQuantity: woocommerce.Ptr(woocommerce.Int(7))},
			{ID: 42, StockQuantity: woocommerce.Ptr(woocommerce.Int(1))},
			{ID: ps[1].ID, SKU: woocommerce.Ptr(ps[2].SKU)},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	require.Len(t, res.Update, 3)
	assert.Equal(t, woocommerce.Number("7"), *res.Update[0].Value.StockQuantity)
	require.NotNil(t, res.Update[1].Err)
	assert.Equal(t, "woocommerce_rest_product_invalid_id", res.Update[1].Err.Code)
	assert.Equal(t, int64(42), res.Update[1].ID)
	require.NotNil(t, res.Update[2].Err)
	assert.Equal(t, "product_invalid_sku", res.Update[2].Err.Code)
	assert.Error(t, res.Err())
	st, _ := store.Product(ps[0].ID)
	assert.Equal(t, int64(7), st.Stock)
	st, _ = store.Product(ps[1].ID)
	assert.Equal(t, ps[1].SKU, st.SKU, "a failed item changes nothing")

	res, _, err = c.Products().Batch(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, res.Update)
	assert.Equal(t, int64(3), store.Counters().BatchItems, "the refused batch counted nothing")
}
