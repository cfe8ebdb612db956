package memwms

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Refund makes a refund in the WMS's returns system and emits
// [wms.RefundCreated]. Lines with Restock put their units back on hand
// in r.Warehouse (default: the warehouse the order shipped from, else the
// order's warehouse, else the default warehouse), which emits
// [wms.StockChanged] and re-evaluates held orders.
//
// The refund's ID identifies it: a refund with an ID already made changes
// nothing and returns nil. A line's SKU, when empty, is taken from the
// order line. An unknown order returns [wms.ErrNotFound]; a line the order
// does not have, or refunding more units of a line than it has, returns an
// error matching [wms.ErrInvalid].
func (m *WMS) Refund(ctx context.Context, r wms.Refund) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.Lines = slices.Clone(r.Lines)
	return m.update(ctx, func(t *tx) error {
		if _, done := m.refunds[r.ID]; done {
			return nil
		}
		rec := m.orders[r.Order]
		if rec == nil {
			return fmt.Errorf("memwms: refund %q: order %s: %w", r.ID, r.Order, wms.ErrNotFound)
		}
		r.Warehouse = cmp.Or(r.Warehouse, rec.resWH, rec.order.Warehouse, m.defaultWarehouse())
		if !m.whSet[r.Warehouse] {
			return fmt.Errorf("memwms: refund %q: warehouse %q: %w", r.ID, r.Warehouse, wms.ErrNotFound)
		}
		if r.Currency == "" {
			r.Currency = rec.order.Currency
		}
		want := map[string]int64{}
		for i, l := range r.Lines {
			j := slices.IndexFunc(rec.order.Lines, func(ol wms.OrderLine) bool { return ol.ExternalID == l.LineID })
			if j < 0 {
				return &wms.ValidationError{Field: fmt.Sprintf("lines[%d].line_id", i), Reason: fmt.Sprintf("order %s has no line %q", r.Order, l.LineID)}
			}
			ol := rec.order.Lines[j]
			if l.SKU == "" {
				r.Lines[i].SKU = ol.SKU
			}
			want[l.LineID] += l.Quantity
			if rec.refunded[l.LineID]+want[l.LineID] > ol.Quantity {
				return &wms.ValidationError{Field: fmt.Sprintf("lines[%d].quantity", i),
					Reason: fmt.Sprintf("refunds %d of line %q which has %d (%d refunded before)", want[l.LineID], l.LineID, ol.Quantity, rec.refunded[l.LineID])}
			}
		}
		for _, l := range r.Lines {
			rec.refunded[l.LineID] += l.Quantity
			if l.Restock && m.items[l.SKU] != nil {
				t.level(l.SKU, r.Warehouse).OnHand += l.Quantity
				t.eval = true
			}
		}
		m.refunds[r.ID] = r
		ev := r
		ev.Lines = slices.Clone(r.Lines)
		t.emit(wms.RefundCreated{Refund: ev})
		return nil
	})
}
