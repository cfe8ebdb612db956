package connector

import (
	"fmt"
	"strconv"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Cursors are self-contained strings:
//
//	page:<API cursor>                           the next page of a paged listing
//	bulk:<products op>|<stock op>|<offset>      a bulk export, after offset products
//	sales:<mode>|<op or since>|<offset>         an aggregated sales history
//
// so a listing resumes in another process from the cursor alone.

const (
	pagePrefix  = "page:"
	bulkPrefix  = "bulk:"
	salesPrefix = "sales:"
)

// splitCursor splits the part after prefix into n fields separated by '|'.
func splitCursor(cursor, prefix string, n int) ([]string, error) {
	rest, ok := strings.CutPrefix(cursor, prefix)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a %s cursor of this connector", wmssync.ErrCursorExpired, cursor, strings.TrimSuffix(prefix, ":"))
	}
	parts := strings.Split(rest, "|")
	if len(parts) != n {
		return nil, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
	}
	return parts, nil
}

func parseOffset(s, cursor string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: malformed offset in cursor %q", wmssync.ErrCursorExpired, cursor)
	}
	return n, nil
}
