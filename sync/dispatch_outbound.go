package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// OutboundStats counts the outbox's work since the engine was built.
type OutboundStats struct {
	// Published: successful Publish calls (an event published twice
	// counts twice; the outbox stores it once).
	Published uint64 `json:"published"`
	// FannedOut: messages created for shops and listeners.
	FannedOut uint64 `json:"fanned_out"`
	// Delivered: messages settled as done (sent, or nothing to send).
	Delivered uint64 `json:"delivered"`
	// Coalesced: stock messages made redundant by a newer one.
	Coalesced uint64 `json:"coalesced"`
	// StockCalls: stock sends (one inventorySetQuantities each for
	// Shopify); StockLevels: the levels they carried.
	StockCalls  uint64 `json:"stock_calls"`
	StockLevels uint64 `json:"stock_levels"`
	// Retried: failed attempts that will be retried; DeadLettered:
	// messages parked.
	Retried      uint64 `json:"retried"`
	DeadLettered uint64 `json:"dead_lettered"`
}

type outboundCounters struct {
	published, fannedOut, delivered, coalesced, stockCalls, stockLevels, retried, dead atomic.Uint64
}

// OutboundStats returns a snapshot of the outbox counters.
func (e *Engine) OutboundStats() OutboundStats {
	c := &e.ob.stats
	return OutboundStats{
		Published: c.published.Load(), FannedOut: c.fannedOut.Load(), Delivered: c.delivered.Load(),
		Coalesced: c.coalesced.Load(), StockCalls: c.stockCalls.Load(), StockLevels: c.stockLevels.Load(),
		Retried: c.retried.Load(), DeadLettered: c.dead.Load(),
	}
}

// runOutbound is Run's outbound loop: a round at once, then a round per
// Publish or per [OutboundConfig.Poll], with l's backoff while the store
// fails. Without an OutboxStore it returns at once.
func (e *Engine) runOutbound(ctx context.Context, l *runLoop) {
	if _, err := e.outbox(); err != nil {
		return
	}
	e.ob.init()
	cfg := e.cfg.Outbound.withDefaults()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.ob.wake:
			if cfg.Linger > 0 { // let a burst gather
				select {
				case <-ctx.Done():
					return
				case <-time.After(cfg.Linger):
				}
			}
		}
		pause := cfg.Poll
		if _, err := e.DeliverOutbound(ctx); err != nil && ctx.Err() == nil {
			p, ok := l.failed(ctx, err)
			if !ok {
				return
			}
			pause = max(p, cfg.Poll)
		} else if err == nil {
			l.ok(ctx)
		}
		t.Reset(pause)
	}
}

// DeliverOutbound runs one round of the outbox dispatcher: it fans the
// published events out to the shops and listeners, then delivers every
// message that is due, per shop (shops in parallel), until none is left
// that is due now. It returns the number of messages settled (done or
// dead). [Engine.Run] calls it continually; hosts and tests that do not
// Run may call it themselves. Safe for concurrent use, also across
// processes sharing the Store (claims are leased).
func (e *Engine) DeliverOutbound(ctx context.Context) (int, error) {
	ob, err := e.outbox()
	if err != nil {
		return 0, err
	}
	e.ob.init()
	cfg := e.cfg.Outbound.withDefaults()
	settled := 0
	n, err := e.fanOutAll(ctx, ob, cfg)
	settled += n
	if err != nil {
		return settled, err
	}
	shops, err := e.store.ListSettings(ctx)
	if err != nil {
		return settled, fmt.Errorf("sync: outbound: list shops: %w", err)
	}
	targets := make([]string, 0, len(shops))
	for _, s := range shops {
		targets = append(targets, s.Shop)
	}
	e.ob.mu.Lock()
	for n := range e.ob.listeners {
		targets = append(targets, ListenerPrefix+n)
	}
	e.ob.mu.Unlock()
	var (
		wg    gosync.WaitGroup
		mu    gosync.Mutex
		first error
	)
	sem := make(chan struct{}, max(e.cfg.Workers, 1))
	for _, target := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			n, err := e.deliverTarget(ctx, ob, cfg, target)
			mu.Lock()
			settled += n
			if err != nil && first == nil {
				first = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return settled, first
}

// fanOutAll turns published events into messages per shop and listener.
func (e *Engine) fanOutAll(ctx context.Context, ob OutboxStore, cfg OutboundConfig) (int, error) {
	settled := 0
	for {
		msgs, err := ob.ClaimOutbox(ctx, "", e.now(), cfg.Lease, cfg.Claim)
		if err != nil {
			return settled, fmt.Errorf("sync: outbound: claim published events: %w", err)
		}
		if len(msgs) == 0 {
			return settled, nil
		}
		shops, err := e.outboundShops(ctx)
		if err != nil {
			return settled, err
		}
		items := map[string]*wms.Item{} // backend reads of this batch
		for _, m := range msgs {
			kids, err := e.fanOut(ctx, m, shops, items)
			if err == nil && len(kids) > 0 {
				err = ob.AddOutbox(ctx, kids)
			}
			if err == nil {
				e.ob.stats.fannedOut.Add(uint64(len(kids)))
			}
			if e.settle(ctx, ob, cfg, &m, err) {
				settled++
			}
		}
	}
}

// outboundShops returns the settings of the shops whose outbound step
// (S13) is done: only they receive messages. A shop switches outbound on
// by finishing [StepOutbound]; events published before that are not sent
// to it.
func (e *Engine) outboundShops(ctx context.Context) ([]Settings, error) {
	all, err := e.store.ListSettings(ctx)
	if err != nil {
		return nil, fmt.Errorf("sync: outbound: list shops: %w", err)
	}
	var on []Settings
	for _, s := range all {
		steps, err := e.store.Steps(ctx, s.Shop)
		if err != nil {
			return nil, fmt.Errorf("sync: outbound: steps of %s: %w", s.Shop, err)
		}
		for _, st := range steps {
			if st.Step == StepOutbound && st.Status == StepDone {
				on = append(on, s)
			}
		}
	}
	return on, nil
}

// fanOut returns the messages of the published event m: one per shop
// that chose its kind (S13) and that it concerns (S2: every shop selling
// the SKU), and one per listener of its kind (S19).
func (e *Engine) fanOut(ctx context.Context, m OutboxMessage, shops []Settings, items map[string]*wms.Item) ([]OutboxMessage, error) {
	ev, err := m.Event()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	var kids []OutboxMessage
	add := func(shop, entity string) {
		k := m
		k.Shop, k.Entity = shop, entity
		k.Key = IdempotencyKey(shop, m.ID)
		k.State, k.Attempts, k.LastError, k.Plan = OutboxPending, 0, "", nil
		k.NextAttempt, k.CreatedAt, k.LeaseUntil = e.now(), e.now(), time.Time{}
		kids = append(kids, k)
	}
	for _, name := range e.listenersFor(m.Kind) {
		add(ListenerPrefix+name, "")
	}
	byShop := map[string]Settings{}
	for _, s := range shops {
		byShop[s.Shop] = s
	}
	selling := func(skus ...string) (map[string]bool, error) {
		out := map[string]bool{}
		for _, sku := range skus {
			it, err := e.item(ctx, sku, items)
			if err != nil {
				return nil, err
			}
			if it == nil {
				continue
			}
			for _, l := range it.Listings {
				out[l.Shop] = true
			}
		}
		return out, nil
	}
	switch ev := ev.(type) {
	case wms.StockChanged:
		sell, err := selling(ev.SKU)
		if err != nil {
			return nil, err
		}
		for _, s := range shops {
			if sell[s.Shop] && s.OutboundEnabled(m.Kind) && len(locationsOf(s, ev.Warehouse)) > 0 {
				add(s.Shop, "")
			}
		}
	case wms.BarcodeChanged:
		sell, err := selling(ev.SKU)
		if err != nil {
			return nil, err
		}
		for _, s := range shops {
			if sell[s.Shop] && s.OutboundEnabled(m.Kind) {
				add(s.Shop, "sku:"+ev.SKU)
				// Durable before the message is: an echo of the shop's
				// product from now on cannot undo the change (S15).
				if err := e.markBarcodePending(ctx, s.Shop, ev.SKU, kids[len(kids)-1].CreatedAt); err != nil {
					return nil, err
				}
			}
		}
	case wms.PurchaseOrderClosed:
		skus := make([]string, 0, len(ev.Costs))
		for _, c := range ev.Costs {
			skus = append(skus, c.SKU)
		}
		sell, err := selling(skus...)
		if err != nil {
			return nil, err
		}
		for _, s := range shops {
			if sell[s.Shop] && s.OutboundEnabled(m.Kind) {
				add(s.Shop, "cost")
			}
		}
	case wms.OrderPacked, wms.PaymentCaptured, wms.RefundCreated:
		key := orderOf(ev)
		if s, ok := byShop[key.Shop]; ok && s.OutboundEnabled(m.Kind) {
			add(s.Shop, "order:"+key.ExternalID)
			if p, ok := ev.(wms.OrderPacked); ok {
				// S16: after the fulfilment, capture what the order's
				// authorisation holds (a capture without an amount).
				o, err := e.backend.Order(ctx, key)
				if err != nil && !errors.Is(err, wms.ErrNotFound) {
					return nil, fmt.Errorf("sync: outbound: read order %s: %w", key, err)
				}
				if err == nil && o.Total.Sign() > 0 {
					c, err := captureOnPack(m, p, o.Total)
					if err != nil {
						return nil, err
					}
					add(s.Shop, "order:"+key.ExternalID)
					last := &kids[len(kids)-1]
					last.ID, last.Kind, last.Data = c.ID, c.Kind, c.Data
					last.Key = IdempotencyKey(s.Shop, c.ID)
				}
			}
		}
	}
	return kids, nil
}

// CaptureOnPackSuffix ends the ID of the capture message the engine adds
// after an order packed message (S16): a [wms.PaymentCaptured] of the
// order's total, which the connector caps at what the order's
// authorisation still holds (nothing when the shop captured at checkout).
// It is sent when the shop has order.packed switched on.
const CaptureOnPackSuffix = "/capture-on-pack"

func captureOnPack(m OutboxMessage, p wms.OrderPacked, total wms.Decimal) (OutboxMessage, error) {
	info := p.EventInfo
	info.ID += CaptureOnPackSuffix
	return NewOutboxMessage(wms.PaymentCaptured{EventInfo: info, Order: p.Order, Amount: total}, m.CreatedAt)
}

// enabledFor reports whether the shop wants message m now (S13).
func enabledFor(s Settings, m OutboxMessage) bool {
	if strings.HasSuffix(m.ID, CaptureOnPackSuffix) {
		return s.OutboundEnabled(wms.KindOrderPacked)
	}
	return s.OutboundEnabled(m.Kind)
}

func orderOf(ev wms.Event) wms.OrderKey {
	switch ev := ev.(type) {
	case wms.OrderPacked:
		return ev.Order
	case wms.PaymentCaptured:
		return ev.Order
	case wms.RefundCreated:
		return ev.Refund.Order
	}
	return wms.OrderKey{}
}

// item reads sku from the backend through the cache items; nil when the
// backend does not know it.
func (e *Engine) item(ctx context.Context, sku string, items map[string]*wms.Item) (*wms.Item, error) {
	if it, ok := items[sku]; ok {
		return it, nil
	}
	it, err := e.backend.Item(ctx, sku)
	if errors.Is(err, wms.ErrNotFound) {
		items[sku] = nil
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync: outbound: read item %s: %w", sku, err)
	}
	items[sku] = &it
	return &it, nil
}

// locationsOf returns the shop's locations mapped to warehouse, sorted.
func locationsOf(s Settings, warehouse string) []string {
	var locs []string
	for loc, wh := range s.Locations {
		if wh == warehouse && warehouse != "" {
			locs = append(locs, loc)
		}
	}
	slices.Sort(locs)
	return locs
}

// deliverTarget delivers the due messages of one shop or listener until
// none is left.
func (e *Engine) deliverTarget(ctx context.Context, ob OutboxStore, cfg OutboundConfig, target string) (int, error) {
	settled := 0
	for ctx.Err() == nil {
		msgs, err := ob.ClaimOutbox(ctx, target, e.now(), cfg.Lease, cfg.Claim)
		if err != nil {
			return settled, fmt.Errorf("sync: outbound: claim messages of %s: %w", target, err)
		}
		if len(msgs) == 0 {
			return settled, nil
		}
		n, err := e.deliverBatch(ctx, ob, cfg, target, msgs)
		settled += n
		if err != nil {
			return settled, err
		}
	}
	return settled, ctx.Err()
}

func (e *Engine) deliverBatch(ctx context.Context, ob OutboxStore, cfg OutboundConfig, target string, msgs []OutboxMessage) (int, error) {
	settled := 0
	settleAll := func(ms []OutboxMessage, err error) {
		for i := range ms {
			if e.settle(ctx, ob, cfg, &ms[i], err) {
				settled++
			}
		}
	}
	if name, ok := strings.CutPrefix(target, ListenerPrefix); ok {
		for i := range msgs {
			m := &msgs[i]
			var err error
			l, ok := e.listener(name)
			if !ok {
				err = fmt.Errorf("sync: listener %q is not registered", name)
			} else if ev, derr := m.Event(); derr != nil {
				err = fmt.Errorf("%w: %v", ErrRejected, derr)
			} else {
				err = l.fn(ctx, ev)
			}
			if e.settle(ctx, ob, cfg, m, err) {
				settled++
			}
		}
		return settled, nil
	}
	s, err := e.store.Settings(ctx, target)
	if err != nil {
		settleAll(msgs, fmt.Errorf("sync: outbound: settings of %s: %w", target, err))
		return settled, nil
	}
	conn, err := e.connector(ctx, s)
	if err != nil {
		settleAll(msgs, err)
		return settled, nil
	}
	out, ok := conn.(Outbound)
	if !ok {
		settleAll(msgs, fmt.Errorf("%w: the shop's connector cannot send outbound messages", ErrRejected))
		return settled, nil
	}
	var stock []OutboxMessage
	for i := range msgs {
		m := &msgs[i]
		switch {
		case !enabledFor(s, *m):
			m.LastError = "skipped: the shop switched " + string(m.Kind) + " off (S13)"
			var err error
			if sku, ok := strings.CutPrefix(m.Entity, "sku:"); ok && m.Kind == wms.KindBarcodeChanged {
				err = e.markBarcodeSettled(ctx, ob, m, sku)
			}
			if e.settle(ctx, ob, cfg, m, err) {
				settled++
			}
		case m.Kind == wms.KindStockChanged:
			stock = append(stock, *m)
		default:
			err := e.deliverOne(ctx, ob, s, out, m)
			if sku, ok := strings.CutPrefix(m.Entity, "sku:"); ok && err == nil && m.Kind == wms.KindBarcodeChanged {
				err = e.markBarcodeSettled(ctx, ob, m, sku)
			}
			if e.settle(ctx, ob, cfg, m, err) {
				settled++
			}
		}
	}
	if len(stock) > 0 {
		settled += e.deliverStock(ctx, ob, cfg, s, out, stock)
	}
	return settled, nil
}

// deliverOne prepares (once) and sends one message that is not stock.
func (e *Engine) deliverOne(ctx context.Context, ob OutboxStore, s Settings, out Outbound, m *OutboxMessage) error {
	ev, err := m.Event()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrRejected, err)
	}
	og := &Outgoing{Kind: m.Kind, Event: ev, Key: m.Key, Plan: m.Plan, Retry: m.Plan != nil || m.Attempts > 0,
		StockSynced: s.OutboundEnabled(wms.KindStockChanged)}
	if og.Key == "" {
		og.Key = IdempotencyKey(m.Shop, m.ID)
		m.Key = og.Key
	}
	items := map[string]*wms.Item{}
	listings := func(skus ...string) error {
		for _, sku := range skus {
			it, err := e.item(ctx, sku, items)
			if err != nil {
				return err
			}
			if it == nil {
				continue
			}
			for _, l := range it.Listings {
				if l.Shop == s.Shop {
					og.Listings = append(og.Listings, l)
				}
			}
		}
		return nil
	}
	switch ev := ev.(type) {
	case wms.BarcodeChanged:
		err = listings(ev.SKU)
	case wms.PurchaseOrderClosed:
		skus := make([]string, 0, len(ev.Costs))
		for _, c := range ev.Costs {
			skus = append(skus, c.SKU)
		}
		err = listings(skus...)
	case wms.OrderPacked:
		og.Locations = locationsOf(s, ev.Warehouse)
	case wms.RefundCreated:
		wh := ev.Refund.Warehouse
		if wh == "" {
			if o, oerr := e.backend.Order(ctx, ev.Refund.Order); oerr == nil {
				wh = o.Warehouse
			}
		}
		og.Locations = locationsOf(s, wh)
	}
	if err != nil {
		return err
	}
	if m.Plan == nil {
		plan, err := out.Prepare(ctx, og)
		if err != nil {
			return err
		}
		if plan == nil {
			plan = []byte("null")
		}
		// The plan is durable before the first send: a retry, in this
		// process or another, measures the shop against it.
		m.Plan = plan
		if err := ob.UpdateOutbox(ctx, []OutboxMessage{*m}); err != nil {
			m.Plan = nil
			return fmt.Errorf("sync: outbound: store plan: %w", err)
		}
		og.Plan = plan
	}
	return out.Send(ctx, og)
}

// deliverStock coalesces stock messages (the newest value per SKU and
// warehouse wins, by Seq then Time), expands them to the shop's inventory
// items and mapped locations, leaves out values the shop was last sent,
// and sends them in batches of at most MaxStockPerCall.
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
	type target struct {
		StockTarget
		group string
	}
	var targets []target
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
		locs := locationsOf(s, g.newest.Warehouse)
		for _, l := range it.Listings {
			if l.Shop != s.Shop || l.InventoryItemID == "" {
				continue
			}
			for _, loc := range locs {
				// Sent even when it equals the value this engine set last:
				// the shop's orders move its available quantity meanwhile,
				// so only the shop knows what it holds now.
				st := StockTarget{SKU: g.newest.SKU, InventoryItemID: l.InventoryItemID, LocationID: loc, Available: g.newest.Available}
				targets = append(targets, target{StockTarget: st, group: k})
			}
		}
	}
	slices.SortFunc(targets, func(a, b target) int {
		return cmp.Or(cmp.Compare(a.InventoryItemID, b.InventoryItemID), cmp.Compare(a.LocationID, b.LocationID))
	})
	// One target per (item, location): two SKUs never share an inventory
	// item, but be safe and keep the last.
	targets = slices.CompactFunc(targets, func(a, b target) bool {
		return a.InventoryItemID == b.InventoryItemID && a.LocationID == b.LocationID
	})
	keys := map[string]string{}
	for start := 0; start < len(targets); start += MaxStockPerCall {
		batch := targets[start:min(start+MaxStockPerCall, len(targets))]
		og := &Outgoing{Kind: wms.KindStockChanged, Stock: make([]StockTarget, len(batch))}
		var b strings.Builder
		for i, t := range batch {
			og.Stock[i] = t.StockTarget
			b.WriteString(t.InventoryItemID + "@" + t.LocationID + "=" + strconv.FormatInt(t.Available, 10) + ";")
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

// settle records the outcome err of m in the store and reports whether m
// is settled (done or dead). When ctx has ended it writes nothing, as a
// crash would not: the lease runs out and the message is claimed again.
func (e *Engine) settle(ctx context.Context, ob OutboxStore, cfg OutboundConfig, m *OutboxMessage, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	done := e.settleFields(ctx, cfg, m, err)
	if uerr := ob.UpdateOutbox(ctx, []OutboxMessage{*m}); uerr != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "outbound: settle message", slog.String("shop", m.Shop),
			slog.String("id", m.ID), slog.String("error", uerr.Error()))
		return false
	}
	return done
}

// settleFields sets m's state after an attempt that returned err.
func (e *Engine) settleFields(ctx context.Context, cfg OutboundConfig, m *OutboxMessage, err error) bool {
	m.LeaseUntil = time.Time{}
	attrs := []slog.Attr{slog.String("shop", m.Shop), slog.String("kind", string(m.Kind)), slog.String("id", m.ID)}
	if err == nil {
		m.State = OutboxDone
		e.ob.stats.delivered.Add(1)
		if m.Shop != "" {
			e.log.LogAttrs(ctx, slog.LevelDebug, "outbound message delivered", attrs...)
		}
		return true
	}
	m.Attempts++
	m.LastError = err.Error()
	attrs = append(attrs, slog.Int("attempts", m.Attempts), slog.String("error", m.LastError))
	if errors.Is(err, ErrRejected) || !retryable(err) || m.Attempts >= cfg.MaxAttempts {
		m.State = OutboxDead
		e.ob.stats.dead.Add(1)
		e.log.LogAttrs(ctx, slog.LevelError, "outbound message dead-lettered", attrs...)
		return true
	}
	m.NextAttempt = e.now().Add(cfg.backoff(m.Attempts))
	e.ob.stats.retried.Add(1)
	e.log.LogAttrs(ctx, slog.LevelWarn, "outbound message failed; will retry", attrs...)
	return false
}
