package gqlexec

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/wmsbridge/wmsbridge/internal/adminschema"
)

func testSchema(t testing.TB) *ast.Schema {
	t.Helper()
	s, err := adminschema.Load()
	require.NoError(t, err)
	return s
}

func mustDoc(t testing.TB, q string) *ast.QueryDocument {
	t.Helper()
	doc, errs := adminschema.Validate("test.graphql", q)
	require.Empty(t, errs, "document must validate against the 2026-10 schema")
	return doc
}

type variant struct {
	id    int
	sku   string
	price string
}

type product struct {
	id       int
	title    string
	status   string
	tags     []string
	variants []variant
}

func productGID(id int) string { return "gid://shopify/Product/" + strconv.Itoa(id) }
func variantGID(id int) string { return "gid://shopify/ProductVariant/" + strconv.Itoa(id) }

// connection builds a connection Object over nodes, honouring first/after
// (cursor = index) unless in bulk mode.
func connection(ctx context.Context, f *FieldCall, typ string, nodes []Object) Object {
	start := 0
	if a := f.ArgString("after"); a != "" {
		n, _ := strconv.Atoi(a)
		start = n + 1
	}
	end := len(nodes)
	if n, ok := f.ArgInt("first"); ok && !IsBulk(ctx) && start+int(n) < end {
		end = start + int(n)
	}
	if start > end {
		start = end
	}
	page := nodes[start:end]
	edges := make([]Object, len(page))
	for i, n := range page {
		edges[i] = Map{Type: typ + "Edge", Fields: map[string]any{"cursor": strconv.Itoa(start + i), "node": n}}
	}
	pi := Map{Type: "PageInfo", Fields: map[string]any{
		"hasNextPage":     end < len(nodes),
		"hasPreviousPage": start > 0,
		"startCursor":     nil,
		"endCursor":       nil,
	}}
	if len(page) > 0 {
		pi.Fields["startCursor"] = strconv.Itoa(start)
		pi.Fields["endCursor"] = strconv.Itoa(end - 1)
	}
	return Map{Type: typ + "Connection", Fields: map[string]any{"nodes": page, "edges": edges, "pageInfo": pi}}
}

func variantObject(v variant) Object {
	return Map{Type: "ProductVariant", Fields: map[string]any{
		"id":    variantGID(v.id),
		"sku":   v.sku,
		"price": decimal(v.price),
		"title": "Default",
	}}
}

// decimal mimics shopify.Decimal: a string kind without being a string.
type decimal string

func productObject(p product) Object {
	return Map{Type: "Product", Fields: map[string]any{
		"id":     productGID(p.id),
		"title":  p.title,
		"status": p.status,
		"tags":   p.tags,
		"variants": func(ctx context.Context, f *FieldCall) (any, error) {
			vs := make([]Object, len(p.variants))
			for i, v := range p.variants {
				vs[i] = variantObject(v)
			}
			return connection(ctx, f, "ProductVariant", vs), nil
		},
		"totalInventory": int64(len(p.variants) * 10),
	}}
}

func sampleProducts(n, variants int) []product {
	ps := make([]product, n)
	for i := range ps {
		p := product{id: i + 1, title: fmt.Sprintf("Product %d", i+1), status: "ACTIVE", tags: []string{"t" + strconv.Itoa(i+1)}}
		for j := 0; j < variants; j++ {
			id := (i+1)*100 + j
			p.variants = append(p.variants, variant{id: id, sku: fmt.Sprintf("SKU-%d", id), price: fmt.Sprintf("%d.50", j+1)})
		}
		ps[i] = p
	}
	return ps
}

// shopRoot is a QueryRoot/Mutation over ps; calls records mutation calls.
func shopRoot(ps []product, calls *[]*FieldCall) Object {
	byID := map[string]product{}
	for _, p := range ps {
		byID[productGID(p.id)] = p
	}
	nodeByID := func(id string) Object {
		if p, ok := byID[id]; ok {
			return productObject(p)
		}
		for _, p := range ps {
			for _, v := range p.variants {
				if variantGID(v.id) == id {
					return variantObject(v)
				}
			}
		}
		return nil
	}
	return Map{Type: "QueryRoot", Fields: map[string]any{
		"shop": Map{Type: "Shop", Fields: map[string]any{"name": "Test Shop", "id": "gid://shopify/Shop/1"}},
		"products": func(ctx context.Context, f *FieldCall) (any, error) {
			objs := make([]Object, len(ps))
			for i, p := range ps {
				objs[i] = productObject(p)
			}
			return connection(ctx, f, "Product", objs), nil
		},
		"product": func(ctx context.Context, f *FieldCall) (any, error) {
			if p, ok := byID[f.ArgString("id")]; ok {
				return productObject(p), nil
			}
			return nil, nil
		},
		"node": func(ctx context.Context, f *FieldCall) (any, error) {
			if o := nodeByID(f.ArgString("id")); o != nil {
				return o, nil
			}
			return nil, nil
		},
		"nodes": func(ctx context.Context, f *FieldCall) (any, error) {
			ids := f.Args["ids"].([]any)
			out := make([]any, len(ids))
			for i, id := range ids {
				if o := nodeByID(id.(string)); o != nil {
					out[i] = o
				}
			}
			return out, nil
		},
		"inventorySetQuantities": func(ctx context.Context, f *FieldCall) (any, error) {
			*calls = append(*calls, f)
			return Map{Type: "InventorySetQuantitiesPayload", Fields: map[string]any{
				"inventoryAdjustmentGroup": Map{Type: "InventoryAdjustmentGroup", Fields: map[string]any{
					"id":     "gid://shopify/InventoryAdjustmentGroup/1",
					"reason": f.Args["input"].(map[string]any)["reason"],
				}},
				"userErrors": []Object{},
			}}, nil
		},
	}}
}
