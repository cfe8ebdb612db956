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
// therefore pages by key: the last (time, id) it handed out. Its text is
// self-contained ("phase|unix|id|offset"), so a listing resumes from it in
// another process.
type cursor struct {
	phase string    // "p" and "v" for products' two phases, "" otherwise
	at    time.Time // the last time handed out (zero at the start)
	id    int64     // the last id handed out
	// off is where, among the entries from at's second on, the next
	// unseen entry probably starts (a run of one second can be longer
	// than a page); listings check it and go back when entries moved.
	off int
}

func (k cursor) String() string {
	unix := int64(0)
	if !k.at.IsZero() {
		unix = k.at.Unix()
	}
	return fmt.Sprintf("%s|%d|%d|%d", k.phase, unix, k.id, k.off)
}

func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	parts := strings.Split(s, "|")
	if len(parts) != 4 {
		return cursor{}, fmt.Errorf("%w: %q is not a WooCommerce cursor", wmssync.ErrCursorExpired, s)
	}
	unix, err1 := strconv.ParseInt(parts[1], 10, 64)
	id, err2 := strconv.ParseInt(parts[2], 10, 64)
	off, err3 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil || err3 != nil || off < 0 {
		return cursor{}, fmt.Errorf("%w: %q is not a WooCommerce cursor", wmssync.ErrCursorExpired, s)
	}
	k := cursor{phase: parts[0], id: id, off: off}
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
