package connector_test

import (
	"context"
	"fmt"
	"maps"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Outbound messages (S13-S20) end to end: the reference WMS acts, the host
// publishes its events to the engine, the engine's outbox delivers them to
// the simulated Shopify, and the tests check the shop's resulting state.

var allOn = map[wms.EventKind]bool{
	wms.KindStockChanged: true, wms.KindBarcodeChanged: true, wms.KindOrderPacked: true,
	wms.KindPaymentCaptured: true, wms.KindPurchaseOrderClosed: true, wms.KindRefundCreated: true,
}

func mug(sku string, price shopify.Decimal, stockDK int) shopifytest.ProductSpec {
	return shopifytest.ProductSpec{Title: "Mug " + sku, Vendor: "Nordlicht", Variants: []shopifytest.VariantSpec{
		{SKU: sku, Barcode: "5701234567892", Price: price, Stock: map[int64]int{0: stockDK, 1: 0}}}}
}

// S14 + S2: stock set at every mapped location of every shop selling the
// SKU; a shop not selling it is left alone.
func TestOutbound_S14_StockMultiShop(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("out14a", nil, mug("MUG-1", "10.00", 5), mug("ONLY-A", "10.00", 1))
	b := o.addOutShop("out14b", nil, mug("MUG-1", "12.00", 5))
	o.drainOut()
	ctx := ctxT(t)
	require.NoError(t, o.wms.Receive(ctx, whDK, "MUG-1", 7))  // 5 + 7
	require.NoError(t, o.wms.Receive(ctx, whDE, "MUG-1", 3))  // 0 + 3
	require.NoError(t, o.wms.Receive(ctx, whDK, "ONLY-A", 4)) // 1 + 4
	o.drainOut()
	for _, s := range []outShop{a, b} {
		assert.Equal(t, 12, o.available(s, "MUG-1", s.dk), s.settings.Shop)
		assert.Equal(t, 3, o.available(s, "MUG-1", s.de), s.settings.Shop)
	}
	assert.Equal(t, 5, o.available(a, "ONLY-A", a.dk))
	_, ok := b.shop.VariantBySKU("ONLY-A")
	assert.False(t, ok)

	// S13 at run time: shop b switches stock off; a still gets changes.
	b.settings.Outbound = map[wms.EventKind]bool{wms.KindStockChanged: false}
	o.save(b.settings)
	require.NoError(t, o.wms.Receive(ctx, whDK, "MUG-1", 1))
	o.drainOut()
	assert.Equal(t, 13, o.available(a, "MUG-1", a.dk))
	assert.Equal(t, 12, o.available(b, "MUG-1", b.dk), "switched off")
}

// S15: a barcode changed in the WMS becomes the variant's barcode.
func TestOutbound_S15_Barcode(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("out15", nil, mug("MUG-1", "10.00", 5))
	o.drainOut()
	require.NoError(t, o.wms.SetBarcode(ctxT(t), "MUG-1", "4006381333931"))
	o.drainOut()
	v, _ := a.shop.VariantBySKU("MUG-1")
	assert.Equal(t, "4006381333931", v.Barcode)
}

// packedOrder creates an order in the shop, lets it reach the WMS and
// returns its key.
func (o *outHarness) packableOrder(s outShop, sku string, qty int, financial string) (wms.OrderKey, shopifytest.Order) {
	o.t.Helper()
	v, _ := s.shop.VariantBySKU(sku)
	ord, err := s.shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: v.ID, Quantity: qty}},
		Financial: financial, Location: s.dk})
	require.NoError(o.t, err)
	o.drainOut()
	key := wms.OrderKey{Shop: s.settings.Shop, ExternalID: shopify.GID("Order", ord.ID)}
	wo, err := o.wms.Order(ctxT(o.t), key)
	require.NoError(o.t, err)
	require.Equal(o.t, wms.StageReleased, wo.Stage, "order released in the WMS")
	return key, ord
}

func capturedIn(s outShop, id int64) shopify.Decimal {
	ord, _ := s.shop.Order(id)
	sum := shopify.Decimal("0")
	for _, tx := range ord.Transactions {
		if tx.Kind == "CAPTURE" {
			sum = sum.Add(tx.Amount)
		}
	}
	return sum
}

// S16: packing fulfils the order with tracking and captures the payment.
func TestOutbound_S16_OrderPacked(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("out16", nil, mug("MUG-1", "10.00", 5))
	key, ord := o.packableOrder(a, "MUG-1", 2, shopifytest.FinancialAuthorized)
	require.NoError(t, o.wms.Pack(ctxT(t), key, &wms.Tracking{Company: "DHL", Number: "JJD0001"}))
	o.drainOut()
	got, _ := a.shop.Order(ord.ID)
	require.Len(t, got.FulfillmentIDs, 1)
	f, _ := a.shop.Fulfillment(got.FulfillmentIDs[0])
	require.Len(t, f.Tracking, 1)
	assert.Equal(t, "JJD0001", f.Tracking[0].Number)
	assert.Equal(t, "FULFILLED", a.shop.OrderFulfillmentStatus(ord.ID))
	assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("20.00"), "captured %s", capturedIn(a, ord.ID))
}

// S17: a capture made in the WMS is reflected by the shop, part by part.
func TestOutbound_S17_PaymentCaptured(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("out17", nil, mug("MUG-1", "10.00", 5))
	key, ord := o.packableOrder(a, "MUG-1", 3, shopifytest.FinancialAuthorized)
	require.NoError(t, o.wms.CapturePayment(ctxT(t), key, "12.50"))
	o.drainOut()
	assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("12.50"), "captured %s", capturedIn(a, ord.ID))
	require.NoError(t, o.wms.CapturePayment(ctxT(t), key, "5.00"))
	o.drainOut()
	assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("17.50"), "captured %s", capturedIn(a, ord.ID))
}

// S18 + S19: a closed purchase order writes the new average cost to the
// shop and reaches the host's listener.
func TestOutbound_S18_S19_PurchaseOrderClosed(t *testing.T) {
	o := newOutHarness(t, connector0())
	var (
		mu    gosync.Mutex
		heard []wms.PurchaseOrderClosed
	)
	require.NoError(t, o.engine().Listen("erp", func(ctx context.Context, ev wms.Event) error {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, ev.(wms.PurchaseOrderClosed))
		return nil
	}, wms.KindPurchaseOrderClosed))
	a := o.addOutShop("out18", allOn, mug("MUG-1", "10.00", 0))
	o.drainOut()
	ctx := ctxT(t)
	po, err := o.wms.CreatePurchaseOrder(ctx, wms.PurchaseOrder{Warehouse: whDK, Lines: []wms.PurchaseOrderLine{{SKU: "MUG-1", Quantity: 10, UnitCost: "3.40"}}})
	require.NoError(t, err)
	require.NoError(t, o.wms.ReceivePurchaseOrder(ctx, po.ID, "MUG-1", 10))
	require.NoError(t, o.wms.ClosePurchaseOrder(ctx, po.ID))
	o.drainOut()
	v, _ := a.shop.VariantBySKU("MUG-1")
	it, _ := a.shop.InventoryItem(v.InventoryItemID)
	assert.Equal(t, 0, it.UnitCost.Cmp("3.40"), "cost %s", it.UnitCost)
	assert.Equal(t, 10, o.available(a, "MUG-1", a.dk))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, heard, 1)
	assert.Equal(t, po.ID, heard[0].PurchaseOrder.ID)
}

// S20: a partial refund with restock of one line and money back. With stock
// messages on, the WMS's absolute stock carries the restocked units to the
// shop, so the refund itself does not restock (that would count them twice,
// whichever of the two reached the shop first).
func TestOutbound_S20_Refund(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("out20", allOn, mug("MUG-1", "10.00", 5))
	key, ord := o.packableOrder(a, "MUG-1", 3, shopifytest.FinancialPaid)
	require.NoError(t, o.wms.Pack(ctxT(t), key, nil))
	o.drainOut()
	wo, err := o.wms.Order(ctxT(t), key)
	require.NoError(t, err)
	require.NoError(t, o.wms.Refund(ctxT(t), wms.Refund{ID: "RMA-1", Order: key, Amount: "20.00",
		Lines: []wms.RefundLine{{LineID: wo.Lines[0].ExternalID, Quantity: 2, Restock: true, Amount: "20.00"}}}))
	o.drainOut()
	got, _ := a.shop.Order(ord.ID)
	require.Len(t, got.RefundIDs, 1)
	r, _ := a.shop.Refund(got.RefundIDs[0])
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, 2, r.LineItems[0].Quantity)
	assert.Equal(t, "NO_RESTOCK", r.LineItems[0].RestockType, "stock messages carry the restock")
	var refunded shopify.Decimal = "0"
	for _, tx := range got.Transactions {
		if tx.Kind == "REFUND" {
			refunded = refunded.Add(tx.Amount)
		}
	}
	assert.Equal(t, 0, refunded.Cmp("20.00"), "refunded %s", refunded)
	// The shop's stock follows the WMS: 5 - 3 packed + 2 restocked.
	assert.Equal(t, 4, o.available(a, "MUG-1", a.dk))
}

// S20 without stock messages: the refund restocks the returned units in the
// shop at the mapped location, the only way they reach the shop's stock.
func TestOutbound_S20_RefundRestocksWithoutStockSync(t *testing.T) {
	o := newOutHarness(t, connector0())
	noStock := maps.Clone(allOn)
	noStock[wms.KindStockChanged] = false
	a := o.addOutShop("out20b", noStock, mug("MUG-1", "10.00", 5))
	key, ord := o.packableOrder(a, "MUG-1", 3, shopifytest.FinancialPaid)
	require.NoError(t, o.wms.Pack(ctxT(t), key, nil))
	o.drainOut()
	before := o.available(a, "MUG-1", a.dk)
	wo, err := o.wms.Order(ctxT(t), key)
	require.NoError(t, err)
	require.NoError(t, o.wms.Refund(ctxT(t), wms.Refund{ID: "RMA-2", Order: key, Amount: "20.00",
		Lines: []wms.RefundLine{{LineID: wo.Lines[0].ExternalID, Quantity: 2, Restock: true, Amount: "20.00"}}}))
	o.drainOut()
	got, _ := a.shop.Order(ord.ID)
	require.Len(t, got.RefundIDs, 1)
	r, _ := a.shop.Refund(got.RefundIDs[0])
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, "RETURN", r.LineItems[0].RestockType)
	assert.Equal(t, a.dk, r.LineItems[0].LocationID)
	assert.True(t, r.LineItems[0].Restocked)
	assert.Equal(t, before+2, o.available(a, "MUG-1", a.dk), "the refund returned the units")
}

// A dead letter is visible with its reason and delivered when replayed
// after the cause is fixed.
func TestOutbound_DeadLetterReplay(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("outdead", nil, mug("MUG-1", "10.00", 5))
	o.drainOut()
	remove := o.srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 500, Shop: a.shop.Name(), Rate: 1})
	require.NoError(t, o.wms.SetBarcode(ctxT(t), "MUG-1", "4006381333931"))
	var dead []wmssync.OutboxMessage
	require.Eventually(t, func() bool {
		var err error
		dead, err = o.engine().DeadLetters(context.Background(), a.settings.Shop)
		return err == nil && len(dead) == 1
	}, 30*time.Second, 10*time.Millisecond)
	assert.Equal(t, wms.KindBarcodeChanged, dead[0].Kind)
	assert.Contains(t, dead[0].LastError, "500")
	assert.Equal(t, 4, dead[0].Attempts)
	v, _ := a.shop.VariantBySKU("MUG-1")
	assert.Equal(t, "5701234567892", v.Barcode, "not delivered while the shop fails")

	remove() // the cause is fixed
	require.NoError(t, o.engine().ReplayDeadLetter(ctxT(t), a.settings.Shop, dead[0].ID))
	o.drainOut()
	v, _ = a.shop.VariantBySKU("MUG-1")
	assert.Equal(t, "4006381333931", v.Barcode)
	require.ErrorIs(t, o.engine().ReplayDeadLetter(ctxT(t), a.settings.Shop, dead[0].ID), wmssync.ErrNotFound)
}

// Echo suppression: pushing a barcode and stock, then letting the shop's
// webhooks arrive, changes nothing in the WMS and sends nothing more.
func TestOutbound_Echo(t *testing.T) {
	o := newOutHarness(t, connector0())
	a := o.addOutShop("outecho", nil, mug("MUG-1", "10.00", 5))
	o.drainOut()
	ctx := ctxT(t)
	o.tick()
	delivered := a.shop.WebhookStats().Delivered
	applied := o.engine().Stats().EventsApplied + o.engine().Stats().EventsStale
	require.NoError(t, o.wms.SetBarcode(ctx, "MUG-1", "4006381333931"))
	require.NoError(t, o.wms.Receive(ctx, whDK, "MUG-1", 2))
	o.drainOut()
	events := len(o.wms.Events())
	msgs, err := o.store.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	before := o.tr.count("inventorySetQuantities") + o.tr.count("productVariantsBulkUpdate")
	// Let every webhook the writes caused arrive and be handled.
	require.NoError(t, o.srv.WaitWebhooks(ctx))
	o.drainOut()
	time.Sleep(100 * time.Millisecond) // a round of the dispatcher
	o.drainOut()
	assert.Greater(t, a.shop.WebhookStats().Delivered, delivered, "the barcode write came back as a products/update webhook")
	assert.Greater(t, o.engine().Stats().EventsApplied+o.engine().Stats().EventsStale, applied, "and the engine handled it")
	assert.Equal(t, events, len(o.wms.Events()), "the WMS changed again: %v", o.wms.Events()[events:])
	after, err := o.store.ListOutbox(ctx, wmssync.OutboxFilter{})
	require.NoError(t, err)
	assert.Len(t, after, len(msgs), "no further outbound message")
	assert.Equal(t, before, o.tr.count("inventorySetQuantities")+o.tr.count("productVariantsBulkUpdate"))
	it, _ := o.item("MUG-1")
	assert.Equal(t, "4006381333931", it.Barcode)
	assert.Equal(t, int64(7), o.wms.Level("MUG-1", whDK).OnHand)
	assert.Equal(t, 7, o.available(a, "MUG-1", a.dk))
	// A value the shop has is not sent again.
	n := o.tr.count("productVariantsBulkUpdate")
	require.NoError(t, o.engine().Publish(ctx, wms.BarcodeChanged{EventInfo: wms.EventInfo{ID: "again", Time: time.Now()}, SKU: "MUG-1", Barcode: "4006381333931"}))
	o.drainOut()
	assert.Equal(t, n, o.tr.count("productVariantsBulkUpdate"))
}

// Crash safety: for every kind, the engine dies after the shop applied the
// mutation and before the answer came back; a new engine on the same store
// finishes the message, and the effect is in the shop exactly once.
func TestOutbound_CrashBetweenSendAndAck(t *testing.T) {
	cases := []struct {
		name, op string
		act      func(o *outHarness, a outShop, key wms.OrderKey) error
		check    func(t *testing.T, o *outHarness, a outShop, ord shopifytest.Order)
	}{
		{"stock", "inventorySetQuantities",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				return o.wms.Receive(context.Background(), whDK, "MUG-1", 4)
			},
			func(t *testing.T, o *outHarness, a outShop, _ shopifytest.Order) {
				assert.Equal(t, 7, o.available(a, "MUG-1", a.dk)) // 5 - 2 ordered + 4
			}},
		{"barcode", "productVariantsBulkUpdate",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				return o.wms.SetBarcode(context.Background(), "MUG-1", "4006381333931")
			},
			func(t *testing.T, o *outHarness, a outShop, _ shopifytest.Order) {
				v, _ := a.shop.VariantBySKU("MUG-1")
				assert.Equal(t, "4006381333931", v.Barcode)
			}},
		{"fulfilment", "fulfillmentCreate",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				return o.wms.Pack(context.Background(), key, &wms.Tracking{Number: "T1"})
			},
			func(t *testing.T, o *outHarness, a outShop, ord shopifytest.Order) {
				got, _ := a.shop.Order(ord.ID)
				assert.Len(t, got.FulfillmentIDs, 1, "fulfilled once")
				assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("20.00"), "captured %s", capturedIn(a, ord.ID))
			}},
		{"capture on pack", "orderCapture",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				return o.wms.Pack(context.Background(), key, nil)
			},
			func(t *testing.T, o *outHarness, a outShop, ord shopifytest.Order) {
				got, _ := a.shop.Order(ord.ID)
				assert.Len(t, got.FulfillmentIDs, 1, "fulfilled once")
				assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("20.00"), "captured %s", capturedIn(a, ord.ID))
			}},
		{"payment captured", "orderCapture",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				return o.wms.CapturePayment(context.Background(), key, "7.00")
			},
			func(t *testing.T, o *outHarness, a outShop, ord shopifytest.Order) {
				assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("7.00"), "captured %s", capturedIn(a, ord.ID))
			}},
		{"cost", "inventoryItemUpdate",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				ctx := context.Background()
				po, err := o.wms.CreatePurchaseOrder(ctx, wms.PurchaseOrder{Warehouse: whDK, Lines: []wms.PurchaseOrderLine{{SKU: "MUG-1", Quantity: 5, UnitCost: "2.00"}}})
				if err != nil {
					return err
				}
				if err := o.wms.ReceivePurchaseOrder(ctx, po.ID, "MUG-1", 5); err != nil {
					return err
				}
				return o.wms.ClosePurchaseOrder(ctx, po.ID)
			},
			func(t *testing.T, o *outHarness, a outShop, _ shopifytest.Order) {
				v, _ := a.shop.VariantBySKU("MUG-1")
				it, _ := a.shop.InventoryItem(v.InventoryItemID)
				assert.Equal(t, 0, it.UnitCost.Cmp("2.00"), "cost %s", it.UnitCost)
			}},
		{"refund", "refundCreate",
			func(o *outHarness, a outShop, key wms.OrderKey) error {
				wo, err := o.wms.Order(context.Background(), key)
				if err != nil {
					return err
				}
				if err := o.wms.CapturePayment(context.Background(), key, "20.00"); err != nil {
					return err
				}
				return o.wms.Refund(context.Background(), wms.Refund{ID: "RMA-C", Order: key, Amount: "10.00",
					Lines: []wms.RefundLine{{LineID: wo.Lines[0].ExternalID, Quantity: 1, Amount: "10.00"}}})
			},
			func(t *testing.T, o *outHarness, a outShop, ord shopifytest.Order) {
				got, _ := a.shop.Order(ord.ID)
				assert.Len(t, got.RefundIDs, 1, "refunded once")
				var refunded shopify.Decimal = "0"
				for _, tx := range got.Transactions {
					if tx.Kind == "REFUND" {
						refunded = refunded.Add(tx.Amount)
					}
				}
				assert.Equal(t, 0, refunded.Cmp("10.00"), "refunded %s", refunded)
				assert.Equal(t, 0, capturedIn(a, ord.ID).Cmp("20.00"), "captured %s", capturedIn(a, ord.ID))
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutHarness(t, connector0())
			a := o.addOutShop("crash"+fmt.Sprint(len(tc.name)), allOn, mug("MUG-1", "10.00", 5))
			key, ord := o.packableOrder(a, "MUG-1", 2, shopifytest.FinancialAuthorized)
			fired := o.tr.armCrash(tc.op)
			require.NoError(t, tc.act(o, a, key))
			select {
			case <-fired:
			case <-time.After(30 * time.Second):
				t.Fatalf("%s was never sent", tc.op)
			}
			o.crashAndRestart()
			o.drainOut()
			tc.check(t, o, a, ord)
		})
	}
}

// Coalescing and batching: 10,000 stock changes over 3,000 SKU-locations
// (1,500 SKUs at two mapped locations), published in an order that is not
// their Seq order, take at most ⌈3,000 / 250⌉ = 12 inventorySetQuantities
// calls once drained, and the shop ends with the newest value (highest
// Seq) of every SKU-location.
func TestOutbound_CoalesceAndBatch(t *testing.T) {
	const skus, changes = 1500, 10000
	o := newOutHarness(t, connector.Config{BulkThreshold: 100}) // import with a bulk export
	var specs []shopifytest.ProductSpec
	for i := range skus {
		specs = append(specs, shopifytest.ProductSpec{Title: fmt.Sprintf("P%d", i), Variants: []shopifytest.VariantSpec{
			{SKU: fmt.Sprintf("SKU-%04d", i), Price: "1.00", Stock: map[int64]int{0: 1, 1: 1}}}})
	}
	start := time.Now()
	a := o.addOutShop("outbulk", nil, specs...)
	o.drainOut()
	t.Logf("setup took %v", time.Since(start))
	start = time.Now()
	defer func() { t.Logf("burst took %v", time.Since(start)) }()

	o.stop() // publish everything first, as after a burst or an outage
	ctx := ctxT(t)
	newest := map[[2]int]int{} // (sku, location index) → newest available
	for j := range changes {
		i := (j * 7919) % changes // a permutation: Seq order ≠ publish order
		pair := i % (2 * skus)
		sku, wh := pair/2, pair%2
		ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: fmt.Sprintf("burst-%d", i), Time: time.Now(), Seq: int64(1_000_000 + i)},
			SKU: fmt.Sprintf("SKU-%04d", sku), Warehouse: []string{whDK, whDE}[wh], OnHand: int64(i), Available: int64(i)}
		require.NoError(t, o.engine().Publish(ctx, ev))
		k := [2]int{sku, wh}
		if v, ok := newest[k]; !ok || i > v {
			newest[k] = i
		}
	}
	require.Len(t, newest, 2*skus)
	before := o.tr.count("inventorySetQuantities")
	o.start()
	o.drainOut()
	calls := o.tr.count("inventorySetQuantities") - before
	ideal := (2*skus + 249) / 250
	t.Logf("outbound efficiency: %d inventorySetQuantities calls for %d SKU-locations (ideal %d): %.2f", calls, 2*skus, ideal, float64(calls)/float64(ideal))
	assert.LessOrEqual(t, calls, ideal)
	for k, v := range newest {
		loc := []int64{a.dk, a.de}[k[1]]
		if got := o.available(a, fmt.Sprintf("SKU-%04d", k[0]), loc); got != v {
			t.Fatalf("SKU-%04d at location %d: available %d, want the newest %d", k[0], k[1], got, v)
		}
	}
	st := o.engine().OutboundStats()
	assert.Equal(t, uint64(changes-2*skus), st.Coalesced)
}
