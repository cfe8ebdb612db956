package connector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

var _ wmssync.Outbound = (*Connector)(nil)

// packPlan is the plan of an order packed message: the quantity still to
// ship per order line before the first attempt.
type packPlan struct {
	Remaining map[string]int `json:"remaining"`
}

// capturePlan is the plan of a payment captured message: the amount still
// capturable before the first attempt.
type capturePlan struct {
	Capturable shopify.Decimal `json:"capturable"`
}

// Prepare reads what the shop holds before the first attempt of a message
// Shopify offers no idempotency key for: for an order packed message the
// quantity still to ship per order line, for a payment captured message the
// amount still capturable. Other kinds need no plan. It changes nothing.
func (c *Connector) Prepare(ctx context.Context, m *wmssync.Outgoing) ([]byte, error) {
	switch ev := wms.EventValue(m.Event).(type) {
	case wms.OrderPacked:
		o, err := c.client.Orders().Get(ctx, ev.Order.ExternalID)
		if err != nil {
			return nil, c.outboundErr(ctx, "read order", err)
		}
		return json.Marshal(packPlan{Remaining: remainingByLine(o)})
	case wms.PaymentCaptured:
		o, err := c.client.Orders().Get(ctx, ev.Order.ExternalID)
		if err != nil {
			return nil, c.outboundErr(ctx, "read order", err)
		}
		return json.Marshal(capturePlan{Capturable: capturable(o)})
	}
	return nil, nil
}

// Send delivers one outbound message to the shop:
//
//   - stock changed: inventorySetQuantities of the available quantities,
//     with the message's idempotency key;
//   - barcode changed: the barcode of every listed variant that does not
//     have it yet;
//   - purchase order closed: the unit cost of the listed inventory items
//     whose SKU has a new cost they do not have yet;
//   - payment captured: captures what is still missing of the amount,
//     measured against the plan;
//   - order packed: fulfils what is still missing of the packed lines,
//     measured against the plan, from the fulfilment orders at the packing
//     warehouse's locations, with the tracking information;
//   - refund created: refundCreate with the message's idempotency key.
//
// The shop refusing a message for good (user errors, a missing access
// scope, an order Shopify no longer has) returns an error matching
// [wmssync.ErrRejected].
func (c *Connector) Send(ctx context.Context, m *wmssync.Outgoing) error {
	if m.Kind == wms.KindStockChanged {
		return c.sendStock(ctx, m)
	}
	switch ev := wms.EventValue(m.Event).(type) {
	case wms.BarcodeChanged:
		return c.sendBarcode(ctx, m, ev)
	case wms.PurchaseOrderClosed:
		return c.sendCosts(ctx, m, ev)
	case wms.PaymentCaptured:
		return c.sendCapture(ctx, m, ev)
	case wms.OrderPacked:
		return c.sendPacked(ctx, m, ev)
	case wms.RefundCreated:
		return c.sendRefund(ctx, m, ev)
	}
	return fmt.Errorf("%w: shopify/connector: no outbound message for %q", wmssync.ErrRejected, m.Kind)
}

// outboundErr classifies a Shopify error of an outbound call.
func (c *Connector) outboundErr(ctx context.Context, what string, err error) error {
	var ue *shopify.UserErrorsError
	switch {
	case ctx.Err() != nil:
		return err
	case errors.As(err, &ue) && ue.HasCode(shopify.CodeIdempotencyConcurrentRequest):
		return fmt.Errorf("shopify/connector: %s: %w", what, err) // still running: retry
	case errors.Is(err, shopify.ErrUserErrors), errors.Is(err, shopify.ErrNotFound), errors.Is(err, shopify.ErrAccessDenied):
		return fmt.Errorf("%w: shopify/connector: %s: %w", wmssync.ErrRejected, what, err)
	}
	return fmt.Errorf("shopify/connector: %s: %w", what, classify(ctx, err))
}

// CapturesOnPack implements [wmssync.PackCapturer]: Shopify orders whose
// payment was authorised at checkout are captured when the warehouse packs
// them (what the authorisation holds; nothing for an order paid at
// checkout).
func (c *Connector) CapturesOnPack() bool { return true }

// StockBatchSize implements [wmssync.StockBatcher]: one
// inventorySetQuantities call takes up to shopify.MaxQuantitiesPerCall
// (250) quantities.
func (c *Connector) StockBatchSize() int { return shopify.MaxQuantitiesPerCall }

func (c *Connector) sendStock(ctx context.Context, m *wmssync.Outgoing) error {
	inv := c.client.Inventory()
	req := shopify.SetQuantitiesRequest{Name: "available", Reason: "correction", IdempotencyKey: m.Key}
	for _, s := range m.Stock {
		if s.InventoryItemID == "" || s.LocationID == "" {
			continue // Shopify addresses stock by inventory item and location only
		}
		req.Quantities = append(req.Quantities, shopify.QuantityChange{
			InventoryItemID: s.InventoryItemID, LocationID: s.LocationID, Quantity: int(s.Available)})
	}
	if len(req.Quantities) == 0 {
		return nil
	}
	_, err := inv.SetQuantities(ctx, req)
	if err == nil {
		return nil
	}
	var ue *shopify.UserErrorsError
	if !errors.As(err, &ue) {
		return c.outboundErr(ctx, "set stock", err)
	}
	// Items not stocked at a mapped location: stock them there with the
	// quantity (inventoryActivate), or leave them out when it is zero;
	// then set the others. Both writes are absolute, so a repeat is
	// harmless; the keys derive from the message's.
	bad := map[int]bool{}
	for _, u := range ue.Errors {
		i, ok := quantityIndex(u)
		if !ok || u.Code != "INVALID_LOCATION" {
			return c.outboundErr(ctx, "set stock", err)
		}
		bad[i] = true
	}
	rest := shopify.SetQuantitiesRequest{Name: "available", Reason: "correction", IdempotencyKey: m.Key + "-rest"}
	for i, q := range req.Quantities {
		if !bad[i] {
			rest.Quantities = append(rest.Quantities, q)
			continue
		}
		if q.Quantity <= 0 {
			continue
		}
		n := q.Quantity
		if _, err := inv.Activate(ctx, shopify.ActivateRequest{InventoryItemID: q.InventoryItemID, LocationID: q.LocationID,
			Available: &n, IdempotencyKey: fmt.Sprintf("%s-activate-%d", m.Key, i)}); err != nil {
			return c.outboundErr(ctx, "stock item at location", err)
		}
	}
	if len(rest.Quantities) == 0 {
		return nil
	}
	if _, err := inv.SetQuantities(ctx, rest); err != nil {
		return c.outboundErr(ctx, "set stock", err)
	}
	return nil
}

// quantityIndex reads N from a user error's field input.quantities.N....
func quantityIndex(u shopify.UserError) (int, bool) {
	for i := 0; i+1 < len(u.Field); i++ {
		if u.Field[i] == "quantities" {
			n, err := strconv.Atoi(u.Field[i+1])
			return n, err == nil
		}
	}
	return 0, false
}

func (c *Connector) sendBarcode(ctx context.Context, m *wmssync.Outgoing, ev wms.BarcodeChanged) error {
	if len(m.Listings) == 0 {
		return nil
	}
	// Read the variants' barcodes first: a variant that has the barcode
	// already (a retry, or the shop was changed by hand) is not written,
	// so no products/update webhook echoes back.
	current := map[string]string{}
	for start := 0; start < len(m.Listings); start += shopify.MaxPageSize {
		var ids []string
		for _, l := range m.Listings[start:min(start+shopify.MaxPageSize, len(m.Listings))] {
			ids = append(ids, l.VariantID)
		}
		var out struct {
			Nodes []*struct {
				ID      string `json:"id"`
				Barcode string `json:"barcode"`
			} `json:"nodes"`
		}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opVariantBarcodes, OperationName: "connectorVariantBarcodes",
			Variables: map[string]any{"ids": ids}}, &out); err != nil {
			return c.outboundErr(ctx, "read barcodes", err)
		}
		for _, n := range out.Nodes {
			if n != nil {
				current[n.ID] = n.Barcode
			}
		}
	}
	for _, l := range m.Listings {
		cur, ok := current[l.VariantID]
		if !ok {
			continue // the variant is gone
		}
		if cur == ev.Barcode {
			continue
		}
		barcode := ev.Barcode
		if _, err := c.client.Products().UpdateVariants(ctx, l.ProductID, []shopify.VariantUpdate{{ID: l.VariantID, Barcode: &barcode}}); err != nil {
			return c.outboundErr(ctx, "update barcode of "+l.VariantID, err)
		}
	}
	return nil
}

func (c *Connector) sendCosts(ctx context.Context, m *wmssync.Outgoing, ev wms.PurchaseOrderClosed) error {
	costs := map[string]wms.Decimal{}
	for _, ic := range ev.Costs {
		costs[ic.SKU] = ic.Cost
	}
	svc := c.client.InventoryItems()
	for _, l := range m.Listings {
		if l.InventoryItemID == "" {
			continue
		}
		it, err := svc.Get(ctx, l.InventoryItemID)
		if err != nil {
			return c.outboundErr(ctx, "read inventory item "+l.InventoryItemID, err)
		}
		cost, ok := costs[it.SKU]
		if !ok || cost == "" {
			continue
		}
		if it.UnitCost != nil && shopify.Decimal(cost).Cmp(it.UnitCost.Amount) == 0 {
			continue // already set (a retry)
		}
		d := shopify.Decimal(cost)
		if _, err := svc.Update(ctx, l.InventoryItemID, shopify.InventoryItemUpdate{Cost: &d}); err != nil {
			return c.outboundErr(ctx, "update cost of "+l.InventoryItemID, err)
		}
	}
	return nil
}

// capturable returns what the order's authorisations still hold.
func capturable(o *shopify.Order) shopify.Decimal {
	if !o.Capturable {
		return "0"
	}
	if a := o.TotalCapturable.ShopMoney.Amount; a != "" {
		return a
	}
	return "0"
}

func (c *Connector) sendCapture(ctx context.Context, m *wmssync.Outgoing, ev wms.PaymentCaptured) error {
	o, err := c.client.Orders().Get(ctx, ev.Order.ExternalID)
	if err != nil {
		return c.outboundErr(ctx, "read order", err)
	}
	now := capturable(o)
	var plan capturePlan
	if len(m.Plan) > 0 {
		if err := json.Unmarshal(m.Plan, &plan); err != nil {
			return fmt.Errorf("%w: shopify/connector: payment captured: bad plan: %v", wmssync.ErrRejected, err)
		}
	}
	if plan.Capturable == "" {
		// No plan: capturing everything left is safe to repeat; a partial
		// amount only on the first attempt.
		if ev.Amount != "" && m.Retry {
			return fmt.Errorf("%w: shopify/connector: partial capture retried without a plan", wmssync.ErrRejected)
		}
		plan.Capturable = now
	}
	want := shopify.Decimal(ev.Amount)
	if want == "" || want.Cmp(plan.Capturable) > 0 {
		want = plan.Capturable // capture what was authorised
	}
	done := plan.Capturable.Sub(now) // captured since the plan: by an earlier attempt
	missing := want.Sub(done)
	if missing.Cmp("0") <= 0 || now.Cmp("0") <= 0 {
		return nil
	}
	if missing.Cmp(now) > 0 {
		missing = now
	}
	for _, t := range o.Transactions {
		if t.Kind != "AUTHORIZATION" || t.Status != "SUCCESS" || !t.ManuallyCapturable || missing.Cmp("0") <= 0 {
			continue
		}
		amount := missing
		if a := t.Amount.ShopMoney.Amount; a != "" && amount.Cmp(a) > 0 {
			amount = a
		}
		if _, err := c.client.Payments().Capture(ctx, shopify.CaptureRequest{OrderID: o.ID, ParentTransactionID: t.ID, Amount: amount}); err != nil {
			return c.outboundErr(ctx, "capture payment", err)
		}
		missing = missing.Sub(amount)
	}
	return nil
}

// remainingByLine sums the quantities still to fulfil per order line over
// the open fulfilment orders.
func remainingByLine(o *shopify.Order) map[string]int {
	rem := map[string]int{}
	for _, fo := range o.FulfillmentOrders {
		if fo.Status == "CLOSED" || fo.Status == "CANCELLED" {
			continue
		}
		for _, li := range fo.LineItems {
			rem[li.LineItem.ID] += li.RemainingQuantity
		}
	}
	return rem
}

func (c *Connector) sendPacked(ctx context.Context, m *wmssync.Outgoing, ev wms.OrderPacked) error {
	var plan packPlan
	if err := json.Unmarshal(m.Plan, &plan); err != nil || plan.Remaining == nil {
		return fmt.Errorf("%w: shopify/connector: order packed without a plan", wmssync.ErrRejected)
	}
	o, err := c.client.Orders().Get(ctx, ev.Order.ExternalID)
	if err != nil {
		return c.outboundErr(ctx, "read order", err)
	}
	now := remainingByLine(o)
	// What is still to ship of each packed line: packed, less what was
	// fulfilled since the plan (an earlier attempt).
	need := map[string]int{}
	for _, l := range ev.Lines {
		shipped := plan.Remaining[l.LineID] - now[l.LineID]
		if n := int(l.Quantity) - shipped; n > 0 {
			need[l.LineID] += min(n, now[l.LineID])
		}
	}
	atWarehouse := map[string]bool{}
	for _, id := range m.Locations {
		atWarehouse[id] = true
	}
	// Fulfil per location (a fulfilment ships from one location), the
	// packing warehouse's locations first.
	byLocation := map[string][]shopify.FulfillmentOrderLines{}
	var order []string
	for pass := range 2 {
		for _, fo := range o.FulfillmentOrders {
			if fo.Status == "CLOSED" || fo.Status == "CANCELLED" {
				continue
			}
			loc := ""
			if fo.AssignedLocation.Location != nil {
				loc = fo.AssignedLocation.Location.ID
			}
			if (pass == 0) != atWarehouse[loc] {
				continue
			}
			var items []shopify.FulfillmentOrderLineQuantity
			for _, li := range fo.LineItems {
				n := min(need[li.LineItem.ID], li.RemainingQuantity)
				if n <= 0 {
					continue
				}
				items = append(items, shopify.FulfillmentOrderLineQuantity{ID: li.ID, Quantity: n})
				need[li.LineItem.ID] -= n
			}
			if len(items) == 0 {
				continue
			}
			if _, ok := byLocation[loc]; !ok {
				order = append(order, loc)
			}
			byLocation[loc] = append(byLocation[loc], shopify.FulfillmentOrderLines{FulfillmentOrderID: fo.ID, Items: items})
		}
	}
	var tracking *shopify.TrackingInfo
	if t := ev.Tracking; t != nil && (t.Number != "" || t.Company != "") {
		tracking = &shopify.TrackingInfo{Company: t.Company, Number: t.Number, URL: t.URL}
	}
	for _, loc := range order {
		if _, err := c.client.Fulfillments().Create(ctx, shopify.FulfillmentRequest{Lines: byLocation[loc], Tracking: tracking}); err != nil {
			return c.outboundErr(ctx, "fulfil order", err)
		}
	}
	return nil
}

func (c *Connector) sendRefund(ctx context.Context, m *wmssync.Outgoing, ev wms.RefundCreated) error {
	r := ev.Refund
	req := shopify.RefundRequest{OrderID: r.Order.ExternalID, Note: r.Note, IdempotencyKey: m.Key}
	o, err := c.client.Orders().Get(ctx, r.Order.ExternalID)
	if err != nil {
		return c.outboundErr(ctx, "read order", err)
	}
	unfulfilled := map[string]int{}
	for _, li := range o.LineItems {
		unfulfilled[li.ID] = li.UnfulfilledQuantity
	}
	loc := ""
	if len(m.Locations) > 0 {
		loc = m.Locations[0]
	}
	for _, l := range r.Lines {
		rl := shopify.RefundLine{LineItemID: l.LineID, Quantity: int(l.Quantity), RestockType: "NO_RESTOCK"}
		// With stock messages on, the WMS's absolute stock figures already
		// carry the restocked units to the shop; restocking here as well
		// would count them twice.
		if l.Restock && !m.StockSynced {
			// Units never shipped are cancelled back into stock; shipped
			// ones come back as a return.
			rl.RestockType, rl.LocationID = "RETURN", loc
			if unfulfilled[l.LineID] >= int(l.Quantity) {
				rl.RestockType = "CANCEL"
			}
		}
		req.Lines = append(req.Lines, rl)
	}
	if r.Shipping.Sign() > 0 {
		s := shopify.Decimal(r.Shipping)
		req.ShippingAmount = &s
	}
	if r.Amount.Sign() > 0 {
		left := shopify.Decimal(r.Amount)
		for _, t := range o.Transactions {
			if (t.Kind != "SALE" && t.Kind != "CAPTURE") || t.Status != "SUCCESS" || left.Cmp("0") <= 0 {
				continue
			}
			amount := left
			if a := t.Amount.ShopMoney.Amount; a != "" && amount.Cmp(a) > 0 {
				amount = a
			}
			req.Transactions = append(req.Transactions, shopify.RefundTransaction{ParentID: t.ID, Amount: amount, Gateway: t.Gateway})
			left = left.Sub(amount)
		}
		if left.Cmp("0") > 0 {
			return fmt.Errorf("%w: shopify/connector: refund %s: %s more than the order's payments", wmssync.ErrRejected, r.ID, left)
		}
	}
	if _, err := c.client.Refunds().Create(ctx, req); err != nil {
		return c.outboundErr(ctx, "create refund", err)
	}
	return nil
}
