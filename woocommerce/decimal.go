package woocommerce

import (
	"fmt"
	"math/big"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// Decimal is an exact decimal number kept as its text, such as "21.99":
// prices, totals and amounts, which WooCommerce sends as JSON strings. The
// library never holds money in a float64. The zero value "" is what
// WooCommerce sends for an unset price (sale_price "", a variable product's
// price "") and compares as zero.
//
// Decimal decodes from a JSON string, a JSON number (kept digit for digit)
// or null, and encodes as a JSON string ("" stays ""). It has the text format
// of wms.Decimal and shopify.Decimal and shares their arithmetic, so a
// connector converts with a type conversion.
type Decimal string

// ParseDecimal checks s and returns it in canonical form (no leading '+', a
// digit before the point, scale kept).
func ParseDecimal(s string) (Decimal, error) {
	c, err := decimal.Canonical(s)
	if err != nil {
		return "", fmt.Errorf("woocommerce: %q is %w", s, err)
	}
	return Decimal(c), nil
}

// Valid reports whether d is "" (unset) or a well-formed decimal.
func (d Decimal) Valid() bool { return d == "" || decimal.Valid(string(d)) }

// IsZero reports whether d is zero or unset.
func (d Decimal) IsZero() bool { return decimal.Sign(string(d)) == 0 }

// Cmp compares d and o numerically: -1, 0 or +1 (invalid text counts as zero).
func (d Decimal) Cmp(o Decimal) int { return decimal.Cmp(string(d), string(o)) }

// Add returns d+o exactly.
func (d Decimal) Add(o Decimal) Decimal { return Decimal(decimal.Add(string(d), string(o))) }

// Sub returns d-o exactly.
func (d Decimal) Sub(o Decimal) Decimal { return Decimal(decimal.Sub(string(d), string(o))) }

// Neg returns -d ("" stays "").
func (d Decimal) Neg() Decimal {
	if d == "" {
		return ""
	}
	return Decimal(decimal.Sub("0", string(d)))
}

// MarshalJSON encodes d as a JSON string, "" when unset.
func (d Decimal) MarshalJSON() ([]byte, error) {
	return []byte(`"` + string(d) + `"`), d.check()
}

func (d Decimal) check() error {
	if !d.Valid() {
		return fmt.Errorf("woocommerce: %q is %w", string(d), decimal.ErrSyntax)
	}
	return nil
}

// UnmarshalJSON accepts a JSON string, a JSON number or null (unset).
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := decimal.FromJSON(b)
	if err != nil {
		return fmt.Errorf("woocommerce: decimal %s: %w", clip(string(b), 40), err)
	}
	*d = Decimal(s)
	return nil
}

// Number is an exact decimal number that WooCommerce sends and expects as a
// JSON number: quantities (line_items[].quantity, negative in refunds),
// stock_quantity (an integer, or a decimal on stores that allow fractional
// stock) and refund_total. Like Decimal it is kept as text, never a
// float64, and shares Decimal's arithmetic.
//
// Number decodes from a JSON number, a numeric JSON string or null, and
// encodes as a JSON number ("" encodes as 0; use a *Number with omitempty
// for an absent value).
type Number string

// Int returns n as a Number.
func Int(n int64) Number { return Number(big.NewInt(n).String()) }

// Int64 returns n as an int64, failing when n has a fraction or does not
// fit. "" is 0.
func (n Number) Int64() (int64, error) {
	r, err := decimal.Rat(string(n))
	if err != nil {
		return 0, fmt.Errorf("woocommerce: quantity %q is %w", string(n), err)
	}
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("woocommerce: quantity %q is not a whole number", string(n))
	}
	return r.Num().Int64(), nil
}

// Valid reports whether n is "" or a well-formed decimal.
func (n Number) Valid() bool { return n == "" || decimal.Valid(string(n)) }

// Cmp compares n and o numerically.
func (n Number) Cmp(o Number) int { return decimal.Cmp(string(n), string(o)) }

// String returns the text ("0" when unset).
func (n Number) String() string {
	if n == "" {
		return "0"
	}
	return string(n)
}

// MarshalJSON encodes n as a JSON number.
func (n Number) MarshalJSON() ([]byte, error) {
	c, err := decimal.Canonical(string(n))
	if err != nil {
		return nil, fmt.Errorf("woocommerce: number %q is %w", string(n), err)
	}
	if c == "" {
		c = "0"
	}
	return []byte(c), nil
}

// UnmarshalJSON accepts a JSON number, a numeric JSON string or null.
func (n *Number) UnmarshalJSON(b []byte) error {
	s, err := decimal.FromJSON(b)
	if err != nil {
		return fmt.Errorf("woocommerce: number %s: %w", clip(string(b), 40), err)
	}
	*n = Number(s)
	return nil
}

// clip shortens s for error messages.
func clip(s string, limit int) string {
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
