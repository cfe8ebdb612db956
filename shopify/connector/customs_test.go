package connector_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

func TestCustomsAndCosts(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 4, Products: 45, VariantsPerProduct: 2})
	require.NoError(t, err)
	_, err = shop.CreateProduct(shopifytest.ProductSpec{Title: "Mug", Variants: []shopifytest.VariantSpec{
		{SKU: "MUG-1", Price: "12.00", Cost: "4.25", HarmonizedSystemCode: "691200", CountryCodeOfOrigin: "PT", ProvinceCodeOfOrigin: ""},
		{SKU: "MUG-2", Price: "12.00"},
		{Title: "no sku", Price: "1.00", Cost: "0.50"},
	}})
	require.NoError(t, err)
	// MUG-1 has more per-country HS codes than a page reads per item: the
	// rest are read for it.
	mug, ok := shop.VariantBySKU("MUG-1")
	require.True(t, ok)
	var many []shopify.CountryHSCode
	for i, cc := range []string{"US", "CA", "GB", "CH", "NO", "JP", "AU", "NZ"} {
		many = append(many, shopify.CountryHSCode{CountryCode: cc, HarmonizedSystemCode: fmt.Sprintf("6912000%d", i)})
	}
	_, err = newClient(t, srv, shop).InventoryItems().Update(ctxT(t), shopify.GID("InventoryItem", mug.InventoryItemID),
		shopify.InventoryItemUpdate{CountryHarmonizedSystemCodes: many})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{})
	got, pages := collectDetails(t, c)
	require.Len(t, got["MUG-1"].Customs.CountryHSCodes, len(many), "every per-country code of MUG-1")
	assert.Greater(t, pages, 1)
	assert.Empty(t, shop.BulkOperations())

	// A big shop (from the bulk threshold on) gives the same through a
	// bulk export of the inventory items.
	bulkC := newConnector(t, srv, shop, connector.Config{BulkThreshold: 10, BulkPageSize: 20})
	viaBulk, pages := collectDetails(t, bulkC)
	assert.Greater(t, pages, 1)
	assert.Len(t, shop.BulkOperations(), 1)
	assert.Equal(t, got, viaBulk)
	assert.Len(t, got, 92, "every item with a SKU, the one without left out")
	assert.Equal(t, wms.Decimal("4.25"), got["MUG-1"].Cost)
	assert.Equal(t, wms.Customs{HSCode: "691200", CountryOfOrigin: "PT"}, wms.Customs{HSCode: got["MUG-1"].Customs.HSCode, CountryOfOrigin: got["MUG-1"].Customs.CountryOfOrigin})
	assert.Equal(t, wms.Decimal(""), got["MUG-2"].Cost, "no cost: empty, the WMS keeps its own")
	assert.True(t, got["MUG-2"].Customs.IsZero())
	for _, p := range shop.Products() {
		for _, vid := range p.VariantIDs {
			v, _ := shop.Variant(vid)
			it, _ := shop.InventoryItem(v.InventoryItemID)
			if it.SKU == "" {
				continue
			}
			d := got[it.SKU]
			assert.Equal(t, it.HarmonizedSystemCode, d.Customs.HSCode, it.SKU)
			assert.Equal(t, it.CountryCodeOfOrigin, d.Customs.CountryOfOrigin, it.SKU)
			if it.UnitCost != "" {
				assert.Zero(t, wmsCmp(d.Cost, it.UnitCost.String()), "%s: %s vs %s", it.SKU, d.Cost, it.UnitCost)
			}
			for _, cc := range it.CountryHarmonizedSystemCodes {
				assert.Equal(t, cc.HarmonizedSystemCode, d.Customs.CountryHSCodes[cc.CountryCode], it.SKU)
			}
		}
	}
}

// wmsCmp compares a wms decimal with decimal text.
func wmsCmp(a wms.Decimal, b string) int { return a.Cmp(wms.Decimal(b)) }

// collectDetails reads every page of CustomsAndCosts.
func collectDetails(t *testing.T, c *connector.Connector) (map[string]wmssync.ItemDetails, int) {
	t.Helper()
	ctx := ctxT(t)
	got := map[string]wmssync.ItemDetails{}
	cursor, pages := "", 0
	for {
		p, err := c.CustomsAndCosts(ctx, cursor)
		require.NoError(t, err)
		pages++
		assert.Equal(t, int64(93), p.Total, "the variant count")
		for _, d := range p.Items {
			_, dup := got[d.SKU]
			require.False(t, dup, d.SKU)
			got[d.SKU] = d
		}
		if p.Next == "" {
			return got, pages
		}
		cursor = p.Next
	}
}
