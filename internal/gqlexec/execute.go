package gqlexec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Stats describes one execution.
type Stats struct {
	// Objects counts the object values completed below the root (every
	// Object a resolver returned and the executor descended into), for
	// actual-cost accounting.
	Objects int
	// ActualCost is Shopify's actual query cost of the execution, by the
	// rules of RequestedCost applied to what was returned: 1 per object,
	// 2 per connection plus 1 per node returned (edges, edge and pageInfo
	// objects are free), 10 per mutation root field with its payload free.
	// It equals the requested cost when every connection returns a full
	// page and no object is null.
	ActualCost int
}

// Execute runs one operation of doc, which must already be validated
// against schema (gqlparser's validator, e.g. adminschema.Validate), and
// returns the `data` JSON and the errors.
//
// operationName selects the operation; it may be empty when doc holds one.
// variables are the request's JSON-decoded variable values: they are
// coerced against the operation's variable definitions (defaults applied,
// ints accepted for ID and Float, a single value for a list). When an
// operation cannot be selected or a variable is invalid, data is nil and
// errs says why (as Shopify does, no data key should then be sent).
//
// The data object keeps selection order, honours aliases, fragments,
// inline fragments with type conditions on objects, interfaces and unions,
// @skip/@include, and merges same-key fields. Root fields of a mutation run
// serially; everything runs on the caller's goroutine, in selection order.
// A null in a non-null position bubbles to the nearest nullable parent; if
// that is the root, data is the JSON null.
//
// root serves the fields of the operation's root type (QueryRoot or
// Mutation); OperationType(ctx) tells a resolver which.
func Execute(ctx context.Context, schema *ast.Schema, doc *ast.QueryDocument, operationName string,
	variables map[string]any, root Object) (data json.RawMessage, errs gqlerror.List, stats Stats) {
	e, op, errs := prepare(ctx, schema, doc, operationName, variables)
	if errs != nil {
		return nil, errs, Stats{}
	}
	rootDef := rootType(schema, op.Operation)
	if rootDef == nil {
		return nil, gqlerror.List{locatedError(fmt.Sprintf("Schema is not configured for %ss", op.Operation), op.Position)}, Stats{}
	}
	ctx = context.WithValue(ctx, opKey, op.Operation)
	plans := e.plan(rootDef, nil, op.SelectionSet)
	if op.Operation == ast.Mutation {
		for _, p := range plans {
			p.mutationRoot = true
		}
	}
	if !e.execObject(ctx, rootDef, root, plans) {
		e.buf = append(e.buf[:0], "null"...)
	}
	return json.RawMessage(e.buf), e.errs, e.stats
}

// NewError returns a GraphQL error with extensions.code set, for resolvers
// that fail a field the way Shopify does (e.g. "ACCESS_DENIED").
func NewError(code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": code}}
}

func rootType(s *ast.Schema, op ast.Operation) *ast.Definition {
	switch op {
	case ast.Query:
		return s.Query
	case ast.Mutation:
		return s.Mutation
	case ast.Subscription:
		return s.Subscription
	}
	return nil
}

func locatedError(msg string, pos *ast.Position) *gqlerror.Error {
	err := &gqlerror.Error{Message: msg}
	if pos != nil {
		err.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	return err
}

// selectOperation picks the operation to run (spec "GetOperation").
func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *gqlerror.Error) {
	if name == "" {
		switch len(doc.Operations) {
		case 0:
			return nil, &gqlerror.Error{Message: "No operations in query document"}
		case 1:
			return doc.Operations[0], nil
		}
		return nil, &gqlerror.Error{Message: "An operation name is required"}
	}
	op := doc.Operations.ForName(name)
	if op == nil {
		return nil, &gqlerror.Error{Message: fmt.Sprintf("No operation named %q", name)}
	}
	return op, nil
}

// prepare selects the operation and coerces the variables.
func prepare(ctx context.Context, schema *ast.Schema, doc *ast.QueryDocument, operationName string,
	variables map[string]any) (*executor, *ast.OperationDefinition, gqlerror.List) {
	if schema == nil || doc == nil {
		return nil, nil, gqlerror.List{{Message: "gqlexec: nil schema or document"}}
	}
	op, gerr := selectOperation(doc, operationName)
	if gerr != nil {
		return nil, nil, gqlerror.List{gerr}
	}
	vars, errs := coerceVariables(schema, op, variables)
	if errs != nil {
		return nil, nil, errs
	}
	e := &executor{
		schema: schema,
		col:    collector{schema: schema, doc: doc, vars: vars},
		cache:  map[planKey][]*fieldPlan{},
		buf:    make([]byte, 0, 1024),
		path:   make([]any, 0, 16),
	}
	return e, op, nil
}

// coerceVariables implements spec "CoerceVariableValues" with Shopify's
// (graphql-ruby's) error shape.
func coerceVariables(s *ast.Schema, op *ast.OperationDefinition, in map[string]any) (map[string]any, gqlerror.List) {
	out := make(map[string]any, len(op.VariableDefinitions))
	var errs gqlerror.List
	for _, vd := range op.VariableDefinitions {
		v, present := in[vd.Variable]
		var (
			c   any
			err *inputError
		)
		switch {
		case !present && vd.DefaultValue != nil:
			c, err = coerceLiteral(s, vd.Type, vd.DefaultValue, nil)
		case !present && vd.Type.NonNull:
			err = &inputError{explanation: "Expected value to not be null"}
		case !present:
			continue
		default:
			c, err = coerceVariable(s, vd.Type, v)
		}
		if err != nil {
			path := err.path
			if path == nil {
				path = []any{}
			}
			ge := locatedError(fmt.Sprintf("Variable $%s of type %s was provided invalid value", vd.Variable, vd.Type.String()), vd.Position)
			ge.Extensions = map[string]any{
				"value":    v,
				"problems": []any{map[string]any{"path": path, "explanation": err.explanation}},
			}
			errs = append(errs, ge)
			continue
		}
		out[vd.Variable] = c
	}
	return out, errs
}

type planKey struct {
	typ    string
	parent *fieldPlan
}

// fieldPlan is everything about one response key of a selection set on one
// object type that does not depend on the value being resolved.
type fieldPlan struct {
	key      string
	fields   []*ast.Field
	def      *ast.FieldDefinition
	call     FieldCall // template; Path is set per call
	err      *gqlerror.Error
	typename bool
	conn     *connInfo // non-nil for connection types
	// wrapper marks edges and pageInfo of a connection: their objects
	// cost nothing (the connection's 2 points cover them).
	wrapper bool
	// mutationRoot marks a mutation root field: 10 points, payload free.
	mutationRoot bool
	// introspection marks __schema and __type on the query root.
	introspection bool
}

type executor struct {
	schema *ast.Schema
	col    collector
	cache  map[planKey][]*fieldPlan
	buf    []byte
	path   []any
	errs   gqlerror.List
	stats  Stats
	free   int // >0 inside a mutation payload (not charged)
	// hook, when set, takes over connection fields (bulk JSONL). It
	// reports whether it handled the field; handled fields are omitted
	// from the enclosing object.
	hook func(ctx context.Context, p *fieldPlan, v any) bool
}

// plan returns the field plans of the selection sets on object type def,
// cached per (type, parent plan).
func (e *executor) plan(def *ast.Definition, parent *fieldPlan, sets ...ast.SelectionSet) []*fieldPlan {
	k := planKey{def.Name, parent}
	if p, ok := e.cache[k]; ok {
		return p
	}
	groups := e.col.collect(def.Name, sets...)
	plans := make([]*fieldPlan, 0, len(groups))
	for _, g := range groups {
		f := g.fields[0]
		p := &fieldPlan{key: g.key, fields: g.fields}
		if f.Name == "__typename" {
			p.typename = true
			plans = append(plans, p)
			continue
		}
		p.def = def.Fields.ForName(f.Name)
		if p.def == nil {
			p.err = locatedError(fmt.Sprintf("Field '%s' doesn't exist on type '%s'", f.Name, def.Name), f.Position)
			plans = append(plans, p)
			continue
		}
		p.call = FieldCall{
			Name:       f.Name,
			Alias:      g.key,
			Definition: p.def,
			Selection:  subSelections(g.fields),
		}
		p.call.Args, p.err = e.coerceArgs(p.def.Arguments, f.Arguments, f.Position)
		if p.err == nil {
			p.call.Directives, p.err = e.coerceDirectives(f.Directives, f.Position)
		}
		p.conn = connectionOf(e.schema, p.def.Type)
		p.introspection = parent == nil && introspectionField(def == e.schema.Query, f.Name)
		p.wrapper = parent != nil && parent.conn != nil && parent.conn.def == def && (f.Name == "edges" || f.Name == "pageInfo")
		plans = append(plans, p)
	}
	e.cache[k] = plans
	return plans
}

func (e *executor) coerceArgs(defs ast.ArgumentDefinitionList, args ast.ArgumentList, pos *ast.Position) (map[string]any, *gqlerror.Error) {
	out := make(map[string]any, len(args))
	for _, ad := range defs {
		a := args.ForName(ad.Name)
		given := a != nil
		if given && a.Value.Kind == ast.Variable {
			if _, ok := e.col.vars[a.Value.Raw]; !ok {
				given = false
			}
		}
		if !given {
			if ad.DefaultValue != nil {
				v, err := coerceLiteral(e.schema, ad.Type, ad.DefaultValue, nil)
				if err != nil {
					return nil, argError(ad.Name, err, pos)
				}
				out[ad.Name] = v
			} else if ad.Type.NonNull {
				return nil, argError(ad.Name, &inputError{explanation: "Expected value to not be null"}, pos)
			}
			continue
		}
		v, err := coerceLiteral(e.schema, ad.Type, a.Value, e.col.vars)
		if err != nil {
			return nil, argError(ad.Name, err, a.Position)
		}
		out[ad.Name] = v
	}
	return out, nil
}

func argError(name string, err *inputError, pos *ast.Position) *gqlerror.Error {
	ge := locatedError(fmt.Sprintf("Argument '%s' has an invalid value: %s", name, err.explanation), pos)
	ge.Extensions = map[string]any{"code": "argumentLiteralsIncompatible", "argumentName": name}
	return ge
}

func (e *executor) coerceDirectives(dirs ast.DirectiveList, pos *ast.Position) (map[string]map[string]any, *gqlerror.Error) {
	var out map[string]map[string]any
	for _, d := range dirs {
		if d.Name == "skip" || d.Name == "include" {
			continue
		}
		var defs ast.ArgumentDefinitionList
		if dd := e.schema.Directives[d.Name]; dd != nil {
			defs = dd.Arguments
		}
		args, err := e.coerceArgs(defs, d.Arguments, d.Position)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]map[string]any{}
		}
		out[d.Name] = args
	}
	return out, nil
}

func (e *executor) pathCopy() []any {
	return append(make([]any, 0, len(e.path)), e.path...)
}

func (e *executor) astPath() ast.Path {
	p := make(ast.Path, len(e.path))
	for i, s := range e.path {
		switch s := s.(type) {
		case string:
			p[i] = ast.PathName(s)
		case int:
			p[i] = ast.PathIndex(s)
		}
	}
	return p
}

// fieldError records err for the field at the current path.
func (e *executor) fieldError(err error, f *ast.Field) {
	var ge *gqlerror.Error
	if errors.As(err, &ge) {
		c := *ge
		ge = &c
	} else {
		ge = &gqlerror.Error{Message: err.Error(), Err: err}
	}
	if ge.Path == nil {
		ge.Path = e.astPath()
	}
	if ge.Locations == nil && f != nil && f.Position != nil {
		ge.Locations = []gqlerror.Location{{Line: f.Position.Line, Column: f.Position.Column}}
	}
	e.errs = append(e.errs, ge)
}

// execObject writes the selected fields of obj (of object type def) as a
// JSON object. It returns false when a non-null field is null, in which
// case the caller must null the whole object (the bytes written are
// discarded by the caller).
func (e *executor) execObject(ctx context.Context, def *ast.Definition, obj Object, plans []*fieldPlan) bool {
	e.buf = append(e.buf, '{')
	first := true
	for _, p := range plans {
		if e.hook != nil && p.conn != nil {
			// Bulk: connections become separate lines, not members.
			e.path = append(e.path, p.key)
			v, err := e.resolve(ctx, obj, p)
			if err != nil {
				e.fieldError(err, p.fields[0])
				e.path = e.path[:len(e.path)-1]
				if p.def.Type.NonNull {
					return false
				}
				continue
			}
			handled := e.hook(ctx, p, v)
			e.path = e.path[:len(e.path)-1]
			if handled {
				continue
			}
			if !first {
				e.buf = append(e.buf, ',')
			}
			first = false
			e.buf = appendString(e.buf, p.key)
			e.buf = append(e.buf, ':')
			if e.complete(ctx, p.def.Type, p, v) && p.def.Type.NonNull {
				return false
			}
			continue
		}
		if !first {
			e.buf = append(e.buf, ',')
		}
		first = false
		e.buf = appendString(e.buf, p.key)
		e.buf = append(e.buf, ':')
		if p.typename {
			e.buf = appendString(e.buf, def.Name)
			continue
		}
		e.path = append(e.path, p.key)
		if !e.field(ctx, obj, p) {
			e.path = e.path[:len(e.path)-1]
			return false
		}
		e.path = e.path[:len(e.path)-1]
	}
	e.buf = append(e.buf, '}')
	return true
}

func (e *executor) resolve(ctx context.Context, obj Object, p *fieldPlan) (v any, err error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.introspection {
		return e.introspect(&p.call), nil
	}
	if isNil(obj) {
		return nil, errors.New("gqlexec: nil Object")
	}
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, NewError("INTERNAL_SERVER_ERROR", fmt.Sprintf("gqlexec: resolver of %s panicked: %v", p.call.Name, r))
		}
	}()
	// One allocation for the call and (usually) its path.
	c := &callFrame{FieldCall: p.call}
	if len(e.path) <= len(c.pathBuf) {
		c.Path = append(c.pathBuf[:0:len(e.path)], e.path...)
	} else {
		c.Path = e.pathCopy()
	}
	return obj.Field(ctx, &c.FieldCall)
}

type callFrame struct {
	FieldCall
	pathBuf [8]any
}

// field resolves and writes one field; false means a null in a non-null
// position that must bubble.
func (e *executor) field(ctx context.Context, obj Object, p *fieldPlan) bool {
	if p.mutationRoot {
		e.stats.ActualCost += MutationCost
		e.free++
		defer func() { e.free-- }()
	}
	v, err := e.resolve(ctx, obj, p)
	if err != nil {
		e.fieldError(err, p.fields[0])
		e.buf = append(e.buf, "null"...)
		return !p.def.Type.NonNull
	}
	null := e.complete(ctx, p.def.Type, p, v)
	return !(null && p.def.Type.NonNull)
}

// complete writes v as a value of typ (spec "CompleteValue") and reports
// whether it wrote null. For a non-null typ a null result has already been
// reported as an error and the caller must bubble it.
func (e *executor) complete(ctx context.Context, typ *ast.Type, p *fieldPlan, v any) (null bool) {
	start := len(e.buf)
	if typ.NonNull {
		if isNil(v) {
			e.fieldError(fmt.Errorf("Cannot return null for non-nullable field %s.%s", parentTypeName(p), p.call.Name), p.fields[0])
			e.buf = append(e.buf, "null"...)
			return true
		}
		inner := *typ
		inner.NonNull = false
		return e.complete(ctx, &inner, p, v)
	}
	if isNil(v) {
		e.buf = append(e.buf, "null"...)
		return true
	}
	if typ.Elem != nil {
		return e.completeList(ctx, typ, p, v, start)
	}
	def := e.schema.Types[typ.NamedType]
	if def == nil {
		e.fieldError(fmt.Errorf("unknown type %s", typ.NamedType), p.fields[0])
		e.buf = append(e.buf, "null"...)
		return true
	}
	switch def.Kind {
	case ast.Scalar, ast.Enum:
		out, err := appendLeaf(e.buf, def, v)
		if err != nil {
			e.fieldError(err, p.fields[0])
			e.buf = append(e.buf[:start], "null"...)
			return true
		}
		e.buf = out
		return false
	}
	obj, ok := v.(Object)
	if !ok {
		e.fieldError(fmt.Errorf("gqlexec: %s.%s returned %T, want an Object", parentTypeName(p), p.call.Name, v), p.fields[0])
		e.buf = append(e.buf, "null"...)
		return true
	}
	objDef := e.schema.Types[obj.TypeName()]
	if objDef == nil || objDef.Kind != ast.Object || !e.possible(def, objDef) {
		e.fieldError(fmt.Errorf("gqlexec: %s.%s returned an object of type %q, which is not a possible %s", parentTypeName(p), p.call.Name, obj.TypeName(), def.Name), p.fields[0])
		e.buf = append(e.buf, "null"...)
		return true
	}
	e.stats.Objects++
	switch {
	case e.free > 0 || p.wrapper:
	case p.conn != nil:
		e.stats.ActualCost += ConnectionCost
	default:
		e.stats.ActualCost++
	}
	if !e.execObject(ctx, objDef, obj, e.plan(objDef, p, p.call.Selection)) {
		e.buf = append(e.buf[:start], "null"...)
		return true
	}
	return false
}

func parentTypeName(p *fieldPlan) string {
	if f := p.fields[0]; f.ObjectDefinition != nil {
		return f.ObjectDefinition.Name
	}
	return "?"
}

func (e *executor) possible(abstract, obj *ast.Definition) bool {
	if abstract.Name == obj.Name {
		return true
	}
	if abstract.Kind != ast.Interface && abstract.Kind != ast.Union {
		return false
	}
	for _, t := range e.schema.GetPossibleTypes(abstract) {
		if t.Name == obj.Name {
			return true
		}
	}
	return false
}

func (e *executor) completeList(ctx context.Context, typ *ast.Type, p *fieldPlan, v any, start int) bool {
	e.buf = append(e.buf, '[')
	elem := func(i int, x any) bool {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.path = append(e.path, i)
		null := e.complete(ctx, typ.Elem, p, x)
		e.path = e.path[:len(e.path)-1]
		if null && typ.Elem.NonNull {
			e.buf = append(e.buf[:start], "null"...)
			return false
		}
		return true
	}
	switch l := v.(type) {
	case []any:
		for i, x := range l {
			if !elem(i, x) {
				return true
			}
		}
	case []Object:
		for i, x := range l {
			if !elem(i, x) {
				return true
			}
		}
	case []string:
		for i, x := range l {
			if !elem(i, x) {
				return true
			}
		}
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			e.fieldError(fmt.Errorf("gqlexec: %s.%s returned %T, want a list", parentTypeName(p), p.call.Name, v), p.fields[0])
			e.buf = append(e.buf[:start], "null"...)
			return true
		}
		for i := 0; i < rv.Len(); i++ {
			if !elem(i, rv.Index(i).Interface()) {
				return true
			}
		}
	}
	e.buf = append(e.buf, ']')
	return false
}
