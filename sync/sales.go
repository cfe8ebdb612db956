package sync

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// salesHistory imports the quantity sold per SKU and day since the chosen
// day: from the connector's SalesSource when it has one, otherwise by
// adding up the lines of the orders created since then, which the connector
// lists in creation order. Days are complete once an order of a later day
// is seen; they are written then, and the incomplete days travel in the
// checkpoint, so a crash loses nothing and a re-run replaces records with
// the same figures.
func (r *stepRun) salesHistory(ctx context.Context) error {
	rec, ok := r.e.backend.(wms.SalesRecorder)
	if !ok {
		r.skipped = "the warehouse keeps no sales history"
		return nil
	}
	today := wms.DateOf(r.e.now())
	since := r.s.SalesHistorySince
	if since.IsZero() {
		since = today.AddDays(-r.e.cfg.SalesHistoryDays)
	}
	if !since.Before(today) {
		r.skipped = "sales history starts today: nothing to import"
		return nil
	}
	r.phase = "import"
	if src, ok := r.conn.(SalesSource); ok {
		return listing(ctx, r, r.checkpoint(),
			func(ctx context.Context, cursor string) (Page[wms.SalesRecord], error) {
				return src.Sales(ctx, since, cursor)
			},
			func(ctx context.Context, items []wms.SalesRecord, _ *checkpoint) error {
				var recs []wms.SalesRecord
				for _, s := range items {
					if s.SKU == "" || s.Day.Before(since) {
						continue
					}
					s.Shop, s.Ref = r.s.Shop, ""
					recs = append(recs, s)
				}
				return r.recordSales(ctx, rec, recs)
			})
	}

	// POS sales since the orders step started are recorded live;
	// leave them out here so they are not counted twice.
	ordersStep, err := r.e.stepState(ctx, r.s.Shop, StepOrders)
	if err != nil {
		return err
	}
	livePOSFrom := ordersStep.StartedAt
	// Midnight of since in the earliest time zone, so no order of the first
	// day is missed; orders of earlier days are dropped by their date.
	from := since.In(time.UTC).Add(-14 * time.Hour)
	zone := r.e.shopZone(ctx, r.s, r.conn)
	cp := r.checkpoint()
	if err := listing(ctx, r, cp,
		func(ctx context.Context, cursor string) (Page[Order], error) {
			return r.conn.Orders(ctx, OrderQuery{CreatedSince: from}, cursor)
		},
		func(ctx context.Context, items []Order, cp *checkpoint) error {
			if cp.Partial == nil {
				cp.Partial = map[string]map[string]daySales{}
			}
			last := ""
			for _, o := range items {
				day := dayIn(o.CreatedAt, zone)
				last = day.String()
				if day.Before(since) || !o.Active() {
					continue
				}
				if o.POS && (!r.s.POS || (!livePOSFrom.IsZero() && !o.CreatedAt.Before(livePOSFrom))) {
					continue
				}
				for _, l := range o.Lines {
					if l.SKU == "" {
						continue
					}
					d := cp.Partial[last]
					if d == nil {
						d = map[string]daySales{}
						cp.Partial[last] = d
					}
					ds := d[l.SKU]
					ds.Quantity += l.Quantity
					if l.Price != "" {
						amt := l.Price.MulInt(l.Quantity)
						if ds.Amount != "" {
							amt = ds.Amount.Add(amt)
						}
						ds.Amount = amt
					}
					d[l.SKU] = ds
				}
			}
			// Days before the last order's day are complete.
			return r.flushDays(ctx, rec, cp, func(day string) bool { return last != "" && day < last })
		}); err != nil {
		return err
	}
	cp = r.checkpoint()
	if err := r.flushDays(ctx, rec, &cp, func(string) bool { return true }); err != nil {
		return err
	}
	r.setCheckpoint(cp)
	return nil
}

// flushDays writes the partial days for which complete returns true and
// drops them from the checkpoint.
func (r *stepRun) flushDays(ctx context.Context, rec wms.SalesRecorder, cp *checkpoint, complete func(day string) bool) error {
	var recs []wms.SalesRecord
	days := slices.Sorted(maps.Keys(cp.Partial))
	for _, day := range days {
		if !complete(day) {
			continue
		}
		d, err := wms.ParseDate(day)
		if err != nil {
			delete(cp.Partial, day)
			continue
		}
		for _, sku := range slices.Sorted(maps.Keys(cp.Partial[day])) {
			ds := cp.Partial[day][sku]
			recs = append(recs, wms.SalesRecord{Shop: r.s.Shop, SKU: sku, Day: d, Quantity: ds.Quantity, Amount: ds.Amount})
		}
	}
	if err := r.recordSales(ctx, rec, recs); err != nil {
		return err
	}
	for _, day := range days {
		if complete(day) {
			delete(cp.Partial, day)
		}
	}
	return nil
}

func (r *stepRun) recordSales(ctx context.Context, rec wms.SalesRecorder, recs []wms.SalesRecord) error {
	for chunk := range slices.Chunk(recs, 1000) {
		if err := tolerate(ctx, r, rec.RecordSales(ctx, chunk), "sales"); err != nil {
			return err
		}
	}
	return nil
}
