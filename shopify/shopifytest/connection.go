package shopifytest

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// cursorPayload is the JSON inside a cursor, shaped like Shopify's
// (base64 of {"last_id":...,"last_value":...}).
type cursorPayload struct {
	LastID    int64  `json:"last_id"`
	LastValue string `json:"last_value"`
}

func encodeCursor(id int64, value string) string {
	b, _ := json.Marshal(cursorPayload{LastID: id, LastValue: value})
	return base64.StdEncoding.EncodeToString(b)
}

func decodeCursor(c string) (cursorPayload, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return cursorPayload{}, false
	}
	var p cursorPayload
	if json.Unmarshal(b, &p) != nil || p.LastID == 0 {
		return cursorPayload{}, false
	}
	return p, true
}

// page is one resolved connection page.
type page[T any] struct {
	items            []T
	start            int // index of items[0] in the full list
	hasNext, hasPrev bool
	key              sortKey[T]
}

// sortKey gives an item's value of the connection's sort key, encoded so
// that strings compare in the sort's order (see timeKey, intKey); the list
// is sorted by (key, ID). A nil sortKey means the list is in a stored
// order that no cursor value describes (a product's variants by position).
type sortKey[T any] func(T) string

// timeKey, intKey and strKey encode sort values so that their strings
// compare like the values.
func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }
func intKey(n int64) string      { return fmt.Sprintf("%020d", uint64(n)^(1<<63)) }
func strKey(s string) string     { return s }

// byID is the sort key of a list in ascending ID order.
func byID[T any](T) string { return "" }

// paginate applies first/last/after/before to the full (filtered, sorted)
// list. In a bulk operation every item is returned. id gives each item's
// legacy ID.
//
// With a sort key, cursors work as Shopify's do: a cursor carries its
// item's sort value and ID, and the next page starts at the first item
// after that position, wherever the item itself is now. An item that
// changes between two page requests (an order updated, so it moves to the
// end of an UPDATED_AT listing) therefore makes no other item skip a page,
// and a cursor stays valid after its item is deleted. Without a sort key
// the cursor's item is looked up by ID in the current list.
func paginate[T any](ctx context.Context, f *gqlexec.FieldCall, all []T, id func(T) int64, key sortKey[T]) (page[T], error) {
	if gqlexec.IsBulk(ctx) {
		return page[T]{items: all}, nil
	}
	first, hasFirst := f.ArgInt("first")
	last, hasLast := f.ArgInt("last")
	if !hasFirst && !hasLast {
		return page[T]{}, &gqlerror.Error{Message: "you must provide one of first or last", Extensions: map[string]any{"code": "BAD_REQUEST"}}
	}
	if (hasFirst && first < 0) || (hasLast && last < 0) {
		return page[T]{}, &gqlerror.Error{Message: "first and last must be non-negative", Extensions: map[string]any{"code": "BAD_REQUEST"}}
	}
	if (hasFirst && first > maxPageSize) || (hasLast && last > maxPageSize) {
		return page[T]{}, &gqlerror.Error{Message: fmt.Sprintf("The maximum page size is %d.", maxPageSize), Extensions: map[string]any{"code": "BAD_REQUEST"}}
	}
	lo, hi := 0, len(all)
	dir := 1 // the list's direction: -1 when reversed
	if r, _ := f.Args["reverse"].(bool); r {
		dir = -1
	}
	// bound returns the index of the first item after the cursor's
	// position (strictly after when after is true, else at or after it).
	bound := func(c string, after bool) (int, error) {
		p, ok := decodeCursor(c)
		if !ok {
			return 0, &gqlerror.Error{Message: "Invalid cursor for current pagination sort.", Extensions: map[string]any{"code": "BAD_REQUEST"}}
		}
		if key == nil {
			for i, it := range all {
				if id(it) == p.LastID {
					if after {
						return i + 1, nil
					}
					return i, nil
				}
			}
			return len(all), nil // the cursor's item is gone: nothing reliable after it
		}
		for i, it := range all {
			c := cmp.Compare(key(it), p.LastValue)
			if c == 0 {
				c = cmp.Compare(id(it), p.LastID)
			}
			if c*dir > 0 || (c == 0 && !after) {
				return i, nil
			}
		}
		return len(all), nil
	}
	if a := f.ArgString("after"); a != "" {
		i, err := bound(a, true)
		if err != nil {
			return page[T]{}, err
		}
		lo = i
	}
	if b := f.ArgString("before"); b != "" {
		i, err := bound(b, false)
		if err != nil {
			return page[T]{}, err
		}
		hi = min(hi, i)
	}
	if lo > hi {
		lo = hi
	}
	if hasFirst && int(first) < hi-lo {
		hi = lo + int(first)
	}
	if hasLast && int(last) < hi-lo {
		lo = hi - int(last)
	}
	return page[T]{items: all[lo:hi], start: lo, hasNext: hi < len(all), hasPrev: lo > 0, key: key}, nil
}

// connection builds a Relay connection object (nodes, edges, pageInfo) for
// a page. conn is the connection type name (e.g. "ProductConnection").
func connection[T any](p page[T], conn string, id func(T) int64, node func(T) gqlexec.Object) gqlexec.Object {
	edgeType := conn[:len(conn)-len("Connection")] + "Edge"
	nodes := func(context.Context, *gqlexec.FieldCall) (any, error) {
		out := make([]gqlexec.Object, len(p.items))
		for i, it := range p.items {
			out[i] = node(it)
		}
		return out, nil
	}
	edges := func(context.Context, *gqlexec.FieldCall) (any, error) {
		out := make([]gqlexec.Object, len(p.items))
		for i, it := range p.items {
			out[i] = gqlexec.Map{Type: edgeType, Fields: map[string]any{
				"cursor": p.cursor(it, id),
				"node":   node(it),
			}}
		}
		return out, nil
	}
	pageInfo := func(context.Context, *gqlexec.FieldCall) (any, error) {
		var start, end any
		if n := len(p.items); n > 0 {
			start, end = p.cursor(p.items[0], id), p.cursor(p.items[n-1], id)
		}
		return gqlexec.Map{Type: "PageInfo", Fields: map[string]any{
			"hasNextPage": p.hasNext, "hasPreviousPage": p.hasPrev, "startCursor": start, "endCursor": end,
		}}, nil
	}
	return gqlexec.Map{Type: conn, Fields: map[string]any{"nodes": nodes, "edges": edges, "pageInfo": pageInfo}}
}

// cursor is the cursor of one item of the page: its ID and its sort value.
func (p page[T]) cursor(it T, id func(T) int64) string {
	if p.key == nil {
		return encodeCursor(id(it), fmt.Sprint(id(it)))
	}
	return encodeCursor(id(it), p.key(it))
}

// connect paginates a list in a stored order and builds the connection in
// one step; connectSorted does the same for a list sorted by key.
func connect[T any](ctx context.Context, f *gqlexec.FieldCall, conn string, all []T, id func(T) int64, node func(T) gqlexec.Object) (any, error) {
	return connectSorted(ctx, f, conn, all, id, nil, node)
}

func connectSorted[T any](ctx context.Context, f *gqlexec.FieldCall, conn string, all []T, id func(T) int64, key sortKey[T], node func(T) gqlexec.Object) (any, error) {
	p, err := paginate(ctx, f, all, id, key)
	if err != nil {
		return nil, err
	}
	return connection(p, conn, id, node), nil
}

// reverseIf reverses s in place when the reverse argument is true.
func reverseIf[T any](f *gqlexec.FieldCall, s []T) []T {
	if r, _ := f.Args["reverse"].(bool); r {
		for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
			s[i], s[j] = s[j], s[i]
		}
	}
	return s
}
