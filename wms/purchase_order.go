package wms

import "time"

// PurchaseOrderStatus is the state of a [PurchaseOrder].
type PurchaseOrderStatus string

// The purchase order statuses.
const (
	PurchaseOrderStatusOpen   PurchaseOrderStatus = "open"
	PurchaseOrderStatusClosed PurchaseOrderStatus = "closed"
)

// PurchaseOrder is goods ordered from a supplier. Purchase orders live in
// the warehouse; the engine learns about them from the
// [PurchaseOrderClosed] event, which carries the new average costs.
type PurchaseOrder struct {
	// ID is the warehouse's id of the purchase order.
	ID        string              `json:"id"`
	Supplier  string              `json:"supplier,omitempty"`
	Warehouse string              `json:"warehouse"`
	Status    PurchaseOrderStatus `json:"status"`
	Lines     []PurchaseOrderLine `json:"lines"`
	ClosedAt  time.Time           `json:"closed_at,omitzero"`
}

// PurchaseOrderLine is one SKU ordered on a [PurchaseOrder].
type PurchaseOrderLine struct {
	SKU string `json:"sku"`
	// Quantity is the number of units ordered.
	Quantity int64 `json:"quantity"`
	// UnitCost is the price paid per unit.
	UnitCost Decimal `json:"unit_cost"`
	// Received is the number of units received so far.
	Received int64 `json:"received"`
}

// ItemCost is the cost of one SKU, such as the weighted average cost after a
// purchase order closed.
type ItemCost struct {
	SKU  string  `json:"sku"`
	Cost Decimal `json:"cost"`
}
