package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// A product webhook without weights (Shopify's carry none since API
// 2024-07) leaves the weights the warehouse knows as they are, and a
// product bringing a new SKU without a weight is read from the shop first,
// so the new item starts with its weight.
func TestProductWebhooksWithoutWeights(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	t0 := e.clock.Now()
	p1 := product("p1", t0, "KETTLE")
	p1.Variants[0].Weight = wms.Weight{Value: "1.2", Unit: wms.Kilograms}
	f.putProduct(p1)
	e.runStep("dk", "products")
	it, err := e.wms.Item(bg, "KETTLE")
	require.NoError(t, err)
	require.Equal(t, wms.Weight{Value: "1.2", Unit: wms.Kilograms}, it.Weight)

	// products/update without weight: the known weight stays, the title
	// changes, and the shop is not read.
	pages := f.productPages.Load()
	upd := product("p1", t0.Add(time.Minute), "KETTLE")
	upd.Title = "Kettle, renamed"
	f.putProduct(p1) // the shop still has its weight
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &upd})
	e.drain()
	it, err = e.wms.Item(bg, "KETTLE")
	require.NoError(t, err)
	assert.Equal(t, "Kettle, renamed", it.Title)
	assert.Equal(t, wms.Weight{Value: "1.2", Unit: wms.Kilograms}, it.Weight, "a webhook without weight keeps the known one")
	assert.Equal(t, pages, f.productPages.Load(), "no read of the shop for known items")

	// products/create of a new SKU without weight: read from the shop.
	p2 := product("p2", t0.Add(2*time.Minute), "MUG")
	p2.Variants[0].Weight = wms.Weight{Value: "300", Unit: wms.Grams}
	f.putProduct(p2)
	hook := product("p2", t0.Add(2*time.Minute), "MUG") // as the webhook carries it: no weight
	e.deliver(f, webhook.Topic(topicProductsCreate), fakePayload{Product: &hook})
	e.drain()
	it, err = e.wms.Item(bg, "MUG")
	require.NoError(t, err)
	assert.Equal(t, wms.Weight{Value: "300", Unit: wms.Grams}, it.Weight, "the new item got its weight from the shop")
	assert.Equal(t, pages+1, f.productPages.Load(), "one read of the shop")
}

// Shopify's product samples carry variants with "sku": null. Such a
// variant cannot be a warehouse item, so it is left out while the
// product's other variants arrive, and a product without any SKU changes
// nothing; neither parks its event.
func TestVariantsWithoutSKU(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	t0 := e.clock.Now()
	p1 := product("p1", t0, "KETTLE", "")
	f.putProduct(p1)
	e.runStep("dk", "products")
	it, err := e.wms.Item(bg, "KETTLE")
	require.NoError(t, err)
	require.Len(t, it.Listings, 1)

	upd := product("p1", t0.Add(time.Minute), "KETTLE", "")
	upd.Title = "Kettle, renamed"
	f.putProduct(upd)
	e.deliver(f, topicProductsUpdate, fakePayload{Product: &upd})
	p2 := product("p2", t0.Add(2*time.Minute), "", "")
	f.putProduct(p2)
	e.deliver(f, webhook.Topic(topicProductsCreate), fakePayload{Product: &p2})
	e.drain()
	it, err = e.wms.Item(bg, "KETTLE")
	require.NoError(t, err)
	assert.Equal(t, "Kettle, renamed", it.Title)
	assert.Len(t, it.Listings, 1)
	assert.Empty(t, e.store.Failed(), "nothing parked")
	assert.Zero(t, e.store.Stats().Pending)
}
