package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// TestE2E_PaymentPendingNotPicked: an order Shopify shows as payment
// pending (a manual payment not yet received) reaches the warehouse with
// its lines but is not picked, however much stock there is; once the
// merchant marks it paid, the warehouse releases it.
func TestE2E_PaymentPendingNotPicked(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("paypending")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 7, Products: 2, POSShare: -1})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	sku := skuOf(shop, res.VariantIDs[0])
	_, ok := h.item(sku)
	require.True(t, ok)
	require.NoError(t, h.wms.Receive(ctxT(t), whDK, sku, 50)) // ample stock

	h.tick()
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Financial: shopifytest.FinancialPending, Location: dk,
		Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	got, ok := h.order(s.Shop, o.ID)
	require.True(t, ok, "the order reached the warehouse")
	assert.Equal(t, wms.OrderPaymentPending, got.Status)
	assert.Equal(t, wms.StageHeld, got.Stage, "not picked before it is paid")
	require.Len(t, got.Lines, 1)
	assert.Equal(t, sku, got.Lines[0].SKU)
	assert.Equal(t, whDK, got.Warehouse)

	h.tick()
	cl, err := shopify.NewClient(shop.Domain(), shopify.WithBaseURL(h.srv.ShopURL(shop.Name())),
		shopify.WithAccessToken(shop.AccessToken()), shopify.WithHTTPClient(h.srv.HTTPClient()))
	require.NoError(t, err)
	_, err = cl.Payments().MarkAsPaid(ctxT(t), shopify.GID("Order", o.ID))
	require.NoError(t, err)
	h.drain()
	got, _ = h.order(s.Shop, o.ID)
	assert.Equal(t, wms.OrderOpen, got.Status)
	assert.Equal(t, wms.StageReleased, got.Stage, "released once paid")
}
