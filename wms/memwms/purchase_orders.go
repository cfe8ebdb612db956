package memwms

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// CreatePurchaseOrder opens a purchase order and returns it as stored. An
// empty ID is assigned ("PO-1", "PO-2" ...); Warehouse "" means the default
// warehouse. Every line needs a known SKU, a quantity of at least 1 and a
// non-negative unit cost; Received is reset to zero. An ID already in use,
// or a bad line, returns an error matching [wms.ErrInvalid]; an unknown SKU
// or warehouse one matching [wms.ErrNotFound].
func (m *WMS) CreatePurchaseOrder(ctx context.Context, po wms.PurchaseOrder) (wms.PurchaseOrder, error) {
	po.Lines = append([]wms.PurchaseOrderLine(nil), po.Lines...)
	for i, l := range po.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		switch {
		case l.SKU == "":
			return wms.PurchaseOrder{}, &wms.ValidationError{Field: f + ".sku", Reason: "empty"}
		case l.Quantity < 1:
			return wms.PurchaseOrder{}, &wms.ValidationError{Field: f + ".quantity", Reason: fmt.Sprintf("%d is less than 1", l.Quantity)}
		case l.UnitCost == "" || !l.UnitCost.Valid() || l.UnitCost.Sign() < 0:
			return wms.PurchaseOrder{}, &wms.ValidationError{Field: f + ".unit_cost", Reason: fmt.Sprintf("%q is not a non-negative decimal", string(l.UnitCost))}
		}
		po.Lines[i].Received = 0
	}
	var out wms.PurchaseOrder
	err := m.update(ctx, func(t *tx) error {
		if _, ok := m.pos[po.ID]; ok && po.ID != "" {
			return &wms.ValidationError{Field: "id", Reason: fmt.Sprintf("purchase order %q exists", po.ID)}
		}
		po.Warehouse = cmp.Or(po.Warehouse, m.defaultWarehouse())
		var missing wms.NotFoundError
		for _, l := range po.Lines {
			m.known(&missing, l.SKU, po.Warehouse)
		}
		if missing.Err() != nil {
			return fmt.Errorf("memwms: purchase order: %s: %w", missing.Error(), wms.ErrNotFound)
		}
		for po.ID == "" || m.pos[po.ID] != nil {
			m.poSeq++
			po.ID = fmt.Sprintf("PO-%d", m.poSeq)
		}
		po.Status, po.ClosedAt = wms.PurchaseOrderStatusOpen, time.Time{}
		stored := clonePO(po)
		m.pos[po.ID] = &stored
		out = clonePO(po)
		return nil
	})
	return out, err
}

// ReceivePurchaseOrder books qty units of sku on the purchase order into
// its warehouse and re-evaluates held orders. When the purchase order has
// several lines for sku, units fill them in line order; receiving more than
// was ordered is allowed and counts on the last of them. Each call receives more goods. An unknown purchase
// order or a SKU not on it returns [wms.ErrNotFound]; a closed purchase
// order or qty < 1 an error matching [wms.ErrInvalid].
func (m *WMS) ReceivePurchaseOrder(ctx context.Context, id, sku string, qty int64) error {
	if qty < 1 {
		return &wms.ValidationError{Field: "qty", Reason: fmt.Sprintf("%d is less than 1", qty)}
	}
	return m.update(ctx, func(t *tx) error {
		po := m.pos[id]
		if po == nil {
			return fmt.Errorf("memwms: purchase order %q: %w", id, wms.ErrNotFound)
		}
		if po.Status != wms.PurchaseOrderStatusOpen {
			return &wms.ValidationError{Field: "id", Reason: fmt.Sprintf("purchase order %q is closed", id)}
		}
		// Fill the SKU's lines in order; what is left over goes to the last.
		target := -1
		for i, l := range po.Lines {
			if l.SKU != sku {
				continue
			}
			target = i
			if l.Received < l.Quantity {
				break
			}
		}
		if target < 0 {
			return fmt.Errorf("memwms: purchase order %q has no line for SKU %q: %w", id, sku, wms.ErrNotFound)
		}
		for i := range po.Lines {
			if qty == 0 {
				break
			}
			l := &po.Lines[i]
			if l.SKU != sku || i < target {
				continue
			}
			take := qty
			if i != lastLine(po.Lines, sku) {
				take = min(qty, max(l.Quantity-l.Received, 0))
			}
			l.Received += take
			qty -= take
			t.level(sku, po.Warehouse).OnHand += take
		}
		t.eval = true
		return nil
	})
}

// ClosePurchaseOrder closes a purchase order, updates the weighted average
// cost of every SKU received on it, and emits [wms.PurchaseOrderClosed]
// with the new costs. Closing a closed purchase order changes
// nothing and returns nil; an unknown one returns [wms.ErrNotFound].
//
// For a SKU with r units received at a total cost of c (the sum of each
// line's received units times its unit cost) and q units on hand in all
// warehouses before them (the current on-hand total minus r, at least 0),
// the new average cost is
//
//	(q × old cost + c) / (q + r)
//
// rounded half away from zero to the largest scale among the old cost, the
// unit costs and 2 decimals. When the item has no cost yet, q counts as 0.
// Lines with nothing received leave their SKU's cost alone.
func (m *WMS) ClosePurchaseOrder(ctx context.Context, id string) error {
	return m.update(ctx, func(t *tx) error {
		po := m.pos[id]
		if po == nil {
			return fmt.Errorf("memwms: purchase order %q: %w", id, wms.ErrNotFound)
		}
		if po.Status == wms.PurchaseOrderStatusClosed {
			return nil
		}
		type acc struct {
			received int64
			cost     wms.Decimal
			scale    int
		}
		var order []string
		accs := map[string]*acc{}
		for _, l := range po.Lines {
			if l.Received == 0 {
				continue
			}
			a := accs[l.SKU]
			if a == nil {
				a = &acc{cost: "0", scale: 2}
				accs[l.SKU] = a
				order = append(order, l.SKU)
			}
			a.received += l.Received
			a.cost = a.cost.Add(l.UnitCost.MulInt(l.Received))
			a.scale = max(a.scale, l.UnitCost.Scale())
		}
		var costs []wms.ItemCost
		for _, sku := range order {
			a := accs[sku]
			it := m.items[sku]
			if it == nil {
				continue // cannot happen: items are never deleted
			}
			var onHand int64
			for _, w := range m.warehouses {
				onHand += m.levelOf(sku, w.ID).OnHand
			}
			before := max(onHand-a.received, 0)
			if it.Cost == "" {
				before = 0
			}
			total := it.Cost.MulInt(before).Add(a.cost)
			avg, err := total.DivInt(before+a.received, max(a.scale, it.Cost.Scale()))
			if err != nil {
				return err // cannot happen: a.received > 0
			}
			it.Cost = avg
			costs = append(costs, wms.ItemCost{SKU: sku, Cost: avg})
		}
		po.Status, po.ClosedAt = wms.PurchaseOrderStatusClosed, m.now()
		t.emit(wms.PurchaseOrderClosed{PurchaseOrder: clonePO(*po), Costs: costs})
		return nil
	})
}

// PurchaseOrder returns the purchase order with id, or [wms.ErrNotFound].
func (m *WMS) PurchaseOrder(ctx context.Context, id string) (wms.PurchaseOrder, error) {
	if err := ctx.Err(); err != nil {
		return wms.PurchaseOrder{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	po := m.pos[id]
	if po == nil {
		return wms.PurchaseOrder{}, fmt.Errorf("memwms: purchase order %q: %w", id, wms.ErrNotFound)
	}
	return clonePO(*po), nil
}

func clonePO(po wms.PurchaseOrder) wms.PurchaseOrder {
	po.Lines = append([]wms.PurchaseOrderLine(nil), po.Lines...)
	return po
}

func lastLine(lines []wms.PurchaseOrderLine, sku string) int {
	last := -1
	for i, l := range lines {
		if l.SKU == sku {
			last = i
		}
	}
	return last
}
