package shopifytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A small JSON Schema checker for the subset Shopify's webhook schemas use
// (testdata/webhook_schemas, copies of Shopify's 2026-07 files): type (one
// or a list), properties, required, items (a schema or true),
// additionalProperties (boolean or schema), anyOf, and the formats
// date-time and uri. Unknown keywords are ignored.

type jsonSchema map[string]any

func loadSchema(t *testing.T, topic string) jsonSchema {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "webhook_schemas", topic+".schema.json"))
	require.NoError(t, err)
	var s jsonSchema
	require.NoError(t, json.Unmarshal(raw, &s))
	return s
}

// decodeJSON decodes with json.Number so integers stay exact.
func decodeJSON(t *testing.T, raw []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v), string(raw))
	return v
}

// validate returns every violation of schema by v, as "path: problem".
func validate(schema any, v any, path string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		if b, isBool := schema.(bool); isBool && !b {
			return []string{path + ": no value allowed"}
		}
		return nil
	}
	if js, ok := schema.(jsonSchema); ok {
		s = js
	}
	if any, ok := s["anyOf"].([]any); ok {
		var all []string
		for _, alt := range any {
			errs := validate(alt, v, path)
			if len(errs) == 0 {
				return nil
			}
			all = append(all, errs...)
		}
		return []string{fmt.Sprintf("%s: matches no anyOf alternative (%s)", path, strings.Join(all, "; "))}
	}
	if t, ok := s["type"]; ok {
		var types []string
		switch x := t.(type) {
		case string:
			types = []string{x}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					types = append(types, s)
				}
			}
		}
		if !slices.ContainsFunc(types, func(typ string) bool { return hasType(v, typ) }) {
			return []string{fmt.Sprintf("%s: %s is not of type %v", path, describe(v), types)}
		}
	}
	var errs []string
	if f, ok := s["format"].(string); ok {
		if str, isStr := v.(string); isStr {
			switch f {
			case "date-time":
				if _, err := time.Parse(time.RFC3339, str); err != nil {
					errs = append(errs, fmt.Sprintf("%s: %q is not a date-time", path, str))
				}
			case "uri":
				if u, err := url.Parse(str); err != nil || u.Scheme == "" {
					errs = append(errs, fmt.Sprintf("%s: %q is not a uri", path, str))
				}
			}
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		if req, ok := s["required"].([]any); ok {
			for _, r := range req {
				if name, _ := r.(string); name != "" {
					if _, present := x[name]; !present {
						errs = append(errs, fmt.Sprintf("%s: missing required %q", path, name))
					}
				}
			}
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if ps, ok := props[k]; ok {
				errs = append(errs, validate(ps, x[k], path+"."+k)...)
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					errs = append(errs, fmt.Sprintf("%s: unexpected property %q", path, k))
				}
			case map[string]any:
				errs = append(errs, validate(ap, x[k], path+"."+k)...)
			}
		}
	case []any:
		if items, ok := s["items"]; ok {
			for i, e := range x {
				errs = append(errs, validate(items, e, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func hasType(v any, typ string) bool {
	switch typ {
	case "null":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "number":
		_, ok := v.(json.Number)
		return ok
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		_, err := n.Int64()
		return err == nil
	}
	return false
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case json.Number:
		return x.String()
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprint(v)
}

// schemaOverride relaxes one top-level property of a topic's schema where
// the schema (which Shopify derived from a single sample payload) is
// stricter than Shopify's payloads:
//
//   - nullable, proven by a sample: Shopify's own 2026-07 sample has null
//     there but the schema forbids it;
//   - anyItems, proven by a sample: the schema forbids every list element
//     ("items": false) only because the sample's list was empty;
//   - nullable, documented: the simulator sends null where Shopify does for
//     data the shop does not have (reason says which).
//
// TestSchemaOverridesAreJustified checks the sample-proven ones.
type schemaOverride struct {
	topics []string
	prop   string
	kind   string // "nullable" or "anyItems"
	sample string // topic whose sample proves it; "" for documented ones
	reason string
}

var orderTopics = []string{"orders/create", "orders/updated", "orders/cancelled", "orders/paid", "orders/fulfilled", "orders/partially_fulfilled"}

var schemaOverrides = []schemaOverride{
	{topics: []string{"products/create", "products/update"}, prop: "image", kind: "nullable", sample: "products/update",
		reason: "a product without images has image null"},
	{topics: []string{"inventory_items/create", "inventory_items/update"}, prop: "cost", kind: "nullable", sample: "inventory_items/update",
		reason: "an item without a cost has cost null"},
	{topics: orderTopics, prop: "refunds", kind: "anyItems", sample: "orders/updated",
		reason: "an order with refunds lists them (the sample had none)"},
	{topics: []string{"fulfillments/create", "fulfillments/update"}, prop: "tracking_company", kind: "nullable",
		reason: "a fulfillment without tracking information has null tracking fields (as in the order payload's fulfillments, whose schema allows null)"},
	{topics: []string{"fulfillments/create", "fulfillments/update"}, prop: "tracking_number", kind: "nullable", reason: "see tracking_company"},
	{topics: []string{"fulfillments/create", "fulfillments/update"}, prop: "tracking_url", kind: "nullable", reason: "see tracking_company"},
}

func (o schemaOverride) apply(props map[string]any) {
	switch o.kind {
	case "nullable":
		props[o.prop] = map[string]any{"anyOf": []any{map[string]any{"type": "null"}, props[o.prop]}}
	case "anyItems":
		p := props[o.prop].(map[string]any)
		p["items"] = true
	}
}

// withOverrides returns the topic's schema with the overrides applied.
func withOverrides(t *testing.T, topic string) jsonSchema {
	s := loadSchema(t, topic)
	props := s["properties"].(map[string]any)
	for _, o := range schemaOverrides {
		if slices.Contains(o.topics, topic) {
			o.apply(props)
		}
	}
	return s
}

func TestSchemaOverridesAreJustified(t *testing.T) {
	for _, o := range schemaOverrides {
		require.NotEmpty(t, o.reason)
		for _, topic := range o.topics {
			props := loadSchema(t, topic)["properties"].(map[string]any)
			require.Contains(t, props, o.prop, topic)
			if o.kind == "anyItems" {
				assert.Equal(t, false, props[o.prop].(map[string]any)["items"], "%s.%s: schema forbids elements", topic, o.prop)
			}
		}
		if o.sample == "" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join("testdata", "webhook_samples", o.sample+".json"))
		require.NoError(t, err)
		sample := decodeJSON(t, raw).(map[string]any)
		switch o.kind {
		case "nullable":
			errs := validate(map[string]any(loadSchema(t, o.sample)), sample, "$")
			require.Len(t, errs, 1, "Shopify's sample should fail the plain schema only at the overridden property: %v", errs)
			assert.True(t, strings.HasPrefix(errs[0], "$."+o.prop+":"), errs[0])
			assert.Nil(t, sample[o.prop])
		case "anyItems":
			assert.Equal(t, []any{}, sample[o.prop], "the sample's list is empty")
		}
		assert.Empty(t, validate(map[string]any(withOverrides(t, o.sample)), sample, "$"))
	}
}

func TestJSONSchemaChecker(t *testing.T) {
	schema := map[string]any{
		"type":     "object",
		"required": []any{"id", "tags"},
		"properties": map[string]any{
			"id":    map[string]any{"type": "integer"},
			"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"when":  map[string]any{"type": []any{"null", "string"}, "format": "date-time"},
			"cost":  map[string]any{"anyOf": []any{map[string]any{"type": "number"}, map[string]any{"type": "string"}}},
			"inner": map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{"a": map[string]any{"type": "boolean"}}},
		},
	}
	ok := decodeJSON(t, []byte(`{"id": 9007199254740993, "tags": ["a"], "when": "2026-01-02T03:04:05+01:00", "cost": "1.50", "inner": {"a": true}}`))
	assert.Empty(t, validate(schema, ok, "$"))
	bad := decodeJSON(t, []byte(`{"id": 1.5, "tags": [1], "when": "yesterday", "cost": null, "inner": {"a": true, "b": 1}}`))
	errs := validate(schema, bad, "$")
	joined := strings.Join(errs, "\n")
	for _, want := range []string{"$.id: 1.5 is not of type [integer]", "$.tags[0]: 1 is not of type [string]", `"yesterday" is not a date-time`, "$.cost: matches no anyOf", `unexpected property "b"`} {
		assert.Contains(t, joined, want)
	}
	assert.Contains(t, strings.Join(validate(schema, decodeJSON(t, []byte(`{"id": 1}`)), "$"), "\n"), `missing required "tags"`)
}
