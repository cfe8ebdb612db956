package webhook_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// discardWriter is a minimal http.ResponseWriter, so the benchmark measures
// the handler rather than httptest.ResponseRecorder.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }

// BenchmarkHandler measures the whole request path of one new delivery:
// read the body, verify the HMAC, parse headers, deduplicate and store in a
// MemoryInbox. Compare deliveries/s with BenchmarkComputeSignature on the
// same payload.
func BenchmarkHandler(b *testing.B) {
	body := sampleBody(b, "2026-07", "orders/create")
	inbox := webhook.NewMemoryInbox()
	h, err := webhook.NewHandler(inbox, withShopify(b, testSecret))
	if err != nil {
		b.Fatal(err)
	}
	base := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body}, testSecret)
	w := &discardWriter{h: http.Header{}}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		hdr := base.Clone()
		hdr.Set(shopifywebhook.HeaderWebhookID, strconv.Itoa(i))
		r := (&http.Request{Method: http.MethodPost, Header: hdr, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}).WithContext(ctx)
		h.ServeHTTP(w, r)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
		if i%4096 == 4095 {
			// Drain the inbox off the clock, as a Dispatcher would, so the
			// measurement does not grow with b.N (a MemoryInbox that is never
			// drained keeps every body).
			b.StopTimer()
			drain(b, inbox)
			b.StartTimer()
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
	if got := h.Stats().Stored; got != uint64(b.N) {
		b.Fatalf("stored %d of %d", got, b.N)
	}
}

// BenchmarkHandlerDuplicate is the redelivery path: verify, then find the
// webhook id already stored.
func BenchmarkHandlerDuplicate(b *testing.B) {
	body := sampleBody(b, "2026-07", "orders/create")
	h, err := webhook.NewHandler(webhook.NewMemoryInbox(), withShopify(b, testSecret))
	if err != nil {
		b.Fatal(err)
	}
	hdr := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersCreate, Body: body, WebhookID: "same"}, testSecret)
	w := &discardWriter{h: http.Header{}}
	ctx := context.Background()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := (&http.Request{Method: http.MethodPost, Header: hdr, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}).WithContext(ctx)
		h.ServeHTTP(w, r)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "deliveries/s")
}

// BenchmarkComputeSignature is the bare HMAC-SHA256 + base64 of the same
// payload: the floor under BenchmarkHandler.
func BenchmarkComputeSignature(b *testing.B) {
	body := sampleBody(b, "2026-07", "orders/create")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		webhook.ComputeSignature(body, testSecret)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}

func drain(b *testing.B, inbox *webhook.MemoryInbox) {
	ctx := context.Background()
	jobs, err := inbox.Claim(ctx, 1<<20, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, j := range jobs {
		if err := inbox.Complete(ctx, j.Event.WebhookID); err != nil {
			b.Fatal(err)
		}
	}
	inbox.Forget(time.Now().Add(time.Hour))
	runtime.GC()
}
