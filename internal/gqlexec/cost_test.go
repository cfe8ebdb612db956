package gqlexec

import (
	"context"
	"errors"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

func cost(t *testing.T, q string, vars map[string]any) int {
	t.Helper()
	n, err := RequestedCost(testSchema(t), mustDoc(t, q), "", vars)
	require.NoError(t, err)
	return n
}

func TestRequestedCostDocumentedExamples(t *testing.T) {
	// Shopify Engineering blog: a shop object with only scalar (and enum)
	// fields costs 1. (The blog's timezoneOffsetMinutes/customerAccounts are
	// gone from 2026-10; ianaTimezone/currencyCode are the same kinds.)
	assert.Equal(t, 1, cost(t, `{ shop { id name ianaTimezone currencyCode } }`, nil))

	// Blog: "Connections: two points plus the number of returned objects".
	assert.Equal(t, 2+5, cost(t, `{ orders(first: 5, query: "fulfillment_status:shipped") { edges { node { name displayFulfillmentStatus } } } }`, nil))

	// The same rule applied to nested connections (worked example quoted by
	// third parties): 2 + 10 × (1 + 2 + 5 × 1) = 82.
	assert.Equal(t, 82, cost(t, `{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }`, nil))

	// The shopify.dev community thread "Unexpectedly Low GraphQL Query Cost"
	// computes 503 for this query by the documented rules (Shopify's live
	// answer, 25, comes from undocumented scaling that is not modelled).
	assert.Equal(t, 503, cost(t, `query getVariantsInventoryItem($id: ID!) {
		product(id: $id) { variants(first: 250) { nodes { inventoryItem { id tracked } } } }
	}`, map[string]any{"id": "gid://shopify/Product/1"}))

	// shopify.dev rate limits table: "Mutation | 10".
	assert.Equal(t, 10, cost(t, `mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: []}) @idempotent(key: "k") { inventoryAdjustmentGroup { id changes { delta } } userErrors { code } } }`, nil))
}

func TestRequestedCostRules(t *testing.T) {
	for name, tc := range map[string]struct {
		q    string
		vars map[string]any
		want int
	}{
		"scalars at root cost nothing":     {`{ __typename }`, nil, 0},
		"nodes and pageInfo":               {`{ products(first: 3) { nodes { id } pageInfo { hasNextPage } } }`, nil, 2 + 3},
		"edges and nodes counted once":     {`{ products(first: 3) { nodes { id } edges { cursor node { title } } } }`, nil, 2 + 3},
		"last sizes too":                   {`{ products(last: 4) { nodes { id } } }`, nil, 2 + 4},
		"first from a variable":            {`query Q($n: Int!) { products(first: $n) { nodes { id } } }`, map[string]any{"n": 50}, 52},
		"variable default":                 {`query Q($n: Int = 7) { products(first: $n) { nodes { id } } }`, nil, 9},
		"aliases add up":                   {`{ a: products(first: 1) { nodes { id } } b: products(first: 2) { nodes { id } } shop { name } }`, nil, 3 + 4 + 1},
		"merged fields count once":         {`{ shop { name } shop { id } ... on QueryRoot { shop { currencyCode } } }`, nil, 1},
		"nested objects":                   {`{ product(id: "x") { featuredMedia { id } category { id } } }`, nil, 3},
		"skip and include":                 {`query Q($no: Boolean = false) { shop @include(if: $no) { name } products(first: 9) @skip(if: true) { nodes { id } } }`, nil, 0},
		"connection without page size":     {`{ products { nodes { id } } }`, nil, 2},
		"nodes(ids:) sized by ids":         {`{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 3},
		"two mutations":                    {`mutation { a: webhookSubscriptionDelete(id: "x") { deletedWebhookSubscriptionId } b: webhookSubscriptionDelete(id: "y") { userErrors { message } } }`, nil, 20},
		"fragments on objects":             {`{ products(first: 2) { nodes { ...P } } } fragment P on Product { variants(first: 3) { nodes { id } } }`, nil, 2 + 2*(1+2+3)},
		"interface takes the max type":     {`{ node(id: "x") { id ... on Product { variants(first: 3) { nodes { id } } } ... on Order { id } } }`, nil, 1 + 2 + 3},
		"interface without type fragments": {`{ node(id: "x") { id } }`, nil, 1},
		"interface on nested connection":   {`{ inventoryItems(first: 2) { nodes { variant { product { ... on Node { id } } } } } }`, nil, 2 + 2*(1+1+1)},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, tc.want, cost(t, tc.q, tc.vars))
		})
	}
}

func TestRequestedCostFieldsBreakdown(t *testing.T) {
	total, fields, err := RequestedCostFields(testSchema(t), mustDoc(t, `{ shop { name } p: products(first: 10) { edges { node { title variants(first: 5) { nodes { sku } } } } } }`), "", nil)
	require.NoError(t, err)
	assert.Equal(t, 1+82, total)
	byPath := map[string]FieldCost{}
	for _, f := range fields {
		key := ""
		for _, s := range f.Path {
			key += "/" + s
		}
		byPath[key] = f
		assert.Equal(t, f.DefinedCost+f.RequestedChildrenCost, f.RequestedTotalCost, "total = defined + children for %v", f.Path)
	}
	assert.Equal(t, FieldCost{Path: []string{"shop"}, DefinedCost: 1, RequestedTotalCost: 1}, byPath["/shop"])
	assert.Equal(t, FieldCost{Path: []string{"shop", "name"}}, byPath["/shop/name"])
	assert.Equal(t, FieldCost{Path: []string{"p"}, DefinedCost: 2, RequestedChildrenCost: 80, RequestedTotalCost: 82}, byPath["/p"])
	assert.Equal(t, FieldCost{Path: []string{"p", "node", "variants"}, DefinedCost: 2, RequestedChildrenCost: 5, RequestedTotalCost: 7}, byPath["/p/node/variants"])
}

func TestRequestedCostErrors(t *testing.T) {
	doc := mustDoc(t, `query Q($n: Int!) { products(first: $n) { nodes { id } } }`)
	_, err := RequestedCost(testSchema(t), doc, "", nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrCost)
	var ge *gqlerror.Error
	assert.True(t, errors.As(err, &ge))
	assert.Contains(t, err.Error(), "Variable $n of type Int! was provided invalid value")
	_, err = RequestedCost(testSchema(t), doc, "Nope", map[string]any{"n": 1})
	assert.ErrorIs(t, err, ErrCost)

	// Saturates instead of overflowing.
	n, err := RequestedCost(testSchema(t), mustDoc(t, `{ products(first: 250) { nodes { variants(first: 250) { nodes { product { variants(first: 250) { nodes { product { variants(first: 250) { nodes { id } } } } } } } } } } }`), "", nil)
	require.NoError(t, err)
	assert.Equal(t, 1<<31-1, n)
}

func TestActualCostMatchesRequestedOnFullPages(t *testing.T) {
	root := shopRoot(sampleProducts(10, 5), nil)
	q := `{ shop { name } products(first: 4) { edges { cursor node { id variants(first: 5) { nodes { id } pageInfo { hasNextPage } } } } pageInfo { endCursor } } }`
	requested := cost(t, q, nil)
	_, errs, st := run(t, root, q, nil)
	require.Empty(t, errs)
	assert.Equal(t, 1+2+4*(1+2+5), requested)
	assert.Equal(t, requested, st.ActualCost)

	// A short page costs less than requested.
	_, errs, st = run(t, root, `{ products(first: 50) { nodes { id } } }`, nil)
	require.Empty(t, errs)
	assert.Equal(t, 2+10, st.ActualCost)

	// Mutations: 10, payload free.
	var calls []*FieldCall
	_, errs, st = Execute(context.Background(), testSchema(t), mustDoc(t, `mutation { inventorySetQuantities(input: {name: "available", reason: "correction", quantities: []}) @idempotent(key: "k") { inventoryAdjustmentGroup { id } userErrors { code } } }`), "", nil, shopRoot(nil, &calls))
	require.Empty(t, errs)
	assert.Equal(t, 10, st.ActualCost)
}
