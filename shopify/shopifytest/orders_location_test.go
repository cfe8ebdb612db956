package shopifytest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An order whose lines ship from two locations has one fulfillment order
// per location, each committing its own stock; fulfilling one closes it
// only. Orders are read with their fulfillment orders by nodes(ids:).
func TestOrderSplitAcrossLocations(t *testing.T) {
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	res, err := s.Seed(SeedOptions{Seed: 3, Products: 3, Locations: 2})
	require.NoError(t, err)
	a, b := res.Locations[0], res.Locations[1]
	v0, _ := s.Variant(res.VariantIDs[0])
	v1, _ := s.Variant(res.VariantIDs[1])
	require.NoError(t, s.SetQuantity(v0.InventoryItemID, a, "available", 10))
	require.NoError(t, s.SetQuantity(v1.InventoryItemID, b, "available", 10))
	o, err := s.CreateOrder(OrderSpec{Location: a, Lines: []OrderLineSpec{
		{VariantID: res.VariantIDs[0], Quantity: 2},
		{VariantID: res.VariantIDs[1], Quantity: 3, Location: b},
	}})
	require.NoError(t, err)
	require.Len(t, o.FulfillmentOrderIDs, 2)
	foA, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
	foB, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[1])
	assert.Equal(t, a, foA.AssignedLocationID)
	assert.Equal(t, b, foB.AssignedLocationID)
	require.Len(t, foB.LineItems, 1)
	assert.Equal(t, o.LineItems[1].ID, foB.LineItems[0].LineItemID)
	assert.Equal(t, 2, s.Quantity(v0.InventoryItemID, a, "committed"))
	assert.Equal(t, 3, s.Quantity(v1.InventoryItemID, b, "committed"))
	assert.Equal(t, 0, s.Quantity(v1.InventoryItemID, a, "committed"))

	// Only the lines at their own location: every line elsewhere leaves no
	// empty fulfillment order at OrderSpec.Location.
	only, err := s.CreateOrder(OrderSpec{Location: a, Lines: []OrderLineSpec{{VariantID: res.VariantIDs[1], Quantity: 1, Location: b}}})
	require.NoError(t, err)
	require.Len(t, only.FulfillmentOrderIDs, 1)
	fo, _ := s.FulfillmentOrder(only.FulfillmentOrderIDs[0])
	assert.Equal(t, b, fo.AssignedLocationID)

	_, err = s.CreateOrder(OrderSpec{Location: a, Lines: []OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 1, Location: 424242}}})
	assert.ErrorIs(t, err, ErrNotFound)

	f, err := s.FulfillFulfillmentOrder(foA.ID)
	require.NoError(t, err)
	assert.Equal(t, a, f.LocationID)
	_, err = s.FulfillFulfillmentOrder(foA.ID)
	assert.Error(t, err, "a closed fulfillment order cannot be fulfilled again")
	_, err = s.FulfillFulfillmentOrder(424242)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Equal(t, "PARTIALLY_FULFILLED", s.OrderFulfillmentStatus(o.ID))

	r := do(t, srv, DefaultShopName, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Order { id
	  fulfillmentOrders(first: 5, displayable: true) { nodes { status assignedLocation { location { id } } } } } } }`,
		map[string]any{"ids": []any{gid("Order", o.ID), gid("Order", 424242)}})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, gid("Order", o.ID), path(r.Data, "nodes", 0, "id"))
	assert.Equal(t, "CLOSED", path(r.Data, "nodes", 0, "fulfillmentOrders", "nodes", 0, "status"))
	assert.Equal(t, gid("Location", a), path(r.Data, "nodes", 0, "fulfillmentOrders", "nodes", 0, "assignedLocation", "location", "id"))
	assert.Equal(t, "OPEN", path(r.Data, "nodes", 0, "fulfillmentOrders", "nodes", 1, "status"))
	assert.Equal(t, gid("Location", b), path(r.Data, "nodes", 0, "fulfillmentOrders", "nodes", 1, "assignedLocation", "location", "id"))
	assert.Nil(t, path(r.Data, "nodes", 1), "an unknown id is null")
}

// WithSearchLag: a just-created order is missing from searches, not from
// lookups by id or unfiltered listings.
func TestSearchLag(t *testing.T) {
	clk := &fixedClock{t: testEpoch}
	srv := NewServer(WithClock(clk.now), WithShop("lag", WithSearchLag(time.Minute)))
	t.Cleanup(srv.Close)
	s := srv.Shop("lag")
	res, err := s.Seed(SeedOptions{Seed: 3, Products: 2})
	require.NoError(t, err)
	o, err := s.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	search := `query($q: String) { orders(first: 5, query: $q) { nodes { id } } ordersCount(query: $q) { count } }`
	q := map[string]any{"q": "id:" + legacy(o.ID)}
	r := do(t, srv, "lag", search, q)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Empty(t, path(r.Data, "orders", "nodes"), "not indexed yet")
	assert.EqualValues(t, 0, num(t, path(r.Data, "ordersCount", "count")))

	r = do(t, srv, "lag", `query($id: ID!) { order(id: $id) { id } nodes(ids: [$id]) { id } orders(first: 5) { nodes { id } } }`,
		map[string]any{"id": gid("Order", o.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, gid("Order", o.ID), path(r.Data, "order", "id"))
	assert.Equal(t, gid("Order", o.ID), path(r.Data, "nodes", 0, "id"))
	assert.Equal(t, gid("Order", o.ID), path(r.Data, "orders", "nodes", 0, "id"))

	clk.advance(time.Minute + time.Second)
	r = do(t, srv, "lag", search, q)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, gid("Order", o.ID), path(r.Data, "orders", "nodes", 0, "id"), "indexed after the lag")
}
