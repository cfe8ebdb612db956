package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// The third shop: a WooCommerce store on the simulator, selling a part of
// the Danish catalogue from the same Copenhagen warehouse stock. WooCommerce
// keeps one stock figure per product (no locations), so the store needs no
// location mapping beyond naming its warehouse.
const (
	simWoo  = "demo-woo"
	shopWoo = "DemoWoo"

	// wooWebhookSecret signs the WooCommerce store's deliveries: the
	// connector gives it to the webhooks it creates. A real host keeps one
	// per store in its secret store.
	wooWebhookSecret = "demo-woo-webhook-secret"
)

// wooShop is the WooCommerce part of the demo.
type wooShop struct {
	srv   *wootest.Server
	store *wootest.Store
	skus  []string // the SKUs the store sells, shared with DemoShopDK

	orders  []wooOrder
	packed  map[int64]string // order id -> tracking number
	refunds []wms.Refund
}

// wooOrder is a web order a customer placed in the store during the demo.
type wooOrder struct {
	id      int64
	draft   bool // an abandoned block checkout: never an order for the WMS
	onHold  bool // paid by bank transfer, later
	cancel  bool // cancelled by the customer
	final   string
	tracked string
}

// newWoo starts the simulated WooCommerce and seeds the store with every
// third product of the Danish shop (same SKUs, barcodes as GTINs, prices),
// its stock figure the Copenhagen warehouse's on-hand units.
func (w *world) newWoo() error {
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	w.woo = &wooShop{packed: map[int64]string{}}
	w.woo.srv = wootest.NewServer(
		wootest.WithTimeScale(w.o.TimeScale),
		wootest.WithSeed(w.o.Seed),
		wootest.WithStore(simWoo, wootest.WithSiteName("Demo Woo"), wootest.WithCurrency("DKK"), wootest.WithCountry("DK"),
			wootest.WithTimezone(cph)),
	)
	w.woo.store = w.woo.srv.Store(simWoo)
	for i, p := range w.dk.Products() {
		if i%3 != 0 || p.Status != "ACTIVE" {
			continue
		}
		spec := wootest.ProductSpec{Name: p.Title}
		for _, vid := range p.VariantIDs {
			v, _ := w.dk.Variant(vid)
			it, _ := w.dk.InventoryItem(v.InventoryItemID)
			if it.SKU == "" {
				continue
			}
			spec.Variations = append(spec.Variations, wootest.VariationSpec{
				SKU: it.SKU, GTIN: v.Barcode, Price: v.Price.String(),
				Stock:   int64(w.dk.Quantity(it.ID, w.dkCPH, "on_hand")),
				Options: map[string]string{"Variant": v.Title},
			})
			w.woo.skus = append(w.woo.skus, it.SKU)
		}
		if len(spec.Variations) == 0 {
			continue
		}
		if _, _, err := w.woo.store.CreateProduct(spec); err != nil {
			return fmt.Errorf("seed %s: %w", simWoo, err)
		}
	}
	return nil
}

// wooConnect builds the WooCommerce connector of a store: the host keeps
// its REST API key (here the simulator's).
func (w *world) wooConnect(s wmssync.Settings) (wmssync.Connector, error) {
	ck, cs := w.woo.store.Key()
	cl, err := woocommerce.NewClient(s.AdminURL, woocommerce.WithKeys(ck, cs),
		woocommerce.WithHTTPClient(w.woo.srv.HTTPClient()), // trusts the simulator's certificate
		woocommerce.WithRetryWait(5*time.Millisecond, 250*time.Millisecond),
		woocommerce.WithRate(50, 5), // polite pacing; a real store's host decides what it tolerates
		woocommerce.WithLogger(w.log))
	if err != nil {
		return nil, err
	}
	return wooconnector.New(wooconnector.Config{Client: cl, WebhookAddress: w.wooAddr, WebhookSecret: wooWebhookSecret, Logger: w.log})
}

// wooSource is the webhook source of the store's deliveries.
func wooSource() (*woowebhook.Source, error) { return woowebhook.NewSource(wooWebhookSecret) }

// wooSettings are the store's settings: its one stock figure is the
// Copenhagen warehouse's; stock, GTINs, packed orders and refunds go back
// to it (WooCommerce captures no payments and has no cost prices).
func (w *world) wooSettings() wmssync.Settings {
	return wmssync.Settings{
		System: "woocommerce", Shop: shopWoo, DisplayName: "Demo Woo", Country: "DK",
		AdminURL:  w.woo.srv.StoreURL(simWoo),
		Locations: map[string]string{"": whCPH},
		Outbound: map[wms.EventKind]bool{
			wms.KindStockChanged: true, wms.KindBarcodeChanged: true, wms.KindOrderPacked: true, wms.KindRefundCreated: true,
			wms.KindPaymentCaptured: false, wms.KindPurchaseOrderClosed: false,
		},
		SalesHistorySince: wms.DateOf(time.Now().AddDate(0, 0, 1)), // a new store: no history
	}
}

// injectWooFaults adds what WooCommerce hosts do: 503s and 429s, bot
// challenges, PHP notices before the JSON of requests that ran, resets;
// and webhook deliveries lost (WooCommerce never retries them), delayed
// or sent twice.
func (w *world) injectWooFaults() {
	s := w.woo.srv
	s.InjectFault(wootest.Fault{Kind: wootest.FaultStatus, Status: 503, Rate: 0.03})
	s.InjectFault(wootest.Fault{Kind: wootest.FaultStatus, Status: 429, Rate: 0.02})
	s.InjectFault(wootest.Fault{Kind: wootest.FaultChallenge, Rate: 0.01})
	s.InjectFault(wootest.Fault{Kind: wootest.FaultGarbage, Rate: 0.01})
	s.InjectFault(wootest.Fault{Kind: wootest.FaultReset, Rate: 0.01})
	s.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDrop, Rate: 0.08})
	s.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDuplicate, Rate: 0.05})
	s.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDelay, Delay: 2 * time.Second, Rate: 0.03})
}

// wooCustomers places web orders in the store: most paid at once, some by
// bank transfer (on hold until paid), one cancelled, and two block
// checkouts abandoned as drafts. Only SKUs the warehouse has enough of are
// bought, so every paid order is released.
func (w *world) wooCustomers(ctx context.Context, out io.Writer) error {
	rng := rand.New(rand.NewPCG(w.o.Seed, 0x300c))
	var stocked []string
	for _, sku := range w.woo.skus {
		if w.wms.Level(sku, whCPH).Available() >= 6 {
			stocked = append(stocked, sku)
		}
	}
	if len(stocked) == 0 {
		return fmt.Errorf("%s: no SKU in stock to order", shopWoo)
	}
	n := max(6, w.o.Orders/8)
	for i := range n + 2 {
		o := wooOrder{draft: i >= n, onHold: i%4 == 1, cancel: i == 2}
		status := "processing"
		switch {
		case o.draft:
			status = "checkout-draft"
		case o.onHold:
			status = "on-hold"
		}
		spec := wootest.OrderSpec{Status: status, Email: fmt.Sprintf("woo%04d@example.com", i+1), Shipping: "49.00"}
		used := map[string]bool{}
		for k := 1 + rng.IntN(2); len(spec.Lines) < k; {
			sku := stocked[rng.IntN(len(stocked))]
			if !used[sku] {
				used[sku] = true
				spec.Lines = append(spec.Lines, wootest.OrderLineSpec{SKU: sku, Quantity: int64(1 + rng.IntN(2))})
			}
		}
		id, err := w.woo.store.CreateOrder(spec)
		if err != nil {
			return err
		}
		o.id = id
		w.woo.orders = append(w.woo.orders, o)
	}
	// A second later (WooCommerce's dates have whole seconds): the bank
	// transfers arrive, one customer cancels, the drafts are saved again
	// (the block checkout does, and WooCommerce sends order.updated).
	time.Sleep(1100 * time.Millisecond)
	paid, cancelled := 0, 0
	for _, o := range w.woo.orders {
		var err error
		switch {
		case o.draft:
			err = w.woo.store.TouchOrder(o.id)
		case o.cancel:
			err = w.woo.store.SetOrderStatus(o.id, "cancelled")
			cancelled++
		case o.onHold:
			err = w.woo.store.SetOrderStatus(o.id, "processing")
			paid++
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "  %d web orders in %s (%d paid by bank transfer later, %d cancelled), %d checkouts abandoned as drafts\n",
		n, shopWoo, paid, cancelled, 2)
	return w.waitWoo(ctx, out, "orders", func() []string { return w.wooOrdersMissing(ctx) })
}

// waitWoo waits for the store's deliveries, then until missing returns
// nothing, asking for a reconciliation sweep when deliveries were lost
// (WooCommerce never resends one).
func (w *world) waitWoo(ctx context.Context, out io.Writer, what string, missing func() []string) error {
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	_ = w.woo.srv.WaitWebhooks(wctx)
	cancel()
	deadline := time.Now().Add(60 * time.Second)
	swept := false
	for {
		m := missing()
		if len(m) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %s not in the WMS after a minute, such as %s", shopWoo, what, m[0])
		}
		if !swept && time.Now().After(deadline.Add(-55*time.Second)) {
			if r, err := w.eng.Reconcile(ctx, shopWoo); err == nil && r.OrdersApplied+r.ProductsApplied > 0 {
				fmt.Fprintf(out, "  reconciliation sweep of %s: %d orders and %d products no webhook had brought\n", shopWoo, r.OrdersApplied, r.ProductsApplied)
			}
			swept = true
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// wooOrdersMissing lists the store's orders whose WMS copy does not match.
func (w *world) wooOrdersMissing(ctx context.Context) []string {
	var out []string
	for _, o := range w.woo.orders {
		so, _ := w.woo.store.Order(o.id)
		wo, err := w.wms.Order(ctx, wms.OrderKey{Shop: shopWoo, ExternalID: strconv.FormatInt(o.id, 10)})
		if o.draft {
			if err == nil {
				out = append(out, fmt.Sprintf("draft %d reached the WMS", o.id))
			}
			continue
		}
		if err != nil || !sameWooOrder(so, wo) {
			out = append(out, fmt.Sprintf("order %d (%s)", o.id, so.Status))
		}
	}
	return out
}

// sameWooOrder compares a store order with the WMS's: status (as the
// connector maps it) and units per line.
func sameWooOrder(so wootest.OrderState, wo wms.Order) bool {
	want, _ := wooconnector.StatusOf(so.Status)
	if wo.Status != want && !(want == wms.OrderOpen && wo.Status == "") {
		return false
	}
	units := map[string]int64{}
	for _, l := range so.Lines {
		units[strconv.FormatInt(l.ID, 10)] += l.Quantity
	}
	got := map[string]int64{}
	for _, l := range wo.Lines {
		got[l.ExternalID] += l.Quantity
	}
	return maps.Equal(units, got)
}

// wooOutbound packs the store's released orders but one (the store
// completes them with the tracking in a customer note) and refunds one
// unit of a packed order, back to stock (the store records the refund; the
// unit reaches its stock through the WMS's stock message).
func (w *world) wooOutbound(ctx context.Context, out io.Writer) error {
	var released []wms.Order
	for _, o := range w.woo.orders {
		wo, err := w.wms.Order(ctx, wms.OrderKey{Shop: shopWoo, ExternalID: strconv.FormatInt(o.id, 10)})
		if err == nil && wo.Open() && wo.Stage == wms.StageReleased {
			released = append(released, wo)
		}
	}
	for i, o := range released[:max(0, len(released)-1)] {
		num := fmt.Sprintf("GLS%09d", i+1)
		if err := w.wms.Pack(ctx, o.Key(), &wms.Tracking{Company: "GLS", Number: num, URL: "https://gls.example/track/" + num}); err != nil {
			return fmt.Errorf("pack %s %s: %w", shopWoo, o.ExternalID, err)
		}
		id, _ := strconv.ParseInt(o.ExternalID, 10, 64)
		w.woo.packed[id] = num
	}
	for _, o := range released {
		id, _ := strconv.ParseInt(o.ExternalID, 10, 64)
		if _, ok := w.woo.packed[id]; !ok || len(o.Lines) == 0 {
			continue
		}
		l := o.Lines[0]
		r := wms.Refund{ID: "RMA-WOO-1", Order: o.Key(), Currency: o.Currency, Note: "returned: one unit back on the shelf",
			Lines: []wms.RefundLine{{LineID: l.ExternalID, SKU: l.SKU, Quantity: 1, Amount: l.Price, Restock: true}}, Amount: l.Price}
		if err := w.wms.Refund(ctx, r); err != nil {
			return fmt.Errorf("refund %s %s: %w", shopWoo, o.ExternalID, err)
		}
		w.woo.refunds = append(w.woo.refunds, r)
		break
	}
	fmt.Fprintf(out, "  %s: packed %d orders (completed in the store with the tracking), refunded %d\n", shopWoo, len(w.woo.packed), len(w.woo.refunds))
	return nil
}

// wooRows adds the store's rows to the consistency table.
func (w *world) wooRows(ctx context.Context, t *table, barcodes []string, publishing bool) {
	items := map[string]wms.Item{}
	for _, it := range w.wms.Items() {
		items[it.SKU] = it
	}
	// Products: every variation is listed on its WMS item.
	variants, listed := 0, 0
	for _, p := range w.woo.store.Products() {
		if p.SKU == "" || p.Type == "variable" {
			continue
		}
		variants++
		if it, ok := items[p.SKU]; ok && slices.ContainsFunc(it.Listings, func(l wms.Listing) bool {
			return l.Shop == shopWoo && l.VariantID == strconv.FormatInt(p.ID, 10)
		}) {
			listed++
		}
	}
	wmsListings := 0
	for _, it := range items {
		for _, l := range it.Listings {
			if l.Shop == shopWoo {
				wmsListings++
			}
		}
	}
	t.add(row{check: "products " + shopWoo, shop: fmt.Sprintf("%d variations", variants), wms: fmt.Sprintf("%d listings", wmsListings),
		ok: variants == listed && wmsListings == listed, note: "same SKUs as " + shopDK + ", one stock figure each"})

	// Orders: status as mapped and units per line; drafts stay out.
	placed, wmsN, cancelled, held, diff := 0, 0, 0, 0, 0
	var first string
	for _, o := range w.woo.orders {
		if o.draft {
			continue
		}
		placed++
		so, _ := w.woo.store.Order(o.id)
		if so.Status == "cancelled" {
			cancelled++
		}
		wo, err := w.wms.Order(ctx, wms.OrderKey{Shop: shopWoo, ExternalID: strconv.FormatInt(o.id, 10)})
		if err != nil || !sameWooOrder(so, wo) {
			diff++
			if first == "" {
				first = fmt.Sprintf("%d (%s)", o.id, so.Status)
			}
		}
	}
	for _, o := range w.wms.Orders() {
		if o.Shop == shopWoo {
			wmsN++
			if o.Stage == wms.StageHeld && o.Active() {
				held++
			}
		}
	}
	r := row{check: "orders " + shopWoo, shop: fmt.Sprintf("%d (%d cancelled)", placed, cancelled), wms: fmt.Sprintf("%d orders", wmsN),
		ok: diff == 0 && wmsN == placed, note: fmt.Sprintf("status and lines; 2 drafts kept out; WMS: %d held", held)}
	if diff > 0 {
		r.note = fmt.Sprintf("%d differ, such as %s", diff, first)
	}
	t.add(r)
	if !publishing {
		return
	}

	// Stock: the store's figure is the warehouse's available units where
	// the WMS changed the level, its on-hand units elsewhere.
	touched := map[string]bool{}
	for _, e := range w.wms.Events()[w.eventsFrom:] {
		if sc, ok := e.(wms.StockChanged); ok && sc.Warehouse == whCPH {
			touched[sc.SKU] = true
		}
	}
	n, sdiff, nTouched := 0, 0, 0
	var firstStock string
	for _, sku := range w.woo.skus {
		p, _ := w.woo.store.ProductBySKU(sku)
		l := w.wms.Level(sku, whCPH)
		want := l.OnHand
		if touched[sku] {
			want = l.Available()
			nTouched++
		}
		n++
		if p.Stock != want {
			sdiff++
			if firstStock == "" {
				firstStock = fmt.Sprintf("%s: store %d, WMS %d", sku, p.Stock, want)
			}
		}
	}
	r = row{check: "stock " + shopWoo + " (= " + whCPH + ")", shop: fmt.Sprintf("%d figures", n), wms: fmt.Sprintf("%d levels", n-sdiff), ok: sdiff == 0,
		note: fmt.Sprintf("%d changed by the WMS: available; others on hand", nTouched)}
	if sdiff > 0 {
		r.note = fmt.Sprintf("%d differ, such as %s", sdiff, firstStock)
	}
	t.add(r)

	// GTINs of the SKUs whose barcode the WMS changed.
	gt, gtSame := 0, 0
	for _, sku := range barcodes {
		if p, ok := w.woo.store.ProductBySKU(sku); ok {
			gt++
			if it := items[sku]; it.Barcode == p.GTIN {
				gtSame++
			}
		}
	}
	t.add(row{check: "barcodes " + shopWoo + " (GTIN)", shop: fmt.Sprintf("%d variations", gt), wms: fmt.Sprintf("%d match", gtSame), ok: gt == gtSame,
		note: "of the SKUs the WMS changed"})

	// Packed -> completed with the tracking in a customer note, once.
	completed, tracked := 0, 0
	for id, num := range w.woo.packed {
		so, _ := w.woo.store.Order(id)
		if so.Status == "completed" {
			completed++
		}
		notes := 0
		for _, n := range so.Notes {
			if n.Customer && strings.Contains(n.Text, num) {
				notes++
			}
		}
		if notes == 1 {
			tracked++
		}
	}
	t.add(row{check: "orders packed -> completed " + shopWoo, shop: fmt.Sprintf("%d completed", completed), wms: fmt.Sprintf("%d packed", len(w.woo.packed)),
		ok: completed == len(w.woo.packed) && tracked == len(w.woo.packed), note: fmt.Sprintf("%d with one tracking note", tracked)})

	// Refunds: once, for the amount and units, no money moved by the store.
	same := 0
	for _, r := range w.woo.refunds {
		id, _ := strconv.ParseInt(r.Order.ExternalID, 10, 64)
		so, _ := w.woo.store.Order(id)
		var mine []wootest.RefundState
		for _, sr := range so.Refunds {
			if sr.Meta[wooconnector.MetaRefund] == r.ID {
				mine = append(mine, sr)
			}
		}
		if len(mine) == 1 && wms.Decimal(mine[0].Amount).Cmp(r.Amount) == 0 && !mine[0].PaymentRefunded &&
			len(mine[0].Lines) == len(r.Lines) && mine[0].Lines[0].Quantity == r.Lines[0].Quantity {
			same++
		}
	}
	t.add(row{check: "refunds " + shopWoo, shop: fmt.Sprintf("%d match", same), wms: fmt.Sprintf("%d refunds", len(w.woo.refunds)), ok: same == len(w.woo.refunds),
		note: "once, api_refund=false, units and amount"})
}
