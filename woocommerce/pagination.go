package woocommerce

import (
	"context"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ListOptions selects a page of a collection. WooCommerce pages by number:
// page is 1-based and per_page is 1 to MaxPerPage (WooCommerce's default
// is 10; the iterators ask for MaxPerPage). A page past the end is empty.
type ListOptions struct {
	Page    int
	PerPage int
	// Offset, when above 0, skips that many entries instead of paging
	// (WooCommerce then ignores Page).
	Offset int
}

// Filter holds the filters every WooCommerce collection of products, variations and
// orders takes. Dates are sent in UTC with dates_are_gmt=true, so they are
// compared with the _gmt columns whatever the site's time zone; the
// bounds are exclusive and have one-second resolution.
type Filter struct {
	// ModifiedAfter and ModifiedBefore bound date_modified (WooCommerce
	// 5.8+); zero means unbounded.
	ModifiedAfter, ModifiedBefore time.Time
	// After and Before bound date_created.
	After, Before time.Time
	// Include lists ids to return (only these); Exclude ids to leave out.
	Include, Exclude []int64
	// Search is WooCommerce's free-text search.
	Search string
	// OrderBy is "date" (WooCommerce's default), "id", "modified",
	// "include", "title" or "slug" (products add "price", "popularity",
	// "rating"). WooCommerce adds the id as a tiebreaker for date and
	// modified.
	OrderBy string
	// Order is "asc" or "desc" (WooCommerce's default).
	Order string
	// Fields limits the answer to these top-level fields (_fields); the id
	// is always kept.
	Fields []string
}

// values returns the query parameters of o and f.
func (f *Filter) values(q url.Values) {
	if f == nil {
		return
	}
	gmt := false
	for _, d := range []struct {
		name string
		t    time.Time
	}{{"modified_after", f.ModifiedAfter}, {"modified_before", f.ModifiedBefore}, {"after", f.After}, {"before", f.Before}} {
		if !d.t.IsZero() {
			q.Set(d.name, formatGMT(d.t))
			gmt = true
		}
	}
	if gmt {
		q.Set("dates_are_gmt", "true")
	}
	setIDs(q, "include", f.Include)
	setIDs(q, "exclude", f.Exclude)
	setString(q, "search", f.Search)
	setString(q, "orderby", f.OrderBy)
	setString(q, "order", f.Order)
	if len(f.Fields) > 0 {
		q.Set("_fields", strings.Join(f.Fields, ","))
	}
}

func (o *ListOptions) values(q url.Values) {
	if o == nil {
		return
	}
	if o.Page > 0 {
		q.Set("page", strconv.Itoa(o.Page))
	}
	if o.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(o.PerPage))
	}
	if o.Offset > 0 {
		q.Set("offset", strconv.Itoa(o.Offset))
	}
}

func setString(q url.Values, k, v string) {
	if v != "" {
		q.Set(k, v)
	}
}

func setIDs(q url.Values, k string, ids []int64) {
	if len(ids) == 0 {
		return
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	q.Set(k, strings.Join(s, ","))
}

// Paginate returns an iterator over every item of a collection. fetch loads
// page number page (1-based); Paginate calls it lazily, one page at a time,
// as the caller ranges, and stops after an empty page, at X-WP-TotalPages,
// or (without that header) when no Link rel="next" follows. An error is
// yielded once (with T's zero value) and ends the iteration; breaking out
// of the loop stops fetching.
//
// WooCommerce pages by offset: an item that moves in the sort order while
// the iteration runs (a product modified under orderby=modified) can be
// seen twice or skipped. Sort by id for a stable listing, or overlap
// incremental windows and de-duplicate.
//
//	for p, err := range client.Products().All(ctx, nil) {
//		if err != nil { return err }
//		...
//	}
func Paginate[T any](ctx context.Context, fetch func(ctx context.Context, page int) ([]T, *Response, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			items, resp, err := fetch(ctx, page)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if len(items) == 0 || resp == nil {
				return
			}
			if resp.TotalPages >= 0 {
				if page >= resp.TotalPages {
					return
				}
			} else if !resp.HasNext {
				return
			}
		}
	}
}

// list is the common body of the List methods.
func list[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, *Response, error) {
	var out []T
	resp, err := c.Do(ctx, &Request{Path: path, Query: q}, &out)
	if err != nil {
		return nil, resp, err
	}
	return out, resp, nil
}

// all pages through path with per_page at most MaxPerPage, starting from
// the query q (which it does not change).
func all[T any](ctx context.Context, c *Client, path string, q url.Values) iter.Seq2[T, error] {
	return Paginate(ctx, func(ctx context.Context, page int) ([]T, *Response, error) {
		pq := url.Values{}
		for k, v := range q {
			pq[k] = v
		}
		if pq.Get("per_page") == "" {
			pq.Set("per_page", strconv.Itoa(MaxPerPage))
		}
		pq.Set("page", strconv.Itoa(page))
		return list[T](ctx, c, path, pq)
	})
}
