// Package gqlexec executes GraphQL documents against Go values, driven by
// a gqlparser schema. It is the engine of the simulated Shopify in
// shopify/shopifytest and knows nothing about Shopify's data: resolvers
// supply values through the Object interface.
//
// # Executing
//
// Parse and validate a document first (adminschema.Validate), then call
// Execute with a root Object:
//
//	doc, errs := adminschema.Validate("q.graphql", query)
//	data, errs, stats := gqlexec.Execute(ctx, schema, doc, "", vars, root)
//
// Execute follows the GraphQL specification's execution section: variable
// coercion with defaults, argument coercion with schema defaults, aliases,
// fragments and inline fragments with type conditions on objects,
// interfaces and unions, __typename, @skip/@include, field merging, lists,
// and null propagation for non-null fields. The data JSON is written in
// selection order directly from the resolved values; no map is marshalled.
// Errors have Shopify's shape: message, locations, path and, where the
// resolver sets it, extensions.code.
//
// Objects can be any type implementing Object; Map covers the common case
// of a fixed set of values and functions. FieldCall gives a resolver the
// coerced arguments, the directives of the field (e.g. @idempotent(key:)),
// its sub-selection and its response path.
//
// # Cost
//
// RequestedCost computes the requested cost of an operation before it
// runs, by the rules Shopify documents for the Admin API (see its doc).
//
// # Bulk operations
//
// CheckBulkQuery applies Shopify's bulk query restrictions and
// WriteBulkJSONL writes a query's result as Shopify's bulk JSONL (one line
// per connection node, __parentId on nested nodes). In bulk mode IsBulk(ctx)
// is true so connection resolvers return all nodes.
//
// # Concurrency
//
// Execute is safe for concurrent use with distinct roots or with roots that
// are themselves safe for concurrent use; one execution calls resolvers
// sequentially on the caller's goroutine. The schema and document are only
// read.
//
// # Introspection
//
// __schema and __type on the query root are answered by the executor from
// the schema; the root Object never sees them.
package gqlexec
