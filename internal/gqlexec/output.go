package gqlexec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
)

// appendLeaf serializes a scalar or enum value (spec "CompleteValue" for
// leaf types).
func appendLeaf(buf []byte, def *ast.Definition, v any) ([]byte, error) {
	if def.Kind == ast.Enum {
		s, ok := stringOf(v)
		if !ok {
			if st, isStr := v.(fmt.Stringer); isStr {
				s, ok = st.String(), true
			}
		}
		if !ok || def.EnumValues.ForName(s) == nil {
			return buf, fmt.Errorf("gqlexec: %v is not a value of enum %s", v, def.Name)
		}
		return appendString(buf, s), nil
	}
	switch def.Name {
	case "Int":
		i, _, isInt, ok := numberOf(v)
		if !ok || !isInt || i > math.MaxInt32 || i < math.MinInt32 {
			return buf, fmt.Errorf("gqlexec: Int cannot represent %v", v)
		}
		return strconv.AppendInt(buf, i, 10), nil
	case "Float":
		_, f, _, ok := numberOf(v)
		if !ok || math.IsInf(f, 0) || math.IsNaN(f) {
			return buf, fmt.Errorf("gqlexec: Float cannot represent %v", v)
		}
		return appendFloat(buf, f), nil
	case "Boolean":
		b, ok := v.(bool)
		if !ok {
			rv := reflect.ValueOf(v)
			if rv.Kind() != reflect.Bool {
				return buf, fmt.Errorf("gqlexec: Boolean cannot represent %v", v)
			}
			b = rv.Bool()
		}
		return strconv.AppendBool(buf, b), nil
	case "JSON":
		switch x := v.(type) {
		case json.RawMessage:
			if len(x) == 0 {
				return append(buf, "null"...), nil
			}
			return append(buf, x...), nil
		case json.Number:
			return append(buf, x...), nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return buf, fmt.Errorf("gqlexec: JSON cannot represent %T: %w", v, err)
		}
		return append(buf, b...), nil
	}
	// String, ID and string-serialized custom scalars.
	if s, ok := v.(string); ok {
		return appendString(buf, s), nil
	}
	if st, ok := v.(fmt.Stringer); ok {
		return appendString(buf, st.String()), nil
	}
	if s, ok := stringOf(v); ok {
		return appendString(buf, s), nil
	}
	if def.Name == "String" {
		return buf, fmt.Errorf("gqlexec: String cannot represent %T", v)
	}
	switch x := v.(type) {
	case json.Number:
		return appendString(buf, x.String()), nil
	case json.RawMessage:
		return append(buf, x...), nil
	}
	if i, f, isInt, ok := numberOf(v); ok {
		if isInt {
			if _, isFloat := v.(float64); !isFloat || def.Name == "ID" || def.Name == "BigInt" || def.Name == "UnsignedInt64" {
				return appendString(buf, strconv.FormatInt(i, 10)), nil
			}
		}
		if def.Name == "ID" {
			return buf, fmt.Errorf("gqlexec: ID cannot represent %v", v)
		}
		if u, isUint := v.(uint64); isUint {
			return appendString(buf, strconv.FormatUint(u, 10)), nil
		}
		return appendString(buf, strconv.FormatFloat(f, 'f', -1, 64)), nil
	}
	if b, ok := v.(bool); ok && def.Name != "ID" {
		return appendString(buf, strconv.FormatBool(b)), nil
	}
	return buf, fmt.Errorf("gqlexec: %s cannot represent %T", def.Name, v)
}

// appendFloat formats like encoding/json.
func appendFloat(buf []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	return strconv.AppendFloat(buf, f, format, -1, 64)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. It escapes quotes, backslashes,
// control characters, U+2028 and U+2029, and replaces invalid UTF-8 with
// U+FFFD; it does not HTML-escape.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch b {
			case '"', '\\':
				buf = append(buf, '\\', b)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
