package connector_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// S15 echo: the WMS changes the barcodes of two variants of one product of
// the main shop in quick succession. Each barcode write makes the shop
// send products/update with the whole product, so the echo of the first
// write still carries the second variant's old barcode. Here the echo of
// the second write is lost (Shopify does not promise delivery) and both
// writes fall in one second of the shop's clock, so the reconciliation
// sweep sees an updated_at equal to the first echo's. After everything
// settles (webhooks, outbox, a sweep, an engine restart), the shop and the
// WMS must both hold both new barcodes; a barcode the merchant changes in
// the shop afterwards must still reach the WMS.
func TestOutbound_S15_BarcodeEchoTwoVariants(t *testing.T) {
	for _, lose := range []bool{false, true} {
		name := map[bool]string{false: "second echo delivered", true: "second echo lost"}[lose]
		t.Run(name, func(t *testing.T) {
			for attempt := 1; ; attempt++ {
				if barcodeEchoTwoVariants(t, lose, attempt == 3) || attempt == 3 {
					return
				}
				t.Logf("attempt %d: the two writes fell in different seconds of the shop's clock; again", attempt)
			}
		})
	}
}

// barcodeEchoTwoVariants runs the scenario; it returns false, checking
// nothing, when the two barcode writes did not fall in one second (a slow
// machine), unless last.
func barcodeEchoTwoVariants(t *testing.T, lose, last bool) bool {
	o := newOutHarness(t, connector0())
	a := o.addMainShop("out15echo", map[wms.EventKind]bool{wms.KindBarcodeChanged: true},
		shopifytest.ProductSpec{Title: "Mug", Vendor: "Nordlicht", Variants: []shopifytest.VariantSpec{
			{Title: "S", SKU: "MUG-S", Barcode: "5701234567892", Price: "10.00", Stock: map[int64]int{0: 5, 1: 0}},
			{Title: "L", SKU: "MUG-L", Barcode: "5701234567908", Price: "12.00", Stock: map[int64]int{0: 5, 1: 0}}}})
	o.drainOut()
	ctx := ctxT(t)

	// Start just after a whole second of the shared clock, later than the
	// import, so that both writes share one updated_at second.
	o.mu.Lock()
	now := time.Now().Add(o.offset)
	o.offset += 2*time.Second - now.Sub(now.Truncate(time.Second)) + 20*time.Millisecond
	o.mu.Unlock()

	if lose {
		// The first echo is delivered (twice: a redelivery), the second lost.
		first := o.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDuplicate, Topic: "products/update", Count: 1})
		second := o.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Topic: "products/update", Count: 1})
		defer first()
		defer second()
	}
	since := len(a.shop.Events(0))
	require.NoError(t, o.wms.SetBarcode(ctx, "MUG-S", "4006381333931"))
	require.NoError(t, o.wms.SetBarcode(ctx, "MUG-L", "4006381333948"))
	o.drainOut()
	var echoes []time.Time
	for _, ev := range a.shop.Events(since) {
		if p, ok := ev.Object.(*shopifytest.Product); ok && ev.Topic == "products/update" {
			echoes = append(echoes, p.UpdatedAt)
		}
	}
	require.Len(t, echoes, 2, "one products/update per barcode write")
	if !echoes[0].Truncate(time.Second).Equal(echoes[1].Truncate(time.Second)) && !last {
		return false
	}
	if lose {
		require.EqualValues(t, 1, a.shop.WebhookStats().Dropped, "the second echo was lost")
	}

	want := map[string]string{"MUG-S": "4006381333931", "MUG-L": "4006381333948"}
	check := func(when string) {
		t.Helper()
		for sku, bc := range want {
			v, ok := a.shop.VariantBySKU(sku)
			require.True(t, ok, sku)
			assert.Equal(t, bc, v.Barcode, "%s: shop's barcode of %s", when, sku)
			it, ok := o.item(sku)
			require.True(t, ok, sku)
			assert.Equal(t, bc, it.Barcode, "%s: WMS's barcode of %s", when, sku)
		}
	}
	check("after the echoes")
	_, err := o.engine().Reconcile(ctx, a.settings.Shop)
	require.NoError(t, err)
	o.drainOut()
	check("after a sweep")
	o.crashAndRestart()
	_, err = o.engine().Reconcile(ctx, a.settings.Shop)
	require.NoError(t, err)
	o.drainOut()
	check("after a restart and a sweep")

	// The main shop's product data still flows: a barcode and a title the
	// merchant changes later reach the WMS.
	o.tick()
	v, _ := a.shop.VariantBySKU("MUG-L")
	bc := "4006381333955"
	_, err = a.shop.EditVariant(v.ID, shopifytest.VariantEdit{Barcode: &bc})
	require.NoError(t, err)
	title := "Mug, stoneware"
	_, err = a.shop.EditProduct(v.ProductID, shopifytest.ProductEdit{Title: &title})
	require.NoError(t, err)
	o.drainOut()
	want["MUG-L"] = bc
	check("after the merchant's edit")
	it, _ := o.item("MUG-S")
	assert.Equal(t, title, it.Title)
	return true
}

// addMainShop is addOutShop for the main shop (S2), whose product data is
// the master for the WMS's titles and barcodes.
func (o *outHarness) addMainShop(name string, outbound map[wms.EventKind]bool, products ...shopifytest.ProductSpec) outShop {
	o.t.Helper()
	shop, dk, de := o.addShop(name)
	for _, p := range products {
		for i := range p.Variants {
			st := map[int64]int{}
			for k, v := range p.Variants[i].Stock {
				st[[]int64{dk, de}[k]] = v
			}
			p.Variants[i].Stock = st
		}
		_, err := shop.CreateProduct(p)
		require.NoError(o.t, err)
	}
	s := settingsFor(shop, dk, de)
	s.Main, s.Outbound = true, outbound
	s = o.save(s)
	require.True(o.t, s.Main)
	o.runSteps(s.Shop, wmssync.StepOutbound, wmssync.StepCustomsCost, wmssync.StepSalesHistory)
	return outShop{shop: shop, dk: dk, de: de, settings: s}
}
