package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/wms"
)

// placed is one order a simulated customer placed during the demo.
type placed struct {
	shop       string // engine shop id
	sim        *shopifytest.Shop
	id         int64 // the shop's legacy order id
	pos        bool
	authorized bool // payment authorised, to be captured
	location   int64
}

func (p placed) key() wms.OrderKey {
	return wms.OrderKey{Shop: p.shop, ExternalID: shopify.GID("Order", p.id)}
}

// customerRun is what the customers did.
type customerRun struct {
	orders    []placed
	cancelled map[wms.OrderKey]bool
	hot       []string // SKUs out of stock that customers bought anyway
	renamed   string   // SKU of the product the merchant renamed
	pos       []placed // POS sales (shop DK)
	placedIDs map[*shopifytest.Shop]map[int64]bool
}

// byKey returns the web order with key, or nil.
func (cs *customerRun) byKey(k wms.OrderKey) *placed {
	for i := range cs.orders {
		if cs.orders[i].key() == k {
			return &cs.orders[i]
		}
	}
	return nil
}

type catalogue struct {
	shop     string
	sim      *shopifytest.Shop
	variants []int64 // active variants
	sku      map[int64]string
}

func (w *world) catalogue(shop string, sim *shopifytest.Shop) catalogue {
	c := catalogue{shop: shop, sim: sim, sku: map[int64]string{}}
	for _, p := range sim.Products() {
		if p.Status != "ACTIVE" {
			continue
		}
		for _, vid := range p.VariantIDs {
			v, _ := sim.Variant(vid)
			it, _ := sim.InventoryItem(v.InventoryItemID)
			c.variants = append(c.variants, vid)
			c.sku[vid] = it.SKU
		}
	}
	return c
}

// customers places the demo's orders in the simulated shops, as customers
// in the online stores and at the counter of the flagship store would:
// 70% DK web orders, 20% UK web orders, 10% POS sales in Copenhagen. Web
// orders ship from the Copenhagen warehouse, the WMS's default: the
// Shopify connector does not report a web order's fulfilment location, so
// the engine gives every web order the default warehouse. Some buy SKUs the warehouse has none
// of, so those orders are held. Then two customers cancel and the merchant
// renames a product. Everything reaches the WMS by webhook only.
func (w *world) customers(ctx context.Context, out io.Writer) (*customerRun, error) {
	rng := rand.New(rand.NewPCG(w.o.Seed, 0xc0ffee))
	dk, uk := w.catalogue(shopDK, w.dk), w.catalogue(shopUK, w.uk)
	if len(dk.variants) == 0 || len(uk.variants) == 0 {
		return nil, errors.New("no active products to order")
	}
	cs := &customerRun{cancelled: map[wms.OrderKey]bool{}, placedIDs: map[*shopifytest.Shop]map[int64]bool{w.dk: {}, w.uk: {}}}
	// Hot SKUs: sold in DK, none in the Copenhagen warehouse.
	var hotVariants []int64
	for _, vid := range dk.variants {
		if w.wms.Level(dk.sku[vid], whCPH).Available() == 0 {
			hotVariants = append(hotVariants, vid)
		}
		if len(hotVariants) >= max(2, w.o.Orders/15) {
			break
		}
	}
	for _, vid := range hotVariants {
		cs.hot = append(cs.hot, dk.sku[vid])
	}

	type job struct {
		p    placed
		spec shopifytest.OrderSpec
	}
	jobs := make([]job, 0, w.o.Orders)
	for i := range w.o.Orders {
		var j job
		r := rng.Float64()
		cat := dk
		switch {
		case r < 0.10:
			j.p = placed{shop: shopDK, sim: w.dk, pos: true, location: w.dkStore}
			j.spec.Financial = shopifytest.FinancialPaid
		case r < 0.30:
			cat = uk
			j.p = placed{shop: shopUK, sim: w.uk, location: w.ukCPH}
		default:
			j.p = placed{shop: shopDK, sim: w.dk, location: w.dkCPH}
		}
		if !j.p.pos {
			j.spec.Financial = shopifytest.FinancialAuthorized
			if rng.IntN(10) < 3 {
				j.spec.Financial = shopifytest.FinancialPaid
			}
		}
		j.spec.POS, j.spec.Location = j.p.pos, j.p.location
		j.p.authorized = j.spec.Financial == shopifytest.FinancialAuthorized
		j.spec.Email = fmt.Sprintf("customer%04d@example.com", i+1)
		used := map[int64]bool{}
		if j.p.shop == shopDK && j.p.location == w.dkCPH && len(hotVariants) > 0 && rng.IntN(10) < 3 {
			vid := hotVariants[rng.IntN(len(hotVariants))]
			used[vid] = true
			j.spec.Lines = append(j.spec.Lines, shopifytest.OrderLineSpec{VariantID: vid, Quantity: 1 + rng.IntN(2)})
		}
		for n := 1 + rng.IntN(3); len(j.spec.Lines) < n; {
			vid := cat.variants[rng.IntN(len(cat.variants))]
			if used[vid] {
				continue
			}
			used[vid] = true
			j.spec.Lines = append(j.spec.Lines, shopifytest.OrderLineSpec{VariantID: vid, Quantity: 1 + rng.IntN(2)})
		}
		jobs = append(jobs, j)
	}

	// Four customers at a time, a few milliseconds apart.
	started := time.Now()
	var mu gosync.Mutex
	var firstErr error
	next := make(chan job)
	var wg gosync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for j := range next {
				o, err := j.p.sim.CreateOrder(j.spec)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if err == nil {
					j.p.id = o.ID
					cs.placedIDs[j.p.sim][o.ID] = true
					if j.p.pos {
						cs.pos = append(cs.pos, j.p)
					} else {
						cs.orders = append(cs.orders, j.p)
					}
				}
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(cs.orders, func(i, j int) bool { return cs.orders[i].id < cs.orders[j].id })
	n := map[string]int{}
	for _, p := range cs.orders {
		n[p.shop]++
	}
	fmt.Fprintf(out, "  %d customers ordered in %s: %d web orders in %s, %d in %s, %d POS sales in the flagship store\n",
		w.o.Orders, time.Since(started).Round(time.Millisecond), n[shopDK], shopDK, n[shopUK], shopUK, len(cs.pos))
	if len(cs.hot) > 0 {
		fmt.Fprintf(out, "  %d SKUs customers bought have no stock in %s: %v\n", len(cs.hot), whCPH, cs.hot)
	}

	// Two customers change their minds; the merchant renames a product.
	// (A second later: Shopify's order timestamps have whole seconds, and
	// a change within the second of the order carries the same version.)
	time.Sleep(1100 * time.Millisecond)
	for _, p := range cs.orders {
		if len(cs.cancelled) == 2 {
			break
		}
		if p.shop == shopDK {
			if err := p.sim.CancelOrder(p.id); err != nil {
				return nil, err
			}
			cs.cancelled[p.key()] = true
		}
	}
	if len(dk.variants) > 0 {
		v, _ := w.dk.Variant(dk.variants[0])
		p, _ := w.dk.Product(v.ProductID)
		title := p.Title + " (new edition)"
		if _, err := w.dk.EditProduct(p.ID, shopifytest.ProductEdit{Title: &title}); err != nil {
			return nil, err
		}
		cs.renamed = dk.sku[dk.variants[0]]
		fmt.Fprintf(out, "  %d orders cancelled by customers; the merchant renamed %q to %q in %s\n", len(cs.cancelled), p.Title, title, shopDK)
	}
	return cs, nil
}

// waitForOrders waits until every order and POS sale is in the WMS: first
// for the webhook deliveries, then, for what faults lost, for the engine's
// reconciliation sweeps (Run sweeps every few seconds; the demo also asks
// for one when deliveries have settled).
func (w *world) waitForOrders(ctx context.Context, cs *customerRun, out io.Writer) error {
	started := time.Now()
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	err := w.srv.WaitWebhooks(wctx)
	cancel()
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	deadline := time.Now().Add(60 * time.Second)
	sweep := func() {
		for _, shop := range []string{shopDK, shopUK} {
			r, err := w.eng.Reconcile(ctx, shop)
			if err != nil {
				fmt.Fprintf(out, "  reconciliation of %s: %v (Run retries)\n", shop, err)
				continue
			}
			if r.OrdersApplied+r.ProductsApplied > 0 {
				fmt.Fprintf(out, "  reconciliation sweep of %s: %d orders and %d products no webhook had brought (yet)\n", shop, r.OrdersApplied, r.ProductsApplied)
			}
		}
	}
	swept := false
	for {
		missing := w.missingOrders(ctx, cs)
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d orders never reached the WMS: %v", len(missing), missing[:min(5, len(missing))])
		}
		if !swept && time.Since(started) > 2*time.Second {
			swept = true
			sweep()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if !swept {
		sweep() // Run sweeps every few seconds; one now, before the table
	}
	held, released := 0, 0
	short := map[string]bool{}
	for _, p := range cs.orders {
		o, err := w.wms.Order(ctx, p.key())
		if err != nil || !o.Open() {
			continue
		}
		switch o.Stage {
		case wms.StageHeld:
			held++
			short[o.HoldReason] = true
		case wms.StageReleased:
			released++
		}
	}
	fmt.Fprintf(out, "  all %d web orders and %d POS sales are in the WMS after %s: %d released to picking, %d held, %d cancelled\n",
		len(cs.orders), len(cs.pos), time.Since(started).Round(time.Millisecond), released, held, len(cs.cancelled))
	if reasons := sortedKeys(short); len(reasons) > 0 {
		fmt.Fprintf(out, "    held because, for example: %s\n", reasons[0])
	}
	return nil
}

// missingOrders lists the placed orders whose latest state the WMS does not
// have yet (not there, status not cancelled when it should be, POS sale not
// booked, renamed product not renamed).
func (w *world) missingOrders(ctx context.Context, cs *customerRun) []string {
	var missing []string
	for _, p := range cs.orders {
		o, err := w.wms.Order(ctx, p.key())
		switch {
		case err != nil:
			missing = append(missing, p.shop+" "+p.key().ExternalID+" not in the WMS")
		case cs.cancelled[p.key()] && o.Status != wms.OrderCancelled:
			missing = append(missing, p.shop+" "+p.key().ExternalID+" not cancelled in the WMS")
		}
	}
	booked := map[string]bool{}
	for _, m := range w.wms.Movements() {
		if m.Shop == shopDK && m.Reason == wms.ReasonPOSSale {
			booked[m.OrderID] = true
		}
	}
	for _, p := range cs.pos {
		if !booked[shopify.GID("Order", p.id)] {
			missing = append(missing, "POS "+shopify.GID("Order", p.id))
		}
	}
	if cs.renamed != "" {
		it, err := w.wms.Item(ctx, cs.renamed)
		v, _ := w.dk.VariantBySKU(cs.renamed)
		p, _ := w.dk.Product(v.ProductID)
		if err != nil || it.Title != p.Title {
			missing = append(missing, "product "+cs.renamed)
		}
	}
	return missing
}

// receiveGoods plays the warehouse receiving goods for the held orders: a
// purchase order per warehouse for what is short, received at the dock.
// The WMS releases the held orders as stock arrives (S11).
func (w *world) receiveGoods(ctx context.Context, out io.Writer) error {
	for round := 0; round < 3; round++ {
		need := map[string]map[string]int64{} // warehouse -> sku -> units short
		heldOrders := 0
		for _, o := range w.wms.Orders() {
			if o.POS || !o.Open() || o.Stage != wms.StageHeld {
				continue
			}
			heldOrders++
			wh := cmp.Or(o.Warehouse, whCPH) // "": the WMS's default warehouse
			for _, l := range o.Lines {
				if need[wh] == nil {
					need[wh] = map[string]int64{}
				}
				need[wh][l.SKU] += l.Quantity
			}
		}
		if heldOrders == 0 {
			if round > 0 {
				fmt.Fprintln(out, "  every held order is released to picking now")
			}
			return nil
		}
		for _, wh := range sortedKeys(need) {
			po := wms.PurchaseOrder{Supplier: "Nordic Wholesale A/S", Warehouse: wh}
			for _, sku := range sortedKeys(need[wh]) {
				short := need[wh][sku] - w.wms.Level(sku, wh).Available()
				if short <= 0 {
					continue
				}
				cost := wms.Decimal("10.00")
				if it, err := w.wms.Item(ctx, sku); err == nil && it.Cost != "" {
					cost = it.Cost
				}
				po.Lines = append(po.Lines, wms.PurchaseOrderLine{SKU: sku, Quantity: short + 5, UnitCost: cost})
			}
			if len(po.Lines) == 0 {
				continue
			}
			po, err := w.wms.CreatePurchaseOrder(ctx, po)
			if err != nil {
				return err
			}
			units := int64(0)
			for _, l := range po.Lines {
				if err := w.wms.ReceivePurchaseOrder(ctx, po.ID, l.SKU, l.Quantity); err != nil {
					return err
				}
				units += l.Quantity
			}
			w.received = append(w.received, po.ID)
			fmt.Fprintf(out, "  goods arrive in %s on purchase order %s: %d units of %d SKUs for %d held orders\n", wh, po.ID, units, len(po.Lines), heldOrders)
		}
	}
	for _, o := range w.wms.Orders() {
		if !o.POS && o.Open() && o.Stage == wms.StageHeld {
			return fmt.Errorf("order %s/%s still held after goods receipt: %s", o.Shop, o.ExternalID, o.HoldReason)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
