package connector_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

func TestE2E_ConnectionTest(t *testing.T) {
	h := newE2E(t, nil, wootest.WithSiteName("Woo DK"), wootest.WithCountry("DK"))
	ctx := ctxT(t)
	s := h.settings()
	s.POS = true
	r, err := h.eng.TestConnection(ctx, s)
	require.NoError(t, err)
	assert.True(t, r.OK(), r.String())
	assert.Equal(t, "Woo DK", r.Identity.Name)
	assert.Equal(t, "DKK", r.Identity.Currency)
	assert.True(t, r.DomainMatches)
	assert.Equal(t, "wc/v3", r.APIVersion)
	require.Len(t, r.Locations, 1)
	assert.Equal(t, "", r.Locations[0].ID, "one synthetic location")
	text := r.String()
	assert.Contains(t, text, "not supported: point-of-sale sales")
	assert.Contains(t, text, "not supported: import customs information and cost prices")

	// Wrong keys: not authorized, and no secret in the report.
	ck, _ := h.store.Key()
	h.useKey("WOO", ck, "cs_wrong_secret_value")
	r, err = h.eng.TestConnection(ctx, h.settings())
	require.NoError(t, err)
	assert.True(t, r.Reached)
	assert.False(t, r.Authorized)
	assert.NotContains(t, r.String(), "cs_wrong_secret_value")
	h.useKey("WOO", "ck_not_a_key_of_this_store", "cs_not_a_key_of_this_store")
	r, err = h.eng.TestConnection(ctx, h.settings())
	require.NoError(t, err)
	assert.False(t, r.Authorized)

	// A read-only key: webhooks and outbound need write.
	rk, rs := h.store.AddKey(wootest.Read)
	h.useKey("WOO", rk, rs)
	r, err = h.eng.TestConnection(ctx, h.settings())
	require.NoError(t, err)
	assert.True(t, r.Authorized)
	assert.False(t, r.OK())
	assert.Contains(t, r.MissingScopeNames(), "write")
	assert.Contains(t, r.String(), "needed to send stock levels")
	assert.Zero(t, h.store.Counters().BatchItems, "the test wrote nothing")
}

func TestE2E_ImportProductsWithVariationsAndStock(t *testing.T) {
	h := newE2E(t, nil)
	h.store.Seed(wootest.SeedOptions{Simple: 40, Variable: 10, VariationsPer: 3, Stock: 9})
	s := h.setup(false)
	ps := h.store.Products()
	n := 0
	for _, p := range ps {
		if p.Type == "variable" {
			continue
		}
		n++
		it, err := h.wms.Item(context.Background(), p.SKU)
		require.NoError(t, err, p.SKU)
		assert.Equal(t, p.GTIN, it.Barcode)
		assert.Equal(t, int64(9), h.wms.Level(p.SKU, whMain).OnHand, "the store's one stock figure lands in the default warehouse")
		require.Len(t, it.Listings, 1)
		want := wms.Listing{Shop: s.Shop, ProductID: itoa(p.ID), VariantID: itoa(p.ID), InventoryItemID: itoa(p.ID)}
		if p.Type == "variation" {
			want = wms.Listing{Shop: s.Shop, ProductID: itoa(p.ParentID), VariantID: itoa(p.ID), InventoryItemID: itoa(p.ParentID) + "/" + itoa(p.ID)}
			assert.Contains(t, []string{"S", "M", "L"}, it.VariantTitle)
		}
		assert.Equal(t, want, it.Listings[0])
	}
	assert.Equal(t, 70, n)
	assert.Len(t, h.wms.Items(), 70)
	topics := map[string]int{}
	for _, w := range h.store.Webhooks() {
		assert.Equal(t, h.addr, w.DeliveryURL)
		assert.Equal(t, "active", w.Status)
		topics[w.Topic]++
	}
	assert.Equal(t, map[string]int{"product.created": 1, "product.updated": 1, "product.deleted": 1, "product.restored": 1,
		"order.created": 1, "order.updated": 1, "order.deleted": 1, "order.restored": 1}, topics)
	// Running the step again registers nothing twice.
	require.NoError(t, h.eng.RunStep(ctxT(t), s.Shop, wmssync.StepProducts, nil))
	assert.Len(t, h.store.Webhooks(), 8)
}

func TestE2E_ProductChangesByWebhook(t *testing.T) {
	h := newE2E(t, nil)
	h.store.Seed(wootest.SeedOptions{Simple: 2, Variable: 1})
	h.setup(false)
	time.Sleep(1100 * time.Millisecond) // changes must be in a later second than the import
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Wool Socks", Variations: []wootest.VariationSpec{
		{SKU: "SOCK-1", GTIN: "5700000000017", Options: map[string]string{"Size": "39-42"}},
		{SKU: "SOCK-2", GTIN: "5700000000024", Options: map[string]string{"Size": "43-46"}}}})
	require.NoError(t, err)
	var variation wootest.ProductState
	for _, p := range h.store.Products() {
		if p.Type == "variation" && strings.HasPrefix(p.SKU, "W-") {
			variation = p
			break
		}
	}
	ean := "5799999999994"
	require.NoError(t, h.store.EditProduct(variation.ID, wootest.ProductEdit{GTIN: &ean}))
	h.drain()
	it, err := h.wms.Item(context.Background(), "SOCK-2")
	require.NoError(t, err)
	assert.Equal(t, "5700000000024", it.Barcode)
	assert.Equal(t, "43-46", it.VariantTitle)
	it, err = h.wms.Item(context.Background(), variation.SKU)
	require.NoError(t, err)
	assert.Equal(t, ean, it.Barcode, "a variation's change reaches the WMS through its parent")
}

func TestE2E_OrdersByWebhookWithStatusMapping(t *testing.T) {
	h := newE2E(t, nil)
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Mug", SKU: "MUG", Price: "10.00", Stock: 10})
	require.NoError(t, err)
	h.setup(false)
	ctx := ctxT(t)

	paid, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 2}}, Shipping: "5.00"})
	require.NoError(t, err)
	bank, err := h.store.CreateOrder(wootest.OrderSpec{Status: "on-hold", Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 1}}})
	require.NoError(t, err)
	draft, err := h.store.CreateOrder(wootest.OrderSpec{Status: "checkout-draft", Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, h.store.TouchOrder(draft)) // the draft leaks into order.updated
	h.drain()

	o, ok := h.order(paid)
	require.True(t, ok)
	assert.Equal(t, wms.OrderOpen, o.Status)
	assert.Equal(t, wms.StageReleased, o.Stage)
	require.Len(t, o.Lines, 1)
	assert.Equal(t, "MUG", o.Lines[0].SKU)
	assert.Equal(t, int64(2), o.Lines[0].Quantity)
	assert.Equal(t, wms.Decimal("25.00"), o.Total)
	o, ok = h.order(bank)
	require.True(t, ok)
	assert.Equal(t, wms.OrderPaymentPending, o.Status)
	assert.Equal(t, wms.StageHeld, o.Stage, "not picked before it is paid")
	_, ok = h.order(draft)
	assert.False(t, ok, "a checkout draft never reaches the WMS")

	// Paid later: released. Cancelled: a cancellation.
	time.Sleep(1100 * time.Millisecond)
	require.NoError(t, h.store.SetOrderStatus(bank, "processing"))
	h.drain()
	o, _ = h.order(bank)
	assert.Equal(t, wms.OrderOpen, o.Status)
	assert.Equal(t, wms.StageReleased, o.Stage)
	require.NoError(t, h.store.SetOrderStatus(bank, "cancelled"))
	h.drain()
	o, _ = h.order(bank)
	assert.Equal(t, wms.OrderCancelled, o.Status)
	_ = ctx
}

func TestE2E_QuickChangesMergeIntoOneDelivery(t *testing.T) {
	h := newE2E(t, nil, wootest.WithDeliveryDelay(300*time.Millisecond))
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "A", Stock: 10})
	require.NoError(t, err)
	h.setup(false)
	id, err := h.store.CreateOrder(wootest.OrderSpec{Status: "pending", Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, h.store.SetOrderStatus(id, "on-hold"))
	require.NoError(t, h.store.SetOrderStatus(id, "processing"))
	h.drain()
	n := 0
	for _, d := range h.store.Deliveries() {
		if d.Topic == "order.updated" && d.ResourceID == id {
			n++
		}
	}
	assert.Equal(t, 1, n, "three changes, one delivery")
	o, ok := h.order(id)
	require.True(t, ok)
	assert.Equal(t, wms.OrderOpen, o.Status, "built from the order as it was when sent")
	assert.Greater(t, h.store.Counters().Merged, int64(0))
}

func TestE2E_BadSignatureAndPing(t *testing.T) {
	h := newE2E(t, nil)
	h.setup(false)
	before := h.mem.Stats()
	post := func(body string, header http.Header) int {
		req, err := http.NewRequest(http.MethodPost, h.addr, strings.NewReader(body))
		require.NoError(t, err)
		for k, vs := range header {
			req.Header[k] = vs
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	body := `{"id":123,"status":"processing","line_items":[]}`
	signed := http.Header{}
	signed.Set("Content-Type", "application/json")
	signed.Set(woocommerce.HeaderWebhookTopic, "order.created")
	signed.Set(woocommerce.HeaderWebhookSource, h.srv.StoreURL("shop")+"/")
	signed.Set(woocommerce.HeaderWebhookID, "1")
	signed.Set(woocommerce.HeaderWebhookDeliveryID, "abc")
	signed.Set(woocommerce.HeaderWebhookSignature, woocommerce.Sign([]byte(body), "not-the-secret"))
	assert.Equal(t, http.StatusUnauthorized, post(body, signed))
	unsigned := signed.Clone()
	unsigned.Del(woocommerce.HeaderWebhookSignature)
	assert.Equal(t, http.StatusUnauthorized, post(body, unsigned))
	ping := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	assert.Equal(t, http.StatusOK, post("webhook_id=77", ping))
	assert.Equal(t, before, h.mem.Stats(), "nothing stored")
	_, ok := h.order(123)
	assert.False(t, ok)
}

func TestE2E_SameDeliveryIDInOneSecondBothReachTheWMS(t *testing.T) {
	second := time.Now().Truncate(time.Second)
	h := newE2E(t, []wootest.Option{wootest.WithClock(func() time.Time { return second })})
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "A", Stock: 10})
	require.NoError(t, err)
	h.setup(false)
	a, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
	require.NoError(t, err)
	b, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	ids := map[int64]string{}
	for _, d := range h.store.Deliveries() {
		if d.Topic == "order.created" {
			ids[d.ResourceID] = d.DeliveryID
		}
	}
	require.Len(t, ids, 2)
	assert.Equal(t, ids[a], ids[b], "WooCommerce gave both deliveries the same delivery id")
	for _, id := range []int64{a, b} {
		_, ok := h.order(id)
		assert.True(t, ok, "order %d reached the WMS", id)
	}
}

func TestE2E_ReconcileHealsDroppedDeliveries(t *testing.T) {
	h := newE2E(t, nil)
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "A", Stock: 50})
	require.NoError(t, err)
	s := h.setup(false)
	remove := h.srv.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDrop, Rate: 1})
	var ids []int64
	for range 5 {
		id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	require.NoError(t, h.srv.WaitWebhooks(ctxT(t)))
	remove()
	h.drain()
	assert.GreaterOrEqual(t, h.store.Counters().Dropped, int64(5))
	for _, id := range ids {
		_, ok := h.order(id)
		require.False(t, ok, "dropped: WooCommerce never retries")
	}
	res, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	for _, id := range ids {
		_, ok := h.order(id)
		assert.True(t, ok, "the sweep brought order %d", id)
	}
	assert.GreaterOrEqual(t, res.OrdersApplied, 5, "%+v", res)
}

func TestE2E_AuditReactivatesADisabledWebhook(t *testing.T) {
	h := newE2E(t, nil, wootest.WithDeliveryDelay(0))
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "A", Stock: 50})
	require.NoError(t, err)
	s := h.setup(false)
	h.down.Store(true)
	var ids []int64
	for range 7 {
		id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
		require.NoError(t, err)
		ids = append(ids, id)
		require.NoError(t, h.srv.WaitWebhooks(ctxT(t)))
	}
	disabled := 0
	for _, w := range h.store.Webhooks() {
		if w.Status == "disabled" {
			disabled++
		}
	}
	require.Greater(t, disabled, 0, "WooCommerce disabled the webhooks after seven failures")
	h.down.Store(false)
	res, err := h.eng.AuditWebhooks(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.NotEmpty(t, res.Recreated[wmssync.OrderWebhooks], "%+v", res)
	for _, w := range h.store.Webhooks() {
		assert.Equal(t, "active", w.Status, w.Topic)
	}
	_, err = h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	for _, id := range ids {
		_, ok := h.order(id)
		assert.True(t, ok, "order %d", id)
	}
	// Deliveries flow again.
	id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
	require.NoError(t, err)
	h.drain()
	_, ok := h.order(id)
	assert.True(t, ok)
}

func TestE2E_SalesHistory(t *testing.T) {
	h := newE2E(t, nil)
	h.store.Seed(wootest.SeedOptions{Simple: 5, Orders: 30, OrderDays: 20})
	h.setup(true)
	sold := map[string]int64{}
	for _, o := range h.store.Orders() {
		for _, l := range o.Lines {
			sold[l.SKU] += l.Quantity
		}
	}
	from := wms.DateOf(time.Now().AddDate(0, 0, -40))
	to := wms.DateOf(time.Now())
	for sku, n := range sold {
		days, err := h.wms.DailySales(context.Background(), sku, from, to)
		require.NoError(t, err)
		var got int64
		for _, d := range days {
			got += d.Quantity
		}
		assert.Equal(t, n, got, sku)
	}
}

func TestE2E_OutboundStockBarcodePackedRefund(t *testing.T) {
	h := newE2E(t, nil)
	h.store.Seed(wootest.SeedOptions{Simple: 250, Variable: 3, Stock: 5})
	s := h.setup(false)
	ctx := ctxT(t)
	ps := h.store.Products()

	// Stock: a burst of receipts for every SKU.
	h.store.ResetCounters()
	var skus []string
	for _, p := range ps {
		if p.SKU != "" {
			skus = append(skus, p.SKU)
			require.NoError(t, h.wms.Receive(ctx, whMain, p.SKU, 10))
		}
	}
	h.outboundDone(s.Shop)
	for _, p := range ps {
		if p.SKU != "" {
			st, _ := h.store.Product(p.ID)
			assert.Equal(t, int64(15), st.Stock, p.SKU)
		}
	}
	writes := h.store.Counters().Writes
	assert.LessOrEqual(t, writes, int64(3+3)*2, "about ⌈250/100⌉ calls for simple products and one per parent, per burst (%d)", writes)

	// Barcode.
	require.NoError(t, h.wms.SetBarcode(ctx, skus[0], "5712345678906"))
	h.outboundDone(s.Shop)
	p, _ := h.store.ProductBySKU(skus[0])
	assert.Equal(t, "5712345678906", p.GTIN)

	// An order, packed in the WMS: completed in the store with a tracking note.
	id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: skus[1], Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	require.NoError(t, h.wms.Pack(ctx, wms.OrderKey{Shop: s.Shop, ExternalID: itoa(id)}, &wms.Tracking{Company: "GLS", Number: "GLS-1"}))
	h.outboundDone(s.Shop)
	o, _ := h.store.Order(id)
	assert.Equal(t, "completed", o.Status)
	var notes []string
	for _, n := range o.Notes {
		if n.Customer {
			notes = append(notes, n.Text)
		}
	}
	require.Len(t, notes, 1)
	assert.Contains(t, notes[0], "GLS-1")

	// A refund, once.
	line := o.Lines[0]
	require.NoError(t, h.wms.Refund(ctx, wms.Refund{ID: "RF-1", Order: wms.OrderKey{Shop: s.Shop, ExternalID: itoa(id)}, Amount: "5.00",
		Lines: []wms.RefundLine{{LineID: itoa(line.ID), SKU: skus[1], Quantity: 1, Amount: "5.00"}}}))
	h.outboundDone(s.Shop)
	o, _ = h.store.Order(id)
	require.Len(t, o.Refunds, 1)
	assert.Equal(t, "5.00", o.Refunds[0].Amount)
	assert.False(t, o.Refunds[0].PaymentRefunded)
	dead, err := h.eng.DeadLetters(ctx, s.Shop)
	require.NoError(t, err)
	assert.Empty(t, dead)
}

func TestE2E_ReadOnlyKeyUsedForWritesIsDeadLettered(t *testing.T) {
	h := newE2E(t, nil)
	h.store.Seed(wootest.SeedOptions{Simple: 3, Stock: 5})
	s := h.setup(false)
	rk, rs := h.store.AddKey(wootest.Read)
	h.useKey(s.Shop, rk, rs)
	s.DisplayName = "re-connect with the new key"
	s = h.save(s)
	sku := h.store.Products()[0].SKU
	require.NoError(t, h.wms.Receive(ctxT(t), whMain, sku, 10))
	var dead []wmssync.OutboxMessage
	require.Eventually(t, func() bool {
		_, _ = h.eng.DeliverOutbound(context.Background())
		var err error
		dead, err = h.eng.DeadLetters(context.Background(), s.Shop)
		return err == nil && len(dead) > 0
	}, 30*time.Second, 20*time.Millisecond)
	assert.Contains(t, dead[0].LastError, "write permissions")
	p, _ := h.store.ProductBySKU(sku)
	assert.Equal(t, int64(5), p.Stock, "nothing written")
	assert.False(t, bytes.Contains([]byte(h.logText()), []byte(rs)), "the secret is not logged")
	_ = fmt.Sprint
}

// TestE2E_OrderPaidWithinTheSecondReachesPickingBySweep: checkout creates
// the order pending and the payment gateway moves it to processing within
// the same second (date_modified_gmt has whole seconds, deliveries carry no
// trigger time); the order.updated delivery is lost and WooCommerce never
// retries it. The sweep reads the order at the version already applied
// from order.created and must still release it to picking.
func TestE2E_OrderPaidWithinTheSecondReachesPickingBySweep(t *testing.T) {
	var frozen atomic.Pointer[time.Time] // the store's clock while set
	clock := func() time.Time {
		if at := frozen.Load(); at != nil {
			return *at
		}
		return time.Now()
	}
	h := newE2E(t, []wootest.Option{wootest.WithClock(clock)})
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Mug", SKU: "MUG", Price: "10.00", Stock: 10})
	require.NoError(t, err)
	s := h.setup(false)

	at := time.Now().Truncate(time.Second).Add(100 * time.Millisecond)
	frozen.Store(&at) // creation and payment within one second
	id, err := h.store.CreateOrder(wootest.OrderSpec{Status: "pending", Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 1}}})
	require.NoError(t, err)
	h.drain() // order.created, built and sent while the order is pending
	o, ok := h.order(id)
	require.True(t, ok)
	require.Equal(t, wms.OrderPaymentPending, o.Status)
	require.Equal(t, wms.StageHeld, o.Stage)

	remove := h.srv.InjectWebhookFault(wootest.WebhookFault{Kind: wootest.WebhookDrop, Topic: "order.updated", Count: 1})
	defer remove()
	paidAt := at.Add(600 * time.Millisecond)
	frozen.Store(&paidAt)
	require.NoError(t, h.store.SetOrderStatus(id, "processing"))
	h.drain()
	require.Equal(t, int64(1), h.store.Counters().Dropped, "the processing delivery was lost")
	o, _ = h.order(id)
	require.Equal(t, wms.OrderPaymentPending, o.Status, "nothing told the engine yet")
	frozen.Store(nil)

	res, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	o, _ = h.order(id)
	assert.Equal(t, wms.OrderOpen, o.Status, "the sweep brought the payment")
	assert.Equal(t, wms.StageReleased, o.Stage, "released to picking")
	assert.Equal(t, 1, res.OrdersApplied, "%+v", res)

	res, err = h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Zero(t, res.OrdersApplied, "a second sweep changes nothing: %+v", res)
	assert.Equal(t, 1, res.OrdersSeen, "%+v", res)
}
