package shopify

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/parser"
)

// Enum marks a variable value for InlineBulkQuery that must be written as a
// GraphQL enum literal (ACTIVE) rather than a string ("ACTIVE").
type Enum string

// ErrBulkQuery is wrapped by the errors of InlineBulkQuery.
var ErrBulkQuery = errors.New("shopify: invalid bulk query")

// InlineBulkQuery turns a query document with variables into the
// self-contained text bulkOperationRunQuery accepts (bulk queries cannot take
// variables): every $variable is replaced by the literal of vars[name],
// variables not given fall back to their default or, when nullable, drop
// the argument that used them; the variable definitions and the operation
// name are removed. This lets bulk queries live in .graphql files that are
// validated against the schema like every other document.
//
// Supported values: string, bool, signed and unsigned integers, Decimal,
// time.Time (RFC 3339), Enum, nil, slices and map[string]any of those.
// It returns an error wrapping ErrBulkQuery when the document does not parse,
// has more or less than one operation, or a required variable is missing.
func InlineBulkQuery(document string, vars map[string]any) (string, error) {
	doc, err := parser.ParseQuery(&ast.Source{Name: "bulk", Input: document})
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrBulkQuery, err)
	}
	if len(doc.Operations) != 1 {
		return "", fmt.Errorf("%w: want one operation, found %d", ErrBulkQuery, len(doc.Operations))
	}
	op := doc.Operations[0]
	if op.Operation != ast.Query {
		return "", fmt.Errorf("%w: a bulk query must be a query, not a %s", ErrBulkQuery, op.Operation)
	}
	defs := map[string]*ast.VariableDefinition{}
	for _, d := range op.VariableDefinitions {
		defs[d.Variable] = d
	}
	for name := range vars {
		if defs[name] == nil {
			return "", fmt.Errorf("%w: variable $%s is not declared", ErrBulkQuery, name)
		}
	}
	in := &inliner{vars: vars, defs: defs}
	in.selections(op.SelectionSet)
	for _, f := range doc.Fragments {
		in.selections(f.SelectionSet)
	}
	if in.err != nil {
		return "", in.err
	}
	op.VariableDefinitions = nil
	op.Name = ""
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithIndent("  ")).FormatQueryDocument(doc)
	return buf.String(), nil
}

type inliner struct {
	vars map[string]any
	defs map[string]*ast.VariableDefinition
	err  error
}

func (in *inliner) selections(set ast.SelectionSet) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			s.Arguments = in.arguments(s.Arguments)
			in.directives(s.Directives)
			in.selections(s.SelectionSet)
		case *ast.InlineFragment:
			in.directives(s.Directives)
			in.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			in.directives(s.Directives)
		}
	}
}

func (in *inliner) directives(ds ast.DirectiveList) {
	for _, d := range ds {
		d.Arguments = in.arguments(d.Arguments)
	}
}

func (in *inliner) arguments(args ast.ArgumentList) ast.ArgumentList {
	out := args[:0]
	for _, a := range args {
		v, keep := in.value(a.Value)
		if keep {
			a.Value = v
			out = append(out, a)
		}
	}
	return out
}

// value returns the literal for v and whether the surrounding argument or
// field stays (false: an unset nullable variable, so it is omitted).
func (in *inliner) value(v *ast.Value) (*ast.Value, bool) {
	if v == nil {
		return v, true
	}
	switch v.Kind {
	case ast.Variable:
		def := in.defs[v.Raw]
		if def == nil {
			in.fail(fmt.Errorf("%w: variable $%s is not declared", ErrBulkQuery, v.Raw))
			return v, true
		}
		if val, ok := in.vars[v.Raw]; ok {
			lit, err := literal(reflect.ValueOf(val))
			if err != nil {
				in.fail(fmt.Errorf("%w: variable $%s: %v", ErrBulkQuery, v.Raw, err))
			}
			return lit, true
		}
		if def.DefaultValue != nil {
			return def.DefaultValue, true
		}
		if def.Type.NonNull {
			in.fail(fmt.Errorf("%w: required variable $%s has no value", ErrBulkQuery, v.Raw))
			return v, true
		}
		return nil, false
	case ast.ListValue, ast.ObjectValue:
		kept := v.Children[:0]
		for _, c := range v.Children {
			cv, keep := in.value(c.Value)
			if keep {
				c.Value = cv
				kept = append(kept, c)
			}
		}
		v.Children = kept
	}
	return v, true
}

func (in *inliner) fail(err error) {
	if in.err == nil {
		in.err = err
	}
}

func literal(rv reflect.Value) (*ast.Value, error) {
	if !rv.IsValid() {
		return &ast.Value{Kind: ast.NullValue, Raw: "null"}, nil
	}
	switch x := rv.Interface().(type) {
	case Enum:
		return &ast.Value{Kind: ast.EnumValue, Raw: string(x)}, nil
	case Decimal:
		return &ast.Value{Kind: ast.StringValue, Raw: x.String()}, nil
	case time.Time:
		return &ast.Value{Kind: ast.StringValue, Raw: x.UTC().Format(time.RFC3339)}, nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return &ast.Value{Kind: ast.NullValue, Raw: "null"}, nil
		}
		return literal(rv.Elem())
	case reflect.String:
		return &ast.Value{Kind: ast.StringValue, Raw: rv.String()}, nil
	case reflect.Bool:
		return &ast.Value{Kind: ast.BooleanValue, Raw: strconv.FormatBool(rv.Bool())}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &ast.Value{Kind: ast.IntValue, Raw: strconv.FormatInt(rv.Int(), 10)}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &ast.Value{Kind: ast.IntValue, Raw: strconv.FormatUint(rv.Uint(), 10)}, nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return &ast.Value{Kind: ast.NullValue, Raw: "null"}, nil
		}
		l := &ast.Value{Kind: ast.ListValue}
		for i := range rv.Len() {
			c, err := literal(rv.Index(i))
			if err != nil {
				return nil, err
			}
			l.Children = append(l.Children, &ast.ChildValue{Value: c})
		}
		return l, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("map keys must be strings, not %s", rv.Type().Key())
		}
		o := &ast.Value{Kind: ast.ObjectValue}
		keys := rv.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		slices.Sort(names)
		for _, n := range names {
			c, err := literal(rv.MapIndex(reflect.ValueOf(n).Convert(rv.Type().Key())))
			if err != nil {
				return nil, err
			}
			o.Children = append(o.Children, &ast.ChildValue{Name: n, Value: c})
		}
		return o, nil
	}
	return nil, fmt.Errorf("unsupported value of type %s", rv.Type())
}

// reflectValue is reflect.ValueOf, named for tests.
func reflectValue(v any) reflect.Value { return reflect.ValueOf(v) }
