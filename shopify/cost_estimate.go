package shopify

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// mutationFieldCost is what Shopify charges for a mutation's root field.
const mutationFieldCost = 10

// maxEstimateDepth bounds the walk through nested selections and fragment
// spreads (a document whose fragments spread each other does not validate
// at Shopify; the estimate just stops there).
const maxEstimateDepth = 64

// estimateCost returns an upper bound of the requested cost Shopify
// computes for op before running it, from the document alone (no schema):
//
//   - a field without a selection is a scalar or an enum: 0;
//   - a root field of a mutation: 10, its payload nothing;
//   - a connection (a field selecting nodes, edges or pageInfo): 2 + n ×
//     (1 + the cost of one node), where n is the larger of its first and
//     last arguments (0 without: Shopify refuses to run it) and a node is
//     what is selected under nodes, edges { node } or on the field itself;
//     edges, cursor and pageInfo add nothing beyond the 2;
//   - another field with first or last (a list sized by them): n × (1 +
//     the selection);
//   - a field with ids (nodes(ids:)): len(ids) × (1 + the selection);
//   - any other field with a selection (an object): 1 + the selection.
//
// Shopify prices interfaces and unions at the most expensive possible type;
// without a schema the estimate adds up every inline fragment and fragment
// spread instead, so it can only be higher. Arguments are read from the
// request's variables, else from the variable's default value. These are
// Shopify's documented rules (shopify.dev, "Cost calculation"); Shopify may
// price a field differently, which is why the Limiter learns each
// operation's ratio of reported to estimated cost.
func estimateCost(doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) float64 {
	if op == nil {
		return 0
	}
	e := costEstimator{doc: doc, op: op, vars: vars}
	if op.Operation == ast.Mutation {
		n := 0
		e.eachField(op.SelectionSet, 0, func(*ast.Field, int) { n++ })
		return float64(n * mutationFieldCost)
	}
	return e.selection(op.SelectionSet, 0)
}

type costEstimator struct {
	doc  *ast.QueryDocument
	op   *ast.OperationDefinition
	vars map[string]any
}

// eachField calls fn for every field of set, looking through inline
// fragments and fragment spreads.
func (e *costEstimator) eachField(set ast.SelectionSet, depth int, fn func(*ast.Field, int)) {
	if depth > maxEstimateDepth {
		return
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			fn(s, depth)
		case *ast.InlineFragment:
			e.eachField(s.SelectionSet, depth+1, fn)
		case *ast.FragmentSpread:
			if f := e.doc.Fragments.ForName(s.Name); f != nil {
				e.eachField(f.SelectionSet, depth+1, fn)
			}
		}
	}
}

func (e *costEstimator) selection(set ast.SelectionSet, depth int) float64 {
	sum := 0.0
	e.eachField(set, depth, func(f *ast.Field, d int) { sum += e.field(f, d+1) })
	return sum
}

func (e *costEstimator) field(f *ast.Field, depth int) float64 {
	if len(f.SelectionSet) == 0 || depth > maxEstimateDepth {
		return 0
	}
	n := max(e.intArg(f, "first"), e.intArg(f, "last"))
	if e.connection(f.SelectionSet, depth) {
		return 2 + float64(max(n, 0))*(1+e.node(f.SelectionSet, depth))
	}
	if n >= 0 {
		return float64(n) * (1 + e.selection(f.SelectionSet, depth))
	}
	if n := e.listArg(f, "ids"); n >= 0 {
		return float64(n) * (1 + e.selection(f.SelectionSet, depth))
	}
	return 1 + e.selection(f.SelectionSet, depth)
}

// connection reports whether set selects from a connection: nodes, edges
// or pageInfo.
func (e *costEstimator) connection(set ast.SelectionSet, depth int) bool {
	found := false
	e.eachField(set, depth, func(f *ast.Field, _ int) {
		found = found || f.Name == "nodes" || f.Name == "edges" || f.Name == "pageInfo"
	})
	return found
}

// node is the cost of one node of a connection selected by set: what
// nodes { } and edges { node { } } select, and the fields of the set
// itself other than the connection's wrappers.
func (e *costEstimator) node(set ast.SelectionSet, depth int) float64 {
	sum := 0.0
	e.eachField(set, depth, func(f *ast.Field, d int) {
		switch f.Name {
		case "pageInfo", "__typename":
		case "nodes":
			sum += e.selection(f.SelectionSet, d+1)
		case "edges":
			e.eachField(f.SelectionSet, d+1, func(ef *ast.Field, ed int) {
				if ef.Name == "node" {
					sum += e.selection(ef.SelectionSet, ed+1)
				}
			})
		default:
			sum += e.field(f, d+1)
		}
	})
	return sum
}

// argValue returns the value of f's argument name: a variable's value from
// the request (or its default), or the literal. ok is false when it is
// absent or null.
func (e *costEstimator) argValue(f *ast.Field, name string) (lit *ast.Value, v any, ok bool) {
	a := f.Arguments.ForName(name)
	if a == nil || a.Value == nil {
		return nil, nil, false
	}
	if a.Value.Kind != ast.Variable {
		return a.Value, nil, a.Value.Kind != ast.NullValue
	}
	if v, ok := e.vars[a.Value.Raw]; ok {
		return nil, v, v != nil
	}
	if d := e.op.VariableDefinitions.ForName(a.Value.Raw); d != nil && d.DefaultValue != nil {
		return d.DefaultValue, nil, d.DefaultValue.Kind != ast.NullValue
	}
	return nil, nil, false
}

// intArg returns an integer argument, or -1 when it is absent or not a
// number.
func (e *costEstimator) intArg(f *ast.Field, name string) int64 {
	lit, v, ok := e.argValue(f, name)
	if !ok {
		return -1
	}
	if lit != nil {
		n, err := strconv.ParseInt(lit.Raw, 10, 64)
		if lit.Kind != ast.IntValue || err != nil || n < 0 {
			return -1
		}
		return n
	}
	var f64 float64
	switch x := v.(type) {
	case json.Number:
		n, err := x.Float64()
		if err != nil {
			return -1
		}
		f64 = n
	default:
		rv := reflect.ValueOf(v)
		switch {
		case rv.CanInt():
			f64 = float64(rv.Int())
		case rv.CanUint():
			f64 = float64(rv.Uint())
		case rv.CanFloat():
			f64 = rv.Float()
		default:
			return -1
		}
	}
	if f64 < 0 || math.IsNaN(f64) {
		return -1
	}
	return int64(math.Min(f64, math.MaxInt32))
}

// listArg returns the length of a list argument, or -1 when it is absent.
// A single value where a list is expected counts as one.
func (e *costEstimator) listArg(f *ast.Field, name string) int {
	lit, v, ok := e.argValue(f, name)
	switch {
	case !ok:
		return -1
	case lit != nil:
		if lit.Kind == ast.ListValue {
			return len(lit.Children)
		}
		return 1
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		return rv.Len()
	}
	return 1
}
