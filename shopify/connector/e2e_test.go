package connector_test

import (
	"context"
	"fmt"
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

// S7: import products with progress: every variant with SKU, barcode,
// title, vendor, weight, price, inventory item id and per-location stock,
// by paging and by bulk export, and idempotent when run twice.
func TestE2E_S7_ImportProducts(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			cfg := connector.Config{BulkThreshold: -1}
			if bulk {
				cfg = connector.Config{BulkThreshold: 20, BulkPageSize: 15}
			}
			h := newHarness(t, harnessOptions{conn: cfg})
			shop, dk, de := h.addShop("s7shop")
			_, err := shop.Seed(shopifytest.SeedOptions{Seed: 71, Products: 40, VariantsPerProduct: 3})
			require.NoError(t, err)
			s := h.save(settingsFor(shop, dk, de))
			events := h.runSteps(s.Shop, wmssync.StepProducts)

			require.NotEmpty(t, events)
			last := events[len(events)-1]
			assert.True(t, last.Finished)
			assert.Equal(t, wmssync.StepDone, last.Status)
			assert.Equal(t, int64(40), last.Done)
			assert.Equal(t, int64(40), last.Total)
			assert.Greater(t, len(events), 2, "progress after every page")
			for i := 1; i < len(events); i++ {
				assert.GreaterOrEqual(t, events[i].Done, events[i-1].Done)
			}
			assert.Equal(t, bulk, len(shop.BulkOperations()) > 0)

			check := func() {
				var n int
				for _, p := range shop.Products() {
					for _, vid := range p.VariantIDs {
						v, _ := shop.Variant(vid)
						it, _ := shop.InventoryItem(v.InventoryItemID)
						item, ok := h.item(it.SKU)
						require.True(t, ok, "item %s", it.SKU)
						n++
						assert.Equal(t, p.Title, item.Title)
						assert.Equal(t, v.Title, item.VariantTitle)
						assert.Equal(t, v.Barcode, item.Barcode)
						assert.Equal(t, p.Vendor, item.Brand)
						assert.Zero(t, item.Price.Cmp(wms.Decimal(v.Price.String())))
						if it.WeightValue != "" {
							assert.Zero(t, item.Weight.Value.Cmp(wms.Decimal(it.WeightValue.String())), it.SKU)
						}
						require.Len(t, item.Listings, 1)
						assert.Equal(t, wms.Listing{Shop: s.Shop, ProductID: shopify.GID("Product", p.ID),
							VariantID: shopify.GID("ProductVariant", vid), InventoryItemID: shopify.GID("InventoryItem", it.ID)}, item.Listings[0])
						for loc, wh := range map[int64]string{dk: whDK, de: whDE} {
							assert.Equal(t, int64(shop.Quantity(it.ID, loc, "on_hand")), h.wms.Level(it.SKU, wh).OnHand, "%s at %s", it.SKU, wh)
						}
					}
				}
				assert.Equal(t, 120, n)
				assert.Len(t, h.wms.Items(), 120)
			}
			check()
			// Idempotent: running the step again changes nothing.
			require.NoError(t, h.eng.RunStep(ctxT(t), s.Shop, wmssync.StepProducts, nil))
			check()
		})
	}
}

// S8: the products step registers product webhooks (once), and later
// product changes arrive through real webhook deliveries: create, update,
// delete, and a product of more than 100 variants, fetched whole.
func TestE2E_S8_ProductWebhooks(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s8shop")
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 81, Products: 5})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepProducts)
	require.NoError(t, h.eng.RunStep(ctxT(t), s.Shop, wmssync.StepProducts, nil)) // again: no duplicates

	topics := map[string]int{}
	for _, w := range shop.WebhookSubscriptions() {
		assert.Equal(t, h.addr, w.URI)
		topics[w.Topic]++
	}
	assert.Equal(t, map[string]int{"APP_UNINSTALLED": 1, "APP_SCOPES_UPDATE": 1, "PRODUCTS_CREATE": 1, "PRODUCTS_UPDATE": 1, "PRODUCTS_DELETE": 1}, topics)

	h.tick()
	// Create.
	np, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Wool Socks", Vendor: "Kiezwerk", Variants: []shopifytest.VariantSpec{
		{Title: "39-42", SKU: "SOCK-1", Barcode: "5700000000017", Price: "9.95", WeightGrams: 80},
		{Title: "43-46", SKU: "SOCK-2", Barcode: "5700000000024", Price: "9.95", WeightGrams: 90}}})
	require.NoError(t, err)
	// Update: a new title and a new barcode.
	first := shop.Products()[0]
	title := "Renamed by the merchant"
	_, err = shop.EditProduct(first.ID, shopifytest.ProductEdit{Title: &title})
	require.NoError(t, err)
	ean := "5799999999994"
	_, err = shop.EditVariant(first.VariantIDs[0], shopifytest.VariantEdit{Barcode: &ean})
	require.NoError(t, err)
	// A product with 120 variants: the payload carries 100.
	big := shopifytest.ProductSpec{Title: "Bolt assortment", Vendor: "Alpenwerk"}
	for i := range 120 {
		big.Variants = append(big.Variants, shopifytest.VariantSpec{Title: fmt.Sprintf("M%d", i), SKU: fmt.Sprintf("BOLT-%03d", i), Price: "0.20"})
	}
	bp, err := shop.CreateProduct(big)
	require.NoError(t, err)
	h.drain()

	it, ok := h.item("SOCK-2")
	require.True(t, ok, "created product arrived")
	assert.Equal(t, "Wool Socks", it.Title)
	assert.Equal(t, "Kiezwerk", it.Brand)
	assert.Equal(t, "5700000000024", it.Barcode)
	it, _ = h.item(skuOf(shop, first.VariantIDs[0]))
	assert.Equal(t, title, it.Title)
	assert.Equal(t, ean, it.Barcode)
	for i := range 120 {
		_, ok := h.item(fmt.Sprintf("BOLT-%03d", i))
		require.True(t, ok, "variant %d of 120", i)
	}

	// Delete.
	h.tick()
	require.NoError(t, shop.DeleteProduct(np.ID))
	h.drain()
	it, ok = h.item("SOCK-1")
	if ok {
		assert.Empty(t, it.Listings, "the deleted product no longer lists the SKU")
	}
	_ = bp
}

// S10: the orders step registers the order webhooks; new orders arrive in
// the WMS through webhook deliveries, cancellations and deletions follow.
func TestE2E_S10_ReceiveOrders(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s10shop")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 101, Products: 6, Orders: 3, POSShare: -1})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)

	topics := map[string]int{}
	for _, w := range shop.WebhookSubscriptions() {
		topics[w.Topic]++
	}
	for _, tp := range []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE"} {
		assert.Equal(t, 1, topics[tp], tp)
	}
	for _, id := range res.OrderIDs {
		_, ok := h.order(s.Shop, id)
		assert.False(t, ok, "orders from before the step are not imported")
	}

	// Shopify delivers at least once: duplicates must not duplicate orders.
	h.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDuplicate, Topic: "orders/create", Rate: 0.5})
	var ids []int64
	for i := range 8 {
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Email: fmt.Sprintf("c%d@example.com", i), Lines: []shopifytest.OrderLineSpec{
			{VariantID: res.VariantIDs[i%len(res.VariantIDs)], Quantity: 1 + i%3}}})
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	h.drain()
	for _, id := range ids {
		so, _ := shop.Order(id)
		o, ok := h.order(s.Shop, id)
		require.True(t, ok, "order %d arrived", id)
		assert.Equal(t, so.Name, o.Name)
		assert.Equal(t, wms.OrderOpen, o.Status)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, so.LineItems[0].SKU, o.Lines[0].SKU)
		assert.Equal(t, int64(so.LineItems[0].Quantity), o.Lines[0].Quantity)
	}
	assert.Len(t, h.wms.Orders(), 8)
	assert.Positive(t, shop.WebhookStats().Duplicated, "duplicates were delivered")

	h.tick()
	require.NoError(t, shop.CancelOrder(ids[0]))
	require.NoError(t, shop.DeleteOrder(ids[1]))
	h.drain()
	o, _ := h.order(s.Shop, ids[0])
	assert.Equal(t, wms.OrderCancelled, o.Status)
	o, _ = h.order(s.Shop, ids[1])
	assert.Equal(t, wms.OrderDeleted, o.Status)
}

// Missed webhooks: the simulator drops 10% of the order webhooks; one
// reconciliation sweep brings every order into the WMS, exactly once.
func TestE2E_MissedOrderWebhooks(t *testing.T) {
	h := newHarness(t, harnessOptions{srv: []shopifytest.Option{shopifytest.WithSeed(4242)}})
	shop, dk, de := h.addShop("missed")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 5, Products: 10})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	h.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Topic: "orders/create", Rate: 0.10})

	const n = 100
	var ids []int64
	for i := range n {
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[i%len(res.VariantIDs)], Quantity: 1}}})
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	h.drain()
	dropped := shop.WebhookStats().Dropped
	require.Positive(t, dropped, "the fault dropped deliveries")
	missing := 0
	for _, id := range ids {
		if _, ok := h.order(s.Shop, id); !ok {
			missing++
		}
	}
	assert.Equal(t, int(dropped), missing, "each dropped delivery is a missing order")

	sweep, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Equal(t, missing, sweep.OrdersApplied)
	h.drain()
	counts := map[string]int{}
	for _, o := range h.wms.Orders() {
		counts[o.ExternalID]++
	}
	require.Len(t, counts, n)
	for _, id := range ids {
		assert.Equal(t, 1, counts[shopify.GID("Order", id)], "order %d exactly once", id)
	}
	// A second sweep finds nothing new.
	sweep, err = h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Zero(t, sweep.OrdersApplied)
	assert.Len(t, h.wms.Orders(), n)
	_ = time.Second
	_ = context.Background()
}
