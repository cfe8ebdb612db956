package gqlexec

import (
	"encoding/json"
	"testing"
)

// introspectionQuery is the standard introspection query of GraphQL
// clients (graphql-js getIntrospectionQuery, trimmed to three ofType
// levels).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }`

func TestIntrospectionFullQuery(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{}} // never asked
	data, errs, _ := run(t, root, introspectionQuery, nil)
	require.Empty(t, errs)
	var out struct {
		Schema struct {
			QueryType    struct{ Name string }
			MutationType struct{ Name string }
			Types        []struct {
				Kind   string
				Name   string
				Fields []struct {
					Name              string
					IsDeprecated      bool
					DeprecationReason *string
				}
			}
			Directives []struct{ Name string }
		} `json:"__schema"`
	}
	require.NoError(t, json.Unmarshal([]byte(data), &out))
	assert.Equal(t, "QueryRoot", out.Schema.QueryType.Name)
	assert.Equal(t, "Mutation", out.Schema.MutationType.Name)
	assert.Len(t, out.Schema.Types, len(testSchema(t).Types))
	var app, query bool
	for _, ty := range out.Schema.Types {
		switch ty.Name {
		case "App":
			app = true
			for _, f := range ty.Fields {
				if f.Name == "developerUrl" {
					assert.True(t, f.IsDeprecated)
					assert.Equal(t, "Use `appStoreDeveloperUrl` instead.", *f.DeprecationReason)
				}
			}
		case "QueryRoot":
			query = true
			for _, f := range ty.Fields {
				assert.False(t, f.Name == "__schema" || f.Name == "__type", "introspection fields are not listed")
			}
		}
	}
	assert.True(t, app && query)
	found := false
	for _, d := range out.Schema.Directives {
		found = found || d.Name == "idempotent"
	}
	assert.True(t, found)
}

func TestIntrospectionType(t *testing.T) {
	root := Map{Type: "QueryRoot", Fields: map[string]any{}}
	data, errs, _ := run(t, root, `{
		product: __type(name: "Product") { kind name interfaces { name } fields { name } }
		id: __type(name: "Product") { fields { name type { kind name ofType { kind name } } } }
		status: __type(name: "ProductStatus") { kind enumValues { name } }
		input: __type(name: "InventoryQuantityInput") { kind inputFields { name defaultValue type { kind ofType { name } } } }
		missing: __type(name: "Nope") { name }
		node: __type(name: "Node") { kind possibleTypes { name } }
		__typename
	}`, nil)
	require.Empty(t, errs)
	var out map[string]any
	require.NoError(t, json.Unmarshal([]byte(data), &out))
	product := out["product"].(map[string]any)
	assert.Equal(t, "OBJECT", product["kind"])
	assert.True(t, len(product["fields"].([]any)) > 20)
	assert.Contains(t, data, `{"name":"Node"}`)
	assert.Contains(t, data, `{"name":"id","type":{"kind":"NON_NULL","name":null,"ofType":{"kind":"SCALAR","name":"ID"}}}`)
	assert.Contains(t, data, `"status":{"kind":"ENUM","enumValues":[{"name":"ACTIVE"},{"name":"ARCHIVED"},{"name":"DRAFT"},{"name":"UNLISTED"}]}`)
	assert.Contains(t, data, `{"name":"quantity","defaultValue":null,"type":{"kind":"NON_NULL","ofType":{"name":"Int"}}}`)
	assert.Equal(t, nil, out["missing"])
	assert.Equal(t, "QueryRoot", out["__typename"])
	assert.True(t, len(out["node"].(map[string]any)["possibleTypes"].([]any)) > 50)
}
