package shopifytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
)

func TestControlAPIEditAndDelete(t *testing.T) {
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	loc := s.AddLocation(LocationSpec{Name: "Main"})
	p, err := s.CreateProduct(ProductSpec{Title: "Tea Pot", Vendor: "Acme", Variants: []VariantSpec{
		{Title: "Red", SKU: "TP-R", Barcode: EAN13(123), Price: "20.00", Cost: "8.00", Stock: map[int64]int{loc.ID: 4}},
		{Title: "Blue", SKU: "TP-B", Price: "21.00", Stock: map[int64]int{loc.ID: 0}},
	}})
	require.NoError(t, err)
	assert.Equal(t, "tea-pot", p.Handle)
	_, err = s.CreateProduct(ProductSpec{Title: "x", Variants: []VariantSpec{{Stock: map[int64]int{12345: 1}}}})
	assert.ErrorIs(t, err, ErrNotFound)

	v, ok := s.VariantBySKU("TP-R")
	require.True(t, ok)
	assert.Equal(t, 4, s.Quantity(v.InventoryItemID, loc.ID, "available"))
	n := len(s.Events(0))
	sku, cost := "TP-RED", shopify.Decimal("9.50")
	_, err = s.EditVariant(v.ID, VariantEdit{SKU: &sku, Cost: &cost})
	require.NoError(t, err)
	var topics []string
	for _, e := range s.Events(n) {
		topics = append(topics, e.Topic)
	}
	assert.Equal(t, []string{"inventory_items/update", "products/update"}, topics)
	r := do(t, srv, DefaultShopName, `query($id: ID!) { productVariant(id: $id) { sku inventoryItem { unitCost { amount } } product { title vendor } } }`, map[string]any{"id": gid("ProductVariant", v.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "TP-RED", path(r.Data, "productVariant", "sku"))
	assert.Equal(t, "9.50", path(r.Data, "productVariant", "inventoryItem", "unitCost", "amount"))

	n = len(s.Events(0))
	require.NoError(t, s.DeleteProduct(p.ID))
	topics = nil
	for _, e := range s.Events(n) {
		topics = append(topics, e.Topic)
	}
	assert.Equal(t, []string{"inventory_items/delete", "inventory_items/delete", "products/delete"}, topics)
	_, ok = s.Product(p.ID)
	assert.False(t, ok)
	_, ok = s.InventoryItem(v.InventoryItemID)
	assert.False(t, ok)
	assert.Empty(t, s.InventoryLevels(v.InventoryItemID))
	r = do(t, srv, DefaultShopName, `query($id: ID!, $v: ID!) { product(id: $id) { id } productVariant(id: $v) { id } productsCount { count } }`, map[string]any{"id": gid("Product", p.ID), "v": gid("ProductVariant", v.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Nil(t, path(r.Data, "product"))
	assert.Nil(t, path(r.Data, "productVariant"))
	assert.EqualValues(t, 0, num(t, path(r.Data, "productsCount", "count")))
	assert.ErrorIs(t, s.DeleteProduct(p.ID), ErrNotFound)
}

func TestInactiveLocationsAndWebhookControl(t *testing.T) {
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	s.AddLocation(LocationSpec{Name: "B active"})
	s.AddLocation(LocationSpec{Name: "A closed", Inactive: true})
	r := do(t, srv, DefaultShopName, `{ a: locations(first: 5) { nodes { name isActive } } b: locations(first: 5, includeInactive: true) { nodes { name } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Len(t, path(r.Data, "a", "nodes"), 1)
	assert.Equal(t, "A closed", path(r.Data, "b", "nodes", 0, "name"), "sorted by NAME by default")
	w := s.AddWebhookSubscription("ORDERS_CREATE", "https://hooks.example/o")
	assert.False(t, w.CreatedViaAPI)
	assert.True(t, s.DeleteWebhookSubscription(w.ID))
	assert.False(t, s.DeleteWebhookSubscription(w.ID))
}
