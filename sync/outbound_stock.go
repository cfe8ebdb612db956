package sync

// Stock messages: coalesced, expanded to the shop's items and locations,
// sent in batches.

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/wms"
)

// deliverStock coalesces stock messages (the newest value per SKU and
// warehouse wins, by Seq then Time), expands them to the shop's listings
// and mapped locations, leaves out values the shop was last sent, and
// sends them in batches of the connector's size ([StockBatcher]).
func (e *Engine) deliverStock(ctx context.Context, ob OutboxStore, cfg OutboundConfig, s Settings, out Outbound, msgs []OutboxMessage) int {
	type group struct {
		newest wms.StockChanged
		pos    int64
		msgs   []int // indexes into msgs
	}
	groups := map[string]*group{}
	var order []string
	bad := []int{}
	for i, m := range msgs {
		ev, err := m.Event()
		sc, ok := ev.(wms.StockChanged)
		if err != nil || !ok {
			bad = append(bad, i)
			continue
		}
		k := sc.SKU + "\x00" + sc.Warehouse
		g := groups[k]
		if g == nil {
			g = &group{newest: sc, pos: m.Pos}
			groups[k] = g
			order = append(order, k)
		} else if newer(sc, m.Pos, g.newest, g.pos) {
			g.newest, g.pos = sc, m.Pos
		}
		g.msgs = append(g.msgs, i)
	}
	settled := 0
	for _, i := range bad {
		if e.settle(ctx, ob, cfg, &msgs[i], fmt.Errorf("%w: not a stock event", ErrRejected)) {
			settled++
		}
	}
	slices.Sort(order)
	// Expand to targets.
	type stockTarget struct {
		StockTarget
		group string
	}
	var targets []stockTarget
	pl := e.places(s)
	items := map[string]*wms.Item{}
	failed := map[string]error{} // group → error before sending
	for _, k := range order {
		g := groups[k]
		e.ob.stats.coalesced.Add(uint64(len(g.msgs) - 1))
		seqKey := s.Shop + "\x00" + k
		e.ob.mu.Lock()
		last, seen := e.ob.stockSeq[seqKey]
		e.ob.mu.Unlock()
		if seen && g.newest.Seq != 0 && g.newest.Seq < last {
			continue // a newer value was sent already
		}
		it, err := e.item(ctx, g.newest.SKU, items)
		if err != nil {
			failed[k] = err
			continue
		}
		if it == nil {
			continue
		}
		locs, err := pl.locations(ctx, g.newest.Warehouse)
		if err != nil {
			failed[k] = err
			continue
		}
		for _, l := range it.Listings {
			if l.Shop != s.Shop || listingAddress(l) == "" {
				continue
			}
			for _, loc := range locs {
				// Sent even when it equals the value this engine set last:
				// the shop's orders move its available quantity meanwhile,
				// so only the shop knows what it holds now.
				st := StockTarget{SKU: g.newest.SKU, ProductID: l.ProductID, VariantID: l.VariantID,
					InventoryItemID: l.InventoryItemID, LocationID: loc, Available: g.newest.Available}
				targets = append(targets, stockTarget{StockTarget: st, group: k})
			}
		}
	}
	slices.SortFunc(targets, func(a, b stockTarget) int {
		return cmp.Or(cmp.Compare(a.address(), b.address()), cmp.Compare(a.LocationID, b.LocationID))
	})
	// One target per (listing, location): two SKUs never share a listing,
	// but be safe and keep the last.
	targets = slices.CompactFunc(targets, func(a, b stockTarget) bool {
		return a.address() == b.address() && a.LocationID == b.LocationID
	})
	size := DefaultStockBatchSize
	if sb, ok := out.(StockBatcher); ok && sb.StockBatchSize() > 0 {
		size = sb.StockBatchSize()
	}
	keys := map[string]string{}
	for start := 0; start < len(targets); start += size {
		batch := targets[start:min(start+size, len(targets))]
		og := &Outgoing{Kind: wms.KindStockChanged, Stock: make([]StockTarget, len(batch))}
		var b strings.Builder
		for i, t := range batch {
			og.Stock[i] = t.StockTarget
			b.WriteString(t.address() + "@" + t.LocationID + "=" + strconv.FormatInt(t.Available, 10) + ";")
		}
		// The key is derived from the content: the same batch formed again
		// after a crash carries the same key.
		og.Key = hashKey(s.Shop, "\x00stock\x00", b.String())
		e.ob.stats.stockCalls.Add(1)
		e.ob.stats.stockLevels.Add(uint64(len(batch)))
		err := out.Send(ctx, og)
		for _, t := range batch {
			if err != nil {
				if failed[t.group] == nil {
					failed[t.group] = err
				}
				continue
			}
			if keys[t.group] == "" {
				keys[t.group] = og.Key
			}
		}
		if err != nil && ctx.Err() != nil {
			return settled // stopping: leave the rest leased, as a crash would
		}
	}
	// Settle the messages group by group, in one store update.
	var update []OutboxMessage
	for _, k := range order {
		g := groups[k]
		err := failed[k]
		if err == nil {
			e.ob.mu.Lock()
			seqKey := s.Shop + "\x00" + k
			if g.newest.Seq > e.ob.stockSeq[seqKey] {
				e.ob.stockSeq[seqKey] = g.newest.Seq
			}
			e.ob.mu.Unlock()
		}
		for _, i := range g.msgs {
			m := &msgs[i]
			if keys[k] != "" {
				m.Key = keys[k]
			}
			if e.settleFields(ctx, cfg, m, err) {
				settled++
			}
			update = append(update, *m)
		}
	}
	if ctx.Err() != nil {
		return settled
	}
	if err := ob.UpdateOutbox(ctx, update); err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "outbound: settle stock messages", slog.String("shop", s.Shop), slog.String("error", err.Error()))
	}
	return settled
}

// listingAddress returns what addresses a listing's stock in the shop: its
// inventory item, else its variant, else its product ("" when it has
// none of them).
func listingAddress(l wms.Listing) string {
	return cmp.Or(l.InventoryItemID, l.VariantID, l.ProductID)
}

// address returns what addresses t in the shop (see listingAddress).
func (t StockTarget) address() string { return cmp.Or(t.InventoryItemID, t.VariantID, t.ProductID) }

// newer reports whether stock event a (at position pa) is newer than b.
func newer(a wms.StockChanged, pa int64, b wms.StockChanged, pb int64) bool {
	if a.Seq != 0 && b.Seq != 0 && a.Seq != b.Seq {
		return a.Seq > b.Seq
	}
	if !a.Time.Equal(b.Time) {
		return a.Time.After(b.Time)
	}
	return pa > pb
}
