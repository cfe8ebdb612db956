package shopify

import (
	"context"
	"errors"
	"time"
)

// RefundsService creates refunds. Needs write_orders. Every refund carries
// an @idempotent key, so the client may retry it and a caller may repeat it
// after a crash with the same key.
type RefundsService struct{ client *Client }

// Refund is a refund of (part of) an order.
type Refund struct {
	ID            string             `json:"id"`
	CreatedAt     time.Time          `json:"createdAt"`
	Note          string             `json:"note"`
	TotalRefunded MoneyBag           `json:"totalRefundedSet"`
	LineItems     []RefundLineItem   `json:"-"`
	Transactions  []OrderTransaction `json:"-"`
}

// RefundLineItem is a refunded quantity of an order line.
type RefundLineItem struct {
	Quantity    int      `json:"quantity"`
	RestockType string   `json:"restockType"`
	Restocked   bool     `json:"restocked"`
	Location    *NodeRef `json:"location"`
	LineItem    struct {
		ID  string `json:"id"`
		SKU string `json:"sku"`
	} `json:"lineItem"`
}

type refundJSON struct {
	Refund
	Lines *Connection[RefundLineItem]   `json:"refundLineItems"`
	Txs   *Connection[OrderTransaction] `json:"transactions"`
}

// RefundRequest describes a refund.
type RefundRequest struct {
	OrderID string
	Lines   []RefundLine
	// Shipping optionally refunds shipping: FullShipping, or an Amount.
	FullShipping   bool
	ShippingAmount *Decimal
	// Transactions are the money movements; none refunds nothing to the
	// customer (a restock-only refund).
	Transactions []RefundTransaction
	Note         string
	Notify       bool
	// Currency is required when the presentment currency differs from
	// the shop's; "" omits it.
	Currency string
	// IdempotencyKey identifies this refund; store it with your job and
	// pass it again when repeating the request. Empty generates a random
	// key, which protects the client's own retries only.
	IdempotencyKey string
}

// RefundLine refunds a quantity of one order line.
type RefundLine struct {
	LineItemID string
	Quantity   int
	// RestockType is NO_RESTOCK, CANCEL (unfulfilled items) or RETURN
	// (fulfilled items coming back); "" lets Shopify decide.
	RestockType string
	// LocationID receives restocked items; "" lets Shopify decide.
	LocationID string
}

// RefundTransaction is money sent back to the customer.
type RefundTransaction struct {
	// ParentID is the SALE or CAPTURE transaction refunded.
	ParentID string
	Amount   Decimal
	Gateway  string
	// Kind is REFUND unless set.
	Kind string
}

// Create creates a refund and returns it. Refunding more than is
// refundable is rejected with a *UserErrorsError.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/refundCreate
func (s *RefundsService) Create(ctx context.Context, req RefundRequest) (*Refund, error) {
	if req.OrderID == "" {
		return nil, errors.New("shopify: refund without order")
	}
	in := map[string]any{"orderId": req.OrderID, "notify": req.Notify}
	optString(in, "note", req.Note)
	optString(in, "currency", req.Currency)
	if len(req.Lines) > 0 {
		lines := make([]map[string]any, len(req.Lines))
		for i, l := range req.Lines {
			m := map[string]any{"lineItemId": l.LineItemID, "quantity": l.Quantity}
			optString(m, "restockType", l.RestockType)
			optString(m, "locationId", l.LocationID)
			lines[i] = m
		}
		in["refundLineItems"] = lines
	}
	if req.FullShipping || req.ShippingAmount != nil {
		sh := map[string]any{}
		if req.FullShipping {
			sh["fullRefund"] = true
		}
		if req.ShippingAmount != nil {
			sh["amount"] = req.ShippingAmount.String()
		}
		in["shipping"] = sh
	}
	if len(req.Transactions) > 0 {
		txs := make([]map[string]any, len(req.Transactions))
		for i, t := range req.Transactions {
			kind := t.Kind
			if kind == "" {
				kind = "REFUND"
			}
			m := map[string]any{"orderId": req.OrderID, "amount": t.Amount.String(), "gateway": t.Gateway, "kind": kind}
			optString(m, "parentId", t.ParentID)
			txs[i] = m
		}
		in["transactions"] = txs
	}
	key := req.IdempotencyKey
	if key == "" {
		key = newIdempotencyKey()
	}
	var out struct {
		P struct {
			R          *refundJSON `json:"refund"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"refundCreate"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opRefundCreate,
		OperationName: "refundCreate",
		Variables:     map[string]any{"input": in, "idempotencyKey": key},
		Idempotent:    true,
	}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("refundCreate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.R == nil {
		return nil, errors.New("shopify: refundCreate returned no refund")
	}
	r := out.P.R.Refund
	if out.P.R.Lines != nil {
		r.LineItems = out.P.R.Lines.Nodes
	}
	if out.P.R.Txs != nil {
		r.Transactions = out.P.R.Txs.Nodes
	}
	return &r, nil
}
