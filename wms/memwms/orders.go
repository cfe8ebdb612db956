package memwms

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"

	"github.com/wmsbridge/wmsbridge/wms"
)

// orderRec is an order and the warehouse's bookkeeping for it.
type orderRec struct {
	order    wms.Order
	seq      int64            // arrival order: older held orders are released first
	reserved map[string]int64 // sku -> units reserved at resWH while released
	resWH    string
	refunded map[string]int64 // line id -> units refunded
	captured wms.Decimal
}

// UpsertOrder implements [wms.Backend].
//
// A new open order starts held. Whenever stock arrives or is freed (receipts,
// stock imports and movements, purchase order receipts, restocking refunds,
// cancellations), and whenever an item is created, the WMS re-evaluates its
// held open orders, oldest first: an order whose every SKU exists as an item
// and whose lines can all be fulfilled from the available stock of its
// warehouse is released to picking and its units are reserved. An
// order that cannot be released keeps waiting without blocking younger
// orders, and its HoldReason says why.
//
// An order awaiting payment (wms.OrderPaymentPending) is kept held with
// its lines, reserves nothing and is never released; once an update makes
// it open it is evaluated like a new one. An update that changes a
// released order's lines or warehouse, or cancels or deletes it, or makes
// it await payment again, frees its reservation and holds it again (open
// orders are then re-evaluated). A packed order keeps its lines and warehouse; other
// fields and the status are updated. POS orders are stored but never
// released, since goods sold over the counter are not picked.
func (m *WMS) UpsertOrder(ctx context.Context, o wms.Order) error {
	if err := o.Validate(); err != nil {
		return err
	}
	o = o.Clone()
	if o.Status == "" {
		o.Status = wms.OrderOpen
	}
	o.Stage, o.HoldReason, o.Tracking = "", "", nil
	return m.update(ctx, func(t *tx) error {
		key := o.Key()
		rec := m.orders[key]
		if rec == nil {
			m.orderSeq++
			rec = &orderRec{seq: m.orderSeq, refunded: map[string]int64{}}
			m.orders[key] = rec
		} else {
			old := rec.order
			if !o.Active() && len(o.Lines) == 0 { // a status change
				status, updated := o.Status, o.UpdatedAt
				o = old.Clone()
				o.Status = status
				if !updated.IsZero() {
					o.UpdatedAt = updated
				}
			}
			if old.Stage == wms.StagePacked {
				o.Lines, o.Warehouse = old.Lines, old.Warehouse
			}
			o.Stage, o.HoldReason, o.Tracking = old.Stage, old.HoldReason, old.Tracking
			if reflect.DeepEqual(old, o) {
				return nil // same data: nothing changes
			}
			if old.Stage == wms.StageReleased &&
				(!slices.Equal(old.Lines, o.Lines) || old.Warehouse != o.Warehouse || !o.Open() || o.POS) {
				m.unreserve(t, rec)
				o.Stage = wms.StageHeld
				t.eval = true // freed stock may release other orders
			}
		}
		switch {
		case o.Stage == wms.StagePacked || o.Stage == wms.StageReleased:
		case o.Status == wms.OrderPaymentPending:
			o.Stage, o.HoldReason = wms.StageHeld, "payment pending: released once the shop reports it paid"
		case !o.Open():
			o.Stage, o.HoldReason = wms.StageHeld, "order "+string(o.Status)
		case o.POS:
			o.Stage, o.HoldReason = wms.StageHeld, "POS order: sold over the counter, never picked"
		default:
			o.Stage = wms.StageHeld
			t.eval = true
		}
		rec.order = o
		if o.Stage == wms.StageHeld && o.Open() && !o.POS {
			m.held[key] = rec
		} else {
			delete(m.held, key)
		}
		return nil
	})
}

// Order implements [wms.Backend].
func (m *WMS) Order(ctx context.Context, key wms.OrderKey) (wms.Order, error) {
	if err := ctx.Err(); err != nil {
		return wms.Order{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	rec := m.orders[key]
	if rec == nil {
		return wms.Order{}, fmt.Errorf("memwms: order %s: %w", key, wms.ErrNotFound)
	}
	return rec.order.Clone(), nil
}

// Orders returns every order, oldest first.
func (m *WMS) Orders() []wms.Order {
	m.mu.Lock()
	defer m.mu.Unlock()
	recs := make([]*orderRec, 0, len(m.orders))
	for _, r := range m.orders {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(a, b *orderRec) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]wms.Order, len(recs))
	for i, r := range recs {
		out[i] = r.order.Clone()
	}
	return out
}

// CountOrders returns the number of orders, tombstones of deleted orders
// included. It implements wmstest.Counter.
func (m *WMS) CountOrders(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.orders), nil
}

// evaluateHolds releases every held open order that can now be fulfilled,
// oldest first, reserving its stock.
func (m *WMS) evaluateHolds(t *tx) {
	if len(m.held) == 0 {
		return
	}
	recs := make([]*orderRec, 0, len(m.held))
	for _, r := range m.held {
		recs = append(recs, r)
	}
	slices.SortFunc(recs, func(a, b *orderRec) int { return cmp.Compare(a.seq, b.seq) })
	for _, r := range recs {
		wh, need, reason := m.check(r.order)
		if reason != "" {
			r.order.HoldReason = reason
			continue
		}
		r.reserved, r.resWH = need, wh
		for _, sku := range sortedKeys(need) {
			t.level(sku, wh).Reserved += need[sku]
		}
		r.order.Stage, r.order.HoldReason = wms.StageReleased, ""
		delete(m.held, r.order.Key())
	}
}

// check reports whether o can be released: its warehouse, the units it needs
// per SKU, and why not ("" when it can).
func (m *WMS) check(o wms.Order) (wh string, need map[string]int64, reason string) {
	wh = cmp.Or(o.Warehouse, m.defaultWarehouse())
	if !m.whSet[wh] {
		return wh, nil, fmt.Sprintf("unknown warehouse %q", wh)
	}
	if len(o.Lines) == 0 {
		return wh, nil, "no lines to ship"
	}
	need = map[string]int64{}
	for _, l := range o.Lines {
		need[l.SKU] += l.Quantity
	}
	for _, l := range o.Lines {
		if m.items[l.SKU] == nil {
			return wh, nil, fmt.Sprintf("no item with SKU %q", l.SKU)
		}
	}
	for _, l := range o.Lines {
		avail := int64(0)
		if lv := m.stock[stockKey{l.SKU, wh}]; lv != nil {
			avail = lv.Available()
		}
		if avail < need[l.SKU] {
			return wh, nil, fmt.Sprintf("short of SKU %q in %q: need %d, available %d", l.SKU, wh, need[l.SKU], avail)
		}
	}
	return wh, need, ""
}

func (m *WMS) unreserve(t *tx, r *orderRec) {
	for _, sku := range sortedKeys(r.reserved) {
		t.level(sku, r.resWH).Reserved -= r.reserved[sku]
	}
	r.reserved, r.resWH = nil, ""
}

// Pack packs a released order and hands it to the carrier: its units leave
// the warehouse (on-hand and reserved both drop) and the WMS emits
// [wms.OrderPacked] with tracking (which may be nil) and [wms.StockChanged].
// Packing an order already packed changes nothing and returns nil.
// An unknown order returns [wms.ErrNotFound]; an order not released returns
// [ErrNotReleased].
func (m *WMS) Pack(ctx context.Context, key wms.OrderKey, tracking *wms.Tracking) error {
	return m.update(ctx, func(t *tx) error {
		rec := m.orders[key]
		if rec == nil {
			return fmt.Errorf("memwms: order %s: %w", key, wms.ErrNotFound)
		}
		switch rec.order.Stage {
		case wms.StagePacked:
			return nil
		case wms.StageReleased:
		default:
			return fmt.Errorf("memwms: pack order %s (%s): %w", key, rec.order.HoldReason, ErrNotReleased)
		}
		for _, sku := range sortedKeys(rec.reserved) {
			l := t.level(sku, rec.resWH)
			l.Reserved -= rec.reserved[sku]
			l.OnHand -= rec.reserved[sku]
		}
		ev := wms.OrderPacked{Order: key, Warehouse: rec.resWH}
		for _, l := range rec.order.Lines {
			ev.Lines = append(ev.Lines, wms.PackedLine{LineID: l.ExternalID, SKU: l.SKU, Quantity: l.Quantity})
		}
		if tracking != nil {
			tr := *tracking
			rec.order.Tracking = &tr
			tr2 := tr
			ev.Tracking = &tr2
		}
		rec.reserved = nil
		rec.order.Stage = wms.StagePacked
		t.emit(ev)
		return nil
	})
}

// CapturePayment records that amount of the order's payment was captured
// and emits [wms.PaymentCaptured]. Each call is one capture; the
// captured total may not exceed the order's Total when the order has one.
// An unknown order returns [wms.ErrNotFound]; a non-positive amount or one
// beyond the total returns an error matching [wms.ErrInvalid].
func (m *WMS) CapturePayment(ctx context.Context, key wms.OrderKey, amount wms.Decimal) error {
	if !amount.Valid() || amount.Sign() <= 0 {
		return &wms.ValidationError{Field: "amount", Reason: fmt.Sprintf("%q is not a positive decimal", string(amount))}
	}
	return m.update(ctx, func(t *tx) error {
		rec := m.orders[key]
		if rec == nil {
			return fmt.Errorf("memwms: order %s: %w", key, wms.ErrNotFound)
		}
		total := rec.captured.Add(amount)
		if rec.order.Total != "" && total.Cmp(rec.order.Total) > 0 {
			return &wms.ValidationError{Field: "amount", Reason: fmt.Sprintf("captures %s exceed the order total %s", total, rec.order.Total)}
		}
		rec.captured = total
		t.emit(wms.PaymentCaptured{Order: key, Amount: amount, Currency: rec.order.Currency})
		return nil
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
