package shopify

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// With WithMeterProvider, requests, their outcome, the query cost Shopify
// charged and retries show in OpenTelemetry instruments.
func TestClientMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	var n atomic.Int64
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1, 2:
			writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(10, 7, 1000, 993, 50)+`}`)
		case 3:
			writeJSON(w, http.StatusServiceUnavailable, `{"errors":"busy"}`)
		case 4:
			writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(10, 3, 1000, 990, 50)+`}`)
		default:
			writeJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token"}`)
		}
	}, WithMeterProvider(sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))))
	ctx := context.Background()
	for range 3 { // ok, ok, ok after one retry
		if _, err := c.Do(ctx, &Request{Query: `query shopName { shop { name } }`}, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Do(ctx, &Request{Query: `query shopName { shop { name } }`}, nil); err == nil {
		t.Fatal("want 401")
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	requests := map[string]int64{}
	var cost float64
	var retries int64
	var waits uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					op, _ := p.Attributes.Value("operation")
					if op.AsString() != "shopName" {
						t.Errorf("%s: operation %q", m.Name, op.AsString())
					}
					if m.Name == "wmsbridge.shopify.requests" {
						o, _ := p.Attributes.Value("outcome")
						requests[o.AsString()] += p.Value
					} else if m.Name == "wmsbridge.shopify.retries" {
						retries += p.Value
					}
				}
			case metricdata.Sum[float64]:
				for _, p := range d.DataPoints {
					cost += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					waits += p.Count
				}
			}
		}
	}
	if requests["ok"] != 3 || requests["unauthorized"] != 1 || len(requests) != 2 {
		t.Errorf("requests by outcome: %v", requests)
	}
	if cost != 17 {
		t.Errorf("query cost %v, want 7+7+3", cost)
	}
	if retries != 1 {
		t.Errorf("retries %d, want 1", retries)
	}
	if waits != 4 {
		t.Errorf("throttle waits recorded %d, want 4", waits)
	}
}
