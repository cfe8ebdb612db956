package shopify

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// clientMetrics are the Client's instruments (see WithMeterProvider).
type clientMetrics struct {
	requests, retries metric.Int64Counter
	cost              metric.Float64Counter
	wait              metric.Float64Histogram
}

func newClientMetrics(mp metric.MeterProvider) (*clientMetrics, error) {
	m := mp.Meter("github.com/wmsbridge/wmsbridge/shopify")
	var x clientMetrics
	var err, e error
	x.requests, e = m.Int64Counter("wmsbridge.shopify.requests", metric.WithUnit("{request}"),
		metric.WithDescription("Admin API GraphQL requests, by operation and outcome."))
	err = errors.Join(err, e)
	x.cost, e = m.Float64Counter("wmsbridge.shopify.query_cost", metric.WithUnit("{point}"),
		metric.WithDescription("Actual query cost Shopify charged, by operation."))
	err = errors.Join(err, e)
	x.retries, e = m.Int64Counter("wmsbridge.shopify.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Attempts after the first, by operation."))
	err = errors.Join(err, e)
	x.wait, e = m.Float64Histogram("wmsbridge.shopify.throttle_wait", metric.WithUnit("s"),
		metric.WithDescription("Time requests waited for the shop's cost bucket."))
	err = errors.Join(err, e)
	if err != nil {
		return nil, fmt.Errorf("shopify: metrics: %w", err)
	}
	return &x, nil
}

func (x *clientMetrics) record(ctx context.Context, m RequestMetrics) {
	outcome := "ok"
	var te *ThrottledError
	switch {
	case m.Err == nil:
	case errors.As(m.Err, &te):
		outcome = "throttled"
	case errors.Is(m.Err, ErrUnauthorized):
		outcome = "unauthorized"
	default:
		outcome = "error"
	}
	op := attribute.String("operation", opLabel(m.Operation))
	x.requests.Add(ctx, 1, metric.WithAttributes(op, attribute.String("outcome", outcome)))
	opOnly := metric.WithAttributes(op)
	if m.ActualCost > 0 {
		x.cost.Add(ctx, m.ActualCost, opOnly)
	}
	if m.Retries > 0 {
		x.retries.Add(ctx, int64(m.Retries), opOnly)
	}
	x.wait.Record(ctx, m.ThrottleWait.Seconds())
}
