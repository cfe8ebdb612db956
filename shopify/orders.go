package shopify

import (
	"context"
	"errors"
	"iter"
	"strings"
	"time"
)

// OrdersService reads orders. Needs read_orders; orders older than 60 days
// also need read_all_orders. Read-only, safe to retry.
type OrdersService struct{ client *Client }

// Order is an order as the WMS needs it. LineItems, Transactions and
// FulfillmentOrders are filled by Get; List leaves them empty.
type Order struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"` // "#1001"
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	ProcessedAt time.Time  `json:"processedAt"`
	CancelledAt *time.Time `json:"cancelledAt"`
	// CancelReason is CUSTOMER, DECLINED, FRAUD, INVENTORY, STAFF or OTHER
	// for a cancelled order.
	CancelReason string `json:"cancelReason"`
	Closed       bool   `json:"closed"`
	Test         bool   `json:"test"`
	// SourceName is the sales channel: "web", "pos", "shopify_draft_order",
	// an app's ID, ...
	SourceName string `json:"sourceName"`
	// App is the app that created the order ("Point of Sale", "Online
	// Store", ...), nil when unknown.
	App *OrderApp `json:"app"`
	// RetailLocation is the POS location of a POS sale, nil otherwise.
	RetailLocation           *NodeRef `json:"retailLocation"`
	DisplayFinancialStatus   string   `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string   `json:"displayFulfillmentStatus"`
	// Capturable: an authorised payment can still be captured;
	// TotalCapturable is how much, in the shop currency.
	Capturable        bool               `json:"capturable"`
	TotalCapturable   MoneyBag           `json:"totalCapturableSet"`
	CurrencyCode      string             `json:"currencyCode"`
	LineItems         []LineItem         `json:"-"`
	Transactions      []OrderTransaction `json:"transactions"`
	FulfillmentOrders []FulfillmentOrder `json:"-"`
}

// Cancelled reports whether the order was cancelled.
func (o *Order) Cancelled() bool { return o.CancelledAt != nil }

// IsPOS reports whether the order was taken at a point of sale: its source
// is "pos", it has a retail location, or its app is Shopify's Point of Sale.
func (o *Order) IsPOS() bool {
	return o.SourceName == "pos" || o.RetailLocation != nil || (o.App != nil && strings.EqualFold(o.App.Name, "Point of Sale"))
}

// OrderApp is the app that created an order.
type OrderApp struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// MoneyBag is an amount in the shop's and in the customer's currency.
type MoneyBag struct {
	ShopMoney        Money `json:"shopMoney"`
	PresentmentMoney Money `json:"presentmentMoney"`
}

// LineItem is one line of an order.
type LineItem struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	SKU  string `json:"sku"`
	// Quantity is the ordered quantity, CurrentQuantity what remains after
	// removals and refunds, UnfulfilledQuantity what is still to ship,
	// RefundableQuantity what can still be refunded.
	Quantity            int `json:"quantity"`
	CurrentQuantity     int `json:"currentQuantity"`
	UnfulfilledQuantity int `json:"unfulfilledQuantity"`
	RefundableQuantity  int `json:"refundableQuantity"`
	// Variant is nil when the variant was deleted.
	Variant *NodeRef `json:"variant"`
}

// OrderTransaction is a payment event of an order.
type OrderTransaction struct {
	ID string `json:"id"`
	// Kind is AUTHORIZATION, CAPTURE, SALE, REFUND, VOID, ...
	Kind string `json:"kind"`
	// Status is SUCCESS, PENDING, FAILURE, ERROR, ...
	Status                 string     `json:"status"`
	Gateway                string     `json:"gateway"`
	Test                   bool       `json:"test"`
	Amount                 MoneyBag   `json:"amountSet"`
	ParentTransaction      *NodeRef   `json:"parentTransaction"`
	AuthorizationExpiresAt *time.Time `json:"authorizationExpiresAt"`
	// ManuallyCapturable: Capture may be called on this authorisation;
	// MultiCapturable: it can be captured in several parts.
	ManuallyCapturable bool       `json:"manuallyCapturable"`
	MultiCapturable    bool       `json:"multiCapturable"`
	ProcessedAt        *time.Time `json:"processedAt"`
}

// FulfillmentOrder is the part of an order one location is to ship.
type FulfillmentOrder struct {
	ID string `json:"id"`
	// Status is OPEN, IN_PROGRESS, SCHEDULED, ON_HOLD, INCOMPLETE, CLOSED
	// or CANCELLED.
	Status           string                           `json:"status"`
	RequestStatus    string                           `json:"requestStatus"`
	UpdatedAt        time.Time                        `json:"updatedAt"`
	AssignedLocation FulfillmentOrderAssignedLocation `json:"assignedLocation"`
	LineItems        []FulfillmentOrderLineItem       `json:"-"`
}

// FulfillmentOrderAssignedLocation is where a fulfilment order ships from.
type FulfillmentOrderAssignedLocation struct {
	Name string `json:"name"`
	// Location is nil when the location was deleted.
	Location *NodeRef `json:"location"`
}

// FulfillmentOrderLineItem is a line of a fulfilment order.
type FulfillmentOrderLineItem struct {
	ID            string `json:"id"`
	SKU           string `json:"sku"`
	TotalQuantity int    `json:"totalQuantity"`
	// RemainingQuantity is what is still to fulfil from this line.
	RemainingQuantity int      `json:"remainingQuantity"`
	InventoryItemID   string   `json:"inventoryItemId"`
	LineItem          NodeRef  `json:"lineItem"`
	Variant           *NodeRef `json:"variant"`
}

type orderJSON struct {
	Order
	LineItems *Connection[LineItem] `json:"lineItems"`
}

func (j *orderJSON) order() Order {
	o := j.Order
	if j.LineItems != nil {
		o.LineItems = j.LineItems.Nodes
	}
	return o
}

type fulfillmentOrderJSON struct {
	FulfillmentOrder
	LineItems *Connection[FulfillmentOrderLineItem] `json:"lineItems"`
}

// OrderListOptions filters List. The zero value lists every visible order,
// oldest processed first.
type OrderListOptions struct {
	// UpdatedAtMin/Max and CreatedAtMin/Max bound the order's timestamps
	// (inclusive); zero means unbounded.
	UpdatedAtMin, UpdatedAtMax time.Time
	CreatedAtMin, CreatedAtMax time.Time
	// Query is extra Shopify search syntax ANDed to the windows, e.g.
	// "status:open" or "source_name:pos".
	Query string
	// SortKey is PROCESSED_AT (default), UPDATED_AT, CREATED_AT, ID, ...
	SortKey string
}

// List iterates over orders (without line items), fetching pages as the
// loop advances.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/orders
func (s *OrdersService) List(ctx context.Context, opts *OrderListOptions) iter.Seq2[Order, error] {
	var o OrderListOptions
	if opts != nil {
		o = *opts
	}
	var parts []string
	parts = appendTimeWindow(parts, "updated_at", o.UpdatedAtMin, o.UpdatedAtMax)
	parts = appendTimeWindow(parts, "created_at", o.CreatedAtMin, o.CreatedAtMax)
	if o.Query != "" {
		parts = append(parts, "("+o.Query+")")
	}
	q := strings.Join(parts, " AND ")
	return func(yield func(Order, error) bool) {
		for ord, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[orderJSON], error) {
			v := map[string]any{"first": PageSize(6)}
			optString(v, "after", after)
			optString(v, "query", q)
			if o.SortKey != "" {
				v["sortKey"] = o.SortKey
			}
			var out struct {
				C Connection[orderJSON] `json:"orders"`
			}
			if _, err := s.client.Do(ctx, &Request{Query: opOrders, OperationName: "orders", Variables: v}, &out); err != nil {
				return nil, err
			}
			return &out.C, nil
		}) {
			if !yield(ord.order(), err) || err != nil {
				return
			}
		}
	}
}

// Get returns one order with all its line items, its transactions (up to
// 20) and its fulfilment orders with their lines and remaining quantities.
// Line items and fulfilment orders are paged so that every query stays
// well below Shopify's 1000-point query cost limit, whatever the size of
// the order. It returns an error wrapping ErrNotFound for an unknown (or,
// without read_all_orders, older than 60 days) order.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/order
func (s *OrdersService) Get(ctx context.Context, id string) (*Order, error) {
	var (
		ord   *Order
		after string
	)
	for {
		v := map[string]any{"id": id}
		optString(v, "lineItemsAfter", after)
		var out struct {
			O *orderJSON `json:"order"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opOrder, OperationName: "order", Variables: v}, &out); err != nil {
			return nil, err
		}
		if out.O == nil {
			return nil, notFound("order", id)
		}
		if ord == nil {
			o := out.O.order()
			ord = &o
		} else if out.O.LineItems != nil {
			ord.LineItems = append(ord.LineItems, out.O.LineItems.Nodes...)
		}
		if out.O.LineItems == nil || !out.O.LineItems.PageInfo.HasNextPage {
			break
		}
		next := out.O.LineItems.PageInfo.EndCursor
		if next == "" || next == after {
			return nil, errors.New("shopify: order line items cursor does not advance")
		}
		after = next
	}
	for fo, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[fulfillmentOrderJSON], error) {
		v := map[string]any{"id": id}
		optString(v, "after", after)
		var out struct {
			O *struct {
				C Connection[fulfillmentOrderJSON] `json:"fulfillmentOrders"`
			} `json:"order"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opOrderFulfillmentOrders, OperationName: "orderFulfillmentOrders", Variables: v}, &out); err != nil {
			return nil, err
		}
		if out.O == nil {
			return nil, notFound("order", id)
		}
		return &out.O.C, nil
	}) {
		if err != nil {
			return nil, err
		}
		f := fo.FulfillmentOrder
		if fo.LineItems != nil {
			f.LineItems = fo.LineItems.Nodes
			if fo.LineItems.PageInfo.HasNextPage {
				rest, err := s.fulfillmentOrderLines(ctx, f.ID, fo.LineItems.PageInfo.EndCursor)
				if err != nil {
					return nil, err
				}
				f.LineItems = append(f.LineItems, rest...)
			}
		}
		ord.FulfillmentOrders = append(ord.FulfillmentOrders, f)
	}
	return ord, nil
}

// fulfillmentOrderLines pages through a fulfilment order's lines after
// cursor.
func (s *OrdersService) fulfillmentOrderLines(ctx context.Context, foID, cursor string) ([]FulfillmentOrderLineItem, error) {
	var lines []FulfillmentOrderLineItem
	first := true
	for l, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[FulfillmentOrderLineItem], error) {
		if first {
			after, first = cursor, false
		}
		v := map[string]any{"id": foID, "after": after}
		var out struct {
			FO *struct {
				C Connection[FulfillmentOrderLineItem] `json:"lineItems"`
			} `json:"fulfillmentOrder"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opFulfillmentOrderLineItems, OperationName: "fulfillmentOrderLineItems", Variables: v}, &out); err != nil {
			return nil, err
		}
		if out.FO == nil {
			return nil, notFound("fulfillment order", foID)
		}
		return &out.FO.C, nil
	}) {
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, nil
}
