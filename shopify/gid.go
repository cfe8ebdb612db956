package shopify

import (
	"fmt"
	"strconv"
	"strings"
)

// gidPrefix starts every Shopify global ID.
const gidPrefix = "gid://shopify/"

// GID builds a Shopify global ID such as "gid://shopify/Product/123" from a
// resource type and a legacy numeric ID. IDs are int64 throughout the
// library: Shopify's numeric IDs exceed 2^53 and must never pass through a
// float64.
func GID(resource string, id int64) string {
	return gidPrefix + resource + "/" + strconv.FormatInt(id, 10)
}

// ParseGID splits a global ID into its resource type and legacy numeric ID.
// Query parameters some GIDs carry (for example "?inventory_item_id=...") are
// ignored. It returns an error wrapping ErrInvalidGID for anything else.
func ParseGID(gid string) (resource string, id int64, err error) {
	rest, ok := strings.CutPrefix(gid, gidPrefix)
	if !ok {
		return "", 0, fmt.Errorf("%w: %q does not start with %q", ErrInvalidGID, gid, gidPrefix)
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest = rest[:i]
	}
	resource, num, ok := strings.Cut(rest, "/")
	if !ok || resource == "" || num == "" {
		return "", 0, fmt.Errorf("%w: %q is not gid://shopify/<Type>/<id>", ErrInvalidGID, gid)
	}
	id, perr := strconv.ParseInt(num, 10, 64)
	if perr != nil || id <= 0 {
		return "", 0, fmt.Errorf("%w: %q has no positive 64-bit numeric id", ErrInvalidGID, gid)
	}
	return resource, id, nil
}

// LegacyID returns the numeric ID of a global ID, checking that it names the
// expected resource type (pass "" to accept any type).
func LegacyID(gid, resource string) (int64, error) {
	r, id, err := ParseGID(gid)
	if err != nil {
		return 0, err
	}
	if resource != "" && r != resource {
		return 0, fmt.Errorf("%w: %q is a %s, want a %s", ErrInvalidGID, gid, r, resource)
	}
	return id, nil
}
