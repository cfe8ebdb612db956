package gqlexec

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func run(t *testing.T, root Object, q string, vars map[string]any) (string, gqlerror.List, Stats) {
	t.Helper()
	data, errs, st := Execute(context.Background(), testSchema(t), mustDoc(t, q), "", vars, root)
	if data != nil {
		require.True(t, json.Valid(data), "invalid JSON: %s", data)
	}
	return string(data), errs, st
}

func TestExecuteScalarsOrderAndAliases(t *testing.T) {
	root := shopRoot(sampleProducts(3, 2), nil)
	data, errs, st := run(t, root, `query Q {
		shop { name }
		one: product(id: "gid://shopify/Product/1") { title id }
		two: product(id: "gid://shopify/Product/2") { id title __typename }
		missing: product(id: "gid://shopify/Product/99") { id }
	}`, nil)
	require.Empty(t, errs)
	assert.Equal(t, `{"shop":{"name":"Test Shop"},"one":{"title":"Product 1","id":"gid://shopify/Product/1"},"two":{"id":"gid://shopify/Product/2","title":"Product 2","__typename":"Product"},"missing":null}`, data)
	assert.Equal(t, 3, st.Objects)
}

func TestExecuteConnectionNodesEdgesPageInfo(t *testing.T) {
	root := shopRoot(sampleProducts(5, 2), nil)
	data, errs, st := run(t, root, `query Q($first: Int!, $after: String) {
		products(first: $first, after: $after) {
			edges { cursor node { id variants(first: 1) { nodes { sku price } } } }
			pageInfo { hasNextPage endCursor }
		}
	}`, map[string]any{"first": float64(2), "after": "0"})
	require.Empty(t, errs)
	assert.Equal(t, `{"products":{"edges":[`+
		`{"cursor":"1","node":{"id":"gid://shopify/Product/2","variants":{"nodes":[{"sku":"SKU-200","price":"1.50"}]}}},`+
		`{"cursor":"2","node":{"id":"gid://shopify/Product/3","variants":{"nodes":[{"sku":"SKU-300","price":"1.50"}]}}}],`+
		`"pageInfo":{"hasNextPage":true,"endCursor":"2"}}}`, data)
	// products conn + 2 edges + 2 products + 2 variant conns + 2 variants + pageInfo
	assert.Equal(t, 10, st.Objects)
}

func TestExecuteNodeInterfaceFragments(t *testing.T) {
	root := shopRoot(sampleProducts(2, 1), nil)
	q := `
	query Q($ids: [ID!]!) {
		node(id: "gid://shopify/Product/1") {
			__typename
			id
			... on Product { title ...P }
			... on ProductVariant { sku }
		}
		variant: node(id: "gid://shopify/ProductVariant/200") { id ...V ... on Product { title } }
		nodes(ids: $ids) { ... on Node { id } ... on HasMetafields { __typename } }
	}
	fragment P on Product { status tags }
	fragment V on ProductVariant { sku price }`
	data, errs, _ := run(t, root, q, map[string]any{"ids": []any{"gid://shopify/Product/2", "gid://shopify/Product/404"}})
	require.Empty(t, errs)
	assert.Equal(t, `{"node":{"__typename":"Product","id":"gid://shopify/Product/1","title":"Product 1","status":"ACTIVE","tags":["t1"]},`+
		`"variant":{"id":"gid://shopify/ProductVariant/200","sku":"SKU-200","price":"1.50"},`+
		`"nodes":[{"id":"gid://shopify/Product/2","__typename":"Product"},null]}`, data)
}

func TestExecuteFieldMerging(t *testing.T) {
	root := shopRoot(sampleProducts(1, 2), nil)
	var seen []*FieldCall
	base := root.(Map)
	fields := map[string]any{}
	for k, v := range base.Fields {
		fields[k] = v
	}
	fields["product"] = func(ctx context.Context, f *FieldCall) (any, error) {
		seen = append(seen, f)
		return productObject(sampleProducts(1, 2)[0]), nil
	}
	data, errs, _ := run(t, Map{Type: "QueryRoot", Fields: fields}, `query Q {
		product(id: "gid://shopify/Product/1") { id variants(first: 1) { nodes { sku } } }
		product(id: "gid://shopify/Product/1") { title variants(first: 1) { nodes { id } } }
		... on QueryRoot { product(id: "gid://shopify/Product/1") { id } }
	}`, nil)
	require.Empty(t, errs)
	assert.Equal(t, `{"product":{"id":"gid://shopify/Product/1","variants":{"nodes":[{"sku":"SKU-100","id":"gid://shopify/ProductVariant/100"}]},"title":"Product 1"}}`, data)
	require.Len(t, seen, 1, "merged fields resolve once")
	assert.Len(t, seen[0].Selection, 5, "merged sub-selection")
	assert.Equal(t, []any{"product"}, seen[0].Path)
}

func TestExecuteSameFieldDifferentArgsViaAliases(t *testing.T) {
	root := shopRoot(sampleProducts(5, 3), nil)
	data, errs, _ := run(t, root, `query Q {
		a: products(first: 1) { nodes { id } }
		b: products(first: 2, after: "2") { nodes { id } pageInfo { hasPreviousPage hasNextPage } }
		c: products(first: 1, reverse: true) { nodes { variants(first: 2) { edges { cursor } } } }
	}`, nil)
	require.Empty(t, errs)
	assert.Equal(t, `{"a":{"nodes":[{"id":"gid://shopify/Product/1"}]},`+
		`"b":{"nodes":[{"id":"gid://shopify/Product/4"},{"id":"gid://shopify/Product/5"}],"pageInfo":{"hasPreviousPage":true,"hasNextPage":false}},`+
		`"c":{"nodes":[{"variants":{"edges":[{"cursor":"0"},{"cursor":"1"}]}}]}}`, data)
}

func TestExecuteArgsDefaultsAndCoercion(t *testing.T) {
	var got *FieldCall
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			got = f
			return connection(ctx, f, "Product", nil), nil
		},
	}}
	_, errs, _ := run(t, root, `query Q($q: String, $n: Int = 7) { products(first: $n, query: $q) { nodes { id } } }`, nil)
	require.Empty(t, errs)
	assert.Equal(t, map[string]any{"first": int64(7), "reverse": false, "sortKey": "ID"}, got.Args,
		"variable default applied, unset nullable variable absent, schema defaults applied")

	_, errs, _ = run(t, root, `query Q($q: String, $n: Int = 7) { products(first: $n, query: $q, sortKey: TITLE) { nodes { id } } }`,
		map[string]any{"n": json.Number("3e0"), "q": nil})
	require.Empty(t, errs)
	assert.Equal(t, map[string]any{"first": int64(3), "query": nil, "reverse": false, "sortKey": "TITLE"}, got.Args)
}

func TestExecuteMutationInputObjectsListsAndDirectives(t *testing.T) {
	var calls []*FieldCall
	root := shopRoot(nil, &calls)
	q := `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
		inventorySetQuantities(input: $input) @idempotent(key: $key) {
			inventoryAdjustmentGroup { reason }
			userErrors { field message }
		}
	}`
	vars := map[string]any{
		"key": "k-1",
		"input": map[string]any{
			"name":   "available",
			"reason": "correction",
			// A single object for a list is coerced to a list of one.
			"quantities": map[string]any{"inventoryItemId": float64(12), "locationId": "gid://shopify/Location/1", "quantity": float64(5), "changeFromQuantity": nil},
		},
	}
	data, errs, _ := run(t, root, q, vars)
	require.Empty(t, errs)
	assert.Equal(t, `{"inventorySetQuantities":{"inventoryAdjustmentGroup":{"reason":"correction"},"userErrors":[]}}`, data)
	require.Len(t, calls, 1)
	assert.Equal(t, map[string]map[string]any{"idempotent": {"key": "k-1"}}, calls[0].Directives)
	assert.Equal(t, map[string]any{"input": map[string]any{
		"name":   "available",
		"reason": "correction",
		"quantities": []any{map[string]any{
			"inventoryItemId": "12", "locationId": "gid://shopify/Location/1", "quantity": int64(5), "changeFromQuantity": nil,
		}},
	}}, calls[0].Args, "ID from int, Int from float64, explicit null kept, absent optional omitted")

	// Literal arguments with nested variables.
	calls = nil
	_, errs, _ = run(t, root, `mutation M($q: Int!) {
		inventorySetQuantities(input: {name: "on_hand", reason: "cycle_count_available", quantities: [{inventoryItemId: "gid://shopify/InventoryItem/1", locationId: "gid://shopify/Location/1", quantity: $q}]}) @idempotent(key: "lit") { userErrors { code } }
	}`, map[string]any{"q": 9})
	require.Empty(t, errs)
	require.Len(t, calls, 1)
	assert.Equal(t, "lit", calls[0].Directives["idempotent"]["key"])
	qs := calls[0].Args["input"].(map[string]any)["quantities"].([]any)
	assert.Equal(t, int64(9), qs[0].(map[string]any)["quantity"])
	_, has := qs[0].(map[string]any)["changeFromQuantity"]
	assert.False(t, has, "absent input field stays absent")
}

func TestExecuteOperationType(t *testing.T) {
	var seen []ast.Operation
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"shop": func(ctx context.Context, f *FieldCall) (any, error) {
			seen = append(seen, OperationType(ctx))
			return Map{Type: "Shop", Fields: map[string]any{"name": "x"}}, nil
		},
		"inventorySetQuantities": func(ctx context.Context, f *FieldCall) (any, error) {
			seen = append(seen, OperationType(ctx))
			return nil, nil
		},
	}}
	doc := mustDoc(t, `query A { shop { name } } mutation B { inventorySetQuantities(input: {name: "available", reason: "x", quantities: []}) { userErrors { code } } }`)
	_, errs, _ := Execute(context.Background(), testSchema(t), doc, "A", nil, root)
	require.Empty(t, errs)
	data, errs, _ := Execute(context.Background(), testSchema(t), doc, "B", nil, root)
	require.Empty(t, errs)
	assert.Equal(t, `{"inventorySetQuantities":null}`, string(data))
	assert.Equal(t, []ast.Operation{ast.Query, ast.Mutation}, seen)

	data, errs, _ = Execute(context.Background(), testSchema(t), doc, "", nil, root)
	assert.Nil(t, data)
	require.Len(t, errs, 1)
	assert.Equal(t, "An operation name is required", errs[0].Message)
	_, errs, _ = Execute(context.Background(), testSchema(t), doc, "C", nil, root)
	require.Len(t, errs, 1)
	assert.Equal(t, `No operation named "C"`, errs[0].Message)
}

func TestExecuteVariableErrors(t *testing.T) {
	root := shopRoot(nil, nil)
	q := `query Q($first: Int!, $sort: ProductSortKeys) { products(first: $first, query: "x") @include(if: true) { nodes { status } } p: products(first: 1, sortKey: $sort) @skip(if: false) { nodes { id } } s: shop { name } }`
	doc := mustDoc(t, q)
	for name, tc := range map[string]struct {
		vars        map[string]any
		variable    string
		explanation string
		path        []any
	}{
		"missing non-null": {nil, "$first of type Int!", "Expected value to not be null", []any{}},
		"null non-null":    {map[string]any{"first": nil}, "$first of type Int!", "Expected value to not be null", []any{}},
		"fraction":         {map[string]any{"first": 1.5}, "$first of type Int!", "Could not coerce value 1.5 to Int", []any{}},
		"string":           {map[string]any{"first": "3"}, "$first of type Int!", `Could not coerce value "3" to Int`, []any{}},
		"too big":          {map[string]any{"first": float64(1 << 40)}, "$first of type Int!", "Could not coerce value 1099511627776 to Int", []any{}},
		"bad enum":         {map[string]any{"first": 1, "sort": "NOPE"}, "$sort of type ProductSortKeys", `Expected "NOPE" to be one of: CREATED_AT, ID, INVENTORY_TOTAL, PRODUCT_TYPE, PUBLISHED_AT, RELEVANCE, TITLE, UPDATED_AT, VENDOR`, []any{}},
	} {
		t.Run(name, func(t *testing.T) {
			data, errs, _ := Execute(context.Background(), testSchema(t), doc, "", tc.vars, root)
			assert.Nil(t, data)
			require.Len(t, errs, 1)
			assert.Equal(t, "Variable "+tc.variable+" was provided invalid value", errs[0].Message)
			require.Len(t, errs[0].Locations, 1)
			assert.Equal(t, 1, errs[0].Locations[0].Line)
			problems := errs[0].Extensions["problems"].([]any)
			assert.Equal(t, tc.explanation, problems[0].(map[string]any)["explanation"])
			assert.Equal(t, tc.path, problems[0].(map[string]any)["path"])
		})
	}

	// Nested input object problems carry a path.
	mq := mustDoc(t, `mutation M($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { code } } }`)
	_, errs, _ := Execute(context.Background(), testSchema(t), mq, "", map[string]any{"input": map[string]any{
		"name": "available", "reason": "x", "quantities": []any{map[string]any{"inventoryItemId": "1", "locationId": "2"}},
	}}, root)
	require.Len(t, errs, 1)
	problems := errs[0].Extensions["problems"].([]any)
	assert.Equal(t, []any{"quantities", 0, "quantity"}, problems[0].(map[string]any)["path"])
	_, errs, _ = Execute(context.Background(), testSchema(t), mq, "", map[string]any{"input": map[string]any{
		"name": "available", "reason": "x", "quantities": []any{}, "bogus": 1,
	}}, root)
	require.Len(t, errs, 1)
	problems = errs[0].Extensions["problems"].([]any)
	assert.Equal(t, []any{"bogus"}, problems[0].(map[string]any)["path"])
}

func TestExecuteErrorsAndNullPropagation(t *testing.T) {
	denied := NewError("ACCESS_DENIED", "Access denied for products field. Required access: `read_products` access scope.")
	prod := func(title any) Map {
		return Map{Type: "Product", Fields: map[string]any{"id": "gid://shopify/Product/1", "title": title, "templateSuffix": func(ctx context.Context, f *FieldCall) (any, error) {
			return nil, errors.New("boom")
		}}}
	}
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"shop": Map{Type: "Shop", Fields: map[string]any{"name": "S"}},
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			return nil, errors.Join(errors.New("context"), denied)
		},
		"product": func(ctx context.Context, f *FieldCall) (any, error) {
			if f.ArgString("id") == "gid://shopify/Product/2" {
				return prod(nil), nil // title is String!: bubbles to product
			}
			return prod("ok"), nil
		},
		"nodes": []any{prod("x"), Map{Type: "Product", Fields: map[string]any{"id": nil}}},
	}}
	data, errs, _ := run(t, root, `query Q {
  shop { name }
  p1: product(id: "gid://shopify/Product/1") { id templateSuffix }
  p2: product(id: "gid://shopify/Product/2") { id title }
  nodes(ids: ["a", "b"]) { id }
}`, nil)
	assert.Equal(t, `{"shop":{"name":"S"},"p1":{"id":"gid://shopify/Product/1","templateSuffix":null},"p2":null,"nodes":[{"id":"gid://shopify/Product/1"},null]}`, data)
	require.Len(t, errs, 3)
	assert.Equal(t, "boom", errs[0].Message)
	assert.Equal(t, ast.Path{ast.PathName("p1"), ast.PathName("templateSuffix")}, errs[0].Path)
	assert.Equal(t, []gqlerror.Location{{Line: 3, Column: 51}}, errs[0].Locations)
	assert.Equal(t, "Cannot return null for non-nullable field Product.title", errs[1].Message)
	assert.Equal(t, ast.Path{ast.PathName("p2"), ast.PathName("title")}, errs[1].Path)
	assert.Equal(t, ast.Path{ast.PathName("nodes"), ast.PathIndex(1), ast.PathName("id")}, errs[2].Path)

	// products is ProductConnection!: its error nulls the whole data.
	data, errs, _ = run(t, root, `query Q { shop { name } products(first: 1) { nodes { id } } }`, nil)
	assert.Equal(t, "null", data)
	require.Len(t, errs, 1)
	assert.Equal(t, denied.Message, errs[0].Message)
	assert.Equal(t, map[string]any{"code": "ACCESS_DENIED"}, errs[0].Extensions)
	assert.Equal(t, ast.Path{ast.PathName("products")}, errs[0].Path)
	assert.Nil(t, denied.Path, "the resolver's error value is not modified")

	// A missing Map field is reported, not silently null.
	data, errs, _ = run(t, root, `query Q { shop { name id } }`, nil)
	assert.Equal(t, `null`, data, "Shop.id is ID! and Shop is non-null on QueryRoot")
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrFieldNotImplemented)
}

func TestExecuteLeafSerialization(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"product": Map{Type: "Product", Fields: map[string]any{
			"id":             int64(42), // ID from an int is a string
			"title":          "quote \" backslash \\ newline \n tab \t ctrl \x01 uni é \u2028",
			"status":         "ACTIVE",
			"totalInventory": float64(3),
			"tags":           []string{"a", "b"},
			"createdAt":      "2026-01-02T03:04:05Z",
			"publishedAt":    nil,
			"variantsCount":  Map{Type: "Count", Fields: map[string]any{"count": int32(2), "precision": "EXACT"}},
			"priceRangeV2":   Map{Type: "ProductPriceRangeV2", Fields: map[string]any{"maxVariantPrice": Map{Type: "MoneyV2", Fields: map[string]any{"amount": decimal("10.50"), "currencyCode": "EUR"}}}},
		}},
	}}
	data, errs, _ := run(t, root, `query Q { product(id: "x") { id title status totalInventory tags createdAt publishedAt variantsCount { count precision } priceRangeV2 { maxVariantPrice { amount currencyCode } } } }`, nil)
	require.Empty(t, errs)
	assert.Equal(t, `{"product":{"id":"42","title":"quote \" backslash \\ newline \n tab \t ctrl \u0001 uni é \u2028","status":"ACTIVE","totalInventory":3,"tags":["a","b"],"createdAt":"2026-01-02T03:04:05Z","publishedAt":null,"variantsCount":{"count":2,"precision":"EXACT"},"priceRangeV2":{"maxVariantPrice":{"amount":"10.50","currencyCode":"EUR"}}}}`, data)

	// Wrong enum values and wrong types are field errors.
	root.Fields["product"] = Map{Type: "Product", Fields: map[string]any{"status": "active", "totalInventory": 1.5, "title": 3}}
	data, errs, _ = run(t, root, `query Q { product(id: "x") { totalInventory } p: product(id: "y") { status } }`, nil)
	assert.Equal(t, `{"product":null,"p":null}`, data)
	require.Len(t, errs, 2)
	assert.Contains(t, errs[0].Message, "Int cannot represent 1.5")
	assert.Contains(t, errs[1].Message, "not a value of enum ProductStatus")
}

func TestExecuteAbstractTypeMismatch(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"node":    Map{Type: "Shop", Fields: map[string]any{"id": "x"}},
		"product": Map{Type: "ProductVariant", Fields: map[string]any{"id": "x"}},
	}}
	data, errs, _ := run(t, root, `query Q { node(id: "x") { id } product(id: "x") { id } }`, nil)
	assert.Equal(t, `{"node":{"id":"x"},"product":null}`, data)
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Message, `"ProductVariant", which is not a possible Product`)
}

func TestExecuteSkipInclude(t *testing.T) {
	root := shopRoot(sampleProducts(1, 1), nil)
	data, errs, _ := run(t, root, `query Q($yes: Boolean!, $no: Boolean = false) {
		a: shop @include(if: $yes) { name }
		b: shop @skip(if: $yes) { name }
		c: shop @include(if: $no) { name }
		product(id: "gid://shopify/Product/1") { ... on Product @skip(if: $no) { title } ...F @include(if: $no) }
	}
	fragment F on Product { id }`, map[string]any{"yes": true})
	require.Empty(t, errs)
	assert.Equal(t, `{"a":{"name":"Test Shop"},"product":{"title":"Product 1"}}`, data)
}

func TestExecuteTypedSlicesAndRawJSON(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"product": Map{Type: "Product", Fields: map[string]any{
			"tags": []decimal{"x", "y"},
			"metafield": Map{Type: "Metafield", Fields: map[string]any{
				"jsonValue": json.RawMessage(`{"b":1,"a":[true]}`),
			}},
		}},
	}}
	data, errs, _ := run(t, root, `query Q { product(id: "x") { tags metafield(key: "k") { jsonValue } } }`, nil)
	require.Empty(t, errs)
	assert.Equal(t, `{"product":{"tags":["x","y"],"metafield":{"jsonValue":{"b":1,"a":[true]}}}}`, data)
}

func TestIsBulk(t *testing.T) {
	ctx := context.Background()
	assert.False(t, IsBulk(ctx))
	assert.True(t, IsBulk(WithBulk(ctx)))
	root := shopRoot(sampleProducts(4, 1), nil)
	doc := mustDoc(t, `query Q { products(first: 1) { nodes { id } } }`)
	data, errs, _ := Execute(WithBulk(ctx), testSchema(t), doc, "", nil, root)
	require.Empty(t, errs)
	assert.Equal(t, `{"products":{"nodes":[{"id":"gid://shopify/Product/1"},{"id":"gid://shopify/Product/2"},{"id":"gid://shopify/Product/3"},{"id":"gid://shopify/Product/4"}]}}`, string(data))
}

func TestExecuteCustomScalarArgumentsStayExactText(t *testing.T) {
	var got []map[string]any
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"inventoryItemUpdate": func(ctx context.Context, f *FieldCall) (any, error) {
			got = append(got, f.Args["input"].(map[string]any))
			return nil, nil
		},
	}}
	q := `mutation M($input: InventoryItemInput!) { inventoryItemUpdate(id: "gid://shopify/InventoryItem/1", input: $input) { userErrors { message } } }`
	for _, v := range []any{json.Number("10.10"), 0.3, int64(7), "12.00"} {
		_, errs, _ := run(t, root, q, map[string]any{"input": map[string]any{"cost": v}})
		require.Empty(t, errs)
	}
	_, errs, _ := run(t, root, `mutation { inventoryItemUpdate(id: "gid://shopify/InventoryItem/1", input: {cost: 10.10, tracked: true}) { userErrors { message } } }`, nil)
	require.Empty(t, errs)
	_, errs, _ = run(t, root, `mutation { inventoryItemUpdate(id: "gid://shopify/InventoryItem/1", input: {cost: 3}) { userErrors { message } } }`, nil)
	require.Empty(t, errs)
	require.Len(t, got, 6)
	var costs []any
	for _, g := range got {
		costs = append(costs, g["cost"])
	}
	assert.Equal(t, []any{"10.10", "0.3", "7", "12.00", "10.10", "3"}, costs, "Decimal arrives as exact text, never float64")
	assert.Equal(t, true, got[4]["tracked"])
}

func TestFieldCallSelects(t *testing.T) {
	var call *FieldCall
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			call = f
			return connection(ctx, f, "Product", nil), nil
		},
	}}
	_, errs, _ := run(t, root, `query Q { products(first: 1) { ... on ProductConnection { ...F } } } fragment F on ProductConnection { pageInfo { hasNextPage } nodes { id } }`, nil)
	require.Empty(t, errs)
	assert.True(t, call.Selects("nodes"))
	assert.True(t, call.Selects("pageInfo"))
	assert.False(t, call.Selects("edges"))
	assert.False(t, call.Selects("id"), "only the first level")
}

func TestExecuteResolverPanicAndNilRoot(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"shop": Map{Type: "Shop", Fields: map[string]any{"name": func(ctx context.Context, f *FieldCall) (any, error) {
			var m map[string]int
			m["x"] = 1 // panics
			return "never", nil
		}}},
		"product": func(ctx context.Context, f *FieldCall) (any, error) { return nil, nil },
	}}
	data, errs, _ := run(t, root, `{ product(id: "x") { id } shop { name } }`, nil)
	assert.Equal(t, `null`, data, "Shop.name is String! and shop is non-null")
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Message, "resolver of name panicked: assignment to entry in nil map")
	assert.Equal(t, "INTERNAL_SERVER_ERROR", errs[0].Extensions["code"])

	raw, errs, _ := Execute(context.Background(), testSchema(t), mustDoc(t, `{ product(id: "x") { id } }`), "", nil, nil)
	assert.Equal(t, `{"product":null}`, string(raw))
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0].Message, "nil Object")
}
