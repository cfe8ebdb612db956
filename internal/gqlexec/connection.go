package gqlexec

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// connInfo describes a Relay connection type: Shopify's XxxConnection
// objects with edges { node } and pageInfo (and, on most, nodes).
type connInfo struct {
	def      *ast.Definition // the connection type
	nodeType *ast.Type       // type of edges.node
}

// connectionOf returns the connection description of a field type, or nil
// when it is not a connection. A connection is an object type whose name
// ends in "Connection" with an edges field listing objects that have a
// node field, and a pageInfo field.
func connectionOf(s *ast.Schema, t *ast.Type) *connInfo {
	if t.Elem != nil {
		return nil
	}
	def := s.Types[t.NamedType]
	if def == nil || def.Kind != ast.Object || !strings.HasSuffix(def.Name, "Connection") {
		return nil
	}
	edges := def.Fields.ForName("edges")
	if edges == nil || def.Fields.ForName("pageInfo") == nil {
		return nil
	}
	et := edges.Type
	for et.Elem != nil {
		et = et.Elem
	}
	edgeDef := s.Types[et.NamedType]
	if edgeDef == nil {
		return nil
	}
	node := edgeDef.Fields.ForName("node")
	if node == nil {
		return nil
	}
	return &connInfo{def: def, nodeType: node.Type}
}
