package gqlexec

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestCheckBulkQuery(t *testing.T) {
	for name, tc := range map[string]struct {
		q    string
		want []string
	}{
		"valid":                                  {`{ products { edges { node { id title variants { edges { node { id sku } } } } } } }`, nil},
		"valid with fragments and plain objects": {`{ productVariants(query: "sku:A*") { edges { node { ...V inventoryItem { id inventoryLevels { edges { node { id } } } } } } } } fragment V on ProductVariant { id sku }`, nil},
		"nodes instead of edges": {`{ products { nodes { id title } } }`, []string{
			"All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: 'products { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: 'products'.",
		}},
		"top level node": {`{ node(id: "gid://shopify/Product/0") { id } }`, []string{
			"Bulk queries cannot contain a top level `node` field.",
			"Bulk queries must contain at least one connection.",
		}},
		"top level nodes": {`{ nodes(ids: ["gid://shopify/Product/0"]) { id } }`, []string{
			"Bulk queries cannot contain a top level `nodes` field.",
			"Bulk queries must contain at least one connection.",
		}},
		"depth three": {`{ collections { edges { node { id products { edges { node { id variants { edges { node { id metafields { edges { node { id } } } } } } } } } } } } }`, []string{
			"Bulk queries cannot contain connections with a nesting depth greater than 2.",
		}},
		"six connections": {`{ products { edges { node { id variants { edges { node { id } } } metafields { edges { node { id } } } collections { edges { node { id } } } media { edges { node { id } } } sellingPlanGroups { edges { node { id } } } } } } }`, []string{
			"Bulk queries cannot contain more than 5 connections.",
		}},
		"nested without parent id": {`{ products { edges { node { title variants { edges { node { id } } } } } } }`, []string{
			"The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': products.",
		}},
		"aliased parent id": {`{ products { edges { node { pid: id variants { edges { node { id } } } } } } }`, []string{
			"The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': products.",
		}},
		"connection within list": {`{ orders { edges { node { id fulfillments { events { edges { node { id } } } } } } } }`, []string{
			"Queries that contain a connection field within a list field are not currently supported.",
		}},
		"no connection": {`{ shop { id } }`, []string{"Bulk queries must contain at least one connection."}},
		"mutation": {`mutation { webhookSubscriptionDelete(id: "x") { deletedWebhookSubscriptionId } }`, []string{
			"Invalid operation type. Only `query` operations are supported.",
		}},
		"several problems": {`{ products { nodes { title variants { nodes { id } } } } }`, []string{
			"All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: 'products { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: 'products', 'variants'.",
			"The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': products.",
		}},
	} {
		t.Run(name, func(t *testing.T) {
			err := CheckBulkQuery(testSchema(t), mustDoc(t, tc.q))
			if tc.want == nil {
				assert.NoError(t, err)
				return
			}
			var be *BulkQueryError
			require.True(t, errors.As(err, &be), "want *BulkQueryError, got %v", err)
			assert.Equal(t, tc.want, be.Messages)
			assert.ErrorIs(t, err, ErrInvalidBulkQuery)
		})
	}
}

type jsonLine struct {
	raw string
	obj map[string]any
}

func readLines(t testing.TB, r io.Reader) []jsonLine {
	t.Helper()
	var out []jsonLine
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), "line %q", sc.Text())
		out = append(out, jsonLine{raw: sc.Text(), obj: m})
	}
	require.NoError(t, sc.Err())
	return out
}

const bulkProductsQuery = `{ products { edges { node { id title variants { edges { node { sku id price } } } } } } }`

func TestWriteBulkJSONLGrouped(t *testing.T) {
	root := shopRoot(sampleProducts(3, 2), nil)
	var buf bytes.Buffer
	objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, bulkProductsQuery), nil, root, false)
	require.NoError(t, err)
	assert.Equal(t, int64(9), objects)
	assert.Equal(t, int64(3), roots)
	assert.Equal(t, `{"id":"gid://shopify/Product/1","title":"Product 1"}
{"sku":"SKU-100","id":"gid://shopify/ProductVariant/100","price":"1.50","__parentId":"gid://shopify/Product/1"}
{"sku":"SKU-101","id":"gid://shopify/ProductVariant/101","price":"2.50","__parentId":"gid://shopify/Product/1"}
{"id":"gid://shopify/Product/2","title":"Product 2"}
{"sku":"SKU-200","id":"gid://shopify/ProductVariant/200","price":"1.50","__parentId":"gid://shopify/Product/2"}
{"sku":"SKU-201","id":"gid://shopify/ProductVariant/201","price":"2.50","__parentId":"gid://shopify/Product/2"}
{"id":"gid://shopify/Product/3","title":"Product 3"}
{"sku":"SKU-300","id":"gid://shopify/ProductVariant/300","price":"1.50","__parentId":"gid://shopify/Product/3"}
{"sku":"SKU-301","id":"gid://shopify/ProductVariant/301","price":"2.50","__parentId":"gid://shopify/Product/3"}
`, buf.String())
}

// checkInterleaved verifies the invariants of interleaved output and
// returns the number of children written directly after their parent.
func checkInterleaved(t testing.TB, lines []jsonLine, products, variants int) (adjacent int) {
	t.Helper()
	require.Len(t, lines, products*(1+variants))
	seen := map[string]int{} // id -> line index
	children := map[string]int{}
	for i, l := range lines {
		id, _ := l.obj["id"].(string)
		parent, hasParent := l.obj["__parentId"].(string)
		if hasParent {
			pi, ok := seen[parent]
			require.True(t, ok, "line %d: child %s before its parent %s", i, id, parent)
			if pi == i-1 {
				adjacent++
			}
			children[parent]++
			assert.True(t, strings.HasPrefix(id, "gid://shopify/ProductVariant/"))
		} else {
			assert.True(t, strings.HasPrefix(id, "gid://shopify/Product/"), "root line %s", l.raw)
		}
		seen[id] = i
	}
	assert.Len(t, children, products)
	for p, n := range children {
		assert.Equal(t, variants, n, "children of %s", p)
	}
	return adjacent
}

func TestWriteBulkJSONLInterleaved(t *testing.T) {
	for _, n := range []int{2, 3, bulkWindow, bulkWindow + 1, 3*bulkWindow + 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			root := shopRoot(sampleProducts(n, 3), nil)
			var buf bytes.Buffer
			objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, bulkProductsQuery), nil, root, true)
			require.NoError(t, err)
			assert.Equal(t, int64(n*4), objects)
			assert.Equal(t, int64(n), roots)
			lines := readLines(t, &buf)
			adjacent := checkInterleaved(t, lines, n, 3)
			assert.Equal(t, 0, adjacent, "no child directly after its parent")
			// Children of different parents really are interleaved.
			mixed := false
			for i := 1; i < len(lines); i++ {
				a, _ := lines[i-1].obj["__parentId"].(string)
				b, _ := lines[i].obj["__parentId"].(string)
				if a != "" && b != "" && a != b {
					mixed = true
				}
			}
			assert.True(t, mixed)
		})
	}
}

func TestWriteBulkJSONLNestedInPlainObjectAndRootObject(t *testing.T) {
	levels := func(item int) []Object {
		return []Object{
			Map{Type: "InventoryLevel", Fields: map[string]any{"id": fmt.Sprintf("gid://shopify/InventoryLevel/%d-1", item)}},
			Map{Type: "InventoryLevel", Fields: map[string]any{"id": fmt.Sprintf("gid://shopify/InventoryLevel/%d-2", item)}},
		}
	}
	variantsFn := func(ctx context.Context, f *FieldCall) (any, error) {
		if !IsBulk(ctx) {
			return nil, errors.New("not in bulk mode")
		}
		var vs []Object
		for i := 1; i <= 2; i++ {
			item := i
			vs = append(vs, Map{Type: "ProductVariant", Fields: map[string]any{
				"id":  variantGID(i),
				"sku": fmt.Sprintf("S%d", i),
				"inventoryItem": Map{Type: "InventoryItem", Fields: map[string]any{
					"tracked": true,
					"inventoryLevels": func(ctx context.Context, f *FieldCall) (any, error) {
						return connection(ctx, f, "InventoryLevel", levels(item)), nil
					},
				}},
			}})
		}
		return connection(ctx, f, "ProductVariant", vs), nil
	}
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"productVariants": variantsFn,
		"shop":            Map{Type: "Shop", Fields: map[string]any{"name": "S"}},
	}}
	q := `{ shop { name } productVariants { edges { node { id inventoryItem { tracked inventoryLevels { edges { node { id } } } } sku } } } }`
	require.NoError(t, CheckBulkQuery(testSchema(t), mustDoc(t, `{ productVariants { edges { node { id inventoryItem { tracked inventoryLevels { edges { node { id } } } } sku } } } }`)))
	var buf bytes.Buffer
	objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, q), nil, root, false)
	require.NoError(t, err)
	assert.Equal(t, int64(7), objects)
	assert.Equal(t, int64(3), roots)
	assert.Equal(t, `{"name":"S"}
{"id":"gid://shopify/ProductVariant/1","inventoryItem":{"tracked":true},"sku":"S1"}
{"id":"gid://shopify/InventoryLevel/1-1","__parentId":"gid://shopify/ProductVariant/1"}
{"id":"gid://shopify/InventoryLevel/1-2","__parentId":"gid://shopify/ProductVariant/1"}
{"id":"gid://shopify/ProductVariant/2","inventoryItem":{"tracked":true},"sku":"S2"}
{"id":"gid://shopify/InventoryLevel/2-1","__parentId":"gid://shopify/ProductVariant/2"}
{"id":"gid://shopify/InventoryLevel/2-2","__parentId":"gid://shopify/ProductVariant/2"}
`, buf.String())
}

func TestWriteBulkJSONLUnselectedParentIDAndErrors(t *testing.T) {
	ps := sampleProducts(2, 1)
	root := shopRoot(ps, nil)
	var buf bytes.Buffer
	// The parent's id is resolved for __parentId even when not selected
	// (CheckBulkQuery rejects such queries; the writer stays usable).
	_, _, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, `{ products { edges { node { title variants { edges { node { sku } } } } } } }`), nil, root, false)
	require.NoError(t, err)
	assert.Equal(t, `{"title":"Product 1"}
{"sku":"SKU-100","__parentId":"gid://shopify/Product/1"}
{"title":"Product 2"}
{"sku":"SKU-200","__parentId":"gid://shopify/Product/2"}
`, buf.String())

	// Field errors: the line keeps null, errors come back after the output.
	failing := Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			return connection(ctx, f, "Product", []Object{
				Map{Type: "Product", Fields: map[string]any{"id": "gid://shopify/Product/1", "templateSuffix": func(ctx context.Context, f *FieldCall) (any, error) {
					return nil, NewError("INTERNAL_SERVER_ERROR", "boom")
				}}},
				Map{Type: "Product", Fields: map[string]any{"id": nil}}, // ID! null: node skipped
				Map{Type: "Product", Fields: map[string]any{"id": "gid://shopify/Product/3", "templateSuffix": "x"}},
			}), nil
		},
	}}
	buf.Reset()
	objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, `{ products { edges { node { id templateSuffix } } } }`), nil, failing, true)
	assert.Equal(t, `{"id":"gid://shopify/Product/1","templateSuffix":null}
{"id":"gid://shopify/Product/3","templateSuffix":"x"}
`, buf.String())
	assert.Equal(t, int64(2), objects)
	assert.Equal(t, int64(2), roots)
	var list gqlerror.List
	require.True(t, errors.As(err, &list))
	require.Len(t, list, 2)
	assert.Equal(t, "boom", list[0].Message)
	assert.Equal(t, "Cannot return null for non-nullable field Product.id", list[1].Message)
}

type failingWriter struct{ n int }

func (w *failingWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestWriteBulkJSONLStops(t *testing.T) {
	root := shopRoot(sampleProducts(500, 3), nil)
	doc := mustDoc(t, bulkProductsQuery)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := WriteBulkJSONL(ctx, io.Discard, testSchema(t), doc, nil, root, true)
	assert.ErrorIs(t, err, context.Canceled)

	_, _, err = WriteBulkJSONL(context.Background(), &failingWriter{}, testSchema(t), doc, nil, root, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk full")

	_, _, err = WriteBulkJSONL(context.Background(), io.Discard, testSchema(t), mustDoc(t, `mutation { webhookSubscriptionDelete(id: "x") { deletedWebhookSubscriptionId } }`), nil, root, false)
	assert.ErrorIs(t, err, ErrInvalidBulkQuery)
}

// bigShop is a synthetic QueryRoot of n products × v variants built once.
func bigShop(n, v int) Object {
	products := make([]Object, n)
	for i := range products {
		vs := make([]Object, v)
		for j := range vs {
			id := i*v + j + 1
			vs[j] = Map{Type: "ProductVariant", Fields: map[string]any{
				"id":    variantGID(id),
				"sku":   fmt.Sprintf("SKU-%06d", id),
				"price": decimal("19.99"),
			}}
		}
		products[i] = Map{Type: "Product", Fields: map[string]any{
			"id":    productGID(i + 1),
			"title": fmt.Sprintf("Product %d", i+1),
			"variants": func(ctx context.Context, f *FieldCall) (any, error) {
				return connection(ctx, f, "ProductVariant", vs), nil
			},
		}}
	}
	return Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			return connection(ctx, f, "Product", products), nil
		},
	}}
}

func TestWriteBulkJSONL30kProducts(t *testing.T) {
	if testing.Short() {
		t.Skip("30,000-product export; BenchmarkWriteBulkJSONL30kProducts measures it")
	}
	const n, v = 30000, 3
	root := bigShop(n, v)
	var buf bytes.Buffer
	objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, bulkProductsQuery), nil, root, true)
	require.NoError(t, err)
	assert.Equal(t, int64(n*(1+v)), objects)
	assert.Equal(t, int64(n), roots)
	adjacent := checkInterleaved(t, readLines(t, &buf), n, v)
	assert.Equal(t, 0, adjacent)
}

func BenchmarkWriteBulkJSONL30kProducts(b *testing.B) {
	for _, interleave := range []bool{false, true} {
		b.Run(fmt.Sprintf("interleave=%v", interleave), func(b *testing.B) {
			root := bigShop(30000, 3)
			schema := testSchema(b)
			doc := mustDoc(b, bulkProductsQuery)
			cw := &countingWriter{}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cw.n = 0
				if _, _, err := WriteBulkJSONL(context.Background(), cw, schema, doc, nil, root, interleave); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cw.n), "bytes/op-output")
		})
	}
}

func BenchmarkExecutePage(b *testing.B) {
	root := bigShop(1000, 3)
	schema := testSchema(b)
	doc := mustDoc(b, `{ products(first: 250) { edges { cursor node { id title variants(first: 3) { nodes { id sku price } } } } pageInfo { hasNextPage endCursor } } }`)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, errs, _ := Execute(context.Background(), schema, doc, "", nil, root); errs != nil {
			b.Fatal(errs)
		}
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

func TestWriteBulkJSONLInterleavedSiblingAndDeepConnections(t *testing.T) {
	const n = 150
	products := make([]Object, n)
	for i := range products {
		pid := productGID(i + 1)
		products[i] = Map{Type: "Product", Fields: map[string]any{
			"id": pid,
			"variants": func(ctx context.Context, f *FieldCall) (any, error) {
				var vs []Object
				for j := 0; j < i%4; j++ { // 0..3 variants: some parents have none
					vid := fmt.Sprintf("%s/variant/%d", pid, j)
					vs = append(vs, Map{Type: "ProductVariant", Fields: map[string]any{
						"id": vid,
						"inventoryItem": Map{Type: "InventoryItem", Fields: map[string]any{
							"inventoryLevels": func(ctx context.Context, f *FieldCall) (any, error) {
								return connection(ctx, f, "InventoryLevel", []Object{
									Map{Type: "InventoryLevel", Fields: map[string]any{"id": vid + "/level/1"}},
									Map{Type: "InventoryLevel", Fields: map[string]any{"id": vid + "/level/2"}},
								}), nil
							},
						}},
					}})
				}
				return connection(ctx, f, "ProductVariant", vs), nil
			},
			"collections": func(ctx context.Context, f *FieldCall) (any, error) {
				return connection(ctx, f, "Collection", []Object{
					Map{Type: "Collection", Fields: map[string]any{"id": pid + "/collection"}},
				}), nil
			},
		}}
	}
	root := Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			return connection(ctx, f, "Product", products), nil
		},
	}}
	q := `{ products { edges { node { id variants { edges { node { id inventoryItem { inventoryLevels { edges { node { id } } } } } } } collections { edges { node { id } } } } } } }`
	wantLines := 0
	for i := 0; i < n; i++ {
		wantLines += 1 + 1 + (i%4)*3
	}
	for _, interleave := range []bool{true, false} {
		var buf bytes.Buffer
		objects, roots, err := WriteBulkJSONL(context.Background(), &buf, testSchema(t), mustDoc(t, q), nil, root, interleave)
		require.NoError(t, err)
		assert.Equal(t, int64(wantLines), objects)
		assert.Equal(t, int64(n), roots)
		lines := readLines(t, &buf)
		require.Len(t, lines, wantLines)
		seen := map[string]int{}
		adjacent := 0
		for i, l := range lines {
			id := l.obj["id"].(string)
			if parent, ok := l.obj["__parentId"].(string); ok {
				pi, found := seen[parent]
				require.True(t, found, "child %s before parent %s", id, parent)
				if pi == i-1 {
					adjacent++
				}
				assert.True(t, strings.HasPrefix(id, parent+"/"), "%s belongs to %s", id, parent)
			} else {
				assert.True(t, strings.HasPrefix(id, "gid://shopify/Product/"))
			}
			seen[id] = i
		}
		if interleave {
			assert.Equal(t, 0, adjacent)
		} else {
			assert.True(t, adjacent > n, "grouped output puts children right after parents")
		}
	}
}
