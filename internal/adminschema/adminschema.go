// Package adminschema embeds Shopify's Admin GraphQL schema for the API
// version the library targets (2026-10) and loads it for validation.
//
// The schema file admin-2026-10.graphql.gz is Shopify's own introspection
// result for that version, printed as SDL. It is used by the tests that check
// every GraphQL document of the module, and by the simulated Shopify in
// shopify/shopifytest, which validates and executes incoming documents.
package adminschema

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"sync"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// Version is the Admin API version of the embedded schema.
const Version = "2026-10"

//go:embed admin-2026-10.graphql.gz
var schemaGz []byte

// load parses the embedded schema once; the result is immutable and shared.
var load = sync.OnceValues(func() (*ast.Schema, error) {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		return nil, fmt.Errorf("adminschema: %w", err)
	}
	sdl, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("adminschema: %w", err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "admin-" + Version + ".graphql", Input: string(sdl)})
	if gerr != nil {
		return nil, fmt.Errorf("adminschema: %w", gerr)
	}
	return s, nil
})

// Load returns the parsed schema. It is parsed on first use and cached; the
// returned schema must be treated as read-only. Safe for concurrent use.
func Load() (*ast.Schema, error) { return load() }

// Validate parses and validates one GraphQL document against the schema.
func Validate(name, doc string) (*ast.QueryDocument, gqlerror.List) {
	s, err := Load()
	if err != nil {
		return nil, gqlerror.List{gqlerror.Wrap(err)}
	}
	q, perr := parser.ParseQuery(&ast.Source{Name: name, Input: doc})
	if perr != nil {
		if l, ok := perr.(gqlerror.List); ok {
			return nil, l
		}
		return nil, gqlerror.List{gqlerror.Wrap(perr)}
	}
	if errs := validator.Validate(s, q); len(errs) > 0 {
		return nil, errs
	}
	return q, nil
}

// Deprecation describes a use of a deprecated field, argument or enum value.
type Deprecation struct {
	Path   string // e.g. "Query.currentBulkOperation"
	Reason string
}

// Deprecated walks a validated document and reports every deprecated field
// it selects. gqlparser's validator does not report these, so callers that
// must use no deprecated field check this list.
func Deprecated(doc *ast.QueryDocument) []Deprecation {
	var out []Deprecation
	var walk func(set ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Definition != nil {
					if d := s.Definition.Directives.ForName("deprecated"); d != nil {
						out = append(out, Deprecation{Path: s.ObjectDefinition.Name + "." + s.Name, Reason: deprecationReason(d)})
					}
					for _, a := range s.Arguments {
						if ad := s.Definition.Arguments.ForName(a.Name); ad != nil {
							if d := ad.Directives.ForName("deprecated"); d != nil {
								out = append(out, Deprecation{Path: s.ObjectDefinition.Name + "." + s.Name + "(" + a.Name + ")", Reason: deprecationReason(d)})
							}
						}
					}
				}
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	return out
}

func deprecationReason(d *ast.Directive) string {
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return "deprecated"
}
