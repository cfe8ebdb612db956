package woocommerce

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

func TestNewClientValidatesTheStoreURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url, want string
	}{
		{"http://shop.example", "must use https"},
		{"ftp://shop.example", "not an https URL"},
		{"https://", "not an https URL"},
		{"https://u:p@shop.example", "user info"},
		{"https://shop.example/?x=1", "query"},
	} {
		_, err := NewClient(tt.url, WithKeys(testKey, testSecret))
		require.ErrorContains(t, err, tt.want, tt.url)
	}
	_, err := NewClient(testStore)
	require.ErrorContains(t, err, "WithKeys")
	_, err = NewClient(testStore, WithKeys("ck_x", ""))
	require.Error(t, err)

	c, err := NewClient("https://example.com/shop/wp-json/", WithKeys(testKey, testSecret))
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/shop", c.StoreURL())
}

func TestBasicAuthAndRequestShape(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products/794", func(r *http.Request) (*http.Response, error) {
		user, pass, ok := r.BasicAuth()
		assert.True(t, ok)
		assert.Equal(t, testKey, user)
		assert.Equal(t, testSecret, pass)
		assert.Empty(t, r.URL.RawQuery, "no credentials in the query with Basic auth")
		assert.Equal(t, "wmsbridge", r.Header.Get("User-Agent"))
		assert.Equal(t, "application/json", r.Header.Get("Accept"))
		return jsonResponse(200, fixture(t, "product_794.json")), nil
	})
	p, resp, err := c.Products().Get(context.Background(), 794)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, int64(794), p.ID)
	assert.Equal(t, Decimal("21.99"), p.Price)
	assert.Equal(t, Decimal(""), p.SalePrice)
	assert.Nil(t, p.StockQuantity)
	assert.False(t, p.ManageStock.On)
	assert.Equal(t, "2017-03-23T20:01:14Z", p.DateModifiedGMT.Format(time.RFC3339))
	assert.Equal(t, ID(0), p.ShippingClassID)
	assert.Len(t, p.Categories, 2)
	// Basic auth never leaves the credentials in what the caller gets back.
	assert.Empty(t, resp.Request.Header.Get("Authorization"))
}

func TestQueryStringAuthKeepsSecretsOutOfResults(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithQueryStringAuth())
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products", func(r *http.Request) (*http.Response, error) {
		_, _, basic := r.BasicAuth()
		assert.False(t, basic)
		q := r.URL.Query()
		assert.Equal(t, testKey, q.Get("consumer_key"))
		assert.Equal(t, testSecret, q.Get("consumer_secret"))
		assert.Equal(t, "2", q.Get("page"))
		// WooCommerce builds Link from the request URL, credentials included.
		next := fmt.Sprintf(`<%s/wp-json/wc/v3/products?page=3&consumer_key=%s&consumer_secret=%s>; rel="next"`, testStore, testKey, testSecret)
		return jsonResponse(200, `[{"id":1}]`, "X-WP-Total", "250", "X-WP-TotalPages", "3", "Link", next), nil
	})
	ps, resp, err := c.Products().List(context.Background(), &ProductListOptions{ListOptions: ListOptions{Page: 2}})
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, int64(250), resp.Total)
	assert.Equal(t, 3, resp.TotalPages)
	assert.True(t, resp.HasNext)
	link := resp.Header.Get("Link")
	assert.Contains(t, link, "page=3")
	assert.NotContains(t, link, testSecret)
	assert.NotContains(t, link, testKey)
	assert.NotContains(t, resp.Request.URL.String(), testSecret)

	// A transport failure names the URL, never with the credentials.
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders", httpmock.NewErrorResponder(errors.New("connection reset by peer")))
	_, _, err = c.Orders().List(context.Background(), nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testSecret)
	assert.NotContains(t, err.Error(), testKey)
	assert.Contains(t, err.Error(), "connection reset")
}

func TestPlainPermalinksUseRestRoute(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithPlainPermalinks())
	mt.RegisterResponder("GET", testStore+"/", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "/wc/v3/orders/727", r.URL.Query().Get("rest_route"))
		return jsonResponse(200, fixture(t, "order_727.json")), nil
	})
	o, _, err := c.Orders().Get(context.Background(), 727)
	require.NoError(t, err)
	assert.Equal(t, int64(727), o.ID)
}

func TestSecretsNeverFormatted(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("client", "c", c)
	req := WebhookRequest{Name: Ptr("orders"), Secret: Ptr("whsec-very-secret")}
	for _, s := range []string{
		fmt.Sprintf("%v", c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s", c), fmt.Sprintf("%q", c), c.String(),
		logs.String(),
		fmt.Sprintf("%v", req), fmt.Sprintf("%+v", &req), fmt.Sprintf("%#v", req),
		fmt.Sprintf("%+v", Batch[WebhookRequest]{Create: []WebhookRequest{req}}),
	} {
		assert.NotContains(t, s, testSecret)
		assert.NotContains(t, s, testKey)
		assert.NotContains(t, s, "whsec-very-secret")
	}
	assert.Contains(t, fmt.Sprintf("%v", c), "shop.example")
}

func TestErrorAnswersAreTyped(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	bodies := strings.Split(strings.TrimSpace(fixture(t, "errors.jsonl")), "\n")

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders", httpmock.ResponderFromResponse(jsonResponse(401, bodies[0])))
	_, _, err := c.Orders().List(ctx, nil)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "woocommerce_rest_cannot_view", apiErr.Code)
	assert.Equal(t, 401, apiErr.StatusCode)
	assert.Equal(t, "GET", apiErr.Method)
	assert.Equal(t, "/wc/v3/orders", apiErr.Path)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.NotErrorIs(t, err, ErrNotFound)

	// A read-only key used to write: 401 woocommerce_rest_authentication_error.
	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/orders/5", httpmock.ResponderFromResponse(jsonResponse(401, bodies[2])))
	_, _, err = c.Orders().Update(ctx, 5, &OrderRequest{Status: Ptr(StatusCompleted)})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "woocommerce_rest_authentication_error", apiErr.Code)
	assert.Contains(t, apiErr.Message, "write permissions")
	assert.ErrorIs(t, err, ErrUnauthorized)

	// PUT of a missing id is a 400 in WooCommerce; it still matches ErrNotFound.
	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/products/99", httpmock.ResponderFromResponse(jsonResponse(400,
		`{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.","data":{"status":400}}`)))
	_, _, err = c.Products().Update(ctx, 99, &ProductRequest{SKU: Ptr("X")})
	assert.ErrorIs(t, err, ErrNotFound)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products", httpmock.ResponderFromResponse(jsonResponse(400, bodies[4])))
	_, _, err = c.Products().List(ctx, &ProductListOptions{ListOptions: ListOptions{PerPage: 101}})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "rest_invalid_param", apiErr.Code)
	assert.Equal(t, map[string]string{"per_page": "per_page must be between 1 (inclusive) and 100 (inclusive)"}, apiErr.Params)
	assert.Contains(t, err.Error(), "per_page must be between")

	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/products", httpmock.ResponderFromResponse(jsonResponse(400, bodies[5])))
	_, _, err = c.Products().Create(ctx, &ProductRequest{SKU: Ptr("ABC")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "product_invalid_sku", apiErr.Code)
	assert.Equal(t, int64(123), apiErr.ResourceID())

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/variations", httpmock.ResponderFromResponse(jsonResponse(404, bodies[7])))
	_, _, err = c.Variations().ListAll(ctx, nil)
	assert.ErrorIs(t, err, ErrNotFound)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "rest_no_route", apiErr.Code)
}

func TestRetriesTransientAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		first *http.Response
	}{
		{"503", jsonResponse(503, `{"code":"x","message":"down","data":{"status":503}}`)},
		{"429 with Retry-After", jsonResponse(429, `<html>Too Many Requests</html>`, "Retry-After", "0")},
		{"HTML 202 bot challenge", func() *http.Response {
			r := httpmock.NewStringResponse(202, "<html><body>Checking your browser</body></html>")
			r.Header.Set("Content-Type", "text/html")
			r.Header.Set("SG-Captcha", "challenge")
			return r
		}()},
		{"garbage before JSON", jsonResponse(200, "\x00\x00[{\"id\":1}]")},
		{"empty 200", jsonResponse(200, "")},
		{"502 HTML", httpmock.NewStringResponse(502, "<html>Bad Gateway</html>")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newTestClient(t)
			calls := 0
			mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders", func(r *http.Request) (*http.Response, error) {
				calls++
				if calls == 1 {
					return tt.first, nil
				}
				return jsonResponse(200, `[{"id":7,"status":"processing"}]`), nil
			})
			os, _, err := c.Orders().List(context.Background(), nil)
			require.NoError(t, err)
			require.Len(t, os, 1)
			assert.Equal(t, int64(7), os[0].ID)
			assert.Equal(t, 2, calls)
		})
	}
}

func TestNonJSONAfterRetriesIsHTTPError(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithRetryMax(2))
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(202, "<html>challenge for "+r.URL.String()+"</html>")
		resp.Header.Set("Content-Type", "text/html")
		return resp, nil
	})
	_, _, err := c.Orders().List(context.Background(), nil)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 202, he.StatusCode)
	assert.Equal(t, 3, he.Attempts)
	assert.ErrorIs(t, err, ErrNotJSON)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestNotImplementedIsNotRetried(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/orders/1", httpmock.NewStringResponder(501, "<html>Method Not Implemented</html>"))
	_, _, err := c.Orders().Update(context.Background(), 1, &OrderRequest{Status: Ptr(StatusCompleted)})
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 501, he.StatusCode)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestCreatesAreRetriedOnlyWhenTheyCannotHaveRun(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		first func() (*http.Response, error)
		calls int
	}{
		{"500 may have run", func() (*http.Response, error) {
			return jsonResponse(500, `{"code":"internal_server_error","message":"x","data":{"status":500}}`), nil
		}, 1},
		{"reset may have run", func() (*http.Response, error) { return nil, errors.New("connection reset by peer") }, 1},
		{"garbage 200 did run", func() (*http.Response, error) { return jsonResponse(200, "\x00{\"id\":1}"), nil }, 1},
		{"429 did not run", func() (*http.Response, error) { return jsonResponse(429, "slow down"), nil }, 2},
		{"503 did not run", func() (*http.Response, error) { return httpmock.NewStringResponse(503, "busy"), nil }, 2},
		{"HTML challenge did not run", func() (*http.Response, error) { return httpmock.NewStringResponse(202, "<html>captcha</html>"), nil }, 2},
		{"dial error did not run", func() (*http.Response, error) {
			return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
		}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mt := newTestClient(t)
			calls := 0
			mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/orders/8/refunds", func(r *http.Request) (*http.Response, error) {
				calls++
				if calls == 1 {
					return tt.first()
				}
				return jsonResponse(201, `{"id":9,"amount":"5.00"}`), nil
			})
			_, _, err := c.Refunds().Create(context.Background(), 8, &RefundRequest{Amount: "5.00"})
			assert.Equal(t, tt.calls, calls)
			if tt.calls == 1 {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestBatchWithoutCreatesIsRepeatable(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	calls := 0
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/products/batch", func(r *http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("connection reset by peer")
		}
		return jsonResponse(200, `{"update":[{"id":1,"stock_quantity":4}]}`), nil
	})
	res, _, err := c.Products().Batch(context.Background(), &Batch[ProductRequest]{Update: []ProductRequest{{ID: 1, StockQuantity: Ptr(Int(4))}}})
	require.NoError(t, err)
	require.NoError(t, res.Err())
	assert.Equal(t, 2, calls)
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	r := jsonResponse(429, "", "Retry-After", "7")
	assert.Equal(t, 7*time.Second, DefaultBackoff(time.Millisecond, time.Minute, 0, r))
	assert.Equal(t, 5*time.Second, DefaultBackoff(time.Millisecond, 5*time.Second, 0, r), "capped at maxWait")
	d := DefaultBackoff(100*time.Millisecond, time.Minute, 2, jsonResponse(500, ""))
	assert.True(t, d >= 200*time.Millisecond && d <= 400*time.Millisecond, d)
}

func TestLimiterIsSharedByGoroutinesAndClients(t *testing.T) {
	t.Parallel()
	// A limiter that allows three requests and then none for an hour: the
	// fourth request, from whichever goroutine or Client, waits and ends
	// with its context without reaching the store.
	l := rate.NewLimiter(rate.Every(time.Hour), 3)
	c1, mt := newTestClient(t, WithLimiter(l))
	c2, err := NewClient(testStore, WithKeys(testKey, testSecret), WithHTTPClient(&http.Client{Transport: mt}), WithLimiter(l))
	require.NoError(t, err)
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders/1", httpmock.ResponderFromResponse(jsonResponse(200, `{"id":1}`)))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		c := c1
		if i%2 == 1 {
			c = c2
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, _, err := c.Orders().Get(ctx, 1)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	failed := 0
	for err := range errs {
		if err != nil {
			failed++
			assert.ErrorIs(t, err, context.DeadlineExceeded)
		}
	}
	assert.Equal(t, 1, failed)
	assert.Equal(t, 3, mt.GetTotalCallCount())
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders/1", func(r *http.Request) (*http.Response, error) {
		resp := httpmock.NewStringResponse(301, "")
		resp.Header.Set("Location", "https://evil.example/steal")
		return resp, nil
	})
	mt.RegisterResponder("GET", "https://evil.example/steal", httpmock.NewStringResponder(200, `{"id":1}`))
	_, _, err := c.Orders().Get(context.Background(), 1)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 301, he.StatusCode)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestTransportErrorsKeepTheirType(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t, WithRetryMax(0))
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders/1", httpmock.NewErrorResponder(&net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}))
	_, _, err := c.Orders().Get(context.Background(), 1)
	var ne net.Error
	require.ErrorAs(t, err, &ne, "callers can tell a network failure")
	assert.NotContains(t, err.Error(), testSecret)
}

func TestCertificateFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	c, err := NewClient(srv.URL, WithKeys(testKey, testSecret), WithRetryWait(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, _, err = c.Orders().Get(context.Background(), 1)
	require.Error(t, err)
	var ue x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &ue)
	assert.Equal(t, int32(1), conns.Load(), "one attempt: a retry cannot fix a certificate")
}
