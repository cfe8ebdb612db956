package shopify

import (
	"context"
	"fmt"
	"iter"
)

// MaxPageSize is the most nodes Shopify returns per connection page.
const MaxPageSize = 250

// PageCostBudget is the requestedQueryCost a page query should stay under:
// a quarter of Shopify's 1000-point per-query maximum, so a page never
// fails with MAX_COST_EXCEEDED and a bucket of 1000 holds several pages.
const PageCostBudget = 250

// PageInfo is a connection's paging state.
type PageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// Connection is one page of a GraphQL connection, queried as
// `nodes { ... } pageInfo { hasNextPage endCursor }`.
type Connection[T any] struct {
	Nodes    []T      `json:"nodes"`
	PageInfo PageInfo `json:"pageInfo"`
}

// PageSize returns the `first:` argument that keeps a page's
// requestedQueryCost within PageCostBudget when each node costs
// costPerNode points (1 for the node plus what its nested selections cost;
// a nested connection of first:n costs about n+2). It is at least 1 and at
// most MaxPageSize.
func PageSize(costPerNode int) int {
	if costPerNode < 1 {
		costPerNode = 1
	}
	// A connection costs 2 points plus its nodes.
	n := (PageCostBudget - 2) / costPerNode
	return max(1, min(n, MaxPageSize))
}

// Paginate returns an iterator over all nodes of a connection. fetch loads
// the page after cursor ("" for the first page); Paginate calls it lazily,
// one page at a time, as the caller ranges. An error from fetch is yielded
// once (with T's zero value) and ends the iteration. Breaking out of the
// loop stops fetching. A page whose cursor does not advance ends the
// iteration with an error instead of looping forever.
//
//	for p, err := range shopify.Paginate(ctx, fetchProducts) {
//		if err != nil { return err }
//		...
//	}
func Paginate[T any](ctx context.Context, fetch func(ctx context.Context, after string) (*Connection[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		after := ""
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			conn, err := fetch(ctx, after)
			if err != nil {
				yield(zero, err)
				return
			}
			if conn == nil {
				return
			}
			for _, n := range conn.Nodes {
				if !yield(n, nil) {
					return
				}
			}
			if !conn.PageInfo.HasNextPage {
				return
			}
			next := conn.PageInfo.EndCursor
			if next == "" || next == after {
				yield(zero, fmt.Errorf("shopify: page %d says it has a next page but its cursor %q does not advance", page, next))
				return
			}
			after = next
		}
	}
}
