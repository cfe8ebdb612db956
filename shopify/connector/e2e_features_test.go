package connector_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// S2: the main shop's product data wins for a SKU several shops sell,
// whatever the order the data arrives in; every shop's listing is kept (so
// stock changes can go to each).
func TestE2E_S2_MainShop(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	dkShop, dk1, de1 := h.addShop("s2dk")
	ukShop, dk2, de2 := h.addShop("s2uk")
	_, err := dkShop.CreateProduct(shopifytest.ProductSpec{Title: "Klassisk krus", Vendor: "Nordlicht", Variants: []shopifytest.VariantSpec{
		{SKU: "SHARED-1", Barcode: "5701111111116", Price: "79.00", Stock: map[int64]int{dk1: 5}}}})
	require.NoError(t, err)
	ukProd, err := ukShop.CreateProduct(shopifytest.ProductSpec{Title: "Classic mug", Vendor: "Northern Light", Variants: []shopifytest.VariantSpec{
		{SKU: "SHARED-1", Barcode: "5702222222224", Price: "9.00", Stock: map[int64]int{dk2: 5}}}})
	require.NoError(t, err)

	dkSettings := settingsFor(dkShop, dk1, de1)
	dkSettings.Main = true
	dkSettings = h.save(dkSettings)
	uk := h.save(settingsFor(ukShop, dk2, de2))
	// A second main shop is refused.
	uk2 := uk
	uk2.Main = true
	_, err = h.eng.SaveSettings(ctxT(t), uk2)
	require.ErrorIs(t, err, wmssync.ErrInvalidSettings)

	// The other shop imports first, the main shop second ...
	h.runSteps(uk.Shop, wmssync.StepProducts)
	it, _ := h.item("SHARED-1")
	assert.Equal(t, "Classic mug", it.Title, "only the other shop so far")
	h.runSteps(dkSettings.Shop, wmssync.StepProducts)
	it, _ = h.item("SHARED-1")
	assert.Equal(t, "Klassisk krus", it.Title)
	assert.Equal(t, "5701111111116", it.Barcode)
	assert.Equal(t, dkSettings.Shop, it.Source)

	// ... and a later change in the other shop, through its webhook, does
	// not override the main shop's data.
	h.tick()
	title := "Classic mug (new)"
	_, err = ukShop.EditProduct(ukProd.ID, shopifytest.ProductEdit{Title: &title})
	require.NoError(t, err)
	h.drain()
	it, _ = h.item("SHARED-1")
	assert.Equal(t, "Klassisk krus", it.Title)
	require.Len(t, it.Listings, 2, "both shops sell the SKU")
	shops := []string{it.Listings[0].Shop, it.Listings[1].Shop}
	assert.ElementsMatch(t, []string{dkSettings.Shop, uk.Shop}, shops)
	assert.Positive(t, h.eng.Stats().EventsApplied)
}

// S3: the vendor goes to the brand by default; with the toggle on (changed
// at run time) it becomes the supplier.
func TestE2E_S3_VendorAsSupplier(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s3shop")
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Hoodie", Vendor: "Bergquelle", Variants: []shopifytest.VariantSpec{{SKU: "HOOD-1", Price: "59.00"}}})
	require.NoError(t, err)
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepProducts)
	it, _ := h.item("HOOD-1")
	assert.Equal(t, "Bergquelle", it.Brand)
	assert.Equal(t, "", it.Supplier)

	s.VendorAsSupplier = true
	h.save(s)
	h.tick()
	vendor := "Bergquelle Supply Co"
	_, err = shop.EditProduct(p.ID, shopifytest.ProductEdit{Vendor: &vendor})
	require.NoError(t, err)
	h.drain()
	it, _ = h.item("HOOD-1")
	assert.Equal(t, vendor, it.Supplier)
	assert.Equal(t, "", it.Brand)
	assert.Contains(t, h.wms.Suppliers(), vendor)
}

// S4: with POS on, a POS sale arriving by webhook moves stock at the
// warehouse mapped to its location and records a sale, and never becomes
// a pick order; with POS off (switched at run time) POS orders are
// ignored.
func TestE2E_S4_POS(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s4shop")
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Cap", Vendor: "Kiezwerk", Variants: []shopifytest.VariantSpec{
		{SKU: "CAP-1", Price: "20.00", Stock: map[int64]int{dk: 10, de: 4}}}})
	require.NoError(t, err)
	s := settingsFor(shop, dk, de)
	s.POS = true
	s = h.save(s)
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	require.Equal(t, int64(10), h.wms.Level("CAP-1", whDK).OnHand)

	sale, err := shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: dk, Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 3}}})
	require.NoError(t, err)
	h.drain()
	_, isOrder := h.order(s.Shop, sale.ID)
	assert.False(t, isOrder, "a POS sale is never a pick order")
	assert.Equal(t, int64(7), h.wms.Level("CAP-1", whDK).OnHand, "stock moved at the mapped warehouse")
	assert.Equal(t, int64(4), h.wms.Level("CAP-1", whDE).OnHand)
	var moved bool
	for _, m := range h.wms.Movements() {
		if m.OrderID == shopify.GID("Order", sale.ID) {
			moved = true
			assert.Equal(t, wms.ReasonPOSSale, m.Reason)
			assert.Equal(t, whDK, m.Warehouse)
			assert.Equal(t, int64(-3), m.Delta)
		}
	}
	assert.True(t, moved)
	// A sale counts on the shop's own calendar day (between 23:00 and
	// midnight UTC that is already tomorrow in Berlin).
	zone, err := time.LoadLocation(shop.Info().IanaTimezone)
	require.NoError(t, err)
	day := wms.DateOf(sale.CreatedAt.In(zone))
	sales, err := h.wms.DailySales(context.Background(), "CAP-1", day, day)
	require.NoError(t, err)
	require.Len(t, sales, 1)
	assert.Equal(t, int64(3), sales[0].Quantity)
	assert.Equal(t, uint64(1), h.eng.Stats().POSSales)

	// A redelivered or re-swept sale does not move stock twice.
	_, err = h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Equal(t, int64(7), h.wms.Level("CAP-1", whDK).OnHand)

	s.POS = false
	h.save(s)
	off, err := shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: dk, Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	_, isOrder = h.order(s.Shop, off.ID)
	assert.False(t, isOrder)
	assert.Equal(t, int64(7), h.wms.Level("CAP-1", whDK).OnHand, "POS off: ignored")
	sales, _ = h.wms.DailySales(context.Background(), "CAP-1", day, wms.DateOf(off.CreatedAt.In(zone)))
	var total int64
	for _, d := range sales {
		total += d.Quantity
	}
	assert.Equal(t, int64(3), total)
}

// S5: locations map to warehouses: stock is imported per mapped location,
// unmapped locations are ignored (stock and POS sales) and listed by the
// connection test.
func TestE2E_S5_LocationMapping(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s5shop")
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Lamp", Variants: []shopifytest.VariantSpec{
		{SKU: "LAMP-1", Price: "99.00", Stock: map[int64]int{dk: 6, de: 9}}}})
	require.NoError(t, err)
	s := settingsFor(shop, dk, de)
	s.Locations = map[string]string{shopify.GID("Location", dk): whDE} // Copenhagen stock goes to the German warehouse; Berlin unmapped
	s.POS = true
	s = h.save(s)

	rep, err := h.eng.TestConnection(ctxT(t), s)
	require.NoError(t, err)
	var unmapped []string
	for _, l := range rep.Locations {
		if l.Warehouse == "" {
			unmapped = append(unmapped, l.Name)
		}
	}
	assert.Equal(t, []string{"Berlin"}, unmapped)

	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	assert.Equal(t, int64(6), h.wms.Level("LAMP-1", whDE).OnHand, "Copenhagen's stock at the mapped warehouse")
	assert.Equal(t, int64(0), h.wms.Level("LAMP-1", whDK).OnHand, "Berlin's stock is not imported")

	_, err = shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: de, Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	h.drain()
	assert.Equal(t, int64(6), h.wms.Level("LAMP-1", whDE).OnHand)
	assert.Empty(t, h.wms.Movements(), "a POS sale at an unmapped location is ignored")
	assert.Equal(t, uint64(1), h.eng.Stats().UnmappedLocation)
}

// S9: customs information and cost prices from the inventory items, and
// the step can be skipped.
func TestE2E_S9_CustomsAndCost(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s9shop")
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 91, Products: 12, VariantsPerProduct: 2})
	require.NoError(t, err)
	skipShop, dk2, de2 := h.addShop("s9skip")
	_, err = skipShop.CreateProduct(shopifytest.ProductSpec{Title: "Blanket", Variants: []shopifytest.VariantSpec{
		{SKU: "BLANKET-1", Price: "80.00", Cost: "31.50", HarmonizedSystemCode: "630140", CountryCodeOfOrigin: "PT"}}})
	require.NoError(t, err)

	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepCustomsCost)
	var withCost int
	for _, p := range shop.Products() {
		for _, vid := range p.VariantIDs {
			v, _ := shop.Variant(vid)
			inv, _ := shop.InventoryItem(v.InventoryItemID)
			it, ok := h.item(inv.SKU)
			require.True(t, ok)
			assert.Equal(t, inv.HarmonizedSystemCode, it.Customs.HSCode, inv.SKU)
			assert.Equal(t, inv.CountryCodeOfOrigin, it.Customs.CountryOfOrigin, inv.SKU)
			for _, cc := range inv.CountryHarmonizedSystemCodes {
				assert.Equal(t, cc.HarmonizedSystemCode, it.Customs.CountryHSCodes[cc.CountryCode], inv.SKU)
			}
			if inv.UnitCost != "" {
				withCost++
				assert.Zero(t, it.Cost.Cmp(wms.Decimal(inv.UnitCost.String())), "%s: %s vs %s", inv.SKU, it.Cost, inv.UnitCost)
			}
		}
	}
	assert.Positive(t, withCost)

	sk := h.save(settingsFor(skipShop, dk2, de2))
	h.runSteps(sk.Shop, wmssync.StepCustomsCost, wmssync.StepCustomsCost)
	it, _ := h.item("BLANKET-1")
	assert.True(t, it.Customs.IsZero(), "skipped: no customs imported")
	assert.Equal(t, wms.Decimal(""), it.Cost)
	states, err := h.eng.StepStates(ctxT(t), sk.Shop)
	require.NoError(t, err)
	assert.Equal(t, wmssync.StepSkipped, states[1].Status)
}

// S11: an order is held until items exist for its lines and released to
// picking when every line can be fulfilled; here the product's own webhook
// was lost, so the sweep brings the item, and stock arriving releases it.
func TestE2E_S11_HoldAndRelease(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("s11shop")
	s := h.save(settingsFor(shop, dk, de))
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)

	h.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Topic: "products/create", Count: 1})
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Backpack", Variants: []shopifytest.VariantSpec{{SKU: "BAG-1", Price: "120.00"}}})
	require.NoError(t, err)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 2}}})
	require.NoError(t, err)
	h.drain()
	_, ok := h.item("BAG-1")
	require.False(t, ok, "the product webhook was dropped")
	wo, ok := h.order(s.Shop, o.ID)
	require.True(t, ok)
	assert.Equal(t, wms.StageHeld, wo.Stage)
	assert.NotEmpty(t, wo.HoldReason)

	res, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Equal(t, 1, res.ProductsApplied, "the sweep brings the missed product")
	_, ok = h.item("BAG-1")
	require.True(t, ok)
	wo, _ = h.order(s.Shop, o.ID)
	assert.Equal(t, wms.StageHeld, wo.Stage, "no stock yet")

	require.NoError(t, h.wms.Receive(context.Background(), whDK, "BAG-1", 1))
	wo, _ = h.order(s.Shop, o.ID)
	assert.Equal(t, wms.StageHeld, wo.Stage, "one unit is not enough")
	require.NoError(t, h.wms.Receive(context.Background(), whDK, "BAG-1", 1))
	wo, _ = h.order(s.Shop, o.ID)
	assert.Equal(t, wms.StageReleased, wo.Stage)
}
