package shopifytest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WithSearchLag covers products too: a just-created product is missing
// from product searches and their count, not from lookups by id (product,
// node, nodes) or listings without a search; once the lag has passed, the
// search finds it. Products created before the lag are searchable.
func TestSearchLagProducts(t *testing.T) {
	clk := &fixedClock{t: testEpoch}
	srv := NewServer(WithClock(clk.now), WithShop("lag", WithSearchLag(time.Minute)))
	t.Cleanup(srv.Close)
	s := srv.Shop("lag")
	old, err := s.CreateProduct(ProductSpec{Title: "Old", Variants: []VariantSpec{{SKU: "OLD-1", Price: "1.00"}}})
	require.NoError(t, err)
	clk.advance(time.Minute + time.Second)
	p, err := s.CreateProduct(ProductSpec{Title: "New", Variants: []VariantSpec{{SKU: "NEW-1", Price: "1.00"}}})
	require.NoError(t, err)

	search := `query($q: String) { products(first: 5, query: $q) { nodes { id } } productsCount(query: $q) { count } }`
	q := map[string]any{"q": "id:" + legacy(p.ID) + " OR id:" + legacy(old.ID)}
	r := do(t, srv, "lag", search, q)
	require.Empty(t, r.Errors, string(r.raw))
	require.Len(t, path(r.Data, "products", "nodes"), 1, "only the old product is indexed")
	assert.Equal(t, gid("Product", old.ID), path(r.Data, "products", "nodes", 0, "id"))
	assert.EqualValues(t, 1, num(t, path(r.Data, "productsCount", "count")))

	r = do(t, srv, "lag", `query($id: ID!) { product(id: $id) { id } nodes(ids: [$id]) { id } products(first: 5) { nodes { id } } productsCount { count } }`,
		map[string]any{"id": gid("Product", p.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, gid("Product", p.ID), path(r.Data, "product", "id"))
	assert.Equal(t, gid("Product", p.ID), path(r.Data, "nodes", 0, "id"))
	assert.Equal(t, gid("Product", p.ID), path(r.Data, "products", "nodes", 1, "id"), "a listing without a search does not lag")
	assert.EqualValues(t, 2, num(t, path(r.Data, "productsCount", "count")))

	clk.advance(time.Minute + time.Second)
	r = do(t, srv, "lag", search, q)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Len(t, path(r.Data, "products", "nodes"), 2, "indexed after the lag")
	assert.EqualValues(t, 2, num(t, path(r.Data, "productsCount", "count")))
}

// Without WithSearchLag a product search sees a new product at once.
func TestNoSearchLagProducts(t *testing.T) {
	clk := &fixedClock{t: testEpoch}
	srv := NewServer(WithClock(clk.now), WithShop("now"))
	t.Cleanup(srv.Close)
	s := srv.Shop("now")
	p, err := s.CreateProduct(ProductSpec{Title: "New", Variants: []VariantSpec{{SKU: "NEW-1", Price: "1.00"}}})
	require.NoError(t, err)
	r := do(t, srv, "now", `query($q: String) { products(first: 5, query: $q) { nodes { id } } }`, map[string]any{"q": "id:" + legacy(p.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, gid("Product", p.ID), path(r.Data, "products", "nodes", 0, "id"))
}
