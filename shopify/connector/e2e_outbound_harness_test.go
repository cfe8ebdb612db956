package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// outHarness extends the end-to-end harness for outbound messages: the
// reference WMS publishes every event it emits to the engine (as a host
// would), the shop's HTTP traffic goes through a transport that counts
// operations and can "crash" the engine between send and acknowledge, and
// the engine can be stopped and rebuilt on the same store.
type outHarness struct {
	*harness
	tr *opTransport

	engMu   gosync.Mutex
	cfg     wmssync.Config
	stopRun func()
}

func newOutHarness(t *testing.T, conn connector.Config) *outHarness {
	t.Helper()
	h := newHarness(t, harnessOptions{conn: conn})
	h.stop() // the harness's engine: replaced by ours
	o := &outHarness{harness: h, tr: &opTransport{base: h.srv.HTTPClient().Transport, counts: map[string]int{}}}
	o.cfg = h.engCfg
	o.cfg.Connect = o.connect
	o.cfg.Outbound = wmssync.OutboundConfig{Poll: 20 * time.Millisecond, Linger: 5 * time.Millisecond, Lease: 30 * time.Second,
		Backoff: 2 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, MaxAttempts: 4}
	o.start()
	cancel := h.wms.OnEvent(func(ev wms.Event) {
		if err := o.engine().Publish(context.Background(), ev); err != nil {
			t.Errorf("publish %s: %v", ev.Kind(), err)
		}
	})
	t.Cleanup(func() {
		cancel()
		o.stop()
	})
	return o
}

// start builds a new engine on the same store and WMS (a new process)
// and runs it.
func (o *outHarness) start() {
	o.t.Helper()
	e, err := wmssync.NewEngine(o.cfg)
	require.NoError(o.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = e.Run(ctx)
	}()
	o.engMu.Lock()
	o.eng = e
	o.stopRun = func() { cancel(); <-done }
	o.engMu.Unlock()
}

func (o *outHarness) engine() *wmssync.Engine {
	o.engMu.Lock()
	defer o.engMu.Unlock()
	return o.eng
}

func (o *outHarness) stop() {
	o.engMu.Lock()
	stop := o.stopRun
	o.engMu.Unlock()
	if stop != nil {
		stop()
	}
}

// crashAndRestart stops the engine (as a crash: nothing more is written),
// lets the leases of its claims run out, and starts a new engine.
func (o *outHarness) crashAndRestart() {
	o.stop()
	o.mu.Lock()
	o.offset += time.Minute // beyond the 30s lease
	o.mu.Unlock()
	o.start()
}

// connect is harness.connect with the counting transport.
func (o *outHarness) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	name := strings.TrimSuffix(s.Domain(), ".myshopify.com")
	shop := o.srv.Shop(name)
	cl, err := shopify.NewClient(s.Domain(),
		shopify.WithBaseURL(o.srv.ShopURL(name)), shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithHTTPClient(&http.Client{Transport: o.tr}), shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		return nil, err
	}
	cfg := o.harness.cfg
	cfg.Client, cfg.WebhookAddress = cl, o.addr
	cfg.BulkWait = fastBulk
	c, err := connector.New(cfg)
	if err != nil {
		return nil, err
	}
	o.harness.mu.Lock()
	o.conns = append(o.conns, c)
	o.harness.mu.Unlock()
	return c, nil
}

// outboxIdle reports whether no outbound message is pending.
func (o *outHarness) outboxIdle() bool {
	ms, err := o.store.ListOutbox(context.Background(), wmssync.OutboxFilter{State: wmssync.OutboxPending, Limit: 1})
	return err == nil && len(ms) == 0
}

// drainOut waits until the webhooks are delivered and handled and the
// outbox is empty, and requires no dead letter.
func (o *outHarness) drainOut() {
	o.t.Helper()
	require.Eventually(o.t, o.outboxIdle, 120*time.Second, 50*time.Millisecond, "outbox not drained")
	o.drain()
	require.Eventually(o.t, o.outboxIdle, 120*time.Second, 50*time.Millisecond, "outbox not drained")
	dead, err := o.engine().DeadLetters(context.Background(), "")
	require.NoError(o.t, err)
	for _, d := range dead {
		o.t.Errorf("dead letter %s %s %s: %s", d.Shop, d.Kind, d.ID, d.LastError)
	}
	if len(dead) > 0 {
		o.t.FailNow()
	}
}

// opTransport counts GraphQL operations by name and can crash one: the
// request reaches the shop, the answer never comes back (the call hangs
// until its context ends).
type opTransport struct {
	base http.RoundTripper

	mu     gosync.Mutex
	counts map[string]int
	crash  string        // operation to crash on, once
	fired  chan struct{} // closed when the crash happened
	hits   atomic.Int64
}

func (tr *opTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var op string
	if r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		var q struct {
			OperationName string `json:"operationName"`
		}
		_ = json.Unmarshal(body, &q)
		op = q.OperationName
	}
	resp, err := tr.base.RoundTrip(r)
	tr.mu.Lock()
	if err == nil && resp.StatusCode == http.StatusOK {
		tr.counts[op]++
	}
	crash := op != "" && op == tr.crash && err == nil
	var fired chan struct{}
	if crash {
		tr.crash, fired = "", tr.fired
	}
	tr.mu.Unlock()
	if crash {
		resp.Body.Close()
		close(fired)
		<-r.Context().Done() // the engine dies waiting for the answer
		return nil, r.Context().Err()
	}
	return resp, err
}

// armCrash makes the next successful call of op crash; the returned
// channel closes when it did.
func (tr *opTransport) armCrash(op string) <-chan struct{} {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.crash, tr.fired = op, make(chan struct{})
	return tr.fired
}

func (tr *opTransport) count(op string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.counts[op]
}

// outShop is a shop with two mapped locations, products imported, order
// webhooks on, and the given outbound choices.
type outShop struct {
	shop     *shopifytest.Shop
	dk, de   int64
	settings wmssync.Settings
}

func (o *outHarness) addOutShop(name string, outbound map[wms.EventKind]bool, products ...shopifytest.ProductSpec) outShop {
	o.t.Helper()
	shop, dk, de := o.addShop(name)
	for _, p := range products {
		for i := range p.Variants {
			if p.Variants[i].Stock != nil {
				// Stock given per location index: 0 → dk, 1 → de.
				st := map[int64]int{}
				for k, v := range p.Variants[i].Stock {
					st[[]int64{dk, de}[k]] = v
				}
				p.Variants[i].Stock = st
			}
		}
		_, err := shop.CreateProduct(p)
		require.NoError(o.t, err)
	}
	s := settingsFor(shop, dk, de)
	s.Outbound = outbound
	s = o.save(s)
	o.runSteps(s.Shop, wmssync.StepOutbound, wmssync.StepCustomsCost, wmssync.StepSalesHistory)
	return outShop{shop: shop, dk: dk, de: de, settings: s}
}

func (o *outHarness) available(s outShop, sku string, loc int64) int {
	v, ok := s.shop.VariantBySKU(sku)
	require.True(o.t, ok, "variant %s", sku)
	return s.shop.Quantity(v.InventoryItemID, loc, "available")
}
