package shopifytest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

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
}

// paginate applies first/last/after/before to the full (filtered, sorted)
// list. In a bulk operation every item is returned. id gives each item's
// legacy ID (the cursor key).
func paginate[T any](ctx context.Context, f *gqlexec.FieldCall, all []T, id func(T) int64) (page[T], error) {
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
	locate := func(c string) (int, error) {
		p, ok := decodeCursor(c)
		if !ok {
			return 0, &gqlerror.Error{Message: "Invalid cursor for current pagination sort.", Extensions: map[string]any{"code": "BAD_REQUEST"}}
		}
		for i, it := range all {
			if id(it) == p.LastID {
				return i, nil
			}
		}
		return -1, nil
	}
	if a := f.ArgString("after"); a != "" {
		i, err := locate(a)
		if err != nil {
			return page[T]{}, err
		}
		if i < 0 { // the cursor's item is gone: nothing reliable after it
			lo = len(all)
		} else {
			lo = i + 1
		}
	}
	if b := f.ArgString("before"); b != "" {
		i, err := locate(b)
		if err != nil {
			return page[T]{}, err
		}
		if i >= 0 && i < hi {
			hi = i
		}
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
	return page[T]{items: all[lo:hi], start: lo, hasNext: hi < len(all), hasPrev: lo > 0}, nil
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
				"cursor": encodeCursor(id(it), fmt.Sprint(id(it))),
				"node":   node(it),
			}}
		}
		return out, nil
	}
	pageInfo := func(context.Context, *gqlexec.FieldCall) (any, error) {
		var start, end any
		if n := len(p.items); n > 0 {
			start = encodeCursor(id(p.items[0]), fmt.Sprint(id(p.items[0])))
			end = encodeCursor(id(p.items[n-1]), fmt.Sprint(id(p.items[n-1])))
		}
		return gqlexec.Map{Type: "PageInfo", Fields: map[string]any{
			"hasNextPage": p.hasNext, "hasPreviousPage": p.hasPrev, "startCursor": start, "endCursor": end,
		}}, nil
	}
	return gqlexec.Map{Type: conn, Fields: map[string]any{"nodes": nodes, "edges": edges, "pageInfo": pageInfo}}
}

// connect paginates and builds the connection in one step.
func connect[T any](ctx context.Context, f *gqlexec.FieldCall, conn string, all []T, id func(T) int64, node func(T) gqlexec.Object) (any, error) {
	p, err := paginate(ctx, f, all, id)
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
