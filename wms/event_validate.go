package wms

import "fmt"

// ValidateEvent checks the rules of the model for ev, one of this
// package's event kinds, and returns a [*ValidationError] (matching
// [ErrInvalid]) naming the first field that breaks one; nil for events of
// other kinds (the host's own), which have no rules here. It checks the
// event alone: whether a warehouse or SKU exists is for the caller to ask
// the backend.
func ValidateEvent(ev Event) error {
	v, ok := ev.(interface{ Validate() error })
	if !ok {
		return nil
	}
	return v.Validate()
}

// Validate checks e: a SKU and a warehouse, on hand not negative, reserved
// not negative, available not above on hand.
func (e StockChanged) Validate() error {
	switch {
	case e.SKU == "":
		return invalid("sku", "empty")
	case e.Warehouse == "":
		return invalid("warehouse", "empty")
	case e.OnHand < 0:
		return invalid("on_hand", "%d is negative", e.OnHand)
	case e.Reserved < 0:
		return invalid("reserved", "%d is negative", e.Reserved)
	case e.Available > e.OnHand:
		return invalid("available", "%d is more than on hand (%d)", e.Available, e.OnHand)
	}
	return nil
}

// Validate checks e: a SKU.
func (e BarcodeChanged) Validate() error {
	if e.SKU == "" {
		return invalid("sku", "empty")
	}
	return nil
}

// Validate checks e: a complete order key, a warehouse, and lines with a
// line id and a positive quantity.
func (e OrderPacked) Validate() error {
	switch {
	case e.Order.Shop == "" || e.Order.ExternalID == "":
		return invalid("order", "incomplete key %q", e.Order.String())
	case e.Warehouse == "":
		return invalid("warehouse", "empty")
	}
	for i, l := range e.Lines {
		switch {
		case l.LineID == "":
			return invalid(fmt.Sprintf("lines[%d].line_id", i), "empty")
		case l.Quantity < 1:
			return invalid(fmt.Sprintf("lines[%d].quantity", i), "%d is less than 1", l.Quantity)
		}
	}
	return nil
}

// Validate checks e: a complete order key and a non-negative amount.
func (e PaymentCaptured) Validate() error {
	switch {
	case e.Order.Shop == "" || e.Order.ExternalID == "":
		return invalid("order", "incomplete key %q", e.Order.String())
	case !e.Amount.Valid() || e.Amount.Sign() < 0:
		return invalid("amount", "%q is not a non-negative decimal", string(e.Amount))
	}
	return nil
}

// Validate checks e: costs with a SKU and a non-negative cost.
func (e PurchaseOrderClosed) Validate() error {
	for i, c := range e.Costs {
		switch {
		case c.SKU == "":
			return invalid(fmt.Sprintf("costs[%d].sku", i), "empty")
		case !c.Cost.Valid() || c.Cost.Sign() < 0:
			return invalid(fmt.Sprintf("costs[%d].cost", i), "%q is not a non-negative decimal", string(c.Cost))
		}
	}
	return nil
}

// Validate checks e's refund (see [Refund.Validate]).
func (e RefundCreated) Validate() error { return prefix("refund", e.Refund.Validate()) }
