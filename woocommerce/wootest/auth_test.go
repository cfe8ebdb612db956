package wootest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

func TestAuthenticationFailuresMatchWooCommerce(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	store.Seed(SeedOptions{Simple: 3})
	ctx := context.Background()
	ck, cs := store.Key()

	raw := func(method, path, user, pass string) (int, http.Header, map[string]any) {
		req, err := http.NewRequest(method, srv.StoreURL("shop")+path, strings.NewReader("{}"))
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		b, _ := io.ReadAll(resp.Body)
		_ = json.Unmarshal(b, &body)
		return resp.StatusCode, resp.Header, body
	}

	// No key and an unknown key: unauthenticated, the endpoint refuses.
	for _, user := range []string{"", "ck_unknown"} {
		st, _, body := raw("GET", "/wp-json/wc/v3/products", user, "cs_x")
		assert.Equal(t, 401, st)
		assert.Equal(t, "woocommerce_rest_cannot_view", body["code"])
		assert.Equal(t, "Sorry, you cannot list resources.", body["message"])
	}
	st, _, body := raw("POST", "/wp-json/wc/v3/products", "", "")
	assert.Equal(t, 401, st)
	assert.Equal(t, "woocommerce_rest_cannot_create", body["code"])

	// A known key with a wrong secret.
	st, h, body := raw("GET", "/wp-json/wc/v3/products", ck, "cs_wrong")
	assert.Equal(t, 401, st)
	assert.Equal(t, "woocommerce_rest_authentication_error", body["code"])
	assert.Equal(t, "Consumer secret is invalid.", body["message"])
	assert.Contains(t, h.Get("WWW-Authenticate"), `Basic realm="WooCommerce API`)

	// Read-only key used to write: refused before routing, even for a
	// route that does not exist.
	rk, rs := store.AddKey(Read)
	st, _, body = raw("POST", "/wp-json/wc/v3/products/batch", rk, rs)
	assert.Equal(t, 401, st)
	assert.Equal(t, "The API key provided does not have write permissions.", body["message"])
	st, _, body = raw("POST", "/wp-json/wc/v3/no-such-route", rk, rs)
	assert.Equal(t, 401, st)
	assert.Equal(t, "woocommerce_rest_authentication_error", body["code"])
	st, _, _ = raw("GET", "/wp-json/wc/v3/products", rk, rs)
	assert.Equal(t, 200, st)

	wk, ws := store.AddKey(Write)
	st, _, body = raw("GET", "/wp-json/wc/v3/products", wk, ws)
	assert.Equal(t, 401, st)
	assert.Equal(t, "The API key provided does not have read permissions.", body["message"])
	// An empty batch proves write permission and changes nothing.
	st, _, _ = raw("POST", "/wp-json/wc/v3/products/batch", wk, ws)
	assert.Equal(t, 200, st)

	// A key of a user who may not manage WooCommerce: 403.
	srv2 := newTestServer(t, WithStore("s2", WithKey("ck_customer", "cs_customer", ReadWrite, false)))
	c2, err := woocommerce.NewClient(srv2.StoreURL("s2"), woocommerce.WithKeys("ck_customer", "cs_customer"), woocommerce.WithHTTPClient(srv2.HTTPClient()))
	require.NoError(t, err)
	_, _, err = c2.Orders().List(ctx, nil)
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 403, apiErr.StatusCode)
	assert.ErrorIs(t, err, woocommerce.ErrForbidden)

	// Keys outside the wc/ namespaces (WooCommerce 11.1+); the index is public.
	st, _, body = raw("GET", "/wp-json/", ck, cs)
	assert.Equal(t, 401, st)
	assert.Equal(t, "The provided API key cannot be used to access this endpoint.", body["message"])
	st, _, body = raw("GET", "/wp-json/", "", "")
	assert.Equal(t, 200, st)
	assert.Equal(t, "WooCommerce Store", body["name"])
}

func TestQueryStringAuthWinsAndEchoesInLinks(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	store.Seed(SeedOptions{Simple: 25})
	ck, cs := store.Key()
	// Query credentials win over a (wrong) Basic header.
	req, _ := http.NewRequest("GET", srv.StoreURL("shop")+"/wp-json/wc/v3/products?per_page=10&consumer_key="+ck+"&consumer_secret="+cs, nil)
	req.SetBasicAuth("ck_bogus", "cs_bogus")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "25", resp.Header.Get("X-WP-Total"))
	assert.Equal(t, "3", resp.Header.Get("X-WP-TotalPages"))
	assert.Contains(t, resp.Header.Get("Link"), "consumer_secret="+cs, "WooCommerce echoes the query in Link")
	assert.Contains(t, resp.Header.Get("Link"), `rel="next"`)
	assert.NotContains(t, resp.Header.Get("Link"), `rel="last"`)

	// The client with query-string auth works and strips the echo.
	c := client(t, srv, "shop", woocommerce.WithQueryStringAuth())
	ps, r, err := c.Products().List(context.Background(), &woocommerce.ProductListOptions{ListOptions: woocommerce.ListOptions{Page: 2, PerPage: 10}})
	require.NoError(t, err)
	assert.Len(t, ps, 10)
	assert.NotContains(t, r.Header.Get("Link"), cs)
	assert.Contains(t, r.Header.Get("Link"), `rel="prev"`)
}

func TestPlainPermalinksAndUnknownRoutes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("old", WithVersion("10.2.0")))
	store := srv.Store("old")
	store.Seed(SeedOptions{Variable: 2})
	c := client(t, srv, "old", woocommerce.WithPlainPermalinks())
	ps, _, err := c.Products().List(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, ps, 2)
	_, _, err = c.Variations().ListAll(context.Background(), nil)
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "rest_no_route", apiErr.Code)
	assert.True(t, errors.Is(err, woocommerce.ErrNotFound))
}
