package shopify

import (
	"fmt"
	"io"
	"iter"
	"time"
)

// Ready-made bulk queries for the imports a WMS needs. Each comes with a
// typed row reader (streaming, constant memory) and, for products, a
// grouped reader that assembles each product with its variants.
//
// Shopify allows at most two levels of nested connections in a bulk query,
// so products → variants → inventory levels cannot be one query: the
// products export carries each variant's inventory item (cost, customs
// data), and the inventory levels export carries the per-location
// quantities, keyed by inventory item.

// BulkProductsQuery returns the bulk query exporting products with their
// variants and each variant's inventory item. search is an optional Shopify
// product search (e.g. "updated_at:>='2026-01-01T00:00:00Z'", "status:ACTIVE");
// "" exports every product. Read the result with ReadProductExport or
// GroupProductExport.
func BulkProductsQuery(search string) (string, error) {
	return InlineBulkQuery(opBulkProductsExport, searchVars(search))
}

// BulkInventoryLevelsQuery returns the bulk query exporting every inventory
// item with its inventory levels (one row per item and location) and the
// named quantities (default "available" and "on_hand"). search is an
// optional inventory item search (filters: created_at, id, sku,
// updated_at). Read the result with ReadInventoryLevelsExport.
func BulkInventoryLevelsQuery(search string, names ...string) (string, error) {
	if len(names) == 0 {
		names = []string{"available", "on_hand"}
	}
	v := searchVars(search)
	v["names"] = names
	return InlineBulkQuery(opBulkInventoryLevelsExport, v)
}

// BulkOrdersQuery returns the bulk query exporting the orders created at or
// after since (all orders when since is zero) with their line items, for
// sales history. Orders older than 60 days need the read_all_orders scope.
// Read the result with ReadOrdersExport.
func BulkOrdersQuery(since time.Time) (string, error) {
	q := ""
	if !since.IsZero() {
		q = fmt.Sprintf("created_at:>='%s'", since.UTC().Format(time.RFC3339))
	}
	return InlineBulkQuery(opBulkOrdersExport, searchVars(q))
}

// searchVars sets $query when search is not empty; unset, the argument
// is dropped from the inlined query.
func searchVars(search string) map[string]any {
	v := map[string]any{}
	optString(v, "query", search)
	return v
}

// ProductExportRow is one row of the products export: exactly one of
// Product and Variant is set. A variant row's ParentID is its product's ID
// (Variant.Product.ID is set to it as well). Rows arrive in file order: a
// product before its variants, but not necessarily directly before them.
type ProductExportRow struct {
	ParentID string
	Product  *Product
	Variant  *ProductVariant
}

// ReadProductExport streams the rows of a BulkProductsQuery result in
// constant memory. Iteration stops after the first error.
func ReadProductExport(r io.Reader) iter.Seq2[ProductExportRow, error] {
	return func(yield func(ProductExportRow, error) bool) {
		for row, err := range BulkRows(r) {
			if err != nil {
				yield(ProductExportRow{}, err)
				return
			}
			out, err := decodeProductRow(row)
			if !yield(out, err) || err != nil {
				return
			}
		}
	}
}

func decodeProductRow(row BulkRow) (ProductExportRow, error) {
	out := ProductExportRow{ParentID: row.ParentID}
	switch row.Type() {
	case "Product":
		var p Product
		if err := row.Decode(&p); err != nil {
			return out, err
		}
		out.Product = &p
	case "ProductVariant":
		var v ProductVariant
		if err := row.Decode(&v); err != nil {
			return out, err
		}
		v.Product.ID = row.ParentID
		out.Variant = &v
	default:
		return out, fmt.Errorf("%w: line %d: unexpected %q row in a products export", ErrBulkMalformed, row.Line, row.Type())
	}
	return out, nil
}

// GroupProductExport yields each product of a BulkProductsQuery result with
// all its variants (in file order) in Product.Variants, correct whether or
// not Shopify wrote the variants next to their product. Memory and disk use
// are those of GroupBulkRows (opts may be nil); when the query ran with
// GroupObjects, GroupAdjacentBulkRows-based streaming would also do, but
// this function does not depend on it.
func GroupProductExport(r io.Reader, opts *GroupOptions) iter.Seq2[*Product, error] {
	return func(yield func(*Product, error) bool) {
		for g, err := range GroupBulkRows(r, opts) {
			if err != nil {
				yield(nil, err)
				return
			}
			p, err := assembleProduct(g)
			if !yield(p, err) || err != nil {
				return
			}
		}
	}
}

func assembleProduct(g BulkGroup) (*Product, error) {
	root, err := decodeProductRow(g.Root)
	if err != nil {
		return nil, err
	}
	if root.Product == nil {
		return nil, fmt.Errorf("%w: root row %s is not a product", ErrBulkMalformed, g.Root.ID)
	}
	p := root.Product
	p.Variants = make([]ProductVariant, 0, len(g.Descendants))
	for _, row := range g.Descendants {
		r, err := decodeProductRow(row)
		if err != nil {
			return nil, err
		}
		if r.Variant == nil {
			return nil, fmt.Errorf("%w: product %s has a nested %s row", ErrBulkMalformed, p.ID, row.Type())
		}
		p.Variants = append(p.Variants, *r.Variant)
	}
	p.VariantsCount = len(p.Variants)
	return p, nil
}

// InventoryLevelsExportRow is one row of the inventory levels export:
// exactly one of Item and Level is set; a level row's ParentID is its
// inventory item's ID.
type InventoryLevelsExportRow struct {
	ParentID string
	Item     *InventoryItem
	Level    *InventoryLevel
}

// ReadInventoryLevelsExport streams the rows of a BulkInventoryLevelsQuery
// result in constant memory. Iteration stops after the first error.
func ReadInventoryLevelsExport(r io.Reader) iter.Seq2[InventoryLevelsExportRow, error] {
	return func(yield func(InventoryLevelsExportRow, error) bool) {
		for row, err := range BulkRows(r) {
			if err != nil {
				yield(InventoryLevelsExportRow{}, err)
				return
			}
			out := InventoryLevelsExportRow{ParentID: row.ParentID}
			switch row.Type() {
			case "InventoryItem":
				out.Item = new(InventoryItem)
				err = row.Decode(out.Item)
			case "InventoryLevel":
				out.Level = new(InventoryLevel)
				err = row.Decode(out.Level)
			default:
				err = fmt.Errorf("%w: line %d: unexpected %q row in an inventory levels export", ErrBulkMalformed, row.Line, row.Type())
			}
			if !yield(out, err) || err != nil {
				return
			}
		}
	}
}

// OrdersExportRow is one row of the orders export: exactly one of Order and
// LineItem is set; a line item row's ParentID is its order's ID.
type OrdersExportRow struct {
	ParentID string
	Order    *Order
	LineItem *LineItem
}

// ReadOrdersExport streams the rows of a BulkOrdersQuery result in constant
// memory. Iteration stops after the first error.
func ReadOrdersExport(r io.Reader) iter.Seq2[OrdersExportRow, error] {
	return func(yield func(OrdersExportRow, error) bool) {
		for row, err := range BulkRows(r) {
			if err != nil {
				yield(OrdersExportRow{}, err)
				return
			}
			out := OrdersExportRow{ParentID: row.ParentID}
			switch row.Type() {
			case "Order":
				out.Order = new(Order)
				err = row.Decode(out.Order)
			case "LineItem":
				out.LineItem = new(LineItem)
				err = row.Decode(out.LineItem)
			default:
				err = fmt.Errorf("%w: line %d: unexpected %q row in an orders export", ErrBulkMalformed, row.Line, row.Type())
			}
			if !yield(out, err) || err != nil {
				return
			}
		}
	}
}
