package shopify

import "time"

// RefundPayload is the REST-format refund sent for refunds/create (and found
// in OrderPayload.Refunds). RefundLineItems say which order lines were
// refunded and whether stock was restocked (RestockType, LocationID), which is
// what a warehouse needs; Transactions carry the money that moved.
type RefundPayload struct {
	ID                int64                    `json:"id"`
	AdminGraphQLAPIID string                   `json:"admin_graphql_api_id" payload:"strict"`
	OrderID           int64                    `json:"order_id"`
	UserID            int64                    `json:"user_id"`
	Note              string                   `json:"note"`
	Restock           bool                     `json:"restock"`
	CreatedAt         time.Time                `json:"created_at"`
	ProcessedAt       time.Time                `json:"processed_at"`
	TotalDutiesSet    PayloadMoneySet          `json:"total_duties_set"`
	RefundLineItems   []PayloadRefundLineItem  `json:"refund_line_items" payload:"strict"`
	OrderAdjustments  []PayloadOrderAdjustment `json:"order_adjustments"`
	Transactions      []TransactionPayload     `json:"transactions"`
}

// PayloadRefundLineItem is one refunded order line. RestockType is
// "no_restock", "cancel", "return" or "legacy_restock"; LocationID is where
// stock went back (0 when not restocked).
type PayloadRefundLineItem struct {
	ID          int64           `json:"id"`
	LineItemID  int64           `json:"line_item_id"`
	Quantity    int             `json:"quantity"`
	LocationID  int64           `json:"location_id"`
	RestockType string          `json:"restock_type" payload:"strict"`
	Subtotal    Decimal         `json:"subtotal"`
	SubtotalSet PayloadMoneySet `json:"subtotal_set"`
	TotalTax    Decimal         `json:"total_tax"`
	TotalTaxSet PayloadMoneySet `json:"total_tax_set"`
	LineItem    PayloadLineItem `json:"line_item"`
}

// PayloadOrderAdjustment is a refund amount not tied to a line (shipping
// refunds, refund discrepancies).
type PayloadOrderAdjustment struct {
	ID           int64           `json:"id"`
	OrderID      int64           `json:"order_id"`
	RefundID     int64           `json:"refund_id"`
	Kind         string          `json:"kind"`
	Reason       string          `json:"reason"`
	Amount       Decimal         `json:"amount"`
	AmountSet    PayloadMoneySet `json:"amount_set"`
	TaxAmount    Decimal         `json:"tax_amount"`
	TaxAmountSet PayloadMoneySet `json:"tax_amount_set"`
}
