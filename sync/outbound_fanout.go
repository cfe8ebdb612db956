package sync

// Fan-out: a published event becomes one message per shop and listener
// it concerns.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

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
			if err == nil && len(kids) == 0 {
				// Matches nothing: settled as done, but not silently.
				m.LastError = "skipped: " + e.skipReason(ctx, m, shops, items)
				e.ob.stats.skipped.Add(1)
				e.log.LogAttrs(ctx, slog.LevelInfo, "published event skipped: it concerns no shop and no listener",
					slog.String("kind", string(m.Kind)), slog.String("id", m.ID), slog.String("reason", m.LastError))
			}
			if e.settle(ctx, ob, cfg, &m, err) {
				settled++
			}
		}
	}
}

// outboundShops returns the settings of the shops whose outbound step
// is done: only they receive messages. A shop switches outbound on
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
// that chose its kind and that it concerns (every shop selling
// the SKU), and one per listener of its kind.
func (e *Engine) fanOut(ctx context.Context, m OutboxMessage, shops []Settings, items map[string]*wms.Item) ([]OutboxMessage, error) {
	ev, err := m.Event()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRejected, err)
	}
	var kids []OutboxMessage
	add := func(t target, en entity) {
		k := m
		k.Shop, k.Entity = t.String(), en.String()
		k.Key = IdempotencyKey(k.Shop, m.ID)
		k.State, k.Attempts, k.LastError, k.Plan = OutboxPending, 0, "", nil
		k.NextAttempt, k.CreatedAt, k.LeaseUntil = e.now(), e.now(), time.Time{}
		kids = append(kids, k)
	}
	for _, name := range e.listenersFor(m.Kind) {
		add(listenerTarget(name), entity{})
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
			if !sell[s.Shop] || !s.OutboundEnabled(m.Kind) {
				continue
			}
			locs, err := e.places(s).locations(ctx, ev.Warehouse)
			if err != nil {
				return nil, err
			}
			if len(locs) > 0 {
				add(shopTarget(s.Shop), entity{})
			}
		}
	case wms.BarcodeChanged:
		sell, err := selling(ev.SKU)
		if err != nil {
			return nil, err
		}
		for _, s := range shops {
			if sell[s.Shop] && s.OutboundEnabled(m.Kind) {
				add(shopTarget(s.Shop), skuEntity(ev.SKU))
				// Durable before the message is: an echo of the shop's
				// product from now on cannot undo the change.
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
				add(shopTarget(s.Shop), costsEntity())
			}
		}
	case wms.OrderPacked, wms.PaymentCaptured, wms.RefundCreated:
		key := orderOf(ev)
		if s, ok := byShop[key.Shop]; ok && s.OutboundEnabled(m.Kind) {
			add(shopTarget(s.Shop), orderEntity(key.ExternalID))
			p, packed := ev.(wms.OrderPacked)
			if packed {
				capture, err := e.capturesOnPack(ctx, s)
				if err != nil {
					return nil, err
				}
				packed = capture
			}
			if packed {
				// After the fulfilment, capture what the order's
				// authorisation holds (a capture without an amount), when
				// the shop's connector captures on pack.
				o, err := e.backend.Order(ctx, key)
				if err != nil && !errors.Is(err, wms.ErrNotFound) {
					return nil, fmt.Errorf("sync: outbound: read order %s: %w", key, err)
				}
				if err == nil && o.Total.Sign() > 0 {
					c, err := captureOnPack(m, p, o.Total)
					if err != nil {
						return nil, err
					}
					add(shopTarget(s.Shop), orderEntity(key.ExternalID))
					last := &kids[len(kids)-1]
					last.ID, last.Kind, last.Data = c.ID, c.Kind, c.Data
					last.Key = IdempotencyKey(s.Shop, c.ID)
				}
			}
		}
	}
	return kids, nil
}

// capturesOnPack reports whether the connector of s captures an order's
// payment when the warehouse packs it ([PackCapturer]).
func (e *Engine) capturesOnPack(ctx context.Context, s Settings) (bool, error) {
	conn, err := e.connector(ctx, s)
	if err != nil {
		return false, fmt.Errorf("sync: outbound: %w", err)
	}
	pc, ok := conn.(PackCapturer)
	return ok && pc.CapturesOnPack(), nil
}

func captureOnPack(m OutboxMessage, p wms.OrderPacked, total wms.Decimal) (OutboxMessage, error) {
	info := p.EventInfo
	info.ID = captureOnPackID(info.ID)
	return NewOutboxMessage(wms.PaymentCaptured{EventInfo: info, Order: p.Order, Amount: total}, m.CreatedAt)
}

// enabledFor reports whether the shop wants message m now.
func enabledFor(s Settings, m OutboxMessage) bool {
	if isCaptureOnPack(m) {
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

// skipReason says why the published event m went to no shop and no
// listener, for its LastError and the log. items holds the backend reads
// fanOut made.
func (e *Engine) skipReason(ctx context.Context, m OutboxMessage, shops []Settings, items map[string]*wms.Item) string {
	ev, err := m.Event()
	if err != nil {
		return "undecodable event"
	}
	names := make([]string, 0, len(shops))
	for _, s := range shops {
		names = append(names, s.Shop)
	}
	sellers := func(sku string) string {
		it, err := e.item(ctx, sku, items)
		switch {
		case err != nil:
			return ""
		case it == nil:
			return fmt.Sprintf("SKU %q is unknown to the warehouse", sku)
		}
		for _, l := range it.Listings {
			if slices.Contains(names, l.Shop) {
				return ""
			}
		}
		return fmt.Sprintf("SKU %q is listed in no shop that receives outbound messages", sku)
	}
	switch ev := ev.(type) {
	case wms.StockChanged:
		if r := sellers(ev.SKU); r != "" {
			return r
		}
		return fmt.Sprintf("no shop selling SKU %q takes stock messages for a location mapped to warehouse %q", ev.SKU, ev.Warehouse)
	case wms.BarcodeChanged:
		if r := sellers(ev.SKU); r != "" {
			return r
		}
		return fmt.Sprintf("no shop selling SKU %q takes barcode messages", ev.SKU)
	case wms.PurchaseOrderClosed:
		return "no shop selling its SKUs takes cost messages"
	case wms.OrderPacked, wms.PaymentCaptured, wms.RefundCreated:
		key := orderOf(ev)
		if !slices.Contains(names, key.Shop) {
			return fmt.Sprintf("the order's shop %q is unknown or does not receive outbound messages", key.Shop)
		}
		return fmt.Sprintf("shop %q has %s messages switched off", key.Shop, m.Kind)
	}
	return fmt.Sprintf("no listener for kind %q", m.Kind)
}
