package shopifytest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const setQty = `mutation Set($input: InventorySetQuantitiesInput!, $key: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason referenceDocumentUri changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`

const adjustQty = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`

func inventoryFixture(t *testing.T) (*Server, int64, int64) {
	srv, _, res := seeded(t, 2)
	v, _ := srv.DefaultShop().Variant(res.VariantIDs[0])
	return srv, v.InventoryItemID, res.Locations[0]
}

func setInput(item, loc int64, qty int, changeFrom any) map[string]any {
	q := map[string]any{"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", loc), "quantity": qty}
	if changeFrom != "omit" {
		q["changeFromQuantity"] = changeFrom
	}
	return map[string]any{"name": "available", "reason": "correction", "referenceDocumentUri": "gid://wms/Count/1", "quantities": []any{q}}
}

func TestInventorySetQuantitiesCAS(t *testing.T) {
	srv, item, loc := inventoryFixture(t)
	s := srv.DefaultShop()
	cur := s.Quantity(item, loc, "available")
	onHand := s.Quantity(item, loc, "on_hand")

	// stale changeFromQuantity
	r := do(t, srv, DefaultShopName, setQty, map[string]any{"input": setInput(item, loc, 5, cur+1), "key": "k1"})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Nil(t, path(r.Data, "inventorySetQuantities", "inventoryAdjustmentGroup"))
	assert.Equal(t, "CHANGE_FROM_QUANTITY_STALE", path(r.Data, "inventorySetQuantities", "userErrors", 0, "code"))
	assert.Empty(t, r.Errors)
	assert.Equal(t, []any{"input", "quantities", "0", "changeFromQuantity"}, path(r.Data, "inventorySetQuantities", "userErrors", 0, "field"))
	assert.Equal(t, cur, s.Quantity(item, loc, "available"), "nothing applied")

	// matching changeFromQuantity
	r = do(t, srv, DefaultShopName, setQty, map[string]any{"input": setInput(item, loc, cur+7, cur), "key": "k2"})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Empty(t, path(r.Data, "inventorySetQuantities", "userErrors"))
	changes := path(r.Data, "inventorySetQuantities", "inventoryAdjustmentGroup", "changes").([]any)
	require.Len(t, changes, 2)
	assert.Equal(t, "available", path(changes[0], "name"))
	assert.EqualValues(t, 7, num(t, path(changes[0], "delta")))
	assert.EqualValues(t, cur+7, num(t, path(changes[0], "quantityAfterChange")))
	assert.Equal(t, "on_hand", path(changes[1], "name"))
	assert.Equal(t, cur+7, s.Quantity(item, loc, "available"))
	assert.Equal(t, onHand+7, s.Quantity(item, loc, "on_hand"))

	// null skips the check
	r = do(t, srv, DefaultShopName, setQty, map[string]any{"input": setInput(item, loc, 3, nil), "key": "k3"})
	require.Empty(t, path(r.Data, "inventorySetQuantities", "userErrors"), string(r.raw))
	assert.Equal(t, 3, s.Quantity(item, loc, "available"))

	// omitting changeFromQuantity is an error
	r = do(t, srv, DefaultShopName, setQty, map[string]any{"input": setInput(item, loc, 9, "omit"), "key": "k4"})
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Contains(t, r.Errors[0]["message"], "changeFromQuantity is required at input.quantities.0")
	assert.Nil(t, path(r.Data, "inventorySetQuantities"))
	assert.Equal(t, 3, s.Quantity(item, loc, "available"))
	// the failed request did not use up its key
	r = do(t, srv, DefaultShopName, setQty, map[string]any{"input": setInput(item, loc, 9, 3), "key": "k4"})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, 9, s.Quantity(item, loc, "available"))
}

func TestInventoryIdempotency(t *testing.T) {
	srv, item, loc := inventoryFixture(t)
	s := srv.DefaultShop()
	cur := s.Quantity(item, loc, "available")
	in := map[string]any{"name": "available", "reason": "received", "changes": []any{
		map[string]any{"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", loc), "delta": 4, "changeFromQuantity": nil},
	}}
	r1 := do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": in, "key": "same"})
	require.Empty(t, path(r1.Data, "inventoryAdjustQuantities", "userErrors"), string(r1.raw))
	assert.Equal(t, cur+4, s.Quantity(item, loc, "available"))
	// replay: same key, same variables -> the first result, applied once
	r2 := do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": in, "key": "same"})
	assert.Equal(t, path(r1.Data, "inventoryAdjustQuantities"), path(r2.Data, "inventoryAdjustQuantities"))
	assert.Equal(t, cur+4, s.Quantity(item, loc, "available"))
	// same key, different variables -> mismatch
	in2 := map[string]any{"name": "available", "reason": "received", "changes": []any{
		map[string]any{"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", loc), "delta": 5, "changeFromQuantity": nil},
	}}
	r3 := do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": in2, "key": "same"})
	assert.Equal(t, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", path(r3.Data, "inventoryAdjustQuantities", "userErrors", 0, "code"), string(r3.raw))
	assert.Empty(t, r3.Errors, "user error codes are valid enum values")
	assert.Equal(t, cur+4, s.Quantity(item, loc, "available"))
	// without the directive
	r4 := do(t, srv, DefaultShopName, `mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }`, map[string]any{"input": in2})
	require.Len(t, r4.Errors, 1, string(r4.raw))
	assert.Contains(t, r4.Errors[0]["message"], "@idempotent")
	assert.Equal(t, cur+4, s.Quantity(item, loc, "available"))
}

func TestInventoryInputArrayCap(t *testing.T) {
	srv, item, loc := inventoryFixture(t)
	var qs []any
	for i := 0; i < 251; i++ {
		qs = append(qs, map[string]any{"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", loc), "quantity": i, "changeFromQuantity": nil})
	}
	in := map[string]any{"name": "available", "reason": "correction", "quantities": qs}
	r := do(t, srv, DefaultShopName, setQty, map[string]any{"input": in, "key": "big"})
	require.NotEmpty(t, r.Errors, string(r.raw))
	assert.Equal(t, "MAX_INPUT_SIZE_EXCEEDED", errCode(r, 0))
	assert.Contains(t, r.Errors[0]["message"], "251")
}

func TestInventoryAdjustValidation(t *testing.T) {
	srv, item, loc := inventoryFixture(t)
	s := srv.DefaultShop()
	change := func(name string, ledger any) map[string]any {
		c := map[string]any{"inventoryItemId": gid("InventoryItem", item), "locationId": gid("Location", loc), "delta": 2, "changeFromQuantity": nil}
		if ledger != nil {
			c["ledgerDocumentUri"] = ledger
		}
		return map[string]any{"name": name, "reason": "damaged", "changes": []any{c}}
	}
	r := do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": change("damaged", nil), "key": "a"})
	assert.Equal(t, "INVALID_LEDGER_DOCUMENT", path(r.Data, "inventoryAdjustQuantities", "userErrors", 0, "code"), string(r.raw))
	assert.Empty(t, r.Errors, "user error codes are valid enum values")
	r = do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": change("damaged", "gid://shopify/Order/1"), "key": "b"})
	assert.Equal(t, "INTERNAL_LEDGER_DOCUMENT", path(r.Data, "inventoryAdjustQuantities", "userErrors", 0, "code"))
	assert.Empty(t, r.Errors, "user error codes are valid enum values")
	onHand := s.Quantity(item, loc, "on_hand")
	r = do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": change("damaged", "gid://wms/Damage/9"), "key": "c"})
	require.Empty(t, path(r.Data, "inventoryAdjustQuantities", "userErrors"), string(r.raw))
	assert.Equal(t, 2, s.Quantity(item, loc, "damaged"))
	assert.Equal(t, onHand+2, s.Quantity(item, loc, "on_hand"))
	in := change("available", nil)
	in["reason"] = "not-a-reason"
	r = do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": in, "key": "d"})
	assert.Equal(t, "INVALID_REASON", path(r.Data, "inventoryAdjustQuantities", "userErrors", 0, "code"))
	assert.Empty(t, r.Errors, "user error codes are valid enum values")
	in = change("available", nil)
	in["changes"].([]any)[0].(map[string]any)["inventoryItemId"] = "gid://shopify/InventoryItem/1"
	r = do(t, srv, DefaultShopName, adjustQty, map[string]any{"input": in, "key": "e"})
	assert.Equal(t, "INVALID_INVENTORY_ITEM", path(r.Data, "inventoryAdjustQuantities", "userErrors", 0, "code"))
	assert.Empty(t, r.Errors, "user error codes are valid enum values")
}

func TestInventoryActivate(t *testing.T) {
	srv, item, _ := inventoryFixture(t)
	s := srv.DefaultShop()
	loc := s.AddLocation(LocationSpec{Name: "New DC"})
	q := `mutation($i: ID!, $l: ID!, $k: String!) { inventoryActivate(inventoryItemId: $i, locationId: $l, available: 12) @idempotent(key: $k) {
	  inventoryLevel { id quantities(names: ["available", "on_hand"]) { name quantity } } userErrors { field message } } }`
	vars := map[string]any{"i": gid("InventoryItem", item), "l": gid("Location", loc.ID), "k": "act-1"}
	r := do(t, srv, DefaultShopName, q, vars)
	require.Empty(t, r.Errors, string(r.raw))
	assert.EqualValues(t, 12, num(t, path(r.Data, "inventoryActivate", "inventoryLevel", "quantities", 0, "quantity")))
	assert.Equal(t, 12, s.Quantity(item, loc.ID, "on_hand"))
	r = do(t, srv, DefaultShopName, q, vars) // replay
	assert.Equal(t, 12, s.Quantity(item, loc.ID, "available"))
	vars["l"] = gid("Location", srv.DefaultShop().Locations()[0].ID)
	r = do(t, srv, DefaultShopName, q, vars) // same key, other location
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Equal(t, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", errCode(r, 0))
}

func TestInventoryItemUpdateAndVariantsBulkUpdate(t *testing.T) {
	srv, _, res := seeded(t, 2)
	s := srv.DefaultShop()
	v, _ := s.Variant(res.VariantIDs[1])
	r := do(t, srv, DefaultShopName, `mutation($id: ID!) { inventoryItemUpdate(id: $id, input: {cost: "12.34", harmonizedSystemCode: "620342", countryCodeOfOrigin: PT,
	  countryHarmonizedSystemCodes: [{countryCode: US, harmonizedSystemCode: "6203424011"}]}) {
	  inventoryItem { unitCost { amount } harmonizedSystemCode countryCodeOfOrigin countryHarmonizedSystemCodes(first: 3) { nodes { countryCode harmonizedSystemCode } } }
	  userErrors { field message } } }`, map[string]any{"id": gid("InventoryItem", v.InventoryItemID)})
	require.Empty(t, r.Errors, string(r.raw))
	d := path(r.Data, "inventoryItemUpdate", "inventoryItem")
	assert.Equal(t, "12.34", path(d, "unitCost", "amount"))
	assert.Equal(t, "620342", path(d, "harmonizedSystemCode"))
	assert.Equal(t, "PT", path(d, "countryCodeOfOrigin"))
	assert.Equal(t, "6203424011", path(d, "countryHarmonizedSystemCodes", "nodes", 0, "harmonizedSystemCode"))
	it, _ := s.InventoryItem(v.InventoryItemID)
	assert.Equal(t, "12.34", string(it.UnitCost))

	q := `mutation($p: ID!, $v: [ProductVariantsBulkInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) {
	  productVariants { id sku barcode price inventoryItem { sku unitCost { amount } } } userErrors { field message code } } }`
	r = do(t, srv, DefaultShopName, q, map[string]any{"p": gid("Product", v.ProductID), "v": []any{
		map[string]any{"id": gid("ProductVariant", v.ID), "barcode": "4006381333931", "price": "19.90", "inventoryItem": map[string]any{"sku": "NEW-SKU", "cost": "5.5"}},
	}})
	require.Empty(t, r.Errors, string(r.raw))
	require.Empty(t, path(r.Data, "productVariantsBulkUpdate", "userErrors"))
	pv := path(r.Data, "productVariantsBulkUpdate", "productVariants", 0)
	assert.Equal(t, "NEW-SKU", path(pv, "sku"))
	assert.Equal(t, "4006381333931", path(pv, "barcode"))
	assert.Equal(t, "19.90", path(pv, "price"))
	assert.Equal(t, "5.5", path(pv, "inventoryItem", "unitCost", "amount"))
	got, ok := s.VariantBySKU("NEW-SKU")
	require.True(t, ok)
	assert.Equal(t, v.ID, got.ID)
	// a variant of another product is rejected, nothing applied
	other, _ := s.Variant(res.VariantIDs[4])
	r = do(t, srv, DefaultShopName, q, map[string]any{"p": gid("Product", v.ProductID), "v": []any{
		map[string]any{"id": gid("ProductVariant", other.ID), "barcode": "x"},
	}})
	assert.Equal(t, "MUST_BE_FOR_THIS_PRODUCT", path(r.Data, "productVariantsBulkUpdate", "userErrors", 0, "code"), string(r.raw))
	assert.Empty(t, r.Errors, "user error codes are valid enum values")
	o2, _ := s.Variant(other.ID)
	assert.Equal(t, other.Barcode, o2.Barcode)
	// a top-level sku field does not exist on the input type (schema validation)
	r = do(t, srv, DefaultShopName, `mutation { productVariantsBulkUpdate(productId: "gid://shopify/Product/1", variants: [{sku: "x"}]) { userErrors { message } } }`, nil)
	require.NotEmpty(t, r.Errors)
	assert.Nil(t, r.Data)

}
