package shopify

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Sentinels matched by the typed errors through errors.Is.
var (
	// ErrThrottled matches a *ThrottledError and a THROTTLED GraphQLError.
	ErrThrottled = errors.New("shopify: throttled")
	// ErrUnauthorized matches an *AuthError (HTTP 401: the token is missing,
	// wrong, expired or revoked) and a *TokenError the endpoint refused.
	ErrUnauthorized = errors.New("shopify: unauthorized")
	// ErrAccessDenied matches an *AccessDeniedError (HTTP 403 or a GraphQL
	// ACCESS_DENIED error: the app lacks an access scope or permission).
	ErrAccessDenied = errors.New("shopify: access denied")
	// ErrUserErrors matches a *UserErrorsError.
	ErrUserErrors = errors.New("shopify: user errors")
)

// HTTPError is returned for an HTTP answer that no more specific error type
// describes: 5xx after the retries, 404, other 4xx, unexpected 3xx, and 2xx
// answers that are not GraphQL JSON.
type HTTPError struct {
	Operation  string // GraphQL operation name, when known
	StatusCode int    // HTTP status code
	RequestID  string // Shopify's X-Request-Id; quote it to Shopify support
	Message    string // Shopify's error text, or the start of the body
	Attempts   int    // attempts made, counting the first
}

func (e *HTTPError) Error() string {
	return "shopify: " + opPrefix(e.Operation) + fmt.Sprintf("HTTP %d", e.StatusCode) + msgSuffix(e.Message) + reqSuffix(e.RequestID)
}

// AuthError is returned for HTTP 401: Shopify did not accept the access
// token. When the token source can produce a new token the Client refreshes
// once and retries before returning it. It matches ErrUnauthorized.
type AuthError struct {
	Operation  string
	StatusCode int // 401
	RequestID  string
	Message    string
	Refreshed  bool // a fresh token was fetched and was refused as well
}

func (e *AuthError) Error() string {
	s := "shopify: " + opPrefix(e.Operation) + "unauthorized (HTTP 401): the access token was not accepted"
	if e.Refreshed {
		s += ", also after fetching a new one"
	}
	return s + msgSuffix(e.Message) + reqSuffix(e.RequestID)
}

// Is reports whether target is ErrUnauthorized.
func (e *AuthError) Is(target error) bool { return target == ErrUnauthorized }

// AccessDeniedError is returned when the app is not allowed to do what it
// asked: HTTP 403, or a GraphQL error with extensions.code ACCESS_DENIED.
// Scopes names the missing access scopes when Shopify says which. It matches
// ErrAccessDenied; for a GraphQL error it also unwraps to *GraphQLErrors.
type AccessDeniedError struct {
	Operation      string
	StatusCode     int // 403, or 200 for a GraphQL ACCESS_DENIED error
	RequestID      string
	Message        string
	RequiredAccess string         // Shopify's extensions.requiredAccess text, when given
	Scopes         []string       // missing scopes, e.g. ["read_products"], when named
	GraphQL        *GraphQLErrors // the GraphQL errors, for a 200 answer
}

func (e *AccessDeniedError) Error() string {
	s := "shopify: " + opPrefix(e.Operation) + "access denied"
	if e.StatusCode != 200 {
		s += fmt.Sprintf(" (HTTP %d)", e.StatusCode)
	}
	if len(e.Scopes) > 0 {
		s += ": missing access scope " + strings.Join(e.Scopes, ", ")
	} else if e.RequiredAccess != "" {
		s += ": required access: " + e.RequiredAccess
	}
	return s + msgSuffix(e.Message) + reqSuffix(e.RequestID)
}

// Is reports whether target is ErrAccessDenied.
func (e *AccessDeniedError) Is(target error) bool { return target == ErrAccessDenied }

// Unwrap returns the GraphQL errors, if any.
func (e *AccessDeniedError) Unwrap() error {
	if e.GraphQL == nil {
		return nil
	}
	return e.GraphQL
}

// ThrottledError is returned when Shopify still throttled the request (HTTP
// 429, or HTTP 200 with a THROTTLED error) after the retries ran out, or the
// retry policy chose not to retry. It matches ErrThrottled.
type ThrottledError struct {
	Operation  string
	StatusCode int // 429 or 200
	RequestID  string
	Attempts   int
	Cost       *QueryCost    // Shopify's cost report of the last attempt, when given
	RetryAfter time.Duration // how long Shopify or the bucket asks to wait, when known
}

func (e *ThrottledError) Error() string {
	s := "shopify: " + opPrefix(e.Operation) + fmt.Sprintf("throttled (HTTP %d) after %d attempt(s)", e.StatusCode, e.Attempts)
	if e.Cost != nil {
		s += fmt.Sprintf("; requested cost %g, available %g of %g, restore rate %g/s", e.Cost.RequestedQueryCost,
			e.Cost.ThrottleStatus.CurrentlyAvailable, e.Cost.ThrottleStatus.MaximumAvailable, e.Cost.ThrottleStatus.RestoreRate)
	}
	if e.RetryAfter > 0 {
		s += "; retry after " + e.RetryAfter.String()
	}
	return s + reqSuffix(e.RequestID)
}

// Is reports whether target is ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Location is a position in a GraphQL document.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// GraphQLError is one entry of a GraphQL answer's top-level "errors".
type GraphQLError struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Code returns extensions.code, e.g. "THROTTLED", "ACCESS_DENIED",
// "MAX_COST_EXCEEDED" or "INTERNAL_SERVER_ERROR", or "".
func (e *GraphQLError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

func (e *GraphQLError) Error() string {
	s := e.Message
	if c := e.Code(); c != "" {
		s = c + ": " + s
	}
	if len(e.Path) > 0 {
		parts := make([]string, len(e.Path))
		for i, p := range e.Path {
			parts[i] = fmt.Sprint(p)
		}
		s += " (at " + strings.Join(parts, ".") + ")"
	}
	return s
}

// Is matches ErrThrottled and ErrAccessDenied by code.
func (e *GraphQLError) Is(target error) bool {
	switch target {
	case ErrThrottled:
		return e.Code() == "THROTTLED"
	case ErrAccessDenied:
		return e.Code() == "ACCESS_DENIED"
	}
	return false
}

// GraphQLErrors is returned when a GraphQL answer carries top-level errors.
// Data that came with the errors (a partial result) is still decoded into
// the caller's value. Each error is reachable through errors.As with
// *GraphQLError.
type GraphQLErrors struct {
	Operation string
	RequestID string
	Errors    []GraphQLError
}

func (e *GraphQLErrors) Error() string {
	msgs := make([]string, len(e.Errors))
	for i := range e.Errors {
		msgs[i] = e.Errors[i].Error()
	}
	return "shopify: " + opPrefix(e.Operation) + "GraphQL error: " + strings.Join(msgs, "; ") + reqSuffix(e.RequestID)
}

// HasCode reports whether any error has extensions.code == code.
func (e *GraphQLErrors) HasCode(code string) bool {
	for i := range e.Errors {
		if e.Errors[i].Code() == code {
			return true
		}
	}
	return false
}

// Unwrap returns the individual errors.
func (e *GraphQLErrors) Unwrap() []error {
	out := make([]error, len(e.Errors))
	for i := range e.Errors {
		out[i] = &e.Errors[i]
	}
	return out
}

// UserError is one entry of a mutation payload's userErrors: input Shopify
// rejected. Code is empty for payloads whose error type has no code field.
type UserError struct {
	Field   []string `json:"field"`
	Message string   `json:"message"`
	Code    string   `json:"code,omitempty"`
}

func (u UserError) String() string {
	s := u.Message
	if u.Code != "" {
		s = u.Code + ": " + s
	}
	if len(u.Field) > 0 {
		s += " (field " + strings.Join(u.Field, ".") + ")"
	}
	return s
}

// UserErrorsError reports the userErrors of a mutation. It matches
// ErrUserErrors.
type UserErrorsError struct {
	Operation string
	Errors    []UserError
}

func (e *UserErrorsError) Error() string {
	msgs := make([]string, len(e.Errors))
	for i, u := range e.Errors {
		msgs[i] = u.String()
	}
	return "shopify: " + opPrefix(e.Operation) + "rejected: " + strings.Join(msgs, "; ")
}

// Is reports whether target is ErrUserErrors.
func (e *UserErrorsError) Is(target error) bool { return target == ErrUserErrors }

// HasCode reports whether any user error has the given code.
func (e *UserErrorsError) HasCode(code string) bool {
	for _, u := range e.Errors {
		if u.Code == code {
			return true
		}
	}
	return false
}

// CheckUserErrors returns nil when errs is empty and otherwise a
// *UserErrorsError for operation op holding a copy of errs. Resource methods
// call it after decoding a mutation payload's userErrors.
func CheckUserErrors(op string, errs []UserError) error {
	if len(errs) == 0 {
		return nil
	}
	return &UserErrorsError{Operation: op, Errors: append([]UserError(nil), errs...)}
}

// scopeRe finds access scope names in Shopify's messages.
var scopeRe = regexp.MustCompile(`\b(?:unauthenticated_)?(?:read|write)_[a-z_]+[a-z]\b`)

// scopesIn returns the distinct access scope names mentioned in the texts.
func scopesIn(texts ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, m := range scopeRe.FindAllString(t, -1) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

func opPrefix(op string) string {
	if op == "" {
		return ""
	}
	return op + ": "
}

func msgSuffix(m string) string {
	if m == "" {
		return ""
	}
	return ": " + m
}

func reqSuffix(id string) string {
	if id == "" {
		return ""
	}
	return " (request id " + id + ")"
}
