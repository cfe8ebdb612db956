package woocommerce

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// OrdersService reads and writes orders (/wc/v3/orders).
type OrdersService struct{ client *Client }

// Orders returns the service for orders.
func (c *Client) Orders() *OrdersService { return &OrdersService{client: c} }

// The order statuses of WooCommerce core and WooCommerce Blocks. Plugins
// register more; treat unknown values as opaque.
const (
	StatusPending       = "pending"
	StatusProcessing    = "processing"
	StatusOnHold        = "on-hold"
	StatusCompleted     = "completed"
	StatusCancelled     = "cancelled"
	StatusRefunded      = "refunded"
	StatusFailed        = "failed"
	StatusCheckoutDraft = "checkout-draft"
	StatusTrash         = "trash"
)

// Order is an order as WooCommerce answers it.
type Order struct {
	ID       int64 `json:"id"`
	ParentID int64 `json:"parent_id"`
	// Number is the order number shown to the customer; it equals the id
	// unless a plugin changes it.
	Number   string `json:"number"`
	OrderKey string `json:"order_key"`
	// CreatedVia is checkout, store-api, rest-api, admin, pos-rest-api or
	// what a plugin sets.
	CreatedVia string `json:"created_via"`
	Version    string `json:"version"`
	// Status is one of the Status constants, or a plugin's status.
	Status             string         `json:"status"`
	Currency           string         `json:"currency"`
	DateCreatedGMT     Time           `json:"date_created_gmt"`
	DateModifiedGMT    Time           `json:"date_modified_gmt"`
	DatePaidGMT        Time           `json:"date_paid_gmt"`
	DateCompletedGMT   Time           `json:"date_completed_gmt"`
	DiscountTotal      Decimal        `json:"discount_total"`
	DiscountTax        Decimal        `json:"discount_tax"`
	ShippingTotal      Decimal        `json:"shipping_total"`
	ShippingTax        Decimal        `json:"shipping_tax"`
	CartTax            Decimal        `json:"cart_tax"`
	Total              Decimal        `json:"total"`
	TotalTax           Decimal        `json:"total_tax"`
	PricesIncludeTax   bool           `json:"prices_include_tax"`
	CustomerID         int64          `json:"customer_id"`
	CustomerNote       string         `json:"customer_note"`
	Billing            Address        `json:"billing"`
	Shipping           Address        `json:"shipping"`
	PaymentMethod      string         `json:"payment_method"`
	PaymentMethodTitle string         `json:"payment_method_title"`
	TransactionID      string         `json:"transaction_id"`
	MetaData           []MetaData     `json:"meta_data"`
	LineItems          []LineItem     `json:"line_items"`
	ShippingLines      []ShippingLine `json:"shipping_lines"`
	FeeLines           []FeeLine      `json:"fee_lines"`
	// Refunds lists the order's refunds with negative totals ("-10.00").
	Refunds         []OrderRefund `json:"refunds"`
	NeedsPayment    bool          `json:"needs_payment"`
	NeedsProcessing bool          `json:"needs_processing"`
}

// Address is a billing or shipping address.
type Address struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Company   string `json:"company"`
	Address1  string `json:"address_1"`
	Address2  string `json:"address_2"`
	City      string `json:"city"`
	State     string `json:"state"`
	Postcode  string `json:"postcode"`
	Country   string `json:"country"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
}

// LineItem is a line of an order or of a refund (where quantity, totals
// and price are negative).
type LineItem struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	ProductID   int64      `json:"product_id"`
	VariationID int64      `json:"variation_id"`
	Quantity    Number     `json:"quantity"`
	TaxClass    string     `json:"tax_class"`
	Subtotal    Decimal    `json:"subtotal"`
	SubtotalTax Decimal    `json:"subtotal_tax"`
	Total       Decimal    `json:"total"`
	TotalTax    Decimal    `json:"total_tax"`
	Taxes       []LineTax  `json:"taxes"`
	MetaData    []MetaData `json:"meta_data"`
	// SKU is the product's current SKU (not frozen at purchase); nil
	// when the product was deleted.
	SKU *string `json:"sku"`
	// Price is total / quantity, which WooCommerce sends as a JSON number.
	Price      Decimal `json:"price"`
	ParentName *string `json:"parent_name"`
}

// LineTax is a line's tax per rate.
type LineTax struct {
	ID       int64   `json:"id"`
	Total    Decimal `json:"total"`
	Subtotal Decimal `json:"subtotal"`
}

// ShippingLine is a shipping method charged on an order.
type ShippingLine struct {
	ID          int64   `json:"id,omitempty"`
	MethodTitle string  `json:"method_title"`
	MethodID    string  `json:"method_id"`
	Total       Decimal `json:"total"`
	TotalTax    Decimal `json:"total_tax,omitempty"`
}

// FeeLine is a fee charged on an order.
type FeeLine struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Total Decimal `json:"total"`
}

// OrderRefund is a refund as an order lists it; Total is negative.
type OrderRefund struct {
	ID     int64   `json:"id"`
	Reason string  `json:"reason"`
	Total  Decimal `json:"total"`
}

// OrderRequest creates or updates an order; nil and empty fields are left
// out. In a batch update ID names the order. WooCommerce applies Status
// after the other fields.
type OrderRequest struct {
	ID     int64   `json:"id,omitempty"`
	Status *string `json:"status,omitempty"`
	// SetPaid marks the order paid (date_paid, status processing, stock
	// reduced) without talking to a payment gateway.
	SetPaid            *bool             `json:"set_paid,omitempty"`
	Currency           *string           `json:"currency,omitempty"`
	CustomerID         *int64            `json:"customer_id,omitempty"`
	CustomerNote       *string           `json:"customer_note,omitempty"`
	PaymentMethod      *string           `json:"payment_method,omitempty"`
	PaymentMethodTitle *string           `json:"payment_method_title,omitempty"`
	TransactionID      *string           `json:"transaction_id,omitempty"`
	Billing            *Address          `json:"billing,omitempty"`
	Shipping           *Address          `json:"shipping,omitempty"`
	LineItems          []LineItemRequest `json:"line_items,omitempty"`
	ShippingLines      []ShippingLine    `json:"shipping_lines,omitempty"`
	MetaData           []MetaData        `json:"meta_data,omitempty"`
}

// LineItemRequest adds or changes an order line; a line needs ProductID
// (and VariationID for a variation) or SKU.
type LineItemRequest struct {
	ID          int64    `json:"id,omitempty"`
	ProductID   int64    `json:"product_id,omitempty"`
	VariationID int64    `json:"variation_id,omitempty"`
	SKU         string   `json:"sku,omitempty"`
	Quantity    Number   `json:"quantity"`
	Subtotal    *Decimal `json:"subtotal,omitempty"`
	Total       *Decimal `json:"total,omitempty"`
}

// OrderListOptions filters List and All.
type OrderListOptions struct {
	ListOptions
	Filter
	// Status selects statuses (any by default; "trash" lists trashed
	// orders).
	Status []string
	// Customer and Product select orders of a customer or with a product.
	Customer int64
	Product  int64
}

func (o *OrderListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	o.ListOptions.values(q)
	o.Filter.values(q)
	if len(o.Status) > 0 {
		q.Set("status", strings.Join(o.Status, ","))
	}
	if o.Customer != 0 {
		q.Set("customer", strconv.FormatInt(o.Customer, 10))
	}
	if o.Product != 0 {
		q.Set("product", strconv.FormatInt(o.Product, 10))
	}
	return q
}

// List returns one page of orders.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-orders
func (s *OrdersService) List(ctx context.Context, opts *OrderListOptions) ([]Order, *Response, error) {
	return list[Order](ctx, s.client, "orders", opts.query())
}

// All iterates over every order matching opts.
func (s *OrdersService) All(ctx context.Context, opts *OrderListOptions) iter.Seq2[Order, error] {
	q := opts.query()
	q.Del("page")
	return all[Order](ctx, s.client, "orders", q)
}

// Get returns one order.
func (s *OrdersService) Get(ctx context.Context, id int64) (*Order, *Response, error) {
	return get[Order](ctx, s.client, idPath("orders", id))
}

// Create creates an order (created_via "rest-api"). Not repeatable.
func (s *OrdersService) Create(ctx context.Context, req *OrderRequest) (*Order, *Response, error) {
	return send[Order](ctx, s.client, http.MethodPost, "orders", nil, req)
}

// Update changes an order, for example its status. Setting the same status
// again changes nothing, so it is safe to repeat.
func (s *OrdersService) Update(ctx context.Context, id int64, req *OrderRequest) (*Order, *Response, error) {
	return send[Order](ctx, s.client, http.MethodPut, idPath("orders", id), nil, req)
}

// Delete trashes an order, or deletes it for good when force is true.
func (s *OrdersService) Delete(ctx context.Context, id int64, force bool) (*Order, *Response, error) {
	return send[Order](ctx, s.client, http.MethodDelete, idPath("orders", id), forceQuery(force), nil)
}

// Batch creates, updates and deletes orders in one call.
func (s *OrdersService) Batch(ctx context.Context, b *Batch[OrderRequest]) (*BatchResult[Order], *Response, error) {
	return batch[OrderRequest, Order](ctx, s.client, "orders/batch", b)
}
