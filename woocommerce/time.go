package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// DateLayout is how WooCommerce writes dates: no time zone suffix, one
// second resolution. Fields ending in _gmt are UTC; the others are in the
// site's time zone.
const DateLayout = "2006-01-02T15:04:05"

// Time is a date as WooCommerce sends it ("2017-03-23T20:01:14", or null).
// A date without a zone suffix is read as UTC: use the _gmt fields (the
// library's types expose only those) to get the true instant. A zone suffix
// (RFC 3339), which some plugins add, is honoured. The zero Time is null.
type Time struct {
	time.Time
}

// MarshalJSON writes t in UTC in DateLayout, or null.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(DateLayout) + `"`), nil
}

// UnmarshalJSON reads DateLayout (as UTC), RFC 3339, "" or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("woocommerce: date %s: %w", clip(string(b), 40), err)
	}
	v, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// ParseTime reads a WooCommerce date: DateLayout (taken as UTC), RFC 3339
// or "" (zero).
func ParseTime(s string) (Time, error) {
	if s == "" {
		return Time{}, nil
	}
	if v, err := time.Parse(DateLayout, s); err == nil {
		return Time{v}, nil
	}
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		return Time{v.UTC()}, nil
	}
	return Time{}, fmt.Errorf("woocommerce: %q is not a WooCommerce date (%s)", clip(s, 40), DateLayout)
}

// formatGMT writes t for a query parameter compared with dates_are_gmt=true.
func formatGMT(t time.Time) string { return t.UTC().Format(DateLayout) }
