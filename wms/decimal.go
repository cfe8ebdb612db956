package wms

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
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
	if s == "" {
		return "", nil
	}
	r, err := decRat(s)
	if err != nil {
		return "", err
	}
	return decFromRat(r, decScale(s)), nil
}

// Valid reports whether d is "" or a well-formed decimal.
func (d Decimal) Valid() bool { return d == "" || decSyntax(string(d)) }

// IsZero reports whether d is absent or numerically zero.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Sign returns -1, 0 or +1 (0 for an invalid d).
func (d Decimal) Sign() int {
	s := string(d)
	if !decSyntax(s) {
		return 0
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= '1' && s[i] <= '9' {
			if s[0] == '-' {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Cmp compares d and o numerically and returns -1, 0 or +1.
func (d Decimal) Cmp(o Decimal) int { return d.rat().Cmp(o.rat()) }

// Equal reports whether d and o are numerically equal ("1.50" equals "1.5").
func (d Decimal) Equal(o Decimal) bool { return d.Cmp(o) == 0 }

// Add returns d+o exactly, at the larger scale of the two.
func (d Decimal) Add(o Decimal) Decimal {
	return decFromRat(new(big.Rat).Add(d.rat(), o.rat()), max(d.Scale(), o.Scale()))
}

// Sub returns d-o exactly, at the larger scale of the two.
func (d Decimal) Sub(o Decimal) Decimal {
	return decFromRat(new(big.Rat).Sub(d.rat(), o.rat()), max(d.Scale(), o.Scale()))
}

// MulInt returns d*n exactly, at d's scale.
func (d Decimal) MulInt(n int64) Decimal {
	return decFromRat(new(big.Rat).Mul(d.rat(), new(big.Rat).SetInt64(n)), d.Scale())
}

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
	q := new(big.Rat).Quo(d.rat(), new(big.Rat).SetInt64(n))
	return decRound(q, scale), nil
}

// Scale returns the number of digits after the decimal point ("1.50" has 2).
func (d Decimal) Scale() int { return decScale(string(d)) }

// String returns the decimal text; an absent value prints as "0".
func (d Decimal) String() string {
	if d == "" {
		return "0"
	}
	return string(d)
}

// MarshalJSON encodes d as a JSON string; the absent value encodes as "0".
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string, a JSON number or null (absent).
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*d = ""
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	v, err := ParseDecimal(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

func (d Decimal) rat() *big.Rat {
	r, err := decRat(string(d))
	if err != nil {
		return new(big.Rat)
	}
	return r
}

// decSyntax reports whether s is [+-]digits[.digits], or [+-].digits.
func decSyntax(s string) bool {
	if s == "" {
		return false
	}
	body := s
	if body[0] == '-' || body[0] == '+' {
		body = body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	return !(intPart == "" && frac == "") && !(hasPoint && frac == "") && allDigits(intPart) && allDigits(frac)
}

func decRat(s string) (*big.Rat, error) {
	if s == "" {
		return new(big.Rat), nil
	}
	if !decSyntax(s) {
		return nil, fmt.Errorf("wms: %q is not a decimal number", s)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("wms: %q is not a decimal number", s)
	}
	return r, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func decScale(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// decFromRat formats r with at least scale digits, widening until exact (r
// here is always a sum or product of finite decimals, so it terminates).
func decFromRat(r *big.Rat, scale int) Decimal {
	for ; scale < 64; scale++ {
		s := r.FloatString(scale)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return Decimal(s)
		}
	}
	return Decimal(r.FloatString(scale))
}

// decRound rounds r to scale digits, halves away from zero.
func decRound(r *big.Rat, scale int) Decimal {
	pow := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(pow))
	num, den := scaled.Num(), scaled.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int)) // truncates toward zero
	twice := new(big.Int).Mul(new(big.Int).Abs(m), big.NewInt(2))
	if twice.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return Decimal(new(big.Rat).SetFrac(q, pow).FloatString(scale))
}
