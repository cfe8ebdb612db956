package wmstest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

func stockOf(ctx context.Context, t *testing.T, r wms.StockReader, wh, sku string) wms.StockLevel {
	t.Helper()
	ls, err := r.Stock(ctx, wh, []string{sku})
	check(t, err)
	hasLen(t, ls, 1, "stock of %q in %q", sku, wh)
	equal(t, sku, ls[0].SKU)
	equal(t, wh, ls[0].Warehouse)
	return ls[0]
}

func (k *kit) stockReaderTests() []test {
	return []test{
		{"KnownSKUsInOrder", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			ls, err := r.Stock(ctx, wh, []string{"SKU-2", "UNKNOWN", "SKU-1"})
			check(t, err)
			hasLen(t, ls, 2, "unknown SKUs are left out: %+v", ls)
			equal(t, "SKU-2", ls[0].SKU)
			equal(t, "SKU-1", ls[1].SKU)
			for _, l := range ls {
				equal(t, wh, l.Warehouse)
				equal(t, int64(0), l.OnHand, "a new item has no stock")
				equal(t, int64(0), l.Reserved)
			}
		}},
		{"UnknownWarehouse", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			r := capability[wms.StockReader](t, b)
			_, err := r.Stock(ctx, "no-such-warehouse", []string{"SKU-1"})
			if errors.Is(err, wms.ErrNotSupported) {
				t.Skip(err)
			}
			errorIs(t, err, wms.ErrNotFound)
		}},
	}
}

func (k *kit) stockImporterTests() []test {
	return []test{
		{"SetsOnHandIdempotently", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			imp := capability[wms.StockImporter](t, b)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			levels := []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 7}, {SKU: "SKU-2", Warehouse: wh, OnHand: 0}}
			check(t, imp.ImportStock(ctx, levels))
			check(t, imp.ImportStock(ctx, levels))
			equal(t, int64(7), stockOf(ctx, t, r, wh, "SKU-1").OnHand, "absolute, not added")
			equal(t, int64(0), stockOf(ctx, t, r, wh, "SKU-2").OnHand)
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 3}}))
			equal(t, int64(3), stockOf(ctx, t, r, wh, "SKU-1").OnHand)
		}},
		{"ShortOrderNotReleased", func(t *testing.T) {
			// Released means every line can be fulfilled with stock
			// reserved (wms.StageReleased): an order the stock does not
			// cover waits.
			ctx, b := k.stockedBackend(t)
			imp := capability[wms.StockImporter](t, b)
			wh := firstWarehouse(ctx, t, b)
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 1}, {SKU: "SKU-2", Warehouse: wh, OnHand: 5}}))
			o := order("shop-a", "1001", line("l1", "SKU-1", 2), line("l2", "SKU-2", 1))
			noError(t, b.UpsertOrder(ctx, o))
			got := mustOrder(ctx, t, b, o.Key())
			requireOrderData(t, o, got)
			isTrue(t, got.Stage != wms.StageReleased, "an order for 2 of SKU-1 was released with 1 on hand")
			if r, ok := b.(wms.StockReader); ok {
				equal(t, int64(0), stockOf(ctx, t, r, wh, "SKU-1").Reserved, "nothing reserved for a held order")
			}
		}},
		{"PaymentPendingNotReleasedWithStock", func(t *testing.T) {
			// An order awaiting payment is not picked, however much
			// stock there is, and reserves none (wms.OrderPaymentPending).
			ctx, b := k.stockedBackend(t)
			imp := capability[wms.StockImporter](t, b)
			wh := firstWarehouse(ctx, t, b)
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 10}}))
			o := order("shop-a", "1001", line("l1", "SKU-1", 2))
			o.Status = wms.OrderPaymentPending
			noError(t, b.UpsertOrder(ctx, o))
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 20}}))
			got := mustOrder(ctx, t, b, o.Key())
			equal(t, wms.OrderPaymentPending, got.Status)
			isTrue(t, got.Stage != wms.StageReleased && got.Stage != wms.StagePacked,
				"an order awaiting payment was released to picking (stage %q)", got.Stage)
			if r, ok := b.(wms.StockReader); ok {
				equal(t, int64(0), stockOf(ctx, t, r, wh, "SKU-1").Reserved, "stock reserved for an order awaiting payment")
			}
		}},
		{"CancelledOrderNotReleasedWhenStockArrives", func(t *testing.T) {
			// An order waiting for stock is cancelled (or deleted) before
			// the stock arrives: the arriving stock must not release it.
			ctx, b := k.stockedBackend(t)
			imp := capability[wms.StockImporter](t, b)
			wh := firstWarehouse(ctx, t, b)
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 0}}))
			c := order("shop-a", "1001", line("l1", "SKU-1", 2))
			d := order("shop-a", "1002", line("l1", "SKU-1", 3))
			noError(t, b.UpsertOrder(ctx, c))
			noError(t, b.UpsertOrder(ctx, d))
			c.Status = wms.OrderCancelled
			noError(t, b.UpsertOrder(ctx, c))
			noError(t, b.UpsertOrder(ctx, wms.Order{Shop: d.Shop, ExternalID: d.ExternalID, Status: wms.OrderDeleted}))
			check(t, imp.ImportStock(ctx, []wms.StockLevel{{SKU: "SKU-1", Warehouse: wh, OnHand: 10}}))
			for _, key := range []wms.OrderKey{c.Key(), d.Key()} {
				got := mustOrder(ctx, t, b, key)
				isTrue(t, !got.Open(), "order %s: status %q, want it to stay cancelled or deleted", key, got.Status)
				isTrue(t, got.Stage != wms.StageReleased, "order %s (%s) was released to picking when stock arrived", key, got.Status)
			}
			if r, ok := b.(wms.StockReader); ok {
				equal(t, int64(0), stockOf(ctx, t, r, wh, "SKU-1").Reserved, "stock reserved for cancelled or deleted orders")
			}
		}},
		{"UnknownReported", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			imp := capability[wms.StockImporter](t, b)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			err := imp.ImportStock(ctx, []wms.StockLevel{
				{SKU: "NOPE", Warehouse: wh, OnHand: 1},
				{SKU: "SKU-1", Warehouse: "no-such-warehouse", OnHand: 1},
				{SKU: "SKU-2", Warehouse: wh, OnHand: 4},
			})
			if errors.Is(err, wms.ErrNotSupported) {
				t.Skip(err)
			}
			requireMissing(t, err, wms.Key{Kind: "sku", ID: "NOPE"}, wms.Key{Kind: "warehouse", ID: "no-such-warehouse"})
			equal(t, int64(4), stockOf(ctx, t, r, wh, "SKU-2").OnHand, "known levels are applied")
		}},
	}
}

func (k *kit) stockMoverTests() []test {
	move := func(id, sku, wh string, delta int64) wms.StockMovement {
		return wms.StockMovement{Shop: "shop-a", ExternalID: id, SKU: sku, Warehouse: wh, Delta: delta,
			Reason: wms.ReasonPOSSale, OrderID: "pos-1", At: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	}
	return []test{
		{"AppliedOncePerKey", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			mv := capability[wms.StockMover](t, b)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			base := stockOf(ctx, t, r, wh, "SKU-1").OnHand
			batch := []wms.StockMovement{move("line-1", "SKU-1", wh, -2), move("line-2", "SKU-1", wh, -1)}
			check(t, mv.MoveStock(ctx, batch))
			check(t, mv.MoveStock(ctx, batch))
			check(t, mv.MoveStock(ctx, batch[:1]))
			equal(t, base-3, stockOf(ctx, t, r, wh, "SKU-1").OnHand, "each movement applied once")
			check(t, mv.MoveStock(ctx, []wms.StockMovement{move("line-3", "SKU-1", wh, 5)}))
			equal(t, base+2, stockOf(ctx, t, r, wh, "SKU-1").OnHand)
			// Same external id in another shop is another movement.
			other := move("line-1", "SKU-1", wh, -1)
			other.Shop = "shop-b"
			check(t, mv.MoveStock(ctx, []wms.StockMovement{other}))
			equal(t, base+1, stockOf(ctx, t, r, wh, "SKU-1").OnHand)
		}},
		{"UnknownReportedAndRetryable", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			mv := capability[wms.StockMover](t, b)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			batch := []wms.StockMovement{move("a", "SKU-1", wh, -1), move("b", "LATE-SKU", wh, -1), move("c", "SKU-2", "no-such-warehouse", -1)}
			err := mv.MoveStock(ctx, batch)
			if errors.Is(err, wms.ErrNotSupported) {
				t.Skip(err)
			}
			requireMissing(t, err, wms.Key{Kind: "sku", ID: "LATE-SKU"}, wms.Key{Kind: "warehouse", ID: "no-such-warehouse"})
			equal(t, int64(-1), stockOf(ctx, t, r, wh, "SKU-1").OnHand)

			noError(t, b.UpsertProducts(ctx, []wms.Product{product("shop-a", "p2", true, "Late", variant("LATE-SKU", "v-late"))}))
			err = mv.MoveStock(ctx, batch)
			requireMissing(t, err, wms.Key{Kind: "warehouse", ID: "no-such-warehouse"})
			equal(t, int64(-1), stockOf(ctx, t, r, wh, "SKU-1").OnHand, "a retried batch does not apply twice")
			equal(t, int64(-1), stockOf(ctx, t, r, wh, "LATE-SKU").OnHand, "the missing movement applies on retry")
		}},
		{"Invalid", func(t *testing.T) {
			ctx, b := k.stockedBackend(t)
			mv := capability[wms.StockMover](t, b)
			r := capability[wms.StockReader](t, b)
			wh := firstWarehouse(ctx, t, b)
			good := move("ok", "SKU-1", wh, -1)
			for name, bad := range map[string]wms.StockMovement{
				"zero delta": move("x", "SKU-1", wh, 0),
				"empty key":  move("", "SKU-1", wh, -1),
				"empty sku":  move("x", "", wh, -1),
			} {
				wantInvalid(t, mv.MoveStock(ctx, []wms.StockMovement{good, bad}), name)
			}
			equal(t, int64(0), stockOf(ctx, t, r, wh, "SKU-1").OnHand, "nothing of an invalid batch is applied")
		}},
	}
}

func (k *kit) salesTests() []test {
	day := func(y int, m time.Month, d int) wms.Date { return wms.Date{Year: y, Month: m, Day: d} }
	return []test{
		{"AggregatesPerDay", func(t *testing.T) {
			ctx, b := k.setup(t)
			s := capability[wms.SalesRecorder](t, b)
			recs := []wms.SalesRecord{
				{Shop: "shop-a", SKU: "SKU-1", Day: day(2026, 1, 2), Quantity: 3, Amount: "30.00"},
				{Shop: "shop-b", SKU: "SKU-1", Day: day(2026, 1, 2), Quantity: 2, Amount: "21.50"},
				{Shop: "shop-a", SKU: "SKU-1", Day: day(2026, 1, 2), Ref: "pos-77", Quantity: 1, Amount: "10"},
				{Shop: "shop-a", SKU: "SKU-1", Day: day(2026, 1, 1), Quantity: 4},
				{Shop: "shop-a", SKU: "SKU-1", Day: day(2026, 1, 5), Quantity: 9},
				{Shop: "shop-a", SKU: "SKU-2", Day: day(2026, 1, 2), Quantity: 100},
				{Shop: "shop-a", SKU: "SKU-1", Day: day(2025, 12, 31), Quantity: 50},
			}
			check(t, s.RecordSales(ctx, recs))
			check(t, s.RecordSales(ctx, recs)) // idempotent: replaces, never adds
			got, err := s.DailySales(ctx, "SKU-1", day(2026, 1, 1), day(2026, 1, 5))
			noError(t, err)
			hasLen(t, got, 3, "%+v", got)
			equal(t, day(2026, 1, 1), got[0].Day)
			equal(t, int64(4), got[0].Quantity)
			equal(t, day(2026, 1, 2), got[1].Day)
			equal(t, int64(6), got[1].Quantity)
			isTrue(t, got[1].Amount.Equal("61.5"), "amount %v", got[1].Amount)
			equal(t, day(2026, 1, 5), got[2].Day)
			equal(t, int64(9), got[2].Quantity)

			// A record with the same identity replaces the old one.
			check(t, s.RecordSales(ctx, []wms.SalesRecord{{Shop: "shop-a", SKU: "SKU-1", Day: day(2026, 1, 2), Quantity: 7, Amount: "70"}}))
			got, err = s.DailySales(ctx, "SKU-1", day(2026, 1, 2), day(2026, 1, 2))
			noError(t, err)
			hasLen(t, got, 1)
			equal(t, int64(10), got[0].Quantity)
		}},
		{"NothingRecorded", func(t *testing.T) {
			ctx, b := k.setup(t)
			s := capability[wms.SalesRecorder](t, b)
			got, err := s.DailySales(ctx, "SKU-1", day(2026, 1, 1), day(2026, 12, 31))
			check(t, err)
			hasLen(t, got, 0)
		}},
		{"Invalid", func(t *testing.T) {
			ctx, b := k.setup(t)
			s := capability[wms.SalesRecorder](t, b)
			wantInvalid(t, s.RecordSales(ctx, []wms.SalesRecord{{Shop: "shop-a", SKU: "SKU-1", Quantity: 1}}), "no day")
			wantInvalid(t, s.RecordSales(ctx, []wms.SalesRecord{{Shop: "", SKU: "SKU-1", Day: day(2026, 1, 1), Quantity: 1}}), "no shop")
		}},
	}
}
