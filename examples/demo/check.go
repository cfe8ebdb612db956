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

// row is one line of the consistency table: what the shops hold, what the
// WMS holds, and whether they agree. Skipped rows are printed but not
// compared.
type row struct {
	check   string
	shop    string
	wms     string
	ok      bool
	skipped bool
	note    string
}

type table struct{ rows []row }

func (t *table) add(r row) { t.rows = append(t.rows, r) }

func (t *table) ok() bool {
	for _, r := range t.rows {
		if !r.skipped && !r.ok {
			return false
		}
	}
	return true
}

func (t *table) print(out io.Writer) {
	w1, w2, w3 := len("check"), len("shops"), len("WMS")
	for _, r := range t.rows {
		w1, w2, w3 = max(w1, len(r.check)), max(w2, len(r.shop)), max(w3, len(r.wms))
	}
	line := func(a, b, c, d, e string) {
		fmt.Fprintf(out, "  %-*s  %*s  %*s  %-8s %s\n", w1, a, w2, b, w3, c, d, e)
	}
	line("check", "shops", "WMS", "result", "")
	line(strings.Repeat("-", w1), strings.Repeat("-", w2), strings.Repeat("-", w3), "--------", "")
	for _, r := range t.rows {
		res := "equal"
		switch {
		case r.skipped:
			res = "-"
		case !r.ok:
			res = "DIFFERS"
		}
		line(r.check, r.shop, r.wms, res, r.note)
	}
}

// stockCheck compares on-hand stock per mapped location with the WMS.
type stockCheck struct {
	n       int      // levels compared
	touched int      // of which the WMS changed (checkStockNow)
	differs []string // first differences
}

func (s stockCheck) verdict() string {
	if len(s.differs) == 0 {
		return "all equal"
	}
	return fmt.Sprintf("%d differ, such as %s", len(s.differs), s.differs[0])
}

// mapping is one shop location mapped to a warehouse.
type mapping struct {
	shop *shopifytest.Shop
	loc  int64
	wh   string
}

func (w *world) mappings() []mapping {
	return []mapping{{w.dk, w.dkCPH, whCPH}, {w.dk, w.dkAAR, whAAR}, {w.dk, w.dkStore, whStore}, {w.uk, w.ukCPH, whCPH}}
}

// checkStock compares each SKU's on-hand units at each mapped shop location
// with the WMS's on-hand units in the warehouse.
func (w *world) checkStock(ctx context.Context) stockCheck {
	var sc stockCheck
	for _, m := range w.mappings() {
		for _, p := range m.shop.Products() {
			for _, vid := range p.VariantIDs {
				v, _ := m.shop.Variant(vid)
				it, _ := m.shop.InventoryItem(v.InventoryItemID)
				shopQ := int64(m.shop.Quantity(it.ID, m.loc, "on_hand"))
				wmsQ := w.wms.Level(it.SKU, m.wh).OnHand
				sc.n++
				if shopQ != wmsQ {
					sc.differs = append(sc.differs, fmt.Sprintf("%s at %s: shop %d, WMS %d", it.SKU, m.wh, shopQ, wmsQ))
				}
			}
		}
	}
	return sc
}

// consistency builds the final table from the real state of both sides.
func (w *world) consistency(ctx context.Context, cs *customerRun, ordersFrom time.Time, imported stockCheck, ob outboundResult) *table {
	t := &table{}
	items := map[string]wms.Item{}
	for _, it := range w.wms.Items() {
		items[it.SKU] = it
	}

	// Products: every shop variant with a SKU is listed on the WMS item;
	// the main shop's data is the item's data (S2, S7).
	allSKUs := map[string]bool{}
	for _, sh := range []struct {
		name string
		sim  *shopifytest.Shop
		main bool
	}{{shopDK, w.dk, true}, {shopUK, w.uk, false}} {
		shopVariants, listed, dataDiff := 0, 0, 0
		var first string
		for _, p := range sh.sim.Products() {
			for _, vid := range p.VariantIDs {
				v, _ := sh.sim.Variant(vid)
				inv, _ := sh.sim.InventoryItem(v.InventoryItemID)
				if inv.SKU == "" {
					continue
				}
				shopVariants++
				allSKUs[inv.SKU] = true
				it, ok := items[inv.SKU]
				if ok && slices.ContainsFunc(it.Listings, func(l wms.Listing) bool {
					return l.Shop == sh.name && l.VariantID == shopify.GID("ProductVariant", vid)
				}) {
					listed++
				}
				if sh.main && ok {
					want := p.Title
					if it.Title != want || it.Barcode != v.Barcode || it.Source != shopDK {
						dataDiff++
						if first == "" {
							first = fmt.Sprintf("%s: title %q/%q barcode %s/%s", inv.SKU, want, it.Title, v.Barcode, it.Barcode)
						}
					}
				}
			}
		}
		wmsListings := 0
		for _, it := range items {
			for _, l := range it.Listings {
				if l.Shop == sh.name {
					wmsListings++
				}
			}
		}
		r := row{check: "products " + sh.name, shop: fmt.Sprintf("%d variants", shopVariants), wms: fmt.Sprintf("%d listings", wmsListings),
			ok: shopVariants == listed && wmsListings == listed && dataDiff == 0}
		if sh.main {
			r.note = "titles, barcodes, source = main shop"
		}
		if dataDiff > 0 {
			r.note = fmt.Sprintf("%d differ, such as %s", dataDiff, first)
		}
		t.add(r)
	}
	t.add(row{check: "items (SKUs, shared by the shops)", shop: fmt.Sprintf("%d SKUs", len(allSKUs)), wms: fmt.Sprintf("%d items", len(items)),
		ok: len(allSKUs) == len(items) && maps.EqualFunc(allSKUs, items, func(bool, wms.Item) bool { return true })})

	// Customs and costs (S9; costs also S18 once purchase orders closed).
	customsDiff, compared := 0, 0
	var firstCustoms string
	for _, p := range w.dk.Products() {
		for _, vid := range p.VariantIDs {
			v, _ := w.dk.Variant(vid)
			inv, _ := w.dk.InventoryItem(v.InventoryItemID)
			it := items[inv.SKU]
			compared++
			if it.Customs.HSCode != inv.HarmonizedSystemCode || it.Customs.CountryOfOrigin != inv.CountryCodeOfOrigin || !sameDecimal(it.Cost, inv.UnitCost) {
				customsDiff++
				if firstCustoms == "" {
					firstCustoms = fmt.Sprintf("%s: HS %s/%s origin %s/%s cost %s/%s", inv.SKU, inv.HarmonizedSystemCode, it.Customs.HSCode,
						inv.CountryCodeOfOrigin, it.Customs.CountryOfOrigin, inv.UnitCost, it.Cost)
				}
			}
		}
	}
	r := row{check: "customs and cost " + shopDK, shop: fmt.Sprintf("%d items", compared), wms: fmt.Sprintf("%d items", compared-customsDiff), ok: customsDiff == 0,
		note: "HS code, origin, unit cost"}
	if customsDiff > 0 {
		r.note = fmt.Sprintf("%d differ, such as %s", customsDiff, firstCustoms)
	}
	t.add(r)

	// Orders: the web orders placed during the demo, plus any older web
	// order created at most ClockSkew before the shop's orders step
	// started (the engine takes those too, S10), are in the WMS with the
	// same lines and status; no other order is (S10, S11).
	for _, sh := range []struct {
		name string
		sim  *shopifytest.Shop
	}{{shopDK, w.dk}, {shopUK, w.uk}} {
		var expect []int64
		for _, p := range cs.orders {
			if p.shop == sh.name {
				expect = append(expect, p.id)
			}
		}
		borderline := w.borderline(ctx, sh.name, sh.sim, cs.placedIDs[sh.sim])
		expect = append(expect, borderline...)
		cancelled, diff := 0, 0
		var first string
		for _, id := range expect {
			so, _ := sh.sim.Order(id)
			key := wms.OrderKey{Shop: sh.name, ExternalID: shopify.GID("Order", id)}
			wo, err := w.wms.Order(ctx, key)
			if so.CancelledAt != nil {
				cancelled++
			}
			if err != nil || !sameOrder(so, wo) {
				diff++
				if first == "" {
					first = fmt.Sprintf("%s (%v)", key.ExternalID, err)
				}
			}
		}
		stages := map[wms.OrderStage]int{}
		wmsN, wmsCancelled := 0, 0
		for _, o := range w.wms.Orders() {
			if o.Shop != sh.name || o.POS {
				continue
			}
			wmsN++
			if o.Status == wms.OrderCancelled {
				wmsCancelled++
			} else {
				stages[o.Stage]++
			}
		}
		r := row{check: "orders " + sh.name, shop: fmt.Sprintf("%d (%d cancelled)", len(expect), cancelled),
			wms: fmt.Sprintf("%d (%d cancelled)", wmsN, wmsCancelled), ok: diff == 0 && wmsN == len(expect) && wmsCancelled == cancelled,
			note: fmt.Sprintf("lines and status; WMS: %d released, %d packed, %d held", stages[wms.StageReleased], stages[wms.StagePacked], stages[wms.StageHeld])}
		if len(borderline) > 0 {
			r.note += fmt.Sprintf("; %d placed just before the orders step", len(borderline))
		}
		if diff > 0 {
			r.note = fmt.Sprintf("%d differ, such as %s", diff, first)
		}
		t.add(r)
	}

	// POS sales (S4): units sold over the counter = units moved out of the
	// store's stock.
	shopPOS, wmsPOS := map[string]int64{}, map[string]int64{}
	for _, p := range cs.pos {
		so, _ := w.dk.Order(p.id)
		for _, l := range so.LineItems {
			shopPOS[l.SKU] += int64(l.Quantity)
		}
	}
	for _, m := range w.wms.Movements() {
		if m.Shop == shopDK && m.Reason == wms.ReasonPOSSale && m.At.After(ordersFrom.Add(-time.Minute)) && m.Warehouse == whStore {
			wmsPOS[m.SKU] -= m.Delta
		}
	}
	t.add(row{check: "POS sales " + shopDK, shop: fmt.Sprintf("%d units", sum(shopPOS)), wms: fmt.Sprintf("%d units", sum(wmsPOS)),
		ok: maps.Equal(shopPOS, wmsPOS), note: fmt.Sprintf("%d sales, moved out of %s", len(cs.pos), whStore)})

	// Stock per location.
	t.add(row{check: "stock per location, after import", shop: fmt.Sprintf("%d levels", imported.n), wms: fmt.Sprintf("%d levels", imported.n-len(imported.differs)),
		ok: len(imported.differs) == 0, note: "on hand; " + imported.verdict()})

	// Sales history (S12): units of the shops' orders in the chosen
	// period (open orders; POS sales only where POS is on) plus the POS
	// sales recorded live = units in the WMS's daily sales.
	shopSold := historyUnits(w.dk, cs.placedIDs[w.dk], wms.DateOf(time.Now()).AddDays(-365), true) +
		historyUnits(w.uk, cs.placedIDs[w.uk], w.settings()[1].SalesHistorySince, false) + sum(shopPOS)
	var wmsSold int64
	today := wms.DateOf(time.Now())
	for sku := range items {
		ds, _ := w.wms.DailySales(ctx, sku, today.AddDays(-400), today.AddDays(1))
		for _, d := range ds {
			wmsSold += d.Quantity
		}
	}
	t.add(row{check: "sales history (units sold)", shop: fmt.Sprintf("%d units", shopSold), wms: fmt.Sprintf("%d units", wmsSold), ok: shopSold == wmsSold,
		note: "DK 1 year, UK 45 days, plus live POS sales"})

	ob.rows(ctx, w, cs, t)
	w.wooRows(ctx, t, ob.barcodes, ob.available)
	return t
}

// borderline returns the shop's web orders from before the demo's
// customers that were created at most wmssync.ClockSkew before the shop's
// orders step started: the engine counts them as new (better a borderline
// order in the warehouse than a lost one).
func (w *world) borderline(ctx context.Context, shop string, sim *shopifytest.Shop, exclude map[int64]bool) []int64 {
	states, err := w.eng.StepStates(ctx, shop)
	if err != nil {
		return nil
	}
	var from time.Time
	for _, st := range states {
		if st.Step == wmssync.StepOrders {
			from = st.StartedAt.Add(-wmssync.ClockSkew)
		}
	}
	if from.IsZero() {
		return nil
	}
	var ids []int64
	for _, o := range sim.Orders() {
		if !exclude[o.ID] && o.RetailLocationID == 0 && !o.CreatedAt.Before(from) {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// historyUnits adds up the units of a shop's orders created before the
// demo's customers came, on or after since in the shop's time zone, that
// are not cancelled, POS orders only when pos.
func historyUnits(sim *shopifytest.Shop, exclude map[int64]bool, since wms.Date, pos bool) int64 {
	zone, err := time.LoadLocation(sim.Info().IanaTimezone)
	if err != nil {
		zone = time.UTC
	}
	var n int64
	for _, o := range sim.Orders() {
		if exclude[o.ID] || o.CancelledAt != nil || (o.RetailLocationID != 0 && !pos) {
			continue
		}
		if wms.DateOf(o.CreatedAt.In(zone)).Before(since) {
			continue
		}
		for _, l := range o.LineItems {
			if l.SKU != "" {
				n += int64(l.Quantity)
			}
		}
	}
	return n
}

// sameOrder compares a shop order with the WMS's: status and the units per
// line.
func sameOrder(so shopifytest.Order, wo wms.Order) bool {
	if (so.CancelledAt != nil) != (wo.Status == wms.OrderCancelled) {
		return false
	}
	want := map[string]int64{}
	for _, l := range so.LineItems {
		want[shopify.GID("LineItem", l.ID)] += int64(l.Quantity)
	}
	got := map[string]int64{}
	for _, l := range wo.Lines {
		got[l.ExternalID] += l.Quantity
	}
	return maps.Equal(want, got)
}

func sameDecimal(a wms.Decimal, b shopify.Decimal) bool {
	if a == "" || b == "" {
		return string(a) == string(b)
	}
	return shopify.Decimal(a).Cmp(b) == 0
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
