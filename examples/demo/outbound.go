package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// outboundResult is what the outbound part did, for the consistency table.
type outboundResult struct {
	available bool
	barcodes  []string // SKUs whose barcode the warehouse changed
	costSKUs  []string // SKUs on closed purchase orders
}

// startPublishing wires every event of the reference WMS into the
// engine's outbox. It returns false, and does nothing, when the store has
// no outbox. Stock changes from here on go to the shops as
// available units (on hand less reserved) at the mapped locations (S14);
// levels the warehouse does not change keep the figures of the import.
func (w *world) startPublishing(ctx context.Context, out io.Writer) bool {
	if _, ok := any(w.store).(wmssync.OutboxStore); !ok {
		return false // Publish would return ErrNoOutbox
	}
	w.eventsFrom = len(w.wms.Events())
	w.wms.OnEvent(func(e wms.Event) {
		// The host's side of S13-S20: tell the engine; its outbox does
		// the rest (durably, retried, in order per order and item).
		if err := w.eng.Publish(ctx, e); err != nil && ctx.Err() == nil {
			w.log.Error("publish", "event", e.Info().ID, "kind", e.Kind(), "error", err)
		}
	})
	fmt.Fprintln(out, "  warehouse events now go to the engine's outbox (Engine.Publish), which sends them to the shops")
	return true
}

// waitOutbound waits until done reports true, up to three minutes.
func (w *world) waitOutbound(ctx context.Context, done func() bool) error {
	deadline := time.Now().Add(3 * time.Minute)
	for {
		start := time.Now()
		if done() {
			return nil
		}
		if time.Now().After(deadline) {
			st := w.eng.OutboundStats()
			return fmt.Errorf("outbound messages not delivered after three minutes (%d published, %d delivered, %d retried, %d dead-lettered; see the log)",
				st.Published, st.Delivered, st.Retried, st.DeadLettered)
		}
		// Comparing every level takes a while on big shops: look again
		// after twice that, at least every half second.
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(max(500*time.Millisecond, 2*time.Since(start))):
		}
	}
}

// outbound plays the warehouse's side of the outbound messages
// (S14-S20): it packs the released orders (the shop fulfils and captures),
// captures one payment by itself, changes some barcodes, closes the
// purchase orders (new average costs) and makes refunds, then waits until
// the shops show all of it.
func (w *world) outbound(ctx context.Context, cs *customerRun, out io.Writer) (outboundResult, error) {
	if !w.publishing {
		fmt.Fprintln(out, "  outbound messages are NOT SENT: the store has no outbox (sync.OutboxStore), so stock, EAN, fulfilment,")
		fmt.Fprintln(out, "  capture, average cost and refund messages stay out, and their rows are not compared.")
		return outboundResult{}, nil
	}
	res := outboundResult{available: true}
	started := time.Now()

	// Pack every released order but the last three; capture the payment
	// of one of those by itself (S17).
	var released []wms.Order
	for _, p := range cs.orders {
		o, err := w.wms.Order(ctx, p.key())
		if err == nil && o.Open() && o.Stage == wms.StageReleased {
			released = append(released, o)
		}
	}
	keep := min(3, len(released))
	for i, o := range released[:len(released)-keep] {
		tr := &wms.Tracking{Company: "PostNord", Number: fmt.Sprintf("00370712345%06d", i+1), URL: fmt.Sprintf("https://tracking.example/00370712345%06d", i+1)}
		if err := w.wms.Pack(ctx, o.Key(), tr); err != nil {
			return res, fmt.Errorf("pack %s: %w", o.ExternalID, err)
		}
	}
	captured := 0
	for _, o := range released[len(released)-keep:] {
		if p := cs.byKey(o.Key()); p != nil && p.authorized && o.Total != "" && captured == 0 {
			if err := w.wms.CapturePayment(ctx, o.Key(), o.Total); err != nil {
				return res, fmt.Errorf("capture %s: %w", o.ExternalID, err)
			}
			captured++
		}
	}
	fmt.Fprintf(out, "  packed %d orders with tracking numbers; captured the payment of %d more order by itself\n", len(released)-keep, captured)

	// New barcodes for three SKUs of three products (a supplier changed
	// its EANs, S15).
	items := w.wms.Items()
	seen := map[string]bool{}
	for i := len(items) - 1; i >= 0 && len(res.barcodes) < 3; i-- {
		it := items[i]
		if len(it.Listings) == 0 || seen[it.Listings[0].ProductID] {
			continue
		}
		seen[it.Listings[0].ProductID] = true
		if err := w.wms.SetBarcode(ctx, it.SKU, shopifytest.EAN13(590_000_000_000+int64(len(res.barcodes)))); err != nil {
			return res, err
		}
		res.barcodes = append(res.barcodes, it.SKU)
	}
	// Close the purchase orders: new weighted average costs (S18, S19).
	for _, id := range w.received {
		if err := w.wms.ClosePurchaseOrder(ctx, id); err != nil {
			return res, err
		}
		po, _ := w.wms.PurchaseOrder(ctx, id)
		for _, l := range po.Lines {
			res.costSKUs = append(res.costSKUs, l.SKU)
		}
	}
	// Refunds from the returns system (S20): a whole packed order refunded
	// without goods coming back, and one unit of another returned to stock.
	// The returned unit reaches the shops through the warehouse's stock
	// message; the refund itself does not restock in a shop that receives
	// stock messages, so the unit is not counted twice.
	refunds := 0
	for _, o := range w.wms.Orders() {
		if refunds == 2 {
			break
		}
		if o.Stage != wms.StagePacked || len(o.Lines) == 0 || (o.Shop != shopDK && o.Shop != shopUK) {
			continue
		}
		r := wms.Refund{ID: fmt.Sprintf("RMA-%d", refunds+1), Order: o.Key(), Currency: o.Currency}
		if refunds == 0 {
			r.Note = "not delivered: refunded in full"
			total := wms.Decimal("0")
			for _, l := range o.Lines {
				amt := l.Price.MulInt(l.Quantity)
				r.Lines = append(r.Lines, wms.RefundLine{LineID: l.ExternalID, SKU: l.SKU, Quantity: l.Quantity, Amount: amt})
				total = total.Add(amt)
			}
			r.Amount = total
		} else {
			r.Note = "returned: one unit refunded and back on the shelf"
			l := o.Lines[0]
			r.Lines = []wms.RefundLine{{LineID: l.ExternalID, SKU: l.SKU, Quantity: 1, Amount: l.Price, Restock: true}}
			r.Amount = l.Price
		}
		if err := w.wms.Refund(ctx, r); err != nil {
			return res, fmt.Errorf("refund %s: %w", o.ExternalID, err)
		}
		refunds++
		var what []string
		for _, l := range r.Lines {
			s := fmt.Sprintf("%d x %s", l.Quantity, l.SKU)
			if l.Restock {
				s += " back to stock"
			}
			what = append(what, s)
		}
		fmt.Fprintf(out, "  refund %s of %s %s: %s %s (%s)\n", r.ID, o.Shop, o.Name, r.Amount, o.Currency, strings.Join(what, ", "))
	}
	fmt.Fprintf(out, "  changed %d barcodes, closed %d purchase orders (average costs of %d SKUs), made %d refunds\n",
		len(res.barcodes), len(w.received), len(res.costSKUs), refunds)

	err := w.waitOutbound(ctx, func() bool {
		t := &table{}
		res.rows(ctx, w, cs, t)
		return t.ok()
	})
	st := w.eng.OutboundStats()
	fmt.Fprintf(out, "  outbox: %d events published, %d messages to shops and listeners, %d delivered, %d stock messages coalesced into %d calls, %d retried, %d dead letters (%s)\n",
		st.Published, st.FannedOut, st.Delivered, st.Coalesced, st.StockCalls, st.Retried, st.DeadLettered, time.Since(started).Round(time.Millisecond))
	if err != nil {
		fmt.Fprintf(out, "  %v\n", err)
	}
	return res, nil
}

// checkStockNow compares the stock of each SKU at each mapped shop
// location with the warehouse: the available units (on hand less
// reserved) where the warehouse changed the level since it started
// publishing, which the outbound stock messages set (S14); the on-hand
// units elsewhere, as the import left them.
func (w *world) checkStockNow() stockCheck {
	touched := map[string]bool{}
	for _, e := range w.wms.Events()[w.eventsFrom:] {
		if sc, ok := e.(wms.StockChanged); ok {
			touched[sc.SKU+"@"+sc.Warehouse] = true
		}
	}
	var sc stockCheck
	for _, m := range w.mappings() {
		for _, p := range m.shop.Products() {
			for _, vid := range p.VariantIDs {
				v, _ := m.shop.Variant(vid)
				it, _ := m.shop.InventoryItem(v.InventoryItemID)
				l := w.wms.Level(it.SKU, m.wh)
				name, wmsQ := "on_hand", l.OnHand
				if touched[it.SKU+"@"+m.wh] {
					name, wmsQ = "available", l.Available()
					sc.touched++
				}
				shopQ := int64(m.shop.Quantity(it.ID, m.loc, name))
				sc.n++
				if shopQ != wmsQ {
					sc.differs = append(sc.differs, fmt.Sprintf("%s at %s: shop %s %d, WMS %d", it.SKU, m.wh, name, shopQ, wmsQ))
				}
			}
		}
	}
	return sc
}

// rows adds the outbound rows to the consistency table.
func (ob outboundResult) rows(ctx context.Context, w *world, cs *customerRun, t *table) {
	if !ob.available {
		for _, c := range []string{"stock per location, now (S14)", "barcodes (S15)", "fulfilments (S16)", "captures (S16, S17)", "average costs (S18)", "refunds (S20)"} {
			t.add(row{check: c, shop: "-", wms: "-", skipped: true, note: "not compared: no outbox in the store"})
		}
		return
	}
	sc := w.checkStockNow()
	t.add(row{check: "stock per location, now (S14)", shop: fmt.Sprintf("%d levels", sc.n), wms: fmt.Sprintf("%d levels", sc.n-len(sc.differs)),
		ok: len(sc.differs) == 0, note: fmt.Sprintf("%d changed by the WMS: available; others on hand; %s", sc.touched, sc.verdict())})

	// Barcodes: every listing of a changed SKU shows the WMS's barcode.
	listings, same := 0, 0
	for _, sku := range ob.barcodes {
		it, _ := w.wms.Item(ctx, sku)
		for _, sim := range []*shopifytest.Shop{w.dk, w.uk} {
			if v, ok := sim.VariantBySKU(sku); ok {
				listings++
				if v.Barcode == it.Barcode {
					same++
				}
			}
		}
	}
	t.add(row{check: "barcodes changed in the WMS (S15)", shop: fmt.Sprintf("%d variants", listings), wms: fmt.Sprintf("%d match", same), ok: listings == same && listings > 0,
		note: fmt.Sprintf("%d SKUs, every shop listing", len(ob.barcodes))})

	// Fulfilments and captures, per order placed during the demo.
	packed, capturedWMS := map[wms.OrderKey]string{}, map[wms.OrderKey]bool{}
	var refunds []wms.Refund
	for _, e := range w.wms.Events() {
		switch e := e.(type) {
		case wms.OrderPacked:
			if e.Order.Shop == shopWoo {
				continue // the WooCommerce store's packed orders have their own row
			}
			packed[e.Order] = ""
			if e.Tracking != nil {
				packed[e.Order] = e.Tracking.Number
			}
		case wms.PaymentCaptured:
			capturedWMS[e.Order] = true
		case wms.RefundCreated:
			if e.Refund.Order.Shop != shopWoo { // the WooCommerce store's have their own row
				refunds = append(refunds, e.Refund)
			}
		}
	}
	fulfilled, tracked, shopCaptured, wmsCaptured := map[wms.OrderKey]bool{}, 0, 0, 0
	captureDiff, firstCapture := 0, ""
	for _, p := range cs.orders {
		so, _ := p.sim.Order(p.id)
		if p.sim.OrderFulfillmentStatus(p.id) == "FULFILLED" {
			fulfilled[p.key()] = true
			if num, ok := packed[p.key()]; ok {
				for _, fid := range so.FulfillmentIDs {
					f, _ := p.sim.Fulfillment(fid)
					if len(f.Tracking) > 0 && f.Tracking[0].Number == num {
						tracked++
						break
					}
				}
			}
		}
		if !p.authorized {
			continue
		}
		_, wasPacked := packed[p.key()]
		want := wasPacked || capturedWMS[p.key()]
		got := slices.ContainsFunc(so.Transactions, func(tx shopifytest.Transaction) bool { return tx.Kind == "CAPTURE" && tx.Status == "SUCCESS" })
		if want {
			wmsCaptured++
		}
		if got {
			shopCaptured++
		}
		if want != got {
			captureDiff++
			if firstCapture == "" {
				firstCapture = fmt.Sprintf("%s %s: WMS %v, shop %v (%s)", p.shop, so.Name, want, got, so.FinancialStatus())
			}
		}
	}
	packedKeys := map[wms.OrderKey]bool{}
	for k := range packed {
		packedKeys[k] = true
	}
	t.add(row{check: "orders packed -> fulfilled (S16)", shop: fmt.Sprintf("%d fulfilled", len(fulfilled)), wms: fmt.Sprintf("%d packed", len(packed)),
		ok: maps.Equal(fulfilled, packedKeys) && tracked == len(packed), note: fmt.Sprintf("%d with the WMS's tracking number", tracked)})
	r := row{check: "payments captured (S16, S17)", shop: fmt.Sprintf("%d captured", shopCaptured), wms: fmt.Sprintf("%d captured", wmsCaptured),
		ok: captureDiff == 0, note: "authorised orders: packed or captured in the WMS"}
	if captureDiff > 0 {
		r.note = fmt.Sprintf("%d differ, such as %s", captureDiff, firstCapture)
	}
	t.add(r)

	// Average costs: the shop's unit cost of each SKU on a closed purchase
	// order is the WMS's new average cost, in every shop listing it.
	costs, costSame := 0, 0
	for _, sku := range ob.costSKUs {
		it, _ := w.wms.Item(ctx, sku)
		for _, sim := range []*shopifytest.Shop{w.dk, w.uk} {
			if v, ok := sim.VariantBySKU(sku); ok {
				inv, _ := sim.InventoryItem(v.InventoryItemID)
				costs++
				if sameDecimal(it.Cost, inv.UnitCost) {
					costSame++
				}
			}
		}
	}
	t.add(row{check: "average costs (S18)", shop: fmt.Sprintf("%d items", costs), wms: fmt.Sprintf("%d match", costSame), ok: costs == costSame,
		note: fmt.Sprintf("%d SKUs on closed purchase orders", len(ob.costSKUs))})

	// Refunds: each WMS refund is on the shop's order with the same units
	// per line and the same amount refunded.
	refundSame := 0
	for _, r := range refunds {
		p := cs.byKey(r.Order)
		if p == nil {
			continue
		}
		so, _ := p.sim.Order(p.id)
		units := map[string]int64{}
		for _, rid := range so.RefundIDs {
			sr, _ := p.sim.Refund(rid)
			for _, l := range sr.LineItems {
				units[shopify.GID("LineItem", l.LineItemID)] += int64(l.Quantity)
			}
		}
		want := map[string]int64{}
		for _, l := range r.Lines {
			want[l.LineID] += l.Quantity
		}
		refunded := shopify.Decimal("0")
		for _, tx := range so.Transactions {
			if tx.Kind == "REFUND" && tx.Status == "SUCCESS" {
				refunded = refunded.Add(tx.Amount)
			}
		}
		if maps.Equal(units, want) && refunded.Cmp(shopify.Decimal(r.Amount)) == 0 {
			refundSame++
		}
	}
	t.add(row{check: "refunds (S20)", shop: fmt.Sprintf("%d match", refundSame), wms: fmt.Sprintf("%d refunds", len(refunds)), ok: refundSame == len(refunds),
		note: "units per line and amount"})
}
