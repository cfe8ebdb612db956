package memwms

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/wmsbridge/wmsbridge/wms"
)

// UpsertProducts implements [wms.Backend]. A supplier named by a product is
// created in the WMS's supplier list the first time it is seen.
// Products are applied in order, so when a batch lists a SKU twice the later
// product decides under the main-shop rule.
func (m *WMS) UpsertProducts(ctx context.Context, products []wms.Product) error {
	if err := wms.ValidateAll("products", products); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		for _, p := range products {
			m.upsertProduct(t, p)
		}
		return nil
	})
}

func (m *WMS) upsertProduct(t *tx, p wms.Product) {
	ref := p.Ref()
	listed := make([]string, 0, len(p.Variants))
	for _, v := range p.Variants {
		it := m.items[v.SKU]
		if it == nil {
			it = &wms.Item{SKU: v.SKU}
			m.items[v.SKU] = it
			t.eval = true // held orders may wait for this item
		}
		if it.Source == "" || p.Main || it.Source == p.Shop {
			it.Source = p.Shop
			it.Title, it.VariantTitle, it.Barcode = p.Title, v.Title, v.Barcode
			it.Brand, it.Supplier = p.Brand, p.Supplier
			it.Price = v.Price
			if !v.Weight.IsZero() {
				it.Weight = v.Weight
			}
			if v.Cost != "" {
				it.Cost = v.Cost
			}
			if !v.Customs.IsZero() {
				it.Customs = v.Customs.Clone()
			}
		}
		if p.Supplier != "" {
			m.suppliers[p.Supplier] = true
		}
		lk := listingKey{p.Shop, v.ExternalID}
		if old, ok := m.listings[lk]; ok && old != v.SKU {
			m.unlist(old, lk)
		}
		m.listings[lk] = v.SKU
		l := wms.Listing{Shop: p.Shop, ProductID: p.ExternalID, VariantID: v.ExternalID, InventoryItemID: v.InventoryItemID}
		if i := slices.IndexFunc(it.Listings, func(x wms.Listing) bool { return x.Shop == l.Shop && x.VariantID == l.VariantID }); i >= 0 {
			if l.InventoryItemID == "" {
				l.InventoryItemID = it.Listings[i].InventoryItemID // not carried: kept
			}
			it.Listings[i] = l
		} else {
			it.Listings = append(it.Listings, l)
			slices.SortFunc(it.Listings, compareListings)
		}
		listed = append(listed, v.ExternalID)
	}
	for _, vid := range m.products[ref] {
		if !slices.Contains(listed, vid) {
			lk := listingKey{p.Shop, vid}
			if sku, ok := m.listings[lk]; ok {
				m.unlist(sku, lk)
				delete(m.listings, lk)
			}
		}
	}
	m.products[ref] = listed
}

func compareListings(a, b wms.Listing) int {
	return cmp.Or(cmp.Compare(a.Shop, b.Shop), cmp.Compare(a.VariantID, b.VariantID))
}

// unlist removes the listing lk from the item sku.
func (m *WMS) unlist(sku string, lk listingKey) {
	if it := m.items[sku]; it != nil {
		it.Listings = slices.DeleteFunc(it.Listings, func(x wms.Listing) bool {
			return x.Shop == lk.shop && x.VariantID == lk.variantID
		})
	}
}

// Item implements [wms.Backend].
func (m *WMS) Item(ctx context.Context, sku string) (wms.Item, error) {
	if err := ctx.Err(); err != nil {
		return wms.Item{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	it := m.items[sku]
	if it == nil {
		return wms.Item{}, fmt.Errorf("memwms: item %q: %w", sku, wms.ErrNotFound)
	}
	return it.Clone(), nil
}

// DeleteProduct implements [wms.ProductDeleter]. Items stay, with their
// stock, even when no shop lists them any more.
func (m *WMS) DeleteProduct(ctx context.Context, ref wms.ProductRef) error {
	return m.update(ctx, func(t *tx) error {
		for _, vid := range m.products[ref] {
			lk := listingKey{ref.Shop, vid}
			if sku, ok := m.listings[lk]; ok {
				m.unlist(sku, lk)
				delete(m.listings, lk)
			}
		}
		delete(m.products, ref)
		return nil
	})
}

// ImportCustoms implements [wms.CustomsImporter].
func (m *WMS) ImportCustoms(ctx context.Context, updates []wms.CustomsUpdate) error {
	if err := wms.ValidateAll("updates", updates); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		var missing wms.NotFoundError
		for _, u := range updates {
			it := m.items[u.SKU]
			if it == nil {
				missing.Add("sku", u.SKU)
				continue
			}
			it.Customs = u.Customs.Clone()
		}
		return missing.Err()
	})
}

// ImportCosts implements [wms.CostImporter]. The imported cost becomes the
// item's average cost, which later purchase orders update.
func (m *WMS) ImportCosts(ctx context.Context, updates []wms.CostUpdate) error {
	if err := wms.ValidateAll("updates", updates); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		var missing wms.NotFoundError
		for _, u := range updates {
			it := m.items[u.SKU]
			if it == nil {
				missing.Add("sku", u.SKU)
				continue
			}
			it.Cost = u.Cost
		}
		return missing.Err()
	})
}

// SetBarcode changes the barcode of sku, as a warehouse worker scanning a
// new EAN would, and emits [wms.BarcodeChanged]. Setting the barcode
// the item already has changes nothing and emits nothing. An unknown SKU
// returns [wms.ErrNotFound].
func (m *WMS) SetBarcode(ctx context.Context, sku, barcode string) error {
	return m.update(ctx, func(t *tx) error {
		it := m.items[sku]
		if it == nil {
			return fmt.Errorf("memwms: item %q: %w", sku, wms.ErrNotFound)
		}
		if it.Barcode == barcode {
			return nil
		}
		t.emit(wms.BarcodeChanged{SKU: sku, Barcode: barcode, Previous: it.Barcode})
		it.Barcode = barcode
		return nil
	})
}

// Items returns every item, ordered by SKU.
func (m *WMS) Items() []wms.Item {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]wms.Item, 0, len(m.items))
	for _, it := range m.items {
		out = append(out, it.Clone())
	}
	slices.SortFunc(out, func(a, b wms.Item) int { return cmp.Compare(a.SKU, b.SKU) })
	return out
}

// CountItems returns the number of items. It implements wmstest.Counter.
func (m *WMS) CountItems(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items), nil
}

// Suppliers returns the suppliers products have named, sorted.
func (m *WMS) Suppliers() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.suppliers))
	for s := range m.suppliers {
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}
