package shopify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestDoSendsAndDecodes(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("X-Shopify-Access-Token"); got != "shpat_test_token" {
			t.Errorf("token header %q", got)
		}
		if got := r.Header.Get("Content-Type"); got != "application/json" {
			t.Errorf("Content-Type %q", got)
		}
		g := decodeGQL(t, r)
		if g.OperationName != "productTitle" || g.Variables["id"] != "gid://shopify/Product/1" || !strings.Contains(g.Query, "product(id: $id)") {
			t.Errorf("body %+v", g)
		}
		w.Header().Set("X-Request-Id", "req-123")
		w.Header().Set("X-Shopify-API-Version", "2026-10")
		writeJSON(w, http.StatusOK, `{"data":{"product":{"title":"Shirt","price":"19.99"}},"extensions":`+costJSON(3, 2, 2000, 1998, 100)+`}`)
	})
	var out struct {
		Product struct {
			Title string
			Price Decimal
		}
	}
	resp, err := c.Do(context.Background(), &Request{
		Query:         `query productTitle($id: ID!) { product(id: $id) { title } }`,
		Variables:     map[string]any{"id": GID("Product", 1)},
		OperationName: "productTitle",
	}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if out.Product.Title != "Shirt" || out.Product.Price != "19.99" {
		t.Fatalf("decoded %+v", out)
	}
	if resp.RequestID != "req-123" || resp.APIVersion != "2026-10" || resp.StatusCode != 200 || resp.Attempts != 1 {
		t.Fatalf("resp %+v", resp)
	}
	want := QueryCost{RequestedQueryCost: 3, ActualQueryCost: 2, ThrottleStatus: ThrottleStatus{MaximumAvailable: 2000, CurrentlyAvailable: 1998, RestoreRate: 100}}
	if resp.Cost == nil || *resp.Cost != want {
		t.Fatalf("cost %+v", resp.Cost)
	}
	if c.Shop() != "test-shop.myshopify.com" {
		t.Fatalf("Shop() = %q", c.Shop())
	}
}

func TestDoRejectsBadRequestsWithoutSending(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { calls.Add(1) })
	for _, req := range []*Request{
		nil,
		{Query: "  "},
		{Query: "query { shop { name }"},
		{Query: "query a { shop { name } } query b { shop { name } }"},
		{Query: "query a { shop { name } }", OperationName: "b"},
	} {
		if _, err := c.Do(context.Background(), req, nil); err == nil {
			t.Errorf("Do(%+v) succeeded", req)
		}
	}
	if calls.Load() != 0 {
		t.Fatalf("%d requests reached the server", calls.Load())
	}
}

func TestDoErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		check  func(t *testing.T, err error, out map[string]any)
	}{
		{"graphql errors with partial data", 200,
			`{"data":{"shop":{"name":"S"},"order":null},"errors":[{"message":"Internal error","path":["order"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}`,
			func(t *testing.T, err error, out map[string]any) {
				var ge *GraphQLErrors
				if !errors.As(err, &ge) || !ge.HasCode("INTERNAL_SERVER_ERROR") || ge.RequestID != "rid" || ge.Operation != "q" {
					t.Fatalf("err = %#v", err)
				}
				var one *GraphQLError
				if !errors.As(err, &one) || one.Code() != "INTERNAL_SERVER_ERROR" || one.Path[0] != "order" {
					t.Fatalf("errors.As *GraphQLError: %#v", one)
				}
				if out["shop"] == nil {
					t.Fatal("partial data was not decoded")
				}
				if !strings.Contains(err.Error(), "INTERNAL_SERVER_ERROR: Internal error (at order)") {
					t.Errorf("message %q", err)
				}
			}},
		{"access denied as graphql error", 200,
			`{"data":{"products":null},"errors":[{"message":"Access denied for products field. Required access: ` + "`read_products`" + ` access scope.","path":["products"],"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"` + "`read_products`" + ` access scope."}}]}`,
			func(t *testing.T, err error, _ map[string]any) {
				var ad *AccessDeniedError
				if !errors.As(err, &ad) || !errors.Is(err, ErrAccessDenied) {
					t.Fatalf("err = %#v", err)
				}
				if len(ad.Scopes) != 1 || ad.Scopes[0] != "read_products" || ad.RequiredAccess == "" || ad.StatusCode != 200 {
					t.Fatalf("AccessDeniedError %+v", ad)
				}
				var ge *GraphQLErrors
				if !errors.As(err, &ge) {
					t.Fatal("does not unwrap to *GraphQLErrors")
				}
				if !strings.Contains(err.Error(), "missing access scope read_products") {
					t.Errorf("message %q", err)
				}
				if errors.Is(err, ErrUnauthorized) {
					t.Error("access denied matches ErrUnauthorized")
				}
			}},
		{"403", 403, `{"errors":"[API] This action requires merchant approval for read_orders scope."}`,
			func(t *testing.T, err error, _ map[string]any) {
				var ad *AccessDeniedError
				if !errors.As(err, &ad) || ad.StatusCode != 403 || len(ad.Scopes) != 1 || ad.Scopes[0] != "read_orders" || ad.RequestID != "rid" {
					t.Fatalf("err = %#v", err)
				}
			}},
		{"404", 404, `{"errors":"Not Found"}`,
			func(t *testing.T, err error, _ map[string]any) {
				var he *HTTPError
				if !errors.As(err, &he) || he.StatusCode != 404 || he.Message != "Not Found" || he.Attempts != 1 {
					t.Fatalf("err = %#v", err)
				}
			}},
		{"400", 400, `{"errors":{"query":"Required parameter missing"}}`,
			func(t *testing.T, err error, _ map[string]any) {
				var he *HTTPError
				if !errors.As(err, &he) || he.StatusCode != 400 || !strings.Contains(he.Message, "Required parameter missing") {
					t.Fatalf("err = %#v", err)
				}
			}},
		{"200 without GraphQL", 200, `<html>maintenance</html>`,
			func(t *testing.T, err error, _ map[string]any) {
				var he *HTTPError
				if !errors.As(err, &he) || !strings.Contains(he.Message, "maintenance") {
					t.Fatalf("err = %#v", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.Header().Set("X-Request-Id", "rid")
				writeJSON(w, tt.status, tt.body)
			})
			out := map[string]any{}
			resp, err := c.Do(context.Background(), &Request{Query: `query q { shop { name } }`}, &out)
			if err == nil {
				t.Fatal("no error")
			}
			if resp == nil || resp.StatusCode != tt.status || resp.RequestID != "rid" {
				t.Fatalf("resp = %+v", resp)
			}
			if calls.Load() != 1 {
				t.Fatalf("%d attempts; a %d must not be retried", calls.Load(), tt.status)
			}
			tt.check(t, err, out)
		})
	}
}

func TestUserErrors(t *testing.T) {
	t.Parallel()
	if err := CheckUserErrors("productUpdate", nil); err != nil {
		t.Fatalf("no user errors gave %v", err)
	}
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"data":{"inventorySetQuantities":{"userErrors":[{"field":["input","quantities","0","changeFromQuantity"],"message":"The quantity changed","code":"CHANGE_FROM_QUANTITY_STALE"}]}}}`)
	})
	var out struct {
		P struct {
			UserErrors []UserError `json:"userErrors"`
		} `json:"inventorySetQuantities"`
	}
	doc := `mutation inventorySetQuantities($input: InventorySetQuantitiesInput!) { inventorySetQuantities(input: $input) { userErrors { field message code } } }`
	if _, err := c.Do(context.Background(), &Request{Query: doc}, &out); err != nil {
		t.Fatal(err)
	}
	err := CheckUserErrors("inventorySetQuantities", out.P.UserErrors)
	var ue *UserErrorsError
	if !errors.As(err, &ue) || !errors.Is(err, ErrUserErrors) || !ue.HasCode("CHANGE_FROM_QUANTITY_STALE") {
		t.Fatalf("err = %#v", err)
	}
	if got := ue.Errors[0].Field; len(got) != 4 || got[3] != "changeFromQuantity" {
		t.Fatalf("field %v", got)
	}
	want := "shopify: inventorySetQuantities: rejected: CHANGE_FROM_QUANTITY_STALE: The quantity changed (field input.quantities.0.changeFromQuantity)"
	if err.Error() != want {
		t.Fatalf("message\n got %q\nwant %q", err, want)
	}
	out.P.UserErrors[0].Code = "CHANGED"
	if ue.Errors[0].Code != "CHANGE_FROM_QUANTITY_STALE" {
		t.Fatal("CheckUserErrors keeps the caller's slice")
	}
}

func TestDeprecationAndVersionWarnings(t *testing.T) {
	t.Parallel()
	c, logs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Shopify-API-Deprecated-Reason", "https://shopify.dev/api/usage/versioning#deprecation-practices")
		w.Header().Set("X-Shopify-API-Version", "2026-07")
		w.Header().Set("X-Request-Id", "dep-1")
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}}}`)
	})
	for range 3 {
		resp, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.APIVersion != "2026-07" {
			t.Fatalf("APIVersion %q", resp.APIVersion)
		}
	}
	var deprecated, version int
	for _, line := range strings.Split(logs.String(), "\n") {
		if !strings.Contains(line, "level=WARN") {
			continue
		}
		switch {
		case strings.Contains(line, "deprecated") && strings.Contains(line, "reason=https://shopify.dev/api/usage/versioning#deprecation-practices") && strings.Contains(line, "operation=shop"):
			deprecated++
		case strings.Contains(line, "requested=2026-10") && strings.Contains(line, "served=2026-07"):
			version++
		}
	}
	if deprecated != 1 || version != 1 {
		t.Fatalf("want one deprecation and one version warning, got %d and %d:\n%s", deprecated, version, logs)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("X-Shopify-Access-Token"))
	}))
	defer other.Close()
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	})
	_, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
	var he *HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("err = %v", err)
	}
	if leaked.Load() != nil {
		t.Fatalf("the redirect target received the token %q", leaked.Load())
	}
}

func TestNewClientValidatesOptions(t *testing.T) {
	t.Parallel()
	l := NewLimiter()
	if _, err := NewClient("a", WithAccessToken("t"), WithLimiter(l)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts []Option
	}{
		{"no credentials", nil},
		{"two credentials", []Option{WithAccessToken("t"), WithClientCredentials("id", "secret")}},
		{"empty token", []Option{WithAccessToken(" ")}},
		{"token with newline", []Option{WithAccessToken("t\r\nX-Evil: 1")}},
		{"nil option", []Option{WithAccessToken("t"), nil}},
		{"nil token source", []Option{WithTokenSource(nil)}},
		{"empty client secret", []Option{WithClientCredentials("id", "")}},
		{"bad version", []Option{WithAccessToken("t"), WithAPIVersion("2026-11")}},
		{"bad version text", []Option{WithAccessToken("t"), WithAPIVersion("latest")}},
		{"base URL scheme", []Option{WithAccessToken("t"), WithBaseURL("ftp://x")}},
		{"base URL without host", []Option{WithAccessToken("t"), WithBaseURL("http:///x")}},
		{"base URL with user", []Option{WithAccessToken("t"), WithBaseURL("http://u:p@x")}},
		{"base URL with query", []Option{WithAccessToken("t"), WithBaseURL("http://x/?a=b")}},
		{"nil HTTP client", []Option{WithAccessToken("t"), WithHTTPClient(nil)}},
		{"nil logger", []Option{WithAccessToken("t"), WithLogger(nil)}},
		{"nil observer", []Option{WithAccessToken("t"), WithObserver(nil)}},
		{"nil policy", []Option{WithAccessToken("t"), WithRetryPolicy(nil)}},
		{"nil backoff", []Option{WithAccessToken("t"), WithBackoff(nil)}},
		{"negative retries", []Option{WithAccessToken("t"), WithRetryMax(-1)}},
		{"bad waits", []Option{WithAccessToken("t"), WithRetryWait(2, 1)}},
		{"limiter of another shop", []Option{WithAccessToken("t"), WithLimiter(l)}},
		{"nil limiter", []Option{WithAccessToken("t"), WithLimiter(nil)}},
		{"bad user agent", []Option{WithAccessToken("t"), WithUserAgent("a\nb")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if c, err := NewClient("b", tt.opts...); err == nil {
				t.Fatalf("NewClient succeeded: %v", c)
			}
		})
	}
	c, err := NewClient("https://b.myshopify.com/admin", WithAccessToken("t"), WithAPIVersion("2026-07"), WithBaseURL("http://127.0.0.1:9/pre/"))
	if err != nil {
		t.Fatal(err)
	}
	if c.endpoint != "http://127.0.0.1:9/pre/admin/api/2026-07/graphql.json" || c.APIVersion() != "2026-07" {
		t.Fatalf("endpoint %q", c.endpoint)
	}
	c, _ = NewClient("b", WithAccessToken("t"))
	if c.endpoint != "https://b.myshopify.com/admin/api/2026-10/graphql.json" {
		t.Fatalf("default endpoint %q", c.endpoint)
	}
}

func TestObserver(t *testing.T) {
	t.Parallel()
	var got []RequestMetrics
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "obs-1")
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(12, 7, 1000, 993, 50)+`}`)
	}, WithObserver(func(_ context.Context, m RequestMetrics) { got = append(got, m) }))
	if _, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("observer called %d times", len(got))
	}
	m := got[0]
	if m.Operation != "shop" || m.Mutation || m.StatusCode != 200 || m.RequestID != "obs-1" || m.RequestedCost != 12 || m.ActualCost != 7 ||
		m.Attempts != 1 || m.Retries != 0 || m.Throttle == nil || m.Throttle.RestoreRate != 50 || m.Err != nil || m.Shop != "test-shop.myshopify.com" || m.Duration <= 0 {
		t.Fatalf("metrics %+v", m)
	}
}

// refuseTransport fails the test if anything is sent through it.
type refuseTransport struct{ t *testing.T }

func (r refuseTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.t.Errorf("a request to %s was sent", req.URL)
	return nil, errors.New("sent")
}

func TestTransportRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	c, err := NewClient("a", WithAccessToken("shpat_x"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	tr := &transport{c: c, base: refuseTransport{t}}
	cl := &call{op: operation{name: "q"}}
	ctx := context.WithValue(context.Background(), callKey{}, cl)
	for _, u := range []string{"https://evil.example/admin/api/2026-10/graphql.json", "http://a.myshopify.com/admin/api/2026-10/graphql.json"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
		if _, err := tr.RoundTrip(req); !errors.Is(err, errRefusedHost) {
			t.Errorf("%s: err = %v", u, err)
		}
	}
	var nilClient *Client
	if s := fmt.Sprint(nilClient); !strings.Contains(s, "nil") {
		t.Errorf("nil client prints %q", s)
	}
	_ = nilClient.LogValue()
}
