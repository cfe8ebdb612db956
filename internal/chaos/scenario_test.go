package chaos

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// size scales a run.
type size struct {
	name                  string
	shared, onlyA, onlyB  int // products
	orders                int // web and POS orders over both shops
	posShare              float64
	restartMin, restartMx time.Duration
}

var sizes = map[string]size{
	"small": {name: "small", shared: 6, onlyA: 3, onlyB: 3, orders: 30, posShare: 0.3,
		restartMin: 300 * time.Millisecond, restartMx: 1200 * time.Millisecond},
	"large": {name: "large", shared: 40, onlyA: 15, onlyB: 15, orders: 250, posShare: 0.2,
		restartMin: 300 * time.Millisecond, restartMx: 1500 * time.Millisecond},
}

// variantRef is one variant of a shop's catalogue.
type variantRef struct {
	id  int64
	sku string
}

// placed is an order the scenario placed in a shop.
type placed struct {
	shop       *shopifytest.Shop
	name       string // engine shop id
	id         int64
	pos        bool
	authorized bool
	wh         string
}

func (p placed) key() wms.OrderKey {
	return wms.OrderKey{Shop: p.name, ExternalID: shopify.GID("Order", p.id)}
}

// scenario is the driver's state; only the test goroutine touches it.
type scenario struct {
	w   *world
	rng *rand.Rand

	varsA, varsB []variantRef
	orders       []placed
	byKey        map[wms.OrderKey]int // index in orders
	refunds      map[wms.OrderKey]int // refunds made in the WMS per order
	barcodes     []string             // SKUs whose barcode the WMS changed
	packs        int
	receipts     int

	wooSKUs   []string // the SKUs the WooCommerce store sells (woo_test.go)
	wooOrders []wooPlaced
}

func newScenario(w *world) *scenario {
	return &scenario{w: w, rng: rand.New(rand.NewPCG(w.seed, 0x5eed)), byKey: map[wms.OrderKey]int{},
		refunds: map[wms.OrderKey]int{}}
}

var prices = []shopify.Decimal{"9.95", "12.50", "19.00", "24.99", "7.25", "49.00"}

// catalogue creates the products: some sold by both shops (the same SKU,
// the same stock at the shared Copenhagen location), some by one only.
// About a quarter of the levels start empty, so orders get held.
func (s *scenario) catalogue() {
	w := s.w
	n := 0
	stock := func(max int) int {
		if s.rng.IntN(4) == 0 {
			return 0
		}
		return 1 + s.rng.IntN(max)
	}
	add := func(inA, inB bool) {
		n++
		title := fmt.Sprintf("Chaos product %d", n)
		var va, vb []shopifytest.VariantSpec
		var wooSKUs, wooBarcodes []string
		var wooStock []int
		for v := range 1 + s.rng.IntN(2) {
			sku := fmt.Sprintf("CH-%03d-%d", n, v)
			spec := shopifytest.VariantSpec{Title: fmt.Sprintf("V%d", v), SKU: sku,
				Barcode: shopifytest.EAN13(400_000_000_000 + int64(n*10+v)), Price: prices[s.rng.IntN(len(prices))]}
			cph := stock(6)
			if inA {
				a := spec
				a.Stock = map[int64]int{w.aCPH: cph, w.aSTORE: stock(4)}
				va = append(va, a)
			}
			if inB {
				b := spec
				b.Stock = map[int64]int{w.bCPH: cph, w.bBER: stock(5)}
				vb = append(vb, b)
			}
			if inA && inB {
				wooSKUs, wooStock, wooBarcodes = append(wooSKUs, sku), append(wooStock, cph), append(wooBarcodes, spec.Barcode)
			}
		}
		if len(wooSKUs) > 0 {
			s.wooCatalogue(title, wooSKUs, wooStock, wooBarcodes)
		}
		for _, x := range []struct {
			shop *shopifytest.Shop
			vs   []shopifytest.VariantSpec
			refs *[]variantRef
		}{{w.a, va, &s.varsA}, {w.b, vb, &s.varsB}} {
			if len(x.vs) == 0 {
				continue
			}
			p, err := x.shop.CreateProduct(shopifytest.ProductSpec{Title: title, Vendor: "Chaos & Co", Variants: x.vs})
			require.NoError(w.t, err)
			for i, id := range p.VariantIDs {
				*x.refs = append(*x.refs, variantRef{id: id, sku: x.vs[i].SKU})
			}
		}
	}
	for range w.size.shared {
		add(true, true)
	}
	for range w.size.onlyA {
		add(true, false)
	}
	for range w.size.onlyB {
		add(false, true)
	}
}

var allKinds = map[wms.EventKind]bool{
	wms.KindStockChanged: true, wms.KindBarcodeChanged: true, wms.KindOrderPacked: true,
	wms.KindPaymentCaptured: true, wms.KindPurchaseOrderClosed: true, wms.KindRefundCreated: true,
}

// settings saves both shops' settings: A is the main shop with POS at its
// store; both map a location to the shared Copenhagen warehouse.
func (s *scenario) settings() {
	w := s.w
	for _, st := range []wmssync.Settings{
		{System: "shopify", Shop: shopA, AdminURL: "https://" + w.a.Domain() + "/admin", Country: "DK", Main: true, POS: true, Outbound: allKinds,
			Locations: map[string]string{shopify.GID("Location", w.aCPH): whCPH, shopify.GID("Location", w.aSTORE): whSTORE}},
		{System: "shopify", Shop: shopB, AdminURL: "https://" + w.b.Domain() + "/admin", Country: "DE", Outbound: allKinds,
			Locations: map[string]string{shopify.GID("Location", w.bCPH): whCPH, shopify.GID("Location", w.bBER): whBER}},
		w.wooSettings(),
	} {
		w.retry("save settings "+st.Shop, time.Minute, func(p *process) error {
			_, err := p.eng.SaveSettings(p.ctx, st)
			return err
		})
	}
}

// setup runs the setup steps of both shops (product import, order
// webhooks, outbound; customs/costs and sales history are skipped: they
// are not part of the convergence claim), each resumed after faults and
// restarts.
func (s *scenario) setup() {
	for _, shop := range []string{shopA, shopB, shopW} {
		for _, st := range wmssync.Steps() {
			s.w.retry(fmt.Sprintf("setup %s %s", shop, st), 2*time.Minute, func(p *process) error {
				if st == wmssync.StepCustomsCost || st == wmssync.StepSalesHistory {
					return p.eng.SkipStep(p.ctx, shop, st)
				}
				return p.eng.RunStep(p.ctx, shop, st, nil)
			})
		}
	}
}

// faults turns the simulator's faults on and returns the function that
// turns them off. The rates come from the seed.
func (s *scenario) faults() (off func()) {
	w, r := s.w, s.rng
	rate := func(lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 503, Rate: rate(0.04, 0.08)})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 500, Rate: rate(0.02, 0.04)})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 429, Rate: rate(0.03, 0.06)})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultReset, Rate: rate(0.02, 0.04)})
	w.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultSlow, Delay: time.Duration(20+r.IntN(130)) * time.Millisecond, Rate: rate(0.03, 0.06)})
	wooOff := s.wooFaults()
	removes := []func(){
		w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Rate: rate(0.05, 0.12)}),
		w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDuplicate, Rate: rate(0.05, 0.12)}),
		w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDelay, Rate: rate(0.05, 0.10),
			Delay: time.Duration(200+r.IntN(1300)) * time.Millisecond}),
		w.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookReorder, Rate: rate(0.05, 0.12)}),
	}
	return func() {
		wooOff()
		w.srv.ClearFaults()
		for _, rm := range removes {
			rm()
		}
	}
}

// restarter restarts the engine process at random moments until stopped.
func (s *scenario) restarter() (stop func()) {
	w := s.w
	r := rand.New(rand.NewPCG(w.seed, 0x4e57a47))
	quit := make(chan struct{})
	var wg gosync.WaitGroup
	wg.Go(func() {
		for {
			d := w.size.restartMin + time.Duration(r.Int64N(int64(w.size.restartMx-w.size.restartMin)))
			select {
			case <-quit:
				return
			case <-time.After(d):
			}
			w.restart()
		}
	})
	var once gosync.Once
	stop = func() { once.Do(func() { close(quit); wg.Wait() }) }
	w.t.Cleanup(stop) // also when the test fails before stopping it
	return stop
}

// traffic places the orders and plays the warehouse: packing, refunds,
// receipts of held goods and barcode changes, interleaved.
func (s *scenario) traffic() {
	w := s.w
	ctx := context.Background()
	forced := map[int]bool{s.rng.IntN(w.size.orders): true, s.rng.IntN(w.size.orders): true}
	for i := range w.size.orders {
		if forced[i] {
			w.restart() // besides the restarter's: at least one amid the orders
		}
		if s.rng.IntN(3) == 0 {
			s.placeWooOrder(i)
		} else {
			s.placeOrder(i)
		}
		if i%5 == 4 {
			s.payWooLate()
		}
		switch x := s.rng.IntN(100); {
		case x < 20:
			s.receiveHeld(ctx, false)
		case x < 45 && w.outbox:
			s.packOne(ctx)
		case x < 55 && w.outbox:
			s.refundOne(ctx)
		case x < 60 && w.outbox && len(s.barcodes) < 3:
			s.changeBarcode(ctx)
		}
		time.Sleep(time.Duration(10+s.rng.IntN(40)) * time.Millisecond)
	}
	s.payWooLate()
}

func (s *scenario) placeOrder(i int) {
	w := s.w
	inA := s.rng.IntN(2) == 0
	shop, name, vars := w.b, shopB, s.varsB
	if inA {
		shop, name, vars = w.a, shopA, s.varsA
	}
	spec := shopifytest.OrderSpec{Email: fmt.Sprintf("customer%d@example.com", i), Financial: shopifytest.FinancialPaid}
	if s.rng.IntN(2) == 0 {
		spec.Financial = shopifytest.FinancialAuthorized
	}
	p := placed{shop: shop, name: name, authorized: spec.Financial == shopifytest.FinancialAuthorized}
	if inA && s.rng.Float64() < w.size.posShare {
		// A sale in the store: only what is on the shelf (the shop's
		// store stock follows the WMS's exactly: nothing else moves it).
		var onShelf []variantRef
		for _, v := range vars {
			if shop.Quantity(s.itemOf(shop, v.id), w.aSTORE, "available") > 0 {
				onShelf = append(onShelf, v)
			}
		}
		if len(onShelf) > 0 {
			v := onShelf[s.rng.IntN(len(onShelf))]
			spec.POS, spec.Location, spec.Financial = true, w.aSTORE, shopifytest.FinancialPaid
			spec.Lines = []shopifytest.OrderLineSpec{{VariantID: v.id, Quantity: 1}}
			p.pos, p.authorized, p.wh = true, false, whSTORE
		}
	}
	if !p.pos {
		// Web orders ship from the warehouse mapped to the location
		// Shopify assigned them: shop A's from Copenhagen, shop B's from
		// Copenhagen or Berlin.
		spec.Location, p.wh = w.aCPH, whCPH
		if !inA {
			spec.Location = w.bCPH
			if s.rng.IntN(3) == 0 {
				spec.Location, p.wh = w.bBER, whBER
			}
		}
		// The shop sells what it shows as available (Shopify's default
		// inventory policy: no overselling); what it shows may be more
		// than the WMS has, so orders still get held. With oversell on,
		// variants go on selling when out of stock.
		picked := map[int64]bool{}
		for range 1 + s.rng.IntN(2) {
			v := vars[s.rng.IntN(len(vars))]
			avail := shop.Quantity(s.itemOf(shop, v.id), spec.Location, "available")
			if w.oversell {
				avail = 3
			}
			if picked[v.id] || avail < 1 {
				continue
			}
			picked[v.id] = true
			spec.Lines = append(spec.Lines, shopifytest.OrderLineSpec{VariantID: v.id, Quantity: 1 + s.rng.IntN(min(3, avail))})
		}
		if len(spec.Lines) == 0 {
			return // sold out: the customer leaves
		}
	}
	o, err := shop.CreateOrder(spec)
	require.NoError(w.t, err)
	p.id = o.ID
	s.orders = append(s.orders, p)
	s.byKey[p.key()] = len(s.orders) - 1
}

func (s *scenario) itemOf(shop *shopifytest.Shop, variantID int64) int64 {
	v, _ := shop.Variant(variantID)
	return v.InventoryItemID
}

// wmsOrders returns the WMS's orders of the scenario at a stage, sorted by
// key so the seed picks the same one for the same state.
func (s *scenario) wmsOrders(stage wms.OrderStage) []wms.Order {
	var out []wms.Order
	for _, o := range s.w.wms.Orders() {
		if _, ours := s.byKey[o.Key()]; ours && o.Stage == stage {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b wms.Order) int {
		return strings.Compare(a.Shop+a.ExternalID, b.Shop+b.ExternalID)
	})
	return out
}

// receiveHeld receives goods for one held order (all=false: its first
// short line only, which may or may not release it) or for every held
// order (all=true: enough for all of them at once).
func (s *scenario) receiveHeld(ctx context.Context, all bool) {
	w := s.w
	held := s.wmsOrders(wms.StageHeld)
	if len(held) == 0 {
		return
	}
	if !all {
		o := held[s.rng.IntN(len(held))]
		l := o.Lines[0]
		if err := w.wms.Receive(ctx, warehouseOf(o), l.SKU, l.Quantity); err != nil {
			w.t.Errorf("receive %d of %s at %q for held order %s %s (%s): %v", l.Quantity, l.SKU, o.Warehouse, o.Shop, o.ExternalID, o.HoldReason, err)
			return
		}
		s.receipts++
		return
	}
	need := map[[2]string]int64{}
	for _, o := range held {
		for _, l := range o.Lines {
			need[[2]string{warehouseOf(o), l.SKU}] += l.Quantity
		}
	}
	for k, q := range need {
		if a := w.wms.Level(k[1], k[0]).Available(); a < 0 {
			q -= a
		}
		if err := w.wms.Receive(ctx, k[0], k[1], q); err != nil {
			_, ierr := w.wms.Item(ctx, k[1])
			w.t.Errorf("receive %d of %s at %q for held orders: %v (item: %v)", q, k[1], k[0], err, ierr)
			continue
		}
		s.receipts++
	}
}

// warehouseOf is the warehouse a WMS order ships from: its own, or the
// WMS's default (the first, CPH) when it has none.
func warehouseOf(o wms.Order) string { return cmp.Or(o.Warehouse, whCPH) }

func (s *scenario) packOne(ctx context.Context) {
	rel := s.wmsOrders(wms.StageReleased)
	if len(rel) == 0 {
		return
	}
	o := rel[s.rng.IntN(len(rel))]
	s.packs++
	require.NoError(s.w.t, s.w.wms.Pack(ctx, o.Key(), &wms.Tracking{Company: "DHL", Number: fmt.Sprintf("JJD%08d", s.packs)}))
}

// refundOne refunds one unit of a packed order's first line, not returned
// to stock, at most once per order.
func (s *scenario) refundOne(ctx context.Context) {
	var cands []wms.Order
	for _, o := range s.wmsOrders(wms.StagePacked) {
		if s.refunds[o.Key()] == 0 {
			cands = append(cands, o)
		}
	}
	if len(cands) == 0 {
		return
	}
	o := cands[s.rng.IntN(len(cands))]
	l := o.Lines[0]
	r := wms.Refund{ID: "RMA-" + o.Shop + "-" + o.ExternalID, Order: o.Key(), Currency: o.Currency,
		Lines: []wms.RefundLine{{LineID: l.ExternalID, SKU: l.SKU, Quantity: 1, Amount: l.Price}}, Amount: l.Price,
		Note: "damaged in transit"}
	require.NoError(s.w.t, s.w.wms.Refund(ctx, r))
	s.refunds[o.Key()]++
}

func (s *scenario) changeBarcode(ctx context.Context) {
	items := s.w.wms.Items()
	if len(items) == 0 {
		return
	}
	it := items[s.rng.IntN(len(items))]
	if slices.Contains(s.barcodes, it.SKU) {
		return
	}
	bc := shopifytest.EAN13(590_000_000_000 + int64(len(s.barcodes)))
	require.NoError(s.w.t, s.w.wms.SetBarcode(ctx, it.SKU, bc))
	s.barcodes = append(s.barcodes, it.SKU)
}
