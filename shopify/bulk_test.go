package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wmsbridge/wmsbridge/internal/adminschema"
)

// fakeBulk is a minimal Shopify for the bulk operation endpoints. It
// validates every document it gets against the Admin schema (including the
// inlined bulk query) and moves operations through their states as they
// are polled. It covers what the simulator cannot yet produce
// (LIMIT_REACHED, TIMEOUT with partial data, CANCELING).
type fakeBulk struct {
	t   *testing.T
	srv *httptest.Server

	mu          sync.Mutex
	limitHits   int // answer this many runQuery calls with LIMIT_REACHED
	runCalls    int
	onRun       func(calls int) // called after each runQuery answer is decided
	pollsToDone int
	outcome     string // COMPLETED (default), FAILED_TIMEOUT
	ops         map[string]*fakeOp
	files       map[string]string
	downloads   []http.Header
	nextID      int
}

type fakeOp struct {
	op    BulkOperation
	polls int
	held  bool // stays RUNNING until released
}

const fakeToken = "shpat_fake_bulk_token_value"

func newFakeBulk(t *testing.T, result string) *fakeBulk {
	f := &fakeBulk{t: t, ops: map[string]*fakeOp{}, files: map[string]string{"result": result}, pollsToDone: 2}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /admin/api/2026-10/graphql.json", f.graphql)
	mux.HandleFunc("GET /files/{name}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.downloads = append(f.downloads, r.Header.Clone())
		body, ok := f.files[r.PathValue("name")]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, body)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBulk) client(t *testing.T) *Client {
	c, err := NewClient("bulk-shop", WithBaseURL(f.srv.URL), WithAccessToken(fakeToken), WithRetryMax(0), WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	return c
}

func (f *fakeBulk) graphql(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	if _, errs := adminschema.Validate(req.OperationName, req.Query); len(errs) > 0 {
		f.t.Errorf("invalid document %s: %v", req.OperationName, errs)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var data any
	switch req.OperationName {
	case "bulkOperationRunQuery":
		f.runCalls++
		if f.onRun != nil {
			f.onRun(f.runCalls)
		}
		q, _ := req.Variables["query"].(string)
		if _, errs := adminschema.Validate("bulk", q); len(errs) > 0 || strings.Contains(q, "$") {
			data = map[string]any{"bulkOperationRunQuery": map[string]any{"bulkOperation": nil,
				"userErrors": []any{map[string]any{"code": "INVALID", "field": []string{"query"}, "message": fmt.Sprint("invalid bulk query: ", errs)}}}}
			break
		}
		if f.limitHits > 0 {
			f.limitHits--
			data = map[string]any{"bulkOperationRunQuery": map[string]any{"bulkOperation": nil,
				"userErrors": []any{map[string]any{"code": "LIMIT_REACHED", "field": nil, "message": "A maximum of 5 bulk operations can run at the same time."}}}}
			break
		}
		f.nextID++
		id := fmt.Sprintf("gid://shopify/BulkOperation/%d", f.nextID)
		op := &fakeOp{op: BulkOperation{ID: id, Status: BulkCreated, Type: "QUERY", Query: q, CreatedAt: time.Now().UTC()}}
		f.ops[id] = op
		data = map[string]any{"bulkOperationRunQuery": map[string]any{"bulkOperation": op.op, "userErrors": []any{}}}
	case "bulkOperation":
		op := f.ops[req.Variables["id"].(string)]
		if op == nil {
			data = map[string]any{"bulkOperation": nil}
			break
		}
		f.advance(op)
		data = map[string]any{"bulkOperation": op.op}
	case "bulkOperationCancel":
		op := f.ops[req.Variables["id"].(string)]
		if op.op.Status.Done() {
			data = map[string]any{"bulkOperationCancel": map[string]any{"bulkOperation": op.op,
				"userErrors": []any{map[string]any{"field": []string{"id"}, "message": "A bulk operation cannot be canceled when it is completed"}}}}
			break
		}
		op.op.Status = BulkCanceling
		data = map[string]any{"bulkOperationCancel": map[string]any{"bulkOperation": op.op, "userErrors": []any{}}}
	case "bulkOperations":
		var nodes []BulkOperation
		for _, op := range f.ops {
			if req.Variables["query"] == "status:RUNNING" && op.op.Status != BulkRunning {
				continue
			}
			nodes = append(nodes, op.op)
		}
		data = map[string]any{"bulkOperations": map[string]any{"nodes": nodes, "pageInfo": map[string]any{"hasNextPage": false, "endCursor": nil}}}
	default:
		f.t.Errorf("unexpected operation %q", req.OperationName)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"data": data})
}

// advance moves op one poll further.
func (f *fakeBulk) advance(op *fakeOp) {
	switch op.op.Status {
	case BulkCreated:
		op.op.Status = BulkRunning
	case BulkCanceling:
		op.op.Status = BulkCanceled
		now := time.Now().UTC()
		op.op.CompletedAt = &now
	case BulkRunning:
		if op.held {
			return
		}
		op.polls++
		op.op.ObjectCount = Uint64(op.polls * 10)
		if op.polls < f.pollsToDone {
			return
		}
		f.finish(op)
	}
}

func (f *fakeBulk) finish(op *fakeOp) {
	now := time.Now().UTC()
	op.op.CompletedAt = &now
	switch f.outcome {
	case "FAILED_TIMEOUT":
		op.op.Status, op.op.ErrorCode = BulkFailed, "TIMEOUT"
		f.files["partial"] = firstLines(f.files["result"], 2)
		op.op.PartialDataURL = f.srv.URL + "/files/partial"
	default:
		op.op.Status = BulkCompleted
		op.op.URL = f.srv.URL + "/files/result"
		op.op.FileSize = Uint64(len(f.files["result"]))
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

const smallExport = `{"id":"gid://shopify/Product/1","title":"Shirt","status":"ACTIVE"}
{"id":"gid://shopify/Product/2","title":"Cap","status":"ACTIVE"}
{"id":"gid://shopify/ProductVariant/11","sku":"SHIRT-S","barcode":"4006381333931","price":"19.90","inventoryItem":{"id":"gid://shopify/InventoryItem/111","unitCost":{"amount":"7.25","currencyCode":"EUR"},"harmonizedSystemCode":"610910","countryCodeOfOrigin":"PT"},"__parentId":"gid://shopify/Product/1"}
{"id":"gid://shopify/ProductVariant/21","sku":"CAP","price":"9.00","inventoryItem":{"id":"gid://shopify/InventoryItem/211"},"__parentId":"gid://shopify/Product/2"}
{"id":"gid://shopify/ProductVariant/12","sku":"SHIRT-M","price":"19.90","inventoryItem":{"id":"gid://shopify/InventoryItem/112"},"__parentId":"gid://shopify/Product/1"}
`

func fastWait() *WaitOptions {
	return &WaitOptions{MinInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond}
}

func TestBulkRunQueuesOnLimitReachedAndStreams(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.limitHits = 2
	c := f.client(t)
	ctx := context.Background()

	q, err := BulkProductsQuery("status:ACTIVE")
	require.NoError(t, err)
	var polls []BulkOperationStatus
	wait := fastWait()
	wait.OnPoll = func(op *BulkOperation) { polls = append(polls, op.Status) }
	op, err := c.BulkOperations().Run(ctx, q, &BulkQueryOptions{Wait: wait})
	require.NoError(t, err)
	assert.Equal(t, 3, f.runCalls, "two LIMIT_REACHED answers, then queued run")
	assert.Equal(t, BulkCompleted, op.Status)
	assert.Equal(t, BulkCompleted, polls[len(polls)-1])
	assert.Contains(t, polls, BulkRunning)
	assert.Equal(t, Uint64(len(smallExport)), op.FileSize)

	body, err := c.BulkOperations().Open(ctx, op)
	require.NoError(t, err)
	defer body.Close()
	var got []string
	for row, err := range ReadProductExport(body) {
		require.NoError(t, err)
		if row.Variant != nil {
			got = append(got, row.ParentID+">"+row.Variant.SKU)
		} else {
			got = append(got, row.Product.Title)
		}
	}
	assert.Equal(t, []string{"Shirt", "Cap", "gid://shopify/Product/1>SHIRT-S", "gid://shopify/Product/2>CAP", "gid://shopify/Product/1>SHIRT-M"}, got)

	require.Len(t, f.downloads, 1)
	for k, v := range f.downloads[0] {
		assert.NotContains(t, strings.Join(v, ","), fakeToken, "token sent to the file host in %s", k)
	}
}

func TestBulkGroupedProductsFromService(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	c := f.client(t)
	ctx := context.Background()
	q, err := BulkProductsQuery("")
	require.NoError(t, err)
	op, err := c.BulkOperations().Run(ctx, q, &BulkQueryOptions{Wait: fastWait()})
	require.NoError(t, err)
	body, err := c.BulkOperations().Open(ctx, op)
	require.NoError(t, err)
	defer body.Close()
	var products []*Product
	for p, err := range GroupProductExport(body, &GroupOptions{Dir: t.TempDir()}) {
		require.NoError(t, err)
		products = append(products, p)
	}
	require.Len(t, products, 2)
	assert.Equal(t, "Shirt", products[0].Title)
	require.Len(t, products[0].Variants, 2)
	assert.Equal(t, "SHIRT-S", products[0].Variants[0].SKU)
	assert.Equal(t, "4006381333931", products[0].Variants[0].Barcode)
	assert.Equal(t, MustDecimal("7.25"), products[0].Variants[0].InventoryItem.UnitCost.Amount)
	assert.Equal(t, "PT", products[0].Variants[0].InventoryItem.CountryCodeOfOrigin)
	assert.Equal(t, "SHIRT-M", products[0].Variants[1].SKU)
	require.Len(t, products[1].Variants, 1)
	assert.Equal(t, "CAP", products[1].Variants[0].SKU)
}

func TestBulkLimitReachedWithoutQueue(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.limitHits = 1
	c := f.client(t)
	_, err := c.BulkOperations().RunQuery(context.Background(), "{ products { edges { node { id } } } }", &BulkQueryOptions{NoQueue: true})
	require.ErrorIs(t, err, ErrBulkLimitReached)
	var ue *UserErrorsError
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.HasCode("LIMIT_REACHED"))
	assert.Equal(t, 1, f.runCalls)
}

func TestBulkQueueGivesUpWithContext(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.limitHits = 1 << 30
	c := f.client(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.onRun = func(calls int) { // the caller gives up while queued
		if calls == 3 {
			cancel()
		}
	}
	_, err := c.BulkOperations().RunQuery(ctx, "{ products { edges { node { id } } } }", &BulkQueryOptions{Wait: fastWait()})
	require.ErrorIs(t, err, ErrBulkLimitReached)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 3, f.runCalls)
}

func TestBulkInvalidQueryIsNotQueued(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	c := f.client(t)
	_, err := c.BulkOperations().RunQuery(context.Background(), "{ products { edges { node { nope } } } }", nil)
	var ue *UserErrorsError
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.HasCode("INVALID"))
	assert.NotErrorIs(t, err, ErrBulkLimitReached)
	assert.Equal(t, 1, f.runCalls)
}

func TestBulkFailedTimeoutKeepsPartialData(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.outcome = "FAILED_TIMEOUT"
	c := f.client(t)
	ctx := context.Background()
	op, err := c.BulkOperations().Run(ctx, "{ products { edges { node { id } } } }", &BulkQueryOptions{Wait: fastWait()})
	require.ErrorIs(t, err, ErrBulkOperationFailed)
	var be *BulkOperationError
	require.ErrorAs(t, err, &be)
	assert.Same(t, op, be.Operation)
	assert.Equal(t, BulkFailed, op.Status)
	assert.Equal(t, "TIMEOUT", op.ErrorCode)
	assert.Contains(t, err.Error(), "TIMEOUT")
	assert.Contains(t, err.Error(), "partial data available")
	assert.NotContains(t, err.Error(), f.srv.URL, "signed URLs stay out of error text")

	_, err = c.BulkOperations().Open(ctx, op)
	require.ErrorIs(t, err, ErrBulkOperationFailed, "Open refuses an incomplete result")

	body, err := c.BulkOperations().OpenPartial(ctx, op)
	require.NoError(t, err)
	defer body.Close()
	var ids []string
	for row, err := range BulkRows(body) {
		require.NoError(t, err)
		ids = append(ids, row.ID)
	}
	assert.Equal(t, []string{"gid://shopify/Product/1", "gid://shopify/Product/2"}, ids)
}

func TestBulkResumeAfterRestart(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.pollsToDone = 4
	ctx := context.Background()
	started, err := f.client(t).BulkOperations().RunQuery(ctx, "{ products { edges { node { id } } } }", nil)
	require.NoError(t, err)

	// A new process, a new client: only the stored ID survives.
	c2 := f.client(t)
	op, err := c2.BulkOperations().Wait(ctx, started.ID, fastWait())
	require.NoError(t, err)
	assert.Equal(t, started.ID, op.ID)
	assert.Equal(t, BulkCompleted, op.Status)
	assert.NotEmpty(t, op.URL)
}

func TestBulkWaitWakesOnNotification(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	c := f.client(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	started, err := c.BulkOperations().RunQuery(ctx, "{ products { edges { node { id } } } }", nil)
	require.NoError(t, err)
	f.mu.Lock()
	f.ops[started.ID].held = true
	f.mu.Unlock()

	var n BulkNotifier
	polled := make(chan BulkOperationStatus, 16)
	done := make(chan error, 1)
	var final *BulkOperation
	go func() {
		// Polling alone would take an hour: only the notification can end
		// this wait within the test's deadline.
		var err error
		final, err = c.BulkOperations().Wait(ctx, started.ID, &WaitOptions{
			MinInterval: time.Hour, Notifier: &n,
			OnPoll: func(op *BulkOperation) { polled <- op.Status },
		})
		done <- err
	}()
	require.Equal(t, BulkRunning, <-polled, "first poll happens at once")

	// An unrelated operation's notification wakes nobody.
	n.Finished("gid://shopify/BulkOperation/999")

	f.mu.Lock()
	op := f.ops[started.ID]
	op.held = false
	f.finish(op)
	f.mu.Unlock()
	payload := fmt.Sprintf(`{"admin_graphql_api_id":%q,"completed_at":"2026-11-26T10:00:00Z","created_at":"2026-11-26T09:59:00Z","error_code":null,"status":"completed","type":"query"}`, started.ID)
	require.NoError(t, n.FinishedPayload([]byte(payload)))

	select {
	case err := <-done:
		require.NoError(t, err)
		assert.Equal(t, BulkCompleted, final.Status)
	case <-ctx.Done():
		t.Fatal("Wait did not wake on the bulk_operations/finish notification")
	}
	n.mu.Lock()
	assert.Empty(t, n.waiters, "waiter unsubscribed")
	n.mu.Unlock()

	assert.Error(t, n.FinishedPayload([]byte(`{"status":"completed"}`)))
	assert.Error(t, n.FinishedPayload([]byte(`not json`)))
}

func TestBulkCancel(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.pollsToDone = 1000
	c := f.client(t)
	ctx := context.Background()
	started, err := c.BulkOperations().RunQuery(ctx, "{ products { edges { node { id } } } }", nil)
	require.NoError(t, err)

	running, err := c.BulkOperations().List(ctx, "status:RUNNING", 0)
	require.NoError(t, err)
	assert.Empty(t, running, "CREATED is not yet RUNNING")
	_, err = c.BulkOperations().Get(ctx, started.ID) // CREATED -> RUNNING
	require.NoError(t, err)
	running, err = c.BulkOperations().List(ctx, "status:RUNNING", 0)
	require.NoError(t, err)
	require.Len(t, running, 1)
	assert.Equal(t, started.ID, running[0].ID)

	op, err := c.BulkOperations().Cancel(ctx, started.ID)
	require.NoError(t, err)
	assert.Equal(t, BulkCanceling, op.Status)
	final, err := c.BulkOperations().Wait(ctx, started.ID, fastWait())
	var be *BulkOperationError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, BulkCanceled, final.Status)

	_, err = c.BulkOperations().Cancel(ctx, started.ID)
	assert.ErrorIs(t, err, ErrUserErrors, "canceling a finished operation is Shopify's user error")
}

func TestBulkGetUnknownAndContext(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	f.pollsToDone = 1000
	c := f.client(t)
	_, err := c.BulkOperations().Get(context.Background(), "gid://shopify/BulkOperation/404")
	assert.ErrorIs(t, err, ErrBulkOperationNotFound)
	_, err = c.BulkOperations().Wait(context.Background(), "gid://shopify/BulkOperation/404", fastWait())
	assert.ErrorIs(t, err, ErrBulkOperationNotFound)

	started, err := c.BulkOperations().RunQuery(context.Background(), "{ products { edges { node { id } } } }", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err = c.BulkOperations().Wait(ctx, started.ID, fastWait())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestBulkOpenEmptyResult(t *testing.T) {
	t.Parallel()
	c, err := NewClient("empty-shop", WithAccessToken(fakeToken))
	require.NoError(t, err)
	// A completed operation that found nothing has no URL.
	body, err := c.BulkOperations().Open(context.Background(), &BulkOperation{ID: "gid://shopify/BulkOperation/1", Status: BulkCompleted})
	require.NoError(t, err)
	b, err := io.ReadAll(body)
	require.NoError(t, err)
	assert.Empty(t, b)
	_, err = c.BulkOperations().Open(context.Background(), nil)
	assert.Error(t, err)
}

func TestBulkDownloadErrorHidesSignedURL(t *testing.T) {
	t.Parallel()
	f := newFakeBulk(t, smallExport)
	c := f.client(t)
	secretURL := f.srv.URL + "/files/missing?X-Goog-Signature=s3cr3t"
	_, err := c.BulkOperations().Open(context.Background(), &BulkOperation{Status: BulkCompleted, URL: secretURL})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "404")
	assert.NotContains(t, err.Error(), "s3cr3t")

	_, err = c.BulkOperations().Open(context.Background(), &BulkOperation{Status: BulkCompleted, URL: "http://127.0.0.1:1/x?X-Goog-Signature=s3cr3t"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "s3cr3t")
}

func TestWaitOptionsIntervals(t *testing.T) {
	t.Parallel()
	minI, maxI := (*WaitOptions)(nil).intervals()
	assert.Equal(t, time.Second, minI)
	assert.Equal(t, 30*time.Second, maxI)
	minI, maxI = (&WaitOptions{Notifier: &BulkNotifier{}}).intervals()
	assert.Equal(t, time.Second, minI)
	assert.Equal(t, time.Minute, maxI)
	minI, maxI = (&WaitOptions{MinInterval: time.Minute, MaxInterval: time.Second}).intervals()
	assert.Equal(t, time.Minute, minI)
	assert.Equal(t, time.Minute, maxI, "max is never below min")
	for range 100 {
		d := jitter(time.Second)
		assert.True(t, d >= 800*time.Millisecond && d <= 1200*time.Millisecond, d)
	}
	assert.True(t, BulkCompleted.Done() && BulkFailed.Done() && BulkCanceled.Done() && BulkExpired.Done())
	assert.False(t, BulkRunning.Done() || BulkCreated.Done() || BulkCanceling.Done())
}
