package shopifytest

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// mutation dispatches Mutation fields. The shop's write lock is held.
func (r *rootObject) mutation(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	s := r.s
	if err := s.requireScope(f.Name, mutationScopes[f.Name]); err != nil {
		return nil, err
	}
	switch f.Name {
	case "inventorySetQuantities":
		return s.idempotent(f, "InventorySetQuantitiesPayload", func() (gqlexec.Object, error) { return s.mutInventory(f, true) })
	case "inventoryAdjustQuantities":
		return s.idempotent(f, "InventoryAdjustQuantitiesPayload", func() (gqlexec.Object, error) { return s.mutInventory(f, false) })
	case "inventoryActivate":
		return s.idempotent(f, "InventoryActivatePayload", func() (gqlexec.Object, error) { return s.mutActivate(f), nil })
	case "refundCreate":
		return s.idempotent(f, "RefundCreatePayload", func() (gqlexec.Object, error) { return s.mutRefund(f), nil })
	case "inventoryItemUpdate":
		return s.mutItemUpdate(f), nil
	case "productVariantsBulkUpdate":
		return s.mutVariantsBulkUpdate(f), nil
	case "fulfillmentCreate":
		return s.mutFulfillmentCreate(f), nil
	case "orderCapture":
		return s.mutOrderCapture(f), nil
	case "orderMarkAsPaid":
		return s.mutMarkAsPaid(f), nil
	case "orderCancel":
		return s.mutOrderCancel(f), nil
	case "bulkOperationRunQuery", "bulkOperationCancel":
		return s.bulkMutation(ctx, f) // bulk.go
	case "webhookSubscriptionCreate":
		in := parseWebhookInput(mapArg(f.Args, "webhookSubscription"))
		w, errs := s.createWebhookLocked(strArg(f.Args, "topic"), in, true)
		return payload("WebhookSubscriptionCreatePayload", "UserError", errs, "webhookSubscription", webhookOrNil(s, w)), nil
	case "webhookSubscriptionUpdate":
		var w *WebhookSubscription
		errs := []userError{{Field: []string{"id"}, Message: "Webhook subscription does not exist"}}
		if id, ok := parseID(f.Args["id"], "WebhookSubscription"); ok {
			w, errs = s.updateWebhookLocked(id, parseWebhookInput(mapArg(f.Args, "webhookSubscription")))
		}
		return payload("WebhookSubscriptionUpdatePayload", "UserError", errs, "webhookSubscription", webhookOrNil(s, w)), nil
	case "webhookSubscriptionDelete":
		id, ok := parseID(f.Args["id"], "WebhookSubscription")
		if !ok || !s.deleteWebhookLocked(id) {
			return payload("WebhookSubscriptionDeletePayload", "UserError", []userError{{Field: []string{"id"}, Message: "Webhook subscription does not exist"}}, "deletedWebhookSubscriptionId", nil), nil
		}
		return payload("WebhookSubscriptionDeletePayload", "UserError", nil, "deletedWebhookSubscriptionId", gid("WebhookSubscription", id)), nil
	}
	return nil, notSimulated("Mutation", f.Name)
}

func mapArg(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}

func webhookOrNil(s *Shop, w *WebhookSubscription) any {
	if w == nil {
		return nil
	}
	return webhookObj{s, w}
}

// payload builds a mutation payload with userErrors and extra fields given
// as alternating name, value pairs.
func payload(typ, errType string, errs []userError, kv ...any) gqlexec.Object {
	fields := map[string]any{"userErrors": userErrorsOf(errType, errs)}
	for i := 0; i+1 < len(kv); i += 2 {
		fields[kv[i].(string)] = kv[i+1]
	}
	return gqlexec.Map{Type: typ, Fields: fields}
}

// ---- inventory ------------------------------------------------------------------

// mutInventory runs inventorySetQuantities (set) or inventoryAdjustQuantities.
// A missing changeFromQuantity fails the whole field (not a user error: the
// 2026-10 code enums have no value for it).
func (s *Shop) mutInventory(f *gqlexec.FieldCall, set bool) (gqlexec.Object, error) {
	in := mapArg(f.Args, "input")
	typ, errType, list := "InventoryAdjustQuantitiesPayload", "InventoryAdjustQuantitiesUserError", "changes"
	if set {
		typ, errType, list = "InventorySetQuantitiesPayload", "InventorySetQuantitiesUserError", "quantities"
	}
	var changes []qtyChange
	for i, m := range objList(in[list]) {
		c := qtyChange{Ledger: strArg(m, "ledgerDocumentUri")}
		var ok bool
		c.ItemID, ok = parseID(m["inventoryItemId"], "InventoryItem")
		c.badItem = !ok
		c.LocationID, ok = parseID(m["locationId"], "Location")
		c.badLoc = !ok
		if set {
			c.Value, _ = intArg(m, "quantity")
		} else {
			c.Value, _ = intArg(m, "delta")
		}
		cf, present := m["changeFromQuantity"]
		if !present {
			return nil, &gqlerror.Error{
				Message:    fmt.Sprintf("changeFromQuantity is required at input.%s.%d: pass the quantity you expect, or null to skip the compare-and-swap check.", list, i),
				Extensions: map[string]any{"code": "BAD_REQUEST", "argumentName": "changeFromQuantity"},
			}
		}
		if cf != nil {
			n, _ := intArg(m, "changeFromQuantity")
			c.ChangeFrom = &n
		}
		changes = append(changes, c)
	}
	g, errs := s.applyInventoryLocked(set, strArg(in, "name"), strArg(in, "reason"), strArg(in, "referenceDocumentUri"), changes)
	var group any
	if g != nil {
		group = adjustmentGroupObj{s, g}
	}
	return payload(typ, errType, errs, "inventoryAdjustmentGroup", group), nil
}

func (s *Shop) mutActivate(f *gqlexec.FieldCall) gqlexec.Object {
	item, okI := parseID(f.Args["inventoryItemId"], "InventoryItem")
	loc, okL := parseID(f.Args["locationId"], "Location")
	if !okI {
		item = 0
	}
	if !okL {
		loc = 0
	}
	var avail, onHand *int
	if n, ok := intArg(f.Args, "available"); ok {
		avail = &n
	}
	if n, ok := intArg(f.Args, "onHand"); ok {
		onHand = &n
	}
	lv, errs := s.activateMutationLocked(item, loc, avail, onHand)
	var level any
	if lv != nil {
		level = levelObj{s, lv}
	}
	return payload("InventoryActivatePayload", "UserError", errs, "inventoryLevel", level)
}

type adjustmentGroupObj struct {
	s *Shop
	g *InventoryAdjustmentGroup
}

func (o adjustmentGroupObj) TypeName() string { return "InventoryAdjustmentGroup" }

func (o adjustmentGroupObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	g := o.g
	switch f.Name {
	case "id":
		return gid("InventoryAdjustmentGroup", g.ID), nil
	case "createdAt":
		return dt(g.CreatedAt), nil
	case "reason":
		return g.Reason, nil
	case "referenceDocumentUri":
		return nilIfEmpty(g.ReferenceDocumentURI), nil
	case "app", "staffMember":
		return nil, nil
	case "changes":
		items, locs, names := idList(f.Args["inventoryItemIds"]), idList(f.Args["locationIds"]), idList(f.Args["quantityNames"])
		out := []gqlexec.Object{}
		for _, c := range g.Changes {
			if len(items) > 0 && !slices.Contains(items, gid("InventoryItem", c.InventoryItemID)) ||
				len(locs) > 0 && !slices.Contains(locs, gid("Location", c.LocationID)) ||
				len(names) > 0 && !slices.Contains(names, c.Name) {
				continue
			}
			var item, loc any
			if it := o.s.items[c.InventoryItemID]; it != nil {
				item = itemObj{o.s, it}
			}
			if l := o.s.locations[c.LocationID]; l != nil {
				loc = locationObj{o.s, l}
			}
			out = append(out, gqlexec.Map{Type: "InventoryChange", Fields: map[string]any{
				"name": c.Name, "delta": c.Delta, "quantityAfterChange": c.QuantityAfterChange,
				"ledgerDocumentUri": nilIfEmpty(c.LedgerDocumentURI), "item": item, "location": loc,
			}})
		}
		return out, nil
	}
	return nil, notSimulated("InventoryAdjustmentGroup", f.Name)
}

// ---- catalog --------------------------------------------------------------------

// applyItemInput writes InventoryItemInput fields to an item; it reports
// whether anything changed.
func applyItemInput(it *InventoryItem, in map[string]any) (bool, []userError) {
	changed := false
	if v, ok := in["sku"]; ok {
		s, _ := v.(string)
		it.SKU, changed = s, true
	}
	if v, ok := in["cost"]; ok {
		if v == nil {
			it.UnitCost = ""
		} else {
			d, err := shopify.ParseDecimal(fmt.Sprint(v))
			if err != nil {
				return false, []userError{{Field: []string{"cost"}, Message: "Cost is invalid"}}
			}
			if d.Cmp("0") < 0 {
				return false, []userError{{Field: []string{"cost"}, Message: "Cost must be greater than or equal to 0"}}
			}
			it.UnitCost = d
		}
		changed = true
	}
	if v, ok := in["tracked"].(bool); ok {
		it.Tracked, changed = v, true
	}
	if v, ok := in["requiresShipping"].(bool); ok {
		it.RequiresShipping, changed = v, true
	}
	if v, ok := in["harmonizedSystemCode"]; ok {
		s, _ := v.(string)
		it.HarmonizedSystemCode, changed = s, true
	}
	if v, ok := in["countryCodeOfOrigin"]; ok {
		s, _ := v.(string)
		it.CountryCodeOfOrigin, changed = s, true
	}
	if v, ok := in["provinceCodeOfOrigin"]; ok {
		s, _ := v.(string)
		it.ProvinceCodeOfOrigin, changed = s, true
	}
	if v, ok := in["countryHarmonizedSystemCodes"]; ok {
		it.CountryHarmonizedSystemCodes = nil
		for _, m := range objList(v) {
			it.CountryHarmonizedSystemCodes = append(it.CountryHarmonizedSystemCodes, CountryHSCode{CountryCode: strArg(m, "countryCode"), HarmonizedSystemCode: strArg(m, "harmonizedSystemCode")})
		}
		changed = true
	}
	if m, ok := in["measurement"].(map[string]any); ok {
		if w, ok := m["weight"].(map[string]any); ok {
			var val float64
			switch x := w["value"].(type) {
			case float64:
				val = x
			case int64:
				val = float64(x)
			}
			it.WeightValue = shopify.Decimal(strconv.FormatFloat(val, 'f', -1, 64))
			it.WeightUnit = strArg(w, "unit")
			changed = true
		}
	}
	return changed, nil
}

func (s *Shop) mutItemUpdate(f *gqlexec.FieldCall) gqlexec.Object {
	id, ok := parseID(f.Args["id"], "InventoryItem")
	it := s.items[id]
	if !ok || it == nil {
		return payload("InventoryItemUpdatePayload", "UserError", []userError{{Field: []string{"id"}, Message: "Inventory item does not exist"}}, "inventoryItem", nil)
	}
	next := copyItem(it)
	changed, errs := applyItemInput(&next, mapArg(f.Args, "input"))
	if errs != nil {
		for i := range errs {
			errs[i].Field = append([]string{"input"}, errs[i].Field...)
		}
		return payload("InventoryItemUpdatePayload", "UserError", errs, "inventoryItem", nil)
	}
	if changed {
		next.UpdatedAt = s.now()
		*it = next
		s.emit("inventory_items/update", "InventoryItem", it.ID, ptr(copyItem(it)))
	}
	return payload("InventoryItemUpdatePayload", "UserError", nil, "inventoryItem", itemObj{s, it})
}

func (s *Shop) mutVariantsBulkUpdate(f *gqlexec.FieldCall) gqlexec.Object {
	const typ, et = "ProductVariantsBulkUpdatePayload", "ProductVariantsBulkUpdateUserError"
	pid, ok := parseID(f.Args["productId"], "Product")
	p := s.products[pid]
	if !ok || p == nil {
		return payload(typ, et, []userError{{Field: []string{"productId"}, Message: "Product does not exist", Code: "PRODUCT_DOES_NOT_EXIST"}}, "product", nil, "productVariants", nil)
	}
	allowPartial, _ := f.Args["allowPartialUpdates"].(bool)
	inputs := objList(f.Args["variants"])
	type staged struct {
		v    *Variant
		nv   Variant
		ni   InventoryItem
		item bool
	}
	var plan []staged
	var errs []userError
	for i, m := range inputs {
		field := []string{"variants", strconv.Itoa(i)}
		vid, ok := parseID(m["id"], "ProductVariant")
		if _, given := m["id"]; !given {
			errs = append(errs, userError{Field: append(field, "id"), Message: "Product variant is missing ID attribute", Code: "PRODUCT_VARIANT_ID_MISSING"})
			continue
		}
		v := s.variants[vid]
		if !ok || v == nil {
			errs = append(errs, userError{Field: append(field, "id"), Message: "Product variant does not exist", Code: "PRODUCT_VARIANT_DOES_NOT_EXIST"})
			continue
		}
		if v.ProductID != p.ID {
			errs = append(errs, userError{Field: append(field, "id"), Message: "Product variant does not belong to the product", Code: "MUST_BE_FOR_THIS_PRODUCT"})
			continue
		}
		if _, has := m["inventoryQuantities"]; has {
			errs = append(errs, userError{Field: append(field, "inventoryQuantities"), Message: "Inventory quantities can only be provided during create. To update inventory for existing variants, use inventoryAdjustQuantities.", Code: "NO_INVENTORY_QUANTITIES_ON_VARIANTS_UPDATE"})
			continue
		}
		st := staged{v: v, nv: *v, ni: copyItem(s.items[v.InventoryItemID])}
		if x, has := m["barcode"]; has {
			b, _ := x.(string)
			st.nv.Barcode = b
		}
		if x, has := m["price"]; has && x != nil {
			d, err := shopify.ParseDecimal(fmt.Sprint(x))
			if err != nil || d.Cmp("0") < 0 {
				errs = append(errs, userError{Field: append(field, "price"), Message: "Price must be greater than or equal to 0", Code: "NEGATIVE_PRICE_VALUE"})
				continue
			}
			st.nv.Price = d
		}
		if x, has := m["compareAtPrice"]; has {
			if x == nil {
				st.nv.CompareAtPrice = ""
			} else if d, err := shopify.ParseDecimal(fmt.Sprint(x)); err == nil {
				st.nv.CompareAtPrice = d
			}
		}
		if x, ok := m["taxable"].(bool); ok {
			st.nv.Taxable = x
		}
		if x, ok := m["inventoryPolicy"].(string); ok {
			st.nv.InventoryPolicy = x
		}
		if im, ok := m["inventoryItem"].(map[string]any); ok {
			changed, ierrs := applyItemInput(&st.ni, im)
			if ierrs != nil {
				for _, e := range ierrs {
					errs = append(errs, userError{Field: append(append(field, "inventoryItem"), e.Field...), Message: e.Message, Code: "INVALID_INPUT"})
				}
				continue
			}
			st.item = changed
		}
		plan = append(plan, st)
	}
	if len(errs) > 0 && !allowPartial {
		return payload(typ, et, errs, "product", productObj{s, p}, "productVariants", nil)
	}
	now := s.now()
	var out []gqlexec.Object
	for _, st := range plan {
		st.nv.UpdatedAt = now
		*st.v = st.nv
		if st.item {
			st.ni.UpdatedAt = now
			it := s.items[st.v.InventoryItemID]
			*it = st.ni
			s.emit("inventory_items/update", "InventoryItem", it.ID, ptr(copyItem(it)))
		}
		out = append(out, variantObj{s, st.v})
	}
	if len(plan) > 0 {
		s.touchProductLocked(p)
	}
	return payload(typ, et, errs, "product", productObj{s, p}, "productVariants", nonNilObjects(out))
}

// ---- orders ---------------------------------------------------------------------

func (s *Shop) mutFulfillmentCreate(f *gqlexec.FieldCall) gqlexec.Object {
	in := mapArg(f.Args, "fulfillment")
	var reqs []foRequest
	for i, m := range objList(in["lineItemsByFulfillmentOrder"]) {
		foID, ok := parseID(m["fulfillmentOrderId"], "FulfillmentOrder")
		if !ok || s.fulfillmentOrders[foID] == nil || !s.orderVisible(s.orders[s.fulfillmentOrders[foID].OrderID]) {
			return payload("FulfillmentCreatePayload", "UserError", []userError{{Field: []string{"fulfillment", "lineItemsByFulfillmentOrder", strconv.Itoa(i), "fulfillmentOrderId"}, Message: "Fulfillment order does not exist."}}, "fulfillment", nil)
		}
		r := foRequest{FulfillmentOrderID: foID}
		if lines, has := m["fulfillmentOrderLineItems"]; has && lines != nil {
			r.Lines = []foLineRequest{}
			for j, lm := range objList(lines) {
				lid, ok := parseID(lm["id"], "FulfillmentOrderLineItem")
				if !ok {
					return payload("FulfillmentCreatePayload", "UserError", []userError{{Field: []string{"fulfillment", "lineItemsByFulfillmentOrder", strconv.Itoa(i), "fulfillmentOrderLineItems", strconv.Itoa(j), "id"}, Message: "Fulfillment order line item does not exist."}}, "fulfillment", nil)
				}
				q, _ := intArg(lm, "quantity")
				r.Lines = append(r.Lines, foLineRequest{ID: lid, Quantity: q})
			}
		}
		reqs = append(reqs, r)
	}
	var tracking []TrackingInfo
	if t, ok := in["trackingInfo"].(map[string]any); ok {
		nums := idList(t["numbers"])
		urls := idList(t["urls"])
		if n := strArg(t, "number"); n != "" {
			nums = append([]string{n}, nums...)
		}
		if u := strArg(t, "url"); u != "" {
			urls = append([]string{u}, urls...)
		}
		for i := 0; i < max(len(nums), len(urls), 1); i++ {
			ti := TrackingInfo{Company: strArg(t, "company")}
			if i < len(nums) {
				ti.Number = nums[i]
			}
			if i < len(urls) {
				ti.URL = urls[i]
			}
			if ti != (TrackingInfo{}) {
				tracking = append(tracking, ti)
			}
		}
	}
	fl, errs := s.fulfillLocked(reqs, tracking)
	var out any
	if fl != nil {
		out = fulfillmentObj{s, fl}
	}
	return payload("FulfillmentCreatePayload", "UserError", errs, "fulfillment", out)
}

func (s *Shop) mutOrderCapture(f *gqlexec.FieldCall) gqlexec.Object {
	in := mapArg(f.Args, "input")
	oid, okO := parseID(in["id"], "Order")
	tid, okT := parseID(in["parentTransactionId"], "OrderTransaction")
	if !okO || s.orders[oid] == nil || !s.orderVisible(s.orders[oid]) {
		return payload("OrderCapturePayload", "UserError", []userError{{Field: []string{"input", "id"}, Message: "Order does not exist"}}, "transaction", nil)
	}
	if !okT {
		tid = 0
	}
	amount := shopify.Decimal(fmt.Sprint(in["amount"]))
	if cur := strArg(in, "currency"); cur != "" && cur != s.orders[oid].Currency {
		return payload("OrderCapturePayload", "UserError", []userError{{Field: []string{"input", "currency"}, Message: "Currency does not match the order's presentment currency"}}, "transaction", nil)
	}
	t, errs := s.captureLocked(oid, tid, amount)
	var out any
	if t != nil {
		out = txObj{s, s.orders[oid], t}
	}
	return payload("OrderCapturePayload", "UserError", errs, "transaction", out)
}

func (s *Shop) mutMarkAsPaid(f *gqlexec.FieldCall) gqlexec.Object {
	in := mapArg(f.Args, "input")
	oid, ok := parseID(in["id"], "Order")
	if !ok || s.orders[oid] == nil || !s.orderVisible(s.orders[oid]) {
		return payload("OrderMarkAsPaidPayload", "UserError", []userError{{Field: []string{"input", "id"}, Message: "Order does not exist"}}, "order", nil)
	}
	o, errs := s.markAsPaidLocked(oid)
	var out any = orderObj{s, s.orders[oid]}
	_ = o
	return payload("OrderMarkAsPaidPayload", "UserError", errs, "order", out)
}

func (s *Shop) mutRefund(f *gqlexec.FieldCall) gqlexec.Object {
	in := mapArg(f.Args, "input")
	oid, ok := parseID(in["orderId"], "Order")
	if !ok || s.orders[oid] == nil || !s.orderVisible(s.orders[oid]) {
		return payload("RefundCreatePayload", "UserError", []userError{{Field: []string{"input", "orderId"}, Message: "Order does not exist"}}, "refund", nil, "order", nil)
	}
	var lines []refundLineRequest
	for i, m := range objList(in["refundLineItems"]) {
		lid, ok := parseID(m["lineItemId"], "LineItem")
		if !ok {
			return payload("RefundCreatePayload", "UserError", []userError{{Field: []string{"input", "refundLineItems", strconv.Itoa(i), "lineItemId"}, Message: "Line item does not exist"}}, "refund", nil, "order", nil)
		}
		q, _ := intArg(m, "quantity")
		l := refundLineRequest{LineItemID: lid, Quantity: q, RestockType: strArg(m, "restockType")}
		if x, has := m["locationId"]; has && x != nil {
			loc, ok := parseID(x, "Location")
			if !ok {
				loc = -1
			}
			l.LocationID = loc
		}
		lines = append(lines, l)
	}
	var txs []refundTxRequest
	for _, m := range objList(in["transactions"]) {
		t := refundTxRequest{Amount: shopify.Decimal(fmt.Sprint(m["amount"])), Gateway: strArg(m, "gateway"), Kind: strArg(m, "kind")}
		if pid, ok := parseID(m["parentId"], "OrderTransaction"); ok {
			t.ParentID = pid
		}
		txs = append(txs, t)
	}
	allowOver, _ := in["allowOverRefunding"].(bool)
	r, errs := s.refundLocked(oid, strArg(in, "note"), lines, txs, allowOver)
	var out any
	if r != nil {
		out = refundObj{s, r}
	}
	return payload("RefundCreatePayload", "UserError", errs, "refund", out, "order", orderObj{s, s.orders[oid]})
}

// mutOrderCancel is orderCancel. Shopify cancels asynchronously and returns
// a Job; the simulator cancels at once and returns a finished job.
func (s *Shop) mutOrderCancel(f *gqlexec.FieldCall) gqlexec.Object {
	oid, ok := parseID(f.Args["orderId"], "Order")
	var errs []userError
	if !ok || s.orders[oid] == nil || !s.orderVisible(s.orders[oid]) {
		errs = []userError{{Field: []string{"orderId"}, Message: "Order does not exist", Code: "NOT_FOUND"}}
	} else {
		restock, _ := f.Args["restock"].(bool)
		refund, _ := f.Args["refund"].(bool)
		if m := mapArg(f.Args, "refundMethod"); m != nil {
			refund, _ = m["originalPaymentMethodsRefund"].(bool)
			if _, credit := m["storeCreditRefund"]; credit {
				errs = []userError{{Field: []string{"refundMethod", "storeCreditRefund"}, Message: "Store credit refunds are not simulated", Code: "INVALID"}}
			}
		}
		if errs == nil {
			errs = s.cancelLocked(oid, strArg(f.Args, "reason"), restock, refund)
		}
	}
	if errs != nil {
		return gqlexec.Map{Type: "OrderCancelPayload", Fields: map[string]any{
			"job": nil, "jobResult": nil,
			"orderCancelUserErrors": userErrorsOf("OrderCancelUserError", errs),
			"userErrors":            userErrorsOf("UserError", errs),
		}}
	}
	jobID := s.newID()
	return gqlexec.Map{Type: "OrderCancelPayload", Fields: map[string]any{
		"job": gqlexec.Map{Type: "Job", Fields: map[string]any{"id": gid("Job", jobID), "done": true, "query": nil}},
		"jobResult": gqlexec.Map{Type: "OrderCancelJobResult", Fields: map[string]any{
			"id": gid("OrderCancelJobResult", jobID), "done": true, "status": "SUCCEEDED",
			"errors": []gqlexec.Object{}, "order": orderObj{s, s.orders[oid]},
		}},
		"orderCancelUserErrors": []gqlexec.Object{},
		"userErrors":            []gqlexec.Object{},
	}}
}
