package shopifytest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/stretchr/testify/require"
)

// Shopify's published webhook reference for each API version the simulator
// shapes payloads for, copied verbatim into testdata/webhooks/<version>/:
// <topic>.meta.json holds the sample payload under "response",
// <topic>.schema.json the topic's JSON schema (draft 2020-12). Payloads are
// checked two ways: against the schema with a real validator (formats
// asserted), and against the sample's shape: a payload carries exactly the
// fields the sample carries, no more and no fewer. Where the simulator
// deviates on purpose, the deviation is listed in the package doc and in
// webhookDeviations, and the tests allow exactly that list.

// webhookRef is Shopify's reference for one topic of one version.
type webhookRef struct {
	schema *jsonschema.Schema
	sample any // the "response" of the meta file, numbers as json.Number
	// sampleProblems are the schema violations of Shopify's own sample:
	// where the schema (derived by Shopify from one sample) is stricter
	// than Shopify's payloads, the sample proves it, and a payload may do
	// the same (for example image: null for a product without images).
	sampleProblems []string
}

var (
	refsMu gosync.Mutex
	refs   = map[string]*webhookRef{}
)

// refOf loads and compiles the reference of topic in version, once.
func refOf(t testing.TB, version, topic string) *webhookRef {
	t.Helper()
	refsMu.Lock()
	defer refsMu.Unlock()
	key := version + "/" + topic
	if r, ok := refs[key]; ok {
		return r
	}
	dir := filepath.Join("testdata", "webhooks", version)
	raw, err := os.ReadFile(filepath.Join(dir, topic+".schema.json"))
	require.NoError(t, err, "no schema for %s", key)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	url := "https://shopify.dev/webhooks/" + key + ".schema.json"
	require.NoError(t, c.AddResource(url, doc))
	sch, err := c.Compile(url)
	require.NoError(t, err, key)
	meta, err := os.ReadFile(filepath.Join(dir, topic+".meta.json"))
	require.NoError(t, err)
	var m struct {
		Name     string          `json:"name"`
		Response json.RawMessage `json:"response"`
	}
	require.NoError(t, json.Unmarshal(meta, &m))
	require.Equal(t, topic, m.Name, "%s names its topic", key)
	r := &webhookRef{schema: sch, sample: decodeJSON(t, m.Response)}
	r.sampleProblems = schemaProblems(sch, r.sample)
	refs[key] = r
	return r
}

// decodeJSON decodes with json.Number, as the validator expects.
func decodeJSON(t testing.TB, raw []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	require.NoError(t, err, "%s", raw)
	return v
}

var arrayIndex = regexp.MustCompile(`/[0-9]+(/|$)`)

// generalize replaces array indexes in a JSON pointer by [], so a problem
// names a field, not an element.
func generalize(ptr string) string {
	for {
		g := arrayIndex.ReplaceAllString(ptr, "/[]$1")
		if g == ptr {
			return ptr
		}
		ptr = g
	}
}

// schemaProblems validates v against sch and returns each violation as
// "schema <pointer>: <what>", sorted and without duplicates; array indexes
// are generalized.
func schemaProblems(sch *jsonschema.Schema, v any) []string {
	err := sch.Validate(v)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{"schema: " + err.Error()}
	}
	set := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		at := generalize("/" + strings.Join(e.InstanceLocation, "/"))
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				set[fmt.Sprintf("schema %s: required %s", at, m)] = true
			}
		case *kind.Type:
			set[fmt.Sprintf("schema %s: %s, want %s", at, k.Got, strings.Join(k.Want, " or "))] = true
		case *kind.Format:
			set[fmt.Sprintf("schema %s: not a %s", at, k.Want)] = true
		case *kind.FalseSchema:
			set[fmt.Sprintf("schema %s: not allowed", at)] = true
		default:
			set[fmt.Sprintf("schema %s: %s", at, e.Error())] = true
		}
	}
	walk(ve)
	return slices.Sorted(maps.Keys(set))
}

// shapeProblems compares the fields of payload with those of Shopify's
// sample: "extra <pointer>" for a field the sample does not have, "missing
// <pointer>" for one of the sample's fields the payload lacks. Elements of
// a list are compared with the sample's elements (their fields merged); a
// list or object the sample has empty or null gives no shape to compare.
func shapeProblems(sample, payload any) []string {
	set := map[string]bool{}
	var walk func(at string, s, p any)
	walk = func(at string, s, p any) {
		switch sv := s.(type) {
		case map[string]any:
			pv, ok := p.(map[string]any)
			if !ok {
				return
			}
			for k := range pv {
				if _, ok := sv[k]; !ok {
					set["extra "+at+"/"+k] = true
				}
			}
			for k, se := range sv {
				pe, ok := pv[k]
				if !ok {
					set["missing "+at+"/"+k] = true
					continue
				}
				walk(at+"/"+k, se, pe)
			}
		case []any:
			pv, ok := p.([]any)
			if !ok || len(sv) == 0 {
				return
			}
			merged := map[string]any{}
			for _, e := range sv {
				if m, ok := e.(map[string]any); ok {
					for k, x := range m {
						if _, seen := merged[k]; !seen || merged[k] == nil {
							merged[k] = x
						}
					}
				}
			}
			for _, e := range pv {
				if _, isObj := e.(map[string]any); isObj && len(merged) > 0 {
					walk(at+"/[]", merged, e)
				}
			}
		}
	}
	walk("", sample, payload)
	return slices.Sorted(maps.Keys(set))
}

// elementRefs name, for lists that Shopify's sample of a topic has empty,
// the topic whose reference describes their elements: an order's refunds
// are the refund resource that refunds/create carries. Shopify derived each
// schema from its sample, so an empty list there has "items": false.
var elementRefs = map[string]map[string]string{
	"orders/": {"/refunds": "refunds/create"},
}

// webhookProblems returns every way a delivered payload of topic differs
// from Shopify's reference of version: schema violations Shopify's own
// sample does not share, and shape differences. Elements of a list the
// sample has empty are checked against elementRefs where one is named;
// otherwise nothing describes them.
func webhookProblems(t testing.TB, version, topic string, body []byte) []string {
	t.Helper()
	return problemsOf(t, version, topic, decodeJSON(t, body), "")
}

func problemsOf(t testing.TB, version, topic string, v any, prefix string) []string {
	t.Helper()
	r := refOf(t, version, topic)
	var out []string
	for _, p := range schemaProblems(r.schema, v) {
		if slices.Contains(r.sampleProblems, p) {
			continue
		}
		if list, ok := strings.CutSuffix(schemaPointer(p), "/[]"); ok && strings.HasSuffix(p, ": not allowed") && emptyIn(r.sample, list) {
			continue
		}
		out = append(out, withPrefix(p, prefix))
	}
	if obj, ok := r.sample.(map[string]any); ok && len(obj) == 0 {
		// Shopify published an empty sample (2026-04's inventory levels):
		// the schema alone describes the payload.
	} else {
		for _, p := range shapeProblems(r.sample, v) {
			out = append(out, withPrefix(p, prefix))
		}
	}
	for tp, lists := range elementRefs {
		if !strings.HasPrefix(topic, tp) {
			continue
		}
		m, _ := v.(map[string]any)
		for list, elemTopic := range lists {
			elems, _ := m[strings.TrimPrefix(list, "/")].([]any)
			for _, e := range elems {
				out = append(out, problemsOf(t, version, elemTopic, e, prefix+list+"/[]")...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// schemaPointer returns the instance pointer of a schema problem.
func schemaPointer(problem string) string {
	at, _, _ := strings.Cut(strings.TrimPrefix(problem, "schema "), ": ")
	return at
}

// withPrefix puts a problem's pointer below prefix.
func withPrefix(problem, prefix string) string {
	if prefix == "" {
		return problem
	}
	word, rest, _ := strings.Cut(problem, " ")
	if rest == "/" || strings.HasPrefix(rest, "/:") {
		rest = rest[1:]
	}
	return word + " " + prefix + rest
}

// emptyIn reports whether the list at pointer (array indexes generalized)
// is empty or null in the sample.
func emptyIn(sample any, pointer string) bool {
	cur := sample
	for _, k := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[k]
		case []any:
			if len(c) == 0 {
				return true
			}
			cur = c[0]
		default:
			return false
		}
	}
	l, ok := cur.([]any)
	return cur == nil || ok && len(l) == 0
}
