package shopifytest

import (
	"fmt"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// userError is a mutation user error (UserError and its typed variants).
type userError struct {
	Field   []string
	Message string
	Code    string // "" for types without a code
}

// Financial states an order can be created in.
const (
	FinancialPending    = "pending"    // no transaction
	FinancialAuthorized = "authorized" // one AUTHORIZATION for the total
	FinancialPaid       = "paid"       // one SALE for the total
)

// OrderSpec describes an order to create through the control API.
type OrderSpec struct {
	Lines []OrderLineSpec
	// POS makes a Point of Sale order: sourceName "pos", app "Point of
	// Sale", retailLocation = Location. Otherwise a web order ("web",
	// "Online Store").
	POS bool
	// Location is the fulfilling (and, for POS, retail) location; default
	// the first active location.
	Location int64
	// Financial is FinancialPending, FinancialAuthorized or FinancialPaid
	// (default FinancialPaid).
	Financial string
	// CreatedAt defaults to now; older orders fall out of the 60-day window.
	CreatedAt time.Time
	Email     string
	Test      bool
	Tags      []string
}

// OrderLineSpec is one order line; Price defaults to the variant's price.
type OrderLineSpec struct {
	VariantID int64
	Quantity  int
	Price     shopify.Decimal
	// Location, when set, assigns the line to a fulfillment order at that
	// location instead of OrderSpec.Location, as Shopify's order routing
	// splits an order whose items ship from several locations.
	Location int64
}

// CreateOrder creates an order with one fulfillment order per location its
// lines ship from (OrderSpec.Location, or a line's own Location): the one
// at OrderSpec.Location first (when a line ships from there), then the
// others in the order the lines name them. Ordered units move from
// available to committed at their location. It records orders/create (and
// orders/paid when paid) and inventory_levels/update events.
func (s *Shop) CreateOrder(spec OrderSpec) (Order, error) {
	s.mu.Lock()
	defer s.unlock()
	o, err := s.createOrderLocked(spec)
	if err != nil {
		return Order{}, err
	}
	return copyOrder(o), nil
}

func (s *Shop) createOrderLocked(spec OrderSpec) (*Order, error) {
	if len(spec.Lines) == 0 {
		return nil, fmt.Errorf("shopifytest: order without lines")
	}
	loc := spec.Location
	if loc == 0 {
		for _, id := range s.locationOrder {
			if s.locations[id].Active {
				loc = id
				break
			}
		}
	}
	if s.locations[loc] == nil {
		return nil, fmt.Errorf("%w: location %d", ErrNotFound, loc)
	}
	now := s.now()
	created := now
	if !spec.CreatedAt.IsZero() {
		created = spec.CreatedAt.UTC().Truncate(time.Second)
	}
	s.nextOrderNumber++
	o := &Order{
		ID: s.newID(), Name: fmt.Sprintf("#%d", 1000+s.nextOrderNumber), Email: spec.Email,
		Currency: s.info.CurrencyCode, SourceName: "web", AppName: "Online Store", AppID: 580111,
		Test: spec.Test, Tags: slices.Clone(spec.Tags), CreatedAt: created, UpdatedAt: created, ProcessedAt: created,
	}
	if spec.POS {
		o.SourceName, o.AppName, o.AppID, o.RetailLocationID = "pos", "Point of Sale", 129785, loc
	}
	fos := []*FulfillmentOrder{{ID: s.newID(), OrderID: o.ID, AssignedLocationID: loc, Status: "OPEN", CreatedAt: created, UpdatedAt: created}}
	foAt := func(l int64) *FulfillmentOrder {
		for _, fo := range fos {
			if fo.AssignedLocationID == l {
				return fo
			}
		}
		fo := &FulfillmentOrder{ID: s.newID(), OrderID: o.ID, AssignedLocationID: l, Status: "OPEN", CreatedAt: created, UpdatedAt: created}
		fos = append(fos, fo)
		return fo
	}
	var touched []*InventoryLevel
	for _, ls := range spec.Lines {
		v := s.variants[ls.VariantID]
		if v == nil {
			return nil, fmt.Errorf("%w: variant %d", ErrNotFound, ls.VariantID)
		}
		if ls.Quantity <= 0 {
			return nil, fmt.Errorf("shopifytest: line quantity %d", ls.Quantity)
		}
		lineLoc := loc
		if ls.Location != 0 {
			if s.locations[ls.Location] == nil {
				return nil, fmt.Errorf("%w: location %d", ErrNotFound, ls.Location)
			}
			lineLoc = ls.Location
		}
		fo := foAt(lineLoc)
		item := s.items[v.InventoryItemID]
		p := s.products[v.ProductID]
		price := ls.Price
		if price == "" {
			price = v.Price
		}
		title := p.Title
		li := LineItem{ID: s.newID(), VariantID: v.ID, ProductID: p.ID, SKU: item.SKU, Title: title, Quantity: ls.Quantity, Price: price}
		o.LineItems = append(o.LineItems, li)
		fo.LineItems = append(fo.LineItems, FulfillmentOrderLineItem{ID: s.newID(), LineItemID: li.ID, TotalQuantity: li.Quantity, RemainingQuantity: li.Quantity})
		lv := s.activateLocked(item.ID, lineLoc, now, true)
		s.changeQuantityLocked(lv, "available", -li.Quantity)
		s.changeQuantityLocked(lv, "committed", li.Quantity)
		touched = append(touched, lv)
	}
	total := orderTotal(o)
	switch spec.Financial {
	case FinancialPending:
	case FinancialAuthorized:
		o.Transactions = append(o.Transactions, Transaction{ID: s.newID(), Kind: "AUTHORIZATION", Status: "SUCCESS", Amount: total, Gateway: "shopify_payments", Test: spec.Test, ProcessedAt: created})
	case FinancialPaid, "":
		gw := "shopify_payments"
		if spec.POS {
			gw = "cash"
		}
		o.Transactions = append(o.Transactions, Transaction{ID: s.newID(), Kind: "SALE", Status: "SUCCESS", Amount: total, Gateway: gw, Test: spec.Test, ProcessedAt: created})
	default:
		return nil, fmt.Errorf("shopifytest: unknown financial state %q", spec.Financial)
	}
	for _, fo := range fos {
		if len(fo.LineItems) == 0 { // every line ships from elsewhere
			continue
		}
		o.FulfillmentOrderIDs = append(o.FulfillmentOrderIDs, fo.ID)
		s.fulfillmentOrders[fo.ID] = fo
	}
	s.orders[o.ID] = o
	s.orderOrder = append(s.orderOrder, o.ID)
	s.emit("orders/create", "Order", o.ID, ptr(copyOrder(o)))
	if financialStatus(o) == "PAID" {
		s.emit("orders/paid", "Order", o.ID, ptr(copyOrder(o)))
	}
	for _, lv := range touched {
		s.levelChanged(lv)
	}
	return o, nil
}

// Order returns an order by legacy ID.
func (s *Shop) Order(id int64) (Order, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.orders[id]
	if o == nil {
		return Order{}, false
	}
	return copyOrder(o), true
}

// Orders returns all orders in ID order.
func (s *Shop) Orders() []Order {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Order, 0, len(s.orderOrder))
	for _, id := range s.orderOrder {
		out = append(out, copyOrder(s.orders[id]))
	}
	return out
}

// FulfillmentOrder returns a fulfillment order by legacy ID.
func (s *Shop) FulfillmentOrder(id int64) (FulfillmentOrder, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	fo := s.fulfillmentOrders[id]
	if fo == nil {
		return FulfillmentOrder{}, false
	}
	return copyFO(fo), true
}

// Fulfillment returns a fulfillment by legacy ID.
func (s *Shop) Fulfillment(id int64) (Fulfillment, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f := s.fulfillments[id]
	if f == nil {
		return Fulfillment{}, false
	}
	return copyFulfillment(f), true
}

// Refund returns a refund by legacy ID.
func (s *Shop) Refund(id int64) (Refund, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.refunds[id]
	if r == nil {
		return Refund{}, false
	}
	return copyRefund(r), true
}

// FulfillFulfillmentOrder fulfils every unfulfilled unit of a fulfillment
// order, as fulfillmentCreate with no line items named does: the
// fulfillment order closes, and orders/fulfilled or
// orders/partially_fulfilled and orders/updated are recorded.
func (s *Shop) FulfillFulfillmentOrder(id int64) (Fulfillment, error) {
	s.mu.Lock()
	defer s.unlock()
	if s.fulfillmentOrders[id] == nil {
		return Fulfillment{}, fmt.Errorf("%w: fulfillment order %d", ErrNotFound, id)
	}
	f, errs := s.fulfillLocked([]foRequest{{FulfillmentOrderID: id}}, nil)
	if len(errs) > 0 {
		return Fulfillment{}, fmt.Errorf("shopifytest: fulfil %d: %s", id, errs[0].Message)
	}
	return copyFulfillment(f), nil
}

// UpdateFulfillmentTracking replaces the tracking information of a
// fulfillment, as a merchant or a carrier app does after shipping
// (Shopify's fulfillmentTrackingInfoUpdate), and records
// fulfillments/update.
func (s *Shop) UpdateFulfillmentTracking(id int64, tracking ...TrackingInfo) (Fulfillment, error) {
	s.mu.Lock()
	defer s.unlock()
	f := s.fulfillments[id]
	if f == nil {
		return Fulfillment{}, fmt.Errorf("%w: fulfillment %d", ErrNotFound, id)
	}
	f.Tracking = slices.Clone(tracking)
	f.UpdatedAt = s.now()
	s.emit("fulfillments/update", "Fulfillment", f.ID, ptr(copyFulfillment(f)))
	return copyFulfillment(f), nil
}

// FinancialStatus returns the order's displayFinancialStatus.
func (o Order) FinancialStatus() string { return financialStatus(&o) }

// FulfillmentStatus returns the order's displayFulfillmentStatus given its
// fulfillment orders (use Shop.OrderFulfillmentStatus for a stored order).
func (s *Shop) OrderFulfillmentStatus(id int64) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.orders[id]
	if o == nil {
		return ""
	}
	return s.fulfillmentStatusLocked(o)
}

// CancelOrder cancels an order (reason OTHER, restocking unfulfilled units,
// no refund) and records orders/cancelled and orders/updated. Cancelling a
// cancelled order does nothing.
func (s *Shop) CancelOrder(id int64) error {
	s.mu.Lock()
	defer s.unlock()
	if s.orders[id] == nil {
		return fmt.Errorf("%w: order %d", ErrNotFound, id)
	}
	s.cancelLocked(id, "OTHER", true, false)
	return nil
}

// cancelLocked is orderCancel: unfulfilled units leave their fulfillment
// orders (back to available when restock, else out of committed only),
// open fulfillment orders are cancelled, and with refund the money
// captured and not yet refunded is refunded to the original payment
// method(s).
func (s *Shop) cancelLocked(id int64, reason string, restock, refund bool) []userError {
	o := s.orders[id]
	if o == nil {
		return []userError{{Field: []string{"orderId"}, Message: "Order does not exist", Code: "NOT_FOUND"}}
	}
	if o.CancelledAt != nil {
		return []userError{{Field: []string{"orderId"}, Message: "Order has already been cancelled", Code: "INVALID"}}
	}
	now := s.now()
	for _, foID := range o.FulfillmentOrderIDs {
		fo := s.fulfillmentOrders[foID]
		for i := range fo.LineItems {
			fl := &fo.LineItems[i]
			if fl.RemainingQuantity > 0 {
				s.releaseCommittedLocked(fo, fl, fl.RemainingQuantity, restock)
			}
		}
		if fo.Status != "CLOSED" {
			fo.Status = "CANCELLED"
		}
		fo.UpdatedAt = now
	}
	if refund {
		_, captured, refunded := moneyTotals(o)
		if left := captured.Sub(refunded); left.Cmp("0") > 0 {
			var parent int64
			gw := "manual"
			for _, t := range o.Transactions {
				if t.Kind == "SALE" || t.Kind == "CAPTURE" {
					parent, gw = t.ID, t.Gateway
				}
			}
			tx := Transaction{ID: s.newID(), Kind: "REFUND", Status: "SUCCESS", Amount: left, Gateway: gw, ParentID: parent, Test: o.Test, ProcessedAt: now}
			o.Transactions = append(o.Transactions, tx)
			s.emit("order_transactions/create", "OrderTransaction", tx.ID, ptr(tx))
		}
	}
	o.CancelledAt, o.CancelReason, o.ClosedAt = &now, reason, &now
	o.UpdatedAt = now
	s.emit("orders/cancelled", "Order", o.ID, ptr(copyOrder(o)))
	s.emit("orders/updated", "Order", o.ID, ptr(copyOrder(o)))
	return nil
}

// DeleteOrder deletes an order and records orders/delete.
func (s *Shop) DeleteOrder(id int64) error {
	s.mu.Lock()
	defer s.unlock()
	o := s.orders[id]
	if o == nil {
		return fmt.Errorf("%w: order %d", ErrNotFound, id)
	}
	for _, f := range o.FulfillmentOrderIDs {
		delete(s.fulfillmentOrders, f)
	}
	for _, f := range o.FulfillmentIDs {
		delete(s.fulfillments, f)
	}
	for _, r := range o.RefundIDs {
		delete(s.refunds, r)
	}
	delete(s.orders, id)
	if i, ok := slices.BinarySearch(s.orderOrder, id); ok {
		s.orderOrder = slices.Delete(s.orderOrder, i, i+1)
	}
	s.emit("orders/delete", "Order", id, ptr(copyOrder(o)))
	return nil
}

// releaseCommittedLocked moves n unfulfilled units of a fulfillment-order
// line back from committed to available and reduces the remaining quantity.
// With restock false the units leave committed (and so on_hand) without
// returning to available.
func (s *Shop) releaseCommittedLocked(fo *FulfillmentOrder, fl *FulfillmentOrderLineItem, n int, restock bool) {
	fl.RemainingQuantity -= n
	fl.TotalQuantity -= n
	li := s.lineItemLocked(fo.OrderID, fl.LineItemID)
	if li == nil {
		return
	}
	v := s.variants[li.VariantID]
	if v == nil {
		return
	}
	if lv := s.levels[levelKey{v.InventoryItemID, fo.AssignedLocationID}]; lv != nil {
		s.changeQuantityLocked(lv, "committed", -n)
		if restock {
			s.changeQuantityLocked(lv, "available", n)
		}
		s.levelChanged(lv)
	}
}

func (s *Shop) lineItemLocked(orderID, lineID int64) *LineItem {
	o := s.orders[orderID]
	if o == nil {
		return nil
	}
	for i := range o.LineItems {
		if o.LineItems[i].ID == lineID {
			return &o.LineItems[i]
		}
	}
	return nil
}

// ---- fulfilment -----------------------------------------------------------------

// foLineRequest asks to fulfil quantity units of a fulfillment-order line.
type foLineRequest struct {
	ID       int64
	Quantity int
}

// foRequest asks to fulfil lines of one fulfillment order; nil Lines means
// all remaining units.
type foRequest struct {
	FulfillmentOrderID int64
	Lines              []foLineRequest
}

// fulfillLocked creates a fulfillment (fulfillmentCreate semantics).
func (s *Shop) fulfillLocked(reqs []foRequest, tracking []TrackingInfo) (*Fulfillment, []userError) {
	if len(reqs) == 0 {
		return nil, []userError{{Field: []string{"fulfillment", "lineItemsByFulfillmentOrder"}, Message: "Line items by fulfillment order must not be empty"}}
	}
	var order *Order
	var loc int64
	type plan struct {
		fo *FulfillmentOrder
		fl *FulfillmentOrderLineItem
		n  int
	}
	var plans []plan
	for i, r := range reqs {
		fo := s.fulfillmentOrders[r.FulfillmentOrderID]
		field := []string{"fulfillment", "lineItemsByFulfillmentOrder", fmt.Sprint(i), "fulfillmentOrderId"}
		if fo == nil {
			return nil, []userError{{Field: field, Message: "Fulfillment order does not exist."}}
		}
		if order == nil {
			order, loc = s.orders[fo.OrderID], fo.AssignedLocationID
		} else if fo.OrderID != order.ID {
			return nil, []userError{{Field: field, Message: "All fulfillment orders must belong to the same order."}}
		} else if fo.AssignedLocationID != loc {
			return nil, []userError{{Field: field, Message: "All fulfillment orders must be assigned to the same location."}}
		}
		if fo.Status == "CLOSED" || fo.Status == "CANCELLED" {
			return nil, []userError{{Field: field, Message: fmt.Sprintf("Fulfillment order %s has an unfulfillable status= %s.", shopify.GID("FulfillmentOrder", fo.ID), fo.Status)}}
		}
		if r.Lines == nil {
			for j := range fo.LineItems {
				if fo.LineItems[j].RemainingQuantity > 0 {
					plans = append(plans, plan{fo, &fo.LineItems[j], fo.LineItems[j].RemainingQuantity})
				}
			}
			continue
		}
		for j, lr := range r.Lines {
			lfield := []string{"fulfillment", "lineItemsByFulfillmentOrder", fmt.Sprint(i), "fulfillmentOrderLineItems", fmt.Sprint(j)}
			var fl *FulfillmentOrderLineItem
			for k := range fo.LineItems {
				if fo.LineItems[k].ID == lr.ID {
					fl = &fo.LineItems[k]
				}
			}
			if fl == nil {
				return nil, []userError{{Field: append(lfield, "id"), Message: "Fulfillment order line item does not exist."}}
			}
			if lr.Quantity <= 0 {
				return nil, []userError{{Field: append(lfield, "quantity"), Message: "Quantity must be greater than 0."}}
			}
			already := 0
			for _, p := range plans {
				if p.fl == fl {
					already += p.n
				}
			}
			if lr.Quantity+already > fl.RemainingQuantity {
				return nil, []userError{{Field: append(lfield, "quantity"), Message: fmt.Sprintf("Invalid fulfillment order line item quantity requested: quantity %d exceeds the remaining quantity %d.", lr.Quantity, fl.RemainingQuantity-already)}}
			}
			plans = append(plans, plan{fo, fl, lr.Quantity})
		}
	}
	if len(plans) == 0 {
		return nil, []userError{{Field: []string{"fulfillment"}, Message: "No line items to fulfill."}}
	}
	now := s.now()
	f := &Fulfillment{ID: s.newID(), OrderID: order.ID, LocationID: loc, Status: "SUCCESS", Tracking: slices.Clone(tracking), CreatedAt: now, UpdatedAt: now}
	var touched []*InventoryLevel
	for _, p := range plans {
		p.fl.RemainingQuantity -= p.n
		f.LineItems = append(f.LineItems, FulfillmentLineItem{ID: s.newID(), LineItemID: p.fl.LineItemID, FulfillmentOrderID: p.fo.ID, FulfillmentOrderLineItemID: p.fl.ID, Quantity: p.n})
		if li := s.lineItemLocked(order.ID, p.fl.LineItemID); li != nil {
			if v := s.variants[li.VariantID]; v != nil {
				if lv := s.levels[levelKey{v.InventoryItemID, loc}]; lv != nil {
					s.changeQuantityLocked(lv, "committed", -p.n) // leaves on_hand
					touched = append(touched, lv)
				}
			}
		}
	}
	for _, r := range reqs {
		fo := s.fulfillmentOrders[r.FulfillmentOrderID]
		fo.Status = "CLOSED"
		for _, fl := range fo.LineItems {
			if fl.RemainingQuantity > 0 {
				fo.Status = "IN_PROGRESS"
			}
		}
		fo.UpdatedAt = now
	}
	s.fulfillments[f.ID] = f
	order.FulfillmentIDs = append(order.FulfillmentIDs, f.ID)
	order.UpdatedAt = now
	s.emit("fulfillments/create", "Fulfillment", f.ID, ptr(copyFulfillment(f)))
	switch s.fulfillmentStatusLocked(order) {
	case "FULFILLED":
		s.emit("orders/fulfilled", "Order", order.ID, ptr(copyOrder(order)))
	case "PARTIALLY_FULFILLED":
		s.emit("orders/partially_fulfilled", "Order", order.ID, ptr(copyOrder(order)))
	}
	s.emit("orders/updated", "Order", order.ID, ptr(copyOrder(order)))
	for _, lv := range touched {
		s.levelChanged(lv)
	}
	return f, nil
}

// fulfillmentStatusLocked derives displayFulfillmentStatus.
func (s *Shop) fulfillmentStatusLocked(o *Order) string {
	total, remaining := 0, 0
	for _, id := range o.FulfillmentOrderIDs {
		if fo := s.fulfillmentOrders[id]; fo != nil {
			for _, fl := range fo.LineItems {
				total += fl.TotalQuantity
				remaining += fl.RemainingQuantity
			}
		}
	}
	switch {
	case total > 0 && remaining == 0:
		return "FULFILLED"
	case remaining < total:
		return "PARTIALLY_FULFILLED"
	default:
		return "UNFULFILLED"
	}
}

// ---- money ---------------------------------------------------------------------

func orderTotal(o *Order) shopify.Decimal {
	t := shopify.Decimal("0.00")
	for _, li := range o.LineItems {
		t = t.Add(li.Price.MulInt(int64(li.Quantity)))
	}
	return t
}

// moneyTotals sums an order's successful transactions.
func moneyTotals(o *Order) (authorized, captured, refunded shopify.Decimal) {
	authorized, captured, refunded = "0.00", "0.00", "0.00"
	for _, t := range o.Transactions {
		if t.Status != "SUCCESS" {
			continue
		}
		switch t.Kind {
		case "AUTHORIZATION":
			authorized = authorized.Add(t.Amount)
		case "CAPTURE", "SALE":
			captured = captured.Add(t.Amount)
		case "REFUND":
			refunded = refunded.Add(t.Amount)
		}
	}
	return
}

// capturableLocked returns the amount of an authorization not yet captured.
func capturable(o *Order, auth *Transaction) shopify.Decimal {
	left := auth.Amount
	for _, t := range o.Transactions {
		if t.Kind == "CAPTURE" && t.Status == "SUCCESS" && t.ParentID == auth.ID {
			left = left.Sub(t.Amount)
		}
	}
	return left
}

// financialStatus derives displayFinancialStatus.
func financialStatus(o *Order) string {
	auth, paid, refunded := moneyTotals(o)
	total := orderTotal(o)
	switch {
	case refunded.Cmp("0") > 0 && refunded.Cmp(paid) >= 0:
		return "REFUNDED"
	case refunded.Cmp("0") > 0:
		return "PARTIALLY_REFUNDED"
	case paid.Cmp("0") > 0 && paid.Cmp(total) >= 0:
		return "PAID"
	case paid.Cmp("0") > 0:
		return "PARTIALLY_PAID"
	case auth.Cmp("0") > 0:
		return "AUTHORIZED"
	default:
		return "PENDING"
	}
}

// captureLocked captures amount of an authorization (orderCapture).
func (s *Shop) captureLocked(orderID, parentID int64, amount shopify.Decimal) (*Transaction, []userError) {
	o := s.orders[orderID]
	if o == nil {
		return nil, []userError{{Field: []string{"input", "id"}, Message: "Order does not exist"}}
	}
	var auth *Transaction
	for i := range o.Transactions {
		if o.Transactions[i].ID == parentID && o.Transactions[i].Kind == "AUTHORIZATION" {
			auth = &o.Transactions[i]
		}
	}
	if auth == nil {
		return nil, []userError{{Field: []string{"input", "parentTransactionId"}, Message: "Parent transaction does not exist or is not an authorization"}}
	}
	if !amount.Valid() || amount.Cmp("0") <= 0 {
		return nil, []userError{{Field: []string{"input", "amount"}, Message: "Amount must be greater than zero"}}
	}
	if left := capturable(o, auth); amount.Cmp(left) > 0 {
		return nil, []userError{{Field: []string{"input", "amount"}, Message: fmt.Sprintf("Amount %s exceeds the capturable amount %s", amount, left)}}
	}
	now := s.now()
	wasPaid := financialStatus(o) == "PAID"
	t := Transaction{ID: s.newID(), Kind: "CAPTURE", Status: "SUCCESS", Amount: amount, Gateway: auth.Gateway, ParentID: auth.ID, Test: auth.Test, ProcessedAt: now}
	o.Transactions = append(o.Transactions, t)
	o.UpdatedAt = now
	s.emit("order_transactions/create", "OrderTransaction", t.ID, ptr(t))
	if !wasPaid && financialStatus(o) == "PAID" {
		s.emit("orders/paid", "Order", o.ID, ptr(copyOrder(o)))
	}
	s.emit("orders/updated", "Order", o.ID, ptr(copyOrder(o)))
	return &o.Transactions[len(o.Transactions)-1], nil
}

// markAsPaidLocked records a manual SALE for the outstanding amount.
func (s *Shop) markAsPaidLocked(orderID int64) (*Order, []userError) {
	o := s.orders[orderID]
	if o == nil {
		return nil, []userError{{Field: []string{"input", "id"}, Message: "Order does not exist"}}
	}
	_, paid, _ := moneyTotals(o)
	outstanding := orderTotal(o).Sub(paid)
	if outstanding.Cmp("0") <= 0 {
		return nil, []userError{{Field: []string{"input", "id"}, Message: "Order cannot be marked as paid."}}
	}
	now := s.now()
	t := Transaction{ID: s.newID(), Kind: "SALE", Status: "SUCCESS", Amount: outstanding, Gateway: "manual", ProcessedAt: now}
	o.Transactions = append(o.Transactions, t)
	o.UpdatedAt = now
	s.emit("order_transactions/create", "OrderTransaction", t.ID, ptr(t))
	s.emit("orders/paid", "Order", o.ID, ptr(copyOrder(o)))
	s.emit("orders/updated", "Order", o.ID, ptr(copyOrder(o)))
	return o, nil
}

// refundLineRequest is one line of a refundCreate input.
type refundLineRequest struct {
	LineItemID  int64
	Quantity    int
	RestockType string
	LocationID  int64
}

// refundTxRequest is one transaction of a refundCreate input.
type refundTxRequest struct {
	Amount   shopify.Decimal
	Gateway  string
	Kind     string
	ParentID int64
}

// refundLocked creates a refund (refundCreate semantics): refunded units
// leave the order; RETURN/LEGACY_RESTOCK put fulfilled units back into
// available and on_hand at the location; CANCEL (and NO_RESTOCK of unfulfilled
// units) releases committed units back to available; REFUND transactions may
// not exceed what was captured unless allowOver.
func (s *Shop) refundLocked(orderID int64, note string, lines []refundLineRequest, txs []refundTxRequest, allowOver bool) (*Refund, []userError) {
	o := s.orders[orderID]
	if o == nil {
		return nil, []userError{{Field: []string{"input", "orderId"}, Message: "Order does not exist"}}
	}
	// validate
	for i, l := range lines {
		f := []string{"input", "refundLineItems", fmt.Sprint(i)}
		li := s.lineItemLocked(o.ID, l.LineItemID)
		if li == nil {
			return nil, []userError{{Field: append(f, "lineItemId"), Message: "Line item does not exist"}}
		}
		if l.Quantity <= 0 || l.Quantity > li.Quantity-li.RefundedQuantity {
			return nil, []userError{{Field: append(f, "quantity"), Message: fmt.Sprintf("Quantity cannot refund more items than were purchased (refundable: %d)", li.Quantity-li.RefundedQuantity)}}
		}
		switch l.RestockType {
		case "", "NO_RESTOCK", "CANCEL", "RETURN", "LEGACY_RESTOCK":
		default:
			return nil, []userError{{Field: append(f, "restockType"), Message: "Restock type is invalid"}}
		}
		if l.LocationID != 0 && s.locations[l.LocationID] == nil {
			return nil, []userError{{Field: append(f, "locationId"), Message: "Location does not exist"}}
		}
		if l.RestockType == "CANCEL" && l.Quantity > s.unfulfilledLocked(o, li.ID) {
			return nil, []userError{{Field: append(f, "restockType"), Message: "Cannot cancel more items than are unfulfilled"}}
		}
		if l.RestockType == "RETURN" && l.Quantity > li.Quantity-li.RefundedQuantity-s.unfulfilledLocked(o, li.ID) {
			return nil, []userError{{Field: append(f, "restockType"), Message: "Cannot return more items than were fulfilled"}}
		}
	}
	_, captured, refunded := moneyTotals(o)
	sum := shopify.Decimal("0.00")
	for i, t := range txs {
		f := []string{"input", "transactions", fmt.Sprint(i)}
		if t.Kind != "REFUND" {
			return nil, []userError{{Field: append(f, "kind"), Message: "Transaction kind must be REFUND"}}
		}
		if !t.Amount.Valid() || t.Amount.Cmp("0") <= 0 {
			return nil, []userError{{Field: append(f, "amount"), Message: "Amount must be greater than zero"}}
		}
		sum = sum.Add(t.Amount)
	}
	if !allowOver && sum.Cmp(captured.Sub(refunded)) > 0 {
		return nil, []userError{{Field: []string{"input", "transactions"}, Message: fmt.Sprintf("Refund amount %s exceeds the refundable amount %s", sum, captured.Sub(refunded))}}
	}
	// apply
	now := s.now()
	r := &Refund{ID: s.newID(), OrderID: o.ID, Note: note, CreatedAt: now}
	var touched []*InventoryLevel
	for _, l := range lines {
		li := s.lineItemLocked(o.ID, l.LineItemID)
		rt := l.RestockType
		if rt == "" {
			rt = "NO_RESTOCK"
		}
		rli := RefundLineItem{ID: s.newID(), LineItemID: li.ID, Quantity: l.Quantity, RestockType: rt, LocationID: l.LocationID, Subtotal: li.Price.MulInt(int64(l.Quantity))}
		unfulfilled := s.unfulfilledLocked(o, li.ID)
		fromUnfulfilled := min(unfulfilled, l.Quantity)
		if rt == "RETURN" || rt == "LEGACY_RESTOCK" {
			fromUnfulfilled = 0
			if rt == "LEGACY_RESTOCK" {
				fromUnfulfilled = min(unfulfilled, l.Quantity)
			}
		}
		// release unfulfilled units from their fulfillment order
		left := fromUnfulfilled
		for _, foID := range o.FulfillmentOrderIDs {
			fo := s.fulfillmentOrders[foID]
			for k := range fo.LineItems {
				fl := &fo.LineItems[k]
				if fl.LineItemID == li.ID && left > 0 && fl.RemainingQuantity > 0 {
					n := min(left, fl.RemainingQuantity)
					s.releaseCommittedLocked(fo, fl, n, rt != "NO_RESTOCK")
					left -= n
					if rt != "NO_RESTOCK" {
						if rli.LocationID == 0 {
							rli.LocationID = fo.AssignedLocationID
						}
						rli.Restocked = true
					}
				}
			}
			if fo.Status != "CLOSED" && fo.Status != "CANCELLED" {
				open := false
				for _, fl := range fo.LineItems {
					if fl.RemainingQuantity > 0 {
						open = true
					}
				}
				if !open {
					fo.Status = "CLOSED"
				}
			}
		}
		if returned := l.Quantity - fromUnfulfilled; returned > 0 && (rt == "RETURN" || rt == "LEGACY_RESTOCK") {
			loc := l.LocationID
			if loc == 0 && len(o.FulfillmentIDs) > 0 {
				loc = s.fulfillments[o.FulfillmentIDs[0]].LocationID
			}
			if loc != 0 {
				v := s.variants[li.VariantID]
				if v != nil {
					lv := s.activateLocked(v.InventoryItemID, loc, now, true)
					s.changeQuantityLocked(lv, "available", returned)
					touched = append(touched, lv)
					rli.LocationID, rli.Restocked = loc, true
				}
			}
		}
		li.RefundedQuantity += l.Quantity
		r.LineItems = append(r.LineItems, rli)
	}
	for _, t := range txs {
		gw := t.Gateway
		tx := Transaction{ID: s.newID(), Kind: "REFUND", Status: "SUCCESS", Amount: t.Amount, Gateway: gw, ParentID: t.ParentID, ProcessedAt: now}
		o.Transactions = append(o.Transactions, tx)
		r.TransactionIDs = append(r.TransactionIDs, tx.ID)
		s.emit("order_transactions/create", "OrderTransaction", tx.ID, ptr(tx))
	}
	s.refunds[r.ID] = r
	o.RefundIDs = append(o.RefundIDs, r.ID)
	o.UpdatedAt = now
	s.emit("refunds/create", "Refund", r.ID, ptr(copyRefund(r)))
	s.emit("orders/updated", "Order", o.ID, ptr(copyOrder(o)))
	for _, lv := range touched {
		s.levelChanged(lv)
	}
	return r, nil
}

// unfulfilledLocked returns the remaining fulfillable units of an order line.
func (s *Shop) unfulfilledLocked(o *Order, lineID int64) int {
	n := 0
	for _, foID := range o.FulfillmentOrderIDs {
		if fo := s.fulfillmentOrders[foID]; fo != nil && fo.Status != "CANCELLED" {
			for _, fl := range fo.LineItems {
				if fl.LineItemID == lineID {
					n += fl.RemainingQuantity
				}
			}
		}
	}
	return n
}

// ---- copies --------------------------------------------------------------------

func copyOrder(o *Order) Order {
	c := *o
	c.Tags = slices.Clone(o.Tags)
	c.LineItems = slices.Clone(o.LineItems)
	c.Transactions = slices.Clone(o.Transactions)
	c.FulfillmentOrderIDs = slices.Clone(o.FulfillmentOrderIDs)
	c.FulfillmentIDs = slices.Clone(o.FulfillmentIDs)
	c.RefundIDs = slices.Clone(o.RefundIDs)
	return c
}

func copyFO(f *FulfillmentOrder) FulfillmentOrder {
	c := *f
	c.LineItems = slices.Clone(f.LineItems)
	return c
}

func copyFulfillment(f *Fulfillment) Fulfillment {
	c := *f
	c.Tracking = slices.Clone(f.Tracking)
	c.LineItems = slices.Clone(f.LineItems)
	return c
}

func copyRefund(r *Refund) Refund {
	c := *r
	c.LineItems = slices.Clone(r.LineItems)
	c.TransactionIDs = slices.Clone(r.TransactionIDs)
	return c
}
