package sync

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// meterName names the engine's OpenTelemetry meter (the instrumentation
// scope).
const meterName = "github.com/wmsbridge/wmsbridge/sync"

// metrics are the engine's OpenTelemetry instruments (see the package
// documentation, "Observability").
type metrics struct {
	inboundLag  metric.Float64Histogram
	outboundLag metric.Float64Histogram
	reg         metric.Registration
}

// Attribute sets, built once.
var (
	outcomeAttrs = func() map[string]metric.MeasurementOption {
		m := map[string]metric.MeasurementOption{}
		for _, o := range []string{"applied", "stale", "ignored", "failed", "published", "fanned_out", "delivered",
			"coalesced", "retried", "dead", "skipped", "ok"} {
			m[o] = metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", o)))
		}
		return m
	}()
)

// newMetrics registers the engine's instruments with mp (a no-op provider
// when nil).
func (e *Engine) newMetrics(mp metric.MeterProvider) (*metrics, error) {
	if mp == nil {
		mp = noop.NewMeterProvider()
	}
	m := mp.Meter(meterName)
	var (
		x    metrics
		errs []error
	)
	obs := func(name, unit, desc string) metric.Int64ObservableCounter {
		c, err := m.Int64ObservableCounter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	events := obs("wmsbridge.inbound.events", "{event}", "Inbox events handled, by outcome.")
	messages := obs("wmsbridge.outbound.messages", "{message}", "Outbound messages, by what happened to them.")
	stockCalls := obs("wmsbridge.outbound.stock.calls", "{call}", "Stock sends to shops.")
	stockLevels := obs("wmsbridge.outbound.stock.levels", "{level}", "Stock levels sent to shops.")
	sweeps := obs("wmsbridge.sweeps", "{sweep}", "Reconciliation sweeps, by outcome.")
	sweepApplied := obs("wmsbridge.sweep.applied", "{change}", "Orders and products a sweep applied because no webhook had brought them.")
	audits := obs("wmsbridge.webhook.audits", "{audit}", "Webhook subscription audits finished.")
	recreated := obs("wmsbridge.webhook.recreated", "{subscription}", "Webhook subscriptions audits re-created.")
	stockAudits := obs("wmsbridge.stock.audits", "{audit}", "Stock audits and full stock pushes, by outcome.")
	stockCorrected := obs("wmsbridge.stock.corrected", "{level}", "Shop stock levels the stock audits queued corrections of.")
	var err error
	x.inboundLag, err = m.Float64Histogram("wmsbridge.inbound.lag", metric.WithUnit("s"),
		metric.WithDescription("Time from a webhook's arrival to its handling."))
	errs = append(errs, err)
	x.outboundLag, err = m.Float64Histogram("wmsbridge.outbound.lag", metric.WithUnit("s"),
		metric.WithDescription("Time from an outbound message's creation to its delivery."))
	errs = append(errs, err)
	for _, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("sync: metrics: %w", err)
		}
	}
	x.reg, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s, ob := e.Stats(), e.OutboundStats()
		for outcome, n := range map[string]uint64{"applied": s.EventsApplied, "stale": s.EventsStale,
			"ignored": s.EventsIgnored, "failed": s.EventsFailed} {
			o.ObserveInt64(events, int64(n), outcomeAttrs[outcome])
		}
		for outcome, n := range map[string]uint64{"published": ob.Published, "fanned_out": ob.FannedOut,
			"delivered": ob.Delivered, "coalesced": ob.Coalesced, "retried": ob.Retried, "dead": ob.DeadLettered,
			"skipped": ob.Skipped} {
			o.ObserveInt64(messages, int64(n), outcomeAttrs[outcome])
		}
		o.ObserveInt64(stockCalls, int64(ob.StockCalls))
		o.ObserveInt64(stockLevels, int64(ob.StockLevels))
		o.ObserveInt64(sweeps, int64(s.Sweeps), outcomeAttrs["ok"])
		o.ObserveInt64(sweeps, int64(s.SweepErrors), outcomeAttrs["failed"])
		o.ObserveInt64(sweepApplied, int64(s.SweepApplied))
		o.ObserveInt64(audits, int64(s.Audits))
		o.ObserveInt64(recreated, int64(s.WebhooksRecreated))
		o.ObserveInt64(stockAudits, int64(s.StockAudits), outcomeAttrs["ok"])
		o.ObserveInt64(stockAudits, int64(s.StockAuditErrors), outcomeAttrs["failed"])
		o.ObserveInt64(stockCorrected, int64(s.StockCorrected))
		return nil
	}, events, messages, stockCalls, stockLevels, sweeps, sweepApplied, audits, recreated, stockAudits, stockCorrected)
	if err != nil {
		return nil, fmt.Errorf("sync: metrics: %w", err)
	}
	return &x, nil
}

// observeInbound records the lag of one handled inbox event.
func (e *Engine) observeInbound(ctx context.Context, received time.Time, outcome string) {
	if received.IsZero() {
		return
	}
	e.metrics.inboundLag.Record(ctx, max(e.now().Sub(received), 0).Seconds(), outcomeAttrs[outcome])
}

// observeDelivered records the lag of one delivered outbound message.
func (e *Engine) observeDelivered(ctx context.Context, created time.Time) {
	if created.IsZero() {
		return
	}
	e.metrics.outboundLag.Record(ctx, max(e.now().Sub(created), 0).Seconds())
}
