package shopify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets of this file run their seed corpus (f.Add plus
// testdata/fuzz/<FuzzName>/) as ordinary tests under `go test`; CI explores
// each briefly with `go test -run '^$' -fuzz '^FuzzName$' -fuzztime 5s`
// (see .ci/run).

// fuzzShopDomain is what NormalizeShop must return for every accepted input.
var fuzzShopDomain = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.myshopify\.com$`)

// FuzzNormalizeShop checks NormalizeShop's contract on arbitrary input:
// accepted ⇒ "<handle>.myshopify.com" with a valid DNS-label handle taken
// from the input, idempotent and stable under the https:// and /admin
// spellings; rejected ⇒ an error wrapping ErrInvalidShop that never echoes
// input carrying user info.
func FuzzNormalizeShop(f *testing.F) {
	for _, s := range []string{
		"shop", "my-shop", "My-Shop.myshopify.com", "  my-shop.myshopify.com\n",
		"https://my-shop.myshopify.com", "https://my-shop.myshopify.com/",
		"https://my-shop.myshopify.com/admin", "https://my-shop.myshopify.com/admin/products/1",
		"HTTPS://MY-SHOP.MYSHOPIFY.COM/ADMIN", "http://my-shop.myshopify.com",
		"https://admin.shopify.com/store/my-shop", "https://evil.com/.myshopify.com",
		"https://evil.com#.myshopify.com", "https://my-shop.myshopify.com.evil.com",
		"https://user:pass@my-shop.myshopify.com", "https://my-shop.myshopify.com:443",
		"https://my-shop.myshopify.com/admin/../x", "https://my-shop.myshopify.com/%61dmin",
		"https://my-shop.myshopify.com?x=1", "my-shop.myshopify.com/admin", "-shop", "shop-",
		"a", strings.Repeat("a", 63), strings.Repeat("a", 64), "shop.example.com", "xn--shp-qla",
		"sh\u00f6p", "shop\x00", "", " ", ".myshopify.com", "https://.myshopify.com",
		"https:///admin", "https://my-shop.myshopify.com\\@evil.com", "//my-shop.myshopify.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got, err := NormalizeShop(in)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizeShop(%q) = %q with error %v", in, got, err)
			}
			if !errors.Is(err, ErrInvalidShop) {
				t.Fatalf("NormalizeShop(%q): error does not wrap ErrInvalidShop: %v", in, err)
			}
			if strings.Contains(in, "@") && strings.Contains(err.Error(), in) {
				t.Fatalf("NormalizeShop(%q): the error echoes input with user info: %v", in, err)
			}
			return
		}
		if !fuzzShopDomain.MatchString(got) {
			t.Fatalf("NormalizeShop(%q) = %q, not a <handle>.myshopify.com domain", in, got)
		}
		handle := strings.TrimSuffix(got, shopDomainSuffix)
		lower := strings.ToLower(strings.TrimSpace(in))
		if !strings.Contains(lower, handle) {
			t.Fatalf("NormalizeShop(%q) = %q: the handle is not taken from the input", in, got)
		}
		if strings.Contains(lower, "://") {
			u, perr := url.Parse(lower)
			if perr != nil || u.Scheme != "https" || u.Host != got || u.User != nil {
				t.Fatalf("NormalizeShop(%q) = %q, but the URL's host is not the shop (parse error %v)", in, got, perr)
			}
		}
		for _, again := range []string{got, "https://" + got, "https://" + got + "/admin", handle, " " + strings.ToUpper(got) + " "} {
			if g2, err := NormalizeShop(again); err != nil || g2 != got {
				t.Fatalf("NormalizeShop(%q) = %q, %v; want %q (from %q)", again, g2, err, got, in)
			}
		}
	})
}

// FuzzBulkReader checks the JSONL reader against a line-by-line reference:
// input whose lines are valid JSON objects is read completely, one row per
// non-blank line, with the right line numbers, offsets, raw bytes, id and
// __parentId; other input fails only with ErrBulkMalformed or
// ErrBulkLineTooLong (never a panic); the line-size limit is exact; and
// GroupBulkRows hands out every row exactly once when it succeeds.
func FuzzBulkReader(f *testing.F) {
	seeds := []string{
		`{"id":"gid://shopify/Product/1","title":"T-shirt"}` + "\n" +
			`{"id":"gid://shopify/ProductVariant/2","sku":"TS-1","__parentId":"gid://shopify/Product/1"}` + "\n" +
			`{"id":"gid://shopify/InventoryLevel/3?inventory_item_id=4","__parentId":"gid://shopify/ProductVariant/2"}` + "\n",
		"{\"id\":\"gid://shopify/Product/1\"}\r\n\n  \n{\"id\":\"gid://shopify/Product/2\"}",
		`{"title":"a \"}\" b","note":"\\","__parentId":"gid://shopify/Order/7"}`,
		`{"id":"gid:\/\/shopify\/Product\/5","nested":{"id":"inner","a":[1,{"b":"]"}]}}`,
		` { "n" : 12.5e3 , "b":true, "z":null, "id" : "gid://shopify/Product/6" } `,
		`{"id":42}`, `{"id":"a","id":"b"}`, `{}`, `[]`, `{"id":"x"`, `{"id":"x"} trailing`,
		`{"a":}`, `nope`, "\n\n", "{\"id\":\"\\u00e9\\ud83d\\ude00\"}", "{\"id\":\"\xff\"}",
		`{"__parentId":"gid://shopify/Product/404","id":"gid://shopify/ProductVariant/1"}`,
		`{"id":"gid://shopify/ProductVariant/1","__parentId":"gid://shopify/Product/1"}` + "\n" + `{"id":"gid://shopify/Product/1"}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint16(0))
		f.Add([]byte(s), uint16(40))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxLine uint16) {
		// Reference: the lines, split at '\n' as Shopify writes them.
		type refLine struct {
			raw    []byte
			offset int64
			number int64
			size   int // with its '\n'
		}
		var lines, all []refLine // non-blank lines; every line
		allObjects := true
		for off, n := 0, int64(1); off < len(data); n++ {
			end := bytes.IndexByte(data[off:], '\n')
			next := len(data)
			if end >= 0 {
				next = off + end + 1
			}
			raw := bytes.TrimRight(data[off:next], "\r\n")
			all = append(all, refLine{raw: raw, offset: int64(off), number: n, size: next - off})
			if len(bytes.TrimSpace(raw)) > 0 {
				lines = append(lines, refLine{raw: raw, offset: int64(off), number: n, size: next - off})
				trimmed := bytes.TrimLeft(raw, " \t\r\n")
				if !json.Valid(raw) || len(trimmed) == 0 || trimmed[0] != '{' {
					allObjects = false
				}
			}
			off = next
		}

		br := NewBulkReader(bytes.NewReader(data))
		br.MaxLineSize = int(maxLine)
		limit := int(maxLine)
		if limit == 0 {
			limit = DefaultBulkMaxLineSize
		}
		var n int
		for br.Next() {
			row := br.Row()
			if n >= len(lines) {
				t.Fatalf("row %d at line %d, but the input has only %d non-blank lines", n+1, row.Line, len(lines))
			}
			want := lines[n]
			if row.Line != want.number || row.Offset != want.offset || !bytes.Equal(row.Raw(), want.raw) {
				t.Fatalf("row %d: line %d offset %d raw %q; want line %d offset %d raw %q", n+1, row.Line, row.Offset, row.Raw(), want.number, want.offset, want.raw)
			}
			if json.Valid(row.Raw()) && utf8.Valid(row.Raw()) {
				var m map[string]any
				if err := json.Unmarshal(row.Raw(), &m); err != nil {
					t.Fatalf("row %d: valid JSON accepted as a row is not an object: %v", n+1, err)
				}
				if s, ok := m["id"].(string); ok && row.ID != s {
					t.Fatalf("row %d: ID %q, json says %q", n+1, row.ID, s)
				}
				if s, ok := m["__parentId"].(string); ok && row.ParentID != s {
					t.Fatalf("row %d: ParentID %q, json says %q", n+1, row.ParentID, s)
				}
				if _, ok := m["__parentId"]; !ok && !row.IsRoot() {
					t.Fatalf("row %d: ParentID %q without a __parentId key", n+1, row.ParentID)
				}
			}
			n++
		}
		err := br.Err()
		switch {
		case err == nil:
			if n != len(lines) {
				t.Fatalf("clean end after %d rows, but the input has %d non-blank lines", n, len(lines))
			}
			for _, l := range all { // the limit holds for blank lines too
				if l.size > limit {
					t.Fatalf("line %d has %d bytes, over the limit %d, and was accepted", l.number, l.size, limit)
				}
			}
		case errors.Is(err, ErrBulkLineTooLong):
			// A line after the n-th row, up to and including the next
			// non-blank one, is over the limit (blank lines count).
			var from, to int64 = 0, int64(len(data))
			if n > 0 {
				from = lines[n-1].offset + 1
			}
			if n < len(lines) {
				to = lines[n].offset
			}
			over := false
			for _, l := range all {
				if l.offset >= from && l.offset <= to && l.size > limit {
					over = true
				}
			}
			if !over {
				t.Fatalf("ErrBulkLineTooLong after %d rows, but the lines up to the next row are within %d bytes: %v", n, limit, err)
			}
		case errors.Is(err, ErrBulkMalformed):
			if n >= len(lines) {
				t.Fatalf("ErrBulkMalformed after all %d lines: %v", n, err)
			}
			if allObjects && lines[n].size <= limit {
				t.Fatalf("a valid JSON object line was rejected: line %d %q: %v", lines[n].number, lines[n].raw, err)
			}
		default:
			t.Fatalf("unexpected error kind: %v", err)
		}

		// Grouping sees the same rows: every row lands in exactly one group.
		if err == nil && maxLine == 0 {
			rows := 0
			var gerr error
			for g, e := range GroupBulkRows(bytes.NewReader(data), nil) {
				if e != nil {
					gerr = e
					break
				}
				if !g.Root.IsRoot() {
					t.Fatalf("group root %q has parent %q", g.Root.ID, g.Root.ParentID)
				}
				rows += 1 + len(g.Descendants)
			}
			if gerr == nil && rows != n {
				t.Fatalf("GroupBulkRows yielded %d rows, the reader %d", rows, n)
			}
			if gerr != nil && !errors.Is(gerr, ErrBulkMalformed) {
				t.Fatalf("GroupBulkRows: unexpected error kind: %v", gerr)
			}
		}
	})
}

// fuzzToken is the access token of the fuzzed client; it must never show up
// in an error.
const fuzzToken = "shpat_fuzz_secret_0123456789abcdef"

// fuzzTransport answers every request with one canned response.
type fuzzTransport struct {
	status      int
	contentType string
	body        []byte
}

func (ft *fuzzTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	h := http.Header{}
	if ft.contentType != "" {
		h.Set("Content-Type", ft.contentType)
	}
	h.Set("X-Request-Id", "fuzz-request")
	return &http.Response{
		StatusCode: ft.status, Status: fmt.Sprintf("%d %s", ft.status, http.StatusText(ft.status)),
		Header: h, Body: io.NopCloser(bytes.NewReader(ft.body)), ContentLength: int64(len(ft.body)),
		Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

// FuzzGraphQLResponse runs Client.Do against arbitrary answers (status,
// content type, body), with retries off, and checks how the answer is
// decoded: no panic; success only for a 2xx JSON answer with data and
// without GraphQL errors, in which case out holds exactly the "data" value;
// THROTTLED or 429 ⇒ *ThrottledError; 401 ⇒ *AuthError; 403 or an
// ACCESS_DENIED error ⇒ *AccessDeniedError; other non-2xx ⇒ *HTTPError;
// GraphQL errors ⇒ *GraphQLErrors; the access token never in an error.
func FuzzGraphQLResponse(f *testing.F) {
	cost := `"extensions":{"cost":{"requestedQueryCost":12,"actualQueryCost":7,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1993,"restoreRate":100}}}`
	seeds := []struct {
		status uint16
		ct     bool
		body   string
	}{
		{200, true, `{"data":{"shop":{"name":"Shop","id":"gid://shopify/Shop/1"}},` + cost + `}`},
		{200, true, `{"data":{"shop":null},"errors":[{"message":"Field 'x' doesn't exist on type 'Shop'","locations":[{"line":1,"column":9}],"path":["query","shop","x"],"extensions":{"code":"undefinedField","typeName":"Shop","fieldName":"x"}}]}`},
		{200, true, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":41,"restoreRate":100}}}}`},
		{200, true, `{"data":null,"errors":[{"message":"Access denied for orders field. Required access: ` + "`read_orders`" + ` access scope.","extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"` + "`read_orders`" + ` access scope."},"path":["orders"]}]}`},
		{200, true, `{"errors":[{"message":"Query cost is 1502, which exceeds the single query max cost limit (1000).","extensions":{"code":"MAX_COST_EXCEEDED","cost":1502,"maxCost":1000}}]}`},
		{401, true, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`},
		{403, true, `{"errors":"[API] This action requires merchant approval for read_orders scope."}`},
		{429, true, `{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}`},
		{402, true, `{"errors":"Unavailable Shop"}`},
		{404, true, `{"errors":"Not Found"}`},
		{423, true, `{"errors":"This shop is unavailable"}`},
		{500, true, `{"errors":[{"message":"Internal error. Looks like something went wrong on our end.","extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"abc"}}]}`},
		{502, false, `<html><body><h1>502 Bad Gateway</h1></body></html>`},
		{503, false, ``},
		{200, false, `{"data":{"shop":{"name":"no content type"}}}`},
		{200, true, `{"data":{"a":1},"errors":{"message":"an object"}}`},
		{200, true, `{"data":null}`},
		{200, true, `{"data":{"id":12345678901234567890123}}`},
		{200, true, `{}`},
		{200, true, `[]`},
		{200, true, `{"data":`},
		{200, true, `{"errors":[]}`},
		{200, true, `{"data":{},"extensions":{"cost":{"throttleStatus":{"maximumAvailable":-1,"currentlyAvailable":1e308,"restoreRate":0}}}}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status uint16, jsonCT bool, body []byte) {
		code := 200 + int(status)%400 // 200..599
		ft := &fuzzTransport{status: code, body: body}
		if jsonCT {
			ft.contentType = "application/json; charset=utf-8"
		}
		c, err := NewClient("fuzz-shop", WithAccessToken(fuzzToken), WithRetryMax(0),
			WithHTTPClient(&http.Client{Transport: ft}))
		if err != nil {
			t.Fatal(err)
		}
		var out json.RawMessage
		resp, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, &out)
		if resp == nil {
			t.Fatalf("no Response for an answered request (status %d): %v", code, err)
		}
		if resp.StatusCode != code || resp.RequestID != "fuzz-request" {
			t.Fatalf("Response status %d request id %q; want %d fuzz-request", resp.StatusCode, resp.RequestID, code)
		}

		// Reference decoding of the answer.
		var env envelope
		isJSON := (jsonCT || bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))) && json.Unmarshal(body, &env) == nil
		errs := parseErrors(env.Errors)
		throttled := code == http.StatusTooManyRequests
		denied := false
		for i := range errs {
			throttled = throttled || errs[i].Code() == "THROTTLED"
			denied = denied || errs[i].Code() == "ACCESS_DENIED"
		}

		if err != nil && !bytes.Contains(body, []byte(fuzzToken)) && strings.Contains(err.Error(), fuzzToken) {
			t.Fatalf("the error reveals the access token: %v", err)
		}
		var (
			te *ThrottledError
			ae *AuthError
			de *AccessDeniedError
			he *HTTPError
			ge *GraphQLErrors
		)
		switch {
		case throttled:
			if !errors.As(err, &te) {
				t.Fatalf("throttled answer (status %d): got %T %v", code, err, err)
			}
		case code == http.StatusUnauthorized:
			if !errors.As(err, &ae) {
				t.Fatalf("401: got %T %v", err, err)
			}
		case code == http.StatusForbidden:
			if !errors.As(err, &de) {
				t.Fatalf("403: got %T %v", err, err)
			}
		case code < 200 || code > 299:
			if !errors.As(err, &he) || he.StatusCode != code {
				t.Fatalf("status %d: got %T %v", code, err, err)
			}
		case !isJSON || (env.Data == nil && errs == nil):
			if !errors.As(err, &he) {
				t.Fatalf("2xx answer that is not a GraphQL response %q: got %T %v", body, err, err)
			}
		case denied:
			if !errors.As(err, &de) {
				t.Fatalf("ACCESS_DENIED: got %T %v", err, err)
			}
		case len(errs) > 0:
			if !errors.As(err, &ge) || len(ge.Errors) != len(errs) {
				t.Fatalf("%d GraphQL errors: got %T %v", len(errs), err, err)
			}
		default:
			if err != nil {
				t.Fatalf("a 2xx answer with data and no errors failed: %v (body %q)", err, body)
			}
		}
		// Whatever "data" held, Do decodes it as given (also next to
		// GraphQL errors); a null or missing data leaves out untouched.
		if err == nil || ge != nil {
			want := bytes.TrimSpace(env.Data)
			if bytes.Equal(want, []byte("null")) {
				want = nil
			}
			if !bytes.Equal(bytes.TrimSpace(out), want) {
				t.Fatalf("out = %q, data = %q", out, want)
			}
		}
	})
}
