package shopify_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// End-to-end tests of the resource services against the simulated Shopify
// (shopifytest): real HTTP, real GraphQL execution against the 2026-10
// schema, the simulator's userErrors and access-scope checks.

type sim struct {
	srv    *shopifytest.Server
	shop   *shopifytest.Shop
	client *shopify.Client
	ctx    context.Context
}

func newSim(t *testing.T, shopOpts ...shopifytest.ShopOption) *sim {
	t.Helper()
	return newSimServer(t, nil, shopOpts...)
}

func newSimServer(t *testing.T, srvOpts []shopifytest.Option, shopOpts ...shopifytest.ShopOption) *sim {
	t.Helper()
	srv := shopifytest.NewServer(append([]shopifytest.Option{
		shopifytest.WithShop("e2e-shop", shopOpts...),
		shopifytest.WithBulkDurations(5*time.Millisecond, 5*time.Millisecond),
	}, srvOpts...)...)
	t.Cleanup(srv.Close)
	shop := srv.Shop("e2e-shop")
	return &sim{srv: srv, shop: shop, client: simClient(t, srv, shop), ctx: context.Background()}
}

func simClient(t *testing.T, srv *shopifytest.Server, shop *shopifytest.Shop) *shopify.Client {
	t.Helper()
	c, err := shopify.NewClient(shop.Domain(),
		shopify.WithBaseURL(srv.ShopURL(shop.Name())),
		shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithLogger(slog.New(slog.DiscardHandler)),
	)
	require.NoError(t, err)
	return c
}

// without returns the default scopes minus the given ones.
func without(drop ...string) []string {
	return slices.DeleteFunc(shopifytest.DefaultScopes(), func(s string) bool { return slices.Contains(drop, s) })
}

func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func TestE2EShopDetails(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	d, err := s.client.ShopDetails().Get(s.ctx)
	require.NoError(t, err)
	assert.Equal(t, "e2e-shop.myshopify.com", d.MyshopifyDomain)
	assert.NotEmpty(t, d.Name)
	assert.NotEmpty(t, d.CurrencyCode)
	assert.NotEmpty(t, d.IANATimezone)
	assert.NotEmpty(t, d.WeightUnit)
	assert.NotEmpty(t, d.Plan.PublicDisplayName)

	scopes, err := s.client.ShopDetails().AccessScopes(s.ctx)
	require.NoError(t, err)
	want := s.shop.Scopes()
	slices.Sort(want)
	assert.Equal(t, want, scopes)
	assert.Empty(t, shopify.MissingScopes(scopes, []string{"read_products", "write_inventory", "read_orders"}))
	assert.Equal(t, []string{"read_all_orders"}, shopify.MissingScopes(scopes, []string{"read_orders", "read_all_orders"}))

	versions, err := s.client.ShopDetails().APIVersions(s.ctx)
	require.NoError(t, err)
	i := slices.IndexFunc(versions, func(v shopify.APIVersion) bool { return v.Handle == "2026-10" })
	require.GreaterOrEqual(t, i, 0, "%+v", versions)
	assert.True(t, versions[i].Supported)
}

func TestHasScope(t *testing.T) {
	t.Parallel()
	assert.True(t, shopify.HasScope([]string{"write_products"}, "read_products"), "write implies read")
	assert.False(t, shopify.HasScope([]string{"read_products"}, "write_products"))
	assert.True(t, shopify.HasScope([]string{"read_orders"}, "read_orders"))
	assert.False(t, shopify.HasScope(nil, "read_orders"))
}

func TestE2ELocations(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	a := s.shop.AddLocation(shopifytest.LocationSpec{Name: "A Warehouse", City: "Hamburg"})
	s.shop.AddLocation(shopifytest.LocationSpec{Name: "B Store"})
	s.shop.AddLocation(shopifytest.LocationSpec{Name: "C Closed", Inactive: true})

	active := collect(t, s.client.Locations().List(s.ctx, nil))
	var names []string
	for _, l := range active {
		names = append(names, l.Name)
		assert.True(t, l.IsActive)
	}
	assert.Contains(t, names, "A Warehouse")
	assert.Contains(t, names, "B Store")
	assert.NotContains(t, names, "C Closed")

	all := collect(t, s.client.Locations().List(s.ctx, &shopify.LocationListOptions{IncludeInactive: true}))
	assert.Len(t, all, len(active)+1)

	l, err := s.client.Locations().Get(s.ctx, shopify.GID("Location", a.ID))
	require.NoError(t, err)
	assert.Equal(t, "A Warehouse", l.Name)
	assert.Equal(t, "Hamburg", l.Address.City)
	assert.Equal(t, "DE", l.Address.CountryCode)
	assert.True(t, l.FulfillsOnlineOrders)
	assert.True(t, l.ShipsInventory)
	assert.False(t, l.IsFulfillmentService)

	_, err = s.client.Locations().Get(s.ctx, shopify.GID("Location", 987654321))
	assert.ErrorIs(t, err, shopify.ErrNotFound)

	// Missing scope: neither read_locations nor read_inventory.
	ns := newSim(t, shopifytest.WithScopes(without("read_locations", "read_inventory", "write_inventory")...))
	for _, err := range ns.client.Locations().List(ns.ctx, nil) {
		require.ErrorIs(t, err, shopify.ErrAccessDenied)
	}
}

type simProduct struct {
	ID       int64
	Variants []simVariant
}

type simVariant struct{ ID, InventoryItemID int64 }

// catalog creates n products with k variants each at loc.
func catalog(t *testing.T, shop *shopifytest.Shop, loc int64, n, k int, status string) []simProduct {
	t.Helper()
	var out []simProduct
	for i := range n {
		spec := shopifytest.ProductSpec{Title: fmt.Sprintf("Product %d", i), Status: status, Vendor: "Acme"}
		for j := range k {
			spec.Variants = append(spec.Variants, shopifytest.VariantSpec{
				Title: fmt.Sprintf("V%d", j), SKU: fmt.Sprintf("SKU-%d-%d", i, j), Barcode: shopifytest.EAN13(int64(i*1000 + j)),
				Price: "10.00", Cost: "4.20", HarmonizedSystemCode: "610910", CountryCodeOfOrigin: "PT",
				Stock: map[int64]int{loc: 5},
			})
		}
		p, err := shop.CreateProduct(spec)
		require.NoError(t, err)
		sp := simProduct{ID: p.ID}
		for _, id := range p.VariantIDs {
			v, ok := shop.Variant(id)
			require.True(t, ok)
			sp.Variants = append(sp.Variants, simVariant{ID: id, InventoryItemID: v.InventoryItemID})
		}
		out = append(out, sp)
	}
	return out
}

func TestE2EProducts(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	loc := s.shop.AddLocation(shopifytest.LocationSpec{Name: "WH"})
	before := time.Now().Add(-time.Minute)
	active := catalog(t, s.shop, loc.ID, 3, 2, "ACTIVE")
	catalog(t, s.shop, loc.ID, 2, 1, "DRAFT")

	all := collect(t, s.client.Products().List(s.ctx, nil))
	assert.Len(t, all, 5)
	onlyActive := collect(t, s.client.Products().List(s.ctx, &shopify.ProductListOptions{Status: []string{"ACTIVE"}, UpdatedAtMin: before}))
	require.Len(t, onlyActive, 3)
	assert.Equal(t, 2, onlyActive[0].VariantsCount)
	assert.Empty(t, onlyActive[0].Variants)
	future := collect(t, s.client.Products().List(s.ctx, &shopify.ProductListOptions{UpdatedAtMin: time.Now().Add(time.Hour)}))
	assert.Empty(t, future)

	p, err := s.client.Products().Get(s.ctx, shopify.GID("Product", active[0].ID))
	require.NoError(t, err)
	require.Len(t, p.Variants, 2)
	v := p.Variants[0]
	assert.Equal(t, "SKU-0-0", v.SKU)
	assert.Equal(t, shopifytest.EAN13(0), v.Barcode)
	assert.Equal(t, 0, v.Price.Cmp("10"))
	assert.Equal(t, p.ID, v.Product.ID)
	assert.NotEmpty(t, v.InventoryItem.ID)

	_, err = s.client.Products().Get(s.ctx, shopify.GID("Product", 999999999))
	assert.ErrorIs(t, err, shopify.ErrNotFound)

	bySKU, err := s.client.Products().VariantsBySKU(s.ctx, "SKU-1-1")
	require.NoError(t, err)
	require.Len(t, bySKU, 1)
	assert.Equal(t, "SKU-1-1", bySKU[0].SKU)
	byEAN, err := s.client.Products().VariantsByBarcode(s.ctx, shopifytest.EAN13(2001))
	require.NoError(t, err)
	require.Len(t, byEAN, 1)
	assert.Equal(t, "SKU-2-1", byEAN[0].SKU)
	none, err := s.client.Products().VariantsBySKU(s.ctx, "NOPE")
	require.NoError(t, err)
	assert.Empty(t, none)

	// Barcode (EAN) and SKU updates; SKU goes through the inventory item.
	ean, sku := shopifytest.EAN13(777), "NEW-SKU"
	upd, err := s.client.Products().UpdateVariants(s.ctx, p.ID, []shopify.VariantUpdate{{ID: v.ID, Barcode: &ean, SKU: &sku}})
	require.NoError(t, err)
	require.Len(t, upd, 1)
	assert.Equal(t, ean, upd[0].Barcode)
	assert.Equal(t, sku, upd[0].SKU)
	id, _ := shopify.LegacyID(v.ID, "ProductVariant")
	stored, ok := s.shop.Variant(id)
	require.True(t, ok)
	assert.Equal(t, ean, stored.Barcode)
	item, _ := s.shop.InventoryItem(stored.InventoryItemID)
	assert.Equal(t, sku, item.SKU)

	// A variant of another product is refused as a whole.
	_, err = s.client.Products().UpdateVariants(s.ctx, p.ID, []shopify.VariantUpdate{{ID: shopify.GID("ProductVariant", active[1].Variants[0].ID), Barcode: &ean}})
	var ue *shopify.UserErrorsError
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.HasCode("MUST_BE_FOR_THIS_PRODUCT"), "%v", err)

	// Missing scope: read-only app cannot update.
	ro := newSim(t, shopifytest.WithScopes(without("write_products")...))
	rp := catalog(t, ro.shop, ro.shop.AddLocation(shopifytest.LocationSpec{}).ID, 1, 1, "ACTIVE")
	_, err = ro.client.Products().UpdateVariants(ro.ctx, shopify.GID("Product", rp[0].ID), []shopify.VariantUpdate{{ID: shopify.GID("ProductVariant", rp[0].Variants[0].ID), Barcode: &ean}})
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

// A product with Shopify's maximum of 2,048 variants: Get pages through
// them (9 pages) and UpdateVariants batches them (9 calls of at most 250).
// Simulated time runs 100 times faster so the rate limit does not make the
// test wait.
func TestE2EProductWithManyVariants(t *testing.T) {
	t.Parallel()
	s := newSimServer(t, []shopifytest.Option{shopifytest.WithTimeScale(100)})
	loc := s.shop.AddLocation(shopifytest.LocationSpec{Name: "WH"})
	const n = 2048
	p := catalog(t, s.shop, loc.ID, 1, n, "ACTIVE")[0]
	got, err := s.client.Products().Get(s.ctx, shopify.GID("Product", p.ID))
	require.NoError(t, err)
	require.Len(t, got.Variants, n)
	assert.Equal(t, n, got.VariantsCount)
	seen := map[string]bool{}
	for _, v := range got.Variants {
		seen[v.ID] = true
	}
	assert.Len(t, seen, n, "no variant twice")

	updates := make([]shopify.VariantUpdate, n)
	for i, v := range got.Variants {
		b := shopifytest.EAN13(int64(500_000 + i))
		updates[i] = shopify.VariantUpdate{ID: v.ID, Barcode: &b}
	}
	done, err := s.client.Products().UpdateVariants(s.ctx, got.ID, updates)
	require.NoError(t, err)
	assert.Len(t, done, n)
	last, _ := shopify.LegacyID(got.Variants[n-1].ID, "ProductVariant")
	v, _ := s.shop.Variant(last)
	assert.Equal(t, shopifytest.EAN13(int64(500_000+n-1)), v.Barcode)
}

func TestE2EInventoryItems(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	loc := s.shop.AddLocation(shopifytest.LocationSpec{Name: "WH"})
	p := catalog(t, s.shop, loc.ID, 1, 1, "ACTIVE")[0]
	itemID := shopify.GID("InventoryItem", p.Variants[0].InventoryItemID)

	it, err := s.client.InventoryItems().Get(s.ctx, itemID)
	require.NoError(t, err)
	require.NotNil(t, it.UnitCost)
	assert.Equal(t, 0, it.UnitCost.Amount.Cmp("4.20"))
	assert.Equal(t, "610910", it.HarmonizedSystemCode)
	assert.Equal(t, "PT", it.CountryCodeOfOrigin)
	assert.Equal(t, "SKU-0-0", it.SKU)

	cost := shopify.MustDecimal("5.35")
	hs, origin, prov := "611020", "CA", "ON"
	up, err := s.client.InventoryItems().Update(s.ctx, itemID, shopify.InventoryItemUpdate{
		Cost: &cost, HarmonizedSystemCode: &hs, CountryCodeOfOrigin: &origin, ProvinceCodeOfOrigin: &prov,
		CountryHarmonizedSystemCodes: []shopify.CountryHSCode{{CountryCode: "US", HarmonizedSystemCode: "6110201010"}},
	})
	require.NoError(t, err)
	assert.Equal(t, 0, up.UnitCost.Amount.Cmp(cost), "write cost, read unitCost")
	assert.Equal(t, hs, up.HarmonizedSystemCode)
	assert.Equal(t, origin, up.CountryCodeOfOrigin)
	assert.Equal(t, prov, up.ProvinceCodeOfOrigin)
	assert.Equal(t, []shopify.CountryHSCode{{CountryCode: "US", HarmonizedSystemCode: "6110201010"}}, up.CountryHarmonizedSystemCodes)

	again, err := s.client.InventoryItems().Get(s.ctx, itemID)
	require.NoError(t, err)
	assert.Equal(t, up.CountryHarmonizedSystemCodes, again.CountryHarmonizedSystemCodes)
	stored, _ := s.shop.InventoryItem(p.Variants[0].InventoryItemID)
	assert.Equal(t, 0, stored.UnitCost.Cmp(cost))

	_, err = s.client.InventoryItems().Get(s.ctx, shopify.GID("InventoryItem", 1))
	assert.ErrorIs(t, err, shopify.ErrNotFound)

	ro := newSim(t, shopifytest.WithScopes(without("write_inventory")...))
	rp := catalog(t, ro.shop, ro.shop.AddLocation(shopifytest.LocationSpec{}).ID, 1, 1, "ACTIVE")
	_, err = ro.client.InventoryItems().Update(ro.ctx, shopify.GID("InventoryItem", rp[0].Variants[0].InventoryItemID), shopify.InventoryItemUpdate{Cost: &cost})
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

func TestE2EInventory(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	a := s.shop.AddLocation(shopifytest.LocationSpec{Name: "A"})
	b := s.shop.AddLocation(shopifytest.LocationSpec{Name: "B"})
	c := s.shop.AddLocation(shopifytest.LocationSpec{Name: "C"})
	// 160 items stocked at A and B: 320 quantities, two calls.
	var items []int64
	for _, p := range catalog(t, s.shop, a.ID, 4, 40, "ACTIVE") {
		for _, v := range p.Variants {
			items = append(items, v.InventoryItemID)
			require.NoError(t, s.shop.SetQuantity(v.InventoryItemID, b.ID, "available", 1))
		}
	}
	var changes []shopify.QuantityChange
	for i, it := range items {
		for _, l := range []int64{a.ID, b.ID} {
			changes = append(changes, shopify.QuantityChange{InventoryItemID: shopify.GID("InventoryItem", it), LocationID: shopify.GID("Location", l), Quantity: 100 + i})
		}
	}
	req := shopify.SetQuantitiesRequest{Reason: "cycle_count_available", ReferenceDocumentURI: "gid://my-wms/StockCount/42", IdempotencyKey: "count-42", Quantities: changes}
	groups, err := s.client.Inventory().SetQuantities(s.ctx, req)
	require.NoError(t, err)
	require.Len(t, groups, 2, "320 quantities take two calls")
	assert.Equal(t, "count-42-0", groups[0].IdempotencyKey)
	assert.Equal(t, "count-42-1", groups[1].IdempotencyKey)
	assert.Equal(t, "gid://my-wms/StockCount/42", groups[0].ReferenceDocumentURI)
	assert.Equal(t, 100+len(items)-1, s.shop.Quantity(items[len(items)-1], b.ID, "available"))

	levels, err := s.client.Inventory().Levels(s.ctx, shopify.GID("InventoryItem", items[3]))
	require.NoError(t, err)
	require.Len(t, levels, 2)
	for _, l := range levels {
		q, ok := l.Quantity("available")
		require.True(t, ok)
		assert.Equal(t, 103, q)
		_, ok = l.Quantity("on_hand")
		assert.True(t, ok)
	}

	// Repeating the request after a "crash" with the same key applies it
	// once: the quantity changed meanwhile stays changed.
	require.NoError(t, s.shop.SetQuantity(items[0], a.ID, "available", 7))
	_, err = s.client.Inventory().SetQuantities(s.ctx, req)
	require.NoError(t, err)
	assert.Equal(t, 7, s.shop.Quantity(items[0], a.ID, "available"), "replayed, not re-applied")

	// The same key with different input is refused.
	changed := req
	changed.Quantities = slices.Clone(req.Quantities)
	changed.Quantities[0].Quantity = 1
	_, err = s.client.Inventory().SetQuantities(s.ctx, changed)
	var ue *shopify.UserErrorsError
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.HasCode(shopify.CodeIdempotencyKeyParameterMismatch), "%v", err)

	// Compare-and-swap: a stale changeFrom is refused, the right one passes.
	stale, fresh := 6, 7
	_, err = s.client.Inventory().SetQuantities(s.ctx, shopify.SetQuantitiesRequest{Quantities: []shopify.QuantityChange{
		{InventoryItemID: shopify.GID("InventoryItem", items[0]), LocationID: shopify.GID("Location", a.ID), Quantity: 50, ChangeFrom: &stale},
	}})
	require.ErrorAs(t, err, &ue)
	assert.True(t, ue.HasCode(shopify.CodeChangeFromQuantityStale))
	assert.Equal(t, 7, s.shop.Quantity(items[0], a.ID, "available"))
	_, err = s.client.Inventory().SetQuantities(s.ctx, shopify.SetQuantitiesRequest{Quantities: []shopify.QuantityChange{
		{InventoryItemID: shopify.GID("InventoryItem", items[0]), LocationID: shopify.GID("Location", a.ID), Quantity: 50, ChangeFrom: &fresh},
	}})
	require.NoError(t, err)
	assert.Equal(t, 50, s.shop.Quantity(items[0], a.ID, "available"))

	// Activate at a new location with an initial quantity.
	avail := 12
	lvl, err := s.client.Inventory().Activate(s.ctx, shopify.ActivateRequest{InventoryItemID: shopify.GID("InventoryItem", items[0]), LocationID: shopify.GID("Location", c.ID), Available: &avail, IdempotencyKey: "activate-1"})
	require.NoError(t, err)
	assert.Equal(t, shopify.GID("Location", c.ID), lvl.Location.ID)
	q, _ := lvl.Quantity("available")
	assert.Equal(t, 12, q)
	assert.Equal(t, 12, s.shop.Quantity(items[0], c.ID, "available"))

	_, err = s.client.Inventory().SetQuantities(s.ctx, shopify.SetQuantitiesRequest{})
	assert.Error(t, err)

	ro := newSim(t, shopifytest.WithScopes(without("write_inventory")...))
	rl := ro.shop.AddLocation(shopifytest.LocationSpec{})
	rp := catalog(t, ro.shop, rl.ID, 1, 1, "ACTIVE")
	_, err = ro.client.Inventory().SetQuantities(ro.ctx, shopify.SetQuantitiesRequest{Quantities: []shopify.QuantityChange{
		{InventoryItemID: shopify.GID("InventoryItem", rp[0].Variants[0].InventoryItemID), LocationID: shopify.GID("Location", rl.ID), Quantity: 1},
	}})
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

// orderFixture creates a location, one product with two variants and an
// order of 2 + 1 units.
func orderFixture(t *testing.T, s *sim, spec shopifytest.OrderSpec) (shopifytest.Order, simProduct, shopifytest.Location) {
	t.Helper()
	loc := s.shop.AddLocation(shopifytest.LocationSpec{Name: "WH"})
	p := catalog(t, s.shop, loc.ID, 1, 2, "ACTIVE")[0]
	spec.Location = loc.ID
	spec.Lines = []shopifytest.OrderLineSpec{{VariantID: p.Variants[0].ID, Quantity: 2}, {VariantID: p.Variants[1].ID, Quantity: 1}}
	o, err := s.shop.CreateOrder(spec)
	require.NoError(t, err)
	return o, p, loc
}

func TestE2EOrders(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	web, _, loc := orderFixture(t, s, shopifytest.OrderSpec{Financial: shopifytest.FinancialAuthorized})
	pos, err := s.shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: loc.ID, Lines: []shopifytest.OrderLineSpec{{VariantID: web.LineItems[0].VariantID, Quantity: 1}}})
	require.NoError(t, err)
	old, err := s.shop.CreateOrder(shopifytest.OrderSpec{Location: loc.ID, CreatedAt: time.Now().Add(-10 * 24 * time.Hour), Lines: []shopifytest.OrderLineSpec{{VariantID: web.LineItems[0].VariantID, Quantity: 1}}})
	require.NoError(t, err)

	all := collect(t, s.client.Orders().List(s.ctx, nil))
	assert.Len(t, all, 3)
	recent := collect(t, s.client.Orders().List(s.ctx, &shopify.OrderListOptions{CreatedAtMin: time.Now().Add(-24 * time.Hour)}))
	var ids []string
	for _, o := range recent {
		ids = append(ids, o.ID)
	}
	assert.ElementsMatch(t, []string{shopify.GID("Order", web.ID), shopify.GID("Order", pos.ID)}, ids)
	assert.NotContains(t, ids, shopify.GID("Order", old.ID))

	o, err := s.client.Orders().Get(s.ctx, shopify.GID("Order", web.ID))
	require.NoError(t, err)
	assert.False(t, o.IsPOS())
	assert.False(t, o.Cancelled())
	require.Len(t, o.LineItems, 2)
	assert.Equal(t, "SKU-0-0", o.LineItems[0].SKU)
	assert.Equal(t, 2, o.LineItems[0].Quantity)
	assert.Equal(t, 2, o.LineItems[0].CurrentQuantity)
	assert.Equal(t, 2, o.LineItems[0].UnfulfilledQuantity)
	require.NotNil(t, o.LineItems[0].Variant)
	require.Len(t, o.Transactions, 1)
	assert.Equal(t, "AUTHORIZATION", o.Transactions[0].Kind)
	assert.True(t, o.Capturable)
	require.Len(t, o.FulfillmentOrders, 1)
	fo := o.FulfillmentOrders[0]
	require.NotNil(t, fo.AssignedLocation.Location)
	assert.Equal(t, shopify.GID("Location", loc.ID), fo.AssignedLocation.Location.ID)
	require.Len(t, fo.LineItems, 2)
	assert.Equal(t, 2, fo.LineItems[0].RemainingQuantity)
	assert.Equal(t, o.LineItems[0].ID, fo.LineItems[0].LineItem.ID)

	p, err := s.client.Orders().Get(s.ctx, shopify.GID("Order", pos.ID))
	require.NoError(t, err)
	assert.True(t, p.IsPOS())
	assert.Equal(t, "pos", p.SourceName)
	require.NotNil(t, p.RetailLocation)

	require.NoError(t, s.shop.CancelOrder(web.ID))
	o, err = s.client.Orders().Get(s.ctx, shopify.GID("Order", web.ID))
	require.NoError(t, err)
	assert.True(t, o.Cancelled())
	assert.NotEmpty(t, o.CancelReason)

	_, err = s.client.Orders().Get(s.ctx, shopify.GID("Order", 424242))
	assert.ErrorIs(t, err, shopify.ErrNotFound)

	ns := newSim(t, shopifytest.WithScopes(without("read_orders", "write_orders")...))
	for _, err := range ns.client.Orders().List(ns.ctx, nil) {
		require.ErrorIs(t, err, shopify.ErrAccessDenied)
	}
}

func TestE2EFulfillments(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ord, _, loc := orderFixture(t, s, shopifytest.OrderSpec{})
	o, err := s.client.Orders().Get(s.ctx, shopify.GID("Order", ord.ID))
	require.NoError(t, err)
	fo := o.FulfillmentOrders[0]

	// Over-fulfilment is refused.
	_, err = s.client.Fulfillments().Create(s.ctx, shopify.FulfillmentRequest{Lines: []shopify.FulfillmentOrderLines{{
		FulfillmentOrderID: fo.ID, Items: []shopify.FulfillmentOrderLineQuantity{{ID: fo.LineItems[0].ID, Quantity: 3}},
	}}})
	var ue *shopify.UserErrorsError
	require.ErrorAs(t, err, &ue, "%v", err)

	f, err := s.client.Fulfillments().Create(s.ctx, shopify.FulfillmentRequest{
		Lines:          []shopify.FulfillmentOrderLines{{FulfillmentOrderID: fo.ID, Items: []shopify.FulfillmentOrderLineQuantity{{ID: fo.LineItems[0].ID, Quantity: 1}}}},
		Tracking:       &shopify.TrackingInfo{Company: "DHL", Number: "JJD000390007", URL: "https://track.example/JJD000390007"},
		NotifyCustomer: true,
	})
	require.NoError(t, err)
	assert.Equal(t, 1, f.TotalQuantity)
	require.Len(t, f.TrackingInfo, 1)
	assert.Equal(t, "DHL", f.TrackingInfo[0].Company)
	assert.Equal(t, "JJD000390007", f.TrackingInfo[0].Number)
	require.NotNil(t, f.Location)
	assert.Equal(t, shopify.GID("Location", loc.ID), f.Location.ID)

	require.Len(t, f.LineItems, 1)
	assert.Equal(t, 1, f.LineItems[0].Quantity)
	assert.Equal(t, "SKU-0-0", f.LineItems[0].LineItem.SKU)
	// Read back through the API, and from the shop's state.
	got, err := s.client.Fulfillments().Get(s.ctx, f.ID)
	require.NoError(t, err)
	assert.Equal(t, f.ID, got.ID)
	assert.Equal(t, 1, got.TotalQuantity)
	require.Len(t, got.TrackingInfo, 1)
	assert.Equal(t, "JJD000390007", got.TrackingInfo[0].Number)
	require.Len(t, got.LineItems, 1)
	assert.Equal(t, "SKU-0-0", got.LineItems[0].LineItem.SKU)
	fid, err := shopify.LegacyID(f.ID, "Fulfillment")
	require.NoError(t, err)
	stored, ok := s.shop.Fulfillment(fid)
	require.True(t, ok)
	assert.Equal(t, "DHL", stored.Tracking[0].Company)
	assert.Equal(t, ord.ID, stored.OrderID)

	o, err = s.client.Orders().Get(s.ctx, shopify.GID("Order", ord.ID))
	require.NoError(t, err)
	assert.Equal(t, 1, o.FulfillmentOrders[0].LineItems[0].RemainingQuantity)

	// The rest of the fulfilment order (no items = everything remaining).
	_, err = s.client.Fulfillments().Create(s.ctx, shopify.FulfillmentRequest{Lines: []shopify.FulfillmentOrderLines{{FulfillmentOrderID: fo.ID}}})
	require.NoError(t, err)
	o, err = s.client.Orders().Get(s.ctx, shopify.GID("Order", ord.ID))
	require.NoError(t, err)
	for _, l := range o.FulfillmentOrders[0].LineItems {
		assert.Zero(t, l.RemainingQuantity)
	}

	ns := newSim(t, shopifytest.WithScopes(without("write_merchant_managed_fulfillment_orders")...))
	nord, _, _ := orderFixture(t, ns, shopifytest.OrderSpec{})
	no, err := ns.client.Orders().Get(ns.ctx, shopify.GID("Order", nord.ID))
	require.NoError(t, err)
	_, err = ns.client.Fulfillments().Create(ns.ctx, shopify.FulfillmentRequest{Lines: []shopify.FulfillmentOrderLines{{FulfillmentOrderID: no.FulfillmentOrders[0].ID}}})
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

func TestE2EPayments(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ord, _, _ := orderFixture(t, s, shopifytest.OrderSpec{Financial: shopifytest.FinancialAuthorized})
	o, err := s.client.Orders().Get(s.ctx, shopify.GID("Order", ord.ID))
	require.NoError(t, err)
	auth := o.Transactions[0]
	total := auth.Amount.ShopMoney.Amount
	require.False(t, total.IsZero())

	// Over-capture is refused.
	_, err = s.client.Payments().Capture(s.ctx, shopify.CaptureRequest{OrderID: o.ID, ParentTransactionID: auth.ID, Amount: total.Add("0.01")})
	var ue *shopify.UserErrorsError
	require.ErrorAs(t, err, &ue, "%v", err)

	// Partial, then final capture of the rest.
	part := shopify.MustDecimal("5.00")
	tx, err := s.client.Payments().Capture(s.ctx, shopify.CaptureRequest{OrderID: o.ID, ParentTransactionID: auth.ID, Amount: part})
	require.NoError(t, err)
	assert.Equal(t, "CAPTURE", tx.Kind)
	assert.Equal(t, 0, tx.Amount.ShopMoney.Amount.Cmp(part))
	final := true
	_, err = s.client.Payments().Capture(s.ctx, shopify.CaptureRequest{OrderID: o.ID, ParentTransactionID: auth.ID, Amount: total.Sub(part), FinalCapture: &final})
	require.NoError(t, err)
	o, err = s.client.Orders().Get(s.ctx, o.ID)
	require.NoError(t, err)
	assert.False(t, o.Capturable)
	assert.Equal(t, "PAID", o.DisplayFinancialStatus)

	// Mark as paid: an order without a payment.
	pend, _, _ := orderFixture(t, s, shopifytest.OrderSpec{Financial: shopifytest.FinancialPending})
	paid, err := s.client.Payments().MarkAsPaid(s.ctx, shopify.GID("Order", pend.ID))
	require.NoError(t, err)
	assert.Equal(t, "PAID", paid.DisplayFinancialStatus)

	_, err = s.client.Payments().MarkAsPaid(s.ctx, shopify.GID("Order", 4242))
	require.ErrorAs(t, err, &ue)

	ns := newSim(t, shopifytest.WithScopes(without("write_orders")...))
	nord, _, _ := orderFixture(t, ns, shopifytest.OrderSpec{Financial: shopifytest.FinancialPending})
	_, err = ns.client.Payments().MarkAsPaid(ns.ctx, shopify.GID("Order", nord.ID))
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

func TestE2ERefunds(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	ord, _, loc := orderFixture(t, s, shopifytest.OrderSpec{Financial: shopifytest.FinancialPaid})
	o, err := s.client.Orders().Get(s.ctx, shopify.GID("Order", ord.ID))
	require.NoError(t, err)
	sale := o.Transactions[0]
	line := o.LineItems[0]
	v0, _ := s.shop.Variant(ord.LineItems[0].VariantID)
	item := v0.InventoryItemID
	before := s.shop.Quantity(item, loc.ID, "available")

	req := shopify.RefundRequest{
		OrderID:        o.ID,
		Lines:          []shopify.RefundLine{{LineItemID: line.ID, Quantity: 1, RestockType: "CANCEL", LocationID: shopify.GID("Location", loc.ID)}},
		Transactions:   []shopify.RefundTransaction{{ParentID: sale.ID, Amount: "10.00", Gateway: sale.Gateway}},
		Note:           "damaged in transit",
		IdempotencyKey: "rma-1",
	}
	r, err := s.client.Refunds().Create(s.ctx, req)
	require.NoError(t, err)
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, 1, r.LineItems[0].Quantity)
	assert.Equal(t, "CANCEL", r.LineItems[0].RestockType)
	assert.Equal(t, line.ID, r.LineItems[0].LineItem.ID)
	assert.Equal(t, 0, r.TotalRefunded.ShopMoney.Amount.Cmp("10"))
	require.Len(t, r.Transactions, 1)
	assert.Equal(t, "REFUND", r.Transactions[0].Kind)
	assert.Equal(t, before+1, s.shop.Quantity(item, loc.ID, "available"), "restocked")

	// Repeating with the same key returns the same refund, once.
	again, err := s.client.Refunds().Create(s.ctx, req)
	require.NoError(t, err)
	assert.Equal(t, r.ID, again.ID)
	assert.Equal(t, before+1, s.shop.Quantity(item, loc.ID, "available"))

	// The same key with other input is refused.
	other := req
	other.Note = "changed"
	_, err = s.client.Refunds().Create(s.ctx, other)
	require.Error(t, err)
	var ge *shopify.GraphQLErrors
	var ue *shopify.UserErrorsError
	switch {
	case errors.As(err, &ge):
		assert.True(t, ge.HasCode(shopify.CodeIdempotencyKeyParameterMismatch), "%v", err)
	case errors.As(err, &ue):
		assert.True(t, ue.HasCode(shopify.CodeIdempotencyKeyParameterMismatch), "%v", err)
	default:
		t.Fatalf("unexpected error %v", err)
	}

	// Refunding more than is left is refused.
	_, err = s.client.Refunds().Create(s.ctx, shopify.RefundRequest{OrderID: o.ID, Lines: []shopify.RefundLine{{LineItemID: line.ID, Quantity: 5}}})
	require.ErrorAs(t, err, &ue, "%v", err)

	ns := newSim(t, shopifytest.WithScopes(without("write_orders")...))
	nord, _, _ := orderFixture(t, ns, shopifytest.OrderSpec{})
	no, err := ns.client.Orders().Get(ns.ctx, shopify.GID("Order", nord.ID))
	require.NoError(t, err)
	_, err = ns.client.Refunds().Create(ns.ctx, shopify.RefundRequest{OrderID: no.ID, Lines: []shopify.RefundLine{{LineItemID: no.LineItems[0].ID, Quantity: 1}}})
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
}

func TestE2EWebhookSubscriptions(t *testing.T) {
	t.Parallel()
	s := newSim(t)
	const ours, theirs = "https://wms.example/webhooks/shopify", "https://other.example/hooks"
	// Another address of the app (say a second system) and a stale topic.
	_, err := s.client.WebhookSubscriptions().Create(s.ctx, shopify.WebhookSubscriptionSpec{Topic: "ORDERS_CREATE", URI: theirs})
	require.NoError(t, err)
	stale, err := s.client.WebhookSubscriptions().Create(s.ctx, shopify.WebhookSubscriptionSpec{Topic: "CUSTOMERS_CREATE", URI: ours})
	require.NoError(t, err)

	desired := []shopify.WebhookSubscriptionSpec{
		{Topic: "ORDERS_CREATE"},
		{Topic: "ORDERS_UPDATED", IncludeFields: []string{"id", "updated_at"}},
		{Topic: "PRODUCTS_UPDATE", Filter: "status:active"},
	}
	res, err := s.client.WebhookSubscriptions().Ensure(s.ctx, ours, desired)
	require.NoError(t, err)
	assert.Len(t, res.Created, 3)
	require.Len(t, res.Deleted, 1)
	assert.Equal(t, stale.ID, res.Deleted[0].ID)
	assert.True(t, res.Changed())

	again, err := s.client.WebhookSubscriptions().Ensure(s.ctx, ours, desired)
	require.NoError(t, err)
	assert.False(t, again.Changed(), "idempotent: %+v", again)
	assert.Len(t, again.Unchanged, 3)

	desired[2].Filter = "status:draft"
	desired = desired[1:]
	res, err = s.client.WebhookSubscriptions().Ensure(s.ctx, ours, desired)
	require.NoError(t, err)
	require.Len(t, res.Updated, 1)
	assert.Equal(t, "status:draft", res.Updated[0].Filter)
	require.Len(t, res.Deleted, 1)
	assert.Equal(t, "ORDERS_CREATE", res.Deleted[0].Topic)

	all, err := s.client.WebhookSubscriptions().List(s.ctx, "")
	require.NoError(t, err)
	var got []string
	for _, w := range all {
		got = append(got, w.Topic+" "+w.URI)
	}
	assert.ElementsMatch(t, []string{"ORDERS_CREATE " + theirs, "ORDERS_UPDATED " + ours, "PRODUCTS_UPDATE " + ours}, got, "other addresses untouched")
	mine, err := s.client.WebhookSubscriptions().List(s.ctx, ours)
	require.NoError(t, err)
	assert.Len(t, mine, 2)

	// Plain CRUD.
	w, err := s.client.WebhookSubscriptions().Create(s.ctx, shopify.WebhookSubscriptionSpec{Topic: "APP_UNINSTALLED", URI: ours, Name: "uninstall"})
	require.NoError(t, err)
	w, err = s.client.WebhookSubscriptions().Update(s.ctx, w.ID, shopify.WebhookSubscriptionSpec{URI: ours + "/v2"})
	require.NoError(t, err)
	assert.Equal(t, ours+"/v2", w.URI)
	require.NoError(t, s.client.WebhookSubscriptions().Delete(s.ctx, w.ID))
	err = s.client.WebhookSubscriptions().Delete(s.ctx, w.ID)
	assert.ErrorIs(t, err, shopify.ErrUserErrors)
}
