package shopifytest

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Cursors are positions in the sort, as Shopify's are: an order that
// changes between two page requests (and so moves to the end of an
// UPDATED_AT listing) makes no other order skip a page, and a cursor whose
// order was deleted still continues after its position.
func TestCursorIsAPositionInTheSort(t *testing.T) {
	srv, clk := newTestServer(t)
	s := srv.DefaultShop()
	res, err := s.Seed(SeedOptions{Seed: 7, Products: 1})
	require.NoError(t, err)
	v, _ := s.Variant(res.VariantIDs[0])
	require.NoError(t, s.SetQuantity(v.InventoryItemID, res.Locations[0], "available", 100))
	var ids []int64
	for range 6 {
		clk.advance(time.Minute)
		o, err := s.CreateOrder(OrderSpec{Location: res.Locations[0], Lines: []OrderLineSpec{{VariantID: v.ID, Quantity: 1}}})
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	const q = `query($after: String, $reverse: Boolean) { orders(first: 2, after: $after, sortKey: UPDATED_AT, reverse: $reverse) {
	  nodes { legacyResourceId } pageInfo { hasNextPage endCursor } } }`
	list := func(after string, reverse bool) ([]int64, string) {
		t.Helper()
		vars := map[string]any{"reverse": reverse}
		if after != "" {
			vars["after"] = after
		}
		r := do(t, srv, DefaultShopName, q, vars)
		require.Empty(t, r.Errors)
		var got []int64
		for _, n := range path(r.Data, "orders", "nodes").([]any) {
			id, err := strconv.ParseInt(path(n, "legacyResourceId").(string), 10, 64)
			require.NoError(t, err)
			got = append(got, id)
		}
		end, _ := path(r.Data, "orders", "pageInfo", "endCursor").(string)
		return got, end
	}

	got, end := list("", false)
	require.Equal(t, ids[:2], got)
	clk.advance(time.Minute)
	require.NoError(t, s.CancelOrder(ids[1])) // the cursor's order moves to the end
	got, end = list(end, false)
	assert.Equal(t, ids[2:4], got, "the orders after the cursor's position, none skipped")
	clk.advance(time.Minute)
	require.NoError(t, s.DeleteOrder(ids[3])) // the cursor's order is gone
	got, _ = list(end, false)
	assert.Equal(t, []int64{ids[4], ids[5]}, got, "a deleted cursor order still marks a position")

	// Reversed: newest first; the cancelled order is the newest now.
	got, end = list("", true)
	require.Equal(t, []int64{ids[1], ids[5]}, got, fmt.Sprint(got))
	got, _ = list(end, true)
	assert.Equal(t, []int64{ids[4], ids[2]}, got)
}
