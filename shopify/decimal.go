package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// Decimal is an exact decimal number kept as its text, such as "19.99". Money
// and quantities with fractions use it; the library never stores money in a
// float64. The zero value "" means "absent" and compares as zero.
//
// Decimal decodes from a JSON string ("19.99", as GraphQL's Decimal and Money
// scalars and REST payloads send it) or a JSON number (kept digit for digit),
// and encodes as a JSON string.
type Decimal string

// ParseDecimal checks s and returns it as a Decimal in canonical form
// (no exponent, no leading '+', at least one digit before the point).
func ParseDecimal(s string) (Decimal, error) {
	r, err := parseRat(s)
	if err != nil {
		return "", err
	}
	return fromRat(r, scaleOf(s)), nil
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

// Valid reports whether d parses as a decimal ("" counts as valid zero).
func (d Decimal) Valid() bool { return d == "" || plainDecimal(string(d)) }

// IsZero reports whether d is zero or absent.
func (d Decimal) IsZero() bool { return d.Cmp("0") == 0 }

// Cmp compares d and o numerically: -1, 0 or +1. Invalid values compare as zero.
func (d Decimal) Cmp(o Decimal) int {
	a, _ := parseRat(string(d))
	b, _ := parseRat(string(o))
	return a.Cmp(b)
}

// Add returns d+o, exact, at the larger of the two scales.
func (d Decimal) Add(o Decimal) Decimal {
	a, _ := parseRat(string(d))
	b, _ := parseRat(string(o))
	return fromRat(new(big.Rat).Add(a, b), max(scaleOf(string(d)), scaleOf(string(o))))
}

// Sub returns d-o, exact, at the larger of the two scales.
func (d Decimal) Sub(o Decimal) Decimal {
	a, _ := parseRat(string(d))
	b, _ := parseRat(string(o))
	return fromRat(new(big.Rat).Sub(a, b), max(scaleOf(string(d)), scaleOf(string(o))))
}

// MulInt returns d*n, exact.
func (d Decimal) MulInt(n int64) Decimal {
	a, _ := parseRat(string(d))
	return fromRat(new(big.Rat).Mul(a, new(big.Rat).SetInt64(n)), scaleOf(string(d)))
}

// String returns the decimal text ("0" when absent).
func (d Decimal) String() string {
	if d == "" {
		return "0"
	}
	return string(d)
}

// MarshalJSON encodes d as a JSON string.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string, a JSON number or null.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	var s string
	switch {
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0:
		// The common case, a plain quoted number: no escapes to undo.
		s = string(b[1 : len(b)-1])
	case len(b) > 0 && b[0] == '"':
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	default:
		s = string(b)
	}
	if s == "" {
		*d = ""
		return nil
	}
	if !plainDecimal(s) {
		return fmt.Errorf("shopify: %q is not a plain decimal number", s)
	}
	*d = Decimal(s)
	return nil
}

// plainDecimal reports whether s is an optional sign, digits, and an
// optional fraction: the only decimal form Shopify sends. It is the fast
// check used when decoding; arithmetic parses with parseRat.
func plainDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits, dot := 0, false
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return digits > 0
}

func parseRat(s string) (*big.Rat, error) {
	if s == "" {
		return new(big.Rat), nil
	}
	if !plainDecimal(s) {
		return nil, fmt.Errorf("shopify: %q is not a plain decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("shopify: %q is not a decimal number", s)
	}
	return r, nil
}

func scaleOf(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

func fromRat(r *big.Rat, scale int) Decimal {
	// Widen the scale until the value is exact (division never happens here,
	// so a finite scale always exists).
	for ; scale < 64; scale++ {
		s := r.FloatString(scale)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return Decimal(s)
		}
	}
	return Decimal(r.FloatString(scale))
}
