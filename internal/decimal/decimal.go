// Package decimal is the arithmetic behind the module's two decimal types,
// shopify.Decimal and wms.Decimal: exact decimal numbers kept as their text
// (prices, costs, amounts), never a float64. The two packages must not import
// each other, so each keeps its own named type and both delegate here.
//
// The accepted text is an optional sign, digits, and an optional point
// followed by digits ("12", "-0.5", "7.250", ".5"). Exponents, fractions,
// separators, "5." and the empty string are rejected by Valid. The functions
// that compute treat "" (absent) as zero.
package decimal

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
)

// ErrSyntax is returned for text that is not a plain decimal number.
var ErrSyntax = errors.New("not a plain decimal number")

// Valid reports whether s is [+-]digits[.digits] or [+-].digits.
func Valid(s string) bool {
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

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Rat returns the exact value of s; "" is zero. It fails with ErrSyntax.
func Rat(s string) (*big.Rat, error) {
	if s == "" {
		return new(big.Rat), nil
	}
	if !Valid(s) {
		return nil, ErrSyntax
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, ErrSyntax
	}
	return r, nil
}

// value is Rat with invalid text taken as zero.
func value(s string) *big.Rat {
	r, err := Rat(s)
	if err != nil {
		return new(big.Rat)
	}
	return r
}

// Scale returns the number of digits after the point ("1.50" has 2).
func Scale(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}

// Canonical returns s without a leading '+' and with a digit before the
// point, keeping its scale ("+.50" becomes "0.50"). "" stays "".
func Canonical(s string) (string, error) {
	if s == "" || isCanonical(s) {
		return s, nil
	}
	r, err := Rat(s)
	if err != nil {
		return "", err
	}
	return Format(r, Scale(s)), nil
}

// isCanonical reports whether s is a valid decimal that Canonical returns
// unchanged: [-]digits[.digits] with no leading zero before another digit
// of the integer part, and not a negative zero. Most amounts are, and need
// no big.Rat round trip.
func isCanonical(s string) bool {
	body := s
	neg := body[0] == '-'
	if neg {
		body = body[1:]
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return false
	}
	if len(intPart) > 1 && intPart[0] == '0' {
		return false
	}
	if neg && strings.Trim(intPart+frac, "0") == "" {
		return false // "-0.00" is written "0.00"
	}
	return true
}

// Format writes r with at least scale digits after the point, widening until
// the text is exact (r is a sum or product of finite decimals here, so it
// terminates).
func Format(r *big.Rat, scale int) string {
	for ; scale < 64; scale++ {
		s := r.FloatString(scale)
		if back, ok := new(big.Rat).SetString(s); ok && back.Cmp(r) == 0 {
			return s
		}
	}
	return r.FloatString(scale)
}

// Round writes r rounded to scale digits, halves away from zero (commercial
// rounding: 1.005 to 2 places is 1.01).
func Round(r *big.Rat, scale int) string {
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
	return new(big.Rat).SetFrac(q, pow).FloatString(scale)
}

// Cmp compares a and b numerically: -1, 0 or +1 (invalid text counts as zero).
func Cmp(a, b string) int { return value(a).Cmp(value(b)) }

// Sign returns -1, 0 or +1 (0 for invalid text).
func Sign(s string) int {
	if !Valid(s) {
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

// Add returns a+b exactly, at the larger scale of the two.
func Add(a, b string) string {
	return Format(new(big.Rat).Add(value(a), value(b)), max(Scale(a), Scale(b)))
}

// Sub returns a-b exactly, at the larger scale of the two.
func Sub(a, b string) string {
	return Format(new(big.Rat).Sub(value(a), value(b)), max(Scale(a), Scale(b)))
}

// MulInt returns a*n exactly, at a's scale.
func MulInt(a string, n int64) string {
	return Format(new(big.Rat).Mul(value(a), new(big.Rat).SetInt64(n)), Scale(a))
}

// FromJSON returns the decimal text of a JSON string, a JSON number (digit
// for digit) or null (""), checking its syntax. A plain quoted number, the
// common case, is taken without a second JSON decode.
func FromJSON(b []byte) (string, error) {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		return "", nil
	}
	switch {
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0:
		b = b[1 : len(b)-1]
	case len(b) > 0 && b[0] == '"':
		return unquoted(b)
	}
	// Checked before the string is made, so that bad input allocates nothing.
	if len(b) > 0 && !Valid(string(b)) {
		return "", ErrSyntax
	}
	return string(b), nil
}

// unquoted is FromJSON for a JSON string with escapes (kept apart so that
// the common case does not allocate the string json.Unmarshal fills).
func unquoted(b []byte) (string, error) {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", err
	}
	if s != "" && !Valid(s) {
		return "", ErrSyntax
	}
	return s, nil
}
