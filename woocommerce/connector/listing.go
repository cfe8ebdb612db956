package connector

import (
	"context"
	"time"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// perPage is the page size of every listing (WooCommerce's maximum).
const perPage = woocommerce.MaxPerPage

// keyed is a listing entry's sort key.
type keyed interface {
	key() (time.Time, int64)
}

// keysetPage reads the page of a listing sorted by (time, id) that follows
// k. fetch lists the entries after a time (exclusive, whole seconds; zero
// for no bound) sorted ascending, from an offset. since is the listing's
// lower bound (inclusive; zero for none). It returns the new entries, the
// cursor after them, whether the listing is done, and the X-WP-Total of
// the query.
//
// Entries only ever move later in the order (a change bumps the
// modification time) or leave it, so the entries after the cursor start
// at or before the offset the cursor remembers. The listing fetches from
// one entry before it: when that entry is already new, entries moved in
// front of it, and the listing steps back a page until it overlaps what
// it handed out.
func keysetPage[T keyed](ctx context.Context, k cursor, since time.Time,
	fetch func(ctx context.Context, after time.Time, offset int) ([]T, *woocommerce.Response, error)) ([]T, cursor, bool, int64, error) {
	base := k.at
	if base.IsZero() && !since.IsZero() {
		base = since.Truncate(time.Second)
	}
	var after time.Time
	if !base.IsZero() {
		after = base.Add(-time.Second) // WooCommerce's bound is exclusive
	}
	off := max(k.off-1, 0) // one entry of overlap
	var items []T
	var resp *woocommerce.Response
	for {
		var err error
		items, resp, err = fetch(ctx, after, off)
		if err != nil {
			return nil, k, false, -1, err
		}
		if off == 0 || k.at.IsZero() {
			break
		}
		if len(items) > 0 {
			if at, id := items[0].key(); !k.after(at, id) {
				break
			}
		} // else entries left the listing: the offset is past its end
		off = max(0, off-perPage)
	}
	total := int64(-1)
	if resp != nil {
		total = resp.Total
	}
	var keep []T
	for _, it := range items {
		at, id := it.key()
		if k.at.IsZero() || k.after(at, id) {
			keep = append(keep, it)
		}
	}
	if len(items) < perPage {
		return keep, cursor{phase: k.phase}, true, total, nil
	}
	lastAt, lastID := items[len(items)-1].key()
	next := cursor{phase: k.phase, at: lastAt, id: lastID}
	if firstAt, _ := items[0].key(); firstAt.Equal(lastAt) && !base.IsZero() && lastAt.Equal(base) {
		next.off = off + len(items) // the page lies in the second the query starts with
	} else {
		for _, it := range items {
			if at, _ := it.key(); at.Equal(lastAt) {
				next.off++
			}
		}
	}
	return keep, next, false, total, nil
}
