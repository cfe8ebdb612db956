package memwms

import (
	"context"
	"slices"

	"github.com/wmsbridge/wmsbridge/wms"
)

// RecordSales implements [wms.SalesRecorder].
func (m *WMS) RecordSales(ctx context.Context, records []wms.SalesRecord) error {
	if err := wms.ValidateAll("records", records); err != nil {
		return err
	}
	return m.update(ctx, func(t *tx) error {
		for _, r := range records {
			bySKU := m.sales[r.SKU]
			if bySKU == nil {
				bySKU = map[salesKey]wms.SalesRecord{}
				m.sales[r.SKU] = bySKU
			}
			bySKU[salesKey{shop: r.Shop, ref: r.Ref, day: r.Day}] = r
		}
		return nil
	})
}

// DailySales implements [wms.SalesRecorder].
func (m *WMS) DailySales(ctx context.Context, sku string, from, to wms.Date) ([]wms.DailySales, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	days := map[wms.Date]*wms.DailySales{}
	for _, r := range m.sales[sku] {
		if r.Day.Before(from) || r.Day.After(to) {
			continue
		}
		d := days[r.Day]
		if d == nil {
			d = &wms.DailySales{Day: r.Day, Amount: "0"}
			days[r.Day] = d
		}
		d.Quantity += r.Quantity
		d.Amount = d.Amount.Add(r.Amount)
	}
	out := make([]wms.DailySales, 0, len(days))
	for _, d := range days {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(a, b wms.DailySales) int { return a.Day.Compare(b.Day) })
	return out, nil
}
