package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// publisher is the engine's outbound entry point: the host publishes each
// warehouse event, the engine keeps it in its outbox and sends it to the
// shops that chose it. The demo finds it by type assertion so that it also
// builds against an engine without an outbox.
type publisher interface {
	Publish(ctx context.Context, e wms.Event) error
}

// outboundResult is what the outbound part did, for the consistency table.
type outboundResult struct {
	available bool
	barcodes  []string // SKUs whose barcode the warehouse changed
	costSKUs  []string // SKUs on closed purchase orders
}

// startPublishing pushes the WMS's stock to the shops once (the warehouse
// is the master of stock from now on: each mapped location gets the
// warehouse's available units) and then wires every event of the
// reference WMS into the engine's outbox. It returns false, and does
// nothing, when the engine or the store has no outbox.
func (w *world) startPublishing(ctx context.Context, out io.Writer) (bool, error) {
	p, ok := any(w.eng).(publisher)
	if !ok {
		return false, nil
	}
	now := time.Now()
	n := 0
	for _, it := range w.wms.Items() {
		for _, wh := range []string{whCPH, whAAR, whStore} {
			l := w.wms.Level(it.SKU, wh)
			err := p.Publish(ctx, wms.StockChanged{
				EventInfo: wms.EventInfo{ID: "demo-stock-push-" + it.SKU + "@" + wh, Time: now},
				SKU:       it.SKU, Warehouse: wh, OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available(),
			})
			if errors.Is(err, wmssync.ErrNoOutbox) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			n++
		}
	}
	w.wms.OnEvent(func(e wms.Event) {
		if err := p.Publish(ctx, e); err != nil && ctx.Err() == nil {
			w.log.Error("publish", "event", e.Info().ID, "kind", e.Kind(), "error", err)
		}
	})
	started := time.Now()
	if err := w.waitOutbound(ctx, func() bool { return len(w.checkAvailable().differs) == 0 }); err != nil {
		return true, fmt.Errorf("initial stock push: %w (%s)", err, w.checkAvailable().verdict())
	}
	st := w.eng.OutboundStats()
	fmt.Fprintf(out, "  the WMS pushed its stock to both shops: %d levels published, %d inventorySetQuantities calls carrying %d levels, in %s\n",
		n, st.StockCalls, st.StockLevels, time.Since(started).Round(time.Millisecond))
	return true, nil
}

// waitOutbound waits until done reports true, up to a minute.
func (w *world) waitOutbound(ctx context.Context, done func() bool) error {
	deadline := time.Now().Add(60 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			st := w.eng.OutboundStats()
			return fmt.Errorf("outbound messages not delivered after a minute (%d published, %d delivered, %d retried, %d dead-lettered; see the log)",
				st.Published, st.Delivered, st.Retried, st.DeadLettered)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil
}

// outbound plays the warehouse's side of the outbound messages
// (S14-S20): it packs the released orders (the shop fulfils and captures),
// captures one payment by itself, changes some barcodes, closes the
// purchase orders (new average costs) and makes refunds, then waits until
// the shops show all of it.
func (w *world) outbound(ctx context.Context, cs *customerRun, out io.Writer) (outboundResult, error) {
	if !w.publishing {
		fmt.Fprintln(out, "  outbound messages are PENDING issue 7 (no Engine.Publish or no outbox in the store): stock, EAN, fulfilment,")
		fmt.Fprintln(out, "  capture, average cost and refund messages are not sent, and their rows are not compared.")
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

	// New barcodes for three SKUs (a supplier changed its EANs, S15).
	items := w.wms.Items()
	for i := 0; i < 3 && i < len(items); i++ {
		sku := items[len(items)-1-i].SKU
		if err := w.wms.SetBarcode(ctx, sku, shopifytest.EAN13(590_000_000_000+int64(i))); err != nil {
			return res, err
		}
		res.barcodes = append(res.barcodes, sku)
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
	// Refunds from the returns system (S20): a whole packed order returned
	// into stock, and one unit of another refunded without a return.
	refunds := 0
	for _, o := range w.wms.Orders() {
		if refunds == 2 {
			break
		}
		if o.Stage != wms.StagePacked || len(o.Lines) == 0 {
			continue
		}
		r := wms.Refund{ID: fmt.Sprintf("RMA-%d", refunds+1), Order: o.Key(), Currency: o.Currency}
		if refunds == 0 {
			r.Note = "returned: wrong size"
			total := wms.Decimal("0")
			for _, l := range o.Lines {
				amt := l.Price.MulInt(l.Quantity)
				r.Lines = append(r.Lines, wms.RefundLine{LineID: l.ExternalID, SKU: l.SKU, Quantity: l.Quantity, Restock: true, Amount: amt})
				total = total.Add(amt)
			}
			r.Amount = total
		} else {
			r.Note = "damaged in transit: one unit refunded, not returned"
			l := o.Lines[0]
			r.Lines = []wms.RefundLine{{LineID: l.ExternalID, SKU: l.SKU, Quantity: 1, Amount: l.Price}}
			r.Amount = l.Price
		}
		if err := w.wms.Refund(ctx, r); err != nil {
			return res, fmt.Errorf("refund %s: %w", o.ExternalID, err)
		}
		refunds++
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

// checkAvailable compares each SKU's available units at each mapped shop
// location with the warehouse's available units (on hand less reserved),
// which the outbound stock messages set (S14).
func (w *world) checkAvailable() stockCheck {
	var sc stockCheck
	for _, m := range w.mappings() {
		for _, p := range m.shop.Products() {
			for _, vid := range p.VariantIDs {
				v, _ := m.shop.Variant(vid)
				it, _ := m.shop.InventoryItem(v.InventoryItemID)
				shopQ := int64(m.shop.Quantity(it.ID, m.loc, "available"))
				wmsQ := w.wms.Level(it.SKU, m.wh).Available()
				sc.n++
				if shopQ != wmsQ {
					sc.differs = append(sc.differs, fmt.Sprintf("%s at %s: shop %d, WMS %d", it.SKU, m.wh, shopQ, wmsQ))
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
			t.add(row{check: c, shop: "-", wms: "-", skipped: true, note: "not compared: outbound pending issue 7"})
		}
		return
	}
	sc := w.checkAvailable()
	t.add(row{check: "stock per location, now (S14)", shop: fmt.Sprintf("%d levels", sc.n), wms: fmt.Sprintf("%d levels", sc.n-len(sc.differs)),
		ok: len(sc.differs) == 0, note: "available; " + sc.verdict()})

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
			packed[e.Order] = ""
			if e.Tracking != nil {
				packed[e.Order] = e.Tracking.Number
			}
		case wms.PaymentCaptured:
			capturedWMS[e.Order] = true
		case wms.RefundCreated:
			refunds = append(refunds, e.Refund)
		}
	}
	fulfilled, tracked, shopCaptured, wmsCaptured := map[wms.OrderKey]bool{}, 0, 0, 0
	captureDiff := 0
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
		}
	}
	packedKeys := map[wms.OrderKey]bool{}
	for k := range packed {
		packedKeys[k] = true
	}
	t.add(row{check: "orders packed -> fulfilled (S16)", shop: fmt.Sprintf("%d fulfilled", len(fulfilled)), wms: fmt.Sprintf("%d packed", len(packed)),
		ok: maps.Equal(fulfilled, packedKeys) && tracked == len(packed), note: fmt.Sprintf("%d with the WMS's tracking number", tracked)})
	t.add(row{check: "payments captured (S16, S17)", shop: fmt.Sprintf("%d captured", shopCaptured), wms: fmt.Sprintf("%d captured", wmsCaptured),
		ok: captureDiff == 0, note: "authorised orders: packed or captured in the WMS"})

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
