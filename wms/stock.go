package wms

import "time"

// Warehouse is a place that holds stock. The engine maps each shop location
// to a warehouse.
type Warehouse struct {
	// ID is the warehouse's stable key. Required.
	ID string `json:"id"`
	// Name is its display name.
	Name string `json:"name,omitempty"`
}

// StockLevel is the stock of one SKU in one warehouse.
type StockLevel struct {
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse"`
	// OnHand is the number of units physically in the warehouse. It may be
	// negative when sales were recorded before goods were received.
	OnHand int64 `json:"on_hand"`
	// Reserved is the number of units reserved by orders released to
	// picking and not yet packed. [StockImporter.ImportStock] ignores it.
	Reserved int64 `json:"reserved"`
}

// Available returns OnHand minus Reserved: what new orders can still take.
func (l StockLevel) Available() int64 { return l.OnHand - l.Reserved }

// Validate checks l for [StockImporter.ImportStock].
func (l StockLevel) Validate() error {
	switch {
	case l.SKU == "":
		return invalid("sku", "empty")
	case l.Warehouse == "":
		return invalid("warehouse", "empty")
	}
	return nil
}

// MovementReason says why stock moved.
type MovementReason string

// The movement reasons the engine uses. Backends store other values as given.
const (
	// ReasonPOSSale is a sale over the counter in a shop's point of sale.
	ReasonPOSSale MovementReason = "pos_sale"
	// ReasonPOSReturn is goods returned over the counter.
	ReasonPOSReturn MovementReason = "pos_return"
	// ReasonCorrection is a manual correction.
	ReasonCorrection MovementReason = "correction"
)

// StockMovement changes the on-hand stock of one SKU in one warehouse by
// Delta, for example -2 for a POS sale of two units.
//
// Shop and ExternalID identify the movement: the engine derives ExternalID
// from what caused it (for a POS sale, the order line's id), so a movement
// delivered twice is applied once.
type StockMovement struct {
	Shop       string `json:"shop"`
	ExternalID string `json:"external_id"`
	SKU        string `json:"sku"`
	Warehouse  string `json:"warehouse"`
	// Delta is the change in on-hand units; not zero.
	Delta  int64          `json:"delta"`
	Reason MovementReason `json:"reason"`
	// OrderID is the shop's id of the order behind the movement, if any.
	OrderID string `json:"order_id,omitempty"`
	// At is when it happened in the shop.
	At time.Time `json:"at"`
}

// Validate checks m and returns a [*ValidationError] for the first broken rule.
func (m StockMovement) Validate() error {
	switch {
	case m.Shop == "":
		return invalid("shop", "empty")
	case m.ExternalID == "":
		return invalid("external_id", "empty")
	case m.SKU == "":
		return invalid("sku", "empty")
	case m.Warehouse == "":
		return invalid("warehouse", "empty")
	case m.Delta == 0:
		return invalid("delta", "zero")
	case m.Reason == "":
		return invalid("reason", "empty")
	}
	return nil
}
