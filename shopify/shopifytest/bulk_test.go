package shopifytest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const bulkRunMutation = `mutation($q: String!, $g: Boolean!) { bulkOperationRunQuery(query: $q, groupObjects: $g) {
  bulkOperation { id status type query createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl errorCode }
  userErrors { field message code } } }`

const bulkGetQuery = `query($id: ID!) { bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount fileSize url partialDataUrl createdAt completedAt } }`

const productsBulkQuery = `{ products { edges { node { id title variants { edges { node { id sku } } } } } } }`

// runBulk starts a bulk query and returns its GID (failing on userErrors).
func runBulk(t *testing.T, srv *Server, query string, group bool) string {
	t.Helper()
	return runBulkIn(t, srv, DefaultShopName, query, group)
}

func runBulkIn(t *testing.T, srv *Server, shop, query string, group bool) string {
	t.Helper()
	r := do(t, srv, shop, bulkRunMutation, map[string]any{"q": query, "g": group})
	require.Empty(t, r.Errors, string(r.raw))
	require.Empty(t, path(r.Data, "bulkOperationRunQuery", "userErrors"), string(r.raw))
	op := path(r.Data, "bulkOperationRunQuery", "bulkOperation")
	assert.Equal(t, "CREATED", path(op, "status"))
	assert.Equal(t, "QUERY", path(op, "type"))
	assert.Equal(t, query, path(op, "query"))
	return path(op, "id").(string)
}

// pollBulk polls bulkOperation(id) until the status is final and returns
// the object and every status seen.
func pollBulk(t *testing.T, srv *Server, id string) (map[string]any, []string) {
	t.Helper()
	return pollBulkIn(t, srv, DefaultShopName, id)
}

func pollBulkIn(t *testing.T, srv *Server, shop, id string) (map[string]any, []string) {
	t.Helper()
	var seen []string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		r := do(t, srv, shop, bulkGetQuery, map[string]any{"id": id})
		require.Empty(t, r.Errors, string(r.raw))
		op := path(r.Data, "bulkOperation").(map[string]any)
		st := op["status"].(string)
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		switch st {
		case "COMPLETED", "FAILED", "CANCELED", "EXPIRED":
			return op, seen
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("bulk operation %s did not finish", id)
	return nil, nil
}

func download(t *testing.T, u string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(u) // no access token: signed URL
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

type jsonlLine struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	SKU      string `json:"sku"`
	ParentID string `json:"__parentId"`
	raw      string
}

func parseJSONL(t *testing.T, data []byte) []jsonlLine {
	t.Helper()
	var out []jsonlLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l jsonlLine
		require.NoError(t, json.Unmarshal(sc.Bytes(), &l), sc.Text())
		l.raw = sc.Text()
		out = append(out, l)
	}
	require.NoError(t, sc.Err())
	return out
}

// checkParents asserts every child comes after its parent and returns how
// many children directly follow their parent or a sibling (adjacent).
func checkParents(t *testing.T, lines []jsonlLine) (children, adjacent int) {
	t.Helper()
	pos := map[string]int{}
	for i, l := range lines {
		if l.ParentID == "" {
			pos[l.ID] = i
			continue
		}
		children++
		p, ok := pos[l.ParentID]
		require.True(t, ok, "line %d: parent %s not seen before its child", i, l.ParentID)
		require.Less(t, p, i)
		prev := lines[i-1]
		if prev.ID == l.ParentID || prev.ParentID == l.ParentID {
			adjacent++
		}
	}
	return children, adjacent
}

// TestBulkExport30kProducts seeds 30,000 products × 3 variants through the
// control API and exports them with a bulk query (interleaved), and a
// smaller shop with groupObjects: true.
func TestBulkExport30kProducts(t *testing.T) {
	if testing.Short() {
		t.Skip("30k-product export in -short mode")
	}
	srv := NewServer(WithTimeScale(100), WithBulkDurations(0, 0), WithShop(DefaultShopName), WithShop("small"))
	t.Cleanup(srv.Close)
	_, err := srv.Shop(DefaultShopName).Seed(SeedOptions{Seed: 7, Products: 30000, VariantsPerProduct: 3})
	require.NoError(t, err)
	_, err = srv.Shop("small").Seed(SeedOptions{Seed: 7, Products: 1000, VariantsPerProduct: 3})
	require.NoError(t, err)

	for _, tc := range []struct {
		shop     string
		group    bool
		products int
	}{{DefaultShopName, false, 30000}, {"small", true, 1000}} {
		t.Run(fmt.Sprint(tc.shop, " groupObjects=", tc.group), func(t *testing.T) {
			id := runBulkIn(t, srv, tc.shop, productsBulkQuery, tc.group)
			op, seen := pollBulkIn(t, srv, tc.shop, id)
			assert.Equal(t, "COMPLETED", seen[len(seen)-1])
			assert.Nil(t, op["errorCode"])
			assert.Equal(t, fmt.Sprint(4*tc.products), op["objectCount"], "UnsignedInt64 is a string")
			assert.Equal(t, fmt.Sprint(tc.products), op["rootObjectCount"])
			assert.NotNil(t, op["completedAt"])
			assert.Nil(t, op["partialDataUrl"])
			u, _ := op["url"].(string)
			require.NotEmpty(t, u)
			status, data := download(t, u)
			require.Equal(t, http.StatusOK, status, string(data))
			assert.Equal(t, fmt.Sprint(len(data)), op["fileSize"])
			lines := parseJSONL(t, data)
			require.Len(t, lines, 4*tc.products)
			children, adjacent := checkParents(t, lines)
			assert.Equal(t, 3*tc.products, children)
			first := lines[0]
			assert.True(t, strings.HasPrefix(first.ID, "gid://shopify/Product/"), first.raw)
			assert.NotContains(t, first.raw, "variants", "connections are not part of the parent line")
			if tc.group {
				assert.Equal(t, children, adjacent, "groupObjects: children directly follow their parent")
			} else {
				assert.Less(t, adjacent, children/10, "children are interleaved, not adjacent to their parent")
			}
			var v jsonlLine
			for _, l := range lines {
				if l.ParentID != "" {
					v = l
					break
				}
			}
			assert.Regexp(t, `^SIM-\d{6}-\d$`, v.SKU)
			assert.True(t, strings.HasPrefix(v.ID, "gid://shopify/ProductVariant/"))
		})
	}
}

func TestBulkStatusesProgressOverTime(t *testing.T) {
	srv := NewServer(WithBulkDurations(400*time.Millisecond, 400*time.Millisecond))
	t.Cleanup(srv.Close)
	_, err := srv.DefaultShop().Seed(SeedOptions{Seed: 1, Products: 3})
	require.NoError(t, err)
	id := runBulk(t, srv, productsBulkQuery, false) // answers CREATED
	op, seen := pollBulk(t, srv, id)
	if seen[0] == "CREATED" {
		seen = seen[1:]
	}
	assert.Equal(t, []string{"RUNNING", "COMPLETED"}, seen, "statuses in order, RUNNING observable")
	assert.Equal(t, "12", op["objectCount"])
	assert.Equal(t, "3", op["rootObjectCount"])
}

func TestBulkOperationAsNode(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	id := runBulk(t, srv, productsBulkQuery, false)
	pollBulk(t, srv, id)
	r := do(t, srv, DefaultShopName, `query($id: ID!) { node(id: $id) { __typename ... on BulkOperation { id status } } }`, map[string]any{"id": id})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "BulkOperation", path(r.Data, "node", "__typename"))
	assert.Equal(t, id, path(r.Data, "node", "id"))
	assert.Equal(t, "COMPLETED", path(r.Data, "node", "status"))
	r = do(t, srv, DefaultShopName, `{ node(id: "gid://shopify/BulkOperation/1") { id } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Nil(t, path(r.Data, "node"))
}

func TestBulkTimeScaleShortensDurations(t *testing.T) {
	srv := NewServer(WithTimeScale(1000), WithBulkDurations(10*time.Second, 10*time.Second))
	t.Cleanup(srv.Close)
	start := time.Now()
	id := runBulk(t, srv, productsBulkQuery, false)
	_, seen := pollBulk(t, srv, id)
	assert.Equal(t, "COMPLETED", seen[len(seen)-1])
	assert.Less(t, time.Since(start), 5*time.Second, "20 simulated seconds at ×1000")
}

func TestBulkInvalidQueries(t *testing.T) {
	srv := NewServer()
	t.Cleanup(srv.Close)
	cases := map[string]string{
		`{ products { nodes { id } } }`: "Selecting via 'nodes' is not supported",
		`{ shop { name } }`:             "Bulk queries must contain at least one connection.",
		`mutation { orderMarkAsPaid(input: {id: "x"}) { userErrors { message } } }`: "Invalid operation type",
		`{ products { edges { node { nope } } } }`:                                  "Invalid bulk query: Field 'nope' doesn't exist on type 'Product'",
		`{ products { edges { node { id `:                                           "Invalid bulk query: syntax error",
	}
	for q, want := range cases {
		r := do(t, srv, DefaultShopName, bulkRunMutation, map[string]any{"q": q, "g": false})
		require.Empty(t, r.Errors, string(r.raw))
		assert.Nil(t, path(r.Data, "bulkOperationRunQuery", "bulkOperation"), q)
		errs, _ := path(r.Data, "bulkOperationRunQuery", "userErrors").([]any)
		require.NotEmpty(t, errs, q)
		assert.Equal(t, "INVALID", path(errs[0], "code"), q)
		assert.Equal(t, []any{"query"}, path(errs[0], "field"), q)
		assert.Contains(t, path(errs[0], "message"), want, q)
	}
	assert.Empty(t, srv.DefaultShop().BulkOperations())
}

func TestBulkLimitAndCancel(t *testing.T) {
	srv := NewServer(WithBulkDurations(time.Hour, 0)) // stay CREATED
	t.Cleanup(srv.Close)
	var ids []string
	for range MaxConcurrentBulkOperations {
		ids = append(ids, runBulk(t, srv, productsBulkQuery, false))
	}
	r := do(t, srv, DefaultShopName, bulkRunMutation, map[string]any{"q": productsBulkQuery, "g": false})
	assert.Nil(t, path(r.Data, "bulkOperationRunQuery", "bulkOperation"))
	assert.Equal(t, "LIMIT_REACHED", path(r.Data, "bulkOperationRunQuery", "userErrors", 0, "code"), string(r.raw))

	cancel := `mutation($id: ID!) { bulkOperationCancel(id: $id) { bulkOperation { id status } userErrors { field message } } }`
	r = do(t, srv, DefaultShopName, cancel, map[string]any{"id": ids[0]})
	require.Empty(t, path(r.Data, "bulkOperationCancel", "userErrors"), string(r.raw))
	assert.Equal(t, "CANCELING", path(r.Data, "bulkOperationCancel", "bulkOperation", "status"))
	op, seen := pollBulk(t, srv, ids[0])
	assert.Equal(t, "CANCELED", seen[len(seen)-1])
	assert.NotNil(t, op["completedAt"])
	assert.Nil(t, op["url"])
	// a canceled operation cannot be canceled again
	r = do(t, srv, DefaultShopName, cancel, map[string]any{"id": ids[0]})
	assert.Contains(t, path(r.Data, "bulkOperationCancel", "userErrors", 0, "message"), "cannot be canceled when it is canceled")
	// unknown id
	r = do(t, srv, DefaultShopName, cancel, map[string]any{"id": "gid://shopify/BulkOperation/1"})
	assert.Equal(t, "Bulk operation does not exist", path(r.Data, "bulkOperationCancel", "userErrors", 0, "message"))
	// a slot is free again
	ids = append(ids, runBulk(t, srv, productsBulkQuery, false))

	list := `query($q: String, $rev: Boolean) { bulkOperations(first: 10, query: $q, reverse: $rev) { nodes { id status } } }`
	r = do(t, srv, DefaultShopName, list, map[string]any{"q": "status:canceled"})
	require.Empty(t, r.Errors, string(r.raw))
	nodes := path(r.Data, "bulkOperations", "nodes").([]any)
	require.Len(t, nodes, 1)
	assert.Equal(t, ids[0], path(nodes[0], "id"))
	r = do(t, srv, DefaultShopName, list, map[string]any{"q": "status:created"})
	nodes = path(r.Data, "bulkOperations", "nodes").([]any)
	require.Len(t, nodes, 5)
	assert.Equal(t, ids[len(ids)-1], path(nodes[0], "id"), "newest first by default")
	r = do(t, srv, DefaultShopName, list, map[string]any{"rev": true})
	nodes = path(r.Data, "bulkOperations", "nodes").([]any)
	require.Len(t, nodes, 6)
	assert.Equal(t, ids[0], path(nodes[0], "id"), "reverse: oldest first")
}

func TestBulkInjectedFailureHasPartialData(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	_, err := srv.DefaultShop().Seed(SeedOptions{Seed: 1, Products: 20})
	require.NoError(t, err)
	srv.InjectBulkFault(BulkFault{ErrorCode: "TIMEOUT", AfterObjects: 7})
	id := runBulk(t, srv, productsBulkQuery, false)
	op, seen := pollBulk(t, srv, id)
	assert.Equal(t, "FAILED", seen[len(seen)-1])
	assert.Equal(t, "TIMEOUT", op["errorCode"])
	assert.Equal(t, "7", op["objectCount"])
	assert.Nil(t, op["url"])
	assert.Nil(t, op["fileSize"])
	u, _ := op["partialDataUrl"].(string)
	require.NotEmpty(t, u)
	status, data := download(t, u)
	require.Equal(t, http.StatusOK, status)
	lines := parseJSONL(t, data)
	assert.Len(t, lines, 7)
	lid, _ := parseID(id, "BulkOperation")
	partial, ok := srv.DefaultShop().BulkResult(lid)
	require.True(t, ok)
	assert.Equal(t, data, partial, "control API returns what the URL serves")
	// the fault fired once: the next operation completes
	id = runBulk(t, srv, productsBulkQuery, false)
	op, _ = pollBulk(t, srv, id)
	assert.Equal(t, "COMPLETED", op["status"])
	assert.Equal(t, "80", op["objectCount"])
	// a fault before any line: FAILED without partial data
	srv.InjectBulkFault(BulkFault{})
	id = runBulk(t, srv, productsBulkQuery, false)
	op, _ = pollBulk(t, srv, id)
	assert.Equal(t, "FAILED", op["status"])
	assert.Equal(t, "INTERNAL_SERVER_ERROR", op["errorCode"])
	assert.Nil(t, op["partialDataUrl"])
}

func TestBulkAccessDenied(t *testing.T) {
	srv := NewServer(WithTimeScale(1000), WithShop("no-orders", WithScopes("read_products")))
	t.Cleanup(srv.Close)
	r := do(t, srv, "no-orders", bulkRunMutation, map[string]any{"q": `{ orders { edges { node { id } } } }`, "g": false})
	require.Empty(t, path(r.Data, "bulkOperationRunQuery", "userErrors"), string(r.raw))
	id := path(r.Data, "bulkOperationRunQuery", "bulkOperation", "id").(string)
	lid, _ := parseID(id, "BulkOperation")
	b, err := srv.Shop("no-orders").WaitBulkOperation(context.Background(), lid)
	require.NoError(t, err)
	assert.Equal(t, BulkFailed, b.Status)
	assert.Equal(t, "ACCESS_DENIED", b.ErrorCode)
}

func TestBulkResultURLIsSignedAndExpires(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := NewServer(WithTimeScale(1000), WithClock(clock))
	t.Cleanup(srv.Close)
	_, err := srv.DefaultShop().Seed(SeedOptions{Seed: 1, Products: 2})
	require.NoError(t, err)
	id := runBulk(t, srv, productsBulkQuery, false)
	op, _ := pollBulk(t, srv, id)
	u := op["url"].(string)
	status, _ := download(t, u)
	assert.Equal(t, http.StatusOK, status)

	pu, err := url.Parse(u)
	require.NoError(t, err)
	q := pu.Query()
	q.Set("Signature", "forged")
	pu.RawQuery = q.Encode()
	status, body := download(t, pu.String())
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, string(body), "SignatureDoesNotMatch")

	mu.Lock()
	now = now.Add(8 * 24 * time.Hour)
	mu.Unlock()
	status, body = download(t, u)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, string(body), "ExpiredToken")
	op, _ = pollBulk(t, srv, id)
	assert.Equal(t, "EXPIRED", op["status"])
	assert.Nil(t, op["url"])
}

func TestBulkFinishWebhook(t *testing.T) {
	srv := NewServer(WithTimeScale(1000))
	t.Cleanup(srv.Close)
	s := srv.DefaultShop()
	rc := newReceiver(t)
	subscribeAPI(t, srv, DefaultShopName, "bulk_operations/finish", rc.URL)
	srv.InjectBulkFault(BulkFault{ErrorCode: "TIMEOUT", AfterObjects: 1})
	_, err := s.Seed(SeedOptions{Seed: 1, Products: 2})
	require.NoError(t, err)
	id1 := runBulk(t, srv, productsBulkQuery, false)
	pollBulk(t, srv, id1)
	id2 := runBulk(t, srv, productsBulkQuery, false)
	pollBulk(t, srv, id2)
	waitHooks(t, srv)
	got := rc.byTopic("bulk_operations/finish")
	require.Len(t, got, 2)
	var p1, p2 map[string]any
	require.NoError(t, json.Unmarshal(got[0].Body, &p1))
	require.NoError(t, json.Unmarshal(got[1].Body, &p2))
	assert.Equal(t, id1, p1["admin_graphql_api_id"])
	assert.Equal(t, "failed", p1["status"])
	assert.Equal(t, "timeout", p1["error_code"])
	assert.Equal(t, id2, p2["admin_graphql_api_id"])
	assert.Equal(t, "completed", p2["status"])
	assert.Nil(t, p2["error_code"])
	assert.Equal(t, "query", p2["type"])
}

func BenchmarkBulkExport30k(b *testing.B) {
	srv := NewServer(WithTimeScale(1000), WithBulkDurations(0, 0))
	defer srv.Close()
	s := srv.DefaultShop()
	if _, err := s.Seed(SeedOptions{Seed: 7, Products: 30000, VariantsPerProduct: 3}); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		s.mu.Lock()
		op, errs := srv.bulk.start(s, productsBulkQuery, false)
		s.unlock()
		if errs != nil {
			b.Fatal(errs)
		}
		done, err := s.WaitBulkOperation(ctx, op.ID)
		if err != nil || done.Status != BulkCompleted {
			b.Fatal(err, done.Status)
		}
	}
}
