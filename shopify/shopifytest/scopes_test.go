package shopifytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopesEnforced(t *testing.T) {
	srv, _, res := seeded(t, 2)
	s := srv.DefaultShop()
	s.SetScopes("read_orders")
	r := do(t, srv, DefaultShopName, `{ shop { name } products(first: 1) { nodes { id } } }`, nil)
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Equal(t, "ACCESS_DENIED", errCode(r, 0))
	assert.Equal(t, "Access denied for products field. Required access: `read_products` access scope.", r.Errors[0]["message"])
	assert.Equal(t, []any{"products"}, r.Errors[0]["path"])
	assert.Nil(t, r.Data, "products is non-null: the null bubbles to data")
	r = do(t, srv, DefaultShopName, `{ shop { name } orders(first: 1) { nodes { id } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "Test Shop", path(r.Data, "shop", "name"))
	r = do(t, srv, DefaultShopName, `{ product(id: "gid://shopify/Product/1") { id } }`, nil)
	assert.Equal(t, "ACCESS_DENIED", errCode(r, 0))
	assert.Equal(t, map[string]any{"product": nil}, r.Data, "nullable field: only it becomes null")
	// node() checks the scope of the resolved type
	r = do(t, srv, DefaultShopName, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": gid("Product", res.ProductIDs[0])})
	assert.Equal(t, "ACCESS_DENIED", errCode(r, 0))
	// mutations
	v, _ := s.Variant(res.VariantIDs[0])
	r = do(t, srv, DefaultShopName, `mutation($id: ID!) { inventoryItemUpdate(id: $id, input: {cost: "1.00"}) { userErrors { message } } }`, map[string]any{"id": gid("InventoryItem", v.InventoryItemID)})
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Contains(t, r.Errors[0]["message"], "`write_inventory`")
	it, _ := s.InventoryItem(v.InventoryItemID)
	assert.NotEqual(t, "1.00", string(it.UnitCost))
	// write implies read; accessScopes lists what is granted
	s.SetScopes("write_products", "read_locations")
	r = do(t, srv, DefaultShopName, `{ products(first: 1) { nodes { id } } currentAppInstallation { accessScopes { handle } } }`, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, []any{map[string]any{"handle": "read_locations"}, map[string]any{"handle": "write_products"}}, path(r.Data, "currentAppInstallation", "accessScopes"))
	// nested inventory levels need read_inventory
	r = do(t, srv, DefaultShopName, `{ productVariants(first: 1) { nodes { inventoryItem { inventoryLevels(first: 1) { nodes { id } } } } } }`, nil)
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Contains(t, r.Errors[0]["message"], "`read_inventory`")
}
