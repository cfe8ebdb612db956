package shopify

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkDo measures the client's own overhead per request (parsing the
// operation, pacing, token, JSON) against a local server with a bucket
// large enough never to wait.
func BenchmarkDo(b *testing.B) {
	body := []byte(`{"data":{"shop":{"name":"S"}},"extensions":` + costJSON(1, 1, 1e9, 1e9, 1e9) + `}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	c, err := NewClient("bench", WithAccessToken("t"), WithBaseURL(srv.URL), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatal(err)
	}
	req := &Request{Query: shopQuery}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var out struct{ Shop struct{ Name string } }
		for pb.Next() {
			if _, err := c.Do(context.Background(), req, &out); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkParseOperation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseOperation(shopQuery, ""); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLimiterAcquireSettle(b *testing.B) {
	l := NewLimiter()
	p, _, _ := l.acquire(context.Background(), "q", 1)
	l.settle(p, &QueryCost{RequestedQueryCost: 1, ActualQueryCost: 1,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1e12, CurrentlyAvailable: 1e12, RestoreRate: 1e12}}, true)
	cost := &QueryCost{RequestedQueryCost: 1, ActualQueryCost: 1,
		ThrottleStatus: ThrottleStatus{MaximumAvailable: 1e12, CurrentlyAvailable: 1e12, RestoreRate: 1e12}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, _, err := l.acquire(context.Background(), "q", 1)
			if err != nil {
				b.Error(err)
				return
			}
			l.settle(r, cost, true)
		}
	})
}

// BenchmarkPlainHTTP is the baseline for BenchmarkDo: the same POST with
// net/http alone.
func BenchmarkPlainHTTP(b *testing.B) {
	body := []byte(`{"data":{"shop":{"name":"S"}}}`)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	hc := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := hc.Post(srv.URL, "application/json", strings.NewReader(`{"query":"query shop { shop { name } }"}`))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
	})
}
