package webhook_test

import (
	"context"
	"net/http"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// With a MeterProvider the handler's accepted and rejected deliveries
// show in an OpenTelemetry counter, by outcome.
func TestHandlerMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	h := newTestHandler(t, webhook.NewMemoryInbox(),
		webhook.WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	body := []byte(`{"id":1}`)
	for _, id := range []string{"w-1", "w-1", "w-2"} {
		serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body, WebhookID: id}, testSecret))
	}
	if w := serve(h, signedRequest(t, shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body}, "wrong")); w.Code != http.StatusUnauthorized {
		t.Fatalf("status %d", w.Code)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "wmsbridge.webhook.deliveries" {
				continue
			}
			for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := p.Attributes.Value("outcome")
				got[v.AsString()] = p.Value
			}
		}
	}
	if got["stored"] != 2 || got["duplicate"] != 1 || got["unauthorized"] != 1 || got["malformed"] != 0 {
		t.Fatalf("deliveries by outcome: %v", got)
	}
}
