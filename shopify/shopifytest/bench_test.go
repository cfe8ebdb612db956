package shopifytest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestSeedLargeCatalogAndPaginate seeds the reference catalog
// (30,000 products × 3 variants) and pages through all of it with
// 250-product pages, checking that every variant comes back exactly once.
func TestSeedLargeCatalogAndPaginate(t *testing.T) {
	if testing.Short() {
		t.Skip("large catalog")
	}
	srv, _ := newTestServer(t, WithShop("big", WithBucket(1e9, 1e9)))
	s := srv.Shop("big")
	res, err := s.Seed(SeedOptions{Seed: 1, Products: 30000, VariantsPerProduct: 3})
	require.NoError(t, err)
	require.Len(t, res.VariantIDs, 90000)
	q := `query($after: String) { products(first: 150, after: $after) { nodes { id variants(first: 3) { nodes { sku } } } pageInfo { hasNextPage endCursor } } }`
	seen := make(map[string]bool, 90000)
	var after any
	for pages := 0; ; pages++ {
		require.Less(t, pages, 201)
		r := do(t, srv, "big", q, map[string]any{"after": after})
		require.Empty(t, r.Errors)
		for _, p := range path(r.Data, "products", "nodes").([]any) {
			for _, v := range path(p, "variants", "nodes").([]any) {
				sku := path(v, "sku").(string)
				require.False(t, seen[sku], sku)
				seen[sku] = true
			}
		}
		if path(r.Data, "products", "pageInfo", "hasNextPage") != true {
			break
		}
		after = path(r.Data, "products", "pageInfo", "endCursor")
	}
	require.Len(t, seen, 90000)
}

func BenchmarkSeed30kProducts(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv := NewServer()
		_, err := srv.DefaultShop().Seed(SeedOptions{Seed: 1, Products: 30000, VariantsPerProduct: 3, Orders: 1000})
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}

func BenchmarkProductsPage80(b *testing.B) {
	srv := NewServer(WithShop("big", WithBucket(1e12, 1e12)))
	defer srv.Close()
	if _, err := srv.Shop("big").Seed(SeedOptions{Seed: 1, Products: 30000}); err != nil {
		b.Fatal(err)
	}
	q := `{ products(first: 80, query: "updated_at:>2020-01-01") { nodes { id title variants(first: 3) { nodes { sku barcode inventoryItem { unitCost { amount } } } } } } }`
	t := &testing.T{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := do(t, srv, "big", q, nil)
		if len(r.Errors) > 0 {
			b.Fatal(fmt.Sprint(r.Errors))
		}
	}
}
