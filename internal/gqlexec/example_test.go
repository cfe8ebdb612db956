package gqlexec_test

import (
	"context"
	"fmt"

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
