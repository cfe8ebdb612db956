package shopifytest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fixedClock is a settable clock for tests.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time          { return c.t }
func (c *fixedClock) advance(d time.Duration) { c.t = c.t.Add(d) }

var testEpoch = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// gqlResult is a decoded GraphQL response.
type gqlResult struct {
	Data       map[string]any   `json:"data"`
	Errors     []map[string]any `json:"errors"`
	Extensions struct {
		Cost struct {
			RequestedQueryCost int  `json:"requestedQueryCost"`
			ActualQueryCost    *int `json:"actualQueryCost"`
			ThrottleStatus     struct {
				MaximumAvailable   float64 `json:"maximumAvailable"`
				CurrentlyAvailable float64 `json:"currentlyAvailable"`
				RestoreRate        float64 `json:"restoreRate"`
			} `json:"throttleStatus"`
		} `json:"cost"`
	} `json:"extensions"`
	raw    []byte
	status int
}

// do posts a GraphQL request to a shop with plain net/http.
func do(t *testing.T, srv *Server, shop, query string, vars map[string]any) gqlResult {
	t.Helper()
	s := srv.Shop(shop)
	require.NotNil(t, s)
	return doToken(t, srv, shop, s.AccessToken(), query, vars)
}

func doToken(t *testing.T, srv *Server, shop, token, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, srv.GraphQLURL(shop, "2026-10"), bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", token)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var r gqlResult
	r.raw, r.status = raw, resp.StatusCode
	if resp.StatusCode == http.StatusOK {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		require.NoError(t, d.Decode(&r), string(raw))
	}
	return r
}

// path walks decoded JSON by keys and indexes.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch kk := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[kk]
		case int:
			l, ok := v.([]any)
			if !ok || kk >= len(l) {
				return nil
			}
			v = l[kk]
		}
	}
	return v
}

func num(t *testing.T, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	require.True(t, ok, "not a number: %#v", v)
	i, err := n.Int64()
	require.NoError(t, err)
	return i
}

func errCode(r gqlResult, i int) string {
	if i >= len(r.Errors) {
		return ""
	}
	c, _ := path(r.Errors[i], "extensions", "code").(string)
	return c
}

// newTestServer starts a server with a fixed clock and a small seeded shop.
func newTestServer(t *testing.T, opts ...Option) (*Server, *fixedClock) {
	t.Helper()
	clk := &fixedClock{t: testEpoch}
	srv := NewServer(append([]Option{WithClock(clk.now)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, clk
}
