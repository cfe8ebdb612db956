package sync

// The stock audit: the shop's stock levels compared with the warehouse's,
// and corrections sent through the outbox like any stock message.

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// StockLister is the optional [Connector] capability that reads a shop's
// stock levels, for the stock audit ([Engine.AuditStock]) and
// [Engine.PushStock]. Without it, a shop is not audited.
type StockLister interface {
	// StockLevels returns one page of the shop's stock levels: for each
	// variant with a SKU, the quantity available for sale at each location
	// that stocks it (the figure an [Outbound] stock message sets),
	// addressed as the connector addresses stock targets (the product,
	// variant and inventory item ids it reports on its products;
	// LocationID "" for a shop without locations). Cursors follow the
	// rules of [Connector.Products]; a connector may read a bulk export
	// for a big shop. It only reads.
	StockLevels(ctx context.Context, cursor string) (Page[StockTarget], error)
}

// WatermarkStockAudit names the watermark that records, per shop, when the
// last stock audit that succeeded started (see [Config.StockAuditInterval]).
const WatermarkStockAudit = "stock_audit"

// maxDrifts is how many of the largest differences a StockAuditResult keeps.
const maxDrifts = 10

// StockAuditResult is the outcome of one stock audit ([Engine.AuditStock])
// or full stock push ([Engine.PushStock]) of a shop.
type StockAuditResult struct {
	Shop string `json:"shop"`
	// Push is true for [Engine.PushStock]: every level compared was sent,
	// equal or not.
	Push bool `json:"push,omitempty"`
	// Started and Finished bound the audit (the engine's clock).
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Compared counts the shop's levels compared with the warehouse.
	Compared int `json:"compared"`
	// Corrected counts the levels that differed from the warehouse's
	// available figure (for a push: every level compared, except those in
	// flight) and were queued for correction.
	Corrected int `json:"corrected"`
	// InFlight counts differing levels left alone because a stock message
	// of their SKU and warehouse was pending: it brings the shop the
	// warehouse's newest figure itself.
	InFlight int `json:"in_flight"`
	// Unmatched counts the shop's levels the audit could not compare: SKU
	// unknown to the warehouse, listing not linked to it, or location
	// mapped to no warehouse.
	Unmatched int `json:"unmatched"`
	// Messages counts the stock messages queued: one per SKU and
	// warehouse, setting every level of the SKU at the warehouse's
	// locations.
	Messages int `json:"messages"`
	// Drifts are the largest differences found (at most 10, largest
	// first), queued or in flight.
	Drifts []StockDrift `json:"drifts,omitempty"`
	// Skipped is true when another engine sharing the Store was auditing
	// the shop: this call did nothing.
	Skipped bool `json:"skipped,omitempty"`
}

// StockDrift is one stock level on which the shop and the warehouse
// disagreed.
type StockDrift struct {
	SKU        string `json:"sku"`
	Warehouse  string `json:"warehouse"`
	LocationID string `json:"location_id,omitempty"`
	// Shop is what the shop showed available; Want the warehouse's
	// available figure.
	Shop int64 `json:"shop"`
	Want int64 `json:"want"`
	// InFlight is true when a pending stock message was left to correct
	// it.
	InFlight bool `json:"in_flight,omitempty"`
}

// Size returns the absolute difference.
func (d StockDrift) Size() int64 {
	if d.Shop > d.Want {
		return d.Shop - d.Want
	}
	return d.Want - d.Shop
}

// AuditStock compares shop's stock levels with the warehouse's and
// corrects those that differ: the warehouse is the stock master. It reads
// the shop's levels through the connector ([StockLister]) and the
// warehouse's through the backend ([wms.StockReader]), and queues one stock
// message per SKU and warehouse that differs, in the outbox like any stock
// message: the dispatcher ([Engine.Run] or [Engine.DeliverOutbound])
// coalesces it with other stock messages and sends it in the connector's
// batches ([StockBatcher]), retrying until the shop confirms. A SKU and
// warehouse with a stock message pending (to the shop, or a published
// event not yet fanned out) is left alone, so the audit never races a
// change the warehouse made: that message brings the shop the newest figure.
//
// The shop must have stock messages on ([Settings.OutboundEnabled]);
// otherwise, or when the connector or the backend lacks the capability,
// AuditStock returns an error matching [wms.ErrNotSupported] and changes
// nothing. The result is logged, kept for [Engine.Health] and, when the
// audit succeeded, recorded in the watermark [WatermarkStockAudit]. One
// audit of a shop runs at a time (across processes when the Store is a
// [Leaser]; another engine's running audit makes the call return with
// Skipped set). Calling it twice is harmless: the second finds nothing to
// correct, or queues the same corrections again, which coalesce. Run audits
// every shop every [Config.StockAuditInterval].
func (e *Engine) AuditStock(ctx context.Context, shop string) (StockAuditResult, error) {
	return e.auditStock(ctx, shop, false)
}

// PushStock sends shop the warehouse's available figure of every stock
// level the shop has, equal or not: for a newly connected shop, or after
// the shop's stock was changed wholesale. It is [Engine.AuditStock] with
// every level counted as a correction (levels with a stock message in
// flight are still left to that message), with the same rules and result.
func (e *Engine) PushStock(ctx context.Context, shop string) (StockAuditResult, error) {
	return e.auditStock(ctx, shop, true)
}

func (e *Engine) auditStock(ctx context.Context, shop string, push bool) (StockAuditResult, error) {
	res := StockAuditResult{Shop: shop, Push: push}
	unlock := e.locks.Lock("stock-audit/" + shop)
	defer unlock()
	lctx, release, held, err := e.holdLease(ctx, "stock-audit/"+shop)
	if err != nil {
		return res, fmt.Errorf("sync: stock audit of %s: %w", shop, err)
	}
	if !held {
		res.Skipped = true
		return res, nil
	}
	defer release()
	res, err = e.runStockAudit(lctx, shop, push)
	err = leaseErr(lctx, err)
	if ctx.Err() == nil && !errors.Is(err, ErrNotFound) {
		e.recordStockAudit(ctx, res, err)
	}
	return res, err
}

// stockGroup is the correction of one SKU at one warehouse.
type stockGroup struct {
	level  wms.StockLevel
	levels int // the shop's levels that differ (all of them for a push)
}

func (e *Engine) runStockAudit(ctx context.Context, shop string, push bool) (StockAuditResult, error) {
	res := StockAuditResult{Shop: shop, Push: push, Started: e.now()}
	fail := func(err error) (StockAuditResult, error) {
		res.Finished = e.now()
		return res, fmt.Errorf("sync: stock audit of %s: %w", shop, err)
	}
	s, conn, err := e.shop(ctx, shop)
	if err != nil {
		return res, err
	}
	ob, err := e.outbox()
	if err != nil {
		return fail(err)
	}
	lister, ok := conn.(StockLister)
	if !ok {
		return fail(fmt.Errorf("%w: the shop's connector cannot list stock levels (StockLister)", wms.ErrNotSupported))
	}
	if _, ok := conn.(Outbound); !ok {
		return fail(fmt.Errorf("%w: the shop's connector cannot send stock (Outbound)", wms.ErrNotSupported))
	}
	reader, ok := e.backend.(wms.StockReader)
	if !ok {
		return fail(fmt.Errorf("%w: the warehouse does not report stock (wms.StockReader)", wms.ErrNotSupported))
	}
	if !s.OutboundEnabled(wms.KindStockChanged) {
		return fail(fmt.Errorf("%w: the shop has stock messages off (Settings.Outbound)", wms.ErrNotSupported))
	}
	groups := map[string]*stockGroup{} // SKU \x00 warehouse
	var drifts []StockDrift
	pl := e.places(s)
	cursor := ""
	for {
		pg, err := lister.StockLevels(ctx, cursor)
		if errors.Is(err, ErrCursorExpired) && cursor != "" {
			// Start over: levels compared twice are corrected once (the
			// groups are keyed), and the counts restart.
			res.Compared, res.Unmatched, drifts, groups, cursor = 0, 0, nil, map[string]*stockGroup{}, ""
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("read the shop's stock levels: %w", err))
		}
		if err := e.compareStock(ctx, s, pl, reader, pg.Items, push, &res, groups, &drifts); err != nil {
			return fail(err)
		}
		if pg.Next == "" {
			break
		}
		cursor = pg.Next
	}
	// Read what is in flight after the warehouse: a change published after
	// its figures were read is pending now, and wins.
	inflight, err := e.stockInFlight(ctx, ob, shop)
	if err != nil {
		return fail(err)
	}
	now := e.now()
	var msgs []OutboxMessage
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		g := groups[k]
		if inflight[k] {
			res.InFlight += g.levels
			continue
		}
		res.Corrected += g.levels
		m, err := auditMessage(shop, res.Started, g.level, now)
		if err != nil {
			return fail(err)
		}
		msgs = append(msgs, m)
	}
	for i := range drifts {
		drifts[i].InFlight = inflight[drifts[i].SKU+"\x00"+drifts[i].Warehouse]
	}
	slices.SortStableFunc(drifts, func(a, b StockDrift) int { return cmp.Compare(b.Size(), a.Size()) })
	res.Drifts = drifts[:min(len(drifts), maxDrifts)]
	if len(msgs) > 0 {
		if err := ob.AddOutbox(ctx, msgs); err != nil {
			return fail(fmt.Errorf("queue corrections: %w", err))
		}
		res.Messages = len(msgs)
		e.ob.notify()
	}
	res.Finished = e.now()
	return res, nil
}

// compareStock compares one page of the shop's levels with the
// warehouse, adding the corrections to groups and the differences to
// drifts.
func (e *Engine) compareStock(ctx context.Context, s Settings, pl *places, reader wms.StockReader, levels []StockTarget,
	push bool, res *StockAuditResult, groups map[string]*stockGroup, drifts *[]StockDrift) error {
	type matched struct {
		StockTarget
		warehouse string
	}
	items := map[string]*wms.Item{} // this page's backend reads
	var ok []matched
	skus := map[string][]string{} // warehouse → SKUs
	for _, lv := range levels {
		if lv.SKU == "" {
			res.Unmatched++
			continue
		}
		it, err := e.item(ctx, lv.SKU, items)
		if err != nil {
			return err
		}
		if it == nil || !slices.ContainsFunc(it.Listings, func(l wms.Listing) bool {
			return l.Shop == s.Shop && listingAddress(l) == lv.address()
		}) {
			res.Unmatched++
			continue
		}
		wh, found, err := pl.warehouse(ctx, lv.LocationID)
		if err != nil {
			return err
		}
		if !found {
			res.Unmatched++
			continue
		}
		ok = append(ok, matched{lv, wh})
		if !slices.Contains(skus[wh], lv.SKU) {
			skus[wh] = append(skus[wh], lv.SKU)
		}
	}
	want := map[string]wms.StockLevel{} // SKU \x00 warehouse
	for wh, list := range skus {
		got, err := reader.Stock(ctx, wh, list)
		if err != nil {
			return fmt.Errorf("read the warehouse's stock in %s: %w", wh, err)
		}
		for _, l := range got {
			l.Warehouse = wh
			want[l.SKU+"\x00"+wh] = l
		}
	}
	for _, m := range ok {
		k := m.SKU + "\x00" + m.warehouse
		l, found := want[k]
		if !found {
			res.Unmatched++
			continue
		}
		res.Compared++
		differs := m.Available != l.Available()
		if !differs && !push {
			continue
		}
		g := groups[k]
		if g == nil {
			g = &stockGroup{level: l}
			groups[k] = g
		}
		g.levels++
		if differs {
			*drifts = append(*drifts, StockDrift{SKU: m.SKU, Warehouse: m.warehouse, LocationID: m.LocationID,
				Shop: m.Available, Want: l.Available()})
			// Keep only the largest: a page's worth at most.
			if len(*drifts) > 4*maxDrifts {
				slices.SortStableFunc(*drifts, func(a, b StockDrift) int { return cmp.Compare(b.Size(), a.Size()) })
				*drifts = (*drifts)[:maxDrifts]
			}
		}
	}
	return nil
}

// stockInFlight returns the SKU \x00 warehouse keys of the stock messages
// pending for shop and of the published stock events not fanned out yet.
func (e *Engine) stockInFlight(ctx context.Context, ob OutboxStore, shop string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, q := range []string{shop, ""} {
		msgs, err := ob.ListOutbox(ctx, OutboxFilter{Shop: q, State: OutboxPending})
		if err != nil {
			return nil, fmt.Errorf("list pending stock messages: %w", err)
		}
		for _, m := range msgs {
			if m.Kind != wms.KindStockChanged || (q == "" && m.Shop != "") {
				continue
			}
			ev, err := m.Event()
			if sc, ok := ev.(wms.StockChanged); err == nil && ok {
				out[sc.SKU+"\x00"+sc.Warehouse] = true
			}
		}
	}
	return out, nil
}

// auditMessage returns the stock message that sets l at shop, for the
// audit that started at started. Its id names the audit, so a later audit
// queues its own correction.
func auditMessage(shop string, started time.Time, l wms.StockLevel, now time.Time) (OutboxMessage, error) {
	id := "stock-audit/" + strconv.FormatInt(started.UnixNano(), 10) + "/" + l.Warehouse + "/" + l.SKU
	ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: id, Time: started}, SKU: l.SKU, Warehouse: l.Warehouse,
		OnHand: l.OnHand, Reserved: l.Reserved, Available: l.Available()}
	data, err := json.Marshal(ev)
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("encode correction of %s: %w", l.SKU, err)
	}
	return OutboxMessage{Shop: shop, ID: id, Kind: wms.KindStockChanged, Time: started, Data: data,
		Key: IdempotencyKey(shop, id), State: OutboxPending, NextAttempt: now, CreatedAt: now}, nil
}

// recordStockAudit logs res, keeps it for Health and, when err is nil,
// advances the shop's stock audit watermark.
func (e *Engine) recordStockAudit(ctx context.Context, res StockAuditResult, err error) {
	e.recordCheck(res.Shop, checkStockAudit, err, nil)
	e.mu.Lock()
	e.checks[res.Shop].stock = &res
	e.mu.Unlock()
	if err != nil {
		e.stats.stockAuditErrors.Add(1)
		e.log.LogAttrs(ctx, slog.LevelWarn, "stock audit failed", slog.String("shop", res.Shop), slog.String("error", err.Error()))
		return
	}
	e.stats.stockAudits.Add(1)
	e.stats.stockCorrected.Add(uint64(res.Corrected))
	attrs := []slog.Attr{slog.String("shop", res.Shop), slog.Bool("push", res.Push), slog.Int("compared", res.Compared),
		slog.Int("corrected", res.Corrected), slog.Int("in_flight", res.InFlight), slog.Int("unmatched", res.Unmatched),
		slog.Int("messages", res.Messages)}
	if len(res.Drifts) > 0 {
		d := res.Drifts[0]
		attrs = append(attrs, slog.String("largest_drift", fmt.Sprintf("%s@%s: shop %d, warehouse %d", d.SKU, d.Warehouse, d.Shop, d.Want)))
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "stock audit", attrs...)
	if _, err := e.store.AdvanceWatermark(ctx, res.Shop, WatermarkStockAudit, res.Started); err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "stock audit: record the audit", slog.String("shop", res.Shop), slog.String("error", err.Error()))
	}
}

// auditStockDue audits every shop whose last audit is older than
// Config.StockAuditInterval: shops with stock messages on, whose outbound
// step is done, connected, with a connector that lists stock. Failures are
// logged and recorded by AuditStock; they do not stop the other shops.
func (e *Engine) auditStockDue(ctx context.Context, l *runLoop) {
	if _, ok := e.backend.(wms.StockReader); !ok {
		return
	}
	if _, err := e.outbox(); err != nil {
		return
	}
	e.eachConnectedShop(ctx, l, e.outboundShops, func(s Settings) {
		if !s.OutboundEnabled(wms.KindStockChanged) {
			return
		}
		last, err := e.store.Watermark(ctx, s.Shop, WatermarkStockAudit)
		if err != nil || e.now().Sub(last) < e.cfg.StockAuditInterval {
			return
		}
		conn, err := e.connector(ctx, s)
		if err != nil {
			return // the sweep reports a shop it cannot reach
		}
		if _, ok := conn.(StockLister); !ok {
			return
		}
		_, _ = e.AuditStock(ctx, s.Shop) // logged and recorded by AuditStock
	})
}

// runStockAudits is Run's stock audit loop: every hour (or every
// StockAuditInterval, when shorter) it audits the shops that are due. A
// shop never audited is due at the first tick.
func (e *Engine) runStockAudits(ctx context.Context, l *runLoop) {
	if e.cfg.StockAuditInterval < 0 {
		return
	}
	tick := min(e.cfg.StockAuditInterval, time.Hour)
	e.every(ctx, tick, func(ctx context.Context) { e.auditStockDue(ctx, l) })
}
