package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

// The third shop: a WooCommerce store selling the shared products from the
// Copenhagen stock (its one stock figure per product is that warehouse's).
// Its own faults are WooCommerce's: deliveries dropped, merged while
// queued and never retried (a delivery that meets a restarting engine is
// lost), hosts answering 503, 429, bot challenges and PHP notices before
// the JSON of requests that ran. Only the reconciliation sweep and the
// webhook audit (which re-activates webhooks WooCommerce disabled after
// seven failures in a row) bring back what those lose.
const (
	simW       = "chaos-woo"
	shopW      = "CHAOS-W"
	wooSecret  = "chaos-woo-webhook-secret"
	wooTopicsN = 8 // product and order webhooks
)

// wooPlaced is an order the scenario placed in the WooCommerce store.
type wooPlaced struct {
	id       int64
	status   string // as placed: processing or on-hold
	paidLate bool   // on-hold, then paid
}

func (p wooPlaced) key() wms.OrderKey {
	return wms.OrderKey{Shop: shopW, ExternalID: strconv.FormatInt(p.id, 10)}
}

// newWoo starts the simulated WooCommerce of a world.
func (w *world) newWoo() {
	w.woo = wootest.NewServer(wootest.WithClock(w.now), wootest.WithSeed(w.seed),
		wootest.WithStore(simW, wootest.WithCurrency("DKK"), wootest.WithDeliveryDelay(50*time.Millisecond),
			wootest.WithDeliveryTimeout(2*time.Second)))
	w.t.Cleanup(w.woo.Close)
	w.ws = w.woo.Store(simW)
}

// wooConnect builds the WooCommerce connector (the host keeps the key).
func (w *world) wooConnect(s wmssync.Settings) (wmssync.Connector, error) {
	ck, cs := w.ws.Key()
	cl, err := woocommerce.NewClient(s.AdminURL, woocommerce.WithKeys(ck, cs), woocommerce.WithHTTPClient(w.woo.HTTPClient()),
		woocommerce.WithRetryWait(time.Millisecond, 20*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return wooconnector.New(wooconnector.Config{Client: cl, WebhookAddress: w.wooAddr, WebhookSecret: wooSecret})
}

// wooSettings: the store's one stock figure is the Copenhagen warehouse's;
// stock, barcodes, packed orders and refunds go back to it.
func (w *world) wooSettings() wmssync.Settings {
	return wmssync.Settings{System: "woocommerce", Shop: shopW, AdminURL: w.woo.StoreURL(simW), Country: "DK",
		Locations: map[string]string{"": whCPH},
		Outbound: map[wms.EventKind]bool{wms.KindStockChanged: true, wms.KindBarcodeChanged: true, wms.KindOrderPacked: true,
			wms.KindRefundCreated: true, wms.KindPaymentCaptured: false, wms.KindPurchaseOrderClosed: false}}
}

// wooFaults turns the store's faults on; the returned function turns them
// off.
func (s *scenario) wooFaults() (off func()) {
	w, r := s.w, s.rng
	rate := func(lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
	w.woo.InjectFault(wootest.Fault{Kind: wootest.FaultStatus, Status: 503, Rate: rate(0.03, 0.06)})
	w.woo.InjectFault(wootest.Fault{Kind: wootest.FaultStatus, Status: 429, Rate: rate(0.02, 0.04)})
	w.woo.InjectFault(wootest.Fault{Kind: wootest.FaultChallenge, Rate: rate(0.01, 0.03)})
	w.woo.InjectFault(wootest.Fault{Kind: wootest.FaultGarbage, Rate: rate(0.01, 0.03)})
	w.woo.InjectFault(wootest.Fault{Kind: wootest.FaultReset, Rate: rate(0.01, 0.03)})
	w.woo.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDrop, Rate: rate(0.05, 0.12)})
	w.woo.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDuplicate, Rate: rate(0.03, 0.08)})
	w.woo.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDelay, Rate: rate(0.03, 0.08),
		Delay: time.Duration(100+r.IntN(400)) * time.Millisecond})
	// The host's endpoint refuses some of WooCommerce's deliveries (a
	// proxy's 502, say): WooCommerce counts a failure and never sends
	// them again.
	w.setWooRefusals(rate(0.05, 0.15))
	return func() {
		w.setWooRefusals(0)
		w.woo.ClearFaults()
	}
}

// setWooRefusals sets the rate at which the webhook endpoint answers 502
// to WooCommerce deliveries.
func (w *world) setWooRefusals(rate float64) {
	w.wooMu.Lock()
	defer w.wooMu.Unlock()
	w.wooRefuse = rate
	if w.wooRng == nil {
		w.wooRng = rand.New(rand.NewPCG(w.seed, 0x502))
	}
}

// refuseWoo reports whether the endpoint refuses this WooCommerce delivery.
func (w *world) refuseWoo(r *http.Request) bool {
	if r.Header.Get(woocommerce.HeaderWebhookTopic) == "" {
		return false
	}
	w.wooMu.Lock()
	defer w.wooMu.Unlock()
	return w.wooRefuse > 0 && w.wooRng.Float64() < w.wooRefuse
}

// wooCatalogue lists a shared product in the store as a variable product
// with the same SKUs and the Copenhagen stock.
func (s *scenario) wooCatalogue(title string, skus []string, stock []int, barcodes []string) {
	spec := wootest.ProductSpec{Name: title}
	for i, sku := range skus {
		spec.Variations = append(spec.Variations, wootest.VariationSpec{SKU: sku, GTIN: barcodes[i], Price: "19.00",
			Stock: int64(stock[i]), Options: map[string]string{"Variant": fmt.Sprintf("V%d", i)}})
		s.wooSKUs = append(s.wooSKUs, sku)
	}
	_, _, err := s.w.ws.CreateProduct(spec)
	require.NoError(s.w.t, err)
}

// placeWooOrder places a web order in the store, buying only what it
// shows in stock: mostly paid at once, some on hold (bank transfer) and
// paid a little later.
func (s *scenario) placeWooOrder(i int) {
	w := s.w
	var lines []wootest.OrderLineSpec
	picked := map[string]bool{}
	for range 1 + s.rng.IntN(2) {
		sku := s.wooSKUs[s.rng.IntN(len(s.wooSKUs))]
		p, _ := w.ws.ProductBySKU(sku)
		if picked[sku] || p.Stock < 1 {
			continue
		}
		picked[sku] = true
		lines = append(lines, wootest.OrderLineSpec{SKU: sku, Quantity: int64(1 + s.rng.IntN(int(min(2, p.Stock))))})
	}
	if len(lines) == 0 {
		return // sold out
	}
	p := wooPlaced{status: "processing"}
	if s.rng.IntN(4) == 0 {
		p.status, p.paidLate = "on-hold", true
	}
	id, err := w.ws.CreateOrder(wootest.OrderSpec{Status: p.status, Email: fmt.Sprintf("woo%d@example.com", i), Lines: lines})
	require.NoError(w.t, err)
	p.id = id
	s.wooOrders = append(s.wooOrders, p)
	s.byKey[p.key()] = -1 // ours; not in s.orders (a Shopify list)
}

// payWooLate pays the on-hold orders (the bank transfers arrive).
func (s *scenario) payWooLate() {
	for _, p := range s.wooOrders {
		if p.paidLate {
			if st, _ := s.w.ws.Order(p.id); st.Status == "on-hold" {
				require.NoError(s.w.t, s.w.ws.SetOrderStatus(p.id, "processing"))
			}
		}
	}
}

// wooQuiesce waits for the store's deliveries and runs its audit and
// sweep, as quiesce does for the Shopify shops.
func (s *scenario) wooQuiesce(ctx context.Context) {
	w := s.w
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	require.NoError(w.t, w.woo.WaitWebhooks(wctx), "WooCommerce webhooks not delivered")
	w.retry("webhook audit "+shopW, time.Minute, func(p *process) error {
		_, err := p.eng.AuditWebhooks(p.ctx, shopW)
		return err
	})
	w.retry("reconcile "+shopW, time.Minute, func(p *process) error {
		res, err := p.eng.Reconcile(p.ctx, shopW)
		if err == nil && res.Skipped {
			return errSkipped
		}
		return err
	})
}

// wooDeliveries counts what the store sent, to tell when it is quiet.
func (w *world) wooDeliveries() int64 {
	c := w.ws.Counters()
	return c.Deliveries + c.Dropped + c.Pings
}

// checkWoo: every store order is in the WMS exactly once with the store's
// lines at Copenhagen and its status (paid late: open), no draft or other
// order is; with the outbox, the store's stock figure is the warehouse's
// available units, each packed order is completed (or refunded in full)
// with exactly one tracking note, each WMS refund is in the store exactly once, and the
// WMS's barcodes are the store's GTINs; every store webhook is active.
func (s *scenario) checkWoo(ctx context.Context) {
	w, t := s.w, s.w.t
	for _, p := range s.wooOrders {
		so, ok := w.ws.Order(p.id)
		require.True(t, ok)
		wo, err := w.wms.Order(ctx, p.key())
		if !assert.NoError(t, err, "WooCommerce order %d (%s) lost", p.id, so.Status) {
			continue
		}
		assert.Equal(t, whCPH, warehouseOf(wo), "order %d warehouse", p.id)
		want, _ := wooconnector.StatusOf(so.Status)
		if wo.Status != want && !(want == wms.OrderOpen && wo.Status == "") {
			t.Errorf("order %d: store %s, WMS %s", p.id, so.Status, wo.Status)
		}
		if s.refunds[p.key()] == 0 {
			wantL, got := map[string]int64{}, map[string]int64{}
			for _, l := range so.Lines {
				wantL[l.SKU] += l.Quantity
			}
			for _, l := range wo.Lines {
				got[l.SKU] += l.Quantity
			}
			assert.Equal(t, wantL, got, "order %d lines", p.id)
		}
		if !w.outbox {
			continue
		}
		if wo.Stage == wms.StagePacked {
			// Completed; or refunded, when the WMS's refunds came to the
			// order's total (WooCommerce then says so).
			assert.Contains(t, []string{"completed", "refunded"}, so.Status, "packed order %d", p.id)
			notes := 0
			for _, n := range so.Notes {
				if n.Customer && strings.HasPrefix(n.Text, "Shipped:") {
					notes++
				}
			}
			assert.Equal(t, 1, notes, "packed order %d: one shipment note", p.id)
		} else {
			assert.NotEqual(t, "completed", so.Status, "order %d completed but not packed (%s)", p.id, wo.Stage)
		}
		mine := 0
		for _, r := range so.Refunds {
			if r.Meta[wooconnector.MetaRefund] != nil {
				mine++
				assert.False(t, r.PaymentRefunded, "order %d: the refund moved money", p.id)
			}
		}
		assert.Equal(t, s.refunds[p.key()], mine, "order %d: refunds", p.id)
	}
	ours := 0
	for _, o := range w.wms.Orders() {
		if o.Shop == shopW {
			ours++
		}
	}
	assert.Equal(t, len(s.wooOrders), ours, "WooCommerce orders in the store vs the WMS")
	for _, wh := range w.ws.Webhooks() {
		assert.Equal(t, "active", wh.Status, "webhook %s", wh.Topic)
	}
	assert.Len(t, w.ws.Webhooks(), wooTopicsN, "no webhook created twice")
	if !w.outbox {
		return
	}
	differ := 0
	for _, sku := range s.wooSKUs {
		p, _ := w.ws.ProductBySKU(sku)
		if wmsQ := w.wms.Level(sku, whCPH).Available(); p.Stock != wmsQ {
			differ++
			t.Errorf("stock of %s in the WooCommerce store %d, WMS available %d", sku, p.Stock, wmsQ)
		}
	}
	t.Logf("WooCommerce stock: %d figures compared, %d differ", len(s.wooSKUs), differ)
	for _, sku := range s.barcodes {
		it, err := w.wms.Item(ctx, sku)
		require.NoError(t, err)
		if p, ok := w.ws.ProductBySKU(sku); ok {
			assert.Equal(t, it.Barcode, p.GTIN, "GTIN of %s in the WooCommerce store", sku)
		}
	}
}

// wooSummary describes the store's part of a run.
func (s *scenario) wooSummary() string {
	c := s.w.ws.Counters()
	late := 0
	for _, p := range s.wooOrders {
		if p.paidLate {
			late++
		}
	}
	return fmt.Sprintf("WooCommerce: %d orders (%d paid late), %d deliveries, %d lost, %d merged while queued, %d failed and never retried, %d webhooks disabled, %d HTTP faults",
		len(s.wooOrders), late, c.Deliveries, c.Dropped, c.Merged, c.DeliveryFailures, c.Disabled, c.Faults)
}
