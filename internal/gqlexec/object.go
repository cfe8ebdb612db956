package gqlexec

import (
	"context"
	"errors"
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
)

// Object is a GraphQL object value. The executor asks it for each selected
// field. Implementations need not be safe for concurrent use: one execution
// calls Field sequentially, in selection order.
type Object interface {
	// TypeName is the concrete GraphQL object type (e.g. "Product"); used
	// for __typename, fragment type conditions and abstract return types
	// (Node, interfaces, unions).
	TypeName() string
	// Field resolves one selected field. It is called once per selected
	// response key after same-name fields have been merged.
	//
	// Allowed results: nil; string, bool, int, int32, int64, float64,
	// json.Number, json.RawMessage (emitted verbatim, for JSON scalars),
	// any type of string kind (such as shopify.Decimal) or with a String
	// method (custom scalars); an Object; slices of these ([]Object, []any,
	// []string or any typed slice). A returned error becomes a GraphQL error
	// with path and locations and the field becomes null; a *gqlerror.Error
	// (also when wrapped) keeps its message and extensions.
	Field(ctx context.Context, f *FieldCall) (any, error)
}

// FieldCall describes one field to resolve.
type FieldCall struct {
	// Name is the schema field name.
	Name string
	// Alias is the response key (equal to Name without an alias).
	Alias string
	// Args holds the coerced arguments: variables substituted and schema
	// defaults applied (also inside input objects). Values are nil, string
	// (enums, IDs, and custom scalars such as Decimal, Money, DateTime and
	// UnsignedInt64, numbers included, as their exact text), bool, int64
	// (Int), float64 (Float), []any and map[string]any; a JSON scalar is
	// any of these. An argument or input field that is neither given nor
	// defaulted is absent; one given as null is present with a nil value.
	// Args is shared by all calls of the same field: treat it as read-only.
	Args map[string]any
	// Directives holds the directives of this field occurrence with their
	// coerced arguments, e.g. {"idempotent": {"key": "abc"}}. @skip and
	// @include are evaluated by the executor and are not passed on.
	Directives map[string]map[string]any
	// Definition is the schema definition of the field.
	Definition *ast.FieldDefinition
	// Selection is the sub-selection (merged over all occurrences of the
	// response key), for resolvers that want to look ahead; see Selects.
	Selection ast.SelectionSet
	// Path is the response path of this field: strings and ints.
	Path []any
}

// ArgString returns the string argument name, or "" when it is absent or
// not a string.
func (f *FieldCall) ArgString(name string) string {
	s, _ := f.Args[name].(string)
	return s
}

// ArgInt returns the integer argument name and whether it was given
// (non-null).
func (f *FieldCall) ArgInt(name string) (int64, bool) {
	n, ok := f.Args[name].(int64)
	return n, ok
}

// Selects reports whether the sub-selection selects a field with the
// schema name name at its first level, looking through fragments and
// inline fragments whatever their type condition and ignoring
// @skip/@include. It is meant for cheap look-ahead (e.g. skip computing
// edges when only nodes are selected); a false positive is harmless.
func (f *FieldCall) Selects(name string) bool {
	return selects(f.Selection, name, 0)
}

func selects(set ast.SelectionSet, name string, depth int) bool {
	if depth > 32 {
		return false
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name, depth+1) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, name, depth+1) {
				return true
			}
		}
	}
	return false
}

// Resolver is the function form of a field accepted by Map.
type Resolver = func(ctx context.Context, f *FieldCall) (any, error)

// Map is a convenience Object: Type is the GraphQL type name, Fields maps
// schema field names (not aliases) to plain values or Resolver functions.
// A selected field missing from Fields resolves to an error wrapping
// ErrFieldNotImplemented, so gaps in a simulated type are visible rather
// than silently null. Map is read-only during execution and may be shared.
type Map struct {
	Type   string
	Fields map[string]any
}

// ErrFieldNotImplemented is returned (wrapped) by Map for a field it does
// not define.
var ErrFieldNotImplemented = errors.New("field not implemented")

// TypeName returns m.Type.
func (m Map) TypeName() string { return m.Type }

// Field returns the value stored under f.Name, calling it first when it is
// a Resolver.
func (m Map) Field(ctx context.Context, f *FieldCall) (any, error) {
	v, ok := m.Fields[f.Name]
	if !ok {
		return nil, fmt.Errorf("%s.%s: %w", m.Type, f.Name, ErrFieldNotImplemented)
	}
	switch fn := v.(type) {
	case Resolver:
		return fn(ctx, f)
	case func(context.Context, *FieldCall) any:
		return fn(ctx, f), nil
	}
	return v, nil
}

// Func adapts a function to Object.
type Func struct {
	Type    string
	Resolve Resolver
}

// TypeName returns o.Type.
func (o Func) TypeName() string { return o.Type }

// Field calls o.Resolve.
func (o Func) Field(ctx context.Context, f *FieldCall) (any, error) { return o.Resolve(ctx, f) }

type ctxKey int

const (
	bulkKey ctxKey = iota
	opKey
)

// WithBulk returns a context marking execution as a bulk operation: see
// IsBulk. WriteBulkJSONL sets it itself.
func WithBulk(ctx context.Context) context.Context {
	return context.WithValue(ctx, bulkKey, true)
}

// IsBulk reports whether a resolver runs inside a bulk operation, where
// Shopify applies no page size: connection resolvers should then return
// all nodes regardless of first/last.
func IsBulk(ctx context.Context) bool {
	b, _ := ctx.Value(bulkKey).(bool)
	return b
}

// OperationType reports the type of the operation being executed
// (ast.Query or ast.Mutation), so one root Object can serve both roots.
// It returns "" outside an execution.
func OperationType(ctx context.Context) ast.Operation {
	op, _ := ctx.Value(opKey).(ast.Operation)
	return op
}
