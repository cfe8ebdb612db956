package gqlexec

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Bulk query limits, from shopify.dev "Perform bulk operations with the
// GraphQL Admin API" (bulk query restrictions): "Maximum of five total
// connections in the query", "Maximum of two levels deep for nested
// connections", "The top-level node and nodes fields can't be used".
const (
	MaxBulkConnections     = 5
	MaxBulkConnectionDepth = 2
)

// ErrInvalidBulkQuery is matched (errors.Is) by every *BulkQueryError.
var ErrInvalidBulkQuery = errors.New("invalid bulk query")

// BulkQueryError lists why a bulk query is rejected. Each message is what
// Shopify returns as one userErrors entry of bulkOperationRunQuery, with
// field ["query"] and code INVALID.
type BulkQueryError struct {
	Messages []string
}

func (e *BulkQueryError) Error() string { return strings.Join(e.Messages, " ") }

// Is reports whether target is ErrInvalidBulkQuery.
func (e *BulkQueryError) Is(target error) bool { return target == ErrInvalidBulkQuery }

// CheckBulkQuery enforces Shopify's bulk query rules on a validated
// document and returns nil or a *BulkQueryError listing every violation,
// in this order:
//
//   - the operation must be a query: "Invalid operation type. Only `query`
//     operations are supported." (returned alone);
//   - connections must be read through edges { node }: "All connection
//     fields in a bulk query must select their contents using 'edges' >
//     'node', e.g: 'products { edges { node {'. Selecting via 'nodes' is
//     not supported. Invalid connection fields: 'products'.";
//   - no top-level node or nodes field: "Bulk queries cannot contain a top
//     level `node` field.";
//   - at most 2 levels of nested connections: "Bulk queries cannot contain
//     connections with a nesting depth greater than 2.";
//   - at most 5 connections: "Bulk queries cannot contain more than 5
//     connections.";
//   - the node holding a nested connection selects id, unaliased: "The
//     parent 'node' field for a nested connection must select the 'id'
//     field without an alias and must be of 'ID' return type. Connection
//     fields without 'id': products.";
//   - no connection below a list field: "Queries that contain a connection
//     field within a list field are not currently supported.";
//   - at least one connection: "Bulk queries must contain at least one
//     connection."
//
// The rules are Shopify's documented restrictions; the message texts are
// the ones Shopify returns, as recorded in captured responses published by
// other Shopify simulators (the docs do not print them). The documented
// rule "Connections must implement the Node interface" is not checked.
// Bulk queries take no variables, so @skip/@include with variables count
// as included.
func CheckBulkQuery(schema *ast.Schema, doc *ast.QueryDocument) error {
	if schema == nil || doc == nil || len(doc.Operations) == 0 {
		return &BulkQueryError{Messages: []string{"Bulk queries must contain at least one connection."}}
	}
	op := doc.Operations[0]
	if op.Operation != ast.Query {
		return &BulkQueryError{Messages: []string{"Invalid operation type. Only `query` operations are supported."}}
	}
	a := &bulkAnalysis{schema: schema, doc: doc}
	var msgs []string
	for _, f := range a.fields(op.SelectionSet) {
		if f.Name == "node" || f.Name == "nodes" {
			a.topLevel = append(a.topLevel, f.Name)
		}
	}
	a.walk(op.SelectionSet, 0, false, "", true)
	if len(a.viaNodes) > 0 {
		msgs = append(msgs, fmt.Sprintf("All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: '%s { edges { node {'. Selecting via 'nodes' is not supported. Invalid connection fields: %s.", a.viaNodes[0], quoteList(a.viaNodes)))
	}
	for _, n := range a.topLevel {
		msgs = append(msgs, fmt.Sprintf("Bulk queries cannot contain a top level `%s` field.", n))
	}
	if a.maxDepth > MaxBulkConnectionDepth {
		msgs = append(msgs, fmt.Sprintf("Bulk queries cannot contain connections with a nesting depth greater than %d.", MaxBulkConnectionDepth))
	}
	if a.count > MaxBulkConnections {
		msgs = append(msgs, fmt.Sprintf("Bulk queries cannot contain more than %d connections.", MaxBulkConnections))
	}
	if len(a.noParentID) > 0 {
		msgs = append(msgs, "The parent 'node' field for a nested connection must select the 'id' field without an alias and must be of 'ID' return type. Connection fields without 'id': "+strings.Join(a.noParentID, ", ")+".")
	}
	if a.inList {
		msgs = append(msgs, "Queries that contain a connection field within a list field are not currently supported.")
	}
	if a.count == 0 {
		msgs = append(msgs, "Bulk queries must contain at least one connection.")
	}
	if msgs != nil {
		return &BulkQueryError{Messages: msgs}
	}
	return nil
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "'" + n + "'"
	}
	return strings.Join(q, ", ")
}

type bulkAnalysis struct {
	schema     *ast.Schema
	doc        *ast.QueryDocument
	count      int
	maxDepth   int
	inList     bool
	topLevel   []string
	viaNodes   []string
	noParentID []string
}

// fields flattens fragments and inline fragments regardless of type
// condition (every branch may run).
func (a *bulkAnalysis) fields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	var walk func(ast.SelectionSet, map[string]bool)
	walk = func(set ast.SelectionSet, seen map[string]bool) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				out = append(out, s)
			case *ast.InlineFragment:
				walk(s.SelectionSet, seen)
			case *ast.FragmentSpread:
				if seen[s.Name] {
					continue
				}
				seen[s.Name] = true
				def := s.Definition
				if def == nil {
					def = a.doc.Fragments.ForName(s.Name)
				}
				if def != nil {
					walk(def.SelectionSet, seen)
				}
			}
		}
	}
	walk(set, map[string]bool{})
	return out
}

func (a *bulkAnalysis) hasID(set ast.SelectionSet) bool {
	for _, f := range a.fields(set) {
		if f.Name == "id" && (f.Alias == "" || f.Alias == "id") && f.Definition != nil && f.Definition.Type.Name() == "ID" && f.Definition.Type.Elem == nil {
			return true
		}
	}
	return false
}

// walk visits set at connection depth depth; parentConn is the connection
// whose node holds set ("" at the root) and parentHasID whether that node
// selects id.
func (a *bulkAnalysis) walk(set ast.SelectionSet, depth int, inList bool, parentConn string, parentHasID bool) {
	for _, f := range a.fields(set) {
		if f.Definition == nil {
			continue
		}
		ci := connectionOf(a.schema, f.Definition.Type)
		if ci == nil {
			if len(f.SelectionSet) > 0 {
				a.walk(f.SelectionSet, depth, inList || f.Definition.Type.Elem != nil, parentConn, parentHasID)
			}
			continue
		}
		a.count++
		if depth+1 > a.maxDepth {
			a.maxDepth = depth + 1
		}
		if inList {
			a.inList = true
		}
		if depth > 0 && !parentHasID && !contains(a.noParentID, parentConn) {
			a.noParentID = append(a.noParentID, parentConn)
		}
		for _, cf := range a.fields(f.SelectionSet) {
			switch cf.Name {
			case "nodes":
				if !contains(a.viaNodes, f.Name) {
					a.viaNodes = append(a.viaNodes, f.Name)
				}
				a.walk(cf.SelectionSet, depth+1, false, f.Name, a.hasID(cf.SelectionSet))
			case "edges":
				for _, ef := range a.fields(cf.SelectionSet) {
					if ef.Name == "node" {
						a.walk(ef.SelectionSet, depth+1, false, f.Name, a.hasID(ef.SelectionSet))
					}
				}
			}
		}
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// bulkWindow is how many root nodes (with their descendants) are buffered
// before their lines are written in interleaved order.
const bulkWindow = 64

// WriteBulkJSONL executes a bulk query (the first operation of doc, which
// should pass CheckBulkQuery) and writes Shopify's bulk JSONL to w.
//
// The context carries IsBulk(ctx) == true, so connection resolvers must
// return every node regardless of first/last. Each node of a connection
// becomes one line holding the node's selected fields; connection fields
// (with their edges, node, cursor and pageInfo wrappers) are left out of
// the parent's line. Nodes of nested connections carry "__parentId": the
// id of the nearest enclosing connection node (also when the connection
// sits inside a plain object of that node). A top-level field that is not
// a connection becomes one root line itself; top-level scalars are
// ignored. Selection order and aliases are kept within a line.
//
// Ordering: with interleave false every line is followed by its
// descendants (groupObjects: true). With interleave true lines are written
// per window of root nodes, level by level, children round-robin across
// their parents: a child always comes after its parent and, except when
// only one parent in a window has children, not directly after it
// (Shopify's default, where children come after their parent "but not
// necessarily directly after it").
//
// Memory is bounded by one window of root nodes and their descendants;
// root nodes are resolved and written one by one. It returns the number of
// lines (objectCount) and of root lines (rootObjectCount). Field errors do
// not stop the export: affected fields are null, a node that becomes null
// is skipped, and the errors are returned as a gqlerror.List after the
// output was written (the simulator can then report FAILED with partial
// data). A write error or a cancelled ctx stops it.
func WriteBulkJSONL(ctx context.Context, w io.Writer, schema *ast.Schema, doc *ast.QueryDocument,
	variables map[string]any, root Object, interleave bool) (objectCount, rootObjectCount int64, err error) {
	ctx = WithBulk(ctx)
	if doc == nil || len(doc.Operations) == 0 {
		return 0, 0, gqlerror.List{{Message: "No operations in query document"}}
	}
	e, op, errs := prepare(ctx, schema, doc, doc.Operations[0].Name, variables)
	if errs != nil {
		return 0, 0, errs
	}
	rootDef := rootType(schema, op.Operation)
	if rootDef == nil || op.Operation != ast.Query {
		return 0, 0, &BulkQueryError{Messages: []string{"Invalid operation type. Only `query` operations are supported."}}
	}
	ctx = context.WithValue(ctx, opKey, op.Operation)
	bw := &bulkWriter{e: e, w: bufio.NewWriterSize(w, 64<<10), interleave: interleave}
	e.hook = bw.hook
	for _, p := range e.plan(rootDef, nil, op.SelectionSet) {
		if p.typename || p.def == nil {
			continue
		}
		e.path = append(e.path[:0], p.key)
		v, rerr := e.resolve(ctx, root, p)
		if rerr != nil {
			e.fieldError(rerr, p.fields[0])
			continue
		}
		if isNil(v) {
			continue
		}
		if p.conn != nil {
			err = bw.eachNode(ctx, p, v, func(nodePlan *fieldPlan, i int, obj Object) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				e.path = append(e.path[:1], "edges", i, "node")
				return bw.add(bw.line(ctx, nodePlan, obj, nil))
			})
		} else if named := schema.Types[p.def.Type.Name()]; named != nil && named.IsCompositeType() {
			err = bw.eachValue(v, func(i int, x any) error {
				obj, ok := x.(Object)
				if !ok {
					return nil
				}
				return bw.add(bw.line(ctx, p, obj, nil))
			})
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = bw.flush(len(bw.window))
	}
	if err == nil {
		err = bw.w.Flush()
	}
	if err == nil && len(e.errs) > 0 {
		err = e.errs
	}
	return bw.objects, bw.roots, err
}

type bulkLine struct {
	data     []byte
	children []*bulkLine
}

type pendingConn struct {
	plan *fieldPlan
	v    any
	path []any
}

type bulkWriter struct {
	e          *executor
	w          *bufio.Writer
	interleave bool
	window     []*bulkLine
	pending    *[]pendingConn // connections met in the line being built
	objects    int64
	roots      int64
}

// hook defers a connection field met while building a line.
func (b *bulkWriter) hook(ctx context.Context, p *fieldPlan, v any) bool {
	if b.pending == nil {
		return false
	}
	*b.pending = append(*b.pending, pendingConn{plan: p, v: v, path: b.e.pathCopy()})
	return true
}

// eachValue calls fn for each element of a list value, or once for a
// single value.
func (b *bulkWriter) eachValue(v any, fn func(int, any) error) error {
	switch l := v.(type) {
	case []Object:
		for i, x := range l {
			if err := fn(i, x); err != nil {
				return err
			}
		}
		return nil
	case []any:
		for i, x := range l {
			if err := fn(i, x); err != nil {
				return err
			}
		}
		return nil
	case Object:
		return fn(0, l)
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil
	}
	for i := 0; i < rv.Len(); i++ {
		if err := fn(i, rv.Index(i).Interface()); err != nil {
			return err
		}
	}
	return nil
}

// eachNode resolves the nodes of connection value v (through edges { node }
// or nodes, whichever is selected first) and calls fn with the plan of the
// node field.
func (b *bulkWriter) eachNode(ctx context.Context, p *fieldPlan, v any, fn func(*fieldPlan, int, Object) error) error {
	e := b.e
	conn, ok := v.(Object)
	if !ok {
		return nil
	}
	for _, cp := range e.plan(p.conn.def, p, p.call.Selection) {
		if cp.typename || cp.def == nil {
			continue
		}
		switch cp.call.Name {
		case "nodes":
			list, err := e.resolve(ctx, conn, cp)
			if err != nil {
				e.fieldError(err, cp.fields[0])
				return nil
			}
			return b.eachValue(list, func(i int, x any) error {
				if obj, ok := x.(Object); ok {
					return fn(cp, i, obj)
				}
				return nil
			})
		case "edges":
			list, err := e.resolve(ctx, conn, cp)
			if err != nil {
				e.fieldError(err, cp.fields[0])
				return nil
			}
			edgeDef := e.schema.Types[cp.def.Type.Name()]
			var nodePlan *fieldPlan
			for _, ep := range e.plan(edgeDef, cp, cp.call.Selection) {
				if !ep.typename && ep.def != nil && ep.call.Name == "node" {
					nodePlan = ep
					break
				}
			}
			if nodePlan == nil {
				return nil
			}
			return b.eachValue(list, func(i int, x any) error {
				edge, ok := x.(Object)
				if !ok {
					return nil
				}
				n, err := e.resolve(ctx, edge, nodePlan)
				if err != nil {
					e.fieldError(err, nodePlan.fields[0])
					return nil
				}
				if obj, ok := n.(Object); ok && !isNil(n) {
					return fn(nodePlan, i, obj)
				}
				return nil
			})
		}
	}
	return nil
}

// line builds the line of obj (selected by plan p) and, recursively, the
// lines of the nodes of its connections.
func (b *bulkWriter) line(ctx context.Context, p *fieldPlan, obj Object, parentID []byte) *bulkLine {
	e := b.e
	def := e.schema.Types[obj.TypeName()]
	want := e.schema.Types[p.def.Type.Name()]
	if def == nil || def.Kind != ast.Object || want == nil || !e.possible(want, def) {
		e.fieldError(fmt.Errorf("gqlexec: %s returned an object of type %q, which is not a possible %s", p.call.Name, obj.TypeName(), p.def.Type.Name()), p.fields[0])
		return nil
	}
	var pending []pendingConn
	saved := b.pending
	b.pending = &pending
	e.buf = e.buf[:0]
	plans := e.plan(def, p, p.call.Selection)
	ok := e.execObject(ctx, def, obj, plans)
	b.pending = saved
	if !ok {
		return nil
	}
	e.stats.Objects++
	data := e.buf
	if parentID != nil {
		data = data[:len(data)-1] // drop '}'
		if len(data) > 1 {
			data = append(data, ',')
		}
		data = append(data, `"__parentId":`...)
		data = append(data, parentID...)
		data = append(data, '}')
	}
	l := &bulkLine{data: append(make([]byte, 0, len(data)+1), data...)}
	l.data = append(l.data, '\n')
	if len(pending) == 0 {
		return l
	}
	id := b.id(ctx, def, obj, plans)
	for _, pc := range pending {
		if isNil(pc.v) {
			continue
		}
		_ = b.eachNode(ctx, pc.plan, pc.v, func(np *fieldPlan, i int, child Object) error {
			e.path = append(append(e.path[:0], pc.path...), "edges", i, "node")
			if c := b.line(ctx, np, child, id); c != nil {
				l.children = append(l.children, c)
			}
			return nil
		})
	}
	return l
}

// id returns the JSON of obj's id, resolving it when it is not selected.
func (b *bulkWriter) id(ctx context.Context, def *ast.Definition, obj Object, plans []*fieldPlan) []byte {
	e := b.e
	var p *fieldPlan
	for _, x := range plans {
		if x.key == "id" && !x.typename && x.def != nil && x.call.Name == "id" {
			p = x
			break
		}
	}
	if p == nil {
		fd := def.Fields.ForName("id")
		if fd == nil {
			return []byte("null")
		}
		p = &fieldPlan{key: "id", def: fd, call: FieldCall{Name: "id", Alias: "id", Args: map[string]any{}, Definition: fd}}
	}
	v, err := e.resolve(ctx, obj, p)
	if err != nil || isNil(v) {
		return []byte("null")
	}
	out, err := appendLeaf(nil, e.schema.Types["ID"], v)
	if err != nil {
		return []byte("null")
	}
	return out
}

// add buffers a root line. Grouped output is written at once; interleaved
// output is written a window at a time, but only once a second window is
// full, so that the last window written is never a lone root whose
// children would follow it directly.
func (b *bulkWriter) add(l *bulkLine) error {
	if l == nil {
		return nil
	}
	b.window = append(b.window, l)
	if !b.interleave {
		return b.flush(1)
	}
	if len(b.window) >= 2*bulkWindow {
		return b.flush(bulkWindow)
	}
	return nil
}

// flush writes the first n buffered root lines and their descendants.
func (b *bulkWriter) flush(n int) error {
	roots := b.window[:n]
	defer func() {
		rest := copy(b.window, b.window[n:])
		clear(b.window[rest:])
		b.window = b.window[:rest]
	}()
	b.roots += int64(len(roots))
	if !b.interleave {
		for _, l := range roots {
			if err := b.writeTree(l); err != nil {
				return err
			}
		}
		return nil
	}
	level := roots
	for len(level) > 0 {
		for _, l := range level {
			if err := b.write(l); err != nil {
				return err
			}
		}
		var next []*bulkLine
		for i := 0; ; i++ {
			more := false
			for _, p := range level {
				if i < len(p.children) {
					next = append(next, p.children[i])
					more = true
				}
			}
			if !more {
				break
			}
		}
		level = next
	}
	return nil
}

func (b *bulkWriter) write(l *bulkLine) error {
	b.objects++
	_, err := b.w.Write(l.data)
	return err
}

func (b *bulkWriter) writeTree(l *bulkLine) error {
	if err := b.write(l); err != nil {
		return err
	}
	for _, c := range l.children {
		if err := b.writeTree(c); err != nil {
			return err
		}
	}
	return nil
}
