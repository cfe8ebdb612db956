package shopify

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wmsbridge/wmsbridge/internal/adminschema"
)

func TestInlineBulkQuery(t *testing.T) {
	t.Parallel()
	doc := `query export($q: String, $names: [String!]!, $status: ProductStatus, $n: Int = 5, $when: DateTime) {
  products(query: $q, sortKey: ID) {
    edges { node { id status variants { edges { node { id inventoryItem { inventoryLevels { edges { node { quantities(names: $names) { name quantity } } } } } } } } } }
  }
  p2: products(query: "x", first: $n, reverse: false) { edges { node { id } } }
  orders(query: $q) @include(if: true) { edges { node { id updatedAt } } }
}`
	got, err := InlineBulkQuery(doc, map[string]any{
		"q":     `title:"Big \"Shirt\"" AND updated_at:>=2026-01-01`,
		"names": []string{"available", "on_hand"},
	})
	require.NoError(t, err)
	assert.NotContains(t, got, "$")
	assert.NotContains(t, got, "export", "operation name removed")
	assert.Contains(t, got, `products(query: "title:\"Big \\\"Shirt\\\"\" AND updated_at:>=2026-01-01", sortKey: ID)`)
	assert.Contains(t, got, `quantities(names: ["available","on_hand"])`)
	assert.Contains(t, got, `first: 5`, "default value used")
	_, errs := adminschema.Validate("inlined", got)
	assert.Empty(t, errs)

	// An unset nullable variable drops its argument.
	got, err = InlineBulkQuery(`query a($q: String) { products(query: $q) { edges { node { id } } } }`, nil)
	require.NoError(t, err)
	assert.Contains(t, got, "products {")

	// Values of every supported kind.
	got, err = InlineBulkQuery(`query a($s: [ProductStatus!], $t: DateTime, $d: Decimal, $b: Boolean, $u: Int, $m: JSON) { products(query: "x") { edges { node { id } } } }`, map[string]any{
		"s": []Enum{"ACTIVE", "DRAFT"}, "t": time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)),
		"d": MustDecimal("1.50"), "b": true, "u": uint8(7), "m": map[string]any{"b": nil, "a": []any{1, "x"}},
	})
	require.NoError(t, err)
	assert.NotContains(t, got, "$")

	lit := func(v any) string {
		l, err := literal(reflectValue(v))
		require.NoError(t, err)
		return l.String()
	}
	assert.Equal(t, `[ACTIVE,DRAFT]`, lit([]Enum{"ACTIVE", "DRAFT"}))
	assert.Equal(t, `"2026-01-02T02:04:05Z"`, lit(time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))))
	assert.Equal(t, `"1.50"`, lit(MustDecimal("1.50")))
	assert.Equal(t, `{a:[1,"x"],b:null}`, lit(map[string]any{"b": nil, "a": []any{1, "x"}}))
	assert.Equal(t, `null`, lit(nil))
	assert.Equal(t, `null`, lit((*int)(nil)))
	_, err = literal(reflectValue(1.5))
	assert.Error(t, err, "floats are refused: money is Decimal")
}

func TestInlineBulkQueryErrors(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		doc  string
		vars map[string]any
	}{
		"parse error":       {`query {`, nil},
		"two operations":    {`query a { shop { id } } query b { shop { id } }`, nil},
		"mutation":          {`mutation m { bulkOperationCancel(id: "x") { userErrors { message } } }`, nil},
		"missing required":  {`query a($q: String!) { products(query: $q) { edges { node { id } } } }`, nil},
		"undeclared":        {`query a { products(query: $q) { edges { node { id } } } }`, nil},
		"unknown variable":  {`query a { products { edges { node { id } } } }`, map[string]any{"x": 1}},
		"unsupported value": {`query a($q: String) { products(query: $q) { edges { node { id } } } }`, map[string]any{"q": struct{}{}}},
	} {
		_, err := InlineBulkQuery(c.doc, c.vars)
		assert.ErrorIs(t, err, ErrBulkQuery, name)
	}
}

// The ready-made queries are valid Admin 2026-10 documents once inlined,
// carry their filter, and respect Shopify's bulk limits (at most 5
// connections, nesting depth 2).
func TestReadyMadeBulkQueries(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	products, err := BulkProductsQuery("updated_at:>='2026-01-01T00:00:00Z'")
	require.NoError(t, err)
	levels, err := BulkInventoryLevelsQuery("", "available", "on_hand", "committed")
	require.NoError(t, err)
	orders, err := BulkOrdersQuery(since)
	require.NoError(t, err)
	all, err := BulkOrdersQuery(time.Time{})
	require.NoError(t, err)

	assert.Contains(t, products, `products(query: "updated_at:>='2026-01-01T00:00:00Z'")`)
	assert.Contains(t, levels, `quantities(names: ["available","on_hand","committed"])`)
	assert.Contains(t, levels, "inventoryItems {", "no filter: argument dropped")
	assert.Contains(t, orders, `orders(query: "created_at:>='2026-05-01T00:00:00Z'")`)
	assert.Contains(t, all, "orders {")
	for name, q := range map[string]string{"products": products, "levels": levels, "orders": orders, "all orders": all} {
		doc, errs := adminschema.Validate(name, q)
		require.Empty(t, errs, name)
		assert.Empty(t, adminschema.Deprecated(doc), name)
		assert.LessOrEqual(t, strings.Count(q, "edges {"), 5, name)
		assert.LessOrEqual(t, strings.Count(q, "edges {"), 2, "%s: nesting depth", name)
	}
}
