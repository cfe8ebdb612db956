package shopify

import (
	"context"
	"errors"
)

// PaymentsService captures authorised payments and marks orders as paid.
// Needs write_orders. Neither call has an idempotency key: after an
// ambiguous failure, re-read the order (OrdersService.Get: Capturable,
// Transactions) before repeating; the client does not retry them itself.
type PaymentsService struct{ client *Client }

// CaptureRequest captures (part of) an authorisation.
type CaptureRequest struct {
	OrderID string
	// ParentTransactionID is the AUTHORIZATION transaction to capture.
	ParentTransactionID string
	// Amount to capture: the whole authorisation or a part of it.
	Amount Decimal
	// Currency is required when the order's presentment currency differs
	// from the shop's; "" omits it.
	Currency string
	// FinalCapture, for multi-capturable authorisations (Shopify Payments),
	// releases the rest of the authorisation after this capture. nil
	// omits it.
	FinalCapture *bool
}

// Capture captures an authorised payment and returns the CAPTURE
// transaction. Capturing more than is left on the authorisation
// (over-capture) is rejected with a *UserErrorsError.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/orderCapture
func (s *PaymentsService) Capture(ctx context.Context, req CaptureRequest) (*OrderTransaction, error) {
	in := map[string]any{
		"id":                  req.OrderID,
		"parentTransactionId": req.ParentTransactionID,
		"amount":              req.Amount.String(),
	}
	optString(in, "currency", req.Currency)
	if req.FinalCapture != nil {
		in["finalCapture"] = *req.FinalCapture
	}
	var out struct {
		P struct {
			T          *OrderTransaction `json:"transaction"`
			UserErrors []UserError       `json:"userErrors"`
		} `json:"orderCapture"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opOrderCapture, OperationName: "orderCapture", Variables: map[string]any{"input": in}}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("orderCapture", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.T == nil {
		return nil, errors.New("shopify: orderCapture returned no transaction")
	}
	return out.P.T, nil
}

// MarkAsPaid records that an order was paid outside Shopify (cash on
// delivery, bank transfer) and returns the updated order. It is the right
// call only for orders without a capturable authorisation: for those, use
// Capture.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/orderMarkAsPaid
func (s *PaymentsService) MarkAsPaid(ctx context.Context, orderID string) (*Order, error) {
	var out struct {
		P struct {
			O          *orderJSON  `json:"order"`
			UserErrors []UserError `json:"userErrors"`
		} `json:"orderMarkAsPaid"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opOrderMarkAsPaid, OperationName: "orderMarkAsPaid", Variables: map[string]any{"input": map[string]any{"id": orderID}}}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("orderMarkAsPaid", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.O == nil {
		return nil, notFound("order", orderID)
	}
	o := out.P.O.order()
	return &o, nil
}
