package wms

import "fmt"

// Refund is money given back to a customer for an order, made in the
// warehouse's returns system, with or without goods coming back.
type Refund struct {
	// ID is the warehouse's id of the refund; it identifies the refund, so
	// the same refund is never made twice.
	ID string `json:"id"`
	// Order is the order refunded.
	Order OrderKey `json:"order"`
	// Lines are the order lines refunded; a refund of shipping only has none.
	Lines []RefundLine `json:"lines,omitempty"`
	// Shipping is the shipping amount refunded.
	Shipping Decimal `json:"shipping,omitempty"`
	// Amount is the total refunded, lines and shipping.
	Amount   Decimal `json:"amount"`
	Currency string  `json:"currency,omitempty"`
	Note     string  `json:"note,omitempty"`
	// Warehouse is where restocked goods go; "" means the order's warehouse.
	Warehouse string `json:"warehouse,omitempty"`
}

// RefundLine is the refunded part of one order line.
type RefundLine struct {
	// LineID is the shop's id of the order line.
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	// Restock reports that the units came back into stock.
	Restock bool `json:"restock,omitempty"`
	// Amount is the money refunded for this line.
	Amount Decimal `json:"amount,omitempty"`
}

// Validate checks r and returns a [*ValidationError] for the first broken rule.
func (r Refund) Validate() error {
	switch {
	case r.ID == "":
		return invalid("id", "empty")
	case r.Order.Shop == "" || r.Order.ExternalID == "":
		return invalid("order", "incomplete key %q", r.Order.String())
	case !r.Amount.Valid() || r.Amount.Sign() < 0:
		return invalid("amount", "%q is not a non-negative decimal", string(r.Amount))
	case !r.Shipping.Valid() || r.Shipping.Sign() < 0:
		return invalid("shipping", "%q is not a non-negative decimal", string(r.Shipping))
	}
	for i, l := range r.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.LineID == "":
			return invalid(f+".line_id", "empty")
		case l.Quantity < 1:
			return invalid(f+".quantity", "%d is less than 1", l.Quantity)
		case !l.Amount.Valid() || l.Amount.Sign() < 0:
			return invalid(f+".amount", "%q is not a non-negative decimal", string(l.Amount))
		}
	}
	return nil
}
