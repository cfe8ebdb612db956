package connector

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// cursor is where a listing continues. WooCommerce pages by offset, which
// skips an entry when an earlier one leaves the sort order while the
// listing runs (an order modified, a product deleted); the connector
// therefore pages by key: the last (time, id) or id it handed out, with a
// page number only for the rare run of more than a page of entries in
// one second. Its text is self-contained ("phase|unix|id|page"), so a
// listing resumes from it in another process.
type cursor struct {
	phase string    // "" for the single phase of a listing, "p" and "v" for products' two
	at    time.Time // the last time handed out (zero for id-ordered listings)
	id    int64     // the last id handed out
	page  int       // page within the entries of one second at or after at
}

func (k cursor) String() string {
	unix := int64(0)
	if !k.at.IsZero() {
		unix = k.at.Unix()
	}
	return fmt.Sprintf("%s|%d|%d|%d", k.phase, unix, k.id, k.page)
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{page: 1}, nil
	}
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return cursor{}, fmt.Errorf("%w: %q is not a WooCommerce cursor", wmssync.ErrCursorExpired, s)
	}
	unix, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	page, err3 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || page < 1 {
		return cursor{}, fmt.Errorf("%w: %q is not a WooCommerce cursor", wmssync.ErrCursorExpired, s)
	}
	k := cursor{phase: parts[0], id: id, page: page}
	if unix != 0 {
		k.at = time.Unix(unix, 0).UTC()
	}
	return k, nil
}

// after reports whether an entry (at, id) comes after the cursor in
// (time, id) order.
func (k cursor) after(at time.Time, id int64) bool {
	if c := at.Compare(k.at); c != 0 {
		return c > 0
	}
	return id > k.id
}
