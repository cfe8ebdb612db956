package wootest

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// The order statuses the store knows (WooCommerce core plus Blocks'
// checkout-draft).
var orderStatuses = []string{"pending", "processing", "on-hold", "completed", "cancelled", "refunded", "failed", "checkout-draft"}

type address struct {
	FirstName, LastName, Company, Address1, Address2, City, State, Postcode, Country, Email, Phone string
}

func (a address) json(withEmail bool) map[string]any {
	m := map[string]any{
		"first_name": a.FirstName, "last_name": a.LastName, "company": a.Company, "address_1": a.Address1,
		"address_2": a.Address2, "city": a.City, "state": a.State, "postcode": a.Postcode, "country": a.Country, "phone": a.Phone,
	}
	if withEmail {
		m["email"] = a.Email
	}
	return m
}

type lineItem struct {
	id          int64
	name        string
	productID   int64
	variationID int64
	qty         int64
	subtotal    string
	total       string
	meta        []metaEntry
}

type shippingLine struct {
	id          int64
	methodID    string
	methodTitle string
	total       string
}

type refund struct {
	id         int64
	created    time.Time
	amount     string
	reason     string
	refundedBy int64
	payment    bool
	lines      []lineItem // negative quantities and totals
	meta       []metaEntry
}

type note struct {
	id       int64
	author   string
	created  time.Time
	text     string
	customer bool
}

type fulfillment struct {
	id       int64
	status   string
	updated  time.Time
	meta     []metaEntry
	notified bool
}

type order struct {
	id            int64
	number        string
	key           string
	status        string
	currency      string
	createdVia    string
	created       time.Time
	modified      time.Time
	paid          time.Time
	completed     time.Time
	customerID    int64
	customerNote  string
	billing       address
	shipping      address
	paymentMethod string
	paymentTitle  string
	transactionID string
	lines         []lineItem
	shippingLines []shippingLine
	meta          []metaEntry
	refunds       []*refund
	notes         []*note
	fulfillments  []*fulfillment
	stockReduced  bool
	trashedFrom   string // status before trashing
}

func (o *order) itemsTotal() string {
	t := "0"
	for _, l := range o.lines {
		t = decimal.Add(t, l.total)
	}
	return t
}

func (o *order) shippingTotal() string {
	t := "0"
	for _, sl := range o.shippingLines {
		t = decimal.Add(t, sl.total)
	}
	return t
}

func (o *order) total() string { return decimal.Add(o.itemsTotal(), o.shippingTotal()) }

func (o *order) refunded() string {
	t := "0"
	for _, r := range o.refunds {
		t = decimal.Add(t, r.amount)
	}
	return t
}

// gatewayRefunds reports whether the order's payment gateway can refund
// through the API (the simulator's "stripe" can; bacs, cod and cheque
// cannot, as in WooCommerce core).
func (o *order) gatewayRefunds() bool {
	return o.paymentMethod == "stripe" || o.paymentMethod == "woocommerce_payments"
}

// lineJSON renders an order or refund line. The SKU is read from the
// current product (null when it was deleted); price is total / quantity
// as a JSON number, as PHP computes it.
func (s *Store) lineJSON(l lineItem) map[string]any {
	var sku any
	pid := l.productID
	if l.variationID != 0 {
		pid = l.variationID
	}
	if p := s.products[pid]; p != nil {
		sku = p.sku
	}
	var price any = 0
	if l.qty != 0 {
		t, _ := strconv.ParseFloat(l.total, 64)
		price = phpFloat(t / float64(l.qty))
	}
	m := map[string]any{
		"id": l.id, "name": l.name, "product_id": l.productID, "variation_id": l.variationID, "quantity": l.qty,
		"tax_class": "", "subtotal": s.formatMoney(l.subtotal), "subtotal_tax": s.formatMoney("0"),
		"total": s.formatMoney(l.total), "total_tax": s.formatMoney("0"), "taxes": []any{},
		"meta_data": renderMeta(l.meta), "sku": sku, "global_unique_id": "", "price": price,
		"image": map[string]any{"id": "", "src": ""}, "parent_name": nil,
	}
	if l.variationID != 0 {
		if parent := s.products[l.productID]; parent != nil {
			m["parent_name"] = parent.name
		}
	}
	return m
}

// orderJSON renders an order as GET /orders/{id} does.
func (s *Store) orderJSON(o *order) map[string]any {
	lines := make([]any, len(o.lines))
	for i, l := range o.lines {
		lines[i] = s.lineJSON(l)
	}
	ships := make([]any, len(o.shippingLines))
	for i, sl := range o.shippingLines {
		ships[i] = map[string]any{"id": sl.id, "method_title": sl.methodTitle, "method_id": sl.methodID, "instance_id": "",
			"total": s.formatMoney(sl.total), "total_tax": s.formatMoney("0"), "taxes": []any{}, "meta_data": []any{}}
	}
	refunds := make([]any, len(o.refunds))
	for i, r := range o.refunds {
		refunds[i] = map[string]any{"id": r.id, "reason": r.reason, "total": s.formatMoney(decimal.Sub("0", r.amount))}
	}
	status := o.status
	needsPayment := (status == "pending" || status == "failed") && decimal.Sign(o.total()) > 0
	m := map[string]any{
		"id": o.id, "parent_id": 0, "number": o.number, "order_key": o.key, "created_via": o.createdVia,
		"version": s.cfg.version, "status": status, "currency": o.currency, "currency_symbol": currencySymbol(o.currency),
		"discount_total": s.formatMoney("0"), "discount_tax": s.formatMoney("0"),
		"shipping_total": s.formatMoney(o.shippingTotal()), "shipping_tax": s.formatMoney("0"),
		"cart_tax": s.formatMoney("0"), "total": s.formatMoney(o.total()), "total_tax": s.formatMoney("0"),
		"prices_include_tax": false, "customer_id": o.customerID, "customer_ip_address": "", "customer_user_agent": "",
		"customer_note": o.customerNote, "billing": o.billing.json(true), "shipping": o.shipping.json(false),
		"payment_method": o.paymentMethod, "payment_method_title": o.paymentTitle, "transaction_id": o.transactionID,
		"cart_hash": "", "meta_data": renderMeta(o.meta), "line_items": lines, "tax_lines": []any{},
		"shipping_lines": ships, "fee_lines": []any{}, "coupon_lines": []any{}, "refunds": refunds,
		"payment_url":   s.URL() + "/checkout/order-pay/" + fmtID(o.id) + "/?pay_for_order=true&key=" + o.key,
		"is_editable":   status == "pending" || status == "on-hold" || status == "auto-draft" || status == "checkout-draft",
		"needs_payment": needsPayment, "needs_processing": true,
		"_links": s.links(idPath("orders", o.id), "orders", ""),
	}
	s.dates(m, "date_created", o.created)
	s.dates(m, "date_modified", o.modified)
	s.dates(m, "date_paid", o.paid)
	s.dates(m, "date_completed", o.completed)
	return m
}

func currencySymbol(c string) string {
	switch c {
	case "EUR":
		return "&euro;"
	case "USD":
		return "&#36;"
	case "GBP":
		return "&pound;"
	case "DKK", "SEK", "NOK":
		return "kr."
	}
	return c
}

// reducesStock and restoresStock are the statuses on whose entry
// WooCommerce core reduces and restores order stock.
func reducesStock(status string) bool {
	return status == "processing" || status == "completed" || status == "on-hold"
}

func restoresStock(status string) bool { return status == "cancelled" || status == "pending" }

// setStatus moves o to status with WooCommerce's side effects: stock
// reduced once on entering processing, completed or on-hold (with an
// order note and product saves that fire product.updated), restored on
// entering cancelled or pending, date_paid and date_completed. s.mu is
// held; the caller saves o.
func (s *Store) setStatus(o *order, status string) {
	if o.status == status {
		return
	}
	from := o.status
	o.status = status
	now := s.now()
	switch {
	case reducesStock(status) && !o.stockReduced:
		s.moveOrderStock(o, -1)
		o.stockReduced = true
	case restoresStock(status) && o.stockReduced:
		s.moveOrderStock(o, +1)
		o.stockReduced = false
	}
	if (status == "processing" || status == "completed") && o.paid.IsZero() {
		o.paid = now
	}
	if status == "completed" && o.completed.IsZero() {
		o.completed = now
	}
	if from != "" && from != "checkout-draft" {
		s.addNote(o, "system", fmt.Sprintf("Order status changed from %s to %s.", statusLabel(from), statusLabel(status)), false)
	}
}

func statusLabel(s string) string {
	switch s {
	case "on-hold":
		return "On hold"
	case "checkout-draft":
		return "Draft"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// moveOrderStock changes the stock of the order's managed products by
// sign × quantity and records "Stock levels reduced/increased" as
// WooCommerce does.
func (s *Store) moveOrderStock(o *order, sign int64) {
	var changes []string
	for _, l := range o.lines {
		id := l.productID
		if l.variationID != 0 {
			id = l.variationID
		}
		p := s.products[id]
		if p == nil {
			continue
		}
		owner := s.stockOwner(p)
		if !owner.manage {
			continue
		}
		cp := *owner
		from := cp.stock
		cp.stock += sign * l.qty
		if sign < 0 {
			cp.totalSales += l.qty
		}
		s.saveProduct(&cp, false)
		label := cp.name
		if cp.sku != "" {
			label += " (" + cp.sku + ")"
		}
		changes = append(changes, fmt.Sprintf("%s %d&rarr;%d", label, from, cp.stock))
	}
	if len(changes) == 0 {
		return
	}
	verb := "reduced"
	if sign > 0 {
		verb = "increased"
	}
	s.addNote(o, "system", "Stock levels "+verb+": "+strings.Join(changes, ", "), false)
}

func (s *Store) addNote(o *order, author, text string, customer bool) *note {
	n := &note{id: s.newID(), author: author, created: s.now(), text: text, customer: customer}
	o.notes = append(o.notes, n)
	return n
}

// saveOrder stores o and records order.created (for a new order that is
// not a draft) or order.updated.
func (s *Store) saveOrder(o *order, created bool) {
	o.modified = s.now()
	s.orders[o.id] = o
	switch {
	case created && o.status != "checkout-draft":
		s.emit("order", "created", o.id)
	case !created:
		s.emit("order", "updated", o.id)
	}
}

func (s *Store) newOrder(createdVia string) *order {
	id := s.newID()
	h := md5.Sum([]byte(fmt.Sprintf("%s-%d", s.name, id)))
	now := s.now()
	return &order{id: id, number: fmtID(id), key: "wc_order_" + hex.EncodeToString(h[:])[:13], currency: s.cfg.currency,
		createdVia: createdVia, created: now, modified: now}
}

// applyOrder validates body and applies it to o (the status last, as
// WooCommerce does). It does not save.
func (s *Store) applyOrder(o *order, body map[string]any, creating bool) *restError {
	for _, f := range []struct {
		k   string
		dst *string
	}{{"customer_note", &o.customerNote}, {"payment_method", &o.paymentMethod}, {"payment_method_title", &o.paymentTitle},
		{"transaction_id", &o.transactionID}, {"currency", &o.currency}} {
		if v, ok, e := bodyString(body, f.k); e != nil {
			return e
		} else if ok {
			*f.dst = v
		}
	}
	if v, ok, e := bodyInt(body, "customer_id"); e != nil {
		return e
	} else if ok {
		if v != 0 {
			return errorf(400, "woocommerce_rest_invalid_customer_id", "Customer ID is invalid.")
		}
		o.customerID = v
	}
	for _, a := range []struct {
		k   string
		dst *address
	}{{"billing", &o.billing}, {"shipping", &o.shipping}} {
		if m, ok := body[a.k].(map[string]any); ok {
			get := func(k string) string { v, _ := m[k].(string); return v }
			*a.dst = address{FirstName: get("first_name"), LastName: get("last_name"), Company: get("company"),
				Address1: get("address_1"), Address2: get("address_2"), City: get("city"), State: get("state"),
				Postcode: get("postcode"), Country: get("country"), Email: get("email"), Phone: get("phone")}
		}
	}
	if items, ok := body["line_items"].([]any); ok {
		for _, it := range items {
			m, _ := it.(map[string]any)
			if e := s.applyLine(o, m); e != nil {
				return e
			}
		}
	}
	if items, ok := body["shipping_lines"].([]any); ok {
		for _, it := range items {
			m, _ := it.(map[string]any)
			sl := shippingLine{id: s.newID()}
			sl.methodID, _ = m["method_id"].(string)
			sl.methodTitle, _ = m["method_title"].(string)
			if v, ok, e := bodyDecimal(m, "total"); e != nil {
				return e
			} else if ok {
				sl.total = v
			}
			o.shippingLines = append(o.shippingLines, sl)
		}
	}
	meta, e := s.applyMeta(o.meta, body)
	if e != nil {
		return e
	}
	o.meta = meta
	status, hasStatus, e := bodyString(body, "status")
	if e != nil {
		return e
	}
	if hasStatus && !slices.Contains(orderStatuses, status) {
		return invalidParam("status", "rest_not_in_enum", "status is not one of "+strings.Join(orderStatuses, ", ")+".")
	}
	setPaid, _, e := bodyBool(body, "set_paid")
	if e != nil {
		return e
	}
	if creating && o.status == "" {
		s.setStatus(o, "pending")
	}
	if setPaid && (o.status == "pending" || o.status == "failed" || o.status == "on-hold") {
		s.setStatus(o, "processing")
		o.paid = s.now()
	}
	if hasStatus {
		s.setStatus(o, status)
	}
	return nil
}

// applyLine adds a line (product_id, variation_id or sku, quantity) or
// changes an existing one (id).
func (s *Store) applyLine(o *order, m map[string]any) *restError {
	qty, hasQty, e := bodyInt(m, "quantity")
	if e != nil {
		return e
	}
	if id := anyID(m["id"]); id != 0 {
		for i := range o.lines {
			if o.lines[i].id == id && hasQty {
				unit := divInt(o.lines[i].total, max(o.lines[i].qty, 1))
				o.lines[i].qty = qty
				o.lines[i].total = decimal.MulInt(unit, qty)
				o.lines[i].subtotal = o.lines[i].total
			}
		}
		return nil
	}
	pid, vid := anyID(m["product_id"]), anyID(m["variation_id"])
	if pid == 0 {
		if sku, _ := m["sku"].(string); sku != "" {
			for _, p := range s.products {
				if p.sku == sku && p.status != "trash" {
					if p.typ == "variation" {
						pid, vid = p.parent, p.id
					} else {
						pid = p.id
					}
				}
			}
		}
	}
	if pid == 0 {
		return errorf(400, "woocommerce_rest_required_product_reference", "Product ID or SKU is required.")
	}
	target := pid
	if vid != 0 {
		target = vid
	}
	p := s.products[target]
	if p == nil || p.status == "trash" {
		return errorf(400, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
	}
	if !hasQty {
		qty = 1
	}
	unit := p.price()
	if unit == "" {
		unit = "0"
	}
	l := lineItem{id: s.newID(), name: p.name, productID: pid, variationID: vid, qty: qty}
	l.total = decimal.MulInt(unit, qty)
	if v, ok, e := bodyDecimal(m, "total"); e != nil {
		return e
	} else if ok {
		l.total = v
	}
	l.subtotal = l.total
	if v, ok, e := bodyDecimal(m, "subtotal"); e != nil {
		return e
	} else if ok {
		l.subtotal = v
	}
	if p.typ == "variation" {
		for _, a := range p.varAttrs {
			if am, ok := a.(map[string]any); ok {
				n, _ := am["name"].(string)
				v, _ := am["option"].(string)
				l.meta = append(l.meta, metaEntry{id: s.newID(), key: strings.ToLower(n), value: v})
			}
		}
	}
	o.lines = append(o.lines, l)
	return nil
}

// orderMatches applies the order listing filters.
func (s *Store) orderMatches(o *order, q *listQuery, statuses []string, product int64) bool {
	switch {
	case len(statuses) == 0 || slices.Contains(statuses, "any"):
		if o.status == "trash" {
			return false
		}
	case !slices.Contains(statuses, o.status):
		return false
	}
	if len(q.include) > 0 && !slices.Contains(q.include, o.id) {
		return false
	}
	if slices.Contains(q.exclude, o.id) {
		return false
	}
	if product != 0 && !slices.ContainsFunc(o.lines, func(l lineItem) bool { return l.productID == product || l.variationID == product }) {
		return false
	}
	if q.search != "" && !strings.Contains(strings.ToLower(o.billing.Email+" "+o.billing.FirstName+" "+o.billing.LastName+" "+o.number), strings.ToLower(q.search)) {
		return false
	}
	return s.dateMatch(q, o.created, o.modified)
}

func orderKey(o *order) sortable {
	return sortable{id: o.id, created: o.created, modified: o.modified, title: o.number, slug: o.number}
}

func (s *Store) listOrders(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, "date", "id", "include", "title", "slug", "modified")
	var statuses []string
	for _, v := range append(rc.query["status"], rc.query["status[]"]...) {
		for _, st := range splitList(v) {
			if st != "any" && st != "trash" && !slices.Contains(orderStatuses, st) {
				pe.add("status", "rest_not_in_enum", "status[0] is not one of any, trash, "+strings.Join(orderStatuses, ", ")+".")
			}
			statuses = append(statuses, st)
		}
	}
	var product int64
	if v := rc.query.Get("product"); v != "" {
		n, err := parseInt(v)
		if err != nil {
			pe.add("product", "rest_invalid_type", "product is not of type integer.")
		}
		product = n
	}
	if e := pe.err(); e != nil {
		rc.fail(e)
		return
	}
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var match []*order
	for _, o := range s.orders {
		if s.orderMatches(o, &q, statuses, product) {
			match = append(match, o)
		}
	}
	page, total := pageOf(q, match, orderKey)
	out := make([]map[string]any, len(page))
	for i, o := range page {
		out[i] = s.orderJSON(o)
	}
	rc.writeList(q, total, out)
}

func parseInt(v string) (int64, error) { return strconv.ParseInt(strings.TrimSpace(v), 10, 64) }

func (s *Store) getOrder(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		o := s.orders[rc.paramID("id")]
		if o == nil {
			return nil, errorf(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
		}
		return s.orderJSON(o), nil
	})
}

func (s *Store) createOrder(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		o, e := s.createOrderLocked(rc.body)
		if e != nil {
			return nil, e
		}
		rc.created(idPath("orders", o.id))
		return s.orderJSON(o), nil
	})
}

// createOrderLocked creates an order through REST (created_via
// "rest-api"); the id is only taken when the body is valid.
func (s *Store) createOrderLocked(body map[string]any) (*order, *restError) {
	if id := anyID(body["id"]); id != 0 {
		return nil, errorf(400, "woocommerce_rest_shop_order_exists", "Cannot create existing order.")
	}
	o := s.newOrder("rest-api")
	if e := s.applyOrder(o, body, true); e != nil {
		return nil, e
	}
	s.saveOrder(o, true)
	if o.status != "pending" {
		s.emit("order", "updated", o.id) // the status change after the first save
	}
	return o, nil
}

func (s *Store) updateOrder(rc *reqCtx) {
	rc.change(actEdit, http.StatusOK, func() (map[string]any, *restError) {
		o, e := s.updateOrderLocked(rc.paramID("id"), rc.body)
		if e != nil {
			return nil, e
		}
		return s.orderJSON(o), nil
	})
}

func (s *Store) updateOrderLocked(id int64, body map[string]any) (*order, *restError) {
	cur := s.orders[id]
	if cur == nil {
		return nil, errorf(400, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	}
	o := cur.clone()
	if e := s.applyOrder(o, body, false); e != nil {
		return nil, e
	}
	s.saveOrder(o, false)
	return o, nil
}

func (o *order) clone() *order {
	c := *o
	c.lines = slices.Clone(o.lines)
	c.shippingLines = slices.Clone(o.shippingLines)
	c.meta = slices.Clone(o.meta)
	c.refunds = slices.Clone(o.refunds)
	c.notes = slices.Clone(o.notes)
	c.fulfillments = slices.Clone(o.fulfillments)
	return &c
}

func (s *Store) deleteOrder(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		return s.deleteOrderLocked(rc.paramID("id"), rc.force())
	})
}

// deleteOrderLocked trashes an order (order.deleted with {"id"}) or
// deletes it for good.
func (s *Store) deleteOrderLocked(id int64, force bool) (map[string]any, *restError) {
	o := s.orders[id]
	if o == nil {
		return nil, errorf(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	}
	before := s.orderJSON(o)
	if force {
		delete(s.orders, id)
		return before, nil
	}
	if o.status == "trash" {
		return nil, errorf(410, "woocommerce_rest_already_trashed", "The order has already been deleted.")
	}
	c := o.clone()
	c.trashedFrom = c.status
	c.status = "trash"
	c.modified = s.now()
	s.orders[id] = c
	s.emit("order", "deleted", id)
	return s.orderJSON(c), nil
}

func (s *Store) batchOrders(rc *reqCtx) {
	s.runBatch(rc,
		func(m map[string]any) (map[string]any, *restError) {
			o, e := s.createOrderLocked(m)
			if e != nil {
				return nil, e
			}
			return s.orderJSON(o), nil
		},
		func(id int64, m map[string]any) (map[string]any, *restError) {
			o, e := s.updateOrderLocked(id, m)
			if e != nil {
				return nil, e
			}
			return s.orderJSON(o), nil
		},
		func(id int64) (map[string]any, *restError) { return s.deleteOrderLocked(id, true) })
}

// ---- refunds ----

func (s *Store) refundJSON(o *order, r *refund) map[string]any {
	lines := make([]any, len(r.lines))
	for i, l := range r.lines {
		lines[i] = s.lineJSON(l)
	}
	m := map[string]any{
		"id": r.id, "amount": s.formatMoney(r.amount), "reason": r.reason, "refunded_by": r.refundedBy,
		"refunded_payment": r.payment, "meta_data": renderMeta(r.meta), "line_items": lines,
		"shipping_lines": []any{}, "tax_lines": []any{}, "fee_lines": []any{},
		"_links": s.links(idPath("orders", o.id, "refunds", r.id), idPath("orders", o.id, "refunds"), idPath("orders", o.id)),
	}
	s.dates(m, "date_created", r.created)
	return m
}

func (s *Store) refundOrder(rc *reqCtx) (*order, *restError) {
	o := s.orders[rc.paramID("order_id")]
	if o == nil {
		return nil, errorf(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
	}
	return o, nil
}

func (s *Store) listRefunds(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, "date", "id", "include", "title", "slug", "modified")
	if e := pe.err(); e != nil {
		rc.fail(e)
		return
	}
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, e := s.refundOrder(rc)
	if e != nil {
		rc.fail(e)
		return
	}
	page, total := pageOf(q, o.refunds, func(r *refund) sortable { return sortable{id: r.id, created: r.created, modified: r.created} })
	out := make([]map[string]any, len(page))
	for i, r := range page {
		out[i] = s.refundJSON(o, r)
	}
	rc.writeList(q, total, out)
}

func (s *Store) getRefund(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		for _, r := range o.refunds {
			if r.id == rc.paramID("id") {
				return s.refundJSON(o, r), nil
			}
		}
		return nil, errorf(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")
	})
}

func (s *Store) createRefund(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		c := o.clone()
		r, e := s.createRefundLocked(c, rc.body)
		if e != nil {
			return nil, e
		}
		rc.created(idPath("orders", o.id, "refunds", r.id))
		return s.refundJSON(c, r), nil
	})
}

// createRefundLocked creates a refund of o (a clone it then saves):
// line_items [{id, quantity, refund_total}], amount (or the lines' sum),
// api_refund (default true: the gateway must be able to refund) and
// api_restock (default true).
func (s *Store) createRefundLocked(o *order, body map[string]any) (*refund, *restError) {
	amount, hasAmount, e := bodyDecimal(body, "amount")
	if e != nil {
		return nil, e
	}
	apiRefund, ok, e := bodyBool(body, "api_refund")
	if e != nil {
		return nil, e
	}
	if !ok {
		apiRefund = true
	}
	restock, ok, e := bodyBool(body, "api_restock")
	if e != nil {
		return nil, e
	}
	if !ok {
		restock = true
	}
	reason, _, _ := bodyString(body, "reason")
	r := &refund{created: s.now(), reason: reason, refundedBy: 1}
	var lines []lineItem
	sum := "0"
	allTotals := true
	items, _ := body["line_items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		id := anyID(m["id"])
		idx := slices.IndexFunc(o.lines, func(l lineItem) bool { return l.id == id })
		if idx < 0 {
			continue // WooCommerce skips unknown items
		}
		ol := o.lines[idx]
		qty, _, e := bodyInt(m, "quantity")
		if e != nil {
			return nil, e
		}
		total, hasTotal, e := bodyDecimal(m, "refund_total")
		if e != nil {
			return nil, e
		}
		if !hasTotal {
			allTotals = false
			total = "0"
		}
		sum = decimal.Add(sum, total)
		lines = append(lines, lineItem{name: ol.name, productID: ol.productID, variationID: ol.variationID,
			qty: -qty, subtotal: decimal.Sub("0", total), total: decimal.Sub("0", total),
			meta: []metaEntry{{key: "_refunded_item_id", value: fmtID(ol.id)}}})
	}
	if !hasAmount || amount == "" {
		if !allTotals || len(lines) == 0 {
			return nil, errorf(400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
		}
		amount = sum
	}
	if decimal.Sign(amount) <= 0 {
		return nil, errorf(400, "woocommerce_rest_invalid_order_refund", "Refund amount must be greater than zero.")
	}
	remaining := decimal.Sub(o.total(), o.refunded())
	if decimal.Cmp(amount, remaining) > 0 {
		return nil, errorf(500, "woocommerce_rest_cannot_create_order_refund", "Invalid refund amount.")
	}
	if apiRefund {
		if !o.gatewayRefunds() {
			return nil, errorf(500, "woocommerce_rest_cannot_create_order_refund", "The payment gateway for this order does not support automatic refunds.")
		}
		r.payment = true
	}
	meta, e := s.applyMeta(nil, body)
	if e != nil {
		return nil, e
	}
	r.meta = meta
	r.id = s.newID()
	r.amount = amount
	for i := range lines {
		lines[i].id = s.newID()
		for j := range lines[i].meta {
			lines[i].meta[j].id = s.newID()
		}
	}
	r.lines = lines
	o.refunds = append([]*refund{r}, o.refunds...)
	if restock {
		for _, l := range lines {
			id := l.productID
			if l.variationID != 0 {
				id = l.variationID
			}
			if p := s.products[id]; p != nil {
				owner := s.stockOwner(p)
				if owner.manage && l.qty != 0 {
					cp := *owner
					from := cp.stock
					cp.stock += -l.qty
					s.saveProduct(&cp, false)
					s.addNote(o, "system", fmt.Sprintf("Item #%d stock increased from %d to %d.", id, from, cp.stock), false)
				}
			}
		}
	}
	s.addNote(o, "system", fmt.Sprintf("Refunded %s %s", s.formatMoney(amount), o.currency), false)
	if decimal.Cmp(o.refunded(), o.total()) >= 0 {
		s.setStatus(o, "refunded")
	}
	s.saveOrder(o, false)
	return r, nil
}

func (s *Store) deleteRefund(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		idx := slices.IndexFunc(o.refunds, func(r *refund) bool { return r.id == rc.paramID("id") })
		switch {
		case idx < 0:
			return nil, errorf(404, "woocommerce_rest_shop_order_refund_invalid_id", "Invalid ID.")
		case !rc.force():
			return nil, errorf(501, "woocommerce_rest_trash_not_supported", "Refunds do not support trashing.")
		}
		c := o.clone()
		before := s.refundJSON(c, c.refunds[idx])
		c.refunds = slices.Delete(c.refunds, idx, idx+1)
		s.saveOrder(c, false)
		return before, nil
	})
}

// ---- notes ----

func (s *Store) noteJSON(o *order, n *note) map[string]any {
	m := map[string]any{"id": n.id, "author": n.author, "note": n.text, "customer_note": n.customer,
		"_links": s.links(idPath("orders", o.id, "notes", n.id), idPath("orders", o.id, "notes"), idPath("orders", o.id))}
	s.dates(m, "date_created", n.created)
	return m
}

func (s *Store) listNotes(rc *reqCtx) {
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, e := s.refundOrder(rc)
	if e != nil {
		rc.fail(e)
		return
	}
	kind := rc.query.Get("type")
	out := []map[string]any{}
	for i := len(o.notes) - 1; i >= 0; i-- { // newest first
		n := o.notes[i]
		if kind == "customer" && !n.customer || kind == "internal" && n.customer {
			continue
		}
		out = append(out, s.noteJSON(o, n))
	}
	rc.writeJSON(http.StatusOK, out)
}

func (s *Store) getNote(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		for _, n := range o.notes {
			if n.id == rc.paramID("id") {
				return s.noteJSON(o, n), nil
			}
		}
		return nil, errorf(404, "woocommerce_rest_order_invalid_id", "Invalid resource ID.")
	})
}

func (s *Store) createNote(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		text, ok, e := bodyString(rc.body, "note")
		if e != nil {
			return nil, e
		}
		if !ok || text == "" {
			return nil, errorf(400, "rest_missing_callback_param", "Missing parameter(s): note")
		}
		customer, _, _ := bodyBool(rc.body, "customer_note")
		byUser, _, _ := bodyBool(rc.body, "added_by_user")
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		c := o.clone()
		author := "system"
		if byUser {
			author = "admin"
		}
		n := s.addNote(c, author, text, customer)
		s.orders[c.id] = c // notes do not change date_modified or fire webhooks
		return s.noteJSON(c, n), nil
	})
}

func (s *Store) deleteNote(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, e
		}
		idx := slices.IndexFunc(o.notes, func(n *note) bool { return n.id == rc.paramID("id") })
		switch {
		case idx < 0:
			return nil, errorf(404, "woocommerce_rest_order_invalid_id", "Invalid resource ID.")
		case !rc.force():
			return nil, errorf(501, "woocommerce_rest_trash_not_supported", "Webhooks do not support trashing.")
		}
		c := o.clone()
		before := s.noteJSON(c, c.notes[idx])
		c.notes = slices.Delete(c.notes, idx, idx+1)
		s.orders[c.id] = c
		return before, nil
	})
}

// ---- fulfillments (beta, WithFulfillments) ----

func (s *Store) fulfillmentJSON(o *order, f *fulfillment) map[string]any {
	return map[string]any{"id": f.id, "entity_type": "WC_Order", "entity_id": fmtID(o.id), "status": f.status,
		"is_fulfilled": f.status == "fulfilled", "date_updated": f.updated.UTC().Format(dateLayout), "date_deleted": nil,
		"meta_data": renderMeta(f.meta)}
}

func (s *Store) listFulfillments(rc *reqCtx) {
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, e := s.refundOrder(rc)
	if e != nil {
		rc.fail(e)
		return
	}
	out := []map[string]any{}
	for _, f := range o.fulfillments {
		out = append(out, s.fulfillmentJSON(o, f))
	}
	rc.writeJSON(http.StatusOK, out)
}

func (s *Store) createFulfillment(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		o, e := s.refundOrder(rc)
		if e != nil {
			return nil, errorf(400, e.code, "%s", e.msg)
		}
		status, _, _ := bodyString(rc.body, "status")
		if status == "" {
			status = "unfulfilled"
		}
		meta, e := s.applyMeta(nil, rc.body)
		if e != nil {
			return nil, e
		}
		c := o.clone()
		f := &fulfillment{id: s.newID(), status: status, updated: s.now(), meta: meta}
		f.notified, _ = parseBool(rc.query.Get("notify_customer"))
		c.fulfillments = append(c.fulfillments, f)
		s.saveOrder(c, false)
		return s.fulfillmentJSON(c, f), nil
	})
}
