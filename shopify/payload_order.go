package shopify

import "time"

// OrderPayload is the REST-format order that Shopify sends for the topics
// orders/create, orders/updated, orders/cancelled, orders/paid,
// orders/fulfilled and orders/partially_fulfilled.
//
// IDs are exact int64 (0 when null), money is Decimal, timestamps are
// time.Time (zero when null). Fields the SDK does not model are ignored; decode
// Event.Body yourself for anything else. Use UpdatedAt (with the delivery's
// triggered-at time) to drop stale deliveries: retries carry the original
// payload and may arrive out of order.
type OrderPayload struct {
	ID                  int64  `json:"id"`
	AdminGraphQLAPIID   string `json:"admin_graphql_api_id" payload:"strict"`
	Name                string `json:"name"`
	Number              int64  `json:"number"`
	OrderNumber         int64  `json:"order_number"`
	ConfirmationNumber  string `json:"confirmation_number"`
	Email               string `json:"email"`
	ContactEmail        string `json:"contact_email"`
	Phone               string `json:"phone"`
	Note                string `json:"note"`
	Tags                string `json:"tags"`
	Test                bool   `json:"test"`
	Confirmed           bool   `json:"confirmed"`
	AppID               int64  `json:"app_id"`
	LocationID          int64  `json:"location_id"`
	UserID              int64  `json:"user_id"`
	SourceName          string `json:"source_name" payload:"strict"`
	SourceIdentifier    string `json:"source_identifier"`
	PONumber            string `json:"po_number"`
	Currency            string `json:"currency"`
	PresentmentCurrency string `json:"presentment_currency"`
	FinancialStatus     string `json:"financial_status"`
	FulfillmentStatus   string `json:"fulfillment_status"`
	CancelReason        string `json:"cancel_reason"`
	TaxesIncluded       bool   `json:"taxes_included"`
	TaxExempt           bool   `json:"tax_exempt"`
	TotalWeight         int64  `json:"total_weight"`

	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	ProcessedAt time.Time `json:"processed_at"`
	CancelledAt time.Time `json:"cancelled_at"`
	ClosedAt    time.Time `json:"closed_at"`

	SubtotalPrice            Decimal         `json:"subtotal_price"`
	SubtotalPriceSet         PayloadMoneySet `json:"subtotal_price_set"`
	TotalPrice               Decimal         `json:"total_price"`
	TotalPriceSet            PayloadMoneySet `json:"total_price_set"`
	TotalTax                 Decimal         `json:"total_tax"`
	TotalTaxSet              PayloadMoneySet `json:"total_tax_set"`
	TotalDiscounts           Decimal         `json:"total_discounts"`
	TotalDiscountsSet        PayloadMoneySet `json:"total_discounts_set"`
	TotalLineItemsPrice      Decimal         `json:"total_line_items_price"`
	TotalLineItemsPriceSet   PayloadMoneySet `json:"total_line_items_price_set"`
	TotalShippingPriceSet    PayloadMoneySet `json:"total_shipping_price_set"`
	TotalOutstanding         Decimal         `json:"total_outstanding"`
	TotalTipReceived         Decimal         `json:"total_tip_received"`
	CurrentSubtotalPrice     Decimal         `json:"current_subtotal_price"`
	CurrentSubtotalPriceSet  PayloadMoneySet `json:"current_subtotal_price_set"`
	CurrentTotalPrice        Decimal         `json:"current_total_price"`
	CurrentTotalPriceSet     PayloadMoneySet `json:"current_total_price_set"`
	CurrentTotalTax          Decimal         `json:"current_total_tax"`
	CurrentTotalTaxSet       PayloadMoneySet `json:"current_total_tax_set"`
	CurrentTotalDiscounts    Decimal         `json:"current_total_discounts"`
	CurrentTotalDiscountsSet PayloadMoneySet `json:"current_total_discounts_set"`
	CurrentShippingPriceSet  PayloadMoneySet `json:"current_shipping_price_set"`

	PaymentGatewayNames []string              `json:"payment_gateway_names"`
	DiscountCodes       []PayloadDiscountCode `json:"discount_codes"`
	NoteAttributes      PayloadProperties     `json:"note_attributes"`
	TaxLines            []PayloadTaxLine      `json:"tax_lines"`

	Customer        *PayloadCustomer `json:"customer"`
	BillingAddress  *PayloadAddress  `json:"billing_address"`
	ShippingAddress *PayloadAddress  `json:"shipping_address"`

	LineItems     []PayloadLineItem     `json:"line_items" payload:"strict"`
	ShippingLines []PayloadShippingLine `json:"shipping_lines"`
	Fulfillments  []FulfillmentPayload  `json:"fulfillments"`
	Refunds       []RefundPayload       `json:"refunds"`
	// Transactions is present only in payloads that include it (orders
	// webhooks usually do not; subscribe to order_transactions/create).
	Transactions []TransactionPayload `json:"transactions,omitempty"`
}

// PayloadDiscountCode is a discount code applied to an order.
type PayloadDiscountCode struct {
	Code   string  `json:"code"`
	Amount Decimal `json:"amount"`
	Type   string  `json:"type"`
}

// PayloadShippingLine is a shipping method charged on an order.
type PayloadShippingLine struct {
	ID                  int64                       `json:"id"`
	Title               string                      `json:"title"`
	Code                string                      `json:"code"`
	Source              string                      `json:"source"`
	CarrierIdentifier   string                      `json:"carrier_identifier"`
	Phone               string                      `json:"phone"`
	IsRemoved           bool                        `json:"is_removed"`
	Price               Decimal                     `json:"price"`
	PriceSet            PayloadMoneySet             `json:"price_set"`
	DiscountedPrice     Decimal                     `json:"discounted_price"`
	DiscountedPriceSet  PayloadMoneySet             `json:"discounted_price_set"`
	TaxLines            []PayloadTaxLine            `json:"tax_lines"`
	DiscountAllocations []PayloadDiscountAllocation `json:"discount_allocations"`
}

// PayloadCustomer is the customer embedded in an order payload.
type PayloadCustomer struct {
	ID                int64           `json:"id"`
	AdminGraphQLAPIID string          `json:"admin_graphql_api_id" payload:"strict"`
	Email             string          `json:"email"`
	Phone             string          `json:"phone"`
	FirstName         string          `json:"first_name"`
	LastName          string          `json:"last_name"`
	State             string          `json:"state"`
	Note              string          `json:"note"`
	Tags              string          `json:"tags"`
	Currency          string          `json:"currency"`
	VerifiedEmail     bool            `json:"verified_email"`
	TaxExempt         bool            `json:"tax_exempt"`
	CreatedAt         time.Time       `json:"created_at"`
	UpdatedAt         time.Time       `json:"updated_at"`
	DefaultAddress    *PayloadAddress `json:"default_address"`
}

// OrderDeletePayload is the payload of orders/delete: Shopify sends only the
// ID of the deleted order.
type OrderDeletePayload struct {
	ID int64 `json:"id"`
}

// OrderEditPayload is the payload of orders/edited: a summary of one
// committed order edit. It does not carry the order itself; fetch the order
// (OrderID) to see its new state.
type OrderEditPayload struct {
	OrderEdit PayloadOrderEdit `json:"order_edit"`
}

// PayloadOrderEdit describes a committed order edit.
type PayloadOrderEdit struct {
	ID             int64                 `json:"id"`
	AppID          int64                 `json:"app_id"`
	OrderID        int64                 `json:"order_id"`
	UserID         int64                 `json:"user_id"`
	StaffNote      string                `json:"staff_note"`
	NotifyCustomer bool                  `json:"notify_customer"`
	CreatedAt      time.Time             `json:"created_at"`
	CommittedAt    time.Time             `json:"committed_at"`
	LineItems      PayloadOrderEditDelta `json:"line_items" payload:"strict"`
	ShippingLines  PayloadOrderEditDelta `json:"shipping_lines"`
}

// PayloadOrderEditDelta lists what an order edit added and removed.
type PayloadOrderEditDelta struct {
	Additions []PayloadOrderEditChange `json:"additions"`
	Removals  []PayloadOrderEditChange `json:"removals"`
}

// PayloadOrderEditChange is one line added or removed by an order edit: the
// line item (or shipping line) ID and the quantity delta.
type PayloadOrderEditChange struct {
	ID    int64 `json:"id"`
	Delta int   `json:"delta"`
}
