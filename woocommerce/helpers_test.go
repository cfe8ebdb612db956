package woocommerce

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"golang.org/x/time/rate"
)

const (
	testStore  = "https://shop.example"
	testKey    = "ck_0123456789abcdef0123456789abcdef01234567"
	testSecret = "cs_fedcba9876543210fedcba9876543210fedcba98"
)

// newTestClient returns a Client for testStore whose requests go to a mock
// transport, without pacing and with millisecond retry waits.
func newTestClient(t *testing.T, opts ...Option) (*Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	base := []Option{
		WithKeys(testKey, testSecret),
		WithHTTPClient(&http.Client{Transport: mt}),
		WithRate(rate.Inf, 1),
		WithRetryWait(time.Millisecond, 2*time.Millisecond),
		WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	}
	c, err := NewClient(testStore, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c, mt
}

// jsonResponse answers body with status as WooCommerce does.
func jsonResponse(status int, body string, header ...string) *http.Response {
	r := httpmock.NewStringResponse(status, body)
	r.Header.Set("Content-Type", "application/json; charset=UTF-8")
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Add(header[i], header[i+1])
	}
	return r
}

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// readJSON decodes a request body into a generic value, for comparing
// request shapes.
func readJSON(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("request body %q: %v", b, err)
	}
	return v
}

// rawBody returns a request's body as text.
func rawBody(t *testing.T, r *http.Request) string {
	t.Helper()
	if r.Body == nil {
		return ""
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
