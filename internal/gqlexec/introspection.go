package gqlexec

import (
	"context"
	"sort"

	"github.com/vektah/gqlparser/v2/ast"
)

// Introspection: the executor answers __schema and __type on the query
// root itself, from the schema (GraphQL spec, "Schema Introspection"), so
// root Objects never see these fields. Fields whose names start with "__"
// are not listed, as the spec requires.

func introspectionField(rootQuery bool, name string) bool {
	return rootQuery && (name == "__schema" || name == "__type")
}

func (e *executor) introspect(f *FieldCall) any {
	if f.Name == "__schema" {
		return schemaObj{e.schema}
	}
	name, _ := f.Args["name"].(string)
	if def := e.schema.Types[name]; def != nil {
		return typeObj{s: e.schema, def: def}
	}
	return nil
}

type schemaObj struct{ s *ast.Schema }

func (schemaObj) TypeName() string { return "__Schema" }

func (o schemaObj) Field(_ context.Context, f *FieldCall) (any, error) {
	switch f.Name {
	case "description":
		return nil, nil
	case "types":
		names := make([]string, 0, len(o.s.Types))
		for n := range o.s.Types {
			names = append(names, n)
		}
		sort.Strings(names)
		out := make([]Object, len(names))
		for i, n := range names {
			out[i] = typeObj{s: o.s, def: o.s.Types[n]}
		}
		return out, nil
	case "queryType":
		return namedType(o.s, o.s.Query), nil
	case "mutationType":
		return namedType(o.s, o.s.Mutation), nil
	case "subscriptionType":
		return namedType(o.s, o.s.Subscription), nil
	case "directives":
		names := make([]string, 0, len(o.s.Directives))
		for n := range o.s.Directives {
			names = append(names, n)
		}
		sort.Strings(names)
		out := make([]Object, len(names))
		for i, n := range names {
			out[i] = directiveObj{o.s, o.s.Directives[n]}
		}
		return out, nil
	}
	return nil, nil
}

func namedType(s *ast.Schema, def *ast.Definition) any {
	if def == nil {
		return nil
	}
	return typeObj{s: s, def: def}
}

// typeObj is a named type (def) or a wrapping type (t with NonNull or Elem).
type typeObj struct {
	s   *ast.Schema
	def *ast.Definition
	t   *ast.Type
}

func typeOf(s *ast.Schema, t *ast.Type) Object {
	if t.NonNull || t.Elem != nil {
		return typeObj{s: s, t: t}
	}
	return typeObj{s: s, def: s.Types[t.NamedType]}
}

func (typeObj) TypeName() string { return "__Type" }

func (o typeObj) Field(_ context.Context, f *FieldCall) (any, error) {
	if o.t != nil {
		switch f.Name {
		case "kind":
			if o.t.NonNull {
				return "NON_NULL", nil
			}
			return "LIST", nil
		case "ofType":
			if o.t.NonNull {
				inner := *o.t
				inner.NonNull = false
				return typeOf(o.s, &inner), nil
			}
			return typeOf(o.s, o.t.Elem), nil
		}
		return nil, nil
	}
	if o.def == nil {
		return nil, nil
	}
	d := o.def
	withDeprecated, _ := f.Args["includeDeprecated"].(bool)
	switch f.Name {
	case "kind":
		return string(d.Kind), nil
	case "name":
		return d.Name, nil
	case "description":
		return nullable(d.Description), nil
	case "specifiedByURL":
		if dir := d.Directives.ForName("specifiedBy"); dir != nil {
			if a := dir.Arguments.ForName("url"); a != nil && a.Value != nil {
				return a.Value.Raw, nil
			}
		}
		return nil, nil
	case "fields":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil, nil
		}
		var out []Object
		for _, fd := range d.Fields {
			if len(fd.Name) > 1 && fd.Name[:2] == "__" {
				continue
			}
			if _, dep := deprecation(fd.Directives); dep && !withDeprecated {
				continue
			}
			out = append(out, fieldObj{o.s, fd})
		}
		return emptyIfNil(out), nil
	case "interfaces":
		if d.Kind != ast.Object && d.Kind != ast.Interface {
			return nil, nil
		}
		out := make([]Object, 0, len(d.Interfaces))
		for _, n := range d.Interfaces {
			out = append(out, typeObj{s: o.s, def: o.s.Types[n]})
		}
		return out, nil
	case "possibleTypes":
		if d.Kind != ast.Interface && d.Kind != ast.Union {
			return nil, nil
		}
		var out []Object
		for _, p := range o.s.GetPossibleTypes(d) {
			out = append(out, typeObj{s: o.s, def: p})
		}
		return emptyIfNil(out), nil
	case "enumValues":
		if d.Kind != ast.Enum {
			return nil, nil
		}
		var out []Object
		for _, ev := range d.EnumValues {
			if _, dep := deprecation(ev.Directives); dep && !withDeprecated {
				continue
			}
			out = append(out, enumValueObj{ev})
		}
		return emptyIfNil(out), nil
	case "inputFields":
		if d.Kind != ast.InputObject {
			return nil, nil
		}
		var out []Object
		for _, fd := range d.Fields {
			if _, dep := deprecation(fd.Directives); dep && !withDeprecated {
				continue
			}
			out = append(out, inputValueObj{o.s, fd.Name, fd.Description, fd.Type, fd.DefaultValue, fd.Directives})
		}
		return emptyIfNil(out), nil
	case "ofType":
		return nil, nil
	case "isOneOf":
		if d.Kind != ast.InputObject {
			return nil, nil
		}
		return d.Directives.ForName("oneOf") != nil, nil
	}
	return nil, nil
}

func emptyIfNil(l []Object) []Object {
	if l == nil {
		return []Object{}
	}
	return l
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// deprecation returns the deprecation reason and whether dirs hold
// @deprecated.
func deprecation(dirs ast.DirectiveList) (string, bool) {
	d := dirs.ForName("deprecated")
	if d == nil {
		return "", false
	}
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		return a.Value.Raw, true
	}
	return "No longer supported", true
}

type fieldObj struct {
	s *ast.Schema
	f *ast.FieldDefinition
}

func (fieldObj) TypeName() string { return "__Field" }

func (o fieldObj) Field(_ context.Context, f *FieldCall) (any, error) {
	switch f.Name {
	case "name":
		return o.f.Name, nil
	case "description":
		return nullable(o.f.Description), nil
	case "args":
		withDeprecated, _ := f.Args["includeDeprecated"].(bool)
		return args(o.s, o.f.Arguments, withDeprecated), nil
	case "type":
		return typeOf(o.s, o.f.Type), nil
	case "isDeprecated":
		_, dep := deprecation(o.f.Directives)
		return dep, nil
	case "deprecationReason":
		r, dep := deprecation(o.f.Directives)
		if !dep {
			return nil, nil
		}
		return r, nil
	}
	return nil, nil
}

func args(s *ast.Schema, defs ast.ArgumentDefinitionList, withDeprecated bool) []Object {
	out := make([]Object, 0, len(defs))
	for _, a := range defs {
		if _, dep := deprecation(a.Directives); dep && !withDeprecated {
			continue
		}
		out = append(out, inputValueObj{s, a.Name, a.Description, a.Type, a.DefaultValue, a.Directives})
	}
	return out
}

type inputValueObj struct {
	s          *ast.Schema
	name, desc string
	typ        *ast.Type
	def        *ast.Value
	dirs       ast.DirectiveList
}

func (inputValueObj) TypeName() string { return "__InputValue" }

func (o inputValueObj) Field(_ context.Context, f *FieldCall) (any, error) {
	switch f.Name {
	case "name":
		return o.name, nil
	case "description":
		return nullable(o.desc), nil
	case "type":
		return typeOf(o.s, o.typ), nil
	case "defaultValue":
		if o.def == nil {
			return nil, nil
		}
		return o.def.String(), nil
	case "isDeprecated":
		_, dep := deprecation(o.dirs)
		return dep, nil
	case "deprecationReason":
		r, dep := deprecation(o.dirs)
		if !dep {
			return nil, nil
		}
		return r, nil
	}
	return nil, nil
}

type enumValueObj struct{ v *ast.EnumValueDefinition }

func (enumValueObj) TypeName() string { return "__EnumValue" }

func (o enumValueObj) Field(_ context.Context, f *FieldCall) (any, error) {
	switch f.Name {
	case "name":
		return o.v.Name, nil
	case "description":
		return nullable(o.v.Description), nil
	case "isDeprecated":
		_, dep := deprecation(o.v.Directives)
		return dep, nil
	case "deprecationReason":
		r, dep := deprecation(o.v.Directives)
		if !dep {
			return nil, nil
		}
		return r, nil
	}
	return nil, nil
}

type directiveObj struct {
	s *ast.Schema
	d *ast.DirectiveDefinition
}

func (directiveObj) TypeName() string { return "__Directive" }

func (o directiveObj) Field(_ context.Context, f *FieldCall) (any, error) {
	switch f.Name {
	case "name":
		return o.d.Name, nil
	case "description":
		return nullable(o.d.Description), nil
	case "isRepeatable":
		return o.d.IsRepeatable, nil
	case "locations":
		out := make([]string, len(o.d.Locations))
		for i, l := range o.d.Locations {
			out[i] = string(l)
		}
		return out, nil
	case "args":
		withDeprecated, _ := f.Args["includeDeprecated"].(bool)
		return args(o.s, o.d.Arguments, withDeprecated), nil
	}
	return nil, nil
}
