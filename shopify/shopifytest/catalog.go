package shopifytest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// ErrNotFound is returned by control-API methods for an unknown ID.
var ErrNotFound = errors.New("shopifytest: not found")

// LocationSpec describes a location to add.
type LocationSpec struct {
	Name        string
	Inactive    bool
	CountryCode string // default "DE"
	City        string
}

// AddLocation adds a location (active, fulfilling online orders, shipping
// inventory) and returns it. It records a locations/create event.
func (s *Shop) AddLocation(spec LocationSpec) Location {
	s.mu.Lock()
	defer s.unlock()
	l := s.addLocationLocked(spec)
	return *l
}

func (s *Shop) addLocationLocked(spec LocationSpec) *Location {
	now := s.now()
	cc := spec.CountryCode
	if cc == "" {
		cc = "DE"
	}
	l := &Location{
		ID: s.newID(), Name: spec.Name, Active: !spec.Inactive, FulfillsOnlineOrders: true,
		ShipsInventory: true, City: spec.City, CountryCode: cc, Address1: "Lagerstraße 1", Zip: "10115",
		CreatedAt: now, UpdatedAt: now,
	}
	if l.Name == "" {
		l.Name = fmt.Sprintf("Location %d", len(s.locationOrder)+1)
	}
	s.locations[l.ID] = l
	s.locationOrder = append(s.locationOrder, l.ID)
	cp := *l
	s.emit("locations/create", "Location", l.ID, &cp)
	return l
}

// Locations returns all locations in creation order.
func (s *Shop) Locations() []Location {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Location, 0, len(s.locationOrder))
	for _, id := range s.locationOrder {
		out = append(out, *s.locations[id])
	}
	return out
}

// ProductSpec describes a product to create through the control API.
type ProductSpec struct {
	Title       string
	Vendor      string
	ProductType string
	Status      string // default ACTIVE
	Tags        []string
	Variants    []VariantSpec
}

// VariantSpec describes one variant and its inventory item.
type VariantSpec struct {
	Title                string
	SKU                  string
	Barcode              string
	Price                shopify.Decimal
	Cost                 shopify.Decimal
	HarmonizedSystemCode string
	CountryCodeOfOrigin  string
	ProvinceCodeOfOrigin string
	WeightGrams          int
	// Stock maps location IDs to the available quantity; the item is
	// activated at exactly these locations.
	Stock map[int64]int
}

// CreateProduct creates a product with its variants, inventory items and
// levels. It records products/create, inventory_items/create and
// inventory_levels/connect events.
func (s *Shop) CreateProduct(spec ProductSpec) (Product, error) {
	s.mu.Lock()
	defer s.unlock()
	for _, v := range spec.Variants {
		for loc := range v.Stock {
			if s.locations[loc] == nil {
				return Product{}, fmt.Errorf("%w: location %d", ErrNotFound, loc)
			}
		}
	}
	p := s.createProductLocked(spec, true)
	return copyProduct(p), nil
}

func (s *Shop) createProductLocked(spec ProductSpec, events bool) *Product {
	now := s.now()
	p := &Product{
		ID: s.newID(), Title: spec.Title, Vendor: spec.Vendor, ProductType: spec.ProductType,
		Status: spec.Status, Tags: slices.Clone(spec.Tags), CreatedAt: now, UpdatedAt: now,
	}
	if p.Status == "" {
		p.Status = "ACTIVE"
	}
	p.Handle = handleize(p.Title, p.ID)
	s.products[p.ID] = p
	s.productOrder = append(s.productOrder, p.ID)
	for i, vs := range spec.Variants {
		s.addVariantLocked(p, i+1, vs, now, events)
	}
	if events {
		s.emit("products/create", "Product", p.ID, ptr(copyProduct(p)))
	}
	return p
}

func (s *Shop) addVariantLocked(p *Product, pos int, vs VariantSpec, now time.Time, events bool) *Variant {
	item := &InventoryItem{
		ID: s.newID(), SKU: vs.SKU, Tracked: true, RequiresShipping: true, UnitCost: vs.Cost,
		HarmonizedSystemCode: vs.HarmonizedSystemCode, CountryCodeOfOrigin: vs.CountryCodeOfOrigin,
		ProvinceCodeOfOrigin: vs.ProvinceCodeOfOrigin, CreatedAt: now, UpdatedAt: now,
	}
	if vs.WeightGrams > 0 {
		item.WeightValue, item.WeightUnit = shopify.Decimal(fmt.Sprint(vs.WeightGrams)), "GRAMS"
	}
	v := &Variant{
		ID: s.newID(), ProductID: p.ID, Title: vs.Title, Position: pos, Barcode: vs.Barcode,
		Price: vs.Price, Taxable: true, InventoryPolicy: "DENY", InventoryItemID: item.ID,
		CreatedAt: now, UpdatedAt: now,
	}
	if v.Title == "" {
		v.Title = "Default Title"
	}
	if v.Price == "" {
		v.Price = "0.00"
	}
	item.VariantID = v.ID
	s.items[item.ID] = item
	s.variants[v.ID] = v
	p.VariantIDs = append(p.VariantIDs, v.ID)
	if events {
		s.emit("inventory_items/create", "InventoryItem", item.ID, ptr(copyItem(item)))
	}
	locs := make([]int64, 0, len(vs.Stock))
	for _, l := range s.locationOrder { // deterministic order
		if _, ok := vs.Stock[l]; ok {
			locs = append(locs, l)
		}
	}
	for _, l := range locs {
		lv := s.activateLocked(item.ID, l, now, events)
		lv.Quantities["available"] = vs.Stock[l]
	}
	return v
}

// Product returns a product by legacy ID.
func (s *Shop) Product(id int64) (Product, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := s.products[id]
	if p == nil {
		return Product{}, false
	}
	return copyProduct(p), true
}

// Products returns all products in ID order.
func (s *Shop) Products() []Product {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Product, 0, len(s.productOrder))
	for _, id := range s.productOrder {
		out = append(out, copyProduct(s.products[id]))
	}
	return out
}

// ProductCount returns the number of products.
func (s *Shop) ProductCount() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.productOrder)
}

// Variant returns a variant by legacy ID.
func (s *Shop) Variant(id int64) (Variant, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v := s.variants[id]
	if v == nil {
		return Variant{}, false
	}
	return *v, true
}

// VariantBySKU returns the variant whose inventory item has the SKU.
func (s *Shop) VariantBySKU(sku string) (Variant, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, pid := range s.productOrder {
		for _, vid := range s.products[pid].VariantIDs {
			v := s.variants[vid]
			if s.items[v.InventoryItemID].SKU == sku {
				return *v, true
			}
		}
	}
	return Variant{}, false
}

// InventoryItem returns an inventory item by legacy ID.
func (s *Shop) InventoryItem(id int64) (InventoryItem, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	it := s.items[id]
	if it == nil {
		return InventoryItem{}, false
	}
	return copyItem(it), true
}

// ProductEdit holds the product fields EditProduct may change.
type ProductEdit struct {
	Title       *string
	Vendor      *string
	ProductType *string
	Status      *string
	Tags        []string // nil = unchanged
}

// EditProduct changes product fields, bumps updatedAt and records a
// products/update event.
func (s *Shop) EditProduct(id int64, e ProductEdit) (Product, error) {
	s.mu.Lock()
	defer s.unlock()
	p := s.products[id]
	if p == nil {
		return Product{}, fmt.Errorf("%w: product %d", ErrNotFound, id)
	}
	if e.Title != nil {
		p.Title = *e.Title
	}
	if e.Vendor != nil {
		p.Vendor = *e.Vendor
	}
	if e.ProductType != nil {
		p.ProductType = *e.ProductType
	}
	if e.Status != nil {
		p.Status = *e.Status
	}
	if e.Tags != nil {
		p.Tags = slices.Clone(e.Tags)
	}
	s.touchProductLocked(p)
	return copyProduct(p), nil
}

// VariantEdit holds the variant and inventory-item fields EditVariant may change.
type VariantEdit struct {
	SKU     *string
	Barcode *string
	Price   *shopify.Decimal
	Cost    *shopify.Decimal
}

// EditVariant changes a variant (and its item), bumps updatedAt and records
// products/update (and inventory_items/update when the item changed).
func (s *Shop) EditVariant(id int64, e VariantEdit) (Variant, error) {
	s.mu.Lock()
	defer s.unlock()
	v := s.variants[id]
	if v == nil {
		return Variant{}, fmt.Errorf("%w: variant %d", ErrNotFound, id)
	}
	item := s.items[v.InventoryItemID]
	now := s.now()
	if e.Barcode != nil {
		v.Barcode = *e.Barcode
	}
	if e.Price != nil {
		v.Price = *e.Price
	}
	if e.SKU != nil || e.Cost != nil {
		if e.SKU != nil {
			item.SKU = *e.SKU
		}
		if e.Cost != nil {
			item.UnitCost = *e.Cost
		}
		item.UpdatedAt = now
		s.emit("inventory_items/update", "InventoryItem", item.ID, ptr(copyItem(item)))
	}
	v.UpdatedAt = now
	s.touchProductLocked(s.products[v.ProductID])
	return *v, nil
}

func (s *Shop) touchProductLocked(p *Product) {
	p.UpdatedAt = s.now()
	s.emit("products/update", "Product", p.ID, ptr(copyProduct(p)))
}

// DeleteProduct deletes a product with its variants, inventory items and
// levels, recording products/delete and inventory_items/delete events.
func (s *Shop) DeleteProduct(id int64) error {
	s.mu.Lock()
	defer s.unlock()
	p := s.products[id]
	if p == nil {
		return fmt.Errorf("%w: product %d", ErrNotFound, id)
	}
	for _, vid := range p.VariantIDs {
		v := s.variants[vid]
		item := s.items[v.InventoryItemID]
		for _, loc := range s.itemLevels[item.ID] {
			k := levelKey{item.ID, loc}
			delete(s.levelByID, s.levels[k].ID)
			delete(s.levels, k)
		}
		delete(s.itemLevels, item.ID)
		delete(s.items, item.ID)
		delete(s.variants, vid)
		s.emit("inventory_items/delete", "InventoryItem", item.ID, ptr(copyItem(item)))
	}
	delete(s.products, id)
	if i, ok := slices.BinarySearch(s.productOrder, id); ok {
		s.productOrder = slices.Delete(s.productOrder, i, i+1)
	}
	s.emit("products/delete", "Product", id, ptr(copyProduct(p)))
	return nil
}

// ---- copies -------------------------------------------------------------------

func ptr[T any](v T) *T { return &v }

func copyProduct(p *Product) Product {
	c := *p
	c.Tags = slices.Clone(p.Tags)
	c.VariantIDs = slices.Clone(p.VariantIDs)
	return c
}

func copyItem(it *InventoryItem) InventoryItem {
	c := *it
	c.CountryHarmonizedSystemCodes = slices.Clone(it.CountryHarmonizedSystemCodes)
	return c
}

func copyLevel(l *InventoryLevel) InventoryLevel {
	c := *l
	c.Quantities = make(map[string]int, len(l.Quantities))
	for k, v := range l.Quantities {
		c.Quantities[k] = v
	}
	return c
}

func handleize(title string, id int64) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	h := strings.TrimSuffix(b.String(), "-")
	if h == "" {
		h = fmt.Sprintf("product-%d", id)
	}
	return h
}
