package woocommerce

import (
	"context"
	"net/http"
	"net/url"
)

// FulfillmentsService uses WooCommerce's Order Fulfillments endpoints
// (/wc/v3/orders/{order_id}/fulfillments), a beta feature of WooCommerce
// 10.1+ that a store must switch on (woocommerce_feature_fulfillments_enabled).
// Stores without it answer 404 rest_no_route; check with Client.Routes and
// HasRoute(routes, "/wc/v3/orders/{id}/fulfillments").
type FulfillmentsService struct{ client *Client }

// Fulfillments returns the service for order fulfillments.
func (c *Client) Fulfillments() *FulfillmentsService { return &FulfillmentsService{client: c} }

// Fulfillment is a shipment of (part of) an order. Its items and tracking
// are meta data: _items ([{item_id, qty}]), _tracking_number,
// _shipment_provider and _tracking_url.
type Fulfillment struct {
	ID          int64      `json:"id,omitempty"`
	EntityType  string     `json:"entity_type,omitempty"`
	EntityID    string     `json:"entity_id,omitempty"`
	Status      string     `json:"status"`
	IsFulfilled bool       `json:"is_fulfilled"`
	DateUpdated Time       `json:"date_updated"`
	DateDeleted Time       `json:"date_deleted"`
	MetaData    []MetaData `json:"meta_data"`
}

// Meta returns the string value of meta key k ("" when absent).
func (f *Fulfillment) Meta(k string) string {
	for _, m := range f.MetaData {
		if m.Key == k {
			return m.StringValue()
		}
	}
	return ""
}

// List returns an order's fulfillments.
func (s *FulfillmentsService) List(ctx context.Context, orderID int64) ([]Fulfillment, *Response, error) {
	return list[Fulfillment](ctx, s.client, idPath("orders", orderID, "fulfillments"), nil)
}

// Create records a fulfillment; notifyCustomer emails the customer. Not
// repeatable: list the order's fulfillments before creating one again.
func (s *FulfillmentsService) Create(ctx context.Context, orderID int64, f *Fulfillment, notifyCustomer bool) (*Fulfillment, *Response, error) {
	var q url.Values
	if notifyCustomer {
		q = url.Values{"notify_customer": {"true"}}
	}
	return send[Fulfillment](ctx, s.client, http.MethodPost, idPath("orders", orderID, "fulfillments"), q, f)
}
