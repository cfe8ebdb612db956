package shopifytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/wmsbridge/wmsbridge/internal/adminschema"
	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// maxPageSize is Shopify's limit on first/last.
const maxPageSize = 250

// maxInputArray is Shopify's limit on input array sizes.
const maxInputArray = 250

// graphQLRequest is the JSON body of a GraphQL POST.
type graphQLRequest struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

// costExt is extensions.cost.
type costExt struct {
	RequestedQueryCost int                 `json:"requestedQueryCost"`
	ActualQueryCost    *int                `json:"actualQueryCost"`
	ThrottleStatus     ThrottleStatus      `json:"throttleStatus"`
	Fields             []gqlexec.FieldCost `json:"fields,omitempty"`
}

type graphQLResponse struct {
	Data       json.RawMessage `json:"data,omitempty"`
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Extensions struct {
		Cost costExt `json:"cost"`
	} `json:"extensions"`

	deprecated []string // deprecated fields used, for X-Shopify-API-Deprecated-Reason
}

// docCache keeps validated documents by query text.
type docCache struct {
	mu  sync.Mutex
	m   map[string]*ast.QueryDocument
	max int
}

func (c *docCache) get(q string) *ast.QueryDocument {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[q]
}

func (c *docCache) put(q string, d *ast.QueryDocument) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = map[string]*ast.QueryDocument{}
	}
	c.m[q] = d
}

// parseAndValidate returns the validated document or Shopify-shaped errors.
func (srv *Server) parseAndValidate(q string) (*ast.QueryDocument, gqlerror.List) {
	if d := srv.docs.get(q); d != nil {
		return d, nil
	}
	doc, perr := parser.ParseQuery(&ast.Source{Name: "query", Input: q})
	if perr != nil {
		var list gqlerror.List
		if l, ok := perr.(gqlerror.List); ok {
			list = l
		} else if e, ok := perr.(*gqlerror.Error); ok {
			list = gqlerror.List{e}
		} else {
			list = gqlerror.List{gqlerror.Wrap(perr)}
		}
		for _, e := range list {
			e.Message = "syntax error, " + e.Message
			e.Extensions = map[string]any{"code": "PARSE_ERROR"}
			e.Rule = ""
		}
		return nil, list
	}
	if errs := validator.Validate(srv.schema, doc); len(errs) > 0 {
		for _, e := range errs {
			shopifyValidationError(e)
		}
		return nil, errs
	}
	srv.docs.put(q, doc)
	return doc, nil
}

var (
	reUndefinedField = regexp.MustCompile(`^Cannot query field "([^"]+)" on type "([^"]+)"`)
	reUnknownArg     = regexp.MustCompile(`^Unknown argument "([^"]+)" on field "([^".]+)\.([^"]+)"`)
	reMissingArg     = regexp.MustCompile(`^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required`)
	reUnusedVar      = regexp.MustCompile(`^Variable "\$([^"]+)" is never used`)
)

// shopifyValidationError rewrites a gqlparser validation error into the
// wording and extensions Shopify (graphql-ruby) uses for the common rules;
// other rules keep gqlparser's message with code "VALIDATION_ERROR".
func shopifyValidationError(e *gqlerror.Error) {
	code := "VALIDATION_ERROR"
	ext := map[string]any{}
	if m := reUndefinedField.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("Field '%s' doesn't exist on type '%s'", m[1], m[2])
		code, ext["typeName"], ext["fieldName"] = "undefinedField", m[2], m[1]
	} else if m := reUnknownArg.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("Field '%s' doesn't accept argument '%s'", m[3], m[1])
		code, ext["name"], ext["typeName"], ext["argumentName"] = "argumentNotAccepted", m[3], "Field", m[1]
	} else if m := reMissingArg.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("Field '%s' is missing required arguments: %s", m[1], m[2])
		code, ext["className"], ext["name"], ext["arguments"] = "missingRequiredArguments", "Field", m[1], m[2]
	} else if m := reUnusedVar.FindStringSubmatch(e.Message); m != nil {
		e.Message = fmt.Sprintf("Variable $%s is declared but not used", m[1])
		code, ext["variableName"] = "variableNotUsed", m[1]
	}
	ext["code"] = code
	e.Extensions = ext
	e.Rule = ""
}

// handleGraphQL serves POST .../admin/api/{version}/graphql.json.
func (srv *Server) handleGraphQL(w http.ResponseWriter, r *http.Request) {
	s := srv.shopFor(w, r)
	if s == nil {
		return
	}
	srv.setCommonHeaders(w, effectiveVersion(r.PathValue("version")))
	if f := srv.faults.pick(s.name); f != nil {
		s.countFault()
		if serveFault(w, r, f) {
			return
		}
	}
	if !s.tokenValid(r.Header.Get("X-Shopify-Access-Token")) {
		s.mu.Lock()
		s.counter.Unauthorized++
		s.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"})
		return
	}
	var req graphQLRequest
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/graphql") {
		// The raw document as body, as Shopify also accepts.
		b, err := io.ReadAll(r.Body)
		if err == nil {
			req.Query = string(b)
		}
	} else {
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			req.Query = ""
		}
	}
	if req.Query == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": map[string]any{"query": "Required parameter missing or invalid"}})
		return
	}
	resp := srv.serveGraphQL(r.Context(), s, &req, r.Header.Get("Shopify-GraphQL-Cost-Debug") == "1")
	if len(resp.deprecated) > 0 {
		w.Header().Set("X-Shopify-API-Deprecated-Reason", strings.Join(resp.deprecated, ", "))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(resp)
	_, _ = w.Write(buf.Bytes())
}

// serveGraphQL runs one request against a shop: validation, cost, bucket,
// execution, refund of unused points. costDebug adds the per-field cost
// breakdown (header Shopify-GraphQL-Cost-Debug: 1).
func (srv *Server) serveGraphQL(ctx context.Context, s *Shop, req *graphQLRequest, costDebug bool) *graphQLResponse {
	resp := &graphQLResponse{}
	s.mu.Lock()
	s.counter.Requests++
	maxCost := s.cfg.maxCost
	s.mu.Unlock()
	status := func(requested int, actual *int) {
		s.mu.Lock()
		resp.Extensions.Cost = costExt{RequestedQueryCost: requested, ActualQueryCost: actual, ThrottleStatus: s.bucket.status(srv.now())}
		s.mu.Unlock()
	}
	doc, errs := srv.parseAndValidate(req.Query)
	if errs != nil {
		resp.Errors = errs
		status(0, ptr(0))
		return resp
	}
	for _, d := range adminschema.Deprecated(doc) {
		resp.deprecated = append(resp.deprecated, d.Path)
	}
	op, gerr := selectOperation(doc, req.OperationName)
	if gerr != nil {
		resp.Errors = gqlerror.List{gerr}
		status(0, ptr(0))
		return resp
	}
	if errs := checkLimits(op, req.Variables); len(errs) > 0 {
		resp.Errors = errs
		status(0, ptr(0))
		return resp
	}
	requested, fields, err := gqlexec.RequestedCostFields(srv.schema, doc, req.OperationName, req.Variables)
	if err != nil {
		// Invalid variables: let the executor report them in its words
		// (it fails before calling any resolver).
		_, resp.Errors, _ = gqlexec.Execute(ctx, srv.schema, doc, req.OperationName, req.Variables, &rootObject{s: s})
		if len(resp.Errors) == 0 {
			resp.Errors = gqlerror.List{gqlerror.Wrap(err)}
		}
		status(0, ptr(0))
		return resp
	}
	if requested > maxCost {
		resp.Errors = gqlerror.List{{
			Message:    fmt.Sprintf("Query cost is %d, which exceeds the single query max cost limit (%d).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n", requested, maxCost),
			Extensions: map[string]any{"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": maxCost, "documentation": "https://shopify.dev/api/usage/rate-limits"},
		}}
		status(requested, nil)
		return resp
	}
	s.mu.Lock()
	if !s.bucket.take(float64(requested), srv.now()) {
		s.counter.Throttled++
		resp.Extensions.Cost = costExt{RequestedQueryCost: requested, ThrottleStatus: s.bucket.status(srv.now())}
		s.mu.Unlock()
		resp.Errors = gqlerror.List{{Message: "Throttled", Extensions: map[string]any{"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}}
		return resp
	}
	s.mu.Unlock()

	root := &rootObject{s: s}
	var stats gqlexec.Stats
	if op.Operation == ast.Mutation {
		s.mu.Lock()
		resp.Data, resp.Errors, stats = gqlexec.Execute(ctx, srv.schema, doc, req.OperationName, req.Variables, root)
		s.unlock()
	} else {
		s.mu.RLock()
		resp.Data, resp.Errors, stats = gqlexec.Execute(ctx, srv.schema, doc, req.OperationName, req.Variables, root)
		s.mu.RUnlock()
	}
	actual := actualCost(requested, stats)
	s.mu.Lock()
	s.bucket.refund(float64(requested - actual))
	s.counter.PointsSpent += int64(actual)
	resp.Extensions.Cost = costExt{RequestedQueryCost: requested, ActualQueryCost: &actual, ThrottleStatus: s.bucket.status(srv.now())}
	s.mu.Unlock()
	if costDebug {
		resp.Extensions.Cost.Fields = fields
	}
	return resp
}

// actualCost is the executor's actual cost (requested-cost rules applied to
// what was returned), never more than requested.
func actualCost(requested int, st gqlexec.Stats) int {
	return min(requested, st.ActualCost)
}

func selectOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, *gqlerror.Error) {
	if name == "" {
		if len(doc.Operations) == 1 {
			return doc.Operations[0], nil
		}
		return nil, &gqlerror.Error{Message: "An operation name is required", Extensions: map[string]any{"code": "VALIDATION_ERROR"}}
	}
	if op := doc.Operations.ForName(name); op != nil {
		return op, nil
	}
	return nil, &gqlerror.Error{Message: fmt.Sprintf("No operation named \"%s\"", name), Extensions: map[string]any{"code": "VALIDATION_ERROR"}}
}

// checkLimits rejects first/last above 250 and input arrays longer than 250
// before the operation runs (and before it is charged).
func checkLimits(op *ast.OperationDefinition, vars map[string]any) gqlerror.List {
	var errs gqlerror.List
	// variables: any list value over the cap
	for _, vd := range op.VariableDefinitions {
		if v, ok := vars[vd.Variable]; ok {
			if n := longestList(v); n > maxInputArray {
				errs = append(errs, &gqlerror.Error{
					Message:    fmt.Sprintf("The input array size of %d is greater than the maximum allowed of %d.", n, maxInputArray),
					Locations:  []gqlerror.Location{{Line: vd.Position.Line, Column: vd.Position.Column}},
					Extensions: map[string]any{"code": "MAX_INPUT_SIZE_EXCEEDED"},
				})
			}
		}
	}
	var walk func(set ast.SelectionSet, path ast.Path)
	seen := map[*ast.FragmentDefinition]bool{}
	walk = func(set ast.SelectionSet, path ast.Path) {
		for _, sel := range set {
			switch f := sel.(type) {
			case *ast.Field:
				p := append(path[:len(path):len(path)], ast.PathName(f.Alias))
				for _, a := range f.Arguments {
					val, err := a.Value.Value(vars)
					if err != nil {
						continue
					}
					if a.Name == "first" || a.Name == "last" {
						if n, ok := asInt(val); ok && n > maxPageSize {
							errs = append(errs, &gqlerror.Error{
								Message:    fmt.Sprintf("The maximum page size is %d, but %s was %d.", maxPageSize, a.Name, n),
								Locations:  []gqlerror.Location{{Line: a.Position.Line, Column: a.Position.Column}},
								Path:       p,
								Extensions: map[string]any{"code": "BAD_REQUEST", "argumentName": a.Name},
							})
						}
					}
					if n := longestList(val); n > maxInputArray && a.Value.Kind != ast.Variable {
						errs = append(errs, &gqlerror.Error{
							Message:    fmt.Sprintf("The input array size of %d is greater than the maximum allowed of %d.", n, maxInputArray),
							Locations:  []gqlerror.Location{{Line: a.Position.Line, Column: a.Position.Column}},
							Path:       p,
							Extensions: map[string]any{"code": "MAX_INPUT_SIZE_EXCEEDED"},
						})
					}
				}
				walk(f.SelectionSet, p)
			case *ast.InlineFragment:
				walk(f.SelectionSet, path)
			case *ast.FragmentSpread:
				if f.Definition != nil && !seen[f.Definition] {
					seen[f.Definition] = true
					walk(f.Definition.SelectionSet, path)
					delete(seen, f.Definition)
				}
			}
		}
	}
	walk(op.SelectionSet, nil)
	return errs
}

// longestList returns the length of the longest list nested in v.
func longestList(v any) int {
	n := 0
	switch x := v.(type) {
	case []any:
		n = len(x)
		for _, e := range x {
			n = max(n, longestList(e))
		}
	case map[string]any:
		for _, e := range x {
			n = max(n, longestList(e))
		}
	}
	return n
}

func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case float64:
		return int64(x), true
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}
