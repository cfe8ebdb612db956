package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
)

// collect reads every metric of reader, by name.
func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(bg, &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// sum returns the value of a counter's data point with attribute
// outcome=outcome ("" for a point without attributes).
func sum(t *testing.T, ms map[string]metricdata.Metrics, name, outcome string) int64 {
	t.Helper()
	m, ok := ms[name]
	require.True(t, ok, "no metric %s", name)
	data, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is %T", name, m.Data)
	for _, p := range data.DataPoints {
		v, _ := p.Attributes.Value("outcome")
		if v.AsString() == outcome {
			return p.Value
		}
	}
	return 0
}

func histCount(t *testing.T, ms map[string]metricdata.Metrics, name string) uint64 {
	t.Helper()
	m, ok := ms[name]
	require.True(t, ok, "no metric %s", name)
	data, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is %T", name, m.Data)
	var n uint64
	for _, p := range data.DataPoints {
		n += p.Count
	}
	return n
}

// The engine's instruments move with its work when the host passes a
// MeterProvider: inbound events and their lag, sweeps.
func TestMetricsInbound(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	e := newEnv(t, func(c *wmssync.Config) { c.MeterProvider = mp })
	dk := e.addShop("dk")
	e.throughOrders("dk")
	before := collect(t, reader)
	assert.Zero(t, sum(t, before, "wmsbridge.inbound.events", "applied"))

	e.deliver(dk, "orders/create", fakePayload{Order: ptr(order("1001", "loc-cph", e.clock.Now(), line("1", "SKU-1", 1)))})
	e.deliver(dk, "orders/updated", fakePayload{})
	e.clock.Advance(3 * time.Second)
	e.drain()
	_, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)

	ms := collect(t, reader)
	assert.EqualValues(t, 1, sum(t, ms, "wmsbridge.inbound.events", "applied"))
	assert.EqualValues(t, 1, sum(t, ms, "wmsbridge.inbound.events", "failed"))
	assert.EqualValues(t, 2, histCount(t, ms, "wmsbridge.inbound.lag"))
	lag := ms["wmsbridge.inbound.lag"].Data.(metricdata.Histogram[float64])
	for _, p := range lag.DataPoints {
		assert.InDelta(t, 3*float64(p.Count), p.Sum, 0.001, "3 s from arrival to handling")
	}
	assert.EqualValues(t, 1, sum(t, ms, "wmsbridge.sweeps", "ok"))
}

// Outbound instruments: PublishTx counts like Publish; deliveries, stock
// calls and the outbound lag move.
func TestMetricsOutbound(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	var st txStore
	e := newOutEnv(t, wmssync.OutboundConfig{}, func(c *wmssync.Config) {
		c.MeterProvider = mp
		st = txStore{c.Store.(*memstore.Store)}
		c.Store = st
	})
	require.NoError(t, e.eng.Publish(bg, stock("ev-1", 1, "S1", 5)))
	tx := &hostTx{}
	require.NoError(t, wmssync.PublishTx(bg, e.eng, tx, stock("ev-2", 2, "S2", 7)))
	require.NoError(t, st.commit(tx))
	e.clock.Advance(2 * time.Second)
	e.deliver(t)

	ms := collect(t, reader)
	assert.EqualValues(t, 2, sum(t, ms, "wmsbridge.outbound.messages", "published"), "PublishTx counts like Publish")
	assert.EqualValues(t, 3, sum(t, ms, "wmsbridge.outbound.messages", "fanned_out"), "S1 to A and B, S2 to A")
	assert.EqualValues(t, 2, sum(t, ms, "wmsbridge.outbound.stock.calls", ""), "one call per shop")
	assert.EqualValues(t, 3, sum(t, ms, "wmsbridge.outbound.stock.levels", ""))
	assert.EqualValues(t, 3, histCount(t, ms, "wmsbridge.outbound.lag"), "one per message delivered to a shop")
	assert.Zero(t, sum(t, ms, "wmsbridge.outbound.messages", "dead"))
}
