package connector_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// listAll pages through Products from the start.
func listAll(t *testing.T, c *connector.Connector, q wmssync.ProductQuery) ([]wmssync.Product, []wmssync.Page[wmssync.Product]) {
	t.Helper()
	ctx := ctxT(t)
	var all []wmssync.Product
	var pages []wmssync.Page[wmssync.Product]
	cursor := ""
	for i := 0; ; i++ {
		require.Less(t, i, 10000, "listing does not end")
		p, err := c.Products(ctx, q, cursor)
		require.NoError(t, err)
		all = append(all, p.Items...)
		pages = append(pages, p)
		if p.Next == "" {
			return all, pages
		}
		cursor = p.Next
	}
}

// checkCatalog compares listed products with the simulator's catalogue.
func checkCatalog(t *testing.T, shop *shopifytest.Shop, got []wmssync.Product, withStock bool) {
	t.Helper()
	want := shop.Products()
	require.Len(t, got, len(want))
	byID := map[string]wmssync.Product{}
	for _, p := range got {
		_, dup := byID[p.ExternalID]
		require.False(t, dup, "product %s listed twice", p.ExternalID)
		byID[p.ExternalID] = p
	}
	for _, sp := range want {
		p, ok := byID[shopify.GID("Product", sp.ID)]
		require.True(t, ok, "product %d missing", sp.ID)
		assert.Equal(t, sp.Title, p.Title)
		assert.Equal(t, sp.Vendor, p.Vendor)
		assert.True(t, sp.UpdatedAt.Equal(p.UpdatedAt), "updatedAt %v vs %v", sp.UpdatedAt, p.UpdatedAt)
		require.Len(t, p.Variants, len(sp.VariantIDs))
		for i, vid := range sp.VariantIDs {
			sv, _ := shop.Variant(vid)
			item, _ := shop.InventoryItem(sv.InventoryItemID)
			v := p.Variants[i]
			assert.Equal(t, shopify.GID("ProductVariant", vid), v.ExternalID)
			assert.Equal(t, item.SKU, v.SKU)
			assert.Equal(t, sv.Barcode, v.Barcode)
			assert.Equal(t, shopify.GID("InventoryItem", item.ID), v.InventoryItemID)
			assert.Zero(t, sv.Price.Cmp(shopify.Decimal(v.Price)), "price %s vs %s", sv.Price, v.Price)
			if item.WeightValue != "" {
				assert.Zero(t, item.WeightValue.Cmp(shopify.Decimal(v.Weight.Value)), "weight %s vs %s", item.WeightValue, v.Weight.Value)
			}
			if withStock {
				levels := shop.InventoryLevels(item.ID)
				var n int
				for _, s := range p.Stock {
					if s.SKU != item.SKU {
						continue
					}
					n++
					_, lid, err := shopify.ParseGID(s.LocationID)
					require.NoError(t, err)
					assert.Equal(t, int64(shop.Quantity(item.ID, lid, "on_hand")), s.OnHand, "stock of %s at %d", item.SKU, lid)
				}
				assert.Equal(t, len(levels), n, "levels of %s", item.SKU)
			}
		}
	}
}

func TestProductsPaging(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 7, Products: 45, VariantsPerProduct: 3})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 1000})
	got, pages := listAll(t, c, wmssync.ProductQuery{Stock: true})
	require.Greater(t, len(pages), 1, "45 products should take several pages")
	for _, p := range pages {
		assert.Equal(t, int64(45), p.Total)
		if p.Next != "" {
			assert.Regexp(t, `^page:`, p.Next)
		}
	}
	checkCatalog(t, shop, got, true)
	assert.Empty(t, shop.BulkOperations(), "below the threshold no bulk operation runs")
}

func TestProductsBulk(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 8, Products: 60, VariantsPerProduct: 2})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 50, BulkPageSize: 25})
	got, pages := listAll(t, c, wmssync.ProductQuery{Stock: true})
	require.Len(t, pages, 3)
	assert.Regexp(t, `^bulk:`, pages[0].Next)
	checkCatalog(t, shop, got, true)
	assert.Len(t, shop.BulkOperations(), 2, "one products export and one stock export")
}

func TestProductsBulkResumesInNewConnector(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 9, Products: 30, VariantsPerProduct: 2})
	require.NoError(t, err)
	cfg := connector.Config{BulkThreshold: 10, BulkPageSize: 7}
	c1 := newConnector(t, srv, shop, cfg)
	ctx := ctxT(t)
	p1, err := c1.Products(ctx, wmssync.ProductQuery{}, "")
	require.NoError(t, err)
	p2, err := c1.Products(ctx, wmssync.ProductQuery{}, p1.Next)
	require.NoError(t, err)
	// The same cursor again (the engine retries a page it failed to apply).
	again, err := c1.Products(ctx, wmssync.ProductQuery{}, p1.Next)
	require.NoError(t, err)
	assert.Equal(t, p2.Items, again.Items)

	// A new process resumes from the cursor alone.
	c2 := newConnector(t, srv, shop, cfg)
	got := append(append([]wmssync.Product{}, p1.Items...), p2.Items...)
	cursor := p2.Next
	for cursor != "" {
		p, err := c2.Products(ctx, wmssync.ProductQuery{}, cursor)
		require.NoError(t, err)
		got = append(got, p.Items...)
		cursor = p.Next
	}
	checkCatalog(t, shop, got, false)
	assert.Len(t, shop.BulkOperations(), 1, "resuming reuses the finished export")

	_, err = c2.Products(ctx, wmssync.ProductQuery{}, "bulk:gid://shopify/BulkOperation/1|-|7|30")
	assert.ErrorIs(t, err, wmssync.ErrCursorExpired)
	_, err = c2.Products(ctx, wmssync.ProductQuery{}, "garbage")
	assert.ErrorIs(t, err, wmssync.ErrCursorExpired)
}

// Concurrent calls with the same bulk cursor return the same page.
func TestProductsBulkConcurrentSameCursor(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 10, Products: 40, VariantsPerProduct: 1})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 10, BulkPageSize: 10})
	ctx := ctxT(t)
	first, err := c.Products(ctx, wmssync.ProductQuery{}, "")
	require.NoError(t, err)
	pages := make([]wmssync.Page[wmssync.Product], 6)
	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range pages {
		wg.Go(func() { pages[i], errs[i] = c.Products(ctx, wmssync.ProductQuery{}, first.Next) })
	}
	wg.Wait()
	for i := range pages {
		require.NoError(t, errs[i])
		assert.Equal(t, pages[0].Items, pages[i].Items)
		assert.Equal(t, pages[0].Next, pages[i].Next)
	}
	require.Len(t, pages[0].Items, 10)
	assert.NotEqual(t, first.Items[0].ExternalID, pages[0].Items[0].ExternalID)
}

// A connector dropped without Close releases its open exports when it is
// garbage collected; Close releases them at once and leaves it usable.
func TestProductsBulkCloseReopens(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 12, Products: 30, VariantsPerProduct: 1})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 10, BulkPageSize: 10})
	ctx := ctxT(t)
	p1, err := c.Products(ctx, wmssync.ProductQuery{}, "")
	require.NoError(t, err)
	require.NoError(t, c.Close())
	p2, err := c.Products(ctx, wmssync.ProductQuery{}, p1.Next)
	require.NoError(t, err)
	require.Len(t, p2.Items, 10)
	assert.NotEqual(t, p1.Items[0].ExternalID, p2.Items[0].ExternalID)
	assert.Len(t, shop.BulkOperations(), 1)
}
