package memwms

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Stock implements [wms.StockReader].
func (m *WMS) Stock(ctx context.Context, warehouse string, skus []string) ([]wms.StockLevel, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.whSet[warehouse] {
		return nil, fmt.Errorf("memwms: warehouse %q: %w", warehouse, wms.ErrNotFound)
	}
	out := make([]wms.StockLevel, 0, len(skus))
	for _, sku := range skus {
		if m.items[sku] == nil {
			continue
		}
		out = append(out, m.levelOf(sku, warehouse))
	}
	return out, nil
}

// Level returns the stock of sku in warehouse (zero when there is none).
func (m *WMS) Level(sku, warehouse string) wms.StockLevel {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.levelOf(sku, warehouse)
}

func (m *WMS) levelOf(sku, warehouse string) wms.StockLevel {
	if l := m.stock[stockKey{sku, warehouse}]; l != nil {
		return *l
	}
	return wms.StockLevel{SKU: sku, Warehouse: warehouse}
}

// ImportStock implements [wms.StockImporter]. Held orders are re-evaluated
// afterwards.
func (m *WMS) ImportStock(ctx context.Context, levels []wms.StockLevel) error {
	if err := wms.ValidateAll("levels", levels); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		var missing wms.NotFoundError
		for _, lv := range levels {
			if !m.known(&missing, lv.SKU, lv.Warehouse) {
				continue
			}
			t.level(lv.SKU, lv.Warehouse).OnHand = lv.OnHand
			t.eval = true
		}
		return missing.Err()
	})
}

// known reports whether sku and warehouse exist, recording what is missing.
func (m *WMS) known(missing *wms.NotFoundError, sku, warehouse string) bool {
	ok := true
	if m.items[sku] == nil {
		missing.Add("sku", sku)
		ok = false
	}
	if !m.whSet[warehouse] {
		missing.Add("warehouse", warehouse)
		ok = false
	}
	return ok
}

// MoveStock implements [wms.StockMover]. On-hand stock may go negative (a
// POS sale of goods the WMS has not received yet). Held orders are
// re-evaluated after stock comes in.
func (m *WMS) MoveStock(ctx context.Context, movements []wms.StockMovement) error {
	if err := wms.ValidateAll("movements", movements); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		var missing wms.NotFoundError
		for _, mv := range movements {
			k := moveKey{mv.Shop, mv.ExternalID}
			if _, done := m.moves[k]; done {
				continue
			}
			if !m.known(&missing, mv.SKU, mv.Warehouse) {
				continue
			}
			t.level(mv.SKU, mv.Warehouse).OnHand += mv.Delta
			m.moves[k] = mv
			if mv.Delta > 0 {
				t.eval = true
			}
		}
		return missing.Err()
	})
}

// Movements returns the stock movements applied, ordered by shop and
// external id.
func (m *WMS) Movements() []wms.StockMovement {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]wms.StockMovement, 0, len(m.moves))
	for _, mv := range m.moves {
		out = append(out, mv)
	}
	slices.SortFunc(out, func(a, b wms.StockMovement) int {
		return cmp.Or(cmp.Compare(a.Shop, b.Shop), cmp.Compare(a.ExternalID, b.ExternalID))
	})
	return out
}

// Receive books qty units of sku into warehouse, as goods arriving at the
// dock, and re-evaluates held orders. Unlike the [wms.Backend] writes it is
// not idempotent: each call receives more goods. An unknown SKU or warehouse
// returns [wms.ErrNotFound]; qty < 1 an error matching [wms.ErrInvalid].
func (m *WMS) Receive(ctx context.Context, warehouse, sku string, qty int64) error {
	if qty < 1 {
		return &wms.ValidationError{Field: "qty", Reason: fmt.Sprintf("%d is less than 1", qty)}
	}
	return m.update(ctx, func(t *tx) error {
		var missing wms.NotFoundError
		if !m.known(&missing, sku, warehouse) {
			return fmt.Errorf("memwms: receive: %w", wms.ErrNotFound)
		}
		t.level(sku, warehouse).OnHand += qty
		t.eval = true
		return nil
	})
}
