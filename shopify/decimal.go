package shopify

import (
	"encoding/json"
	"fmt"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// Decimal is an exact decimal number kept as its text, such as "19.99". Money
// and quantities with fractions use it; the library never stores money in a
// float64. The zero value "" means "absent" and compares as zero.
//
// The accepted text is an optional sign, digits, and an optional point
// followed by digits. Decimal decodes from a JSON string ("19.99", as
// GraphQL's Decimal and Money scalars and REST payloads send it) or a JSON
// number (kept digit for digit), and encodes as a JSON string. It has the same
// text format as wms.Decimal, so a connector converts with a type conversion.
type Decimal string

// ParseDecimal checks s and returns it as a Decimal in canonical form
// (no leading '+', at least one digit before the point, scale kept).
func ParseDecimal(s string) (Decimal, error) {
	c, err := decimal.Canonical(s)
	if err != nil {
		return "", fmt.Errorf("shopify: %q is %w", s, err)
	}
	return Decimal(c), nil
}

// MustDecimal is ParseDecimal for constants in tests and examples; it panics
// on invalid input and is not used by library code.
func MustDecimal(s string) Decimal {
	d, err := ParseDecimal(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Valid reports whether d is "" (absent) or a well-formed decimal.
func (d Decimal) Valid() bool { return d == "" || decimal.Valid(string(d)) }

// IsZero reports whether d is zero or absent.
func (d Decimal) IsZero() bool { return decimal.Sign(string(d)) == 0 }

// Cmp compares d and o numerically: -1, 0 or +1. Invalid values compare as zero.
func (d Decimal) Cmp(o Decimal) int { return decimal.Cmp(string(d), string(o)) }

// Add returns d+o, exact, at the larger of the two scales.
func (d Decimal) Add(o Decimal) Decimal { return Decimal(decimal.Add(string(d), string(o))) }

// Sub returns d-o, exact, at the larger of the two scales.
func (d Decimal) Sub(o Decimal) Decimal { return Decimal(decimal.Sub(string(d), string(o))) }

// MulInt returns d*n, exact.
func (d Decimal) MulInt(n int64) Decimal { return Decimal(decimal.MulInt(string(d), n)) }

// String returns the decimal text ("0" when absent).
func (d Decimal) String() string {
	if d == "" {
		return "0"
	}
	return string(d)
}

// MarshalJSON encodes d as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string, a JSON number or null (absent). The
// text is kept as sent.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := decimal.FromJSON(b)
	if err != nil {
		return fmt.Errorf("shopify: decimal %s: %w", truncateForError(b), err)
	}
	*d = Decimal(s)
	return nil
}

// truncateForError keeps error messages about bad input short.
func truncateForError(b []byte) string {
	const limit = 40
	if len(b) > limit {
		return string(b[:limit]) + "..."
	}
	return string(b)
}
