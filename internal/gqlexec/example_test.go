package gqlexec_test

import (
	"context"
	"fmt"
	"os"

	"github.com/wmsbridge/wmsbridge/internal/adminschema"
	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

func ExampleExecute() {
	schema, _ := adminschema.Load()
	doc, errs := adminschema.Validate("shop.graphql", `query Shop($id: ID!) {
  shop { name }
  item: node(id: $id) { __typename ... on Product { title } }
}`)
	if errs != nil {
		panic(errs)
	}
	root := gqlexec.Map{Type: "QueryRoot", Fields: map[string]any{
		"shop": gqlexec.Map{Type: "Shop", Fields: map[string]any{"name": "Demo"}},
		"node": func(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
			return gqlexec.Map{Type: "Product", Fields: map[string]any{"title": "Shirt " + f.ArgString("id")}}, nil
		},
	}}
	data, gerrs, _ := gqlexec.Execute(context.Background(), schema, doc, "Shop",
		map[string]any{"id": "gid://shopify/Product/1"}, root)
	fmt.Println(string(data), len(gerrs))
	// Output: {"shop":{"name":"Demo"},"item":{"__typename":"Product","title":"Shirt gid://shopify/Product/1"}} 0
}

func ExampleWriteBulkJSONL() {
	schema, _ := adminschema.Load()
	doc, errs := adminschema.Validate("bulk.graphql", `{
  products { edges { node { id title variants { edges { node { id sku } } } } } }
}`)
	if errs != nil {
		panic(errs)
	}
	if err := gqlexec.CheckBulkQuery(schema, doc); err != nil {
		panic(err)
	}
	variant := func(id, sku string) gqlexec.Object {
		return gqlexec.Map{Type: "ProductVariant", Fields: map[string]any{"id": id, "sku": sku}}
	}
	edges := func(typ string, nodes ...gqlexec.Object) gqlexec.Object {
		var es []gqlexec.Object
		for _, n := range nodes {
			es = append(es, gqlexec.Map{Type: typ + "Edge", Fields: map[string]any{"node": n}})
		}
		return gqlexec.Map{Type: typ + "Connection", Fields: map[string]any{"edges": es}}
	}
	product := gqlexec.Map{Type: "Product", Fields: map[string]any{
		"id":    "gid://shopify/Product/1",
		"title": "Shirt",
		"variants": edges("ProductVariant",
			variant("gid://shopify/ProductVariant/11", "SHIRT-S"),
			variant("gid://shopify/ProductVariant/12", "SHIRT-M")),
	}}
	root := gqlexec.Map{Type: "QueryRoot", Fields: map[string]any{
		"products": func(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
			// In bulk mode a resolver returns every node, whatever first/last say.
			_ = gqlexec.IsBulk(ctx)
			return edges("Product", product), nil
		},
	}}
	objects, roots, err := gqlexec.WriteBulkJSONL(context.Background(), os.Stdout, schema, doc, nil, root, false)
	fmt.Println(objects, roots, err)
	// Output:
	// {"id":"gid://shopify/Product/1","title":"Shirt"}
	// {"id":"gid://shopify/ProductVariant/11","sku":"SHIRT-S","__parentId":"gid://shopify/Product/1"}
	// {"id":"gid://shopify/ProductVariant/12","sku":"SHIRT-M","__parentId":"gid://shopify/Product/1"}
	// 3 1 <nil>
}

func ExampleRequestedCost() {
	schema, _ := adminschema.Load()
	doc, _ := adminschema.Validate("cost.graphql", `query Products($n: Int!) {
  products(first: $n) { edges { node { title variants(first: 5) { edges { node { price } } } } } }
}`)
	cost, err := gqlexec.RequestedCost(schema, doc, "", map[string]any{"n": 10})
	fmt.Println(cost, err)
	// Output: 82 <nil>
}
