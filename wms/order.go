package wms

import (
	"fmt"
	"slices"
	"time"
)

// OrderKey identifies an order: the shop it came from and the shop's id.
type OrderKey struct {
	Shop       string `json:"shop"`
	ExternalID string `json:"external_id"`
}

// String returns "shop/external-id" for logs.
func (k OrderKey) String() string { return k.Shop + "/" + k.ExternalID }

// OrderStatus is the shop's view of an order.
type OrderStatus string

// The order statuses.
const (
	// OrderOpen is an order to be shipped. The zero value means open too.
	OrderOpen OrderStatus = "open"
	// OrderPaymentPending is an order the shop will want shipped once it
	// is paid, but is not paid for yet (a bank transfer or an invoice
	// awaited, a payment the shop still has to confirm): the warehouse
	// keeps it, with its lines and warehouse, held, and does not release
	// it for picking or reserve stock for it until it becomes open. Each
	// connector maps its shop system's not-yet-payable states to it.
	OrderPaymentPending OrderStatus = "payment_pending"
	// OrderCancelled is an order the shop cancelled: nothing is shipped and
	// stock reserved for it is freed.
	OrderCancelled OrderStatus = "cancelled"
	// OrderDeleted is an order the shop deleted: treated like a cancelled
	// order. The backend keeps the record, with its deleted status.
	OrderDeleted OrderStatus = "deleted"
)

// OrderStage is where an order is in the warehouse. The backend sets it and
// [Backend.Order] reports it; UpsertOrder ignores the field.
type OrderStage string

// The order stages.
const (
	// StageHeld: not released for picking, because an item does not exist
	// yet or stock is short (see Order.HoldReason), or the order is not open
	// (awaiting payment, cancelled, deleted).
	StageHeld OrderStage = "held"
	// StageReleased: every line can be fulfilled; released to picking with
	// its stock reserved.
	StageReleased OrderStage = "released"
	// StagePacked: packed and handed to the carrier.
	StagePacked OrderStage = "packed"
)

// Order is a shop order translated into the WMS's terms. The engine hands
// orders to [Backend.UpsertOrder]; POS orders never arrive as orders,
// they arrive as stock movements and sales records.
type Order struct {
	// Shop and ExternalID identify the order (see [OrderKey]). Required.
	Shop       string `json:"shop"`
	ExternalID string `json:"external_id"`
	// Name is the shop's human-readable number, such as "#1001".
	Name string `json:"name,omitempty"`
	// Status is the shop's status. "" means [OrderOpen].
	Status OrderStatus `json:"status,omitempty"`
	// POS reports that the order was sold over the counter. The engine
	// never upserts POS orders as pick orders; the flag is carried so a
	// backend can refuse them.
	POS bool `json:"pos,omitempty"`
	// Warehouse is the warehouse to ship from, mapped from the shop's
	// location by the engine. "" means the backend's default warehouse.
	Warehouse string `json:"warehouse,omitempty"`
	// Lines are the lines the warehouse ships. An upsert replaces the
	// stored lines, except that an upsert with a status other than open and
	// no lines only changes the status (a deletion carries only the id).
	Lines []OrderLine `json:"lines"`
	// Email is the customer's e-mail address.
	Email string `json:"email,omitempty"`
	// ShippingAddress is where the order goes.
	ShippingAddress Address `json:"shipping_address"`
	// Currency is the ISO 4217 code of the amounts.
	Currency string `json:"currency,omitempty"`
	// Total is the order's total price.
	Total Decimal `json:"total,omitempty"`
	// Note is the customer's note.
	Note string `json:"note,omitempty"`
	// CreatedAt and UpdatedAt are the shop's timestamps.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Stage and HoldReason are set by the backend and ignored on upsert.
	Stage      OrderStage `json:"stage,omitempty"`
	HoldReason string     `json:"hold_reason,omitempty"`
	// Tracking is set by the backend once the order is packed.
	Tracking *Tracking `json:"tracking,omitempty"`
}

// OrderLine is one line of an [Order].
type OrderLine struct {
	// ExternalID is the shop's id of the line.
	// Required: fulfilments and refunds refer to it.
	ExternalID string `json:"external_id"`
	// SKU is the stock-keeping unit to pick. Required.
	SKU string `json:"sku"`
	// Title is the line's title as the customer saw it.
	Title string `json:"title,omitempty"`
	// Quantity is the number of units to ship, at least 1.
	Quantity int64 `json:"quantity"`
	// Price is the unit price.
	Price Decimal `json:"price,omitempty"`
}

// Address is a postal address.
type Address struct {
	Name        string `json:"name,omitempty"`
	Company     string `json:"company,omitempty"`
	Address1    string `json:"address1,omitempty"`
	Address2    string `json:"address2,omitempty"`
	City        string `json:"city,omitempty"`
	Province    string `json:"province,omitempty"`
	Zip         string `json:"zip,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

// Tracking is a shipment's carrier and tracking number.
type Tracking struct {
	Company string `json:"company,omitempty"`
	Number  string `json:"number,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Key returns o's identity.
func (o Order) Key() OrderKey { return OrderKey{Shop: o.Shop, ExternalID: o.ExternalID} }

// Open reports whether the order is to be shipped now: open (or no
// status). An order awaiting payment is not open yet.
func (o Order) Open() bool { return o.Status == "" || o.Status == OrderOpen }

// Active reports whether the shop still wants the order shipped, now or
// once it is paid: open or awaiting payment, not cancelled or deleted.
func (o Order) Active() bool { return o.Open() || o.Status == OrderPaymentPending }

// Validate checks o and returns a [*ValidationError] for the first broken rule.
func (o Order) Validate() error {
	switch {
	case o.Shop == "":
		return invalid("shop", "empty")
	case o.ExternalID == "":
		return invalid("external_id", "empty")
	case !o.Total.Valid():
		return invalid("total", "%q is not a decimal", string(o.Total))
	}
	switch o.Status {
	case "", OrderOpen, OrderPaymentPending, OrderCancelled, OrderDeleted:
	default:
		return invalid("status", "unknown status %q", o.Status)
	}
	ids := make(map[string]bool, len(o.Lines))
	for i, l := range o.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.ExternalID == "":
			return invalid(f+".external_id", "empty")
		case ids[l.ExternalID]:
			return invalid(f+".external_id", "%q appears twice", l.ExternalID)
		case l.SKU == "":
			return invalid(f+".sku", "empty")
		case l.Quantity < 1:
			return invalid(f+".quantity", "%d is less than 1", l.Quantity)
		case !l.Price.Valid():
			return invalid(f+".price", "%q is not a decimal", string(l.Price))
		}
		ids[l.ExternalID] = true
	}
	return nil
}

// Clone returns a deep copy of o.
func (o Order) Clone() Order {
	o.Lines = slices.Clone(o.Lines)
	if o.Tracking != nil {
		t := *o.Tracking
		o.Tracking = &t
	}
	return o
}
