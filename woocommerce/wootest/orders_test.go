package wootest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

func stockOf(t *testing.T, s *Store, id int64) int64 {
	t.Helper()
	p, ok := s.Product(id)
	require.True(t, ok)
	return p.Stock
}

func TestOrderStatusesMoveStockLikeWooCommerce(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	pid, _, err := store.CreateProduct(ProductSpec{SKU: "A", Price: "4.00", Stock: 10})
	require.NoError(t, err)
	line := []OrderLineSpec{{SKU: "A", Quantity: 3}}

	// A bank-transfer order waits on-hold: stock is reduced on entering
	// on-hold, and not again on processing or completed.
	id, err := store.CreateOrder(OrderSpec{Status: "on-hold", Lines: line})
	require.NoError(t, err)
	assert.Equal(t, int64(7), stockOf(t, store, pid))
	require.NoError(t, store.SetOrderStatus(id, "processing"))
	require.NoError(t, store.SetOrderStatus(id, "completed"))
	assert.Equal(t, int64(7), stockOf(t, store, pid))
	// Cancelling restores; pending after that restores nothing more.
	require.NoError(t, store.SetOrderStatus(id, "cancelled"))
	assert.Equal(t, int64(10), stockOf(t, store, pid))
	require.NoError(t, store.SetOrderStatus(id, "pending"))
	assert.Equal(t, int64(10), stockOf(t, store, pid))

	// failed does not restore stock in core.
	id2, err := store.CreateOrder(OrderSpec{Lines: line})
	require.NoError(t, err)
	assert.Equal(t, int64(7), stockOf(t, store, pid))
	require.NoError(t, store.SetOrderStatus(id2, "failed"))
	assert.Equal(t, int64(7), stockOf(t, store, pid))

	// A checkout draft reduces nothing.
	_, err = store.CreateOrder(OrderSpec{Status: "checkout-draft", Lines: line})
	require.NoError(t, err)
	assert.Equal(t, int64(7), stockOf(t, store, pid))

	o, _ := store.Order(id2)
	var texts []string
	for _, n := range o.Notes {
		texts = append(texts, n.Text)
	}
	assert.Contains(t, texts, "Stock levels reduced: Product "+fmtID(pid)+" (A) 10&rarr;7")
}

func TestRESTOrdersAndLineShapes(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	pid, _, err := store.CreateProduct(ProductSpec{Name: "Mug", SKU: "MUG", Price: "10.00", Stock: 5})
	require.NoError(t, err)
	c := client(t, srv, "shop")
	ctx := context.Background()

	o, _, err := c.Orders().Create(ctx, &woocommerce.OrderRequest{
		SetPaid:   woocommerce.Ptr(true),
		LineItems: []woocommerce.LineItemRequest{{ProductID: pid, Quantity: woocommerce.Int(3), Total: woocommerce.Ptr(woocommerce.Decimal("10.00"))}},
	})
	require.NoError(t, err)
	assert.Equal(t, "rest-api", o.CreatedVia)
	assert.Equal(t, woocommerce.StatusProcessing, o.Status)
	assert.False(t, o.DatePaidGMT.IsZero())
	require.Len(t, o.LineItems, 1)
	l := o.LineItems[0]
	assert.Equal(t, woocommerce.Decimal("3.3333333333333335"), l.Price, "total/quantity as PHP's float")
	assert.Equal(t, woocommerce.Decimal("10.00"), l.Total)
	assert.Equal(t, "MUG", *l.SKU)
	assert.Equal(t, int64(2), stockOf(t, store, pid))

	_, _, err = c.Orders().Create(ctx, &woocommerce.OrderRequest{LineItems: []woocommerce.LineItemRequest{{Quantity: woocommerce.Int(1)}}})
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "woocommerce_rest_required_product_reference", apiErr.Code)

	// Updating a missing order is a 400; reading one is a 404.
	_, _, err = c.Orders().Update(ctx, 12345, &woocommerce.OrderRequest{Status: woocommerce.Ptr("completed")})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 400, apiErr.StatusCode)
	assert.ErrorIs(t, err, woocommerce.ErrNotFound)
	_, _, err = c.Orders().Get(ctx, 12345)
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)

	// The line's SKU is the product's current one, null once deleted.
	require.NoError(t, store.EditProduct(pid, ProductEdit{SKU: woocommerce.Ptr("MUG-2")}))
	o2, _, err := c.Orders().Get(ctx, o.ID)
	require.NoError(t, err)
	assert.Equal(t, "MUG-2", *o2.LineItems[0].SKU)
	require.NoError(t, store.DeleteProduct(pid))
	o2, _, err = c.Orders().Get(ctx, o.ID)
	require.NoError(t, err)
	assert.Nil(t, o2.LineItems[0].SKU)

	// Drafts are listed under status any.
	_, err = store.CreateOrder(OrderSpec{Status: "checkout-draft", Lines: []OrderLineSpec{{ProductID: o.ID, Quantity: 1}}})
	assert.Error(t, err, "an order id is not a product")
	p2, _, err := store.CreateProduct(ProductSpec{SKU: "B", Stock: 1})
	require.NoError(t, err)
	draft, err := store.CreateOrder(OrderSpec{Status: "checkout-draft", Lines: []OrderLineSpec{{ProductID: p2, Quantity: 1}}})
	require.NoError(t, err)
	var statuses []string
	for o, err := range c.Orders().All(ctx, nil) {
		require.NoError(t, err)
		if o.ID == draft {
			statuses = append(statuses, o.Status)
		}
	}
	assert.Equal(t, []string{"checkout-draft"}, statuses)
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	pid, _, err := store.CreateProduct(ProductSpec{SKU: "R", Price: "5.00", Stock: 10})
	require.NoError(t, err)
	id, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "R", Quantity: 4}}, Shipping: "2.00"})
	require.NoError(t, err)
	c := client(t, srv, "shop")
	ctx := context.Background()
	o, _, err := c.Orders().Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, woocommerce.Decimal("22.00"), o.Total)
	item := o.LineItems[0].ID

	// WooCommerce's default api_refund=true asks the gateway; bacs cannot.
	_, err = c.Do(ctx, &woocommerce.Request{Method: "POST", Path: "orders/" + fmtID(id) + "/refunds", Body: map[string]any{"amount": "5.00"}}, nil)
	var apiErr *woocommerce.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, "woocommerce_rest_cannot_create_order_refund", apiErr.Code)

	r, _, err := c.Refunds().Create(ctx, id, &woocommerce.RefundRequest{
		Reason: "damaged", APIRestock: true,
		LineItems: []woocommerce.RefundLineRequest{{ID: item, Quantity: woocommerce.Int(1), RefundTotal: "5.00"}},
	})
	require.NoError(t, err)
	assert.Equal(t, woocommerce.Decimal("5.00"), r.Amount, "amount from the lines")
	assert.False(t, r.RefundedPayment)
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, woocommerce.Number("-1"), r.LineItems[0].Quantity)
	assert.Equal(t, woocommerce.Decimal("-5.00"), r.LineItems[0].Total)
	assert.Equal(t, item, r.LineItems[0].RefundedItemID())
	assert.Equal(t, int64(7), stockOf(t, store, pid), "10 - 4 + 1 restocked")

	o, _, err = c.Orders().Get(ctx, id)
	require.NoError(t, err)
	require.Len(t, o.Refunds, 1)
	assert.Equal(t, woocommerce.Decimal("-5.00"), o.Refunds[0].Total)
	assert.Equal(t, woocommerce.StatusProcessing, o.Status)

	// More than what is left is refused; the rest refunds fully.
	_, _, err = c.Refunds().Create(ctx, id, &woocommerce.RefundRequest{Amount: "17.01"})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "woocommerce_rest_cannot_create_order_refund", apiErr.Code)
	_, _, err = c.Refunds().Create(ctx, id, &woocommerce.RefundRequest{Amount: "-1"})
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "woocommerce_rest_invalid_order_refund", apiErr.Code)
	_, _, err = c.Refunds().Create(ctx, id, &woocommerce.RefundRequest{Amount: "17.00"})
	require.NoError(t, err)
	o, _, err = c.Orders().Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, woocommerce.StatusRefunded, o.Status)
	assert.Equal(t, int64(7), stockOf(t, store, pid), "no restock without lines")

	var n int
	for _, err := range c.Refunds().All(ctx, id) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 2, n)

	// A gateway that can refund moves money.
	sid, err := store.CreateOrder(OrderSpec{PaymentMethod: "stripe", Lines: []OrderLineSpec{{SKU: "R", Quantity: 1}}})
	require.NoError(t, err)
	r, _, err = c.Refunds().Create(ctx, sid, &woocommerce.RefundRequest{Amount: "5.00", APIRefund: true})
	require.NoError(t, err)
	assert.True(t, r.RefundedPayment)
}

func TestNotesAndFulfillments(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("plain"), WithStore("beta", WithFulfillments()))
	ctx := context.Background()
	for _, name := range []string{"plain", "beta"} {
		store := srv.Store(name)
		_, _, err := store.CreateProduct(ProductSpec{SKU: "N", Stock: 5})
		require.NoError(t, err)
		id, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "N", Quantity: 1}}})
		require.NoError(t, err)
		c := client(t, srv, name)
		n, _, err := c.OrderNotes().Create(ctx, id, &woocommerce.OrderNoteRequest{Note: "Shipped with GLS 123", CustomerNote: true})
		require.NoError(t, err)
		ns, _, err := c.OrderNotes().List(ctx, id, "customer")
		require.NoError(t, err)
		require.Len(t, ns, 1)
		assert.Equal(t, n.ID, ns[0].ID)
		all, _, err := c.OrderNotes().List(ctx, id, "")
		require.NoError(t, err)
		assert.Greater(t, len(all), 1, "status and stock notes too")

		routes, _, err := c.Routes(ctx)
		require.NoError(t, err)
		has := woocommerce.HasRoute(routes, "/wc/v3/orders/{id}/fulfillments")
		assert.Equal(t, name == "beta", has)
		f, _, err := c.Fulfillments().Create(ctx, id, &woocommerce.Fulfillment{Status: "fulfilled",
			MetaData: []woocommerce.MetaData{woocommerce.StringMeta("_tracking_number", "TN1")}}, false)
		if name == "plain" {
			assert.ErrorIs(t, err, woocommerce.ErrNotFound)
			continue
		}
		require.NoError(t, err)
		assert.True(t, f.IsFulfilled)
		st, _ := store.Order(id)
		require.Len(t, st.Fulfillments, 1)
		assert.Equal(t, "TN1", st.Fulfillments[0].Meta["_tracking_number"])
	}
}

func TestSiteIndexAndSettings(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("us", WithSiteName("US Store"), WithCurrency("USD"), WithCountry("US:CA")))
	c := client(t, srv, "us")
	ctx := context.Background()
	idx, _, err := c.Index(ctx)
	require.NoError(t, err)
	assert.Equal(t, "US Store", idx.Name)
	assert.True(t, idx.HasNamespace("wc/v3"))
	g, _, err := c.GeneralSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, "USD", g.Currency)
	assert.Equal(t, "US", g.Country)
	assert.Equal(t, "CA", g.State)
}
