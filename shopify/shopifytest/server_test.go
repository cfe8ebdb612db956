package shopifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestShopQueryAndCostExtension(t *testing.T) {
	srv, _ := newTestServer(t)
	r := do(t, srv, DefaultShopName, `{ shop { name myshopifyDomain currencyCode plan { publicDisplayName shopifyPlus } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "Test Shop", path(r.Data, "shop", "name"))
	assert.Equal(t, "test-shop.myshopify.com", path(r.Data, "shop", "myshopifyDomain"))
	assert.Equal(t, "Basic", path(r.Data, "shop", "plan", "publicDisplayName"))
	assert.Equal(t, 2, r.Extensions.Cost.RequestedQueryCost) // shop 1 + plan 1
	require.NotNil(t, r.Extensions.Cost.ActualQueryCost)
	assert.Equal(t, 2, *r.Extensions.Cost.ActualQueryCost)
	assert.Equal(t, 2000.0, r.Extensions.Cost.ThrottleStatus.MaximumAvailable)
	assert.Equal(t, 1998.0, r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable)
	assert.Equal(t, 100.0, r.Extensions.Cost.ThrottleStatus.RestoreRate)
	// the response keeps exactly the requested fields, in order
	assert.True(t, strings.HasPrefix(string(r.raw), `{"data":{"shop":{"name":"Test Shop","myshopifyDomain"`), string(r.raw))
}

func TestAccessTokenRequired(t *testing.T) {
	srv, _ := newTestServer(t)
	r := doToken(t, srv, DefaultShopName, "wrong", `{ shop { name } }`, nil)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Contains(t, string(r.raw), "Invalid API key or access token")
	assert.NotContains(t, string(r.raw), srv.DefaultShop().AccessToken())
	r = doToken(t, srv, "nope", "x", `{ shop { name } }`, nil)
	assert.Equal(t, http.StatusNotFound, r.status)
}

func TestValidationErrorsAreShopifyShaped(t *testing.T) {
	srv, _ := newTestServer(t)
	r := do(t, srv, DefaultShopName, `{ shop { name bogus } }`, nil)
	assert.Equal(t, http.StatusOK, r.status)
	assert.Nil(t, r.Data)
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Equal(t, "Field 'bogus' doesn't exist on type 'Shop'", r.Errors[0]["message"])
	assert.Equal(t, "undefinedField", errCode(r, 0))
	assert.Equal(t, "Shop", path(r.Errors[0], "extensions", "typeName"))
	assert.NotNil(t, path(r.Errors[0], "locations", 0, "line"))

	r = do(t, srv, DefaultShopName, `{ products(first: 1, bogusArg: 2) { nodes { id } } }`, nil)
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Equal(t, "argumentNotAccepted", errCode(r, 0))

	r = do(t, srv, DefaultShopName, `{ shop { name `, nil)
	require.NotEmpty(t, r.Errors)
	assert.Contains(t, r.Errors[0]["message"], "syntax error")
	assert.Equal(t, http.StatusOK, r.status)

	r = do(t, srv, DefaultShopName, `query Q($id: ID!) { product(id: $id) { id } }`, nil)
	require.NotEmpty(t, r.Errors, string(r.raw))
	assert.Nil(t, r.Data)
}

func TestDeprecatedReasonHeaderAndCostDebug(t *testing.T) {
	srv, _ := newTestServer(t)
	body := strings.NewReader(`{"query":"{ shop { name plan { displayName } } }"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(DefaultShopName, "2026-10"), body)
	req.Header.Set("X-Shopify-Access-Token", srv.DefaultShop().AccessToken())
	req.Header.Set("Shopify-GraphQL-Cost-Debug", "1")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, "ShopPlan.displayName", resp.Header.Get("X-Shopify-API-Deprecated-Reason"))
	assert.Equal(t, "2026-10", resp.Header.Get("X-Shopify-API-Version"))
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))
	var out struct {
		Extensions struct {
			Cost struct {
				Fields []struct {
					Path               []string `json:"path"`
					RequestedTotalCost int      `json:"requestedTotalCost"`
				} `json:"fields"`
			} `json:"cost"`
		} `json:"extensions"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	require.NotEmpty(t, out.Extensions.Cost.Fields)
	assert.Equal(t, []string{"shop"}, out.Extensions.Cost.Fields[0].Path)
	assert.Equal(t, 2, out.Extensions.Cost.Fields[0].RequestedTotalCost)
}

func TestUnsupportedVersionFallsForward(t *testing.T) {
	srv, _ := newTestServer(t)
	body := strings.NewReader(`{"query":"{ shop { name } }"}`)
	req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(DefaultShopName, "2019-04"), body)
	req.Header.Set("X-Shopify-Access-Token", srv.DefaultShop().AccessToken())
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, "2025-10", resp.Header.Get("X-Shopify-API-Version"))
}

func TestRawGraphQLBodyAndBadRequests(t *testing.T) {
	srv, _ := newTestServer(t)
	post := func(ct, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(DefaultShopName, "2026-10"), strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("X-Shopify-Access-Token", srv.DefaultShop().AccessToken())
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	code, body := post("application/graphql", `{ shop { name } }`)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"name":"Test Shop"`)
	code, body = post("application/json", `{"variables":{}}`)
	assert.Equal(t, 400, code)
	assert.Contains(t, body, "Required parameter missing or invalid")
	code, _ = post("application/json", `not json`)
	assert.Equal(t, 400, code)
}
