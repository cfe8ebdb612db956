package woocommerce

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// RefundsService reads and creates the refunds of an order
// (/wc/v3/orders/{order_id}/refunds).
type RefundsService struct{ client *Client }

// Refunds returns the service for order refunds.
func (c *Client) Refunds() *RefundsService { return &RefundsService{client: c} }

// Refund is a refund as WooCommerce answers it. Its line items carry
// negative quantities, totals and prices, and meta _refunded_item_id
// naming the order line.
type Refund struct {
	ID             int64   `json:"id"`
	DateCreatedGMT Time    `json:"date_created_gmt"`
	Amount         Decimal `json:"amount"`
	Reason         string  `json:"reason"`
	RefundedBy     int64   `json:"refunded_by"`
	// RefundedPayment reports that the payment gateway refunded the money.
	RefundedPayment bool       `json:"refunded_payment"`
	MetaData        []MetaData `json:"meta_data"`
	LineItems       []LineItem `json:"line_items"`
}

// RefundedItemID returns the order line a refund line refunds (its
// _refunded_item_id meta), or 0.
func (l LineItem) RefundedItemID() int64 {
	for _, m := range l.MetaData {
		if m.Key == "_refunded_item_id" {
			var id ID
			if id.UnmarshalJSON(m.Value) == nil {
				return int64(id)
			}
		}
	}
	return 0
}

// RefundRequest creates a refund.
//
// APIRefund and APIRestock are always sent. Their zero value false differs
// from WooCommerce's defaults (true, true) on purpose: a refund created
// through this library records the refund without asking the payment
// gateway to move money and without restocking, unless the caller says
// so.
type RefundRequest struct {
	// Amount is the total to refund; "" lets WooCommerce add up the lines'
	// refund totals.
	Amount     Decimal             `json:"amount,omitempty"`
	Reason     string              `json:"reason,omitempty"`
	RefundedBy int64               `json:"refunded_by,omitempty"`
	MetaData   []MetaData          `json:"meta_data,omitempty"`
	LineItems  []RefundLineRequest `json:"line_items,omitempty"`
	// APIRefund asks the payment gateway to refund the money.
	APIRefund bool `json:"api_refund"`
	// APIRestock puts the refunded units back in stock.
	APIRestock bool `json:"api_restock"`
}

// RefundLineRequest refunds (part of) an order line.
type RefundLineRequest struct {
	// ID is the order line's id.
	ID          int64       `json:"id"`
	Quantity    Number      `json:"quantity"`
	RefundTotal Number      `json:"refund_total"`
	RefundTax   []RefundTax `json:"refund_tax,omitempty"`
}

// RefundTax refunds tax of one rate on a line.
type RefundTax struct {
	ID          int64  `json:"id"`
	RefundTotal Number `json:"refund_total"`
}

// List returns one page of an order's refunds (newest first by default).
func (s *RefundsService) List(ctx context.Context, orderID int64, opts *ListOptions) ([]Refund, *Response, error) {
	q := url.Values{}
	opts.values(q)
	return list[Refund](ctx, s.client, idPath("orders", orderID, "refunds"), q)
}

// All iterates over every refund of an order.
func (s *RefundsService) All(ctx context.Context, orderID int64) iter.Seq2[Refund, error] {
	return all[Refund](ctx, s.client, idPath("orders", orderID, "refunds"), url.Values{})
}

// Get returns one refund.
func (s *RefundsService) Get(ctx context.Context, orderID, id int64) (*Refund, *Response, error) {
	return get[Refund](ctx, s.client, idPath("orders", orderID, "refunds", id))
}

// Create creates a refund. WooCommerce has no idempotency keys: Create is
// never retried after it may have reached the store, and a caller that
// retries must first read the order's refunds (List) to see whether the
// refund exists, or it refunds twice.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#create-a-refund
func (s *RefundsService) Create(ctx context.Context, orderID int64, req *RefundRequest) (*Refund, *Response, error) {
	return send[Refund](ctx, s.client, http.MethodPost, idPath("orders", orderID, "refunds"), nil, req)
}

// Delete deletes a refund (refunds have no trash; force is always sent).
func (s *RefundsService) Delete(ctx context.Context, orderID, id int64) (*Refund, *Response, error) {
	return send[Refund](ctx, s.client, http.MethodDelete, idPath("orders", orderID, "refunds", id), forceQuery(true), nil)
}
