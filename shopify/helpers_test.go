package shopify

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testPrefix is the path prefix every test server sits under, to catch
// requests that ignore the base URL's path.
const testPrefix = "/shops/dk"

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// gqlBody is a decoded GraphQL request.
type gqlBody struct {
	Query         string         `json:"query"`
	Variables     map[string]any `json:"variables"`
	OperationName string         `json:"operationName"`
}

func decodeGQL(t testing.TB, r *http.Request) gqlBody {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("reading request body: %v", err)
	}
	var g gqlBody
	if err := json.Unmarshal(b, &g); err != nil {
		t.Errorf("request body is not JSON: %v: %s", err, b)
	}
	return g
}

// newTestClient starts a server for h under testPrefix and returns a client
// for it that logs at debug level into the returned buffer.
func newTestClient(t testing.TB, h http.HandlerFunc, opts ...Option) (*Client, *syncBuffer) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(testPrefix+"/admin/api/"+DefaultAPIVersion+"/graphql.json", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "want POST", http.StatusMethodNotAllowed)
			return
		}
		h(w, r)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request to %s", r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	all := []Option{
		WithBaseURL(srv.URL + testPrefix),
		WithLogger(logger),
		WithRetryWait(5*time.Millisecond, 50*time.Millisecond), // keeps retry tests quick
	}
	if !hasAuthOption(opts) {
		all = append(all, WithAccessToken("shpat_test_token"))
	}
	all = append(all, opts...)
	c, err := NewClient("test-shop", all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, logs
}

// hasAuthOption reports whether opts bring their own credentials.
func hasAuthOption(opts []Option) bool {
	for _, o := range opts {
		var probe options
		_ = o(&probe)
		if probe.authOptions > 0 {
			return true
		}
	}
	return false
}

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// costJSON renders an extensions.cost object.
func costJSON(requested, actual, maxAvail, current, rate float64) string {
	b, _ := json.Marshal(map[string]any{"cost": QueryCost{RequestedQueryCost: requested, ActualQueryCost: actual,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: maxAvail, CurrentlyAvailable: current, RestoreRate: rate}}})
	return string(b)
}

func throttledJSON(requested, maxAvail, current, rate float64) string {
	return `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":` +
		strings.Replace(costJSON(requested, 0, maxAvail, current, rate), `"actualQueryCost":0`, `"actualQueryCost":null`, 1) + `}`
}
