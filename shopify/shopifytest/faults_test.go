package shopifytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func rawPost(t *testing.T, srv *Server, shop string) (*http.Response, error) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": "{ shop { name } }"})
	req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(shop, "2026-10"), bytes.NewReader(body))
	req.Header.Set("X-Shopify-Access-Token", srv.Shop(shop).AccessToken())
	return srv.HTTPClient().Do(req)
}

func TestFaultNextK(t *testing.T) {
	srv, _ := newTestServer(t)
	srv.InjectFault(Fault{Kind: FaultStatus, Status: 503, Count: 2})
	for i := 0; i < 2; i++ {
		resp, err := rawPost(t, srv, DefaultShopName)
		require.NoError(t, err)
		assert.Equal(t, 503, resp.StatusCode)
		resp.Body.Close()
	}
	resp, err := rawPost(t, srv, DefaultShopName)
	require.NoError(t, err)
	assert.Equal(t, 200, resp.StatusCode)
	resp.Body.Close()
	assert.EqualValues(t, 2, srv.DefaultShop().Counters().Faults)
	assert.EqualValues(t, 1, srv.DefaultShop().Counters().Requests)
}

func TestFault429CarriesRetryAfter(t *testing.T) {
	srv, _ := newTestServer(t)
	srv.InjectFault(Fault{Kind: FaultStatus, Status: 429, Count: 1})
	resp, err := rawPost(t, srv, DefaultShopName)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, 429, resp.StatusCode)
	assert.Equal(t, "2.0", resp.Header.Get("Retry-After"))
}

func TestFaultResetAndSlow(t *testing.T) {
	srv, _ := newTestServer(t)
	remove := srv.InjectFault(Fault{Kind: FaultReset, Rate: 1})
	_, err := rawPost(t, srv, DefaultShopName)
	require.Error(t, err)
	remove()
	srv.InjectFault(Fault{Kind: FaultSlow, Delay: 50 * time.Millisecond, Count: 1})
	client := srv.HTTPClient()
	client.Timeout = 10 * time.Millisecond
	body, _ := json.Marshal(map[string]any{"query": "{ shop { name } }"})
	req, _ := http.NewRequest(http.MethodPost, srv.GraphQLURL(DefaultShopName, "2026-10"), bytes.NewReader(body))
	req.Header.Set("X-Shopify-Access-Token", srv.DefaultShop().AccessToken())
	_, err = client.Do(req)
	require.Error(t, err, "slow response exceeds the client timeout")
}

func TestFaultRateIsDeterministicPerShop(t *testing.T) {
	run := func() []int {
		srv, _ := newTestServer(t, WithSeed(42), WithShop("a"), WithShop("b"))
		srv.InjectFault(Fault{Kind: FaultStatus, Status: 500, Rate: 0.5, Shop: "a"})
		var out []int
		for i := 0; i < 20; i++ {
			resp, err := rawPost(t, srv, "a")
			require.NoError(t, err)
			out = append(out, resp.StatusCode)
			resp.Body.Close()
		}
		resp, err := rawPost(t, srv, "b")
		require.NoError(t, err)
		assert.Equal(t, 200, resp.StatusCode, "fault limited to shop a")
		resp.Body.Close()
		return out
	}
	a, b := run(), run()
	assert.Equal(t, a, b)
	assert.Contains(t, a, 500)
	assert.Contains(t, a, 200)
}

func TestClientCredentialsGrant(t *testing.T) {
	srv, clk := newTestServer(t, WithShop("cc", WithClientCredentials("client-id", "s3cret-value", time.Hour), WithScopes("read_products")))
	post := func(form url.Values) (int, map[string]any, string) {
		resp, err := srv.HTTPClient().PostForm(srv.ShopURL("cc")+"/admin/oauth/access_token", form)
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return resp.StatusCode, m, string(raw)
	}
	code, body, raw := post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-id"}, "client_secret": {"wrong"}})
	assert.Equal(t, 401, code)
	assert.Equal(t, "invalid_client", body["error"])
	assert.NotContains(t, raw, "s3cret-value")
	code, body, _ = post(url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-id"}, "client_secret": {"s3cret-value"}})
	require.Equal(t, 200, code)
	tok := body["access_token"].(string)
	assert.True(t, strings.HasPrefix(tok, "shpat_"))
	assert.Equal(t, "read_products", body["scope"])
	assert.EqualValues(t, 3600, body["expires_in"])
	r := doToken(t, srv, "cc", tok, `{ shop { name } }`, nil)
	assert.Equal(t, 200, r.status)
	clk.advance(time.Hour + time.Second)
	r = doToken(t, srv, "cc", tok, `{ shop { name } }`, nil)
	assert.Equal(t, 401, r.status, "expired token")
}
