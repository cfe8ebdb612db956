package sync

// Sending one message that is not stock: its plan once, then Send.

import (
	"context"
	"fmt"

	"github.com/wmsbridge/wmsbridge/wms"
)

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
		og.Locations, err = e.places(s).locations(ctx, ev.Warehouse)
	case wms.RefundCreated:
		wh := ev.Refund.Warehouse
		if wh == "" {
			if o, oerr := e.backend.Order(ctx, ev.Refund.Order); oerr == nil {
				wh = o.Warehouse
			}
		}
		og.Locations, err = e.places(s).locations(ctx, wh)
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
