package gqlexec

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// inputError is a problem found while coercing an input value; path is
// relative to the value being coerced (Shopify reports it in
// extensions.problems[].path).
type inputError struct {
	path        []any
	explanation string
}

func (e *inputError) Error() string { return e.explanation }

func (e *inputError) at(seg any) *inputError {
	e.path = append([]any{seg}, e.path...)
	return e
}

// coerceVariable coerces an externally supplied (JSON-decoded) value to typ,
// normalising it to nil, string, bool, int64, float64, []any or
// map[string]any.
func coerceVariable(s *ast.Schema, typ *ast.Type, v any) (any, *inputError) {
	if isNil(v) {
		if typ.NonNull {
			return nil, &inputError{explanation: "Expected value to not be null"}
		}
		return nil, nil
	}
	if typ.Elem != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			// Input coercion of a single value to a list of one (spec 3.11).
			c, err := coerceVariable(s, typ.Elem, v)
			if err != nil {
				return nil, err
			}
			return []any{c}, nil
		}
		out := make([]any, rv.Len())
		for i := range out {
			c, err := coerceVariable(s, typ.Elem, rv.Index(i).Interface())
			if err != nil {
				return nil, err.at(i)
			}
			out[i] = c
		}
		return out, nil
	}
	def := s.Types[typ.NamedType]
	if def == nil {
		return nil, &inputError{explanation: "Unknown type " + typ.NamedType}
	}
	switch def.Kind {
	case ast.Scalar:
		return coerceScalarInput(def.Name, v)
	case ast.Enum:
		str, ok := stringOf(v)
		if !ok || def.EnumValues.ForName(str) == nil {
			return nil, &inputError{explanation: fmt.Sprintf("Expected %q to be one of: %s", fmt.Sprint(v), enumNames(def))}
		}
		return str, nil
	case ast.InputObject:
		m, ok := v.(map[string]any)
		if !ok {
			rv := reflect.ValueOf(v)
			if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
				return nil, &inputError{explanation: fmt.Sprintf("Expected %q to be a key-value object.", fmt.Sprint(v))}
			}
			m = make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				m[it.Key().String()] = it.Value().Interface()
			}
		}
		for k := range m {
			if def.Fields.ForName(k) == nil {
				return nil, &inputError{path: []any{k}, explanation: "Field is not defined on " + def.Name}
			}
		}
		out := make(map[string]any, len(def.Fields))
		for _, fd := range def.Fields {
			fv, present := m[fd.Name]
			if !present {
				if fd.DefaultValue != nil {
					d, err := coerceLiteral(s, fd.Type, fd.DefaultValue, nil)
					if err != nil {
						return nil, err.at(fd.Name)
					}
					out[fd.Name] = d
				} else if fd.Type.NonNull {
					return nil, &inputError{path: []any{fd.Name}, explanation: "Expected value to not be null"}
				}
				continue
			}
			c, err := coerceVariable(s, fd.Type, fv)
			if err != nil {
				return nil, err.at(fd.Name)
			}
			out[fd.Name] = c
		}
		return out, nil
	}
	return nil, &inputError{explanation: typ.NamedType + " is not an input type"}
}

func enumNames(def *ast.Definition) string {
	s := ""
	for i, ev := range def.EnumValues {
		if i > 0 {
			s += ", "
		}
		s += ev.Name
	}
	return s
}

func stringOf(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return s, true
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.String {
		return rv.String(), true
	}
	return "", false
}

// numberOf returns v as int64 (isInt) or float64.
func numberOf(v any) (i int64, f float64, isInt bool, ok bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, float64(i), true, true
		}
		if f, err := n.Float64(); err == nil {
			if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
				return int64(f), f, true, true // e.g. 1e2
			}
			return 0, f, false, true
		}
		return 0, 0, false, false
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), float64(rv.Int()), true, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return 0, float64(u), false, true
		}
		return int64(u), float64(u), true, true
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return int64(f), f, true, true
		}
		return 0, f, false, true
	}
	return 0, 0, false, false
}

func coerceScalarInput(name string, v any) (any, *inputError) {
	bad := func() (any, *inputError) {
		return nil, &inputError{explanation: fmt.Sprintf("Could not coerce value %s to %s", describe(v), name)}
	}
	switch name {
	case "Int":
		i, _, isInt, ok := numberOf(v)
		if !ok || !isInt || i > math.MaxInt32 || i < math.MinInt32 {
			return bad()
		}
		return i, nil
	case "Float":
		_, f, _, ok := numberOf(v)
		if !ok {
			return bad()
		}
		return f, nil
	case "String":
		if s, ok := stringOf(v); ok {
			return s, nil
		}
		return bad()
	case "Boolean":
		if b, ok := v.(bool); ok {
			return b, nil
		}
		return bad()
	case "ID":
		if s, ok := stringOf(v); ok {
			return s, nil
		}
		if i, _, isInt, ok := numberOf(v); ok && isInt {
			return strconv.FormatInt(i, 10), nil
		}
		return bad()
	}
	if name == "JSON" {
		return normalize(v), nil
	}
	// Other custom scalars (Decimal, Money, DateTime, URL, UnsignedInt64,
	// BigInt, ...) are text: numbers become their exact decimal text so that
	// money never passes through float64 (json.Number keeps the request's
	// digits; a float64 is formatted in its shortest exact form).
	switch x := v.(type) {
	case json.Number:
		return x.String(), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case float32:
		return strconv.FormatFloat(float64(x), 'f', -1, 32), nil
	}
	if s, ok := stringOf(v); ok {
		return s, nil
	}
	if i, _, isInt, ok := numberOf(v); ok && isInt {
		return strconv.FormatInt(i, 10), nil
	}
	return normalize(v), nil
}

// customTextScalar reports whether a scalar is one of the schema's custom
// scalars other than JSON, whose literals are passed on as text.
func customTextScalar(name string) bool {
	switch name {
	case "Int", "Float", "String", "Boolean", "ID", "JSON":
		return false
	}
	return true
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// normalize converts a JSON-ish value to the canonical argument types.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64:
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	}
	if s, ok := stringOf(v); ok {
		return s
	}
	if i, f, isInt, ok := numberOf(v); ok {
		if _, isFloat := v.(float64); isFloat {
			return f
		}
		if isInt {
			return i
		}
		return f
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = normalize(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			out := make(map[string]any, rv.Len())
			it := rv.MapRange()
			for it.Next() {
				out[it.Key().String()] = normalize(it.Value().Interface())
			}
			return out
		}
	}
	return v
}

// coerceLiteral coerces a document literal (argument, directive argument or
// default value) to typ. vars are the coerced variable values; a variable
// that is absent there and has no default yields absent=true via
// errAbsent-free semantics handled by callers.
func coerceLiteral(s *ast.Schema, typ *ast.Type, val *ast.Value, vars map[string]any) (any, *inputError) {
	if val == nil {
		return nil, nil
	}
	if val.Kind == ast.Variable {
		v, ok := vars[val.Raw]
		if !ok {
			if typ.NonNull {
				return nil, &inputError{explanation: "Expected value to not be null"}
			}
			return nil, nil
		}
		if v == nil && typ.NonNull {
			return nil, &inputError{explanation: "Expected value to not be null"}
		}
		return v, nil
	}
	if val.Kind == ast.NullValue {
		if typ.NonNull {
			return nil, &inputError{explanation: "Expected value to not be null"}
		}
		return nil, nil
	}
	if typ.Elem != nil {
		if val.Kind != ast.ListValue {
			c, err := coerceLiteral(s, typ.Elem, val, vars)
			if err != nil {
				return nil, err
			}
			return []any{c}, nil
		}
		out := make([]any, 0, len(val.Children))
		for i, ch := range val.Children {
			c, err := coerceLiteral(s, typ.Elem, ch.Value, vars)
			if err != nil {
				return nil, err.at(i)
			}
			out = append(out, c)
		}
		return out, nil
	}
	def := s.Types[typ.NamedType]
	if def == nil {
		return nil, &inputError{explanation: "Unknown type " + typ.NamedType}
	}
	switch def.Kind {
	case ast.InputObject:
		if val.Kind != ast.ObjectValue {
			return nil, &inputError{explanation: "Expected an input object for " + def.Name}
		}
		out := make(map[string]any, len(def.Fields))
		for _, fd := range def.Fields {
			var child *ast.Value
			for _, ch := range val.Children {
				if ch.Name == fd.Name {
					child = ch.Value
					break
				}
			}
			if child != nil && child.Kind == ast.Variable {
				if _, ok := vars[child.Raw]; !ok {
					child = nil // an unset variable is treated as absent
				}
			}
			if child == nil {
				if fd.DefaultValue != nil {
					d, err := coerceLiteral(s, fd.Type, fd.DefaultValue, nil)
					if err != nil {
						return nil, err.at(fd.Name)
					}
					out[fd.Name] = d
				} else if fd.Type.NonNull {
					return nil, &inputError{path: []any{fd.Name}, explanation: "Expected value to not be null"}
				}
				continue
			}
			c, err := coerceLiteral(s, fd.Type, child, vars)
			if err != nil {
				return nil, err.at(fd.Name)
			}
			out[fd.Name] = c
		}
		return out, nil
	case ast.Enum:
		if val.Kind != ast.EnumValue || def.EnumValues.ForName(val.Raw) == nil {
			return nil, &inputError{explanation: fmt.Sprintf("Expected %q to be one of: %s", val.Raw, enumNames(def))}
		}
		return val.Raw, nil
	}
	// Scalars.
	if customTextScalar(def.Name) && (val.Kind == ast.IntValue || val.Kind == ast.FloatValue) {
		return val.Raw, nil // e.g. Decimal 10.10 stays "10.10"
	}
	switch val.Kind {
	case ast.IntValue:
		i, err := strconv.ParseInt(val.Raw, 10, 64)
		if err != nil {
			return nil, &inputError{explanation: "Invalid integer " + val.Raw}
		}
		switch def.Name {
		case "Float":
			return float64(i), nil
		case "ID":
			return val.Raw, nil
		case "Int":
			if i > math.MaxInt32 || i < math.MinInt32 {
				return nil, &inputError{explanation: fmt.Sprintf("Could not coerce value %s to Int", val.Raw)}
			}
		}
		return i, nil
	case ast.FloatValue:
		f, err := strconv.ParseFloat(val.Raw, 64)
		if err != nil {
			return nil, &inputError{explanation: "Invalid float " + val.Raw}
		}
		return f, nil
	case ast.StringValue, ast.BlockValue:
		return val.Raw, nil
	case ast.BooleanValue:
		return val.Raw == "true", nil
	case ast.EnumValue:
		return val.Raw, nil
	case ast.ListValue, ast.ObjectValue:
		// A JSON custom scalar given as a literal.
		v, err := val.Value(vars)
		if err != nil {
			return nil, &inputError{explanation: err.Error()}
		}
		return normalize(v), nil
	}
	return nil, &inputError{explanation: "Unsupported literal " + val.String()}
}

// isNil reports whether v is nil or a nil pointer, map, slice or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan:
		return rv.IsNil()
	}
	return false
}
