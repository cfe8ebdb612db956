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
// k: fetch lists the entries after a time (exclusive, whole seconds; zero
// for no bound) sorted ascending, page by page. since is the listing's
// lower bound (inclusive; zero for none). It returns the new entries, the
// cursor after them, whether the listing is done, and the X-WP-Total of
// the query.
func keysetPage[T keyed](ctx context.Context, k cursor, since time.Time,
	fetch func(ctx context.Context, after time.Time, page int) ([]T, *woocommerce.Response, error)) ([]T, cursor, bool, int64, error) {
	base := k.at
	if base.IsZero() && !since.IsZero() {
		base = since.Truncate(time.Second)
	}
	var after time.Time
	if !base.IsZero() {
		after = base.Add(-time.Second) // WooCommerce's bound is exclusive
	}
	items, resp, err := fetch(ctx, after, k.page)
	if err != nil {
		return nil, k, false, -1, err
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
	first, _ := items[0].key()
	next := cursor{phase: k.phase, at: lastAt, id: lastID, page: 1}
	switch {
	case !k.at.IsZero() && lastAt.Equal(k.at):
		next.page = k.page + 1 // the whole page was in the cursor's second
	case first.Equal(lastAt):
		next.page = 2 // a whole page in one new second: the next query's page 1 is this one
	}
	if len(keep) == 0 && next.at.Equal(k.at) && next.id == k.id {
		next.page = k.page + 1
	}
	return keep, next, false, total, nil
}
