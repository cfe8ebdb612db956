package connector_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

func listOrders(t *testing.T, c *connector.Connector, q wmssync.OrderQuery) ([]wmssync.Order, int) {
	t.Helper()
	ctx := ctxT(t)
	var all []wmssync.Order
	cursor, pages := "", 0
	for {
		p, err := c.Orders(ctx, q, cursor)
		require.NoError(t, err)
		pages++
		all = append(all, p.Items...)
		if p.Next == "" {
			return all, pages
		}
		cursor = p.Next
	}
}

func TestOrdersUpdatedSince(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 5, Products: 10, Orders: 40, OrderAgeDays: 20, POSShare: 0.25})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{})
	since := time.Now().Add(-10 * 24 * time.Hour)
	got, pages := listOrders(t, c, wmssync.OrderQuery{UpdatedSince: since})
	assert.Greater(t, pages, 1)
	var want []shopifytest.Order
	for _, o := range shop.Orders() {
		if !o.UpdatedAt.Before(since.Truncate(time.Second)) {
			want = append(want, o)
		}
	}
	require.Len(t, got, len(want))
	pos := 0
	for i, o := range got {
		if i > 0 {
			assert.False(t, o.UpdatedAt.Before(got[i-1].UpdatedAt), "ascending by updatedAt")
		}
		_, id, err := shopify.ParseGID(o.ExternalID)
		require.NoError(t, err)
		so, ok := shop.Order(id)
		require.True(t, ok)
		assert.Equal(t, so.SourceName == "pos", o.POS)
		if o.POS {
			pos++
			assert.Equal(t, shopify.GID("Location", so.RetailLocationID), o.LocationID)
		}
		require.Len(t, o.Lines, len(so.LineItems))
		for j, li := range so.LineItems {
			assert.Equal(t, li.SKU, o.Lines[j].SKU)
			assert.Equal(t, int64(li.Quantity-li.RefundedQuantity), o.Lines[j].Quantity)
		}
		wo := o.Order
		wo.Shop = "S" // the engine sets the shop
		assert.NoError(t, wo.Validate())
	}
	assert.Positive(t, pos, "the seed has POS orders")
}

// A listing by creation time far back reads a bulk export and gives the
// same orders as paging.
func TestOrdersCreatedSinceBulk(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	shop.SetScopes(append(shopifytest.DefaultScopes(), "read_all_orders")...)
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 6, Products: 8, Orders: 30, OrderAgeDays: 200})
	require.NoError(t, err)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: shop.Products()[0].VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, shop.CancelOrder(o.ID))

	since := time.Now().Add(-150 * 24 * time.Hour)
	bulkC := newConnector(t, srv, shop, connector.Config{BulkPageSize: 10})
	viaBulk, pages := listOrders(t, bulkC, wmssync.OrderQuery{CreatedSince: since})
	assert.Greater(t, pages, 1)
	assert.NotEmpty(t, shop.BulkOperations())
	pagingC := newConnector(t, srv, shop, connector.Config{BulkOrderDays: -1})
	viaPaging, _ := listOrders(t, pagingC, wmssync.OrderQuery{CreatedSince: since})
	require.NotEmpty(t, viaPaging)
	require.Equal(t, len(viaPaging), len(viaBulk))
	for i := range viaPaging {
		a, b := viaPaging[i], viaBulk[i]
		assert.Equal(t, a.ExternalID, b.ExternalID)
		assert.Equal(t, a.Lines, b.Lines)
		assert.Equal(t, a.Status, b.Status)
		assert.Equal(t, a.POS, b.POS)
		assert.True(t, a.CreatedAt.Equal(b.CreatedAt))
		if i > 0 {
			assert.False(t, b.CreatedAt.Before(viaBulk[i-1].CreatedAt), "ascending by createdAt")
		}
		assert.False(t, a.CreatedAt.Before(since.Truncate(time.Second)))
	}
	assert.Equal(t, wms.OrderCancelled, viaBulk[len(viaBulk)-1].Status)
}
