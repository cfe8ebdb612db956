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
