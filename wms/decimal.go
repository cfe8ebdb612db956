package wms

import (
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// Decimal is an exact decimal number kept as its text, such as "19.99" or
// "-3". Prices, costs, amounts and weights use it; the package never holds
// money in a float64. The zero value "" means "absent" and counts as zero in
// arithmetic and comparisons.
//
// The accepted format is an optional sign, digits, and an optional point
// followed by digits ("12", "-0.5", "7.250"). Exponents, fractions and
// separators are rejected by [ParseDecimal] and [Decimal.Valid]. Arithmetic on
// an invalid Decimal treats it as zero; validate input at the boundary with
// [ParseDecimal] or the model's Validate methods.
//
// Decimal decodes from a JSON string or a JSON number (kept digit for digit)
// and encodes as a JSON string. It is the same text format as the shopify
// package's Decimal, so a connector converts with a plain type conversion.
type Decimal string

// ParseDecimal checks s and returns it in canonical form: no leading '+', at
// least one digit before the point, the scale (digits after the point) kept.
// The empty string parses as the absent value "".
func ParseDecimal(s string) (Decimal, error) {
	c, err := decimal.Canonical(s)
	if err != nil {
		return "", fmt.Errorf("wms: %q is not a decimal number", s)
	}
	return Decimal(c), nil
}

// Valid reports whether d is "" or a well-formed decimal.
func (d Decimal) Valid() bool { return d == "" || decimal.Valid(string(d)) }

// IsZero reports whether d is absent or numerically zero.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Sign returns -1, 0 or +1 (0 for an invalid d).
func (d Decimal) Sign() int { return decimal.Sign(string(d)) }

// Cmp compares d and o numerically and returns -1, 0 or +1.
func (d Decimal) Cmp(o Decimal) int { return decimal.Cmp(string(d), string(o)) }

// Equal reports whether d and o are numerically equal ("1.50" equals "1.5").
func (d Decimal) Equal(o Decimal) bool { return d.Cmp(o) == 0 }

// Add returns d+o exactly, at the larger scale of the two.
func (d Decimal) Add(o Decimal) Decimal { return Decimal(decimal.Add(string(d), string(o))) }

// Sub returns d-o exactly, at the larger scale of the two.
func (d Decimal) Sub(o Decimal) Decimal { return Decimal(decimal.Sub(string(d), string(o))) }

// MulInt returns d*n exactly, at d's scale.
func (d Decimal) MulInt(n int64) Decimal { return Decimal(decimal.MulInt(string(d), n)) }

// DivInt returns d/n rounded to scale digits after the point, halves rounded
// away from zero (commercial rounding: 1.005 to 2 places is 1.01). It returns
// an error when n is zero or scale is negative.
func (d Decimal) DivInt(n int64, scale int) (Decimal, error) {
	if n == 0 {
		return "", fmt.Errorf("wms: decimal division by zero")
	}
	if scale < 0 || scale > 64 {
		return "", fmt.Errorf("wms: decimal scale %d out of range", scale)
	}
	r, err := decimal.Rat(string(d))
	if err != nil {
		r = new(big.Rat) // arithmetic on an invalid Decimal treats it as zero
	}
	return Decimal(decimal.Round(new(big.Rat).Quo(r, new(big.Rat).SetInt64(n)), scale)), nil
}

// Scale returns the number of digits after the decimal point ("1.50" has 2).
func (d Decimal) Scale() int { return decimal.Scale(string(d)) }

// String returns the decimal text; an absent value prints as "0".
func (d Decimal) String() string {
	if d == "" {
		return "0"
	}
	return string(d)
}

// MarshalJSON encodes d as a JSON string; the absent value encodes as "0".
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string, a JSON number or null (absent), and
// stores the canonical form.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	s, err := decimal.FromJSON(b)
	if err != nil {
		return fmt.Errorf("wms: %s is not a decimal number", b)
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
