package woocommerce

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Sentinels matched by the typed errors through errors.Is.
var (
	// ErrUnauthorized matches HTTP 401: no key, an unknown key (WooCommerce
	// then answers woocommerce_rest_cannot_view), a wrong secret, or a key
	// without the read or write permission the method needs
	// (woocommerce_rest_authentication_error). WooCommerce reports all of
	// them as 401.
	ErrUnauthorized = errors.New("woocommerce: unauthorized")
	// ErrForbidden matches HTTP 403: the key's user lacks the capability.
	ErrForbidden = errors.New("woocommerce: forbidden")
	// ErrNotFound matches a missing object: HTTP 404, and the
	// woocommerce_rest_*_invalid_id codes WooCommerce answers with 400 for
	// an update of a missing id.
	ErrNotFound = errors.New("woocommerce: not found")
	// ErrBatchTooLarge matches HTTP 413 woocommerce_rest_request_entity_too_large
	// (more than the store's batch limit, 100 by default) and the Client's
	// own check before sending.
	ErrBatchTooLarge = errors.New("woocommerce: batch too large")
	// ErrThrottled matches HTTP 429 after the retries ran out.
	ErrThrottled = errors.New("woocommerce: throttled")
	// ErrNotJSON matches a 2xx answer whose body is not JSON (a host's bot
	// challenge page, a corrupted body) after the retries ran out.
	ErrNotJSON = errors.New("woocommerce: answer is not JSON")
)

// APIError is an error answer in WooCommerce's shape,
// {"code", "message", "data": {"status", ...}}. Inspect it with errors.As.
type APIError struct {
	Method     string // HTTP method of the request
	Path       string // route below /wp-json, without the query (no credentials)
	StatusCode int    // HTTP status
	// Code is WooCommerce's error code, such as
	// "woocommerce_rest_product_invalid_id" or "rest_invalid_param".
	Code string
	// Message is WooCommerce's text (translated to the site's language).
	Message string
	// Params holds, for rest_invalid_param, the message per invalid
	// parameter (data.params).
	Params map[string]string
	// Data is the raw data object, with status and any extra keys
	// (resource_id and unique_sku for a duplicated SKU, say).
	Data     json.RawMessage
	Attempts int // attempts made, counting the first; 0 inside a batch
}

func (e *APIError) Error() string {
	s := "woocommerce: " + reqPrefix(e.Method, e.Path)
	if e.StatusCode != 0 {
		s += fmt.Sprintf("HTTP %d ", e.StatusCode)
	}
	s += e.Code
	if e.Message != "" {
		s += ": " + e.Message
	}
	if len(e.Params) > 0 {
		var ps []string
		for k, v := range e.Params {
			ps = append(ps, k+": "+v)
		}
		slices.Sort(ps)
		s += " (" + strings.Join(ps, "; ") + ")"
	}
	return s
}

// Is matches the sentinels by status and code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound || strings.HasSuffix(e.Code, "_invalid_id")
	case ErrBatchTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge || e.Code == "woocommerce_rest_request_entity_too_large"
	case ErrThrottled:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// ResourceID returns data.resource_id (the object that owns a duplicated
// SKU or GTIN), or 0.
func (e *APIError) ResourceID() int64 {
	var d struct {
		ResourceID json.Number `json:"resource_id"`
	}
	if json.Unmarshal(e.Data, &d) != nil {
		return 0
	}
	n, _ := d.ResourceID.Int64()
	return n
}

// apiErrorBody is the wire shape of an error.
type apiErrorBody struct {
	Code    string          `json:"code"`
	Message string          `json:"message"`
	Data    json.RawMessage `json:"data"`
}

// toAPIError converts the wire shape; status is the HTTP status, or 0 to
// take data.status (batch items).
func (b *apiErrorBody) toAPIError(status int) *APIError {
	e := &APIError{StatusCode: status, Code: b.Code, Message: b.Message, Data: b.Data}
	var d struct {
		Status json.Number       `json:"status"`
		Params map[string]string `json:"params"`
	}
	if len(b.Data) > 0 && json.Unmarshal(b.Data, &d) == nil {
		if e.StatusCode == 0 {
			if n, err := d.Status.Int64(); err == nil {
				e.StatusCode = int(n)
			}
		}
		e.Params = d.Params
	}
	return e
}

// HTTPError is an answer WooCommerce did not shape: a non-JSON error page
// (a host's 503, a WAF's 501), a 2xx whose body is not JSON after the
// retries, or an error status with an unreadable body. Body is the start
// of the answer with any credentials removed.
type HTTPError struct {
	Method      string
	Path        string
	StatusCode  int
	ContentType string
	Body        string
	Attempts    int
}

func (e *HTTPError) Error() string {
	s := "woocommerce: " + reqPrefix(e.Method, e.Path) + fmt.Sprintf("HTTP %d", e.StatusCode)
	if e.StatusCode >= 200 && e.StatusCode < 300 {
		s += ": the answer is not JSON"
		if e.ContentType != "" {
			s += " (" + e.ContentType + ")"
		}
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" after %d attempts", e.Attempts)
	}
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// Is matches ErrNotJSON for a 2xx, and the sentinels of the status.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrNotJSON:
		return e.StatusCode >= 200 && e.StatusCode < 300
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrBatchTooLarge:
		return e.StatusCode == http.StatusRequestEntityTooLarge
	case ErrThrottled:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// BatchItemError is one failed item of a batch call, which WooCommerce
// answers with HTTP 200 and the error in the item's place.
type BatchItemError struct {
	Op    string // "create", "update" or "delete"
	Index int    // position in the request's list
	ID    int64  // the item's id as WooCommerce echoed it (0 for a failed create)
	Err   *APIError
}

func (e *BatchItemError) Error() string {
	s := fmt.Sprintf("woocommerce: batch %s item %d", e.Op, e.Index)
	if e.ID != 0 {
		s += fmt.Sprintf(" (id %d)", e.ID)
	}
	return s + ": " + strings.TrimPrefix(e.Err.Error(), "woocommerce: ")
}

// Unwrap returns the item's *APIError.
func (e *BatchItemError) Unwrap() error { return e.Err }

func reqPrefix(method, path string) string {
	if method == "" && path == "" {
		return ""
	}
	return strings.TrimSpace(method+" "+path) + ": "
}
