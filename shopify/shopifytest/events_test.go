package shopifytest

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventsFromMutationsAndControlAPI(t *testing.T) {
	srv, _, res := seeded(t, 2)
	s := srv.DefaultShop()
	require.Empty(t, s.Events(0), "seeding records no events")
	var got []Event
	cancel := s.Subscribe(func(e Event) { got = append(got, e) })
	v, _ := s.Variant(res.VariantIDs[0])
	require.NoError(t, s.SetQuantity(v.InventoryItemID, res.Locations[0], "available", 42))
	r := do(t, srv, DefaultShopName, `mutation($id: ID!) { inventoryItemUpdate(id: $id, input: {cost: "3.00"}) { userErrors { message } } }`, map[string]any{"id": gid("InventoryItem", v.InventoryItemID)})
	require.Empty(t, r.Errors)
	require.Len(t, got, 2)
	assert.Equal(t, "inventory_levels/update", got[0].Topic)
	lv := got[0].Object.(*InventoryLevel)
	assert.Equal(t, 42, lv.Quantity("available"))
	assert.Equal(t, "inventory_items/update", got[1].Topic)
	assert.Equal(t, v.InventoryItemID, got[1].ID)
	assert.Equal(t, "3.00", string(got[1].Object.(*InventoryItem).UnitCost))
	cancel()
	require.NoError(t, s.SetQuantity(v.InventoryItemID, res.Locations[0], "available", 1))
	assert.Len(t, got, 2, "cancelled listeners get nothing")
	assert.Len(t, s.Events(0), 3)
}

func TestListenerMayCallControlAPI(t *testing.T) {
	srv, _, res := seeded(t, 1)
	s := srv.DefaultShop()
	v, _ := s.Variant(res.VariantIDs[0])
	var topics []string
	s.Subscribe(func(e Event) {
		topics = append(topics, e.Topic)
		if e.Topic == "inventory_levels/update" && len(topics) == 1 {
			title := "changed by listener"
			_, err := s.EditProduct(v.ProductID, ProductEdit{Title: &title})
			assert.NoError(t, err)
		}
	})
	require.NoError(t, s.SetQuantity(v.InventoryItemID, res.Locations[0], "available", 5))
	assert.Equal(t, []string{"inventory_levels/update", "products/update"}, topics)
}

func TestConcurrentQueriesAndMutations(t *testing.T) {
	srv, _, res := seeded(t, 5)
	s := srv.DefaultShop()
	v, _ := s.Variant(res.VariantIDs[0])
	start := s.Quantity(v.InventoryItemID, res.Locations[0], "available")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := do(t, srv, DefaultShopName, adjustQty, map[string]any{"key": string(rune('a' + i)), "input": map[string]any{
				"name": "available", "reason": "correction", "changes": []any{map[string]any{
					"inventoryItemId": gid("InventoryItem", v.InventoryItemID), "locationId": gid("Location", res.Locations[0]), "delta": 1, "changeFromQuantity": nil}},
			}})
			assert.Empty(t, r.Errors)
			r = do(t, srv, DefaultShopName, `{ products(first: 5) { nodes { variants(first: 3) { nodes { inventoryQuantity } } } } }`, nil)
			assert.Empty(t, r.Errors)
		}(i)
	}
	wg.Wait()
	assert.Equal(t, start+8, s.Quantity(v.InventoryItemID, res.Locations[0], "available"))
}
