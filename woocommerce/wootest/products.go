package wootest

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// product is a product or a variation (typ "variation", parent set).
type product struct {
	id, parent  int64
	typ         string
	name, slug  string
	status      string
	trashedFrom string // status before trashing
	desc        string
	sku, gtin   string
	regular     string
	sale        string
	manage      bool
	stock       int64
	stockState  string // when not managed
	backorders  string
	lowStock    *int64
	weight      string
	dims        [3]string
	virtual     bool
	attributes  []any // product attributes as sent ([{id,name,position,visible,variation,options}])
	varAttrs    []any // variation attributes ([{id,name,option}])
	children    []int64
	menuOrder   int
	created     time.Time
	modified    time.Time
	meta        []metaEntry
	totalSales  int64
}

func (p *product) price() string {
	if p.typ == "variable" || p.typ == "grouped" {
		return ""
	}
	if p.sale != "" && (p.regular == "" || decimal.Cmp(p.sale, p.regular) < 0) {
		return p.sale
	}
	return p.regular
}

// stockOwner returns the product whose stock p uses: p, or its parent when
// the parent manages stock and p does not.
func (s *Store) stockOwner(p *product) *product {
	if p.typ == "variation" && !p.manage {
		if parent := s.products[p.parent]; parent != nil && parent.manage {
			return parent
		}
	}
	return p
}

func (s *Store) stockStatus(p *product) string {
	if p.typ == "variable" {
		status := "outofstock"
		for _, c := range p.children {
			if ch := s.products[c]; ch != nil && ch.status != "trash" {
				switch s.stockStatus(ch) {
				case "instock":
					return "instock"
				case "onbackorder":
					status = "onbackorder"
				}
			}
		}
		return status
	}
	o := s.stockOwner(p)
	if !o.manage {
		if o.stockState == "" {
			return "instock"
		}
		return o.stockState
	}
	switch {
	case o.stock > 0:
		return "instock"
	case o.backorders != "no" && o.backorders != "":
		return "onbackorder"
	}
	return "outofstock"
}

func (s *Store) manageStockJSON(p *product) any {
	if p.typ == "variation" && !p.manage && s.stockOwner(p) != p {
		return "parent"
	}
	return p.manage
}

func (s *Store) stockQuantityJSON(p *product) any {
	o := s.stockOwner(p)
	if !o.manage {
		return nil
	}
	return o.stock
}

// productJSON renders a product as GET /products/{id} does (a variation
// read through /products has type "variation" and its parent_id).
func (s *Store) productJSON(p *product) map[string]any {
	m := map[string]any{
		"id": p.id, "name": p.name, "slug": p.slug, "permalink": s.URL() + "/product/" + p.slug + "/",
		"type": p.typ, "status": p.status, "featured": false, "catalog_visibility": "visible",
		"description": p.desc, "short_description": "", "sku": p.sku, "global_unique_id": p.gtin,
		"price": p.price(), "regular_price": p.regular, "sale_price": p.sale,
		"date_on_sale_from": nil, "date_on_sale_from_gmt": nil, "date_on_sale_to": nil, "date_on_sale_to_gmt": nil,
		"price_html": "", "on_sale": p.sale != "" && p.price() == p.sale, "purchasable": p.price() != "" || p.typ == "variable",
		"total_sales": p.totalSales, "virtual": p.virtual, "downloadable": false, "downloads": []any{},
		"download_limit": -1, "download_expiry": -1, "external_url": "", "button_text": "",
		"tax_status": "taxable", "tax_class": "",
		"manage_stock": s.manageStockJSON(p), "stock_quantity": s.stockQuantityJSON(p), "stock_status": s.stockStatus(p),
		"backorders": p.backorders, "backorders_allowed": p.backorders != "no", "backordered": false,
		"low_stock_amount": p.lowStock, "sold_individually": false, "weight": p.weight,
		"dimensions":        map[string]any{"length": p.dims[0], "width": p.dims[1], "height": p.dims[2]},
		"shipping_required": !p.virtual, "shipping_taxable": true, "shipping_class": "", "shipping_class_id": 0,
		"reviews_allowed": true, "average_rating": "0.00", "rating_count": 0,
		"related_ids": []any{}, "upsell_ids": []any{}, "cross_sell_ids": []any{},
		"parent_id": p.parent, "purchase_note": "", "categories": []any{}, "tags": []any{}, "brands": []any{},
		"images": []any{}, "default_attributes": []any{}, "grouped_products": []any{},
		"menu_order": p.menuOrder, "meta_data": renderMeta(p.meta), "has_options": p.typ == "variable", "post_password": "",
		"_links": s.links(idPath("products", p.id), "products", ""),
	}
	if p.typ == "variation" {
		m["attributes"] = orEmpty(p.varAttrs)
		m["variations"] = []any{}
	} else {
		m["attributes"] = orEmpty(p.attributes)
		m["variations"] = orEmptyIDs(p.children)
	}
	s.dates(m, "date_created", p.created)
	s.dates(m, "date_modified", p.modified)
	return m
}

// variationJSON renders a variation as the variations endpoints do;
// withParent adds parent_id (the cross-product listing).
func (s *Store) variationJSON(v *product, withParent bool) map[string]any {
	m := map[string]any{
		"id": v.id, "description": v.desc, "permalink": s.URL() + "/product/" + v.slug + "/",
		"sku": v.sku, "global_unique_id": v.gtin, "price": v.price(), "regular_price": v.regular, "sale_price": v.sale,
		"date_on_sale_from": nil, "date_on_sale_from_gmt": nil, "date_on_sale_to": nil, "date_on_sale_to_gmt": nil,
		"on_sale": v.sale != "" && v.price() == v.sale, "status": v.status, "purchasable": v.price() != "",
		"virtual": v.virtual, "downloadable": false, "downloads": []any{}, "download_limit": -1, "download_expiry": -1,
		"tax_status": "taxable", "tax_class": "",
		"manage_stock": s.manageStockJSON(v), "stock_quantity": s.stockQuantityJSON(v), "stock_status": s.stockStatus(v),
		"backorders": v.backorders, "backorders_allowed": v.backorders != "no", "backordered": false,
		"low_stock_amount": v.lowStock, "weight": v.weight,
		"dimensions":     map[string]any{"length": v.dims[0], "width": v.dims[1], "height": v.dims[2]},
		"shipping_class": "", "shipping_class_id": 0, "image": nil, "attributes": orEmpty(v.varAttrs),
		"menu_order": v.menuOrder, "meta_data": renderMeta(v.meta),
		"_links": s.links(idPath("products", v.parent, "variations", v.id), idPath("products", v.parent, "variations"), idPath("products", v.parent)),
	}
	if withParent {
		m["parent_id"] = v.parent
	}
	s.dates(m, "date_created", v.created)
	s.dates(m, "date_modified", v.modified)
	return m
}

func orEmpty(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

func orEmptyIDs(ids []int64) []any {
	out := make([]any, 0, len(ids))
	for _, id := range ids {
		out = append(out, id)
	}
	return out
}

func idPath(parts ...any) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 {
			b.WriteByte('/')
		}
		switch v := p.(type) {
		case string:
			b.WriteString(v)
		case int64:
			b.WriteString(fmtID(v))
		}
	}
	return b.String()
}

var nonGTIN = regexp.MustCompile(`[^0-9-]`)

// applyProduct validates body and applies it to p (a copy); creating
// tells whether p is new. It does not save.
func (s *Store) applyProduct(p *product, body map[string]any, creating bool) *restError {
	if v, ok, e := bodyString(body, "name"); e != nil {
		return e
	} else if ok {
		p.name = v
		if p.slug == "" {
			p.slug = slugify(v)
		}
	}
	if v, ok, e := bodyString(body, "type"); e != nil {
		return e
	} else if ok && p.typ != "variation" {
		if !slices.Contains([]string{"simple", "grouped", "external", "variable"}, v) {
			return invalidParam("type", "rest_not_in_enum", "type is not one of simple, grouped, external, and variable.")
		}
		p.typ = v
	}
	if v, ok, e := bodyString(body, "status"); e != nil {
		return e
	} else if ok {
		if !slices.Contains([]string{"draft", "pending", "private", "publish", "future"}, v) {
			v = "draft"
		}
		p.status = v
	}
	if v, ok, e := bodyString(body, "description"); e != nil {
		return e
	} else if ok {
		p.desc = v
	}
	if v, ok, e := bodyString(body, "sku"); e != nil {
		return e
	} else if ok {
		v = strings.TrimSpace(v)
		if v != "" {
			if owner := s.skuOwner(v, p.id); owner != 0 {
				return &restError{status: 400, code: "product_invalid_sku", msg: "Invalid or duplicated SKU.",
					data: map[string]any{"resource_id": owner, "unique_sku": s.uniqueSKU(v)}}
			}
		}
		p.sku = v
	}
	if v, ok, e := bodyString(body, "global_unique_id"); e != nil {
		return e
	} else if ok {
		v = nonGTIN.ReplaceAllString(v, "")
		if v != "" {
			if owner := s.gtinOwner(v, p.id); owner != 0 {
				return &restError{status: 400, code: "product_invalid_global_unique_id", msg: "Invalid or duplicated GTIN, UPC, EAN or ISBN.",
					data: map[string]any{"resource_id": owner}}
			}
		}
		p.gtin = v
	}
	if v, ok, e := bodyDecimal(body, "regular_price"); e != nil {
		return e
	} else if ok {
		p.regular = v
	}
	if v, ok, e := bodyDecimal(body, "sale_price"); e != nil {
		return e
	} else if ok {
		p.sale = v
	}
	if v, ok, e := bodyBool(body, "manage_stock"); e != nil {
		return e
	} else if ok {
		p.manage = v
	}
	if v, ok, e := bodyString(body, "backorders"); e != nil {
		return e
	} else if ok {
		if !slices.Contains([]string{"no", "notify", "yes"}, v) {
			return invalidParam("backorders", "rest_not_in_enum", "backorders is not one of no, notify, and yes.")
		}
		p.backorders = v
	}
	if v, ok, e := bodyString(body, "stock_status"); e != nil {
		return e
	} else if ok {
		if !slices.Contains([]string{"instock", "outofstock", "onbackorder"}, v) {
			return invalidParam("stock_status", "rest_not_in_enum", "stock_status is not one of instock, outofstock, and onbackorder.")
		}
		p.stockState = v
	}
	// Stock fields count only when the product manages its stock.
	if p.manage {
		if v, ok, e := bodyInt(body, "stock_quantity"); e != nil {
			return e
		} else if ok {
			p.stock = v
		} else if d, ok, e := bodyInt(body, "inventory_delta"); e != nil {
			return e
		} else if ok {
			p.stock += d // read-modify-write, as WooCommerce does it
		}
	}
	if v, ok, e := bodyInt(body, "low_stock_amount"); e != nil {
		return e
	} else if ok {
		p.lowStock = &v
	}
	if v, ok, e := bodyString(body, "weight"); e != nil {
		return e
	} else if ok {
		p.weight = v
	}
	if d, ok := body["dimensions"].(map[string]any); ok {
		for i, k := range []string{"length", "width", "height"} {
			if v, ok := d[k].(string); ok {
				p.dims[i] = v
			}
		}
	}
	if v, ok, e := bodyBool(body, "virtual"); e != nil {
		return e
	} else if ok {
		p.virtual = v
	}
	if v, ok, e := bodyInt(body, "menu_order"); e != nil {
		return e
	} else if ok {
		p.menuOrder = int(v)
	}
	if a, ok := body["attributes"].([]any); ok {
		if p.typ == "variation" {
			p.varAttrs = s.variationAttributes(p.parent, a)
		} else {
			p.attributes = a
		}
	}
	meta, e := s.applyMeta(p.meta, body)
	if e != nil {
		return e
	}
	p.meta = meta
	if creating && p.status == "" {
		p.status = "publish"
	}
	return nil
}

// variationAttributes keeps the attributes whose names match the parent's
// variation attributes (WooCommerce silently skips others).
func (s *Store) variationAttributes(parentID int64, attrs []any) []any {
	parent := s.products[parentID]
	var names []string
	if parent != nil {
		for _, a := range parent.attributes {
			if m, ok := a.(map[string]any); ok {
				if n, _ := m["name"].(string); n != "" {
					if v, _ := m["variation"].(bool); v {
						names = append(names, strings.ToLower(n))
					}
				}
			}
		}
	}
	var out []any
	for _, a := range attrs {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		n, _ := m["name"].(string)
		if !slices.Contains(names, strings.ToLower(n)) {
			continue
		}
		opt, _ := m["option"].(string)
		out = append(out, map[string]any{"id": anyID(m["id"]), "name": n, "option": opt})
	}
	return out
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// skuOwner returns the id of another live product or variation with sku.
func (s *Store) skuOwner(sku string, self int64) int64 {
	return s.owner(sku, self, s.bySKU, func(p *product) string { return p.sku })
}

func (s *Store) gtinOwner(gtin string, self int64) int64 {
	return s.owner(gtin, self, s.byGTIN, func(p *product) string { return p.gtin })
}

// owner looks v up in an index, falling back to a scan when the indexed
// product is trashed (a live one may share the value).
func (s *Store) owner(v string, self int64, idx map[string]int64, field func(*product) string) int64 {
	if id, ok := idx[v]; ok {
		if p := s.products[id]; p != nil && id != self && field(p) == v && p.status != "trash" {
			return id
		}
		if p := s.products[id]; p != nil && p.status != "trash" && field(p) == v {
			return 0 // self
		}
	} else {
		return 0
	}
	for id, p := range s.products {
		if id != self && field(p) == v && p.status != "trash" {
			return id
		}
	}
	return 0
}

func (s *Store) uniqueSKU(sku string) string {
	for i := 1; ; i++ {
		c := sku + "-" + fmtID(int64(i))
		if s.skuOwner(c, 0) == 0 {
			return c
		}
	}
}

// saveProduct stores p, bumps its modified date and records the webhook
// event. s.mu is held.
func (s *Store) saveProduct(p *product, created bool) {
	now := s.now()
	if created {
		p.created = now
	}
	p.modified = now
	s.putProduct(p)
	if created {
		s.emit("product", "created", p.id)
	} else {
		s.emit("product", "updated", p.id)
	}
}

// productFilter is a product listing's filters, read once per request.
type productFilter struct {
	q              *listQuery
	parents        []int64 // parent: post_parent__in
	notParents     []int64 // parent_exclude
	status         string
	skus, gtins    []string
	typ, stock     string
	withVariations bool
}

func newProductFilter(rc *reqCtx, q *listQuery, withVariations bool) *productFilter {
	var pe paramErrors
	return &productFilter{q: q, parents: rc.idList(&pe, "parent"), notParents: rc.idList(&pe, "parent_exclude"), status: rc.query.Get("status"), skus: splitList(rc.query.Get("sku")),
		gtins: splitList(rc.query.Get("global_unique_id")), typ: rc.query.Get("type"), stock: rc.query.Get("stock_status"),
		withVariations: withVariations}
}

func (s *Store) productMatches(p *product, f *productFilter) bool {
	q := f.q
	if p.typ == "variation" && !f.withVariations {
		return false
	}
	switch {
	case f.status == "" || f.status == "any":
		if p.status == "trash" {
			return false
		}
	case p.status != f.status:
		return false
	}
	if len(f.skus) > 0 && !slices.Contains(f.skus, p.sku) {
		return false
	}
	if len(f.gtins) > 0 && !slices.Contains(f.gtins, p.gtin) {
		return false
	}
	if f.typ != "" && p.typ != f.typ {
		return false
	}
	if len(f.parents) > 0 && !slices.Contains(f.parents, p.parent) || slices.Contains(f.notParents, p.parent) {
		return false
	}
	if f.stock != "" && s.stockStatus(p) != f.stock {
		return false
	}
	if len(q.include) > 0 && !slices.Contains(q.include, p.id) {
		return false
	}
	if slices.Contains(q.exclude, p.id) {
		return false
	}
	if q.search != "" && !strings.Contains(strings.ToLower(p.name), strings.ToLower(q.search)) {
		return false
	}
	return s.dateMatch(q, p.created, p.modified)
}

func splitList(v string) []string {
	var out []string
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func productKey(p *product) sortable {
	return sortable{id: p.id, created: p.created, modified: p.modified, title: p.name, slug: p.slug, menu: p.menuOrder}
}

var productOrderbys = []string{"date", "id", "include", "title", "slug", "modified", "price", "popularity", "rating", "menu_order"}

func (s *Store) listProducts(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, productOrderbys...)
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
	withVariations := rc.query.Get("sku") != "" || rc.query.Get("global_unique_id") != ""
	f := newProductFilter(rc, &q, withVariations)
	var match []*product
	for _, id := range s.idOrder {
		if p := s.products[id]; s.productMatches(p, f) {
			match = append(match, p)
		}
	}
	page, total := pageOf(q, match, productKey)
	out := make([]map[string]any, len(page))
	for i, p := range page {
		out[i] = s.productJSON(p)
	}
	rc.writeList(q, total, out)
}

// invalidProductID is the error for a product id that is missing or a
// variation's, which WooCommerce answers for writes through /products.
func invalidProductID(variation bool) *restError {
	if variation {
		return errorf(404, "woocommerce_rest_invalid_product_id", "To manipulate product variations you should use the /products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.")
	}
	return errorf(404, "woocommerce_rest_invalid_product_id", "Invalid product ID.")
}

func (s *Store) getProduct(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		p := s.products[rc.paramID("id")]
		if p == nil {
			return nil, errorf(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
		}
		return s.productJSON(p), nil
	})
}

func (s *Store) createProduct(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		p, e := s.createProductLocked(rc.body)
		if e != nil {
			return nil, e
		}
		rc.created(idPath("products", p.id))
		return s.productJSON(p), nil
	})
}

func (s *Store) createProductLocked(body map[string]any) (*product, *restError) {
	if anyID(body["id"]) != 0 {
		return nil, errorf(400, "woocommerce_rest_product_exists", "Cannot create existing product.")
	}
	p := &product{typ: "simple", backorders: "no"}
	if e := s.applyProduct(p, body, true); e != nil {
		return nil, e
	}
	p.id = s.newID()
	if p.slug == "" {
		p.slug = "product-" + fmtID(p.id)
	}
	if _, ok := body["stock_quantity"]; ok && p.manage {
		s.counters.StockWrites++
	}
	s.saveProduct(p, true)
	return p, nil
}

func (s *Store) updateProduct(rc *reqCtx) {
	rc.change(actEdit, http.StatusOK, func() (map[string]any, *restError) {
		p, e := s.updateProductLocked(rc.paramID("id"), rc.body)
		if e != nil {
			return nil, e
		}
		return s.productJSON(p), nil
	})
}

func (s *Store) updateProductLocked(id int64, body map[string]any) (*product, *restError) {
	cur := s.products[id]
	switch {
	case cur == nil:
		return nil, errorf(400, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	case cur.typ == "variation":
		return nil, invalidProductID(true)
	}
	p := *cur
	if e := s.applyProduct(&p, body, false); e != nil {
		return nil, e
	}
	if _, ok := body["stock_quantity"]; ok && p.manage {
		s.counters.StockWrites++
	}
	s.saveProduct(&p, false)
	return &p, nil
}

func (s *Store) deleteProduct(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		return s.deleteProductLocked(rc.paramID("id"), rc.force())
	})
}

// deleteProductLocked trashes a product (product.deleted) or, with force,
// deletes it and its variations for good (no webhook: WooCommerce's
// product.deleted listens to trashing only).
func (s *Store) deleteProductLocked(id int64, force bool) (map[string]any, *restError) {
	p := s.products[id]
	switch {
	case p == nil:
		return nil, errorf(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
	case p.typ == "variation":
		return nil, invalidProductID(true)
	}
	before := s.productJSON(p)
	if force {
		for _, c := range p.children {
			s.removeProduct(c)
		}
		s.removeProduct(id)
		return before, nil
	}
	if p.status == "trash" {
		return nil, errorf(410, "woocommerce_rest_already_trashed", "The product has already been deleted.")
	}
	cp := *p
	cp.status, cp.trashedFrom = "trash", p.status
	cp.modified = s.now()
	s.putProduct(&cp)
	s.emit("product", "deleted", id)
	return s.productJSON(&cp), nil
}

// batchLimit checks a batch body against the limit.
func (s *Store) batchItems(body map[string]any) (creates, updates, deletes []any, e *restError) {
	creates, _ = body["create"].([]any)
	updates, _ = body["update"].([]any)
	deletes, _ = body["delete"].([]any)
	if len(creates)+len(updates)+len(deletes) > s.cfg.batchLimit {
		return nil, nil, nil, errorf(413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than %d items for this request.", s.cfg.batchLimit)
	}
	return creates, updates, deletes, nil
}

func itemError(id int64, e *restError) map[string]any {
	return map[string]any{"id": id, "error": map[string]any{"code": e.code, "message": e.msg, "data": e.body()["data"]}}
}

func anyID(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case json.Number:
		n, _ := x.Int64()
		return n
	case float64:
		return int64(x)
	case string:
		n, _ := parseInt(x)
		return n
	case map[string]any:
		return anyID(x["id"])
	}
	return 0
}

// runBatch answers a batch call: items are processed one by one, and a
// failed item is reported in its place while the call answers 200.
func (s *Store) runBatch(rc *reqCtx, create func(map[string]any) (map[string]any, *restError),
	update func(int64, map[string]any) (map[string]any, *restError), del func(int64) (map[string]any, *restError)) {
	if e := rc.permission(actBatch); e != nil {
		rc.fail(e)
		return
	}
	creates, updates, deletes, e := s.batchItems(rc.body)
	if e != nil {
		rc.fail(e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := map[string]any{}
	if len(creates) > 0 {
		var out []any
		for _, it := range creates {
			m, _ := it.(map[string]any)
			if r, e := create(m); e != nil {
				out = append(out, itemError(0, e))
			} else {
				out = append(out, r)
			}
		}
		resp["create"] = out
	}
	if len(updates) > 0 {
		var out []any
		for _, it := range updates {
			m, _ := it.(map[string]any)
			id := anyID(m)
			if r, e := update(id, m); e != nil {
				out = append(out, itemError(id, e))
			} else {
				out = append(out, r)
			}
		}
		resp["update"] = out
	}
	if len(deletes) > 0 {
		var out []any
		for _, it := range deletes {
			id := anyID(it)
			if r, e := del(id); e != nil {
				out = append(out, itemError(id, e))
			} else {
				out = append(out, r)
			}
		}
		resp["delete"] = out
	}
	s.counters.Writes++
	s.counters.BatchItems += int64(len(creates) + len(updates) + len(deletes))
	if len(resp) == 0 {
		rc.writeJSON(http.StatusOK, []any{})
		return
	}
	rc.writeJSON(http.StatusOK, resp)
}

func (s *Store) batchProducts(rc *reqCtx) {
	s.runBatch(rc,
		func(m map[string]any) (map[string]any, *restError) {
			p, e := s.createProductLocked(m)
			if e != nil {
				return nil, e
			}
			return s.productJSON(p), nil
		},
		func(id int64, m map[string]any) (map[string]any, *restError) {
			p, e := s.updateProductLocked(id, m)
			if e != nil {
				return nil, e
			}
			return s.productJSON(p), nil
		},
		func(id int64) (map[string]any, *restError) { return s.deleteProductLocked(id, true) })
}

// ---- variations ----

func (s *Store) variationParent(rc *reqCtx) (*product, *restError) {
	parent := s.products[rc.paramID("product_id")]
	if parent == nil || parent.typ == "variation" {
		return nil, errorf(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
	}
	return parent, nil
}

func (s *Store) listVariations(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, "menu_order", "date", "id", "include", "title", "slug", "modified")
	if rc.query.Get("order") == "" {
		q.order = "asc"
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
	parent, e := s.variationParent(rc)
	if e != nil {
		rc.fail(e)
		return
	}
	f := newProductFilter(rc, &q, true)
	var match []*product
	for _, id := range parent.children {
		if v := s.products[id]; v != nil && s.productMatches(v, f) {
			match = append(match, v)
		}
	}
	page, total := pageOf(q, match, productKey)
	out := make([]map[string]any, len(page))
	for i, v := range page {
		out[i] = s.variationJSON(v, false)
	}
	rc.writeList(q, total, out)
}

func (s *Store) listAllVariations(rc *reqCtx) {
	var pe paramErrors
	q := rc.parseListQuery(&pe, "date", "id", "include", "title", "slug", "modified", "menu_order")
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
	f := newProductFilter(rc, &q, true)
	var match []*product
	for _, id := range s.idOrder {
		if v := s.products[id]; v.typ == "variation" && s.productMatches(v, f) {
			match = append(match, v)
		}
	}
	page, total := pageOf(q, match, productKey)
	out := make([]map[string]any, len(page))
	for i, v := range page {
		out[i] = s.variationJSON(v, true)
	}
	rc.writeList(q, total, out)
}

func (s *Store) getVariation(rc *reqCtx) {
	rc.view(func() (map[string]any, *restError) {
		v := s.products[rc.paramID("id")]
		if v == nil || v.typ != "variation" || v.parent != rc.paramID("product_id") {
			return nil, errorf(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
		}
		return s.variationJSON(v, false), nil
	})
}

func (s *Store) createVariation(rc *reqCtx) {
	rc.change(actCreate, http.StatusCreated, func() (map[string]any, *restError) {
		parent, e := s.variationParent(rc)
		if e != nil {
			return nil, e
		}
		v, e := s.createVariationLocked(parent, rc.body)
		if e != nil {
			return nil, e
		}
		rc.created(idPath("products", parent.id, "variations", v.id))
		return s.variationJSON(v, false), nil
	})
}

func (s *Store) createVariationLocked(parent *product, body map[string]any) (*product, *restError) {
	v := &product{typ: "variation", parent: parent.id, backorders: "no", name: parent.name}
	if e := s.applyProduct(v, body, true); e != nil {
		return nil, e
	}
	v.id = s.newID()
	v.slug = parent.slug
	cp := *parent
	cp.children = append(slices.Clone(parent.children), v.id)
	s.putProduct(&cp)
	if _, ok := body["stock_quantity"]; ok && v.manage {
		s.counters.StockWrites++
	}
	s.saveProduct(v, true)
	return v, nil
}

func (s *Store) updateVariation(rc *reqCtx) {
	rc.change(actEdit, http.StatusOK, func() (map[string]any, *restError) {
		v, e := s.updateVariationLocked(rc.paramID("product_id"), rc.paramID("id"), rc.body)
		if e != nil {
			return nil, e
		}
		return s.variationJSON(v, false), nil
	})
}

func (s *Store) updateVariationLocked(parentID, id int64, body map[string]any) (*product, *restError) {
	cur := s.products[id]
	if cur == nil || cur.typ != "variation" || cur.parent != parentID {
		return nil, errorf(400, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
	}
	v := *cur
	if e := s.applyProduct(&v, body, false); e != nil {
		return nil, e
	}
	if _, ok := body["stock_quantity"]; ok && v.manage {
		s.counters.StockWrites++
	}
	s.saveProduct(&v, false)
	return &v, nil
}

func (s *Store) deleteVariation(rc *reqCtx) {
	rc.change(actDelete, http.StatusOK, func() (map[string]any, *restError) {
		return s.deleteVariationLocked(rc.paramID("product_id"), rc.paramID("id"), rc.force())
	})
}

func (s *Store) deleteVariationLocked(parentID, id int64, force bool) (map[string]any, *restError) {
	v := s.products[id]
	if v == nil || v.typ != "variation" || v.parent != parentID {
		return nil, errorf(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
	}
	if !force {
		return nil, errorf(501, "woocommerce_rest_trash_not_supported", "Variations do not support trashing.")
	}
	before := s.variationJSON(v, false)
	s.removeProduct(id)
	if parent := s.products[parentID]; parent != nil {
		cp := *parent
		cp.children = slices.DeleteFunc(slices.Clone(parent.children), func(c int64) bool { return c == id })
		s.putProduct(&cp)
	}
	return before, nil
}

func (s *Store) batchVariations(rc *reqCtx) {
	s.mu.RLock()
	parent, e := s.variationParent(rc)
	s.mu.RUnlock()
	if e != nil {
		rc.fail(e)
		return
	}
	s.runBatch(rc,
		func(m map[string]any) (map[string]any, *restError) {
			cur := s.products[parent.id]
			if cur == nil {
				return nil, errorf(404, "woocommerce_rest_product_variation_invalid_id", "Invalid ID.")
			}
			v, e := s.createVariationLocked(cur, m)
			if e != nil {
				return nil, e
			}
			return s.variationJSON(v, false), nil
		},
		func(id int64, m map[string]any) (map[string]any, *restError) {
			v, e := s.updateVariationLocked(parent.id, id, m)
			if e != nil {
				return nil, e
			}
			return s.variationJSON(v, false), nil
		},
		func(id int64) (map[string]any, *restError) { return s.deleteVariationLocked(parent.id, id, true) })
}
