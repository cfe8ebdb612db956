package connector_test

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// locationsOf lists the orders both ways the connector reads them (the
// listing by update time, and the lookup by id) and returns each order's
// location by order id, checking that both ways agree.
func locationsOf(t *testing.T, c *connector.Connector, ids ...int64) map[int64]string {
	t.Helper()
	listed, _ := listOrders(t, c, wmssync.OrderQuery{UpdatedSince: time.Now().Add(-time.Hour)})
	byList := map[string]string{}
	for _, o := range listed {
		byList[o.ExternalID] = o.LocationID
	}
	var gids []string
	for _, id := range ids {
		gids = append(gids, shopify.GID("Order", id))
	}
	page, err := c.Orders(ctxT(t), wmssync.OrderQuery{IDs: gids}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, len(ids))
	out := map[int64]string{}
	for i, o := range page.Items {
		require.Equal(t, gids[i], o.ExternalID, "in the order of the ids")
		l, ok := byList[o.ExternalID]
		require.True(t, ok, "order %s listed", o.ExternalID)
		assert.Equal(t, l, o.LocationID, "listing and lookup agree on %s", o.ExternalID)
		out[ids[i]] = o.LocationID
	}
	return out
}

// The location of a web order is where Shopify assigned its fulfilment:
// the first fulfilment order not closed or cancelled, else the first one;
// a POS sale keeps its retail location; with SkipFulfillmentLocations web
// orders carry none.
func TestOrdersFulfilmentLocation(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 9, Products: 4, Locations: 7})
	require.NoError(t, err)
	locs := res.Locations
	require.Len(t, locs, 7)
	gl := func(i int) string { return shopify.GID("Location", locs[i]) }
	v := res.VariantIDs
	line := func(i, loc int) shopifytest.OrderLineSpec {
		return shopifytest.OrderLineSpec{VariantID: v[i%len(v)], Quantity: 1, Location: locs[loc]}
	}
	create := func(spec shopifytest.OrderSpec) shopifytest.Order {
		t.Helper()
		o, err := shop.CreateOrder(spec)
		require.NoError(t, err)
		return o
	}
	fulfil := func(o shopifytest.Order, n int) {
		t.Helper()
		for _, id := range o.FulfillmentOrderIDs[:n] {
			_, err := shop.FulfillFulfillmentOrder(id)
			require.NoError(t, err)
		}
	}

	atB := create(shopifytest.OrderSpec{Location: locs[1], Lines: []shopifytest.OrderLineSpec{line(0, 1)}})
	split := create(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{line(0, 2), line(1, 3)}})
	firstDone := create(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{line(0, 2), line(1, 3)}})
	fulfil(firstDone, 1)
	allDone := create(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{line(0, 4), line(1, 5)}})
	fulfil(allDone, 2)
	// Seven fulfilment orders, the first six fulfilled: the open one is
	// beyond the first page the listing reads with each order.
	var seven []shopifytest.OrderLineSpec
	for i := range 7 {
		seven = append(seven, line(i, i))
	}
	many := create(shopifytest.OrderSpec{Lines: seven})
	require.Len(t, many.FulfillmentOrderIDs, 7)
	fulfil(many, 6)
	cancelled := create(shopifytest.OrderSpec{Location: locs[6], Lines: []shopifytest.OrderLineSpec{line(0, 6)}})
	require.NoError(t, shop.CancelOrder(cancelled.ID))
	pos := create(shopifytest.OrderSpec{POS: true, Location: locs[3], Lines: []shopifytest.OrderLineSpec{{VariantID: v[0], Quantity: 1}}})

	ids := []int64{atB.ID, split.ID, firstDone.ID, allDone.ID, many.ID, cancelled.ID, pos.ID}
	got := locationsOf(t, newConnector(t, srv, shop, connector.Config{}), ids...)
	assert.Equal(t, gl(1), got[atB.ID], "routed to one location")
	assert.Equal(t, gl(2), got[split.ID], "split: the first open fulfilment order's location")
	assert.Equal(t, gl(3), got[firstDone.ID], "the first is fulfilled: the next open one")
	assert.Equal(t, gl(4), got[allDone.ID], "all fulfilled: the first one's location")
	assert.Equal(t, gl(6), got[many.ID], "the open one beyond the first page")
	assert.Equal(t, gl(6), got[cancelled.ID], "cancelled: the first one's location")
	assert.Equal(t, gl(3), got[pos.ID], "POS: the retail location")

	got = locationsOf(t, newConnector(t, srv, shop, connector.Config{SkipFulfillmentLocations: true}), ids...)
	for _, id := range ids[:len(ids)-1] {
		assert.Equal(t, "", got[id], "no location without fulfilment locations (order %d)", id)
	}
	assert.Equal(t, gl(3), got[pos.ID], "POS keeps its retail location")
}

// A lookup by ids reads the orders by id, not through the search index,
// which lags behind writes: a just-created order is found. It reads few
// orders per query, in the order asked, leaving out unknown ids.
func TestOrdersByIDFindsFreshOrders(t *testing.T) {
	srv := newServer(t, shopifytest.WithShop("lagging", shopifytest.WithSearchLag(time.Hour)))
	shop := srv.Shop("lagging")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 2, Products: 3})
	require.NoError(t, err)
	var ids []string
	for i := range 12 {
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[i%len(res.VariantIDs)], Quantity: 1 + i%2}}})
		require.NoError(t, err)
		ids = append(ids, shopify.GID("Order", o.ID))
	}
	c := newConnector(t, srv, shop, connector.Config{})
	listed, _ := listOrders(t, c, wmssync.OrderQuery{UpdatedSince: time.Now().Add(-time.Hour)})
	assert.Empty(t, listed, "the search does not find the new orders yet (the simulated lag works)")

	slices.Reverse(ids)
	ask := append([]string{"gid://shopify/Order/1", "not-an-id"}, ids...)
	ask = append(ask, ids[0]) // a repeated id is read once
	before := shop.Counters().Requests
	page, err := c.Orders(ctxT(t), wmssync.OrderQuery{IDs: ask}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, len(ids))
	for i, o := range page.Items {
		assert.Equal(t, ids[i], o.ExternalID)
		assert.NotEmpty(t, o.Lines)
		assert.Equal(t, shopify.GID("Location", shop.Locations()[0].ID), o.LocationID)
	}
	assert.Equal(t, int64(len(ids)), page.Total)
	assert.Empty(t, page.Next)
	assert.Equal(t, int64(2), shop.Counters().Requests-before, "13 ids: two queries of at most 9 orders")

	_, err = c.Orders(ctxT(t), wmssync.OrderQuery{IDs: ids}, "page:1|x")
	assert.ErrorIs(t, err, wmssync.ErrCursorExpired)
	big := make([]string, 51)
	for i := range big {
		big[i] = strconv.Itoa(i + 1)
	}
	_, err = c.Orders(ctxT(t), wmssync.OrderQuery{IDs: big}, "")
	assert.Error(t, err)
}

// The order queries stay within the connector's cost budget of 800 points,
// with and without fulfilment locations (the simulator refuses a query
// above the shop's limit, set here to the budget).
func TestOrderQueriesWithinCostBudget(t *testing.T) {
	srv := newServer(t, shopifytest.WithShop("tight", shopifytest.WithMaxQueryCost(800)))
	shop := srv.Shop("tight")
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 4, Products: 3, Orders: 30})
	require.NoError(t, err)
	var ids []string
	for _, id := range res.OrderIDs[:20] {
		ids = append(ids, shopify.GID("Order", id))
	}
	for _, cfg := range []connector.Config{{}, {SkipFulfillmentLocations: true}} {
		c := newConnector(t, srv, shop, cfg)
		listed, pages := listOrders(t, c, wmssync.OrderQuery{UpdatedSince: time.Now().Add(-90 * 24 * time.Hour)})
		assert.Len(t, listed, 30)
		assert.Greater(t, pages, 2)
		page, err := c.Orders(ctxT(t), wmssync.OrderQuery{IDs: ids}, "")
		require.NoError(t, err)
		assert.Len(t, page.Items, 20)
	}
}

// Reading fulfilment orders needs their scopes: the connection test asks
// for them, and a refusal says which, unless the host opted out.
func TestFulfilmentLocationScopes(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 2})
	require.NoError(t, err)
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	shop.SetScopes("read_products", "read_inventory", "read_locations", "read_orders")

	anyOf := func(reqs []wmssync.ScopeRequirement) [][]string {
		var out [][]string
		for _, r := range reqs {
			out = append(out, r.AnyOf)
		}
		return out
	}
	on := newConnector(t, srv, shop, connector.Config{})
	info, err := on.Inspect(ctxT(t), wmssync.Features{Products: true, Orders: true})
	require.NoError(t, err)
	assert.Contains(t, anyOf(info.RequiredScopes), []string{"read_merchant_managed_fulfillment_orders", "write_merchant_managed_fulfillment_orders"})
	assert.Contains(t, anyOf(info.RequiredScopes), []string{"read_third_party_fulfillment_orders", "write_third_party_fulfillment_orders"})
	assert.Equal(t, anyOf(connector.RequiredScopes(wmssync.Features{Products: true, Orders: true})), anyOf(info.RequiredScopes))
	_, err = on.Orders(ctxT(t), wmssync.OrderQuery{IDs: []string{shopify.GID("Order", o.ID)}}, "")
	require.Error(t, err)
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
	assert.Contains(t, err.Error(), "SkipFulfillmentLocations")

	off := newConnector(t, srv, shop, connector.Config{SkipFulfillmentLocations: true})
	info, err = off.Inspect(ctxT(t), wmssync.Features{Products: true, Orders: true})
	require.NoError(t, err)
	for _, r := range info.RequiredScopes {
		assert.NotContains(t, r.AnyOf, "read_merchant_managed_fulfillment_orders")
		assert.NotContains(t, r.AnyOf, "read_third_party_fulfillment_orders")
	}
	page, err := off.Orders(ctxT(t), wmssync.OrderQuery{IDs: []string{shopify.GID("Order", o.ID)}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "", page.Items[0].LocationID)
}

// connectorOrders and connectorOrdersByID share the ConnectorOrder fragment:
// both files must carry it word for word, so the listing and the lookup read
// the same fields.
func TestOrderFragmentShared(t *testing.T) {
	frag := regexp.MustCompile(`(?s)fragment ConnectorOrder on Order \{.*\n\}`)
	var found []string
	for _, f := range []string{"graphql/connectorOrders.graphql", "graphql/connectorOrdersByID.graphql"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m := frag.Find(b)
		require.NotNil(t, m, "%s has the fragment", f)
		found = append(found, string(m))
	}
	assert.Equal(t, found[0], found[1])
}
