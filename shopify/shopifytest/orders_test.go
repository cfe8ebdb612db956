package shopifytest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orderFixture creates a web order with two lines (2 + 1 units) at the
// first location.
func orderFixture(t *testing.T, financial string) (*Server, Order, int64) {
	t.Helper()
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	res, err := s.Seed(SeedOptions{Seed: 3, Products: 3})
	require.NoError(t, err)
	loc := res.Locations[0]
	for _, vid := range res.VariantIDs[:2] {
		v, _ := s.Variant(vid)
		require.NoError(t, s.SetQuantity(v.InventoryItemID, loc, "available", 10))
	}
	o, err := s.CreateOrder(OrderSpec{Location: loc, Financial: financial, Lines: []OrderLineSpec{
		{VariantID: res.VariantIDs[0], Quantity: 2, Price: "10.00"},
		{VariantID: res.VariantIDs[1], Quantity: 1, Price: "5.50"},
	}})
	require.NoError(t, err)
	return srv, o, loc
}

const fulfillMutation = `mutation($f: FulfillmentInput!) { fulfillmentCreate(fulfillment: $f) {
  fulfillment { id status totalQuantity trackingInfo { company number url } fulfillmentLineItems(first: 5) { nodes { quantity lineItem { sku } } } }
  userErrors { field message } } }`

func TestOrderCreateCommitsStock(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	v, _ := s.Variant(o.LineItems[0].VariantID)
	assert.Equal(t, 8, s.Quantity(v.InventoryItemID, loc, "available"))
	assert.Equal(t, 2, s.Quantity(v.InventoryItemID, loc, "committed"))
	assert.Equal(t, 10, s.Quantity(v.InventoryItemID, loc, "on_hand"))
	r := do(t, srv, DefaultShopName, `query($id: ID!) { order(id: $id) { name sourceName displayFinancialStatus displayFulfillmentStatus cancelledAt
	  totalPriceSet { shopMoney { amount currencyCode } } app { name } retailLocation { id }
	  lineItems(first: 5) { nodes { sku quantity unfulfilledQuantity variant { id } } }
	  transactions { kind status amountSet { shopMoney { amount } } }
	  fulfillmentOrders(first: 5) { nodes { status assignedLocation { location { id } } lineItems(first: 5) { nodes { remainingQuantity totalQuantity } } } } } }`,
		map[string]any{"id": gid("Order", o.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	d := path(r.Data, "order")
	assert.Equal(t, "web", path(d, "sourceName"))
	assert.Equal(t, "Online Store", path(d, "app", "name"))
	assert.Nil(t, path(d, "retailLocation"))
	assert.Equal(t, "PAID", path(d, "displayFinancialStatus"))
	assert.Equal(t, "UNFULFILLED", path(d, "displayFulfillmentStatus"))
	assert.Equal(t, "25.50", path(d, "totalPriceSet", "shopMoney", "amount"))
	assert.Equal(t, "SALE", path(d, "transactions", 0, "kind"))
	assert.Equal(t, gid("Location", loc), path(d, "fulfillmentOrders", "nodes", 0, "assignedLocation", "location", "id"))
	assert.EqualValues(t, 2, num(t, path(d, "fulfillmentOrders", "nodes", 0, "lineItems", "nodes", 0, "remainingQuantity")))
}

func TestFulfillmentCreateArithmetic(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	fo, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
	line0 := fo.LineItems[0]
	v, _ := s.Variant(o.LineItems[0].VariantID)
	in := func(qty int) map[string]any {
		return map[string]any{
			"lineItemsByFulfillmentOrder": []any{map[string]any{
				"fulfillmentOrderId":        gid("FulfillmentOrder", fo.ID),
				"fulfillmentOrderLineItems": []any{map[string]any{"id": gid("FulfillmentOrderLineItem", line0.ID), "quantity": qty}},
			}},
			"trackingInfo": map[string]any{"company": "DHL", "number": "JJD000390007", "url": "https://dhl.example/JJD000390007"},
		}
	}
	// over-fulfilment
	r := do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": in(3)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Nil(t, path(r.Data, "fulfillmentCreate", "fulfillment"))
	assert.Contains(t, path(r.Data, "fulfillmentCreate", "userErrors", 0, "message"), "exceeds the remaining quantity 2")
	// partial
	r = do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": in(1)})
	require.Empty(t, path(r.Data, "fulfillmentCreate", "userErrors"), string(r.raw))
	f := path(r.Data, "fulfillmentCreate", "fulfillment")
	assert.Equal(t, "SUCCESS", path(f, "status"))
	assert.EqualValues(t, 1, num(t, path(f, "totalQuantity")))
	assert.Equal(t, "DHL", path(f, "trackingInfo", 0, "company"))
	assert.Equal(t, "JJD000390007", path(f, "trackingInfo", 0, "number"))
	fo, _ = s.FulfillmentOrder(fo.ID)
	assert.Equal(t, 1, fo.LineItems[0].RemainingQuantity)
	assert.Equal(t, "IN_PROGRESS", fo.Status)
	assert.Equal(t, "PARTIALLY_FULFILLED", s.OrderFulfillmentStatus(o.ID))
	assert.Equal(t, 1, s.Quantity(v.InventoryItemID, loc, "committed"))
	assert.Equal(t, 9, s.Quantity(v.InventoryItemID, loc, "on_hand"))
	assert.Equal(t, 8, s.Quantity(v.InventoryItemID, loc, "available"))
	// the rest: all remaining lines of the fulfillment order
	r = do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": map[string]any{
		"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": gid("FulfillmentOrder", fo.ID)}},
	}})
	require.Empty(t, path(r.Data, "fulfillmentCreate", "userErrors"), string(r.raw))
	assert.EqualValues(t, 2, num(t, path(r.Data, "fulfillmentCreate", "fulfillment", "totalQuantity")))
	assert.Equal(t, "FULFILLED", s.OrderFulfillmentStatus(o.ID))
	fo, _ = s.FulfillmentOrder(fo.ID)
	assert.Equal(t, "CLOSED", fo.Status)
	// read the fulfillment back through QueryRoot.fulfillment
	fid := path(r.Data, "fulfillmentCreate", "fulfillment", "id")
	r2 := do(t, srv, DefaultShopName, `query($id: ID!) { fulfillment(id: $id) { id name status totalQuantity order { id } location { id } fulfillmentLineItems(first: 5) { nodes { quantity lineItem { sku } } } } }`, map[string]any{"id": fid})
	require.Empty(t, r2.Errors, string(r2.raw))
	assert.Equal(t, o.Name+"-F2", path(r2.Data, "fulfillment", "name"))
	assert.Equal(t, gid("Order", o.ID), path(r2.Data, "fulfillment", "order", "id"))
	assert.Equal(t, gid("Location", loc), path(r2.Data, "fulfillment", "location", "id"))
	assert.Len(t, path(r2.Data, "fulfillment", "fulfillmentLineItems", "nodes"), 2)
	// closed fulfillment orders cannot be fulfilled again
	r = do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": in(1)})
	assert.NotEmpty(t, path(r.Data, "fulfillmentCreate", "userErrors"))
	// events
	var topics []string
	for _, e := range s.Events(0) {
		topics = append(topics, e.Topic)
	}
	assert.Contains(t, topics, "fulfillments/create")
	assert.Contains(t, topics, "orders/partially_fulfilled")
	assert.Contains(t, topics, "orders/fulfilled")
}

func TestOrderCaptureArithmetic(t *testing.T) {
	srv, o, _ := orderFixture(t, FinancialAuthorized)
	s := srv.DefaultShop()
	auth := o.Transactions[0]
	require.Equal(t, "AUTHORIZATION", auth.Kind)
	q := `mutation($in: OrderCaptureInput!) { orderCapture(input: $in) { transaction { kind status amountSet { shopMoney { amount } } parentTransaction { id } } userErrors { field message } } }`
	capture := func(amount string) gqlResult {
		return do(t, srv, DefaultShopName, q, map[string]any{"in": map[string]any{"id": gid("Order", o.ID), "parentTransactionId": gid("OrderTransaction", auth.ID), "amount": amount}})
	}
	r := capture("30.00")
	assert.Contains(t, path(r.Data, "orderCapture", "userErrors", 0, "message"), "exceeds the capturable amount 25.50", string(r.raw))
	r = capture("20.00")
	require.Empty(t, path(r.Data, "orderCapture", "userErrors"), string(r.raw))
	assert.Equal(t, "CAPTURE", path(r.Data, "orderCapture", "transaction", "kind"))
	assert.Equal(t, gid("OrderTransaction", auth.ID), path(r.Data, "orderCapture", "transaction", "parentTransaction", "id"))
	got, _ := s.Order(o.ID)
	assert.Equal(t, "PARTIALLY_PAID", got.FinancialStatus())
	r = capture("5.51")
	assert.Contains(t, path(r.Data, "orderCapture", "userErrors", 0, "message"), "capturable amount 5.50")
	r = capture("5.50")
	require.Empty(t, path(r.Data, "orderCapture", "userErrors"))
	got, _ = s.Order(o.ID)
	assert.Equal(t, "PAID", got.FinancialStatus())
	r = do(t, srv, DefaultShopName, `query($id: ID!) { order(id: $id) { capturable totalCapturableSet { shopMoney { amount } } totalReceivedSet { shopMoney { amount } } } }`, map[string]any{"id": gid("Order", o.ID)})
	assert.Equal(t, false, path(r.Data, "order", "capturable"))
	assert.Equal(t, "0.00", path(r.Data, "order", "totalCapturableSet", "shopMoney", "amount"))
	assert.Equal(t, "25.50", path(r.Data, "order", "totalReceivedSet", "shopMoney", "amount"))
}

func TestOrderMarkAsPaid(t *testing.T) {
	srv, o, _ := orderFixture(t, FinancialPending)
	q := `mutation($id: ID!) { orderMarkAsPaid(input: {id: $id}) { order { displayFinancialStatus transactions { kind gateway amountSet { shopMoney { amount } } } } userErrors { message } } }`
	r := do(t, srv, DefaultShopName, q, map[string]any{"id": gid("Order", o.ID)})
	require.Empty(t, path(r.Data, "orderMarkAsPaid", "userErrors"), string(r.raw))
	assert.Equal(t, "PAID", path(r.Data, "orderMarkAsPaid", "order", "displayFinancialStatus"))
	assert.Equal(t, "25.50", path(r.Data, "orderMarkAsPaid", "order", "transactions", 0, "amountSet", "shopMoney", "amount"))
	r = do(t, srv, DefaultShopName, q, map[string]any{"id": gid("Order", o.ID)})
	assert.NotEmpty(t, path(r.Data, "orderMarkAsPaid", "userErrors"))
}

const refundMutation = `mutation($in: RefundInput!, $k: String!) { refundCreate(input: $in) @idempotent(key: $k) {
  refund { id refundLineItems(first: 5) { nodes { quantity restockType restocked location { id } } } totalRefundedSet { shopMoney { amount } } }
  order { displayFinancialStatus }
  userErrors { field message } } }`

func TestRefundRestocksAndIsIdempotent(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	v, _ := s.Variant(o.LineItems[0].VariantID)
	fo, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
	// fulfil everything first
	r := do(t, srv, DefaultShopName, fulfillMutation, map[string]any{"f": map[string]any{"lineItemsByFulfillmentOrder": []any{map[string]any{"fulfillmentOrderId": gid("FulfillmentOrder", fo.ID)}}}})
	require.Empty(t, path(r.Data, "fulfillmentCreate", "userErrors"), string(r.raw))
	require.Equal(t, 8, s.Quantity(v.InventoryItemID, loc, "on_hand"))
	in := map[string]any{
		"orderId":         gid("Order", o.ID),
		"refundLineItems": []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 1, "restockType": "RETURN", "locationId": gid("Location", loc)}},
		"transactions":    []any{map[string]any{"orderId": gid("Order", o.ID), "amount": "10.00", "gateway": "shopify_payments", "kind": "REFUND", "parentId": gid("OrderTransaction", o.Transactions[0].ID)}},
	}
	r = do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "r1"})
	require.Empty(t, r.Errors, string(r.raw))
	require.Empty(t, path(r.Data, "refundCreate", "userErrors"), string(r.raw))
	assert.Equal(t, "RETURN", path(r.Data, "refundCreate", "refund", "refundLineItems", "nodes", 0, "restockType"))
	assert.Equal(t, true, path(r.Data, "refundCreate", "refund", "refundLineItems", "nodes", 0, "restocked"))
	assert.Equal(t, "10.00", path(r.Data, "refundCreate", "refund", "totalRefundedSet", "shopMoney", "amount"))
	assert.Equal(t, "PARTIALLY_REFUNDED", path(r.Data, "refundCreate", "order", "displayFinancialStatus"))
	assert.Equal(t, 9, s.Quantity(v.InventoryItemID, loc, "available"), "restock returns stock")
	assert.Equal(t, 9, s.Quantity(v.InventoryItemID, loc, "on_hand"))
	r4 := do(t, srv, DefaultShopName, `query($id: ID!) { refund(id: $id) { id order { id } refundLineItems(first: 5) { nodes { quantity lineItem { id } } } } }`, map[string]any{"id": path(r.Data, "refundCreate", "refund", "id")})
	require.Empty(t, r4.Errors, string(r4.raw))
	assert.Equal(t, gid("LineItem", o.LineItems[0].ID), path(r4.Data, "refund", "refundLineItems", "nodes", 0, "lineItem", "id"))
	// replay: no second refund, no second restock
	r2 := do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "r1"})
	assert.Equal(t, path(r.Data, "refundCreate", "refund", "id"), path(r2.Data, "refundCreate", "refund", "id"))
	assert.Equal(t, 9, s.Quantity(v.InventoryItemID, loc, "available"))
	got, _ := s.Order(o.ID)
	assert.Len(t, got.RefundIDs, 1)
	// same key, other parameters
	in["note"] = "different"
	r3 := do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "r1"})
	require.Len(t, r3.Errors, 1, string(r3.raw))
	assert.Equal(t, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH", errCode(r3, 0))
	// refunding more than bought, or more money than was paid
	delete(in, "note")
	in["refundLineItems"] = []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 2, "restockType": "RETURN"}}
	r = do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "r2"})
	assert.Contains(t, path(r.Data, "refundCreate", "userErrors", 0, "message"), "more items than were purchased")
	in["refundLineItems"] = []any{}
	in["transactions"] = []any{map[string]any{"orderId": gid("Order", o.ID), "amount": "15.51", "gateway": "shopify_payments", "kind": "REFUND"}}
	r = do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "r3"})
	assert.Contains(t, path(r.Data, "refundCreate", "userErrors", 0, "message"), "exceeds the refundable amount 15.50")
}

func TestRefundCancelReleasesCommitted(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	v, _ := s.Variant(o.LineItems[0].VariantID)
	in := map[string]any{
		"orderId":         gid("Order", o.ID),
		"refundLineItems": []any{map[string]any{"lineItemId": gid("LineItem", o.LineItems[0].ID), "quantity": 2, "restockType": "CANCEL"}},
	}
	r := do(t, srv, DefaultShopName, refundMutation, map[string]any{"in": in, "k": "c1"})
	require.Empty(t, path(r.Data, "refundCreate", "userErrors"), string(r.raw))
	assert.Equal(t, 10, s.Quantity(v.InventoryItemID, loc, "available"))
	assert.Equal(t, 0, s.Quantity(v.InventoryItemID, loc, "committed"))
	fo, _ := s.FulfillmentOrder(o.FulfillmentOrderIDs[0])
	assert.Equal(t, 0, fo.LineItems[0].RemainingQuantity)
	assert.Equal(t, 1, fo.LineItems[1].RemainingQuantity)
}

func TestSixtyDayOrderWindow(t *testing.T) {
	srv, _ := newTestServer(t)
	s := srv.DefaultShop()
	_, err := s.Seed(SeedOptions{Products: 2})
	require.NoError(t, err)
	p := s.Products()[0]
	old, err := s.CreateOrder(OrderSpec{CreatedAt: testEpoch.Add(-61 * 24 * time.Hour), Lines: []OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	recent, err := s.CreateOrder(OrderSpec{CreatedAt: testEpoch.Add(-59 * 24 * time.Hour), Lines: []OrderLineSpec{{VariantID: p.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	q := `query($old: ID!) { orders(first: 10) { nodes { id } } order(id: $old) { id } }`
	r := do(t, srv, DefaultShopName, q, map[string]any{"old": gid("Order", old.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, []any{map[string]any{"id": gid("Order", recent.ID)}}, path(r.Data, "orders", "nodes"))
	assert.Nil(t, path(r.Data, "order"))
	s.SetScopes(append(s.Scopes(), "read_all_orders")...)
	r = do(t, srv, DefaultShopName, q, map[string]any{"old": gid("Order", old.ID)})
	assert.Len(t, path(r.Data, "orders", "nodes"), 2)
	assert.Equal(t, gid("Order", old.ID), path(r.Data, "order", "id"))
}

func TestPOSOrder(t *testing.T) {
	srv, _, res := seeded(t, 1)
	s := srv.DefaultShop()
	o, err := s.CreateOrder(OrderSpec{POS: true, Location: res.Locations[1], Lines: []OrderLineSpec{{VariantID: res.VariantIDs[0], Quantity: 1}}})
	require.NoError(t, err)
	r := do(t, srv, DefaultShopName, `query($id: ID!) { order(id: $id) { sourceName app { name } retailLocation { id name } } }`, map[string]any{"id": gid("Order", o.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, "pos", path(r.Data, "order", "sourceName"))
	assert.Equal(t, "Point of Sale", path(r.Data, "order", "app", "name"))
	assert.Equal(t, gid("Location", res.Locations[1]), path(r.Data, "order", "retailLocation", "id"))
}

func TestCancelAndDeleteOrderEvents(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	var got []string
	cancel := s.Subscribe(func(e Event) { got = append(got, e.Topic) })
	defer cancel()
	v, _ := s.Variant(o.LineItems[0].VariantID)
	require.NoError(t, s.CancelOrder(o.ID))
	assert.Equal(t, 10, s.Quantity(v.InventoryItemID, loc, "available"))
	require.NoError(t, s.DeleteOrder(o.ID))
	_, ok := s.Order(o.ID)
	assert.False(t, ok)
	assert.Contains(t, got, "orders/cancelled")
	assert.Equal(t, "orders/delete", got[len(got)-1])
	ev := s.Events(0)
	last := ev[len(ev)-1]
	assert.Equal(t, o.ID, last.ID)
	assert.Equal(t, int64(len(ev)), last.Seq)
	deleted, ok := last.Object.(*Order)
	require.True(t, ok)
	assert.Equal(t, o.Name, deleted.Name)
}

func TestOrderCancelMutation(t *testing.T) {
	srv, o, loc := orderFixture(t, FinancialPaid)
	s := srv.DefaultShop()
	v, _ := s.Variant(o.LineItems[0].VariantID)
	q := `mutation($id: ID!) { orderCancel(orderId: $id, reason: CUSTOMER, restock: true, refundMethod: {originalPaymentMethodsRefund: true}) {
	  job { id done } jobResult { status order { cancelledAt cancelReason displayFinancialStatus } } orderCancelUserErrors { code message } } }`
	r := do(t, srv, DefaultShopName, q, map[string]any{"id": gid("Order", o.ID)})
	require.Empty(t, r.Errors, string(r.raw))
	require.Empty(t, path(r.Data, "orderCancel", "orderCancelUserErrors"))
	assert.Equal(t, true, path(r.Data, "orderCancel", "job", "done"))
	ord := path(r.Data, "orderCancel", "jobResult", "order")
	assert.Equal(t, "CUSTOMER", path(ord, "cancelReason"))
	assert.NotNil(t, path(ord, "cancelledAt"))
	assert.Equal(t, "REFUNDED", path(ord, "displayFinancialStatus"))
	assert.Equal(t, 10, s.Quantity(v.InventoryItemID, loc, "available"), "restocked")
	assert.Equal(t, 0, s.Quantity(v.InventoryItemID, loc, "committed"))
	r = do(t, srv, DefaultShopName, q, map[string]any{"id": gid("Order", o.ID)})
	assert.Equal(t, "INVALID", path(r.Data, "orderCancel", "orderCancelUserErrors", 0, "code"))
	assert.Empty(t, r.Errors)
}
