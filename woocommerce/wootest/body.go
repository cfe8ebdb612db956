package wootest

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// The helpers below read JSON body fields the way WordPress's schema
// validation accepts them: integers and numbers also as numeric strings,
// booleans also as "true"/"1".

func bodyString(m map[string]any, k string) (string, bool, *restError) {
	v, ok := m[k]
	if !ok || v == nil {
		return "", false, nil
	}
	switch x := v.(type) {
	case string:
		return x, true, nil
	case json.Number:
		return x.String(), true, nil
	}
	return "", false, invalidParam(k, "rest_invalid_type", k+" is not of type string.")
}

func bodyBool(m map[string]any, k string) (bool, bool, *restError) {
	v, ok := m[k]
	if !ok || v == nil {
		return false, false, nil
	}
	switch x := v.(type) {
	case bool:
		return x, true, nil
	case string:
		if b, ok := parseBool(x); ok {
			return b, true, nil
		}
	case json.Number:
		f, err := x.Float64()
		return f != 0, err == nil, nil
	}
	return false, false, invalidParam(k, "rest_invalid_type", k+" is not of type boolean.")
}

// bodyInt reads an integer; fractional stock is cut to its integer part as
// wc_stock_amount does.
func bodyInt(m map[string]any, k string) (int64, bool, *restError) {
	v, ok := m[k]
	if !ok || v == nil {
		return 0, false, nil
	}
	var f float64
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, true, nil
		}
		p, err := x.Float64()
		if err != nil {
			return 0, false, invalidParam(k, "rest_invalid_type", k+" is not of type integer.")
		}
		f = p
	case float64:
		f = x
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, false, invalidParam(k, "rest_invalid_type", k+" is not of type integer.")
		}
		f = p
	default:
		return 0, false, invalidParam(k, "rest_invalid_type", k+" is not of type integer.")
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e15 {
		return 0, false, invalidParam(k, "rest_invalid_type", k+" is not of type integer.")
	}
	return int64(f), true, nil
}

// bodyDecimal reads money sent as a string (WooCommerce's schema) or a
// number; "" means unset.
func bodyDecimal(m map[string]any, k string) (string, bool, *restError) {
	v, ok := m[k]
	if !ok || v == nil {
		return "", false, nil
	}
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	default:
		return "", false, invalidParam(k, "rest_invalid_type", k+" is not of type string.")
	}
	if s == "" {
		return "", true, nil
	}
	c, err := decimal.Canonical(s)
	if err != nil {
		return "", false, invalidParam(k, "rest_invalid_param", k+" is not a number.")
	}
	return c, true, nil
}

func invalidParam(name, code, msg string) *restError {
	var pe paramErrors
	pe.add(name, code, msg)
	return pe.err()
}

// metaEntry is one meta_data entry.
type metaEntry struct {
	id    int64
	key   string
	value any
}

func renderMeta(ms []metaEntry) []any {
	out := make([]any, 0, len(ms))
	for _, m := range ms {
		out = append(out, map[string]any{"id": m.id, "key": m.key, "value": m.value})
	}
	return out
}

// applyMeta merges meta_data from a body: an entry with an id or an
// existing key updates it; a null value deletes it.
func (s *Store) applyMeta(ms []metaEntry, body map[string]any) ([]metaEntry, *restError) {
	raw, ok := body["meta_data"]
	if !ok {
		return ms, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return ms, invalidParam("meta_data", "rest_invalid_type", "meta_data is not of type array.")
	}
	out := append([]metaEntry(nil), ms...)
	for _, it := range list {
		e, ok := it.(map[string]any)
		if !ok {
			return ms, invalidParam("meta_data", "rest_invalid_type", "meta_data[0] is not of type object.")
		}
		key, _ := e["key"].(string)
		if key == "" {
			continue
		}
		val := e["value"]
		idx := -1
		for i := range out {
			if out[i].key == key {
				idx = i
				break
			}
		}
		switch {
		case val == nil && idx >= 0:
			out = append(out[:idx], out[idx+1:]...)
		case idx >= 0:
			out[idx].value = val
		case val != nil:
			out = append(out, metaEntry{id: s.newID(), key: key, value: val})
		}
	}
	return out, nil
}

// formatMoney writes v (decimal text) with the store's decimals.
func (s *Store) formatMoney(v string) string {
	r, err := decimal.Rat(v)
	if err != nil {
		return v
	}
	return decimal.Round(r, s.cfg.decimals)
}

// phpFloat writes a number as PHP's json_encode writes a float: the
// shortest text that reads back, without a trailing ".0".
func phpFloat(f float64) json.RawMessage {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return json.RawMessage(strconv.FormatInt(int64(f), 10))
	}
	return json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
}

func fmtID(id int64) string { return fmt.Sprint(id) }

// divInt returns v / n, exact when it terminates within 8 places, else
// rounded to 8 places.
func divInt(v string, n int64) string {
	r, err := decimal.Rat(v)
	if err != nil || n == 0 {
		return "0"
	}
	return decimal.Round(new(big.Rat).Quo(r, new(big.Rat).SetInt64(n)), 8)
}
