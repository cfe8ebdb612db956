package woocommerce

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Ptr returns a pointer to v, for the optional fields of requests.
func Ptr[T any](v T) *T { return &v }

// MetaData is one entry of an object's meta_data. Value is any JSON value
// (WooCommerce's schema says "mixed": strings, numbers, objects, arrays).
type MetaData struct {
	ID    int64           `json:"id,omitempty"`
	Key   string          `json:"key"`
	Value json.RawMessage `json:"value"`
}

// StringValue returns Value when it is a JSON string, or its JSON text.
func (m MetaData) StringValue() string {
	var s string
	if json.Unmarshal(m.Value, &s) == nil {
		return s
	}
	return string(m.Value)
}

// StringMeta returns a MetaData entry with a string value.
func StringMeta(key, value string) MetaData {
	b, _ := json.Marshal(value)
	return MetaData{Key: key, Value: b}
}

// Dimensions are a product's length, width and height as strings in the
// store's dimension unit ("" when unset).
type Dimensions struct {
	Length string `json:"length"`
	Width  string `json:"width"`
	Height string `json:"height"`
}

// Image is a product or variation image.
type Image struct {
	ID   int64  `json:"id,omitempty"`
	Src  string `json:"src,omitempty"`
	Name string `json:"name,omitempty"`
	Alt  string `json:"alt,omitempty"`
}

// ManageStock is manage_stock as WooCommerce answers it: true, false, or,
// for a variation whose parent product manages its stock, "parent".
type ManageStock struct {
	On       bool // the object's stock is managed (by itself or its parent)
	ByParent bool // "parent": stock_quantity is the parent product's
}

// MarshalJSON writes true, false or "parent".
func (m ManageStock) MarshalJSON() ([]byte, error) {
	switch {
	case m.ByParent:
		return []byte(`"parent"`), nil
	case m.On:
		return []byte("true"), nil
	}
	return []byte("false"), nil
}

// UnmarshalJSON reads true, false, "parent" or null.
func (m *ManageStock) UnmarshalJSON(b []byte) error {
	switch string(bytes.TrimSpace(b)) {
	case "true":
		*m = ManageStock{On: true}
	case "false", "null":
		*m = ManageStock{}
	case `"parent"`:
		*m = ManageStock{On: true, ByParent: true}
	default:
		return fmt.Errorf("woocommerce: manage_stock %s is not true, false or \"parent\"", clip(string(b), 40))
	}
	return nil
}

// ID is an id that WooCommerce sometimes sends as a string ("123") and
// sometimes as a number; it decodes either into an int64.
type ID int64

// UnmarshalJSON reads a JSON number, a numeric string, "" or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	if len(b) == 0 || string(b) == "null" {
		*id = 0
		return nil
	}
	var n json.Number = json.Number(b)
	v, err := n.Int64()
	if err != nil {
		return fmt.Errorf("woocommerce: id %s is not an integer", clip(string(b), 40))
	}
	*id = ID(v)
	return nil
}
