package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Modes of the echo server: how it reflects a request into its answer.
var echoModes = []string{
	"http-400", "http-401", "http-403", "http-404", "http-500", "text-502",
	"graphql-errors", "access-denied", "user-errors", "failed-bulk", "throttled", "not-json",
}

// echoServer answers every request by reflecting it, whole (headers, access
// token, body, form), into every part of the answer the client reads:
// status-specific error bodies, GraphQL errors (message, code, path,
// requiredAccess), user errors, a bulk operation's error code, the request
// id, deprecation and API version headers. mode is one of echoModes. Token
// requests get a token (issued) unless tokenMode is set, in which case they
// are refused with the request echoed into every field of the refusal.
type echoServer struct {
	srv       *httptest.Server
	mode      string
	tokenMode string
	issued    string
}

func newEchoServer(t *testing.T, mode, tokenMode, issued string) *echoServer {
	t.Helper()
	es := &echoServer{mode: mode, tokenMode: tokenMode, issued: issued}
	es.srv = httptest.NewServer(http.HandlerFunc(es.serve))
	t.Cleanup(es.srv.Close)
	return es
}

func (es *echoServer) serve(w http.ResponseWriter, r *http.Request) {
	dump, _ := httputil.DumpRequest(r, true)
	echo := string(dump)
	token := r.Header.Get("X-Shopify-Access-Token")
	if token == "" {
		// The token request: its form carries the client secret.
		token = echo
	}
	headerSafe := strings.NewReplacer("\r", " ", "\n", " ").Replace(echo)
	w.Header().Set("X-Request-Id", headerSafe)
	w.Header().Set("X-Shopify-API-Deprecated-Reason", "deprecated for "+headerSafe)
	w.Header().Set("X-Shopify-API-Version", headerSafe)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }

	if strings.HasSuffix(r.URL.Path, "/admin/oauth/access_token") {
		switch es.tokenMode {
		case "":
			writeJSON(w, http.StatusOK, `{"access_token":`+q(es.issued)+`,"refresh_token":`+q(es.issued+"_refresh")+`,"scope":"read_products","expires_in":86399}`)
		case "oauth-error":
			writeJSON(w, http.StatusBadRequest, `{"error":`+q(echo)+`,"error_description":`+q(echo)+`}`)
		case "errors-object":
			writeJSON(w, http.StatusUnauthorized, `{"errors":{"detail":`+q(echo)+`}}`)
		case "not-json":
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, echo)
		}
		return
	}

	var gq gqlBody
	if i := strings.Index(echo, "\r\n\r\n"); i >= 0 {
		_ = json.Unmarshal([]byte(echo[i+4:]), &gq)
	}
	switch es.mode {
	case "http-400", "http-401", "http-403", "http-404", "http-500":
		var status int
		fmt.Sscanf(es.mode, "http-%d", &status)
		writeJSON(w, status, `{"errors":`+q(echo)+`}`)
	case "text-502":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, echo)
	case "graphql-errors":
		writeJSON(w, http.StatusOK, `{"data":null,"errors":[{"message":`+q(echo)+`,"path":[`+q(token)+`],"extensions":{"code":`+q(token)+`,"detail":`+q(echo)+`}}]}`)
	case "access-denied":
		writeJSON(w, http.StatusOK, `{"data":null,"errors":[{"message":`+q(echo)+`,"extensions":{"code":"ACCESS_DENIED","requiredAccess":`+q(echo)+`}}]}`)
	case "user-errors", "failed-bulk":
		userErrors := `[{"field":[` + q(token) + `],"message":` + q(echo) + `,"code":` + q(token) + `}]`
		if es.mode == "failed-bulk" {
			userErrors = `[]`
		}
		bulk := `{"id":"gid://shopify/BulkOperation/1","status":"FAILED","errorCode":` + q(token) + `,"url":null,"partialDataUrl":null}`
		root := `{"userErrors":` + userErrors + `,"bulkOperation":` + bulk + `,"id":"gid://shopify/BulkOperation/1","status":"FAILED","errorCode":` + q(token) + `}`
		data := map[string]json.RawMessage{}
		for _, f := range rootFields(gq.Query, gq.OperationName) {
			data[f] = json.RawMessage(root)
		}
		b, _ := json.Marshal(map[string]any{"data": data})
		writeJSON(w, http.StatusOK, string(b))
	case "throttled":
		w.Header().Set("Retry-After", "0")
		writeJSON(w, http.StatusTooManyRequests, `{"errors":`+q(echo)+`}`)
	case "not-json":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, echo)
	}
}

// rootFields returns the response keys of the operation's top-level fields.
func rootFields(query, name string) []string {
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	if err != nil {
		return nil
	}
	var op *ast.OperationDefinition
	if name != "" {
		op = doc.Operations.ForName(name)
	} else if len(doc.Operations) > 0 {
		op = doc.Operations[0]
	}
	if op == nil {
		return nil
	}
	var out []string
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); ok {
			out = append(out, f.Alias)
		}
	}
	return out
}

// clientCalls are every call of the client that talks to the shop, each
// with arguments that pass the client's own checks.
var clientCalls = []struct {
	name string
	call func(ctx context.Context, c *Client) error
}{
	{"Do", func(ctx context.Context, c *Client) error {
		_, err := c.Do(ctx, &Request{Query: `query shop { shop { name } }`}, &struct{}{})
		return err
	}},
	{"ShopInfo", func(ctx context.Context, c *Client) error { _, _, err := c.ShopInfo(ctx); return err }},
	{"ShopDetails.Get", func(ctx context.Context, c *Client) error { _, err := c.ShopDetails().Get(ctx); return err }},
	{"ShopDetails.AccessScopes", func(ctx context.Context, c *Client) error { _, err := c.ShopDetails().AccessScopes(ctx); return err }},
	{"ShopDetails.APIVersions", func(ctx context.Context, c *Client) error { _, err := c.ShopDetails().APIVersions(ctx); return err }},
	{"Locations.List", func(ctx context.Context, c *Client) error {
		for _, err := range c.Locations().List(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"Locations.Get", func(ctx context.Context, c *Client) error {
		_, err := c.Locations().Get(ctx, "gid://shopify/Location/1")
		return err
	}},
	{"Products.List", func(ctx context.Context, c *Client) error {
		for _, err := range c.Products().List(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"Products.Get", func(ctx context.Context, c *Client) error {
		_, err := c.Products().Get(ctx, "gid://shopify/Product/1")
		return err
	}},
	{"Products.VariantsBySKU", func(ctx context.Context, c *Client) error {
		_, err := c.Products().VariantsBySKU(ctx, "SKU-1")
		return err
	}},
	{"Products.VariantsByBarcode", func(ctx context.Context, c *Client) error {
		_, err := c.Products().VariantsByBarcode(ctx, "5701234567890")
		return err
	}},
	{"Products.UpdateVariants", func(ctx context.Context, c *Client) error {
		b := "5701234567890"
		_, err := c.Products().UpdateVariants(ctx, "gid://shopify/Product/1", []VariantUpdate{{ID: "gid://shopify/ProductVariant/1", Barcode: &b}})
		return err
	}},
	{"InventoryItems.Get", func(ctx context.Context, c *Client) error {
		_, err := c.InventoryItems().Get(ctx, "gid://shopify/InventoryItem/1")
		return err
	}},
	{"InventoryItems.Update", func(ctx context.Context, c *Client) error {
		cost := Decimal("1.50")
		_, err := c.InventoryItems().Update(ctx, "gid://shopify/InventoryItem/1", InventoryItemUpdate{Cost: &cost})
		return err
	}},
	{"Inventory.Levels", func(ctx context.Context, c *Client) error {
		_, err := c.Inventory().Levels(ctx, "gid://shopify/InventoryItem/1")
		return err
	}},
	{"Inventory.SetQuantities", func(ctx context.Context, c *Client) error {
		_, err := c.Inventory().SetQuantities(ctx, SetQuantitiesRequest{IdempotencyKey: "k", Quantities: []QuantityChange{
			{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/1", Quantity: 3}}})
		return err
	}},
	{"Inventory.Activate", func(ctx context.Context, c *Client) error {
		_, err := c.Inventory().Activate(ctx, ActivateRequest{InventoryItemID: "gid://shopify/InventoryItem/1", LocationID: "gid://shopify/Location/1"})
		return err
	}},
	{"Orders.List", func(ctx context.Context, c *Client) error {
		for _, err := range c.Orders().List(ctx, nil) {
			if err != nil {
				return err
			}
		}
		return nil
	}},
	{"Orders.Get", func(ctx context.Context, c *Client) error {
		_, err := c.Orders().Get(ctx, "gid://shopify/Order/1")
		return err
	}},
	{"Fulfillments.Create", func(ctx context.Context, c *Client) error {
		_, err := c.Fulfillments().Create(ctx, FulfillmentRequest{Lines: []FulfillmentOrderLines{{FulfillmentOrderID: "gid://shopify/FulfillmentOrder/1"}}})
		return err
	}},
	{"Fulfillments.Get", func(ctx context.Context, c *Client) error {
		_, err := c.Fulfillments().Get(ctx, "gid://shopify/Fulfillment/1")
		return err
	}},
	{"Payments.Capture", func(ctx context.Context, c *Client) error {
		_, err := c.Payments().Capture(ctx, CaptureRequest{OrderID: "gid://shopify/Order/1", ParentTransactionID: "gid://shopify/OrderTransaction/1", Amount: "10.00"})
		return err
	}},
	{"Payments.MarkAsPaid", func(ctx context.Context, c *Client) error {
		_, err := c.Payments().MarkAsPaid(ctx, "gid://shopify/Order/1")
		return err
	}},
	{"Refunds.Create", func(ctx context.Context, c *Client) error {
		_, err := c.Refunds().Create(ctx, RefundRequest{OrderID: "gid://shopify/Order/1", IdempotencyKey: "k",
			Lines: []RefundLine{{LineItemID: "gid://shopify/LineItem/1", Quantity: 1}}})
		return err
	}},
	{"WebhookSubscriptions.List", func(ctx context.Context, c *Client) error {
		_, err := c.WebhookSubscriptions().List(ctx, "https://wms.example/webhooks")
		return err
	}},
	{"WebhookSubscriptions.Create", func(ctx context.Context, c *Client) error {
		_, err := c.WebhookSubscriptions().Create(ctx, WebhookSubscriptionSpec{Topic: "ORDERS_CREATE", URI: "https://wms.example/webhooks"})
		return err
	}},
	{"WebhookSubscriptions.Update", func(ctx context.Context, c *Client) error {
		_, err := c.WebhookSubscriptions().Update(ctx, "gid://shopify/WebhookSubscription/1", WebhookSubscriptionSpec{Topic: "ORDERS_CREATE", URI: "https://wms.example/webhooks"})
		return err
	}},
	{"WebhookSubscriptions.Delete", func(ctx context.Context, c *Client) error {
		return c.WebhookSubscriptions().Delete(ctx, "gid://shopify/WebhookSubscription/1")
	}},
	{"WebhookSubscriptions.Ensure", func(ctx context.Context, c *Client) error {
		_, err := c.WebhookSubscriptions().Ensure(ctx, "https://wms.example/webhooks", []WebhookSubscriptionSpec{{Topic: "ORDERS_CREATE"}})
		return err
	}},
	{"BulkOperations.RunQuery", func(ctx context.Context, c *Client) error {
		_, err := c.BulkOperations().RunQuery(ctx, `{ products { edges { node { id } } } }`, &BulkQueryOptions{NoQueue: true})
		return err
	}},
	{"BulkOperations.Get", func(ctx context.Context, c *Client) error {
		_, err := c.BulkOperations().Get(ctx, "gid://shopify/BulkOperation/1")
		return err
	}},
	{"BulkOperations.List", func(ctx context.Context, c *Client) error { _, err := c.BulkOperations().List(ctx, "", 5); return err }},
	{"BulkOperations.Cancel", func(ctx context.Context, c *Client) error {
		_, err := c.BulkOperations().Cancel(ctx, "gid://shopify/BulkOperation/1")
		return err
	}},
	{"BulkOperations.Run", func(ctx context.Context, c *Client) error {
		_, err := c.BulkOperations().Run(ctx, `{ products { edges { node { id } } } }`,
			&BulkQueryOptions{NoQueue: true, Wait: &WaitOptions{MinInterval: time.Millisecond, MaxInterval: time.Millisecond}})
		return err
	}},
}

// echoSecrets are the secrets of the echo test's clients.
const (
	echoAccessToken  = "shpat_ECHO_access_0123456789abcdef"
	echoClientSecret = "shpss_ECHO_client_0123456789abcdef"
	echoIssuedToken  = "shpat_ECHO_issued_0123456789abcdef"
	echoRefreshToken = "shprt_ECHO_refresh_0123456789abcdef"
	echoExtraSecret  = "whsec_ECHO_webhook_0123456789abcdef"
)

var echoAllSecrets = []string{echoAccessToken, echoClientSecret, echoIssuedToken, echoIssuedToken + "_refresh", echoRefreshToken, echoExtraSecret}

func assertNoEchoSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range echoAllSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s shows secret %q: %.400s", where, sec, s)
		}
	}
}

// TestNoSecretInErrorsOrLogs_EchoServer runs every client call against a
// server that echoes the request (access token, client secret, body) into
// every field of every kind of answer, with each kind of credentials, and
// checks that no secret shows in any error (Error, %+v, %#v) or log line,
// while the echo did reach them (the mask shows instead).
func TestNoSecretInErrorsOrLogs_EchoServer(t *testing.T) {
	t.Parallel()
	creds := map[string]func(es *echoServer) Option{
		"access token": func(*echoServer) Option { return WithAccessToken(echoAccessToken) },
		"client credentials": func(*echoServer) Option {
			return WithClientCredentials("app-client-id", echoClientSecret)
		},
		"refresh token source": func(es *echoServer) Option {
			start := &Token{AccessToken: echoAccessToken, RefreshToken: echoRefreshToken, Expiry: time.Now().Add(time.Hour)}
			return WithTokenSource(RefreshTokenSource(start, func(ctx context.Context, cur *Token) (*Token, error) {
				return &Token{AccessToken: echoIssuedToken, RefreshToken: echoIssuedToken + "_refresh", Expiry: time.Now().Add(time.Hour)}, nil
			}))
		},
	}
	for credName, cred := range creds {
		for _, mode := range echoModes {
			t.Run(credName+"/"+mode, func(t *testing.T) {
				t.Parallel()
				es := newEchoServer(t, mode, "", echoIssuedToken)
				logs := &syncBuffer{}
				c, err := NewClient("echo-shop", WithBaseURL(es.srv.URL), cred(es),
					WithRedactedSecrets(echoExtraSecret), WithRetryMax(1), WithRetryWait(time.Millisecond, 2*time.Millisecond),
					WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				if err != nil {
					t.Fatal(err)
				}
				masked := 0
				for _, cc := range clientCalls {
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					err := cc.call(ctx, c)
					cancel()
					if err == nil {
						continue // some calls accept an answer with nothing in it
					}
					for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
						assertNoEchoSecret(t, cc.name+" error "+verb, fmt.Sprintf(verb, err))
					}
					for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
						assertNoEchoSecret(t, cc.name+" wrapped error", e.Error())
					}
					// The typed errors' fields, as a caller reads them.
					assertNoEchoSecret(t, cc.name+" typed error fields", typedErrorFields(err))
					if strings.Contains(err.Error(), "[REDACTED]") {
						masked++
					}
				}
				out := logs.String()
				assertNoEchoSecret(t, "logs", out)
				if !strings.Contains(out, "[REDACTED]") {
					t.Errorf("no log line shows the mask, so the echo never reached the logs: %.600s", out)
				}
				if mode != "failed-bulk" && masked == 0 {
					t.Errorf("no error shows the mask, so the echo never reached the errors")
				}
			})
		}
	}
}

// typedErrorFields prints every typed error of the package that err
// matches, field by field.
func typedErrorFields(err error) string {
	var b strings.Builder
	var he *HTTPError
	var ae *AuthError
	var ade *AccessDeniedError
	var te *ThrottledError
	var ge *GraphQLErrors
	var gqe *GraphQLError
	var ue *UserErrorsError
	var be *BulkOperationError
	var tke *TokenError
	for _, target := range []any{&he, &ae, &ade, &te, &ge, &gqe, &ue, &be, &tke} {
		if errors.As(err, target) {
			fmt.Fprintf(&b, "%#v\n", reflect.ValueOf(target).Elem().Interface())
		}
	}
	if ge != nil {
		fmt.Fprintf(&b, "%#v\n", ge.Errors)
	}
	if ade != nil && ade.GraphQL != nil {
		fmt.Fprintf(&b, "%#v\n", ade.GraphQL.Errors)
	}
	if be != nil {
		fmt.Fprintf(&b, "%#v\n", be.Operation)
	}
	return b.String()
}

// TestNoSecretInTokenErrors_EchoServer: a token endpoint that echoes the
// client-credentials request (with the client secret) into the OAuth error
// code, the description, an errors object, a non-JSON body or the request
// id leaks it into no error or log line, called directly and through a
// Client.
func TestNoSecretInTokenErrors_EchoServer(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"oauth-error", "errors-object", "not-json"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			es := newEchoServer(t, "graphql-errors", mode, "")
			_, err := ClientCredentials{TokenURL: es.srv.URL + "/admin/oauth/access_token", ClientID: "app-client-id", ClientSecret: echoClientSecret}.Token(context.Background())
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a *TokenError", err)
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), te.Code, te.Description, te.RequestID} {
				assertNoEchoSecret(t, "token error", s)
			}
			if !strings.Contains(err.Error(), "[REDACTED]") {
				t.Errorf("the echo never reached the error: %v", err)
			}

			// Every grant posts through PostToken (package oauth's code
			// exchange and refresh too): the code and the refresh token
			// are scrubbed like the client secret.
			for grant, form := range map[string]url.Values{
				"authorization_code": {"grant_type": {"authorization_code"}, "client_id": {"app-client-id"},
					"client_secret": {echoClientSecret}, "code": {echoIssuedToken}},
				"refresh_token": {"grant_type": {"refresh_token"}, "client_id": {"app-client-id"},
					"client_secret": {echoClientSecret}, "refresh_token": {echoRefreshToken}},
			} {
				_, err := PostToken(context.Background(), nil, es.srv.URL+TokenPath, form, time.Time{})
				if !errors.As(err, &te) {
					t.Fatalf("%s: err = %v, want a *TokenError", grant, err)
				}
				for _, s := range []string{err.Error(), fmt.Sprintf("%#v", err), te.Code, te.Description, te.RequestID} {
					assertNoEchoSecret(t, grant+" error", s)
				}
				if !strings.Contains(err.Error(), "[REDACTED]") {
					t.Errorf("%s: the echo never reached the error: %v", grant, err)
				}
			}

			logs := &syncBuffer{}
			c, err := NewClient("echo-shop", WithBaseURL(es.srv.URL), WithClientCredentials("app-client-id", echoClientSecret),
				WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
			if err == nil {
				t.Fatal("Do succeeded without a token")
			}
			assertNoEchoSecret(t, "Do error", fmt.Sprintf("%+v", err))
			assertNoEchoSecret(t, "logs", logs.String())
			if !strings.Contains(logs.String(), "[REDACTED]") {
				t.Errorf("the echo never reached the logs: %s", logs.String())
			}
		})
	}
}

// TestNoSecretInTokenSourceErrors: a host's token source whose error
// quotes the refresh token it holds, or a token it issued earlier, shows
// neither in the Client's errors or logs.
func TestNoSecretInTokenSourceErrors(t *testing.T) {
	t.Parallel()
	var calls int
	start := &Token{AccessToken: echoAccessToken, RefreshToken: echoRefreshToken, Expiry: time.Now().Add(-time.Hour)} // expired: refreshes at once
	ts := RefreshTokenSource(start, func(ctx context.Context, cur *Token) (*Token, error) {
		calls++
		return nil, fmt.Errorf("refresh with %s (access token %s) refused", cur.RefreshToken, cur.AccessToken)
	})
	c, logs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		t.Error("no request may reach the API without a token")
	}, WithTokenSource(ts))
	_, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
	if err == nil || calls == 0 {
		t.Fatalf("err = %v after %d refreshes", err, calls)
	}
	assertNoEchoSecret(t, "error", fmt.Sprintf("%+v", err))
	assertNoEchoSecret(t, "logs", logs.String())
	if !strings.Contains(err.Error(), "[REDACTED]") {
		t.Fatalf("the hook's text did not reach the error: %v", err)
	}
}
