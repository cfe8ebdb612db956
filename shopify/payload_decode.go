package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

// This file decodes REST-format webhook payloads tolerantly. Shopify's
// payloads change shape between API versions and between shops: a field is
// dropped, null where it used to be a list, an object where it used to be a
// list (line item properties), a number where it used to be text. A field
// the warehouse does not need must never make an order or a product
// undecodable, so every payload type decodes in two steps:
//
//  1. encoding/json, as usual (the fast path for well-formed payloads);
//  2. if that fails, field by field: a field that does not decode is left
//     zero, unless it is strict, in which case the payload does not decode
//     and the error names the field's path ("line_items[2].quantity").
//
// Strict are IDs and quantities (integer fields), money and other decimals
// (Decimal), timestamps (time.Time), and the fields tagged payload:"strict"
// (SKUs, GIDs, the lists of lines and variants, what tells a POS sale from
// a web order). A tolerant text field takes a JSON number or boolean as its
// text; an element of a tolerant list that does not decode is left out;
// a tolerant object is decoded field by field by the same rules.

// unmarshalPayload decodes data into v (a pointer to a payload struct)
// with encoding/json into fast (v converted to a type without methods, so
// the call does not recurse) and, if that fails, field by field.
func unmarshalPayload(data []byte, fast, v any) error {
	err := json.Unmarshal(data, fast)
	if err == nil {
		return nil
	}
	rv := reflect.ValueOf(v).Elem()
	rv.SetZero()
	if err := decodeStruct(data, rv, ""); err != nil {
		return fmt.Errorf("shopify: payload: %w", err)
	}
	return nil
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	decimalType     = reflect.TypeFor[Decimal]()
	timeType        = reflect.TypeFor[time.Time]()
)

// strictField reports whether a field that does not decode fails the whole
// payload.
func strictField(f reflect.StructField) bool {
	if f.Tag.Get("payload") == "strict" {
		return true
	}
	t := f.Type
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return t == decimalType || t == timeType
}

func isNull(raw []byte) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// decodeStruct decodes the JSON object raw into the struct v field by field.
func decodeStruct(raw []byte, v reflect.Value, path string) error {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("%s: %s is not an object", pathOr(path), describeJSON(raw))
	}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fraw, ok := obj[name]
		if !ok {
			continue
		}
		strict := strictField(f)
		fv := v.Field(i)
		if err := decodeValue(fraw, fv, join(path, name), strict); err != nil {
			if strict {
				return err
			}
			fv.SetZero()
		}
	}
	return nil
}

// decodeValue decodes raw into v; strict says whether v's own field is
// strict (a tolerant list leaves bad elements out).
func decodeValue(raw []byte, v reflect.Value, path string, strict bool) error {
	if isNull(raw) {
		v.SetZero()
		return nil
	}
	if v.Kind() != reflect.Pointer && v.Addr().Type().Implements(unmarshalerType) {
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %w", pathOr(path), err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(raw, p.Elem(), path, strict); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return decodeStruct(raw, v, path)
	case reflect.Slice:
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return fmt.Errorf("%s: %s is not a list", pathOr(path), describeJSON(raw))
		}
		out := reflect.MakeSlice(v.Type(), 0, len(elems))
		for i, e := range elems {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(e, ev, fmt.Sprintf("%s[%d]", path, i), strict); err != nil {
				if strict {
					return err
				}
				continue
			}
			out = reflect.Append(out, ev)
		}
		v.Set(out)
		return nil
	case reflect.String:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err == nil {
			return nil
		}
		if !strict {
			// A tolerant text field keeps a number or boolean as its text.
			var scalar any
			d := json.NewDecoder(bytes.NewReader(raw))
			d.UseNumber()
			if d.Decode(&scalar) == nil {
				switch s := scalar.(type) {
				case json.Number:
					v.SetString(s.String())
					return nil
				case bool:
					v.SetString(fmt.Sprint(s))
					return nil
				}
			}
		}
		return fmt.Errorf("%s: %s is not text", pathOr(path), describeJSON(raw))
	}
	if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
		return fmt.Errorf("%s: %w", pathOr(path), err)
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func pathOr(path string) string {
	if path == "" {
		return "payload"
	}
	return path
}

// describeJSON names the kind of a JSON value for error messages without
// repeating the value (which may be long or personal data).
func describeJSON(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "a list"
	case '"':
		return "text"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// UnmarshalJSON decodes tolerantly: a field the warehouse does not need
// never fails the payload (see PayloadProperties and the package notes on
// payload decoding); IDs, quantities, SKUs, money and timestamps are strict.
func (p *OrderPayload) UnmarshalJSON(b []byte) error {
	type plain OrderPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *OrderEditPayload) UnmarshalJSON(b []byte) error {
	type plain OrderEditPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *RefundPayload) UnmarshalJSON(b []byte) error {
	type plain RefundPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *FulfillmentPayload) UnmarshalJSON(b []byte) error {
	type plain FulfillmentPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *TransactionPayload) UnmarshalJSON(b []byte) error {
	type plain TransactionPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *ProductPayload) UnmarshalJSON(b []byte) error {
	type plain ProductPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *InventoryItemPayload) UnmarshalJSON(b []byte) error {
	type plain InventoryItemPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *InventoryLevelPayload) UnmarshalJSON(b []byte) error {
	type plain InventoryLevelPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *ShopPayload) UnmarshalJSON(b []byte) error {
	type plain ShopPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *AppScopesUpdatePayload) UnmarshalJSON(b []byte) error {
	type plain AppScopesUpdatePayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *BulkOperationFinishPayload) UnmarshalJSON(b []byte) error {
	type plain BulkOperationFinishPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *CustomersDataRequestPayload) UnmarshalJSON(b []byte) error {
	type plain CustomersDataRequestPayload
	return unmarshalPayload(b, (*plain)(p), p)
}

// UnmarshalJSON decodes tolerantly.
func (p *CustomersRedactPayload) UnmarshalJSON(b []byte) error {
	type plain CustomersRedactPayload
	return unmarshalPayload(b, (*plain)(p), p)
}
