package connector_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Shopify removed weight, weight_unit and grams from product payloads in
// API 2024-07. A products/update shaped exactly like Shopify's 2026-07
// sample (testdata/products_update.2026-07.meta.json, Shopify's own file:
// only the product and variant ids, SKUs and updated_at are ours; the
// inventory item ids stay null as in the sample) for items whose weights
// the WMS knows must leave those weights, and the listings' inventory
// items, as they are, while the rest of the update (title, prices) arrives.
func TestE2E_ProductUpdateLikeShopifySampleKeepsWeights(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("weightshop")
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Rain jacket", Vendor: "Acme", Variants: []shopifytest.VariantSpec{
		{Title: "S", SKU: "RJ-S", Barcode: "5701234000011", Price: "49.95", WeightGrams: 450, Stock: map[int64]int{dk: 3}},
		{Title: "M", SKU: "RJ-M", Barcode: "5701234000028", Price: "49.95", WeightGrams: 480, Stock: map[int64]int{dk: 1}}}})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepProducts)
	h.drain()
	for sku, grams := range map[string]wms.Decimal{"RJ-S": "450", "RJ-M": "480"} {
		it, ok := h.item(sku)
		require.True(t, ok, sku)
		require.True(t, it.Weight.Value.Equal(grams) && it.Weight.Unit == wms.Grams, "%s imported with %+v", sku, it.Weight)
	}

	raw, err := os.ReadFile("testdata/products_update.2026-07.meta.json")
	require.NoError(t, err)
	var meta struct {
		Response map[string]any `json:"response"`
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	require.NoError(t, d.Decode(&meta))
	payload := meta.Response
	keys := shapeOf(payload)
	for _, v := range payload["variants"].([]any) {
		for _, k := range []string{"weight", "weight_unit", "grams"} {
			require.NotContains(t, v.(map[string]any), k, "Shopify's sample carries no %s", k)
		}
	}

	// Our identities in Shopify's sample.
	id := func(n int64) json.Number { return json.Number(fmt.Sprint(n)) }
	updated := h.now().Add(time.Minute).Format(time.RFC3339)
	payload["id"], payload["admin_graphql_api_id"], payload["updated_at"] = id(p.ID), shopify.GID("Product", p.ID), updated
	for i, v := range payload["variants"].([]any) {
		sv, ok := shop.Variant(p.VariantIDs[i])
		require.True(t, ok)
		vm := v.(map[string]any)
		vm["id"], vm["admin_graphql_api_id"], vm["product_id"] = id(sv.ID), shopify.GID("ProductVariant", sv.ID), id(p.ID)
		vm["sku"] = skuOf(shop, sv.ID)
		require.Nil(t, vm["inventory_item_id"], "Shopify's sample has no inventory item id either")
	}
	for i, g := range payload["variant_gids"].([]any) {
		g.(map[string]any)["admin_graphql_api_id"] = shopify.GID("ProductVariant", p.VariantIDs[len(p.VariantIDs)-1-i])
	}
	require.Equal(t, keys, shapeOf(payload), "the delivered payload has exactly the sample's fields")
	body, err := json.Marshal(payload)
	require.NoError(t, err)
	h.postSigned(shop, "products/update", body)
	h.drain()

	for i, sku := range []string{"RJ-S", "RJ-M"} {
		sv, _ := shop.Variant(p.VariantIDs[i])
		it, _ := h.item(sku)
		require.Len(t, it.Listings, 1, sku)
		assert.Equal(t, shopify.GID("InventoryItem", sv.InventoryItemID), it.Listings[0].InventoryItemID, "%s: the listing keeps its inventory item", sku)
	}
	for sku, grams := range map[string]wms.Decimal{"RJ-S": "450", "RJ-M": "480"} {
		it, _ := h.item(sku)
		assert.Equal(t, "Example T-Shirt", it.Title, "%s: the update arrived", sku)
		assert.True(t, it.Price.Equal("19.99"), "%s: price %v", sku, it.Price)
		assert.True(t, it.Weight.Value.Equal(grams) && it.Weight.Unit == wms.Grams, "%s: weight %+v, want the known %s g kept", sku, it.Weight, grams)
	}
}

// shapeOf lists the field paths of a JSON tree (list elements merged), so
// two payloads can be compared by the fields they carry.
func shapeOf(v any) []string {
	set := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				set[prefix+"."+k] = true
				walk(prefix+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix+"[]", e)
			}
		}
	}
	walk("$", v)
	return slices.Sorted(maps.Keys(set))
}
