package shopifytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// This file builds the REST-format JSON payloads of webhook deliveries from
// change events, shaped like Shopify's samples of the app's webhook API
// version (key order included; see the package doc for the versions and
// the deliberate deviations). IDs are exact int64 numbers; money is decimal
// text; timestamps use the shop's time zone offset like Shopify's REST
// resources.
//
// Fields the simulator does not model get Shopify's value for "absent"
// (null, "", [] or zero money). Orders with an email carry a synthetic
// customer and billing/shipping address derived from the email and the
// fulfilling location (the schemas require them), orders without one
// (a sale to a guest) carry neither, and refunds a synthetic staff user_id.

// jobj is a JSON object that keeps its key order.
type jobj []jfield

type jfield struct {
	k string
	v any
}

// MarshalJSON writes the fields in order.
func (o jobj) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.k)
		buf.Write(k)
		buf.WriteByte(':')
		v, err := marshalNoEscape(f.v)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", f.k, err)
		}
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// only keeps the named top-level fields (includeFields).
func (o jobj) only(names []string) jobj {
	out := jobj{}
	for _, f := range o {
		if slices.Contains(names, f.k) {
			out = append(out, f)
		}
	}
	return out
}

// payloadBuilder renders payloads for one shop. It reads shop state: the
// caller holds s.mu (read lock).
type payloadBuilder struct {
	s       *Shop
	loc     *time.Location
	version string // one of webhookAPIVersions
}

func newPayloadBuilder(s *Shop, version string) payloadBuilder {
	loc, err := time.LoadLocation(s.info.IanaTimezone)
	if err != nil {
		loc = time.UTC
	}
	return payloadBuilder{s: s, loc: loc, version: version}
}

func (b payloadBuilder) ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(b.loc).Format(time.RFC3339)
}

func (b payloadBuilder) tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return b.ts(*t)
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func money(d shopify.Decimal) string {
	if d == "" {
		return "0.00"
	}
	return d.String()
}

func (b payloadBuilder) moneySet(d shopify.Decimal) jobj {
	m := jobj{{"amount", money(d)}, {"currency_code", b.s.info.CurrencyCode}}
	return jobj{{"shop_money", m}, {"presentment_money", m}}
}

func idOrNil(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// synthID derives a stable ID for a resource the simulator does not model.
func synthID(parts ...string) int64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int64(h.Sum64()>>2) | 1<<53
}

// payload renders the payload of ev, or reports false for a topic without
// a payload builder.
func (b payloadBuilder) payload(ev Event) (jobj, bool) {
	switch obj := ev.Object.(type) {
	case *Product:
		if ev.Topic == "products/delete" {
			return jobj{{"id", obj.ID}}, true
		}
		return b.product(obj), true
	case *InventoryItem:
		if ev.Topic == "inventory_items/delete" {
			return b.itemDeleted(obj), true
		}
		return b.item(obj), true
	case *InventoryLevel:
		if ev.Topic == "inventory_levels/disconnect" {
			return jobj{{"inventory_item_id", obj.InventoryItemID}, {"location_id", obj.LocationID}}, true
		}
		return b.level(obj), true
	case *Order:
		if ev.Topic == "orders/delete" {
			return jobj{{"id", obj.ID}}, true
		}
		return b.order(obj), true
	case *Refund:
		return b.refund(obj), true
	case *Fulfillment:
		return b.fulfillment(obj, true), true
	case *BulkOperation:
		return b.bulk(obj), true
	case *Location:
		if ev.Topic == "locations/delete" {
			return jobj{{"id", obj.ID}}, true
		}
		return b.location(obj), true
	case appPayload: // compliance.go
		return obj.payload(b), true
	case ShopInfo:
		return b.shop(obj), true
	case *ShopInfo:
		return b.shop(*obj), true
	}
	return nil, false
}

// ---- products -----------------------------------------------------------------

// maxPayloadVariants is how many variants products/* payloads carry in full.
const maxPayloadVariants = 100

func (b payloadBuilder) product(p *Product) jobj {
	s := b.s
	var variants []*Variant
	for _, vid := range p.VariantIDs {
		if v := s.variants[vid]; v != nil {
			variants = append(variants, v)
		}
	}
	full := make([]any, 0, min(len(variants), maxPayloadVariants))
	values := make([]string, 0, len(variants))
	for i, v := range variants {
		values = append(values, v.Title)
		if i < maxPayloadVariants {
			full = append(full, b.variant(v))
		}
	}
	byUpdated := slices.Clone(variants)
	slices.SortStableFunc(byUpdated, func(x, y *Variant) int { return y.UpdatedAt.Compare(x.UpdatedAt) })
	gids := make([]any, len(byUpdated))
	for i, v := range byUpdated {
		gids[i] = jobj{{"admin_graphql_api_id", gid("ProductVariant", v.ID)}, {"updated_at", v.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z")}}
	}
	var published any
	if p.Status == "ACTIVE" {
		published = b.ts(p.CreatedAt)
	}
	options := []any{}
	if len(variants) > 0 {
		options = append(options, jobj{{"id", synthID("option", legacy(p.ID))}, {"product_id", p.ID}, {"name", "Title"}, {"position", 1}, {"values", values}})
	}
	return jobj{
		{"admin_graphql_api_id", gid("Product", p.ID)},
		{"body_html", ""},
		{"created_at", b.ts(p.CreatedAt)},
		{"handle", p.Handle},
		{"id", p.ID},
		{"product_type", p.ProductType},
		{"published_at", published},
		{"template_suffix", nil},
		{"title", p.Title},
		{"updated_at", b.ts(p.UpdatedAt)},
		{"vendor", p.Vendor},
		{"status", strings.ToLower(p.Status)},
		{"published_scope", "global"},
		{"tags", strings.Join(p.Tags, ", ")},
		{"variants", full},
		{"options", options},
		{"images", []any{}},
		{"image", nil},
		{"media", []any{}},
		{"variant_gids", gids},
		{"has_variants_that_requires_components", false},
		{"category", nil},
	}
}

func restWeightUnit(u string) string {
	switch u {
	case "KILOGRAMS":
		return "kg"
	case "POUNDS":
		return "lb"
	case "OUNCES":
		return "oz"
	}
	return "g"
}

// grams converts an item's weight to whole grams.
func grams(it *InventoryItem) int64 {
	if it == nil || it.WeightValue == "" {
		return 0
	}
	f, err := strconv.ParseFloat(it.WeightValue.String(), 64)
	if err != nil {
		return 0
	}
	switch it.WeightUnit {
	case "KILOGRAMS":
		f *= 1000
	case "POUNDS":
		f *= 453.59237
	case "OUNCES":
		f *= 28.349523125
	}
	return int64(f + 0.5)
}

func (b payloadBuilder) availableTotal(itemID int64) int {
	n := 0
	for _, loc := range b.s.itemLevels[itemID] {
		if lv := b.s.levels[levelKey{itemID, loc}]; lv != nil {
			n += lv.Quantity("available")
		}
	}
	return n
}

func (b payloadBuilder) variant(v *Variant) jobj {
	it := b.s.items[v.InventoryItemID]
	var sku, cmp any
	if it != nil {
		sku = strOrNil(it.SKU)
	}
	if v.CompareAtPrice != "" {
		cmp = v.CompareAtPrice.String()
	}
	qty := b.availableTotal(v.InventoryItemID)
	// Since API 2024-07 product payloads carry no weight, weight_unit,
	// grams, inventory_management, requires_shipping or
	// fulfillment_service on variants (Shopify's changelog
	// "product-variant-field-cleanup"; none of the samples has them): the
	// weight is on the inventory item (inventory_items/* payloads, and
	// InventoryItem.measurement in GraphQL).
	return jobj{
		{"admin_graphql_api_id", gid("ProductVariant", v.ID)},
		{"barcode", strOrNil(v.Barcode)},
		{"compare_at_price", cmp},
		{"created_at", b.ts(v.CreatedAt)},
		{"id", v.ID},
		{"inventory_policy", strings.ToLower(v.InventoryPolicy)},
		{"position", v.Position},
		{"price", money(v.Price)},
		{"product_id", v.ProductID},
		{"sku", sku},
		{"taxable", v.Taxable},
		{"title", v.Title},
		{"updated_at", b.ts(v.UpdatedAt)},
		{"option1", v.Title},
		{"option2", nil},
		{"option3", nil},
		{"image_id", nil},
		{"inventory_item_id", idOrNil(v.InventoryItemID)},
		{"inventory_quantity", qty},
		{"old_inventory_quantity", qty},
	}
}

// ---- inventory ----------------------------------------------------------------

func hsCodes(it *InventoryItem) []any {
	out := make([]any, 0, len(it.CountryHarmonizedSystemCodes))
	for _, c := range it.CountryHarmonizedSystemCodes {
		out = append(out, jobj{{"harmonized_system_code", c.HarmonizedSystemCode}, {"country_code", c.CountryCode}})
	}
	return out
}

func (b payloadBuilder) item(it *InventoryItem) jobj {
	var cost any
	if it.UnitCost != "" {
		cost = it.UnitCost.String()
	}
	weight := json.Number("0")
	if it.WeightValue != "" {
		weight = json.Number(it.WeightValue.String())
	}
	return jobj{
		{"id", it.ID},
		{"sku", it.SKU},
		{"created_at", b.ts(it.CreatedAt)},
		{"updated_at", b.ts(it.UpdatedAt)},
		{"requires_shipping", it.RequiresShipping},
		{"cost", cost},
		{"country_code_of_origin", strOrNil(it.CountryCodeOfOrigin)},
		{"province_code_of_origin", strOrNil(it.ProvinceCodeOfOrigin)},
		{"harmonized_system_code", strOrNil(it.HarmonizedSystemCode)},
		{"tracked", it.Tracked},
		{"country_harmonized_system_codes", hsCodes(it)},
		{"weight_value", weight},
		{"weight_unit", restWeightUnit(it.WeightUnit)},
		{"admin_graphql_api_id", gid("InventoryItem", it.ID)},
	}
}

func (b payloadBuilder) itemDeleted(it *InventoryItem) jobj {
	return jobj{
		{"id", it.ID},
		{"country_code_of_origin", strOrNil(it.CountryCodeOfOrigin)},
		{"province_code_of_origin", strOrNil(it.ProvinceCodeOfOrigin)},
		{"harmonized_system_code", strOrNil(it.HarmonizedSystemCode)},
		{"country_harmonized_system_codes", hsCodes(it)},
		{"admin_graphql_api_id", gid("InventoryItem", it.ID)},
	}
}

// level renders inventory_levels/connect and /update: available only, no
// on_hand (as Shopify's payload).
func (b payloadBuilder) level(lv *InventoryLevel) jobj {
	return jobj{
		{"inventory_item_id", lv.InventoryItemID},
		{"location_id", lv.LocationID},
		{"available", lv.Quantity("available")},
		{"updated_at", b.ts(lv.UpdatedAt)},
		{"admin_graphql_api_id", levelGID(lv)},
	}
}

// ---- orders -------------------------------------------------------------------

func (b payloadBuilder) address(first, last string, loc *Location) jobj {
	city, zip, addr, cc := "Berlin", "10115", "Lagerstraße 1", "DE"
	if loc != nil {
		city, zip, addr, cc = loc.City, loc.Zip, loc.Address1, loc.CountryCode
	}
	country := payloadCountryName(cc)
	return jobj{
		{"first_name", first}, {"address1", addr}, {"phone", "+49 30 0000000"}, {"city", city}, {"zip", zip},
		{"province", ""}, {"country", country}, {"last_name", last}, {"address2", nil}, {"company", nil},
		{"latitude", nil}, {"longitude", nil}, {"name", strings.TrimSpace(first + " " + last)},
		{"country_code", cc}, {"province_code", ""},
	}
}

func payloadCountryName(cc string) string {
	switch cc {
	case "DE":
		return "Germany"
	case "US":
		return "United States"
	case "AT":
		return "Austria"
	case "CH":
		return "Switzerland"
	case "CA":
		return "Canada"
	case "GB":
		return "United Kingdom"
	}
	return cc
}

// buyer derives a synthetic buyer name from an order's email.
func buyer(email string) (first, last string) {
	local, _, _ := strings.Cut(email, "@")
	if local == "" {
		return "Guest", "Customer"
	}
	first = strings.ToUpper(local[:1]) + local[1:]
	return first, "Customer"
}

func (b payloadBuilder) orderLocation(o *Order) *Location {
	s := b.s
	if o.RetailLocationID != 0 {
		return s.locations[o.RetailLocationID]
	}
	for _, id := range o.FulfillmentOrderIDs {
		if fo := s.fulfillmentOrders[id]; fo != nil {
			return s.locations[fo.AssignedLocationID]
		}
	}
	return nil
}

func (b payloadBuilder) customer(o *Order) jobj {
	first, last := buyer(o.Email)
	id := synthID("customer", b.s.name, o.Email)
	addr := b.address(first, last, b.orderLocation(o))
	def := jobj{{"id", synthID("address", b.s.name, o.Email)}, {"customer_id", id}}
	for _, f := range addr {
		if f.k != "latitude" && f.k != "longitude" {
			def = append(def, f)
		}
	}
	def = append(def, jfield{"country_name", payloadCountryName(addrField(addr, "country_code"))}, jfield{"default", true})
	return jobj{
		{"id", id}, {"created_at", b.ts(o.CreatedAt)}, {"updated_at", b.ts(o.CreatedAt)},
		{"first_name", first}, {"last_name", last}, {"state", "disabled"}, {"note", nil},
		{"verified_email", o.Email != ""}, {"multipass_identifier", nil}, {"tax_exempt", false},
		{"email", o.Email}, {"phone", nil}, {"currency", o.Currency}, {"tax_exemptions", []any{}},
		{"admin_graphql_api_id", gid("Customer", id)}, {"default_address", def},
	}
}

func addrField(a jobj, k string) string {
	for _, f := range a {
		if f.k == k {
			s, _ := f.v.(string)
			return s
		}
	}
	return ""
}

// fulfilledUnits returns how many units of an order line were fulfilled.
func (b payloadBuilder) fulfilledUnits(o *Order, lineID int64) int {
	n := 0
	for _, fid := range o.FulfillmentIDs {
		if f := b.s.fulfillments[fid]; f != nil && f.Status != "CANCELLED" {
			for _, fl := range f.LineItems {
				if fl.LineItemID == lineID {
					n += fl.Quantity
				}
			}
		}
	}
	return n
}

func restFulfillmentStatus(current, fulfilled int) any {
	switch {
	case fulfilled > 0 && fulfilled >= current:
		return "fulfilled"
	case fulfilled > 0:
		return "partial"
	}
	return nil
}

// lineKind says where a line item is rendered: in an order, or nested in
// a fulfillment or a refund line item (which Shopify renders with fewer
// fields, in another order).
type lineKind int

const (
	lineInOrder lineKind = iota
	lineInFulfillment
	lineInRefund
)

// lineItem renders an order line item; quantity overrides the line's
// quantity when >= 0 (fulfillment line items).
func (b payloadBuilder) lineItem(o *Order, li LineItem, quantity int, kind lineKind) jobj {
	s := b.s
	v := s.variants[li.VariantID]
	p := s.products[li.ProductID]
	var it *InventoryItem
	var variantTitle, vendor any
	if v != nil {
		it = s.items[v.InventoryItemID]
		if v.Title != "Default Title" {
			variantTitle = v.Title
		}
	}
	if p != nil {
		vendor = p.Vendor
	} else if kind == lineInFulfillment {
		vendor = "" // the fulfillment schemas type vendor as a string
	}
	name := li.Title
	if s, ok := variantTitle.(string); ok {
		name += " - " + s
	}
	current := li.Quantity - li.RefundedQuantity
	fulfilled := b.fulfilledUnits(o, li.ID)
	status := restFulfillmentStatus(current, fulfilled)
	if kind == lineInFulfillment && status == nil {
		status = "fulfilled"
	}
	qty := li.Quantity
	if quantity >= 0 {
		qty = quantity
	}
	f := map[string]any{
		"id": li.ID, "admin_graphql_api_id": gid("LineItem", li.ID),
		"attributed_staffs": []any{}, "current_quantity": current,
		"fulfillable_quantity": s.unfulfilledLocked(o, li.ID), "fulfillment_service": "manual",
		"fulfillment_status": status, "gift_card": false, "grams": grams(it), "name": name,
		"price": money(li.Price), "price_set": b.moneySet(li.Price), "product_exists": p != nil,
		"product_id": idOrNil(li.ProductID), "properties": []any{}, "quantity": qty,
		"requires_shipping": it == nil || it.RequiresShipping, "sales_line_item_group_id": nil,
		"sku": li.SKU, "taxable": true, "title": li.Title, "total_discount": "0.00",
		"total_discount_set": b.moneySet("0.00"), "variant_id": idOrNil(li.VariantID),
		"variant_inventory_management": "shopify", "variant_title": variantTitle, "vendor": vendor,
		"tax_lines": []any{}, "duties": []any{}, "discount_allocations": []any{},
	}
	keys := orderLineKeys
	if kind != lineInOrder {
		keys = nestedLineKeys
	}
	out := make(jobj, 0, len(keys))
	for _, k := range keys {
		out = append(out, jfield{k, f[k]})
	}
	return out
}

// The fields of a line item in Shopify's samples, in their order: in an
// order (orders/*), and nested in a fulfillment or a refund line item.
var (
	orderLineKeys = []string{"id", "admin_graphql_api_id", "attributed_staffs", "current_quantity",
		"fulfillable_quantity", "fulfillment_service", "fulfillment_status", "gift_card", "grams", "name",
		"price", "price_set", "product_exists", "product_id", "properties", "quantity", "requires_shipping",
		"sales_line_item_group_id", "sku", "taxable", "title", "total_discount", "total_discount_set",
		"variant_id", "variant_inventory_management", "variant_title", "vendor", "tax_lines", "duties",
		"discount_allocations"}
	nestedLineKeys = []string{"id", "variant_id", "title", "quantity", "sku", "variant_title", "vendor",
		"fulfillment_service", "product_id", "requires_shipping", "taxable", "gift_card", "name",
		"variant_inventory_management", "properties", "product_exists", "fulfillable_quantity", "grams",
		"price", "total_discount", "fulfillment_status", "price_set", "total_discount_set",
		"discount_allocations", "duties", "admin_graphql_api_id", "tax_lines"}
)

func orderNumber(o *Order) int64 {
	n, _ := strconv.ParseInt(strings.TrimPrefix(o.Name, "#"), 10, 64)
	return n
}

func (b payloadBuilder) order(o *Order) jobj {
	s := b.s
	cur := o.Currency
	if cur == "" {
		cur = s.info.CurrencyCode
	}
	total := orderTotal(o)
	currentSub := shopify.Decimal("0.00")
	weight := int64(0)
	lines := make([]any, 0, len(o.LineItems))
	for _, li := range o.LineItems {
		currentSub = currentSub.Add(li.Price.MulInt(int64(li.Quantity - li.RefundedQuantity)))
		if v := s.variants[li.VariantID]; v != nil {
			weight += grams(s.items[v.InventoryItemID]) * int64(li.Quantity)
		}
		lines = append(lines, b.lineItem(o, li, -1, lineInOrder))
	}
	_, paid, refunded := moneyTotals(o)
	outstanding := total.Sub(paid).Add(refunded)
	if outstanding.Cmp("0") < 0 {
		outstanding = "0.00"
	}
	var gateways []string
	for _, t := range o.Transactions {
		if t.Gateway != "" && !slices.Contains(gateways, t.Gateway) {
			gateways = append(gateways, t.Gateway)
		}
	}
	if gateways == nil {
		gateways = []string{}
	}
	var fulfillStatus any
	switch s.fulfillmentStatusLocked(o) {
	case "FULFILLED":
		fulfillStatus = "fulfilled"
	case "PARTIALLY_FULFILLED":
		fulfillStatus = "partial"
	}
	var cancelReason any
	if o.CancelReason != "" {
		cancelReason = strings.ToLower(o.CancelReason)
	}
	fulfillments := make([]any, 0, len(o.FulfillmentIDs))
	for _, id := range o.FulfillmentIDs {
		if f := s.fulfillments[id]; f != nil {
			fulfillments = append(fulfillments, b.fulfillment(f, false))
		}
	}
	refunds := make([]any, 0, len(o.RefundIDs))
	for _, id := range o.RefundIDs {
		if r := s.refunds[id]; r != nil {
			refunds = append(refunds, b.refund(r))
		}
	}
	first, last := buyer(o.Email)
	addr := b.address(first, last, b.orderLocation(o))
	token := fmt.Sprintf("%016x", uint64(synthID("token", legacy(o.ID))))
	num := orderNumber(o)
	zero := b.moneySet("0.00")
	out := jobj{
		{"id", o.ID},
		{"admin_graphql_api_id", gid("Order", o.ID)},
		{"app_id", idOrNil(o.AppID)},
		{"browser_ip", nil},
		{"buyer_accepts_marketing", false},
		{"cancel_reason", cancelReason},
		{"cancelled_at", b.tsPtr(o.CancelledAt)},
		{"cart_token", nil},
		{"checkout_token", nil},
		{"client_details", nil},
		{"closed_at", b.tsPtr(o.ClosedAt)},
		{"confirmation_number", nil},
		{"confirmed", true},
		{"contact_email", strOrNil(o.Email)},
		{"created_at", b.ts(o.CreatedAt)},
		{"currency", cur},
		{"current_shipping_price_set", zero},
		{"current_subtotal_price", money(currentSub)},
		{"current_subtotal_price_set", b.moneySet(currentSub)},
		{"current_total_additional_fees_set", nil},
		{"current_total_discounts", "0.00"},
		{"current_total_discounts_set", zero},
		{"current_total_duties_set", nil},
		{"current_total_price", money(currentSub)},
		{"current_total_price_set", b.moneySet(currentSub)},
		{"current_total_tax", "0.00"},
		{"current_total_tax_set", zero},
		{"customer_locale", "de"},
		{"device_id", nil},
		{"discount_codes", []any{}},
		{"duties_included", false},
		{"email", o.Email},
		{"estimated_taxes", false},
		{"financial_status", strings.ToLower(financialStatus(o))},
		{"fulfillment_status", fulfillStatus},
		{"landing_site", nil},
		{"landing_site_ref", nil},
		{"location_id", idOrNil(o.RetailLocationID)},
		{"merchant_business_entity_id", base64.RawStdEncoding.EncodeToString([]byte(legacy(s.info.ID)))},
		{"merchant_of_record_app_id", nil},
		{"name", o.Name},
		{"note", nil},
		{"note_attributes", []any{}},
		{"number", num - 1000},
		{"order_number", num},
		{"order_status_url", fmt.Sprintf("https://%s/%d/orders/%s/authenticate?key=%s", s.info.MyshopifyDomain, s.info.ID, token, token)},
		{"original_total_additional_fees_set", nil},
		{"original_total_duties_set", nil},
		{"payment_gateway_names", gateways},
		{"phone", nil},
		{"po_number", nil},
		{"presentment_currency", cur},
		{"processed_at", b.ts(o.ProcessedAt)},
		{"reference", nil},
		{"referring_site", nil},
		{"source_identifier", nil},
		{"source_name", o.SourceName},
		{"source_url", nil},
		{"subtotal_price", money(total)},
		{"subtotal_price_set", b.moneySet(total)},
		{"tags", strings.Join(o.Tags, ", ")},
		{"tax_exempt", false},
		{"tax_lines", []any{}},
		{"taxes_included", true},
		{"test", o.Test},
		{"token", token},
		{"total_cash_rounding_payment_adjustment_set", zero},
		{"total_cash_rounding_refund_adjustment_set", zero},
		{"total_discounts", "0.00"},
		{"total_discounts_set", zero},
		{"total_line_items_price", money(total)},
		{"total_line_items_price_set", b.moneySet(total)},
		{"total_outstanding", money(outstanding)},
		{"total_price", money(total)},
		{"total_price_set", b.moneySet(total)},
		{"total_shipping_price_set", zero},
		{"total_tax", "0.00"},
		{"total_tax_set", zero},
		{"total_tip_received", "0.00"},
		{"total_weight", weight},
		{"updated_at", b.ts(o.UpdatedAt)},
		{"user_id", nil},
		{"billing_address", addr},
		{"customer", b.customer(o)},
		{"discount_applications", []any{}},
		{"fulfillments", fulfillments},
		{"line_items", lines},
		{"payment_terms", nil},
		{"refunds", refunds},
		{"shipping_address", addr},
		{"shipping_lines", []any{}},
		{"returns", []any{}},
		{"line_item_groups", []any{}},
	}
	if o.Email == "" {
		// A sale to a guest (a POS sale without a customer) has no
		// customer and no addresses: Shopify leaves the fields out.
		out = slices.DeleteFunc(out, func(f jfield) bool {
			return f.k == "customer" || f.k == "billing_address" || f.k == "shipping_address"
		})
	}
	return out
}

// ---- fulfillments ----------------------------------------------------------------

// fulfillment renders a fulfillment: the fulfillments/* topic payload
// (topic true) or the element of an order's fulfillments list.
func (b payloadBuilder) fulfillment(f *Fulfillment, topic bool) jobj {
	s := b.s
	o := s.orders[f.OrderID]
	if o == nil {
		o = &Order{ID: f.OrderID}
	}
	status := "success"
	if f.Status == "CANCELLED" {
		status = "cancelled"
	}
	var company, number, trackURL any
	numbers, urls := []string{}, []string{}
	for _, t := range f.Tracking {
		if company == nil && t.Company != "" {
			company = t.Company
		}
		if t.Number != "" {
			numbers = append(numbers, t.Number)
		}
		if t.URL != "" {
			urls = append(urls, t.URL)
		}
	}
	if len(numbers) > 0 {
		number = numbers[0]
	}
	if len(urls) > 0 {
		trackURL = urls[0]
	}
	lines := make([]any, 0, len(f.LineItems))
	for _, fl := range f.LineItems {
		if li := s.lineItemLocked(o.ID, fl.LineItemID); li != nil {
			lines = append(lines, b.lineItem(o, *li, fl.Quantity, lineInFulfillment))
		}
	}
	loc := s.locations[f.LocationID]
	origin := jobj{}
	if loc != nil {
		origin = jobj{{"address1", loc.Address1}, {"city", loc.City}, {"country_code", loc.CountryCode}, {"province_code", ""}, {"zip", loc.Zip}}
	}
	idx := slices.Index(o.FulfillmentIDs, f.ID)
	out := jobj{
		{"id", f.ID},
		{"order_id", f.OrderID},
		{"status", status},
		{"created_at", b.ts(f.CreatedAt)},
		{"service", "manual"},
		{"updated_at", b.ts(f.UpdatedAt)},
		{"tracking_company", company},
		{"shipment_status", nil},
		{"location_id", idOrNil(f.LocationID)},
		{"origin_address", origin},
	}
	if topic {
		first, last := buyer(o.Email)
		out = append(out, jfield{"email", o.Email}, jfield{"destination", b.address(first, last, b.orderLocation(o))})
	}
	out = append(out,
		jfield{"line_items", lines},
		jfield{"tracking_number", number},
		jfield{"tracking_numbers", numbers},
		jfield{"tracking_url", trackURL},
		jfield{"tracking_urls", urls},
		jfield{"receipt", jobj{}},
		jfield{"name", fmt.Sprintf("%s.%d", o.Name, idx+1)},
		jfield{"admin_graphql_api_id", gid("Fulfillment", f.ID)},
	)
	return out
}

// ---- refunds ----------------------------------------------------------------------

func (b payloadBuilder) refund(r *Refund) jobj {
	s := b.s
	o := s.orders[r.OrderID]
	if o == nil {
		o = &Order{ID: r.OrderID}
	}
	restock := false
	lines := make([]any, 0, len(r.LineItems))
	for _, rl := range r.LineItems {
		if rl.Restocked {
			restock = true
		}
		var li any = jobj{}
		if l := s.lineItemLocked(o.ID, rl.LineItemID); l != nil {
			li = b.lineItem(o, *l, -1, lineInRefund)
		}
		lines = append(lines, jobj{
			{"id", rl.ID},
			{"line_item_id", rl.LineItemID},
			{"location_id", idOrNil(rl.LocationID)},
			{"quantity", rl.Quantity},
			{"restock_type", strings.ToLower(rl.RestockType)},
			{"subtotal", json.Number(money(rl.Subtotal))},
			{"subtotal_set", b.moneySet(rl.Subtotal)},
			{"total_tax", json.Number("0.00")},
			{"total_tax_set", b.moneySet("0.00")},
			{"line_item", li},
		})
	}
	txs := make([]any, 0, len(r.TransactionIDs))
	for _, tid := range r.TransactionIDs {
		for _, t := range o.Transactions {
			if t.ID == tid {
				txs = append(txs, b.transaction(o, t))
			}
		}
	}
	out := jobj{
		{"id", r.ID},
		{"order_id", r.OrderID},
		{"created_at", b.ts(r.CreatedAt)},
		{"note", r.Note},
		{"user_id", synthID("staff", s.name)},
		{"processed_at", b.ts(r.CreatedAt)},
		{"duties", []any{}},
		{"total_duties_set", b.moneySet("0.00")},
		{"return", nil},
		{"refund_shipping_lines", []any{}},
		{"restock", restock},
		{"admin_graphql_api_id", gid("Refund", r.ID)},
		{"order_adjustments", []any{}},
		{"refund_line_items", lines},
		{"transactions", txs},
	}
	if b.version < "2026-07" {
		out[9], out[10] = out[10], out[9] // restock before refund_shipping_lines
	}
	return out
}

func (b payloadBuilder) transaction(o *Order, t Transaction) jobj {
	zero := jobj{{"amount", "0.0"}, {"currency", "XXX"}}
	return jobj{
		{"id", t.ID},
		{"order_id", o.ID},
		{"kind", strings.ToLower(t.Kind)},
		{"gateway", t.Gateway},
		{"status", strings.ToLower(t.Status)},
		{"message", nil},
		{"created_at", b.ts(t.ProcessedAt)},
		{"test", t.Test},
		{"authorization", nil},
		{"location_id", nil},
		{"user_id", nil},
		{"parent_id", idOrNil(t.ParentID)},
		{"processed_at", b.ts(t.ProcessedAt)},
		{"device_id", nil},
		{"error_code", nil},
		{"source_name", o.SourceName},
		{"receipt", jobj{}},
		{"amount", money(t.Amount)},
		{"currency", o.Currency},
		{"payment_id", fmt.Sprintf("%s.%d", o.Name, t.ID)},
		{"total_unsettled_set", jobj{{"presentment_money", zero}, {"shop_money", zero}}},
		{"manual_payment_gateway", t.Gateway == "manual"},
		{"amount_rounding", nil},
		{"admin_graphql_api_id", gid("OrderTransaction", t.ID)},
	}
}

// ---- locations ----------------------------------------------------------------------

func (b payloadBuilder) location(l *Location) jobj {
	return jobj{
		{"id", l.ID},
		{"name", l.Name},
		{"address1", l.Address1},
		{"address2", ""},
		{"city", l.City},
		{"zip", l.Zip},
		{"province", ""},
		{"country", l.CountryCode},
		{"phone", ""},
		{"created_at", b.ts(l.CreatedAt)},
		{"updated_at", b.ts(l.UpdatedAt)},
		{"country_code", l.CountryCode},
		{"country_name", payloadCountryName(l.CountryCode)},
		{"province_code", ""},
		{"legacy", l.IsFulfillmentService},
		{"active", l.Active},
		{"admin_graphql_api_id", gid("Location", l.ID)},
	}
}

// ---- bulk operations, shop ------------------------------------------------------------

func (b payloadBuilder) bulk(op *BulkOperation) jobj {
	return jobj{
		{"admin_graphql_api_id", gid("BulkOperation", op.ID)},
		{"completed_at", b.ts(op.CompletedAt)},
		{"created_at", b.ts(op.CreatedAt)},
		{"error_code", strOrNil(strings.ToLower(op.ErrorCode))},
		{"status", strings.ToLower(op.Status)},
		{"type", strings.ToLower(op.Type)},
	}
}

// shop renders the shop resource (app/uninstalled, shop/update).
func (b payloadBuilder) shop(in ShopInfo) jobj {
	s := b.s
	var primary int64
	var loc *Location
	if len(s.locationOrder) > 0 {
		primary = s.locationOrder[0]
		loc = s.locations[primary]
	}
	addr1, city, zip, cc := "", "", "", "DE"
	if loc != nil {
		addr1, city, zip, cc = loc.Address1, loc.City, loc.Zip, loc.CountryCode
	}
	unit := map[string]string{"KILOGRAMS": "kg", "GRAMS": "g", "POUNDS": "lb", "OUNCES": "oz"}[in.WeightUnit]
	planName := strings.ToLower(strings.ReplaceAll(in.PlanName, " ", "_"))
	return jobj{
		{"id", in.ID},
		{"name", in.Name},
		{"email", in.Email},
		{"domain", in.MyshopifyDomain},
		{"province", ""},
		{"country", cc},
		{"address1", addr1},
		{"zip", zip},
		{"city", city},
		{"source", nil},
		{"phone", ""},
		{"latitude", nil},
		{"longitude", nil},
		{"primary_locale", "de"},
		{"address2", nil},
		{"created_at", nil},
		{"updated_at", nil},
		{"country_code", cc},
		{"country_name", payloadCountryName(cc)},
		{"currency", in.CurrencyCode},
		{"customer_email", in.Email},
		{"timezone", "(GMT+01:00) " + in.IanaTimezone},
		{"iana_timezone", in.IanaTimezone},
		{"shop_owner", in.Name + " Owner"},
		{"money_format", "€{{amount_with_comma_separator}}"},
		{"money_with_currency_format", "€{{amount_with_comma_separator}} EUR"},
		{"weight_unit", unit},
		{"province_code", ""},
		{"taxes_included", true},
		{"auto_configure_tax_inclusivity", nil},
		{"tax_shipping", nil},
		{"county_taxes", true},
		{"plan_display_name", in.PlanName},
		{"plan_name", planName},
		{"has_discounts", false},
		{"has_gift_cards", false},
		{"myshopify_domain", in.MyshopifyDomain},
		{"google_apps_domain", nil},
		{"google_apps_login_enabled", nil},
		{"money_in_emails_format", "€{{amount_with_comma_separator}}"},
		{"money_with_currency_in_emails_format", "€{{amount_with_comma_separator}} EUR"},
		{"eligible_for_payments", true},
		{"requires_extra_payments_agreement", false},
		{"password_enabled", in.Development},
		{"has_storefront", true},
		{"finances", true},
		{"primary_location_id", primary},
		{"checkout_api_supported", false},
		{"multi_location_enabled", true},
		{"setup_required", false},
		{"pre_launch_enabled", false},
		{"enabled_presentment_currencies", []string{in.CurrencyCode}},
		{"marketing_sms_consent_enabled_at_checkout", false},
		{"transactional_sms_disabled", false},
	}
}
