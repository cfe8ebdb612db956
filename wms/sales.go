package wms

// SalesRecord is the quantity of one SKU sold in one shop on one day, used
// by the warehouse's purchasing and forecasting (the sales history, and
// sales over the counter).
//
// A record is identified by Shop, SKU, Day and Ref. Recording a record with
// the same identity again replaces it (it does not add to it), so importing
// the same history twice changes nothing. Ref tells records of the same day
// apart: the engine uses "" for a day's total imported from the shop's
// history, and the order's id for a sale recorded as it happens (a POS
// sale).
type SalesRecord struct {
	Shop string `json:"shop"`
	SKU  string `json:"sku"`
	Day  Date   `json:"day"`
	Ref  string `json:"ref,omitempty"`
	// Quantity is the number of units sold; negative for a net return.
	Quantity int64 `json:"quantity"`
	// Amount is the revenue of the units, in the shop's currency; optional.
	Amount Decimal `json:"amount,omitempty"`
}

// Validate checks r and returns a [*ValidationError] for the first broken rule.
func (r SalesRecord) Validate() error {
	switch {
	case r.Shop == "":
		return invalid("shop", "empty")
	case r.SKU == "":
		return invalid("sku", "empty")
	case !r.Day.Valid():
		return invalid("day", "%v is not a calendar day", r.Day)
	case !r.Amount.Valid():
		return invalid("amount", "%q is not a decimal", string(r.Amount))
	}
	return nil
}

// DailySales is the total sold of one SKU on one day, over every shop and
// record, as [SalesRecorder.DailySales] returns it.
type DailySales struct {
	Day      Date    `json:"day"`
	Quantity int64   `json:"quantity"`
	Amount   Decimal `json:"amount"`
}
