package gqlexec

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// collectedField is one response key of a selection set: all field nodes
// sharing it, in document order (spec "CollectFields").
type collectedField struct {
	key    string
	fields []*ast.Field
}

// collector evaluates @skip/@include and fragment type conditions.
type collector struct {
	schema *ast.Schema
	doc    *ast.QueryDocument
	vars   map[string]any
}

// collect groups the selections of set that apply to the object type
// typeName by response key, preserving first-occurrence order.
func (c *collector) collect(typeName string, sets ...ast.SelectionSet) []collectedField {
	var out []collectedField
	index := map[string]int{}
	visited := map[string]bool{}
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !c.included(s.Directives) {
					continue
				}
				key := s.Alias
				if key == "" {
					key = s.Name
				}
				if i, ok := index[key]; ok {
					out[i].fields = append(out[i].fields, s)
					continue
				}
				index[key] = len(out)
				out = append(out, collectedField{key: key, fields: []*ast.Field{s}})
			case *ast.InlineFragment:
				if !c.included(s.Directives) {
					continue
				}
				if s.TypeCondition != "" && !c.applies(typeName, s.TypeCondition) {
					continue
				}
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if !c.included(s.Directives) || visited[s.Name] {
					continue
				}
				visited[s.Name] = true
				def := s.Definition
				if def == nil {
					def = c.doc.Fragments.ForName(s.Name)
				}
				if def == nil || !c.applies(typeName, def.TypeCondition) {
					continue
				}
				walk(def.SelectionSet)
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	return out
}

// applies reports whether a fragment with type condition cond applies to
// the object type typeName (spec "DoesFragmentTypeApply").
func (c *collector) applies(typeName, cond string) bool {
	if cond == typeName {
		return true
	}
	def := c.schema.Types[cond]
	if def == nil {
		return false
	}
	switch def.Kind {
	case ast.Interface, ast.Union:
		for _, p := range c.schema.GetPossibleTypes(def) {
			if p.Name == typeName {
				return true
			}
		}
	}
	return false
}

// included evaluates @skip(if:) and @include(if:).
func (c *collector) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		if d.Name != "skip" && d.Name != "include" {
			continue
		}
		a := d.Arguments.ForName("if")
		if a == nil {
			continue
		}
		v, _ := coerceLiteral(c.schema, ast.NonNullNamedType("Boolean", nil), a.Value, c.vars)
		b, _ := v.(bool)
		if d.Name == "skip" && b {
			return false
		}
		if d.Name == "include" && !b {
			return false
		}
	}
	return true
}

// subSelections merges the selection sets of all field nodes of a key.
func subSelections(fields []*ast.Field) ast.SelectionSet {
	if len(fields) == 1 {
		return fields[0].SelectionSet
	}
	var out ast.SelectionSet
	for _, f := range fields {
		out = append(out, f.SelectionSet...)
	}
	return out
}
