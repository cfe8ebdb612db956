package shopifytest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// orderWindow is how far back orders are visible without read_all_orders.
const orderWindow = 60 * 24 * time.Hour

// orderVisible applies the 60-day window. Callers hold s.mu.
func (s *Shop) orderVisible(o *Order) bool {
	return s.hasScope("read_all_orders") || !o.CreatedAt.Before(s.now().Add(-orderWindow))
}

// ---- Order ----------------------------------------------------------------------

type orderObj struct {
	s *Shop
	o *Order
}

func (o orderObj) TypeName() string { return "Order" }

func (o orderObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	ord, s := o.o, o.s
	cur := ord.Currency
	auth, paid, refunded := moneyTotals(ord)
	total := orderTotal(ord)
	switch f.Name {
	case "id":
		return gid("Order", ord.ID), nil
	case "legacyResourceId":
		return legacy(ord.ID), nil
	case "name":
		return ord.Name, nil
	case "number":
		n, _ := strconv.Atoi(strings.TrimPrefix(ord.Name, "#"))
		return n - 1000, nil
	case "email":
		return nilIfEmpty(ord.Email), nil
	case "createdAt":
		return dt(ord.CreatedAt), nil
	case "updatedAt":
		return dt(ord.UpdatedAt), nil
	case "processedAt":
		return dt(ord.ProcessedAt), nil
	case "cancelledAt":
		return dtPtr(ord.CancelledAt), nil
	case "cancelReason":
		return nilIfEmpty(ord.CancelReason), nil
	case "closed":
		return ord.ClosedAt != nil, nil
	case "closedAt":
		return dtPtr(ord.ClosedAt), nil
	case "test":
		return ord.Test, nil
	case "tags":
		return nonNilStrings(ord.Tags), nil
	case "note", "phone", "poNumber", "customer", "shippingAddress", "billingAddress", "displayAddress", "shippingLine", "staffMember", "sourceIdentifier", "discountCode":
		return nil, nil
	case "sourceName":
		return ord.SourceName, nil
	case "app":
		return gqlexec.Map{Type: "OrderApp", Fields: map[string]any{"id": gid("App", ord.AppID), "name": ord.AppName, "icon": nil}}, nil
	case "retailLocation":
		if ord.RetailLocationID == 0 {
			return nil, nil
		}
		if err := s.requireScope("retailLocation", scopeLocations); err != nil {
			return nil, err
		}
		return locationObj{s, s.locations[ord.RetailLocationID]}, nil
	case "currencyCode", "presentmentCurrencyCode":
		return cur, nil
	case "displayFinancialStatus":
		return financialStatus(ord), nil
	case "displayFulfillmentStatus":
		return s.fulfillmentStatusLocked(ord), nil
	case "confirmed":
		return true, nil
	case "edited", "taxExempt", "taxesIncluded", "dutiesIncluded", "estimatedTaxes", "customerAcceptsMarketing", "hasTimelineComment":
		return false, nil
	case "requiresShipping":
		return true, nil
	case "capturable":
		return auth.Cmp("0") > 0 && s.capturableTotal(ord).Cmp("0") > 0, nil
	case "totalCapturableSet":
		return moneyBag(s.capturableTotal(ord), cur), nil
	case "fullyPaid":
		return paid.Cmp(total) >= 0, nil
	case "unpaid":
		return paid.IsZero(), nil
	case "canMarkAsPaid":
		return ord.CancelledAt == nil && paid.Cmp(total) < 0, nil
	case "refundable":
		return paid.Sub(refunded).Cmp("0") > 0, nil
	case "restockable":
		return true, nil
	case "fulfillable":
		return ord.CancelledAt == nil && s.fulfillmentStatusLocked(ord) != "FULFILLED", nil
	case "totalPriceSet", "originalTotalPriceSet", "subtotalPriceSet", "totalLineItemsPriceSet":
		return moneyBag(total, cur), nil
	case "currentTotalPriceSet", "currentSubtotalPriceSet":
		return moneyBag(currentTotal(ord), cur), nil
	case "totalReceivedSet":
		return moneyBag(paid, cur), nil
	case "netPaymentSet":
		return moneyBag(paid.Sub(refunded), cur), nil
	case "totalRefundedSet":
		return moneyBag(refunded, cur), nil
	case "totalOutstandingSet":
		out := currentTotal(ord).Sub(paid.Sub(refunded))
		if out.Cmp("0") < 0 {
			out = "0.00"
		}
		return moneyBag(out, cur), nil
	case "totalTaxSet", "currentTotalTaxSet", "totalDiscountsSet", "currentTotalDiscountsSet", "totalShippingPriceSet",
		"currentShippingPriceSet", "totalRefundedShippingSet", "totalTipReceivedSet", "currentCartDiscountAmountSet":
		return moneyBag("0.00", cur), nil
	case "subtotalLineItemsQuantity":
		n := 0
		for _, li := range ord.LineItems {
			n += li.Quantity
		}
		return n, nil
	case "currentSubtotalLineItemsQuantity":
		n := 0
		for _, li := range ord.LineItems {
			n += li.Quantity - li.RefundedQuantity
		}
		return n, nil
	case "paymentGatewayNames":
		var gws []string
		for _, t := range ord.Transactions {
			if !slices.Contains(gws, t.Gateway) {
				gws = append(gws, t.Gateway)
			}
		}
		return nonNilStrings(gws), nil
	case "lineItems":
		lis := make([]*LineItem, len(ord.LineItems))
		for i := range ord.LineItems {
			lis[i] = &ord.LineItems[i]
		}
		return connect(ctx, f, "LineItemConnection", reverseIf(f, lis), func(li *LineItem) int64 { return li.ID }, func(li *LineItem) gqlexec.Object { return lineItemObj{s, ord, li} })
	case "transactions":
		var txs []gqlexec.Object
		wantCapturable, _ := f.Args["capturable"].(bool)
		for i := range ord.Transactions {
			t := &ord.Transactions[i]
			if wantCapturable && (t.Kind != "AUTHORIZATION" || capturable(ord, t).Cmp("0") <= 0) {
				continue
			}
			txs = append(txs, txObj{s, ord, t})
		}
		if n, ok := f.ArgInt("first"); ok && int(n) < len(txs) {
			txs = txs[:n]
		}
		return nonNilObjects(txs), nil
	case "transactionsCount":
		return countObj(len(ord.Transactions)), nil
	case "fulfillmentOrders":
		if err := s.requireScope("fulfillmentOrders", scopeFulfillOrder); err != nil {
			return nil, err
		}
		var fos []*FulfillmentOrder
		for _, id := range ord.FulfillmentOrderIDs {
			fos = append(fos, s.fulfillmentOrders[id])
		}
		return s.foConnection(ctx, f, fos)
	case "fulfillments":
		var out []gqlexec.Object
		for _, id := range ord.FulfillmentIDs {
			out = append(out, fulfillmentObj{s, s.fulfillments[id]})
		}
		if n, ok := f.ArgInt("first"); ok && int(n) < len(out) {
			out = out[:n]
		}
		return nonNilObjects(out), nil
	case "fulfillmentsCount":
		return countObj(len(ord.FulfillmentIDs)), nil
	case "refunds":
		var out []gqlexec.Object
		for _, id := range ord.RefundIDs {
			out = append(out, refundObj{s, s.refunds[id]})
		}
		if n, ok := f.ArgInt("first"); ok && int(n) < len(out) {
			out = out[:n]
		}
		return nonNilObjects(out), nil
	}
	return nil, notSimulated("Order", f.Name)
}

func nonNilObjects(l []gqlexec.Object) []gqlexec.Object {
	if l == nil {
		return []gqlexec.Object{}
	}
	return l
}

func currentTotal(o *Order) shopify.Decimal {
	t := shopify.Decimal("0.00")
	for _, li := range o.LineItems {
		t = t.Add(li.Price.MulInt(int64(li.Quantity - li.RefundedQuantity)))
	}
	return t
}

func (s *Shop) capturableTotal(o *Order) shopify.Decimal {
	t := shopify.Decimal("0.00")
	for i := range o.Transactions {
		if o.Transactions[i].Kind == "AUTHORIZATION" {
			t = t.Add(capturable(o, &o.Transactions[i]))
		}
	}
	return t
}

func (s *Shop) orderFields(o *Order) fieldsFunc {
	return func(field string) ([]string, bool) {
		switch field {
		case "":
			return []string{o.Name, o.Email}, true
		case "id":
			return []string{legacy(o.ID)}, true
		case "name":
			return []string{o.Name, strings.TrimPrefix(o.Name, "#")}, true
		case "email":
			return []string{o.Email}, true
		case "created_at":
			return []string{fmtTime(o.CreatedAt)}, true
		case "updated_at":
			return []string{fmtTime(o.UpdatedAt)}, true
		case "processed_at":
			return []string{fmtTime(o.ProcessedAt)}, true
		case "source_name":
			return []string{o.SourceName}, true
		case "sales_channel":
			return []string{strings.ToLower(strings.ReplaceAll(o.AppName, " ", "_"))}, true
		case "financial_status":
			return []string{strings.ToLower(financialStatus(o))}, true
		case "fulfillment_status":
			st := strings.ToLower(s.fulfillmentStatusLocked(o))
			if st == "fulfilled" {
				return []string{st, "shipped"}, true
			}
			if st == "unfulfilled" {
				return []string{st, "unshipped"}, true
			}
			return []string{st, "partial"}, true
		case "status":
			switch {
			case o.CancelledAt != nil:
				return []string{"cancelled"}, true
			case o.ClosedAt != nil:
				return []string{"closed"}, true
			}
			return []string{"open"}, true
		case "test":
			return []string{strconv.FormatBool(o.Test)}, true
		case "tag":
			return o.Tags, true
		case "sku":
			var out []string
			for _, li := range o.LineItems {
				out = append(out, li.SKU)
			}
			return out, true
		case "location_id":
			if o.RetailLocationID != 0 {
				return []string{legacy(o.RetailLocationID)}, true
			}
			return nil, true
		case "fulfillment_location_id":
			var out []string
			for _, id := range o.FulfillmentOrderIDs {
				out = append(out, legacy(s.fulfillmentOrders[id].AssignedLocationID))
			}
			return out, true
		}
		return nil, false
	}
}

// sortOrders sorts os by the sortKey argument (then by ID) and returns the
// cursor key of that order (nil for TOTAL_PRICE: its cursors locate their
// order by ID).
func sortOrders(f *gqlexec.FieldCall, os []*Order) sortKey[*Order] {
	key, _ := f.Args["sortKey"].(string)
	var k sortKey[*Order]
	c := func(a, b *Order) int { return 0 }
	switch key {
	case "CREATED_AT":
		k = func(o *Order) string { return timeKey(o.CreatedAt) }
	case "UPDATED_AT":
		k = func(o *Order) string { return timeKey(o.UpdatedAt) }
	case "PROCESSED_AT", "":
		k = func(o *Order) string { return timeKey(o.ProcessedAt) }
	case "ORDER_NUMBER":
		// "#1002" before "#10010": by length, then by name.
		k = func(o *Order) string { return intKey(int64(len(o.Name))) + strKey(o.Name) }
	case "TOTAL_PRICE":
		c = func(a, b *Order) int { return orderTotal(a).Cmp(orderTotal(b)) }
	default: // ID, RELEVANCE
		k = byID[*Order]
	}
	if k != nil {
		c = func(a, b *Order) int { return cmp.Compare(k(a), k(b)) }
	}
	slices.SortStableFunc(os, func(a, b *Order) int {
		if r := c(a, b); r != 0 {
			return r
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return k
}

// ---- LineItem -------------------------------------------------------------------

type lineItemObj struct {
	s  *Shop
	o  *Order
	li *LineItem
}

func (o lineItemObj) TypeName() string { return "LineItem" }

func (o lineItemObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	li, s := o.li, o.s
	cur := o.o.Currency
	unfulfilled := s.unfulfilledLocked(o.o, li.ID)
	switch f.Name {
	case "id":
		return gid("LineItem", li.ID), nil
	case "sku":
		return nilIfEmpty(li.SKU), nil
	case "title":
		return li.Title, nil
	case "name":
		if v := s.variants[li.VariantID]; v != nil && v.Title != "Default Title" {
			return li.Title + " - " + v.Title, nil
		}
		return li.Title, nil
	case "variantTitle":
		if v := s.variants[li.VariantID]; v != nil && v.Title != "Default Title" {
			return v.Title, nil
		}
		return nil, nil
	case "vendor":
		if p := s.products[li.ProductID]; p != nil {
			return p.Vendor, nil
		}
		return nil, nil
	case "quantity":
		return li.Quantity, nil
	case "currentQuantity":
		return li.Quantity - li.RefundedQuantity, nil
	case "unfulfilledQuantity":
		return unfulfilled, nil
	case "refundableQuantity":
		return li.Quantity - li.RefundedQuantity, nil
	case "nonFulfillableQuantity":
		return max(0, li.Quantity-unfulfilled-s.fulfilledQty(o.o, li.ID)), nil
	case "requiresShipping", "taxable", "restockable", "merchantEditable":
		return true, nil
	case "isGiftCard":
		return false, nil
	case "variant":
		if v := s.variants[li.VariantID]; v != nil {
			return variantObj{s, v}, nil
		}
		return nil, nil
	case "product":
		if p := s.products[li.ProductID]; p != nil {
			return productObj{s, p}, nil
		}
		return nil, nil
	case "originalUnitPriceSet", "discountedUnitPriceSet", "discountedUnitPriceAfterAllDiscountsSet":
		return moneyBag(li.Price, cur), nil
	case "originalTotalSet", "discountedTotalSet":
		return moneyBag(li.Price.MulInt(int64(li.Quantity)), cur), nil
	case "unfulfilledOriginalTotalSet", "unfulfilledDiscountedTotalSet":
		return moneyBag(li.Price.MulInt(int64(unfulfilled)), cur), nil
	case "totalDiscountSet":
		return moneyBag("0.00", cur), nil
	case "customAttributes", "discountAllocations", "duties", "taxLines":
		return []gqlexec.Object{}, nil
	case "image", "sellingPlan", "contract", "lineItemGroup", "staffMember":
		return nil, nil
	}
	return nil, notSimulated("LineItem", f.Name)
}

// fulfilledQty sums fulfilled units of an order line.
func (s *Shop) fulfilledQty(o *Order, lineID int64) int {
	n := 0
	for _, id := range o.FulfillmentIDs {
		if fl := s.fulfillments[id]; fl != nil && fl.Status == "SUCCESS" {
			for _, l := range fl.LineItems {
				if l.LineItemID == lineID {
					n += l.Quantity
				}
			}
		}
	}
	return n
}

// ---- OrderTransaction -----------------------------------------------------------

type txObj struct {
	s *Shop
	o *Order
	t *Transaction
}

func (o txObj) TypeName() string { return "OrderTransaction" }

func (o txObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	t := o.t
	switch f.Name {
	case "id":
		return gid("OrderTransaction", t.ID), nil
	case "kind":
		return t.Kind, nil
	case "status":
		return t.Status, nil
	case "gateway", "formattedGateway":
		return t.Gateway, nil
	case "manualPaymentGateway":
		return t.Gateway == "manual" || t.Gateway == "cash", nil
	case "amountSet":
		return moneyBag(t.Amount, o.o.Currency), nil
	case "test":
		return t.Test, nil
	case "processedAt", "createdAt":
		return dt(t.ProcessedAt), nil
	case "authorizationExpiresAt":
		if t.Kind == "AUTHORIZATION" {
			return dt(t.ProcessedAt.Add(7 * 24 * time.Hour)), nil
		}
		return nil, nil
	case "manuallyCapturable":
		return t.Kind == "AUTHORIZATION" && capturable(o.o, t).Cmp("0") > 0, nil
	case "multiCapturable":
		return false, nil
	case "parentTransaction":
		for i := range o.o.Transactions {
			if o.o.Transactions[i].ID == t.ParentID && t.ParentID != 0 {
				return txObj{o.s, o.o, &o.o.Transactions[i]}, nil
			}
		}
		return nil, nil
	case "order":
		return orderObj{o.s, o.o}, nil
	case "errorCode", "paymentId", "accountNumber", "location", "device", "user", "paymentDetails", "receiptJson", "settlementCurrency", "settlementCurrencyRate":
		return nil, nil
	case "fees":
		return []gqlexec.Object{}, nil
	case "totalUnsettledSet":
		return moneyBag("0.00", o.o.Currency), nil
	}
	return nil, notSimulated("OrderTransaction", f.Name)
}

// ---- FulfillmentOrder -----------------------------------------------------------

type foObj struct {
	s  *Shop
	fo *FulfillmentOrder
}

func (o foObj) TypeName() string { return "FulfillmentOrder" }

func (o foObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	fo, s := o.fo, o.s
	ord := s.orders[fo.OrderID]
	switch f.Name {
	case "id":
		return gid("FulfillmentOrder", fo.ID), nil
	case "status":
		return fo.Status, nil
	case "requestStatus":
		return "UNSUBMITTED", nil
	case "createdAt":
		return dt(fo.CreatedAt), nil
	case "updatedAt":
		return dt(fo.UpdatedAt), nil
	case "fulfillAt", "fulfillBy", "destination", "deliveryMethod", "internationalDuties", "remainingLineItemsWeight":
		return nil, nil
	case "fulfillmentHolds":
		return []gqlexec.Object{}, nil
	case "orderId":
		return gid("Order", fo.OrderID), nil
	case "orderName":
		return ord.Name, nil
	case "orderProcessedAt":
		return dt(ord.ProcessedAt), nil
	case "order":
		return orderObj{s, ord}, nil
	case "supportedActions":
		var acts []gqlexec.Object
		if fo.Status == "OPEN" || fo.Status == "IN_PROGRESS" {
			acts = append(acts, gqlexec.Map{Type: "FulfillmentOrderSupportedAction", Fields: map[string]any{"action": "CREATE_FULFILLMENT", "externalUrl": nil}})
		}
		return nonNilObjects(acts), nil
	case "assignedLocation":
		l := s.locations[fo.AssignedLocationID]
		var loc any
		if l != nil {
			loc = locationObj{s, l}
		}
		return gqlexec.Map{Type: "FulfillmentOrderAssignedLocation", Fields: map[string]any{
			"location": loc, "name": l.Name, "address1": l.Address1, "address2": nil, "city": l.City, "zip": l.Zip,
			"countryCode": l.CountryCode, "province": nil, "phone": nil,
		}}, nil
	case "lineItems":
		fls := make([]*FulfillmentOrderLineItem, len(fo.LineItems))
		for i := range fo.LineItems {
			fls[i] = &fo.LineItems[i]
		}
		return connect(ctx, f, "FulfillmentOrderLineItemConnection", reverseIf(f, fls), func(fl *FulfillmentOrderLineItem) int64 { return fl.ID }, func(fl *FulfillmentOrderLineItem) gqlexec.Object { return foLineObj{s, fo, fl} })
	case "fulfillments":
		var fs []*Fulfillment
		for _, id := range ord.FulfillmentIDs {
			fl := s.fulfillments[id]
			for _, l := range fl.LineItems {
				if l.FulfillmentOrderID == fo.ID {
					fs = append(fs, fl)
					break
				}
			}
		}
		return connect(ctx, f, "FulfillmentConnection", reverseIf(f, fs), func(x *Fulfillment) int64 { return x.ID }, func(x *Fulfillment) gqlexec.Object { return fulfillmentObj{s, x} })
	}
	return nil, notSimulated("FulfillmentOrder", f.Name)
}

func (s *Shop) foConnection(ctx context.Context, f *gqlexec.FieldCall, fos []*FulfillmentOrder) (any, error) {
	filter := searchFilter(f)
	includeClosed, _ := f.Args["includeClosed"].(bool)
	_, isRoot := f.Args["includeClosed"]
	out := fos[:0:0]
	for _, fo := range fos {
		if isRoot && !includeClosed && (fo.Status == "CLOSED" || fo.Status == "CANCELLED") {
			continue
		}
		fo := fo
		if !filter.match(func(field string) ([]string, bool) {
			switch field {
			case "id":
				return []string{legacy(fo.ID)}, true
			case "status":
				return []string{strings.ToLower(fo.Status)}, true
			case "assigned_location_id":
				return []string{legacy(fo.AssignedLocationID)}, true
			case "updated_at":
				return []string{fmtTime(fo.UpdatedAt)}, true
			case "created_at":
				return []string{fmtTime(fo.CreatedAt)}, true
			case "order_id":
				return []string{legacy(fo.OrderID)}, true
			}
			return nil, false
		}) {
			continue
		}
		if o := s.orders[fo.OrderID]; o == nil || !s.orderVisible(o) {
			continue
		}
		out = append(out, fo)
	}
	return connect(ctx, f, "FulfillmentOrderConnection", reverseIf(f, out), func(x *FulfillmentOrder) int64 { return x.ID }, func(x *FulfillmentOrder) gqlexec.Object { return foObj{s, x} })
}

type foLineObj struct {
	s  *Shop
	fo *FulfillmentOrder
	fl *FulfillmentOrderLineItem
}

func (o foLineObj) TypeName() string { return "FulfillmentOrderLineItem" }

func (o foLineObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	fl, s := o.fl, o.s
	ord := s.orders[o.fo.OrderID]
	li := s.lineItemLocked(ord.ID, fl.LineItemID)
	v := s.variants[li.VariantID]
	switch f.Name {
	case "id":
		return gid("FulfillmentOrderLineItem", fl.ID), nil
	case "remainingQuantity":
		return fl.RemainingQuantity, nil
	case "totalQuantity":
		return fl.TotalQuantity, nil
	case "sku":
		return nilIfEmpty(li.SKU), nil
	case "productTitle":
		return li.Title, nil
	case "variantTitle":
		if v != nil && v.Title != "Default Title" {
			return v.Title, nil
		}
		return nil, nil
	case "vendor":
		if p := s.products[li.ProductID]; p != nil {
			return p.Vendor, nil
		}
		return nil, nil
	case "requiresShipping":
		return true, nil
	case "inventoryItemId":
		if v != nil {
			return gid("InventoryItem", v.InventoryItemID), nil
		}
		return nil, nil
	case "variant":
		if v != nil {
			return variantObj{s, v}, nil
		}
		return nil, nil
	case "lineItem":
		return lineItemObj{s, ord, li}, nil
	case "image", "shippingLine", "weight":
		return nil, nil
	case "warnings", "financialSummaries":
		return []gqlexec.Object{}, nil
	}
	return nil, notSimulated("FulfillmentOrderLineItem", f.Name)
}

// ---- Fulfillment ----------------------------------------------------------------

type fulfillmentObj struct {
	s  *Shop
	fl *Fulfillment
}

func (o fulfillmentObj) TypeName() string { return "Fulfillment" }

func (o fulfillmentObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	fl, s := o.fl, o.s
	ord := s.orders[fl.OrderID]
	switch f.Name {
	case "id":
		return gid("Fulfillment", fl.ID), nil
	case "legacyResourceId":
		return legacy(fl.ID), nil
	case "name":
		return fmt.Sprintf("%s-F%d", ord.Name, slices.Index(ord.FulfillmentIDs, fl.ID)+1), nil
	case "status":
		return fl.Status, nil
	case "displayStatus":
		return "FULFILLED", nil
	case "createdAt":
		return dt(fl.CreatedAt), nil
	case "updatedAt":
		return dt(fl.UpdatedAt), nil
	case "deliveredAt", "inTransitAt", "estimatedDeliveryAt", "originAddress", "service":
		return nil, nil
	case "requiresShipping":
		return true, nil
	case "location":
		if l := s.locations[fl.LocationID]; l != nil {
			return locationObj{s, l}, nil
		}
		return nil, nil
	case "order":
		return orderObj{s, ord}, nil
	case "totalQuantity":
		n := 0
		for _, l := range fl.LineItems {
			n += l.Quantity
		}
		return n, nil
	case "trackingInfo":
		out := make([]gqlexec.Object, 0, len(fl.Tracking))
		for _, t := range fl.Tracking {
			out = append(out, gqlexec.Map{Type: "FulfillmentTrackingInfo", Fields: map[string]any{"company": nilIfEmpty(t.Company), "number": nilIfEmpty(t.Number), "url": nilIfEmpty(t.URL)}})
		}
		if n, ok := f.ArgInt("first"); ok && int(n) < len(out) {
			out = out[:n]
		}
		return out, nil
	case "fulfillmentLineItems":
		ls := make([]*FulfillmentLineItem, len(fl.LineItems))
		for i := range fl.LineItems {
			ls[i] = &fl.LineItems[i]
		}
		return connect(ctx, f, "FulfillmentLineItemConnection", reverseIf(f, ls), func(l *FulfillmentLineItem) int64 { return l.ID }, func(l *FulfillmentLineItem) gqlexec.Object {
			li := s.lineItemLocked(ord.ID, l.LineItemID)
			return gqlexec.Map{Type: "FulfillmentLineItem", Fields: map[string]any{
				"id": gid("FulfillmentLineItem", l.ID), "quantity": l.Quantity, "lineItem": lineItemObj{s, ord, li},
				"originalTotalSet": moneyBag(li.Price.MulInt(int64(l.Quantity)), ord.Currency),
			}}
		})
	case "fulfillmentOrders":
		var fos []*FulfillmentOrder
		for _, l := range fl.LineItems {
			if fo := s.fulfillmentOrders[l.FulfillmentOrderID]; fo != nil && !slices.Contains(fos, fo) {
				fos = append(fos, fo)
			}
		}
		return connect(ctx, f, "FulfillmentOrderConnection", reverseIf(f, fos), func(x *FulfillmentOrder) int64 { return x.ID }, func(x *FulfillmentOrder) gqlexec.Object { return foObj{s, x} })
	}
	return nil, notSimulated("Fulfillment", f.Name)
}

// ---- Refund ---------------------------------------------------------------------

type refundObj struct {
	s *Shop
	r *Refund
}

func (o refundObj) TypeName() string { return "Refund" }

func (o refundObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	r, s := o.r, o.s
	ord := s.orders[r.OrderID]
	switch f.Name {
	case "id":
		return gid("Refund", r.ID), nil
	case "legacyResourceId":
		return legacy(r.ID), nil
	case "note":
		return nilIfEmpty(r.Note), nil
	case "createdAt", "processedAt", "updatedAt":
		return dt(r.CreatedAt), nil
	case "order":
		return orderObj{s, ord}, nil
	case "return", "staffMember":
		return nil, nil
	case "duties":
		return []gqlexec.Object{}, nil
	case "totalRefundedSet":
		t := shopify.Decimal("0.00")
		for _, tx := range ord.Transactions {
			if slices.Contains(r.TransactionIDs, tx.ID) {
				t = t.Add(tx.Amount)
			}
		}
		return moneyBag(t, ord.Currency), nil
	case "refundLineItems":
		ls := make([]*RefundLineItem, len(r.LineItems))
		for i := range r.LineItems {
			ls[i] = &r.LineItems[i]
		}
		return connect(ctx, f, "RefundLineItemConnection", reverseIf(f, ls), func(l *RefundLineItem) int64 { return l.ID }, func(l *RefundLineItem) gqlexec.Object {
			li := s.lineItemLocked(ord.ID, l.LineItemID)
			var loc any
			if x := s.locations[l.LocationID]; x != nil {
				loc = locationObj{s, x}
			}
			return gqlexec.Map{Type: "RefundLineItem", Fields: map[string]any{
				"id": gid("RefundLineItem", l.ID), "quantity": l.Quantity, "restockType": l.RestockType, "restocked": l.Restocked,
				"lineItem": lineItemObj{s, ord, li}, "location": loc,
				"priceSet": moneyBag(li.Price, ord.Currency), "subtotalSet": moneyBag(l.Subtotal, ord.Currency),
				"totalTaxSet": moneyBag("0.00", ord.Currency),
			}}
		})
	case "transactions":
		var txs []*Transaction
		for i := range ord.Transactions {
			if slices.Contains(r.TransactionIDs, ord.Transactions[i].ID) {
				txs = append(txs, &ord.Transactions[i])
			}
		}
		return connect(ctx, f, "OrderTransactionConnection", reverseIf(f, txs), func(t *Transaction) int64 { return t.ID }, func(t *Transaction) gqlexec.Object { return txObj{s, ord, t} })
	}
	return nil, notSimulated("Refund", f.Name)
}
