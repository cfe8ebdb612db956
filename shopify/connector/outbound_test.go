package connector_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// outboundShop is a shop with two locations and one product of two
// variants, stocked at the first location.
func outboundShop(t *testing.T) (*shopifytest.Server, *shopifytest.Shop, *connector.Connector, shopifytest.Product, int64, int64) {
	t.Helper()
	srv := newServer(t)
	shop := srv.DefaultShop()
	l1 := shop.AddLocation(shopifytest.LocationSpec{Name: "Warehouse"}).ID
	l2 := shop.AddLocation(shopifytest.LocationSpec{Name: "Store"}).ID
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Tee", Variants: []shopifytest.VariantSpec{
		{Title: "S", SKU: "TEE-S", Price: "20.00", Stock: map[int64]int{l1: 10, l2: 1}},
		{Title: "M", SKU: "TEE-M", Price: "20.00", Stock: map[int64]int{l1: 10}},
	}})
	require.NoError(t, err)
	return srv, shop, newConnector(t, srv, shop, connector.Config{}), p, l1, l2
}

func send(t *testing.T, c *connector.Connector, m *wmssync.Outgoing) {
	t.Helper()
	ctx := context.Background()
	plan, err := c.Prepare(ctx, m)
	require.NoError(t, err)
	m.Plan = plan
	require.NoError(t, c.Send(ctx, m))
	// A retry (the engine could not record the first success) changes
	// nothing more.
	m.Retry = true
	require.NoError(t, c.Send(ctx, m))
}

func listing(shop *shopifytest.Shop, p shopifytest.Product, i int) wms.Listing {
	v, _ := shop.Variant(p.VariantIDs[i])
	return wms.Listing{ProductID: shopify.GID("Product", p.ID), VariantID: shopify.GID("ProductVariant", v.ID), InventoryItemID: shopify.GID("InventoryItem", v.InventoryItemID)}
}

func TestOutboundStockBarcodeCost(t *testing.T) {
	_, shop, c, p, l1, l2 := outboundShop(t)
	s0, m0 := listing(shop, p, 0), listing(shop, p, 1)
	item0, _ := shopify.LegacyID(s0.InventoryItemID, "InventoryItem")

	send(t, c, &wmssync.Outgoing{Kind: wms.KindStockChanged, Key: "stock-1", Stock: []wmssync.StockTarget{
		{SKU: "TEE-S", InventoryItemID: s0.InventoryItemID, LocationID: shopify.GID("Location", l1), Available: 7},
		{SKU: "TEE-S", InventoryItemID: s0.InventoryItemID, LocationID: shopify.GID("Location", l2), Available: 0},
	}})
	assert.Equal(t, 7, shop.Quantity(item0, l1, "available"))
	assert.Equal(t, 0, shop.Quantity(item0, l2, "available"))

	send(t, c, &wmssync.Outgoing{Kind: wms.KindBarcodeChanged, Key: "ean-1",
		Event: wms.BarcodeChanged{SKU: "TEE-M", Barcode: "5712345678906"}, Listings: []wms.Listing{m0}})
	v, _ := shop.Variant(p.VariantIDs[1])
	assert.Equal(t, "5712345678906", v.Barcode)
	// The same barcode again writes nothing (no webhook echoes back).
	updates := len(shop.Events(0))
	require.NoError(t, c.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindBarcodeChanged, Key: "ean-2",
		Event: wms.BarcodeChanged{SKU: "TEE-M", Barcode: "5712345678906"}, Listings: []wms.Listing{m0}}))
	assert.Len(t, shop.Events(0), updates, "not written again: no change event")

	send(t, c, &wmssync.Outgoing{Kind: wms.KindPurchaseOrderClosed, Key: "po-1",
		Event:    wms.PurchaseOrderClosed{Costs: []wms.ItemCost{{SKU: "TEE-S", Cost: "6.40"}, {SKU: "TEE-M", Cost: "7.10"}}},
		Listings: []wms.Listing{s0, m0}})
	it, _ := shop.InventoryItem(item0)
	assert.Zero(t, it.UnitCost.Cmp("6.40"), it.UnitCost)
	v, _ = shop.Variant(p.VariantIDs[1])
	it, _ = shop.InventoryItem(v.InventoryItemID)
	assert.Zero(t, it.UnitCost.Cmp("7.10"), it.UnitCost)

	// A message the shop refuses for good is rejected (dead-lettered).
	err := c.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindStockChanged, Key: "stock-bad", Stock: []wmssync.StockTarget{
		{InventoryItemID: s0.InventoryItemID, LocationID: "gid://shopify/Location/1", Available: 1}}})
	assert.ErrorIs(t, err, wmssync.ErrRejected)
}

func TestOutboundCaptureAndPacked(t *testing.T) {
	_, shop, c, p, l1, _ := outboundShop(t)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Financial: shopifytest.FinancialAuthorized, Location: l1, Lines: []shopifytest.OrderLineSpec{
		{VariantID: p.VariantIDs[0], Quantity: 2}, {VariantID: p.VariantIDs[1], Quantity: 1}}})
	require.NoError(t, err)
	key := wms.OrderKey{Shop: "S", ExternalID: shopify.GID("Order", o.ID)}

	// Pack the first line only, with tracking.
	send(t, c, &wmssync.Outgoing{Kind: wms.KindOrderPacked, Key: "pack-1", Locations: []string{shopify.GID("Location", l1)},
		Event: wms.OrderPacked{Order: key, Lines: []wms.PackedLine{{LineID: shopify.GID("LineItem", o.LineItems[0].ID), SKU: "TEE-S", Quantity: 2}},
			Tracking: &wms.Tracking{Company: "GLS", Number: "GLS123"}}})
	so, _ := shop.Order(o.ID)
	require.Len(t, so.FulfillmentIDs, 1, "fulfilled once, the retry added nothing")
	f, _ := shop.Fulfillment(so.FulfillmentIDs[0])
	require.Len(t, f.LineItems, 1)
	assert.Equal(t, 2, f.LineItems[0].Quantity)
	require.NotEmpty(t, f.Tracking)
	assert.Equal(t, "GLS123", f.Tracking[0].Number)
	// Then the rest.
	send(t, c, &wmssync.Outgoing{Kind: wms.KindOrderPacked, Key: "pack-2",
		Event: wms.OrderPacked{Order: key, Lines: []wms.PackedLine{{LineID: shopify.GID("LineItem", o.LineItems[1].ID), SKU: "TEE-M", Quantity: 1}}}})
	so, _ = shop.Order(o.ID)
	assert.Len(t, so.FulfillmentIDs, 2)
	assert.Equal(t, "FULFILLED", shop.OrderFulfillmentStatus(o.ID))

	// Capture part of the payment, then the rest.
	send(t, c, &wmssync.Outgoing{Kind: wms.KindPaymentCaptured, Key: "cap-1", Event: wms.PaymentCaptured{Order: key, Amount: "25.00"}})
	send(t, c, &wmssync.Outgoing{Kind: wms.KindPaymentCaptured, Key: "cap-2", Event: wms.PaymentCaptured{Order: key, Amount: "35.00"}})
	so, _ = shop.Order(o.ID)
	var captured []shopify.Decimal
	for _, tx := range so.Transactions {
		if tx.Kind == "CAPTURE" {
			captured = append(captured, tx.Amount)
		}
	}
	require.Len(t, captured, 2, "one capture per message, none by the retries")
	assert.Zero(t, captured[0].Cmp("25.00"))
	assert.Zero(t, captured[1].Cmp("35.00"))
}

func TestOutboundRefund(t *testing.T) {
	_, shop, c, p, l1, _ := outboundShop(t)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: l1, Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 2}}})
	require.NoError(t, err)
	line := shopify.GID("LineItem", o.LineItems[0].ID)
	send(t, c, &wmssync.Outgoing{Kind: wms.KindRefundCreated, Key: "refund-R1", Locations: []string{shopify.GID("Location", l1)},
		Event: wms.RefundCreated{Refund: wms.Refund{ID: "R1", Order: wms.OrderKey{Shop: "S", ExternalID: shopify.GID("Order", o.ID)},
			Lines: []wms.RefundLine{{LineID: line, SKU: "TEE-S", Quantity: 1, Restock: true, Amount: "20.00"}}, Amount: "20.00"}}})
	so, _ := shop.Order(o.ID)
	require.Len(t, so.RefundIDs, 1, "one refund; the retry reused the idempotency key")
	r, _ := shop.Refund(so.RefundIDs[0])
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, 1, r.LineItems[0].Quantity)
	assert.True(t, r.LineItems[0].Restocked)
	var refunded shopify.Decimal = "0"
	for _, tx := range so.Transactions {
		if tx.Kind == "REFUND" {
			refunded = refunded.Add(tx.Amount)
		}
	}
	assert.Zero(t, refunded.Cmp("20.00"))

	err = c.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindRefundCreated, Key: "refund-R2",
		Event: wms.RefundCreated{Refund: wms.Refund{ID: "R2", Order: wms.OrderKey{Shop: "S", ExternalID: shopify.GID("Order", o.ID)}, Amount: "500.00"}}})
	assert.ErrorIs(t, err, wmssync.ErrRejected, "more than was paid")
}
