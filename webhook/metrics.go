package webhook

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// WithMeterProvider reports the Handler's outcomes as an OpenTelemetry
// counter, read from [Handler.Stats] when the host's reader collects:
//
//	wmsbridge.webhook.deliveries  counter {delivery}  outcome: stored|duplicate|unknown_topic|ping|
//	                                                  unauthorized|malformed|too_large|method_not_allowed|store_failed
//
// The first four are accepted (200), the others rejected. No attribute
// names a shop or a delivery. Without this option the Handler reports no
// metrics.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(h *Handler) { h.optMeter = mp }
}

func (h *Handler) registerMetrics(mp metric.MeterProvider) error {
	m := mp.Meter("github.com/wmsbridge/wmsbridge/webhook")
	c, err := m.Int64ObservableCounter("wmsbridge.webhook.deliveries", metric.WithUnit("{delivery}"),
		metric.WithDescription("Webhook requests the handler answered, by outcome."))
	if err != nil {
		return fmt.Errorf("webhook: metrics: %w", err)
	}
	attrs := map[string]metric.ObserveOption{}
	for _, o := range []string{"stored", "duplicate", "unknown_topic", "ping", "unauthorized", "malformed",
		"too_large", "method_not_allowed", "store_failed"} {
		attrs[o] = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", o)))
	}
	_, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := h.Stats()
		for outcome, n := range map[string]uint64{"stored": s.Stored, "duplicate": s.Duplicates,
			"unknown_topic": s.UnknownTopic, "ping": s.Pings, "unauthorized": s.Unauthorized, "malformed": s.Malformed,
			"too_large": s.TooLarge, "method_not_allowed": s.MethodNotAllowed, "store_failed": s.StoreFailed} {
			o.ObserveInt64(c, int64(n), attrs[outcome])
		}
		return nil
	}, c)
	if err != nil {
		return fmt.Errorf("webhook: metrics: %w", err)
	}
	return nil
}
