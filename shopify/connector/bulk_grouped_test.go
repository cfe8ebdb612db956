package connector_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// The connector runs its exports with GroupObjects, so that they are read
// in memory that does not grow with the shop (GroupAdjacentBulkRows, and
// the stock on disk), and its cursors say so.
func TestProductsBulkExportsAreGrouped(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 21, Products: 40, VariantsPerProduct: 3})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 10, BulkPageSize: 15})
	got, pages := listAll(t, c, wmssync.ProductQuery{Stock: true})
	checkCatalog(t, shop, got, true)
	assert.True(t, strings.HasSuffix(pages[0].Next, "|g"), "cursor %q does not say grouped", pages[0].Next)
	ops := shop.BulkOperations()
	require.Len(t, ops, 2)
	for _, op := range ops {
		assert.True(t, op.GroupObjects, "export %d (%s) ran without GroupObjects", op.ID, op.Query)
	}
}

// A cursor that claims a grouped export whose file is not grouped (Shopify
// not keeping its promise, or a cursor of an export run without grouping)
// still lists every product once, read again with GroupBulkRows; and a
// cursor of the earlier four-part form reads the export ungrouped.
func TestProductsBulkNotGroupedAfterAll(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 22, Products: 30, VariantsPerProduct: 3})
	require.NoError(t, err)
	ctx := ctxT(t)
	client := newClient(t, srv, shop)
	q, err := shopify.InlineBulkQuery(connector.BulkProductsQueryForTest, nil)
	require.NoError(t, err)
	op, err := client.BulkOperations().Run(ctx, q, &shopify.BulkQueryOptions{Wait: fastBulk}) // not grouped
	require.NoError(t, err)
	for _, form := range []string{"bulk:%s|-|0|30|g", "bulk:%s|-|0|30"} {
		t.Run(form, func(t *testing.T) {
			c := newConnector(t, srv, shop, connector.Config{BulkThreshold: 10, BulkPageSize: 8})
			var all []wmssync.Product
			cursor := fmt.Sprintf(form, op.ID)
			for cursor != "" {
				p, err := c.Products(ctx, wmssync.ProductQuery{}, cursor)
				require.NoError(t, err)
				all = append(all, p.Items...)
				cursor = p.Next
			}
			checkCatalog(t, shop, all, false)
		})
	}
}

// Without a threshold, a full listing reads a bulk export when that is
// expected to be faster than paging on the shop's plan: a catalogue that
// needs more points than the Basic plan's bucket holds goes bulk, the same
// catalogue on Plus (ten times the bucket and the rate) and a small one on
// Basic page.
func TestProductsChooseBulkByEstimatedTime(t *testing.T) {
	for _, c := range []struct {
		name     string
		plan     shopifytest.Plan
		products int
		stock    bool
		bulk     bool
	}{
		{"200 products with stock on Basic", shopifytest.PlanStandard, 200, true, true},
		{"200 products with stock on Plus", shopifytest.PlanPlus, 200, true, false},
		{"20 products with stock on Basic", shopifytest.PlanStandard, 20, true, false},
		{"400 products without stock on Basic", shopifytest.PlanStandard, 400, false, true},
		{"60 products without stock on Basic", shopifytest.PlanStandard, 60, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := newServer(t, shopifytest.WithShop("plan", shopifytest.WithPlan(c.plan)))
			shop := srv.Shop("plan")
			_, err := shop.Seed(shopifytest.SeedOptions{Seed: 23, Products: c.products, VariantsPerProduct: 3})
			require.NoError(t, err)
			// The simulator runs 20 times faster than real time (newServer):
			// so does the assumed bulk export.
			conn := newConnector(t, srv, shop, connector.Config{BulkStartup: connector.DefaultBulkStartup / 20,
				BulkRowsPerSecond: connector.DefaultBulkRowsPerSecond * 20})
			got, _ := listAll(t, conn, wmssync.ProductQuery{Stock: c.stock})
			checkCatalog(t, shop, got, c.stock)
			assert.Equal(t, c.bulk, len(shop.BulkOperations()) > 0, "bulk operations: %d", len(shop.BulkOperations()))
		})
	}
}
