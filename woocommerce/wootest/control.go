package wootest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// ErrNotFound is returned by the control API for an unknown id.
var ErrNotFound = errors.New("wootest: not found")

// ProductSpec describes a product for Store.CreateProduct. A product with
// Variations is variable: its variations carry the SKUs, prices and stock.
type ProductSpec struct {
	Name   string
	SKU    string
	GTIN   string
	Price  string // default "10.00"
	Weight string
	// Stock is the managed stock quantity; Unmanaged switches stock
	// management off (stock_quantity null).
	Stock     int64
	Unmanaged bool
	// Status defaults to publish.
	Status     string
	Variations []VariationSpec
}

// VariationSpec is one variation of a variable product.
type VariationSpec struct {
	SKU       string
	GTIN      string
	Price     string
	Stock     int64
	Unmanaged bool
	// Options maps attribute names to this variation's option, such as
	// {"Size": "M"}.
	Options map[string]string
}

// CreateProduct adds a product as the merchant would in the admin, firing
// product.created for it and each variation. It returns the product's id
// and its variations' ids.
func (s *Store) CreateProduct(spec ProductSpec) (id int64, variationIDs []int64, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, variationIDs, err = s.addProductLocked(spec, s.now())
	if err != nil {
		return 0, nil, err
	}
	s.emit("product", "created", id)
	for _, v := range variationIDs {
		s.emit("product", "created", v)
	}
	return id, variationIDs, nil
}

func (s *Store) addProductLocked(spec ProductSpec, at time.Time) (int64, []int64, error) {
	price := func(p string) string {
		if p == "" {
			return "10.00"
		}
		return p
	}
	seen := map[string]bool{}
	for _, sku := range append([]string{spec.SKU}, skusOf(spec.Variations)...) {
		if sku == "" {
			continue
		}
		if seen[sku] || s.skuOwner(sku, 0) != 0 {
			return 0, nil, fmt.Errorf("wootest: SKU %q is taken", sku)
		}
		seen[sku] = true
	}
	status := spec.Status
	if status == "" {
		status = "publish"
	}
	p := &product{id: s.newID(), typ: "simple", name: spec.Name, status: status, sku: spec.SKU, gtin: spec.GTIN,
		regular: price(spec.Price), manage: !spec.Unmanaged, stock: spec.Stock, backorders: "no", weight: spec.Weight,
		created: at, modified: at}
	if p.name == "" {
		p.name = "Product " + fmtID(p.id)
	}
	p.slug = slugify(p.name) + "-" + fmtID(p.id)
	var vids []int64
	if len(spec.Variations) > 0 {
		p.typ, p.regular, p.manage, p.stock = "variable", "", false, 0
		opts := map[string][]string{}
		var names []string
		for _, v := range spec.Variations {
			for k, o := range v.Options {
				if _, ok := opts[k]; !ok {
					names = append(names, k)
				}
				if !slices.Contains(opts[k], o) {
					opts[k] = append(opts[k], o)
				}
			}
		}
		slices.Sort(names)
		for i, n := range names {
			options := make([]any, len(opts[n]))
			for j, o := range opts[n] {
				options[j] = o
			}
			p.attributes = append(p.attributes, map[string]any{"id": 0, "name": n, "slug": strings.ToLower(n), "position": i,
				"visible": true, "variation": true, "options": options})
		}
		for i, vs := range spec.Variations {
			v := &product{id: s.newID(), parent: p.id, typ: "variation", name: p.name, slug: p.slug, status: "publish",
				sku: vs.SKU, gtin: vs.GTIN, regular: price(vs.Price), manage: !vs.Unmanaged, stock: vs.Stock,
				backorders: "no", menuOrder: i, created: at, modified: at}
			keys := make([]string, 0, len(vs.Options))
			for k := range vs.Options {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				v.varAttrs = append(v.varAttrs, map[string]any{"id": int64(0), "name": k, "option": vs.Options[k]})
			}
			s.putProduct(v)
			p.children = append(p.children, v.id)
			vids = append(vids, v.id)
		}
	}
	s.putProduct(p)
	return p.id, vids, nil
}

func skusOf(vs []VariationSpec) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.SKU
	}
	return out
}

// ProductEdit changes a product or variation in Store.EditProduct; nil
// fields stay.
type ProductEdit struct {
	Name  *string
	SKU   *string
	GTIN  *string
	Price *string
	Stock *int64
}

// EditProduct changes a product or variation as the merchant would in the
// admin and fires product.updated.
func (s *Store) EditProduct(id int64, e ProductEdit) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.products[id]
	if cur == nil {
		return ErrNotFound
	}
	p := *cur
	if e.Name != nil {
		p.name = *e.Name
	}
	if e.SKU != nil {
		if *e.SKU != "" && s.skuOwner(*e.SKU, id) != 0 {
			return fmt.Errorf("wootest: SKU %q is taken", *e.SKU)
		}
		p.sku = *e.SKU
	}
	if e.GTIN != nil {
		p.gtin = *e.GTIN
	}
	if e.Price != nil {
		p.regular = *e.Price
	}
	if e.Stock != nil {
		p.manage = true
		p.stock = *e.Stock
	}
	s.saveProduct(&p, false)
	return nil
}

// SetStock sets a product's or variation's managed stock (an admin edit:
// product.updated fires).
func (s *Store) SetStock(id, qty int64) error { return s.EditProduct(id, ProductEdit{Stock: &qty}) }

// TrashProduct moves a product to the trash (product.deleted fires).
func (s *Store) TrashProduct(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e := s.deleteProductLocked(id, false)
	if e != nil {
		return fmt.Errorf("wootest: %s", e.msg)
	}
	return nil
}

// DeleteProduct deletes a product and its variations for good; no webhook
// fires, as in WooCommerce.
func (s *Store) DeleteProduct(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e := s.deleteProductLocked(id, true)
	if e != nil {
		return fmt.Errorf("wootest: %s", e.msg)
	}
	return nil
}

// RestoreProduct takes a product out of the trash, back to the status it
// had (WooCommerce's wp_untrash_post_status filter), and fires
// product.restored.
func (s *Store) RestoreProduct(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.products[id]
	if cur == nil || cur.status != "trash" {
		return ErrNotFound
	}
	cp := *cur
	cp.status, cp.trashedFrom = cur.trashedFrom, ""
	if cp.status == "" {
		cp.status = "publish"
	}
	cp.modified = s.now()
	s.putProduct(&cp)
	s.emit("product", "restored", id)
	return nil
}

// ProductState is a copy of a product or variation.
type ProductState struct {
	ID, ParentID int64
	Type         string // simple, variable, variation, ...
	Name         string
	Status       string
	SKU          string
	GTIN         string
	Price        string
	ManageStock  bool
	Stock        int64
	StockStatus  string
	Variations   []int64
	Created      time.Time
	Modified     time.Time
}

func (s *Store) productState(p *product) ProductState {
	o := s.stockOwner(p)
	return ProductState{ID: p.id, ParentID: p.parent, Type: p.typ, Name: p.name, Status: p.status, SKU: p.sku, GTIN: p.gtin,
		Price: p.price(), ManageStock: o.manage, Stock: o.stock, StockStatus: s.stockStatus(p),
		Variations: slices.Clone(p.children), Created: p.created, Modified: p.modified}
}

// Product returns a copy of a product or variation.
func (s *Store) Product(id int64) (ProductState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.products[id]
	if p == nil {
		return ProductState{}, false
	}
	return s.productState(p), true
}

// ProductBySKU returns the live product or variation with sku.
func (s *Store) ProductBySKU(sku string) (ProductState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if id := s.skuOwner(sku, 0); id != 0 {
		return s.productState(s.products[id]), true
	}
	return ProductState{}, false
}

// Products returns copies of every product and variation, by id.
func (s *Store) Products() []ProductState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]ProductState, 0, len(s.products))
	for _, p := range s.products {
		out = append(out, s.productState(p))
	}
	slices.SortFunc(out, func(a, b ProductState) int { return cmpInt(a.ID, b.ID) })
	return out
}

// OrderSpec describes a storefront order for Store.CreateOrder.
type OrderSpec struct {
	// Status is the status the checkout leaves the order in: processing
	// (paid, the default), on-hold (awaiting payment by bank transfer,
	// say), pending, failed or checkout-draft (a block checkout in
	// progress).
	Status string
	// CreatedVia defaults to "checkout".
	CreatedVia string
	// PaymentMethod defaults to "bacs" (which cannot refund through the
	// API; "stripe" can).
	PaymentMethod string
	Email         string
	Country       string
	Lines         []OrderLineSpec
	// Shipping is the shipping total ("" for none).
	Shipping string
}

// OrderLineSpec is a line of an OrderSpec: a product by SKU or id.
type OrderLineSpec struct {
	SKU       string
	ProductID int64 // a product's or a variation's id
	Quantity  int64
	// Price overrides the unit price.
	Price string
}

// CreateOrder places an order as the storefront would: order.created
// fires (not for checkout-draft), the status moves stock as WooCommerce
// does, and a draft's later saves fire order.updated.
func (s *Store) CreateOrder(spec OrderSpec) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	via := spec.CreatedVia
	if via == "" {
		via = "checkout"
	}
	status := spec.Status
	if status == "" {
		status = "processing"
	}
	if !slices.Contains(orderStatuses, status) {
		return 0, fmt.Errorf("wootest: unknown order status %q", status)
	}
	o := s.newOrder(via)
	o.paymentMethod = spec.PaymentMethod
	if o.paymentMethod == "" {
		o.paymentMethod = "bacs"
	}
	o.paymentTitle = paymentTitle(o.paymentMethod)
	country := spec.Country
	if country == "" {
		country, _, _ = strings.Cut(s.cfg.country, ":")
	}
	email := spec.Email
	if email == "" {
		email = fmt.Sprintf("customer%d@example.com", o.id%100000)
	}
	o.billing = address{FirstName: "Kim", LastName: "Jensen", Address1: "Storgade 1", City: "Aarhus", Postcode: "8000", Country: country, Email: email}
	o.shipping = o.billing
	o.shipping.Email = ""
	for _, l := range spec.Lines {
		m := map[string]any{"quantity": float64(l.Quantity)}
		switch {
		case l.ProductID != 0:
			p := s.products[l.ProductID]
			if p == nil {
				return 0, fmt.Errorf("wootest: no product %d", l.ProductID)
			}
			if p.typ == "variation" {
				m["product_id"], m["variation_id"] = p.parent, p.id
			} else {
				m["product_id"] = p.id
			}
		default:
			m["sku"] = l.SKU
		}
		if l.Price != "" {
			m["total"] = decimal.MulInt(l.Price, l.Quantity)
		}
		if e := s.applyLine(o, m); e != nil {
			return 0, fmt.Errorf("wootest: line %+v: %s", l, e.msg)
		}
	}
	if spec.Shipping != "" {
		o.shippingLines = append(o.shippingLines, shippingLine{id: s.newID(), methodID: "flat_rate", methodTitle: "Flat rate", total: spec.Shipping})
	}
	o.status = "pending"
	if status == "checkout-draft" {
		o.status = status
	}
	s.saveOrder(o, true)
	if status != o.status {
		s.setStatus(o, status)
		s.saveOrder(o, false)
	}
	return o.id, nil
}

func paymentTitle(m string) string {
	switch m {
	case "bacs":
		return "Direct bank transfer"
	case "cod":
		return "Cash on delivery"
	case "stripe":
		return "Credit Card (Stripe)"
	}
	return m
}

// SetOrderStatus changes an order's status as the merchant or a payment
// gateway would (stock moves, notes, order.updated).
func (s *Store) SetOrderStatus(id int64, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.orders[id]
	if cur == nil {
		return ErrNotFound
	}
	if !slices.Contains(orderStatuses, status) {
		return fmt.Errorf("wootest: unknown order status %q", status)
	}
	o := cur.clone()
	s.setStatus(o, status)
	s.saveOrder(o, false)
	return nil
}

// TouchOrder saves an order without changing it (date_modified moves,
// order.updated fires), as a plugin's save would.
func (s *Store) TouchOrder(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.orders[id]
	if cur == nil {
		return ErrNotFound
	}
	s.saveOrder(cur.clone(), false)
	return nil
}

// TrashOrder moves an order to the trash (order.deleted fires with only
// the id).
func (s *Store) TrashOrder(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, e := s.deleteOrderLocked(id, false); e != nil {
		return fmt.Errorf("wootest: %s", e.msg)
	}
	return nil
}

// RestoreOrder takes an order out of the trash (order.restored fires).
func (s *Store) RestoreOrder(id int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.orders[id]
	if cur == nil || cur.status != "trash" {
		return ErrNotFound
	}
	o := cur.clone()
	o.status, o.trashedFrom = o.trashedFrom, ""
	o.modified = s.now()
	s.orders[id] = o
	s.emit("order", "restored", id)
	return nil
}

// RefundSpec is a refund the merchant makes in the admin.
type RefundSpec struct {
	// Amount defaults to the lines' totals.
	Amount string
	Reason string
	// Lines maps order line ids to refunded quantities; their refund
	// totals are the lines' unit price times the quantity.
	Lines   map[int64]int64
	Restock bool
}

// RefundOrder creates a refund without the payment gateway (order.updated
// fires; a full refund moves the order to refunded).
func (s *Store) RefundOrder(id int64, spec RefundSpec) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.orders[id]
	if cur == nil {
		return 0, ErrNotFound
	}
	o := cur.clone()
	var items []any
	for _, l := range o.lines {
		if q, ok := spec.Lines[l.id]; ok && q > 0 {
			unit := divInt(l.total, max(l.qty, 1))
			items = append(items, map[string]any{"id": l.id, "quantity": float64(q), "refund_total": s.formatMoney(decimal.MulInt(unit, q))})
		}
	}
	body := map[string]any{"api_refund": false, "api_restock": spec.Restock, "reason": spec.Reason, "line_items": items}
	if spec.Amount != "" {
		body["amount"] = spec.Amount
	}
	r, e := s.createRefundLocked(o, body)
	if e != nil {
		return 0, fmt.Errorf("wootest: %s", e.msg)
	}
	return r.id, nil
}

// OrderState is a copy of an order.
type OrderState struct {
	ID           int64
	Number       string
	Status       string
	CreatedVia   string
	Currency     string
	Total        string
	Created      time.Time
	Modified     time.Time
	StockReduced bool
	Lines        []OrderLineState
	Refunds      []RefundState
	Notes        []NoteState
	Fulfillments []FulfillmentState
	Meta         map[string]any
}

// OrderLineState is an order line.
type OrderLineState struct {
	ID, ProductID, VariationID int64
	SKU                        string
	Quantity                   int64
	Total                      string
}

// RefundState is a refund with positive quantities.
type RefundState struct {
	ID              int64
	Amount          string
	Reason          string
	PaymentRefunded bool
	Lines           []RefundLineState
	Meta            map[string]any
}

// RefundLineState is a refunded quantity of an order line.
type RefundLineState struct {
	ItemID   int64
	Quantity int64
	Total    string
}

// NoteState is an order note.
type NoteState struct {
	ID       int64
	Author   string
	Text     string
	Customer bool
}

// FulfillmentState is an order fulfillment.
type FulfillmentState struct {
	ID       int64
	Status   string
	Notified bool
	Meta     map[string]any
}

func metaMap(ms []metaEntry) map[string]any {
	out := map[string]any{}
	for _, m := range ms {
		out[m.key] = m.value
	}
	return out
}

func (s *Store) orderState(o *order) OrderState {
	st := OrderState{ID: o.id, Number: o.number, Status: o.status, CreatedVia: o.createdVia, Currency: o.currency,
		Total: s.formatMoney(o.total()), Created: o.created, Modified: o.modified, StockReduced: o.stockReduced, Meta: metaMap(o.meta)}
	for _, l := range o.lines {
		ls := OrderLineState{ID: l.id, ProductID: l.productID, VariationID: l.variationID, Quantity: l.qty, Total: s.formatMoney(l.total)}
		id := l.productID
		if l.variationID != 0 {
			id = l.variationID
		}
		if p := s.products[id]; p != nil {
			ls.SKU = p.sku
		}
		st.Lines = append(st.Lines, ls)
	}
	for _, r := range o.refunds {
		rs := RefundState{ID: r.id, Amount: s.formatMoney(r.amount), Reason: r.reason, PaymentRefunded: r.payment, Meta: metaMap(r.meta)}
		for _, l := range r.lines {
			var item int64
			for _, m := range l.meta {
				if m.key == "_refunded_item_id" {
					item, _ = parseInt(fmt.Sprint(m.value))
				}
			}
			rs.Lines = append(rs.Lines, RefundLineState{ItemID: item, Quantity: -l.qty, Total: s.formatMoney(decimal.Sub("0", l.total))})
		}
		st.Refunds = append(st.Refunds, rs)
	}
	for _, n := range o.notes {
		st.Notes = append(st.Notes, NoteState{ID: n.id, Author: n.author, Text: n.text, Customer: n.customer})
	}
	for _, f := range o.fulfillments {
		st.Fulfillments = append(st.Fulfillments, FulfillmentState{ID: f.id, Status: f.status, Notified: f.notified, Meta: metaMap(f.meta)})
	}
	return st
}

// Order returns a copy of an order.
func (s *Store) Order(id int64) (OrderState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := s.orders[id]
	if o == nil {
		return OrderState{}, false
	}
	return s.orderState(o), true
}

// Orders returns copies of every order, by id.
func (s *Store) Orders() []OrderState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]OrderState, 0, len(s.orders))
	for _, o := range s.orders {
		out = append(out, s.orderState(o))
	}
	slices.SortFunc(out, func(a, b OrderState) int { return cmpInt(a.ID, b.ID) })
	return out
}

// WebhookState is a copy of a webhook (without its secret).
type WebhookState struct {
	ID              int64
	Name            string
	Status          string
	Topic           string
	DeliveryURL     string
	Failures        int
	PendingDelivery bool
}

// Webhooks returns copies of the store's webhooks, by id.
func (s *Store) Webhooks() []WebhookState {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []WebhookState
	for _, w := range s.webhooks {
		out = append(out, WebhookState{ID: w.id, Name: w.name, Status: w.status, Topic: w.topic, DeliveryURL: w.deliveryURL,
			Failures: w.failures, PendingDelivery: w.pendingDelivery})
	}
	slices.SortFunc(out, func(a, b WebhookState) int { return cmpInt(a.ID, b.ID) })
	return out
}

// AddWebhook creates a webhook as the merchant would in the admin (it is
// pinged) and returns its id.
func (s *Store) AddWebhook(topic, deliveryURL, secret string) (int64, error) {
	s.mu.Lock()
	w, e := s.createWebhookLocked(map[string]any{"topic": topic, "delivery_url": deliveryURL, "secret": secret})
	s.mu.Unlock()
	if e != nil {
		return 0, fmt.Errorf("wootest: %s", e.msg)
	}
	s.ping(w.id)
	return w.id, nil
}

// SetWebhookStatus sets a webhook's status (active, paused or disabled)
// as the merchant would.
func (s *Store) SetWebhookStatus(id int64, status string) error {
	s.mu.Lock()
	_, ping, e := s.updateWebhookLocked(id, map[string]any{"status": status})
	s.mu.Unlock()
	if e != nil {
		return fmt.Errorf("wootest: %s", e.msg)
	}
	if ping {
		s.ping(id)
	}
	return nil
}

// Deliveries returns the store's webhook deliveries so far (the last
// 20,000), oldest first.
func (s *Store) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return slices.Clone(s.hooks.log)
}
