package woocommerce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllPagesThroughEveryPageWithFilters(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	since := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CET", 3600))
	pages := 0
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders", func(r *http.Request) (*http.Response, error) {
		pages++
		q := r.URL.Query()
		assert.Equal(t, "100", q.Get("per_page"))
		assert.Equal(t, "2026-03-01T09:00:00", q.Get("modified_after"), "UTC, no zone suffix")
		assert.Equal(t, "true", q.Get("dates_are_gmt"))
		assert.Equal(t, "modified", q.Get("orderby"))
		assert.Equal(t, "asc", q.Get("order"))
		assert.Equal(t, "processing,on-hold", q.Get("status"))
		page, _ := strconv.Atoi(q.Get("page"))
		body := "[]"
		if page <= 3 {
			body = fmt.Sprintf(`[{"id":%d},{"id":%d}]`, page*10, page*10+1)
		}
		return jsonResponse(200, body, "X-WP-Total", "6", "X-WP-TotalPages", "3"), nil
	})
	var ids []int64
	for o, err := range c.Orders().All(context.Background(), &OrderListOptions{
		Filter: Filter{ModifiedAfter: since, OrderBy: "modified", Order: "asc"},
		Status: []string{StatusProcessing, StatusOnHold},
	}) {
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	assert.Equal(t, []int64{10, 11, 20, 21, 30, 31}, ids)
	assert.Equal(t, 3, pages, "stops at X-WP-TotalPages")

	// Breaking out stops fetching.
	pages = 0
	for range c.Orders().All(context.Background(), &OrderListOptions{Filter: Filter{ModifiedAfter: since, OrderBy: "modified", Order: "asc"}, Status: []string{StatusProcessing, StatusOnHold}}) {
		break
	}
	assert.Equal(t, 1, pages)
}

func TestPaginateWithoutTotalsFollowsLinkNext(t *testing.T) {
	t.Parallel()
	fetches := 0
	seq := Paginate(context.Background(), func(ctx context.Context, page int) ([]int, *Response, error) {
		fetches++
		r := &Response{Total: -1, TotalPages: -1, HasNext: page < 2}
		return []int{page}, r, nil
	})
	var got []int
	for v, err := range seq {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Equal(t, []int{1, 2}, got)
	assert.Equal(t, 2, fetches)

	boom := errors.New("boom")
	for _, err := range Paginate(context.Background(), func(ctx context.Context, page int) ([]int, *Response, error) { return nil, nil, boom }) {
		assert.ErrorIs(t, err, boom)
	}
}

func TestProductListQuery(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products", func(r *http.Request) (*http.Response, error) {
		q := r.URL.Query()
		assert.Equal(t, "A-1,B-2", q.Get("sku"))
		assert.Equal(t, "5,6", q.Get("include"))
		assert.Equal(t, "id,sku,variations", q.Get("_fields"))
		assert.Equal(t, "variable", q.Get("type"))
		assert.Empty(t, q.Get("dates_are_gmt"), "no date filter, no dates_are_gmt")
		return jsonResponse(200, `[{"id":5,"sku":"A-1","variations":[8,9]}]`), nil
	})
	ps, _, err := c.Products().List(context.Background(), &ProductListOptions{
		SKU: "A-1,B-2", Type: "variable", Filter: Filter{Include: []int64{5, 6}, Fields: []string{"id", "sku", "variations"}},
	})
	require.NoError(t, err)
	assert.Equal(t, []int64{8, 9}, ps[0].Variations)
}

func TestProductWritesPinTheBody(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/products/794", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.JSONEq(t, `{"manage_stock":true,"stock_quantity":12,"global_unique_id":"5701234567899","regular_price":"21.99"}`, rawBody(t, r))
		return jsonResponse(200, `{"id":794,"manage_stock":true,"stock_quantity":12,"global_unique_id":"5701234567899"}`), nil
	})
	p, _, err := c.Products().Update(context.Background(), 794, &ProductRequest{
		ManageStock: Ptr(true), StockQuantity: Ptr(Int(12)), GlobalUniqueID: Ptr("5701234567899"), RegularPrice: Ptr(Decimal("21.99")),
	})
	require.NoError(t, err)
	assert.Equal(t, Number("12"), *p.StockQuantity)
	assert.Equal(t, "5701234567899", p.GlobalUniqueID)

	mt.RegisterResponder("DELETE", testStore+"/wp-json/wc/v3/products/794", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "true", r.URL.Query().Get("force"))
		return jsonResponse(200, `{"id":794}`), nil
	})
	_, _, err = c.Products().Delete(context.Background(), 794, true)
	require.NoError(t, err)
}

func TestVariations(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products/22/variations/732", httpmock.ResponderFromResponse(jsonResponse(200, fixture(t, "variation_732.json"))))
	v, _, err := c.Variations().Get(ctx, 22, 732)
	require.NoError(t, err)
	assert.Equal(t, int64(22), v.ParentID, "filled from the path")
	assert.Equal(t, Decimal("9.00"), v.Price)
	assert.Equal(t, []VariationAttribute{{ID: 6, Name: "Color", Option: "Black"}}, v.Attributes)
	require.NotNil(t, v.Image)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/products/22/variations", httpmock.ResponderFromResponse(jsonResponse(200,
		`[{"id":1,"manage_stock":"parent","stock_quantity":3},{"id":2,"manage_stock":true,"stock_quantity":5}]`, "X-WP-TotalPages", "1")))
	var got []Variation
	for v, err := range c.Variations().All(ctx, 22, nil) {
		require.NoError(t, err)
		got = append(got, v)
	}
	require.Len(t, got, 2)
	assert.Equal(t, ManageStock{On: true, ByParent: true}, got[0].ManageStock)
	assert.Equal(t, int64(22), got[1].ParentID)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/variations", httpmock.ResponderFromResponse(jsonResponse(200,
		`[{"id":101,"parent_id":7,"sku":"V-1"}]`, "X-WP-TotalPages", "1")))
	vs, _, err := c.Variations().ListAll(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(7), vs[0].ParentID)

	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/products/22/variations/batch", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"update":[{"id":732,"stock_quantity":0},{"id":733,"global_unique_id":"123"}]}`, rawBody(t, r))
		return jsonResponse(200, `{"update":[{"id":732,"stock_quantity":0},{"id":733,"error":{"code":"product_invalid_global_unique_id","message":"Invalid or duplicated GTIN, UPC, EAN or ISBN.","data":{"status":400,"resource_id":40}}}]}`), nil
	})
	res, _, err := c.Variations().Batch(ctx, 22, &Batch[VariationRequest]{Update: []VariationRequest{
		{ID: 732, StockQuantity: Ptr(Int(0))}, {ID: 733, GlobalUniqueID: Ptr("123")},
	}})
	require.NoError(t, err, "per-item errors do not fail the call")
	assert.Equal(t, int64(732), res.Update[0].Value.ID)
	assert.Nil(t, res.Update[0].Err)
	err = res.Err()
	var ie *BatchItemError
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "update", ie.Op)
	assert.Equal(t, 1, ie.Index)
	assert.Equal(t, int64(733), ie.ID)
	assert.Equal(t, 400, ie.Err.StatusCode)
	assert.Equal(t, int64(40), ie.Err.ResourceID())
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "product_invalid_global_unique_id", apiErr.Code)
}

func TestBatchLimits(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	b := &Batch[ProductRequest]{}
	for i := range 101 {
		b.Update = append(b.Update, ProductRequest{ID: int64(i + 1)})
	}
	_, _, err := c.Products().Batch(ctx, b)
	assert.ErrorIs(t, err, ErrBatchTooLarge)
	assert.Equal(t, 0, mt.GetTotalCallCount(), "refused before sending")

	// A store with a higher limit answers 413 when the Client allows more.
	c2, mt2 := newTestClient(t, WithBatchLimit(200))
	mt2.RegisterResponder("POST", testStore+"/wp-json/wc/v3/products/batch", httpmock.ResponderFromResponse(jsonResponse(413,
		`{"code":"woocommerce_rest_request_entity_too_large","message":"Unable to accept more than 100 items for this request.","data":{"status":413}}`)))
	_, _, err = c2.Products().Batch(ctx, b)
	assert.ErrorIs(t, err, ErrBatchTooLarge)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 413, apiErr.StatusCode)

	// An empty batch is answered with [] and changes nothing.
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/products/batch", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{}`, rawBody(t, r))
		return jsonResponse(200, `[]`), nil
	})
	res, _, err := c.Products().Batch(ctx, nil)
	require.NoError(t, err)
	assert.Empty(t, res.Create)
	assert.NoError(t, res.Err())
}

func TestOrderSampleDecodesExactly(t *testing.T) {
	t.Parallel()
	var o Order
	require.NoError(t, json.Unmarshal([]byte(fixture(t, "order_727.json")), &o))
	assert.Equal(t, int64(727), o.ID)
	assert.Equal(t, "727", o.Number)
	assert.Equal(t, "rest-api", o.CreatedVia)
	assert.Equal(t, StatusProcessing, o.Status)
	assert.Equal(t, Decimal("29.35"), o.Total)
	assert.Equal(t, Decimal("10.00"), o.ShippingTotal)
	assert.Equal(t, "2017-03-22T19:28:08Z", o.DatePaidGMT.Format(time.RFC3339))
	assert.True(t, o.DateCompletedGMT.IsZero())
	require.Len(t, o.LineItems, 2)
	l := o.LineItems[0]
	assert.Equal(t, Decimal("3"), l.Price, "line_items[].price is a JSON number")
	assert.Equal(t, Number("2"), l.Quantity)
	assert.Equal(t, Decimal("6.00"), l.Total)
	assert.Equal(t, Decimal("0.45"), l.Taxes[0].Total)
	require.NotNil(t, l.SKU)
	assert.Equal(t, "", *l.SKU)
	assert.Equal(t, "Bar3", *o.LineItems[1].SKU)
	assert.Equal(t, int64(23), o.LineItems[1].VariationID)
	assert.Equal(t, "yes", o.MetaData[0].StringValue())
	assert.Equal(t, "US", o.Shipping.Country)
}

func TestLineItemOfADeletedProductHasNoSKU(t *testing.T) {
	t.Parallel()
	var l LineItem
	require.NoError(t, json.Unmarshal([]byte(`{"id":1,"sku":null,"price":12.5,"quantity":1,"meta_data":[{"id":1,"key":"k","value":{"a":[1,2]}}]}`), &l))
	assert.Nil(t, l.SKU)
	assert.Equal(t, Decimal("12.5"), l.Price)
	assert.JSONEq(t, `{"a":[1,2]}`, string(l.MetaData[0].Value), "meta values are any JSON")
}

func TestOrderCreateAndUpdate(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/orders", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"set_paid":true,"payment_method":"bacs","line_items":[{"product_id":93,"quantity":2},{"product_id":22,"variation_id":23,"quantity":1}],"shipping_lines":[{"method_id":"flat_rate","method_title":"Flat Rate","total":"10.00"}]}`, rawBody(t, r))
		return jsonResponse(201, fixture(t, "order_727.json")), nil
	})
	o, _, err := c.Orders().Create(context.Background(), &OrderRequest{
		SetPaid: Ptr(true), PaymentMethod: Ptr("bacs"),
		LineItems:     []LineItemRequest{{ProductID: 93, Quantity: Int(2)}, {ProductID: 22, VariationID: 23, Quantity: Int(1)}},
		ShippingLines: []ShippingLine{{MethodID: "flat_rate", MethodTitle: "Flat Rate", Total: "10.00"}},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(727), o.ID)

	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/orders/727", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"status":"completed"}`, rawBody(t, r))
		return jsonResponse(200, `{"id":727,"status":"completed","date_completed_gmt":"2017-03-23T10:00:00"}`), nil
	})
	o, _, err = c.Orders().Update(context.Background(), 727, &OrderRequest{Status: Ptr(StatusCompleted)})
	require.NoError(t, err)
	assert.Equal(t, StatusCompleted, o.Status)
	assert.False(t, o.DateCompletedGMT.IsZero())
}

func TestRefunds(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders/723/refunds", httpmock.ResponderFromResponse(jsonResponse(200,
		"["+fixture(t, "refund_724.json")+"]", "X-WP-TotalPages", "1")))
	var rs []Refund
	for r, err := range c.Refunds().All(ctx, 723) {
		require.NoError(t, err)
		rs = append(rs, r)
	}
	require.Len(t, rs, 1)
	r := rs[0]
	assert.Equal(t, Decimal("9.00"), r.Amount)
	require.Len(t, r.LineItems, 1)
	assert.Equal(t, Number("-1"), r.LineItems[0].Quantity, "refund lines are negative")
	assert.Equal(t, Decimal("-9"), r.LineItems[0].Price)
	assert.Equal(t, int64(311), r.LineItems[0].RefundedItemID())
	q, err := r.LineItems[0].Quantity.Int64()
	require.NoError(t, err)
	assert.Equal(t, int64(-1), q)

	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/orders/723/refunds", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"amount":"10.00","reason":"damaged","api_refund":false,"api_restock":false,
			"line_items":[{"id":311,"quantity":1,"refund_total":10.00,"refund_tax":[{"id":75,"refund_total":0}]}],
			"meta_data":[{"key":"_wmsbridge_refund","value":"r-1"}]}`, rawBody(t, r))
		return jsonResponse(201, `{"id":726,"amount":"10.00","reason":"damaged","refunded_payment":false,"line_items":[]}`), nil
	})
	ref, _, err := c.Refunds().Create(ctx, 723, &RefundRequest{
		Amount: "10.00", Reason: "damaged",
		LineItems: []RefundLineRequest{{ID: 311, Quantity: Int(1), RefundTotal: "10.00", RefundTax: []RefundTax{{ID: 75, RefundTotal: "0"}}}},
		MetaData:  []MetaData{StringMeta("_wmsbridge_refund", "r-1")},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(726), ref.ID)
	assert.False(t, ref.RefundedPayment)
}

func TestOrderNotes(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/orders/723/notes", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"note":"Shipped: GLS 123","customer_note":true}`, rawBody(t, r))
		return jsonResponse(201, fixture(t, "order_note_281.json")), nil
	})
	n, _, err := c.OrderNotes().Create(context.Background(), 723, &OrderNoteRequest{Note: "Shipped: GLS 123", CustomerNote: true})
	require.NoError(t, err)
	assert.Equal(t, int64(281), n.ID)
	assert.Equal(t, "Order ok!!!", n.Note)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/orders/723/notes", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "customer", r.URL.Query().Get("type"))
		assert.Empty(t, r.URL.Query().Get("page"), "notes are not paged")
		return jsonResponse(200, "["+fixture(t, "order_note_281.json")+"]"), nil
	})
	ns, _, err := c.OrderNotes().List(context.Background(), 723, "customer")
	require.NoError(t, err)
	assert.Len(t, ns, 1)
}

func TestWebhooks(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/webhooks", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"name":"Order updated","topic":"order.updated","delivery_url":"https://wms.example/hooks/woo","secret":"s3cr3t","status":"active"}`, rawBody(t, r))
		return jsonResponse(201, fixture(t, "webhook_142.json")), nil
	})
	w, _, err := c.Webhooks().Create(ctx, &WebhookRequest{
		Name: Ptr("Order updated"), Topic: Ptr("order.updated"), DeliveryURL: Ptr("https://wms.example/hooks/woo"),
		Secret: Ptr("s3cr3t"), Status: Ptr(WebhookActive),
	})
	require.NoError(t, err)
	assert.Equal(t, int64(142), w.ID)
	assert.Equal(t, "order", w.Resource)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/webhooks", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "disabled", r.URL.Query().Get("status"))
		return jsonResponse(200, "["+fixture(t, "webhook_142.json")+"]", "X-WP-TotalPages", "1"), nil
	})
	n := 0
	for w, err := range c.Webhooks().All(ctx, &WebhookListOptions{Status: WebhookDisabled}) {
		require.NoError(t, err)
		assert.Equal(t, "http://requestb.in/1g0sxmo1", w.DeliveryURL)
		n++
	}
	assert.Equal(t, 1, n)

	mt.RegisterResponder("PUT", testStore+"/wp-json/wc/v3/webhooks/142", func(r *http.Request) (*http.Response, error) {
		assert.JSONEq(t, `{"status":"active"}`, rawBody(t, r))
		return jsonResponse(200, fixture(t, "webhook_142.json")), nil
	})
	_, _, err = c.Webhooks().Update(ctx, 142, &WebhookRequest{Status: Ptr(WebhookActive)})
	require.NoError(t, err)

	mt.RegisterResponder("DELETE", testStore+"/wp-json/wc/v3/webhooks/142", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "true", r.URL.Query().Get("force"), "webhooks have no trash")
		return jsonResponse(200, fixture(t, "webhook_142.json")), nil
	})
	_, _, err = c.Webhooks().Delete(ctx, 142)
	require.NoError(t, err)
}

func TestSiteIndexSettingsAndRoutes(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	ctx := context.Background()
	mt.RegisterResponder("GET", testStore+"/wp-json/", func(r *http.Request) (*http.Response, error) {
		assert.Empty(t, r.Header.Get("Authorization"), "the index is asked without the key")
		return jsonResponse(200, `{"name":"Demo Woo","description":"","url":"https://shop.example","home":"https://shop.example","gmt_offset":"2","timezone_string":"Europe/Copenhagen","namespaces":["oembed/1.0","wc/v3","wc/store/v1"]}`), nil
	})
	idx, _, err := c.Index(ctx)
	require.NoError(t, err)
	assert.Equal(t, "Demo Woo", idx.Name)
	assert.Equal(t, "Europe/Copenhagen", idx.TimezoneString)
	assert.Equal(t, Number("2"), idx.GMTOffset)
	assert.True(t, idx.HasNamespace("wc/v3"))

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3/settings/general", httpmock.ResponderFromResponse(jsonResponse(200,
		`[{"id":"woocommerce_default_country","label":"Country and State","type":"select","value":"US:CA"},{"id":"woocommerce_currency","label":"Currency","type":"select","value":"USD"},{"id":"woocommerce_specific_allowed_countries","type":"multiselect","value":["DK","SE"]}]`)))
	g, _, err := c.GeneralSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, "USD", g.Currency)
	assert.Equal(t, "US", g.Country)
	assert.Equal(t, "CA", g.State)
	assert.Len(t, g.All, 3)

	mt.RegisterResponder("GET", testStore+"/wp-json/wc/v3", httpmock.ResponderFromResponse(jsonResponse(200,
		`{"namespace":"wc/v3","routes":{"/wc/v3":{},"/wc/v3/orders/(?P<order_id>[\\d]+)/fulfillments":{},"/wc/v3/variations":{}}}`)))
	routes, _, err := c.Routes(ctx)
	require.NoError(t, err)
	assert.True(t, HasRoute(routes, "/wc/v3/orders/{id}/fulfillments"))
	assert.True(t, HasRoute(routes, "/wc/v3/variations"))
	assert.False(t, HasRoute(routes, "/wc/v3/refunds"))
}

func TestFulfillments(t *testing.T) {
	t.Parallel()
	c, mt := newTestClient(t)
	mt.RegisterResponder("POST", testStore+"/wp-json/wc/v3/orders/123/fulfillments", func(r *http.Request) (*http.Response, error) {
		assert.Equal(t, "true", r.URL.Query().Get("notify_customer"))
		body := readJSON(t, r)
		assert.Equal(t, "fulfilled", body["status"])
		return jsonResponse(201, fixture(t, "fulfillment_2.json")), nil
	})
	f, _, err := c.Fulfillments().Create(context.Background(), 123, &Fulfillment{Status: "fulfilled", IsFulfilled: true,
		MetaData: []MetaData{StringMeta("_tracking_number", "1Z999AA1234567890")}}, true)
	require.NoError(t, err)
	assert.Equal(t, "1Z999AA1234567890", f.Meta("_tracking_number"))
	assert.Equal(t, "123", f.EntityID)
}
