package gqlexec

import (
	"context"
	"errors"
	"math"

	"github.com/vektah/gqlparser/v2/ast"
)

// MaxQueryCost is the highest requested cost Shopify accepts for a single
// query ("A single query may not exceed a cost of 1,000 points, regardless
// of plan limits", shopify.dev/docs/api/usage/limits).
const MaxQueryCost = 1000

// MutationCost is the cost of a mutation root field (shopify.dev rate
// limits table: "Mutation | 10").
const MutationCost = 10

// ConnectionCost is the fixed part of a connection's cost: "Connections:
// two points plus the number of returned objects" (Shopify Engineering,
// "Rate Limiting GraphQL APIs by Calculating Query Complexity").
const ConnectionCost = 2

// FieldCost is one entry of a requested-cost breakdown, shaped like the
// entries Shopify returns in extensions.cost.fields when the
// Shopify-GraphQL-Cost-Debug header is set: RequestedTotalCost is
// DefinedCost plus RequestedChildrenCost. Fields inside a connection's
// nodes are reported per node (not multiplied by the page size); the
// connection's own entry carries the multiplied total.
type FieldCost struct {
	Path                  []string `json:"path"`
	DefinedCost           int      `json:"definedCost"`
	RequestedTotalCost    int      `json:"requestedTotalCost"`
	RequestedChildrenCost int      `json:"requestedChildrenCost"`
}

// ErrCost is returned (wrapped in the gqlerror list's first error) when the
// cost of an operation cannot be computed because the operation or its
// variables are invalid.
var ErrCost = errors.New("gqlexec: cannot compute query cost")

// RequestedCost computes Shopify's requested query cost of one operation of
// a validated document before execution.
//
// Rules, from Shopify's documentation:
//
//   - shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits ("Cost
//     calculation"): a field returning a scalar or an enum costs 0, an
//     object 1, an interface or a union "Maximum of possible selections", a
//     connection is "Sized by first and last arguments", a mutation costs 10.
//     The docs' breakdown example shows requestedTotalCost = definedCost +
//     requestedChildrenCost (shop: 1 + 100 = 101).
//   - Shopify Engineering, "Rate Limiting GraphQL APIs by Calculating Query
//     Complexity": a shop object with only scalar fields costs 1;
//     "Connections: two points plus the number of returned objects".
//
// Implemented as: object field = 1 + cost of its selection; connection
// field = 2 + n × (1 + cost of the node selection), n = first or last (the
// larger if both are given), where the node selection is the union of
// edges { node { … } } and nodes { … }; edges, node, cursor and pageInfo
// add nothing beyond the 2. So products(first: 10) { edges { node { title
// variants(first: 5) { edges { node { price } } } } } } costs
// 2 + 10 × (1 + 2 + 5 × 1) = 82. Interface and union fields cost the
// maximum over their possible object types of (1 + selection cost for that
// type). The root operation object costs nothing.
//
// Where the docs are silent, assumed:
//   - A mutation root field costs a flat 10; its payload selection adds
//     nothing (what Shopify reports for typical mutations).
//   - A connection without first and last is sized 0 (Shopify rejects it
//     at execution anyway).
//   - A list of objects that is not a connection costs as many elements as
//     its first/last argument, or the length of an ids argument (nodes(ids:)),
//     else one element.
//   - Fields Shopify prices manually ("Shopify also reserves the right to set
//     manual costs on fields") and Shopify's newer, undocumented scaling of
//     large pages are not modelled.
//
// Variables are coerced as by Execute; an invalid variable or operation
// name returns an error wrapping ErrCost. The result saturates at
// math.MaxInt32 instead of overflowing.
func RequestedCost(schema *ast.Schema, doc *ast.QueryDocument, operationName string, variables map[string]any) (int, error) {
	total, _, err := RequestedCostFields(schema, doc, operationName, variables)
	return total, err
}

// RequestedCostFields is RequestedCost with the per-field breakdown, in
// selection order (for a Shopify-GraphQL-Cost-Debug response).
func RequestedCostFields(schema *ast.Schema, doc *ast.QueryDocument, operationName string, variables map[string]any) (int, []FieldCost, error) {
	e, op, errs := prepare(context.Background(), schema, doc, operationName, variables)
	if errs != nil {
		return 0, nil, &costError{errs[0]}
	}
	rootDef := rootType(schema, op.Operation)
	if rootDef == nil {
		return 0, nil, ErrCost
	}
	c := &coster{e: e, mutation: op.Operation == ast.Mutation}
	total := c.selection(rootDef, nil, []ast.SelectionSet{op.SelectionSet}, true)
	return int(total), c.fields, nil
}

type costError struct{ err error }

func (e *costError) Error() string        { return ErrCost.Error() + ": " + e.err.Error() }
func (e *costError) Unwrap() []error      { return []error{ErrCost, e.err} }
func (e *costError) Is(target error) bool { return target == ErrCost }

type coster struct {
	e        *executor
	mutation bool
	fields   []FieldCost
	path     []string
}

const costCap = math.MaxInt32

func satAdd(a, b int64) int64 {
	if a+b > costCap {
		return costCap
	}
	return a + b
}

func satMul(a, b int64) int64 {
	if a != 0 && b > costCap/a {
		return costCap
	}
	if a*b > costCap {
		return costCap
	}
	return a * b
}

// selection returns the cost of the selection sets on object type def.
func (c *coster) selection(def *ast.Definition, parent *fieldPlan, sets []ast.SelectionSet, root bool) int64 {
	var sum int64
	for _, p := range c.e.plan(def, parent, sets...) {
		if p.typename || p.def == nil {
			continue
		}
		sum = satAdd(sum, c.field(p, root))
	}
	return sum
}

// field returns the requested cost of one response key and records it.
func (c *coster) field(p *fieldPlan, root bool) int64 {
	c.path = append(c.path, p.key)
	defer func() { c.path = c.path[:len(c.path)-1] }()
	idx := len(c.fields)
	c.fields = append(c.fields, FieldCost{Path: append([]string(nil), c.path...)})
	var defined, children int64
	t := p.def.Type
	named := c.e.schema.Types[t.Name()]
	switch {
	case root && c.mutation:
		defined = MutationCost
	case named == nil || named.Kind == ast.Scalar || named.Kind == ast.Enum:
	case p.conn != nil:
		defined = ConnectionCost
		children = c.connection(p)
	default:
		n := int64(1)
		if t.Elem != nil {
			n = listSize(p.call.Args)
		}
		all := satMul(n, c.abstractOrObject(named, p, p.call.Selection))
		if all > 0 {
			defined, children = 1, all-1
		}
	}
	total := satAdd(defined, children)
	c.fields[idx].DefinedCost = int(defined)
	c.fields[idx].RequestedChildrenCost = int(children)
	c.fields[idx].RequestedTotalCost = int(total)
	return total
}

// abstractOrObject returns 1 + the selection cost on an object type, or
// the maximum of that over the possible types of an interface or union.
// Only the breakdown of the most expensive type is kept.
func (c *coster) abstractOrObject(def *ast.Definition, p *fieldPlan, sel ast.SelectionSet) int64 {
	if def.Kind == ast.Object {
		return satAdd(1, c.selection(def, p, []ast.SelectionSet{sel}, false))
	}
	var best int64
	var bestFields []FieldCost
	start := len(c.fields)
	for i, t := range c.e.schema.GetPossibleTypes(def) {
		v := satAdd(1, c.selection(t, p, []ast.SelectionSet{sel}, false))
		if i == 0 || v > best {
			best = v
			bestFields = append(bestFields[:0], c.fields[start:]...)
		}
		c.fields = c.fields[:start]
	}
	c.fields = append(c.fields, bestFields...)
	return best
}

// connection returns the children cost of a connection field: page size ×
// node cost, plus any non-wrapper fields selected on the connection.
func (c *coster) connection(p *fieldPlan) int64 {
	n := pageSize(p.call.Args)
	connDef := p.conn.def
	var nodeSets []ast.SelectionSet
	var extra int64
	for _, cp := range c.e.plan(connDef, p, p.call.Selection) {
		switch {
		case cp.typename || cp.def == nil:
		case cp.call.Name == "nodes":
			nodeSets = append(nodeSets, cp.call.Selection)
		case cp.call.Name == "edges":
			edgeDef := c.e.schema.Types[cp.def.Type.Name()]
			for _, ep := range c.e.plan(edgeDef, cp, cp.call.Selection) {
				if !ep.typename && ep.def != nil && ep.call.Name == "node" {
					nodeSets = append(nodeSets, ep.call.Selection)
				}
			}
		case cp.call.Name == "pageInfo":
		default:
			extra = satAdd(extra, c.field(cp, false))
		}
	}
	nodeDef := c.e.schema.Types[p.conn.nodeType.Name()]
	if len(nodeSets) == 0 || nodeDef == nil {
		return extra
	}
	c.path = append(c.path, "node")
	merged := &fieldPlan{key: "node", fields: p.fields}
	per := c.nodeCost(nodeDef, merged, nodeSets)
	c.path = c.path[:len(c.path)-1]
	return satAdd(extra, satMul(n, per))
}

func (c *coster) nodeCost(def *ast.Definition, p *fieldPlan, sets []ast.SelectionSet) int64 {
	if def.Kind == ast.Object {
		return satAdd(1, c.selection(def, p, sets, false))
	}
	var merged ast.SelectionSet
	for _, s := range sets {
		merged = append(merged, s...)
	}
	return c.abstractOrObject(def, p, merged)
}

// pageSize is the larger of the first and last arguments (0 without).
func pageSize(args map[string]any) int64 {
	var n int64
	for _, k := range []string{"first", "last"} {
		if v, ok := args[k].(int64); ok && v > n {
			n = v
		}
	}
	return n
}

// listSize sizes a list of objects that is not a connection.
func listSize(args map[string]any) int64 {
	if n := pageSize(args); n > 0 {
		return n
	}
	if ids, ok := args["ids"].([]any); ok {
		return int64(len(ids))
	}
	return 1
}
