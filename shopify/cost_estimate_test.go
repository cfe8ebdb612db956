package shopify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/wmsbridge/wmsbridge/internal/adminschema"
	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// TestEstimateCostOfEveryDocument compares the Limiter's estimate of every
// document of the client and the Shopify connector with the requested cost
// computed against Admin API 2026-10's schema (internal/gqlexec, the rules
// the simulator charges by), at several page and list sizes. The estimate
// must never be lower (a lower one sends a request the bucket cannot pay),
// and it must be exact for every document without fragments on abstract
// types, which is all of them today.
func TestEstimateCostOfEveryDocument(t *testing.T) {
	schema, err := adminschema.Load()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{"graphql/*.graphql", "connector/graphql/*.graphql", "*.graphql"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 40 {
		t.Fatalf("found %d documents; the test runs in the wrong directory", len(files))
	}
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(path, func(t *testing.T) {
			valid, errs := adminschema.Validate(path, string(src))
			if len(errs) > 0 {
				t.Fatalf("invalid document: %v", errs)
			}
			doc, err := parser.ParseQuery(&ast.Source{Name: path, Input: string(src)})
			if err != nil {
				t.Fatal(err)
			}
			for i, op := range doc.Operations {
				for _, size := range []int{1, 3, 12, 50, 250} {
					vars := sampleVariables(t, schema, op, size)
					want, err := gqlexec.RequestedCost(schema, valid, valid.Operations[i].Name, vars)
					if err != nil {
						t.Fatalf("size %d: requested cost: %v (variables %v)", size, err, vars)
					}
					if got := estimateCost(doc, op, vars); got != float64(want) {
						t.Errorf("%s with lists of %d: estimate %v, Shopify's rules %d", op.Name, size, got, want)
					}
				}
			}
		})
	}
}

// sampleVariables builds valid variables for op: every Int is n, every list
// has n elements, input objects have their required fields.
func sampleVariables(t *testing.T, s *ast.Schema, op *ast.OperationDefinition, n int) map[string]any {
	t.Helper()
	vars := map[string]any{}
	for _, vd := range op.VariableDefinitions {
		vars[vd.Variable] = sampleValue(t, s, vd.Type, n, 0)
	}
	return vars
}

func sampleValue(t *testing.T, s *ast.Schema, typ *ast.Type, n, depth int) any {
	t.Helper()
	if depth > 8 {
		t.Fatalf("input type %s nests too deep", typ)
	}
	if typ.Elem != nil {
		list := make([]any, n)
		for i := range list {
			list[i] = sampleValue(t, s, typ.Elem, n, depth+1)
		}
		return list
	}
	def := s.Types[typ.NamedType]
	switch {
	case def == nil:
		t.Fatalf("unknown type %s", typ.NamedType)
	case def.Kind == ast.Enum:
		return def.EnumValues[0].Name
	case def.Kind == ast.InputObject:
		m := map[string]any{}
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				m[f.Name] = sampleValue(t, s, f.Type, n, depth+1)
			}
		}
		return m
	}
	switch typ.NamedType {
	case "Int":
		return n
	case "Float":
		return 1.5
	case "Boolean":
		return true
	case "ID":
		return "gid://shopify/Product/1"
	case "DateTime":
		return "2026-01-02T03:04:05Z"
	case "Decimal", "Money":
		return "1.50"
	case "URL":
		return "https://example.com/hook"
	case "JSON":
		return map[string]any{}
	}
	if strings.HasSuffix(typ.NamedType, "ID") {
		return "1"
	}
	return "x"
}

// TestEstimateCostRules covers what the documents of the library do not:
// literals, defaults, number types of variables, abstract types, mutations
// and a document whose fragments spread each other.
func TestEstimateCostRules(t *testing.T) {
	cases := []struct {
		name, doc string
		vars      map[string]any
		want      float64
	}{
		{"literal page size", `query q { products(first: 5) { nodes { id variants(first: 2) { nodes { id } } } } }`, nil, 2 + 5*(1+2+2*1)},
		{"variable default", `query q($n: Int = 4) { products(first: $n) { edges { node { id } } } }`, nil, 2 + 4},
		{"variable over default", `query q($n: Int = 4) { products(first: $n) { edges { node { id } } } }`, map[string]any{"n": 10}, 2 + 10},
		{"json.Number and last", `query q($n: Int) { orders(last: $n) { nodes { id } } }`, map[string]any{"n": json.Number("7")}, 2 + 7},
		{"float64 from decoded JSON", `query q($n: Int) { orders(first: $n) { nodes { id } } }`, map[string]any{"n": float64(3)}, 2 + 3},
		{"no page size", `query q($n: Int) { orders(first: $n) { nodes { id } } }`, nil, 2},
		{"ids as []string", `query q($ids: [ID!]!) { nodes(ids: $ids) { id ... on Product { title } } }`, map[string]any{"ids": []string{"a", "b", "c"}}, 3},
		{"abstract: fragments add up", `query q($ids: [ID!]!) { nodes(ids: $ids) { ... on Product { options { id } } ... on Order { customer { id } shippingAddress { id } } } }`, map[string]any{"ids": []any{"a", "b"}}, 2 * (1 + 1 + 2)},
		{"objects", `query q { shop { name billingAddress { city } } }`, nil, 2},
		{"mutation root fields", `mutation m { a: tagsAdd(id: "1", tags: ["x"]) { node { id } } b: tagsAdd(id: "2", tags: ["y"]) { node { id } } }`, nil, 20},
		{"fragment cycle", `query q { shop { ...A } } fragment A on Shop { name ...B } fragment B on Shop { id ...A }`, nil, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: c.doc})
			if err != nil {
				t.Fatal(err)
			}
			if got := estimateCost(doc, doc.Operations[0], c.vars); got != c.want {
				t.Fatalf("estimate %v, want %v", got, c.want)
			}
		})
	}
}
