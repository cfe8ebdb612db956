package wootest

import (
	"fmt"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// SeedOptions describe a deterministic catalog and order history for
// Store.Seed.
type SeedOptions struct {
	// Simple and Variable are the numbers of simple and variable
	// products; each variable product has VariationsPer variations
	// (default 3, sizes S, M, L, XL, ...).
	Simple, Variable, VariationsPer int
	// Stock is every product's and variation's managed stock (default 20).
	Stock int64
	// SKUPrefix starts every SKU (default "W"): simple products are
	// PREFIX-S00001, variations PREFIX-V00001-2.
	SKUPrefix string
	// Orders are completed orders spread over the OrderDays days before
	// now (default 30), each with one or two lines of simple products.
	Orders    int
	OrderDays int
}

var sizes = []string{"S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL"}

// Seed adds a catalog and order history without firing webhooks (as an
// import done before the connection). Products get valid EAN-13 GTINs,
// prices and weights; 30,000 products take about a second.
func (s *Store) Seed(o SeedOptions) {
	if o.VariationsPer <= 0 {
		o.VariationsPer = 3
	}
	if o.Stock == 0 {
		o.Stock = 20
	}
	if o.SKUPrefix == "" {
		o.SKUPrefix = "W"
	}
	if o.OrderDays <= 0 {
		o.OrderDays = 30
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	var simple []*product
	price := func(i int) string { return fmt.Sprintf("%d.%02d", 5+i%95, (i*37)%100) }
	for i := 1; i <= o.Simple; i++ {
		p := &product{id: s.newID(), typ: "simple", name: fmt.Sprintf("Simple product %d", i), status: "publish",
			sku: fmt.Sprintf("%s-S%05d", o.SKUPrefix, i), regular: price(i), manage: true, stock: o.Stock, backorders: "no", weight: fmt.Sprintf("0.%d", 1+i%9),
			created: now, modified: now}
		p.slug = slugify(p.name)
		p.gtin = ean13(p.id)
		s.putProduct(p)
		simple = append(simple, p)
	}
	for i := 1; i <= o.Variable; i++ {
		p := &product{id: s.newID(), typ: "variable", name: fmt.Sprintf("Variable product %d", i), status: "publish",
			backorders: "no", created: now, modified: now}
		p.slug = slugify(p.name)
		opts := make([]any, o.VariationsPer)
		for j := range opts {
			opts[j] = sizeName(j)
		}
		p.attributes = []any{map[string]any{"id": 0, "name": "Size", "slug": "size", "position": 0, "visible": true, "variation": true, "options": opts}}
		for j := 0; j < o.VariationsPer; j++ {
			v := &product{id: s.newID(), parent: p.id, typ: "variation", name: p.name, slug: p.slug, status: "publish",
				sku: fmt.Sprintf("%s-V%05d-%d", o.SKUPrefix, i, j+1), regular: price(i + j), manage: true, stock: o.Stock, backorders: "no", weight: "0.5", menuOrder: j,
				varAttrs: []any{map[string]any{"id": int64(0), "name": "Size", "option": sizeName(j)}},
				created:  now, modified: now}
			v.gtin = ean13(v.id)
			s.putProduct(v)
			p.children = append(p.children, v.id)
		}
		s.putProduct(p)
	}
	if len(simple) == 0 {
		return
	}
	for i := 0; i < o.Orders; i++ {
		at := now.Add(-time.Duration(o.OrderDays) * 24 * time.Hour).Add(time.Duration(i) * time.Duration(o.OrderDays) * 24 * time.Hour / time.Duration(o.Orders))
		ord := s.newOrder("checkout")
		ord.created, ord.modified, ord.paid, ord.completed = at, at, at, at
		ord.paymentMethod, ord.paymentTitle = "bacs", paymentTitle("bacs")
		ord.billing = address{FirstName: "Seed", LastName: "Customer", Country: "DK", Email: fmt.Sprintf("seed%d@example.com", i)}
		ord.shipping = ord.billing
		ord.shipping.Email = ""
		lines := 1 + i%2
		for k := 0; k < lines; k++ {
			p := simple[(i*7+k*13)%len(simple)]
			qty := int64(1 + (i+k)%3)
			ord.lines = append(ord.lines, lineItem{id: s.newID(), name: p.name, productID: p.id, qty: qty,
				subtotal: decimal.MulInt(p.regular, qty), total: decimal.MulInt(p.regular, qty)})
		}
		ord.status = "completed"
		ord.stockReduced = true // the catalog's stock is what is left after these sales
		s.orders[ord.id] = ord
	}
}

func sizeName(j int) string {
	if j < len(sizes) {
		return sizes[j]
	}
	return fmt.Sprintf("Size %d", j+1)
}

// ean13 returns a valid EAN-13 with a 57 (Denmark) prefix for n (unique
// for ids within ten billion of each other).
func ean13(n int64) string {
	body := fmt.Sprintf("57%010d", n%10_000_000_000)
	sum := 0
	for i, c := range body {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}
