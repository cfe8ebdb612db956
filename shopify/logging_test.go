package shopify

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Without WithLogger the client logs nothing, not even to slog.Default: a
// refused token (401) is returned to the caller, not logged per request
// on the host's default logger. With a logger, the failed request is a
// debug line.
func TestLoggingDefault(t *testing.T) {
	// Not parallel: it swaps the process's default logger.
	var dflt bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&dflt, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(old)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
	}))
	defer srv.Close()
	c, err := NewClient("test-shop", WithBaseURL(srv.URL), WithAccessToken("shpat_test_token"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
	if !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want ErrUnauthorized", err)
	}
	if dflt.Len() > 0 {
		t.Errorf("the client logged to slog.Default without WithLogger:\n%s", dflt.String())
	}

	var own bytes.Buffer
	c, err = NewClient("test-shop", WithBaseURL(srv.URL), WithAccessToken("shpat_test_token"),
		WithLogger(slog.New(slog.NewTextHandler(&own, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil); err == nil {
		t.Fatal("want an error")
	}
	if own.Len() > 0 {
		t.Errorf("a 401 was logged at info level or above:\n%s", own.String())
	}
	own.Reset()
	c, err = NewClient("test-shop", WithBaseURL(srv.URL), WithAccessToken("shpat_test_token"),
		WithLogger(slog.New(slog.NewTextHandler(&own, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil); err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(own.String(), "level=DEBUG msg=\"shopify: graphql request\"") || !strings.Contains(own.String(), "status=401") {
		t.Errorf("want the failed request at debug level, got:\n%s", own.String())
	}
	if strings.Contains(own.String()+dflt.String(), "shpat_test_token") {
		t.Error("the token was logged")
	}
}
