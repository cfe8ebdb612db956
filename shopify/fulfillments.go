package shopify

import (
	"context"
	"errors"
	"time"
)

// FulfillmentsService creates and reads fulfilments. Needs
// write_merchant_managed_fulfillment_orders (or the assigned/third-party
// variant) to create, the read_ scope to read.
type FulfillmentsService struct{ client *Client }

// Fulfillment is a shipment of some of an order's items.
type Fulfillment struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Status is SUCCESS, CANCELLED, ERROR or FAILURE.
	Status        string                `json:"status"`
	DisplayStatus string                `json:"displayStatus"`
	CreatedAt     time.Time             `json:"createdAt"`
	UpdatedAt     time.Time             `json:"updatedAt"`
	TotalQuantity int                   `json:"totalQuantity"`
	Location      *NodeRef              `json:"location"`
	Order         NodeRef               `json:"order"`
	TrackingInfo  []TrackingInfo        `json:"trackingInfo"`
	LineItems     []FulfillmentLineItem `json:"-"`
}

// TrackingInfo is a shipment's carrier and tracking number.
type TrackingInfo struct {
	Company string `json:"company"`
	Number  string `json:"number"`
	URL     string `json:"url"`
}

// FulfillmentLineItem is a quantity of an order line in a fulfilment.
type FulfillmentLineItem struct {
	ID       string `json:"id"`
	Quantity int    `json:"quantity"`
	LineItem struct {
		ID  string `json:"id"`
		SKU string `json:"sku"`
	} `json:"lineItem"`
}

type fulfillmentJSON struct {
	Fulfillment
	Lines *Connection[FulfillmentLineItem] `json:"fulfillmentLineItems"`
}

func (j *fulfillmentJSON) fulfillment() *Fulfillment {
	f := j.Fulfillment
	if j.Lines != nil {
		f.LineItems = j.Lines.Nodes
	}
	return &f
}

// FulfillmentRequest says what to ship: lines of one or more fulfilment
// orders (of the same order and location).
type FulfillmentRequest struct {
	Lines []FulfillmentOrderLines
	// Tracking is optional.
	Tracking *TrackingInfo
	// NotifyCustomer sends Shopify's shipping confirmation e-mail.
	NotifyCustomer bool
	// Message is an optional note stored with the fulfilment.
	Message string
}

// FulfillmentOrderLines names the lines of one fulfilment order to ship.
// No Items means all remaining quantities of the fulfilment order.
type FulfillmentOrderLines struct {
	FulfillmentOrderID string
	Items              []FulfillmentOrderLineQuantity
}

// FulfillmentOrderLineQuantity is a quantity of one fulfilment order line.
type FulfillmentOrderLineQuantity struct {
	ID       string // FulfillmentOrderLineItem GID
	Quantity int
}

// Create creates a fulfilment and returns it. Shopify rejects quantities
// above a line's remaining quantity (over-fulfilment) with a user error,
// returned as a *UserErrorsError.
//
// Not idempotent: Shopify offers no idempotency key for fulfilments.
// After an ambiguous failure (a timeout), read the order's fulfilment
// orders (OrdersService.Get) and compare remaining quantities before
// repeating the call; the client itself does not retry it.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/fulfillmentCreate
func (s *FulfillmentsService) Create(ctx context.Context, req FulfillmentRequest) (*Fulfillment, error) {
	if len(req.Lines) == 0 {
		return nil, errors.New("shopify: fulfillment without fulfillment order lines")
	}
	lines := make([]map[string]any, len(req.Lines))
	for i, l := range req.Lines {
		m := map[string]any{"fulfillmentOrderId": l.FulfillmentOrderID}
		if len(l.Items) > 0 {
			items := make([]map[string]any, len(l.Items))
			for j, it := range l.Items {
				items[j] = map[string]any{"id": it.ID, "quantity": it.Quantity}
			}
			m["fulfillmentOrderLineItems"] = items
		}
		lines[i] = m
	}
	in := map[string]any{"lineItemsByFulfillmentOrder": lines, "notifyCustomer": req.NotifyCustomer}
	if t := req.Tracking; t != nil {
		ti := map[string]any{}
		optString(ti, "company", t.Company)
		optString(ti, "number", t.Number)
		optString(ti, "url", t.URL)
		in["trackingInfo"] = ti
	}
	v := map[string]any{"fulfillment": in}
	optString(v, "message", req.Message)
	var out struct {
		P struct {
			F          *fulfillmentJSON `json:"fulfillment"`
			UserErrors []UserError      `json:"userErrors"`
		} `json:"fulfillmentCreate"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opFulfillmentCreate, OperationName: "fulfillmentCreate", Variables: v}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("fulfillmentCreate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.F == nil {
		return nil, errors.New("shopify: fulfillmentCreate returned no fulfillment")
	}
	return out.P.F.fulfillment(), nil
}

// Get returns a fulfilment by GID, or an error wrapping ErrNotFound.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/fulfillment
func (s *FulfillmentsService) Get(ctx context.Context, id string) (*Fulfillment, error) {
	var out struct {
		F *fulfillmentJSON `json:"fulfillment"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opFulfillment, OperationName: "fulfillment", Variables: map[string]any{"id": id}}, &out); err != nil {
		return nil, err
	}
	if out.F == nil {
		return nil, notFound("fulfillment", id)
	}
	return out.F.fulfillment(), nil
}
