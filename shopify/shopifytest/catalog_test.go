package shopifytest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seeded(t *testing.T, products int) (*Server, *fixedClock, SeedResult) {
	t.Helper()
	srv, clk := newTestServer(t)
	res, err := srv.DefaultShop().Seed(SeedOptions{Seed: 7, Products: products, Orders: 10})
	require.NoError(t, err)
	return srv, clk, res
}

func TestSeedIsDeterministicAndValid(t *testing.T) {
	a, _, ra := seeded(t, 50)
	b, _, rb := seeded(t, 50)
	assert.Equal(t, ra, rb)
	pa, pb := a.DefaultShop().Products(), b.DefaultShop().Products()
	require.Len(t, pa, 50)
	assert.Equal(t, pa, pb)
	skus := map[string]bool{}
	barcodes := map[string]bool{}
	for _, p := range pa {
		require.Len(t, p.VariantIDs, 3)
		assert.NotEmpty(t, p.Vendor)
		for _, vid := range p.VariantIDs {
			v, ok := a.DefaultShop().Variant(vid)
			require.True(t, ok)
			it, ok := a.DefaultShop().InventoryItem(v.InventoryItemID)
			require.True(t, ok)
			assert.False(t, skus[it.SKU], "duplicate SKU %s", it.SKU)
			skus[it.SKU] = true
			assert.False(t, barcodes[v.Barcode], "duplicate barcode")
			barcodes[v.Barcode] = true
			assert.True(t, validEAN13(v.Barcode), v.Barcode)
			assert.True(t, it.UnitCost.Cmp("0") > 0 && it.UnitCost.Cmp(v.Price) < 0, "cost %s price %s", it.UnitCost, v.Price)
			assert.Len(t, it.HarmonizedSystemCode, 6)
			assert.Len(t, it.CountryCodeOfOrigin, 2)
			assert.Equal(t, "GRAMS", it.WeightUnit)
			assert.Len(t, a.DefaultShop().InventoryLevels(it.ID), 2)
			assert.Greater(t, v.ID, int64(1<<53), "IDs exceed float64 precision")
		}
	}
	assert.Len(t, a.DefaultShop().Orders(), 10)
}

func validEAN13(s string) bool {
	if len(s) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 13; i++ {
		d := int(s[i] - '0')
		if d < 0 || d > 9 {
			return false
		}
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return sum%10 == 0
}

func TestEAN13KnownValue(t *testing.T) {
	assert.Equal(t, "4006381333931", EAN13(400638133393)) // a real EAN-13
}

func TestPaginationAliasesFragmentsVariables(t *testing.T) {
	srv, _, _ := seeded(t, 12)
	q := `
query Page($n: Int!, $after: String) {
  list: products(first: $n, after: $after) {
    edges { cursor node { ...P } }
    pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
  }
  again: products(first: 1) { nodes { id } }
}
fragment P on Product { id t: title variants(first: 2) { nodes { sku barcode } } }`
	var ids []string
	var after any
	pages := 0
	for {
		r := do(t, srv, DefaultShopName, q, map[string]any{"n": 5, "after": after})
		require.Empty(t, r.Errors, string(r.raw))
		edges := path(r.Data, "list", "edges").([]any)
		for _, e := range edges {
			ids = append(ids, path(e, "node", "id").(string))
			assert.NotEmpty(t, path(e, "node", "t"))
			assert.Nil(t, path(e, "node", "title"), "alias replaces the field name")
			assert.Len(t, path(e, "node", "variants", "nodes"), 2)
			assert.NotEmpty(t, path(e, "cursor"))
		}
		assert.Equal(t, path(edges[len(edges)-1], "cursor"), path(r.Data, "list", "pageInfo", "endCursor"))
		assert.Equal(t, pages > 0, path(r.Data, "list", "pageInfo", "hasPreviousPage"))
		assert.Len(t, path(r.Data, "again", "nodes"), 1)
		pages++
		if path(r.Data, "list", "pageInfo", "hasNextPage") != true {
			break
		}
		after = path(r.Data, "list", "pageInfo", "endCursor")
	}
	assert.Equal(t, 3, pages)
	require.Len(t, ids, 12)
	seen := map[string]bool{}
	for _, id := range ids {
		assert.False(t, seen[id])
		seen[id] = true
	}
	// last/before walks backwards
	r := do(t, srv, DefaultShopName, `{ products(last: 2, reverse: true) { nodes { id } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, ids[1], path(r.Data, "products", "nodes", 0, "id"))
	assert.Equal(t, ids[0], path(r.Data, "products", "nodes", 1, "id"))
}

func TestConnectionNeedsFirstOrLastAndMax250(t *testing.T) {
	srv, _, _ := seeded(t, 3)
	r := do(t, srv, DefaultShopName, `{ products { nodes { id } } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Equal(t, "you must provide one of first or last", r.Errors[0]["message"])
	before := srv.DefaultShop().ThrottleStatus().CurrentlyAvailable
	r = do(t, srv, DefaultShopName, `query($n:Int){ products(first: $n) { nodes { id } } }`, map[string]any{"n": 251})
	require.NotEmpty(t, r.Errors, string(r.raw))
	assert.Nil(t, r.Data)
	assert.Contains(t, r.Errors[0]["message"], "250")
	assert.Equal(t, before, srv.DefaultShop().ThrottleStatus().CurrentlyAvailable, "rejected before being charged")
}

func TestQueryFilters(t *testing.T) {
	srv, clk, res := seeded(t, 30)
	s := srv.DefaultShop()
	// sku
	v, _ := s.Variant(res.VariantIDs[7])
	it, _ := s.InventoryItem(v.InventoryItemID)
	r := do(t, srv, DefaultShopName, `query($q:String){ productVariants(first: 10, query: $q) { nodes { id sku } } }`, map[string]any{"q": "sku:" + it.SKU})
	require.Empty(t, r.Errors, string(r.raw))
	require.Len(t, path(r.Data, "productVariants", "nodes"), 1)
	assert.Equal(t, it.SKU, path(r.Data, "productVariants", "nodes", 0, "sku"))
	// barcode
	r = do(t, srv, DefaultShopName, `query($q:String){ productVariants(first: 10, query: $q) { nodes { barcode } } }`, map[string]any{"q": "barcode:" + v.Barcode})
	require.Len(t, path(r.Data, "productVariants", "nodes"), 1)
	// status
	draft := "DRAFT"
	_, err := s.EditProduct(res.ProductIDs[5], ProductEdit{Status: &draft})
	require.NoError(t, err)
	drafts := 0
	for _, p := range s.Products() {
		if p.Status == "DRAFT" {
			drafts++
		}
	}
	require.Positive(t, drafts, "seed should produce drafts")
	r = do(t, srv, DefaultShopName, `{ productsCount(query: "status:draft") { count } products(first: 250, query: "status:active") { nodes { status } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.EqualValues(t, drafts, num(t, path(r.Data, "productsCount", "count")))
	assert.Len(t, path(r.Data, "products", "nodes"), 30-drafts)
	// updated_at: edit one product now, then filter on a time just before
	clk.advance(time.Hour)
	title := "Edited"
	_, err = s.EditProduct(res.ProductIDs[3], ProductEdit{Title: &title})
	require.NoError(t, err)
	since := clk.now().Add(-time.Minute).Format(time.RFC3339)
	r = do(t, srv, DefaultShopName, fmt.Sprintf(`{ products(first: 50, query: "updated_at:>='%s'") { nodes { title } } }`, since), nil)
	require.Empty(t, r.Errors, string(r.raw))
	require.Len(t, path(r.Data, "products", "nodes"), 1)
	assert.Equal(t, "Edited", path(r.Data, "products", "nodes", 0, "title"))
	// created_at with OR and negation, counted against the state
	cut := testEpoch.Add(-180 * 24 * time.Hour)
	older := 0
	for _, p := range s.Products() {
		if p.CreatedAt.Before(cut) {
			older++
		}
	}
	require.True(t, older > 0 && older < 30)
	r = do(t, srv, DefaultShopName, fmt.Sprintf(`{ productsCount(query: "created_at:<%s") { count } b: productsCount(query: "-created_at:<%s") { count } }`, cut.Format("2006-01-02T15:04:05Z"), cut.Format("2006-01-02T15:04:05Z")), nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.EqualValues(t, older, num(t, path(r.Data, "productsCount", "count")))
	assert.EqualValues(t, 30-older, num(t, path(r.Data, "b", "count")))
	// source_name on orders
	pos := 0
	for _, o := range s.Orders() {
		if o.SourceName == "pos" {
			pos++
		}
	}
	require.True(t, pos > 0 && pos < 10, "pos=%d", pos)
	r = do(t, srv, DefaultShopName, `{ ordersCount(query: "source_name:pos") { count } orders(first: 50, query: "source_name:pos") { nodes { sourceName app { name } retailLocation { id } } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.EqualValues(t, pos, num(t, path(r.Data, "ordersCount", "count")))
	for _, n := range path(r.Data, "orders", "nodes").([]any) {
		assert.Equal(t, "pos", path(n, "sourceName"))
		assert.Equal(t, "Point of Sale", path(n, "app", "name"))
		assert.NotNil(t, path(n, "retailLocation", "id"))
	}
}

func TestInventoryItemFieldsAndQuantities(t *testing.T) {
	srv, _, res := seeded(t, 2)
	s := srv.DefaultShop()
	v, _ := s.Variant(res.VariantIDs[0])
	it, _ := s.InventoryItem(v.InventoryItemID)
	loc := res.Locations[0]
	q := `query($id: ID!, $loc: ID!) { inventoryItem(id: $id) {
	  sku unitCost { amount currencyCode } harmonizedSystemCode countryCodeOfOrigin provinceCodeOfOrigin
	  measurement { weight { value unit } }
	  countryHarmonizedSystemCodes(first: 5) { nodes { countryCode harmonizedSystemCode } }
	  variants(first: 1) { nodes { id } }
	  inventoryLevel(locationId: $loc) { quantities(names: ["available", "on_hand", "committed"]) { name quantity } location { id } }
	} }`
	r := do(t, srv, DefaultShopName, q, map[string]any{"id": gid("InventoryItem", it.ID), "loc": gid("Location", loc)})
	require.Empty(t, r.Errors, string(r.raw))
	d := path(r.Data, "inventoryItem")
	assert.Equal(t, it.SKU, path(d, "sku"))
	assert.Equal(t, string(it.UnitCost), path(d, "unitCost", "amount"))
	assert.Equal(t, "EUR", path(d, "unitCost", "currencyCode"))
	assert.Equal(t, it.HarmonizedSystemCode, path(d, "harmonizedSystemCode"))
	assert.Equal(t, it.CountryCodeOfOrigin, path(d, "countryCodeOfOrigin"))
	assert.Nil(t, path(d, "provinceCodeOfOrigin"))
	assert.Equal(t, "GRAMS", path(d, "measurement", "weight", "unit"))
	assert.Equal(t, gid("ProductVariant", v.ID), path(d, "variants", "nodes", 0, "id"))
	lv, _ := s.InventoryLevel(it.ID, loc)
	qs := path(d, "inventoryLevel", "quantities").([]any)
	require.Len(t, qs, 3)
	assert.Equal(t, "available", path(qs[0], "name"))
	assert.EqualValues(t, lv.Quantity("available"), num(t, path(qs[0], "quantity")))
	assert.EqualValues(t, lv.Quantity("on_hand"), num(t, path(qs[1], "quantity")))
	assert.EqualValues(t, lv.Quantity("committed"), num(t, path(qs[2], "quantity")))
}

func TestNodeAndNodes(t *testing.T) {
	srv, _, res := seeded(t, 2)
	q := `query($id: ID!, $ids: [ID!]!) {
	  node(id: $id) { __typename id ... on Product { title } }
	  nodes(ids: $ids) { __typename ... on ProductVariant { sku } ... on Location { name } }
	}`
	r := do(t, srv, DefaultShopName, q, map[string]any{
		"id":  gid("Product", res.ProductIDs[1]),
		"ids": []any{gid("ProductVariant", res.VariantIDs[0]), gid("Location", res.Locations[0]), gid("Product", 1)},
	})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "Product", path(r.Data, "node", "__typename"))
	p, _ := srv.DefaultShop().Product(res.ProductIDs[1])
	assert.Equal(t, p.Title, path(r.Data, "node", "title"))
	assert.Equal(t, "ProductVariant", path(r.Data, "nodes", 0, "__typename"))
	assert.Equal(t, "SIM-000001-1", path(r.Data, "nodes", 0, "sku"))
	assert.Equal(t, "Location", path(r.Data, "nodes", 1, "__typename"))
	assert.Nil(t, path(r.Data, "nodes", 2))
}
