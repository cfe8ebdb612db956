package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// outcome is what applying one change did.
type outcome int

const (
	outApplied outcome = iota
	outStale
	outIgnored
	// outAskShop: a webhook body would bring back an order the engine
	// deleted; only the shop's own read may (applyOrder asks it).
	outAskShop
)

func (o outcome) String() string {
	switch o {
	case outApplied:
		return "applied"
	case outStale:
		return "stale"
	}
	return "ignored"
}

// HandleEvent applies one webhook event from the inbox: it finds the shop
// the event names (by its source and shop, see [ShopSystem.EventShop]), has
// the shop's connector decode the event, and
// applies the change to the backend if it is newer than what was applied
// for the entity (staleness protection). [Engine.Run] calls it for every
// inbox event; call it yourself only when you drain the inbox your own way.
//
// It returns nil when the event is done (applied, stale, or nothing to do),
// an error for which [webhook.IsPermanent] is true when retrying cannot
// help (unknown shop, undecodable payload, data the warehouse rejects), and
// any other error when a retry may succeed. It is idempotent: handling an
// event again changes nothing. Changes of one entity are applied one at a
// time within the process.
func (e *Engine) HandleEvent(ctx context.Context, ev *webhook.Event) error {
	out, err := e.handleEvent(ctx, ev)
	switch {
	case err != nil:
		e.stats.eventsFailed.Add(1)
		e.observeInbound(ctx, ev.ReceivedAt, "failed")
		if !retryable(err) || errors.Is(err, ErrUnknownShop) || errors.Is(err, ErrShopDisconnected) {
			return webhook.Permanent(err)
		}
		return err
	case out == outApplied:
		e.stats.eventsApplied.Add(1)
	case out == outStale:
		e.stats.eventsStale.Add(1)
	default:
		e.stats.eventsIgnored.Add(1)
	}
	e.observeInbound(ctx, ev.ReceivedAt, out.String())
	return nil
}

func (e *Engine) handleEvent(ctx context.Context, ev *webhook.Event) (outcome, error) {
	s, err := e.shopOfEvent(ctx, ev.Source, ev.Shop)
	if err != nil {
		return outIgnored, err
	}
	conn, err := e.connector(ctx, s)
	if err != nil {
		return outIgnored, err
	}
	ch, err := conn.Decode(ctx, ev)
	if err != nil {
		return outIgnored, fmt.Errorf("sync: decode %s event %s of %s: %w", ev.Topic, ev.WebhookID, s.Shop, err)
	}
	if lifecycleKind(ch.Kind) {
		return e.applyLifecycle(ctx, s, conn, ev, ch) // lifecycle.go
	}
	if ch.Partial && s.Connection.Disconnected() {
		// Completing it needs the shop, which removed the app: the sweep
		// after a reconnect applies the entity's state then.
		return outIgnored, fmt.Errorf("%w: %s event %s of %s needs a read of the shop", ErrShopDisconnected, ev.Topic, ev.WebhookID, s.Shop)
	}
	log := e.log.With(slog.String("shop", s.Shop), slog.String("topic", string(ev.Topic)),
		slog.String("webhook_id", ev.WebhookID), slog.String("id", ch.ID))
	out, err := e.applyChange(withEventMemo(ctx), s, conn, ch)
	if err == nil {
		log.LogAttrs(ctx, slog.LevelDebug, "webhook event handled", slog.String("outcome", out.String()))
	}
	return out, err
}

// applyChange applies one decoded change.
func (e *Engine) applyChange(ctx context.Context, s Settings, conn Connector, ch Change) (outcome, error) {
	switch ch.Kind {
	case ChangeProduct:
		if ch.Product == nil {
			return outIgnored, fmt.Errorf("%w: product change without product", ErrInvalidPayload)
		}
		p, v := *ch.Product, ch.Version
		fetch := ch.Partial
		if !fetch {
			var err error
			if fetch, err = e.newItemsWithoutWeight(ctx, p); err != nil {
				return outIgnored, err
			}
		}
		if fetch {
			page, err := conn.Products(ctx, ProductQuery{IDs: []string{ch.ID}}, "")
			if err != nil {
				return outIgnored, fmt.Errorf("sync: fetch product %s of %s: %w", ch.ID, s.Shop, err)
			}
			if len(page.Items) == 0 {
				return outIgnored, nil // deleted meanwhile; its delete event follows
			}
			return e.applyShopProduct(ctx, s, conn, page.Items[0])
		}
		gone, err := e.productGone(ctx, s.Shop, p.ExternalID)
		if err != nil {
			return outIgnored, err
		}
		if gone {
			// Deleted here: only the shop, not a webhook body (which may
			// be an old one replayed), brings it back.
			live, found, err := e.productPresence.ask(ctx, s.Shop, conn, p.ExternalID)
			if err != nil || !found {
				return outStale, err
			}
			return e.applyShopProduct(ctx, s, conn, live)
		}
		if _, rev, err := e.store.Version(ctx, EntityKey{Shop: s.Shop, Kind: KindProduct, ID: p.ExternalID}); err != nil {
			return outIgnored, fmt.Errorf("sync: read version of product %s of %s: %w", p.ExternalID, s.Shop, err)
		} else if rev == 0 {
			// A product new to this shop: the shop confirms it is its
			// own (a signed body of another shop of the same app,
			// re-posted under this shop's name, is not).
			live, found, err := e.productPresence.ask(ctx, s.Shop, conn, p.ExternalID)
			if err != nil || !found {
				return outIgnored, err
			}
			return e.applyShopProduct(ctx, s, conn, live)
		}
		n, err := e.applyProducts(ctx, s, conn, []Product{p}, []webhook.Version{v}, applyIfNewer, false)
		if err != nil || n == 0 {
			return outStale, err
		}
		return outApplied, nil
	case ChangeProductDeleted:
		return e.deleteProduct(ctx, s, conn, ch)
	case ChangeOrder:
		if ch.Order == nil {
			return outIgnored, fmt.Errorf("%w: order change without order", ErrInvalidPayload)
		}
		o, v, fromShop := *ch.Order, ch.Version, false
		if ch.Partial {
			var out outcome
			var err error
			if o, v, fromShop, out, err = e.fetchOrder(ctx, s, conn, ch); err != nil || out != outApplied {
				return out, err
			}
		}
		return e.applyOrder(ctx, s, conn, o, v, fromShop)
	case ChangeOrderDeleted:
		return e.deleteOrder(ctx, s, conn, ch)
	}
	return outIgnored, nil
}

// newItemsWithoutWeight reports whether p has a variant without a weight
// whose SKU the backend does not know yet. A shop's product webhooks may
// carry no weights (Shopify's have not since API 2024-07): the backend
// keeps the weight of an item it knows, but a new item would start without
// one, so the engine reads such a product from the shop first.
func (e *Engine) newItemsWithoutWeight(ctx context.Context, p Product) (bool, error) {
	for _, v := range p.Variants {
		if v.SKU == "" || !v.Weight.IsZero() {
			continue
		}
		_, err := e.backend.Item(ctx, v.SKU)
		switch {
		case errors.Is(err, wms.ErrNotFound):
			return true, nil
		case err != nil:
			return false, fmt.Errorf("sync: read item %q: %w", v.SKU, err)
		}
	}
	return false, nil
}

// fetchOrder reads the order of a Partial order change from the shop (the
// payload lacks what the connector needs, such as where a web order is
// fulfilled), keeping the event's trigger time and taking the fetched
// order's updated-at as the version. It returns outApplied when there is an
// order to apply, and another outcome when there is nothing to do: the
// orders do not flow yet, the event is a redelivery of a version already
// applied (no query then), or the shop no longer has the order.
func (e *Engine) fetchOrder(ctx context.Context, s Settings, conn Connector, ch Change) (o Order, v webhook.Version, fromShop bool, out outcome, err error) {
	o, v = *ch.Order, ch.Version
	if _, started, err := e.ordersStarted(ctx, s.Shop); err != nil || !started {
		return o, v, false, outIgnored, err
	}
	applied, rev, err := e.store.Version(ctx, EntityKey{Shop: s.Shop, Kind: KindOrder, ID: ch.ID})
	if err != nil {
		return o, v, false, outIgnored, fmt.Errorf("sync: read version of order %s of %s: %w", ch.ID, s.Shop, err)
	}
	if !v.Supersedes(applied) {
		return o, v, false, outStale, nil
	}
	page, err := conn.Orders(ctx, OrderQuery{IDs: []string{ch.ID}}, "")
	if err != nil {
		return o, v, false, outIgnored, fmt.Errorf("sync: fetch order %s of %s: %w", ch.ID, s.Shop, err)
	}
	for _, it := range page.Items {
		if it.ExternalID == ch.ID {
			v.UpdatedAt = it.UpdatedAt
			return it, v, true, outApplied, nil
		}
	}
	if !o.Active() && rev > 0 {
		// The shop does not show an order the warehouse has (deleted
		// meanwhile, or beyond how far back the shop lists orders to
		// these credentials): a cancellation still reaches the warehouse
		// from the payload, since where the order ships from does not
		// matter for it. One the warehouse never had is not its
		// business (nor is another shop's body under this shop's name).
		return o, v, false, outApplied, nil
	}
	// Deleted meanwhile: nothing to apply now; its delete event follows
	// (and a sweep brings any other state). Without a location the open
	// order cannot go to the right warehouse.
	return o, v, false, outIgnored, nil
}

// ClockSkew is how far the shop's clock may be behind the engine's: an order
// created up to ClockSkew before the orders step started still counts as
// new (better a borderline order in the warehouse than a lost one).
const ClockSkew = 5 * time.Minute

// ordersStarted reports whether the orders step of shop has started
// (orders flow from then on), and when. Within the handling of one webhook
// event (see withEventMemo) the store is asked once.
func (e *Engine) ordersStarted(ctx context.Context, shop string) (time.Time, bool, error) {
	m, _ := ctx.Value(eventMemoKey{}).(*eventMemo)
	if m != nil && m.ordersShop == shop {
		return m.orders.StartedAt, m.orders.Status != StepPending, nil
	}
	st, err := e.stepState(ctx, shop, StepOrders)
	if err != nil {
		return time.Time{}, false, err
	}
	if m != nil {
		m.ordersShop, m.orders = shop, st
	}
	return st.StartedAt, st.Status != StepPending, nil
}

// eventMemo keeps what the handling of one webhook event read from the
// store and may read again (the orders step: a partial order's read from
// the shop checks it first, its apply again). Not shared between events:
// each starts from the store.
type eventMemo struct {
	ordersShop string
	orders     StepState
}

type eventMemoKey struct{}

// withEventMemo returns ctx with an empty eventMemo for one event.
func withEventMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, eventMemoKey{}, &eventMemo{})
}

// applyOrder applies one order (or a deletion) if it is newer than what
// was applied: a POS order becomes stock movements and sales records,
// any other order goes to the backend at the mapped warehouse.
// fromShop says that o is the shop's order as read from it (a sweep, a
// read by id), or a deletion the shop confirmed, rather than a webhook's
// body: only the shop's own word deletes an order or brings a deleted one
// back (see tombstone.go). A webhook body for an order deleted here makes
// the engine ask the shop, and apply what the shop has, if anything.
func (e *Engine) applyOrder(ctx context.Context, s Settings, conn Connector, o Order, v webhook.Version, fromShop bool) (outcome, error) {
	key := EntityKey{Shop: s.Shop, Kind: KindOrder, ID: o.ExternalID}
	mode := applyIfNewer
	for range maxConflicts {
		out, lost, err := e.applyOrderOnce(ctx, s, conn, key, o, v, mode, fromShop)
		if err != nil {
			return out, err
		}
		if out == outAskShop {
			live, found, err := e.orderPresence.ask(ctx, s.Shop, conn, o.ExternalID)
			if err != nil {
				return outIgnored, fmt.Errorf("sync: confirm order %s of %s: %w", o.ExternalID, s.Shop, err)
			}
			if !found {
				return outStale, nil // the deletion stands
			}
			o, v, fromShop = live, webhook.Version{UpdatedAt: live.UpdatedAt}, true
			continue
		}
		if !lost {
			return out, nil
		}
		// Our backend write may have landed after the winner's: write the
		// shop's current order even if its version equals the winner's.
		mode = applyUnlessStale
		// Another process applied this order meanwhile: apply the shop's
		// current order so the newest data ends up in the backend.
		page, err := conn.Orders(ctx, OrderQuery{IDs: []string{o.ExternalID}}, "")
		if err != nil {
			return outIgnored, fmt.Errorf("sync: re-read order %s of %s: %w", o.ExternalID, s.Shop, err)
		}
		fromShop = true
		if len(page.Items) == 0 {
			o = Order{Order: wms.Order{ExternalID: o.ExternalID, Status: wms.OrderDeleted}}
			v = webhook.Version{TriggeredAt: e.now()}
		} else {
			o, v = page.Items[0], webhook.Version{UpdatedAt: page.Items[0].UpdatedAt}
		}
	}
	return outIgnored, fmt.Errorf("sync: order %s kept changing concurrently", key)
}

func (e *Engine) applyOrderOnce(ctx context.Context, s Settings, conn Connector, key EntityKey, o Order,
	v webhook.Version, mode applyMode, fromShop bool) (out outcome, lost bool, err error) {
	since, started, err := e.ordersStarted(ctx, s.Shop)
	if err != nil || !started {
		return outIgnored, false, err
	}
	unlock := e.locks.Lock(key.String())
	defer unlock()
	applied, rev, err := e.store.Version(ctx, key)
	if err != nil {
		return outIgnored, false, fmt.Errorf("sync: read version of %s: %w", key, err)
	}
	deleting := o.Status == wms.OrderDeleted
	restoring := false
	if rev > 0 && !deleting {
		gone, err := e.orderGone(ctx, s.Shop, o.ExternalID)
		switch {
		case err != nil:
			return outIgnored, false, err
		case gone && !fromShop:
			return outAskShop, false, nil
		case gone:
			// The shop has the order the engine deleted: restore it, even
			// at the version applied before the deletion.
			restoring, mode = true, applyUnlessStale
		}
	}
	if !mode.wants(v, applied) {
		return outStale, false, nil
	}
	if rev == 0 && !o.CreatedAt.IsZero() && o.CreatedAt.Before(since.Add(-ClockSkew)) {
		// Orders created before the orders step started are not the
		// warehouse's (new orders flow from then on), even when they
		// change later or a sweep's overlap meets them. ClockSkew keeps an
		// order created just after the start by the shop's clock.
		e.log.LogAttrs(ctx, slog.LevelDebug, "order created before the orders step; ignored",
			slog.String("shop", s.Shop), slog.String("order", o.ExternalID))
		return outIgnored, false, nil
	}
	if o.POS {
		out, err = e.applyPOS(ctx, s, e.shopZone(ctx, s, conn), o)
	} else {
		out, err = e.upsertOrder(ctx, s, o, rev > 0)
	}
	if err != nil || out == outIgnored {
		return out, false, err
	}
	switch {
	case deleting:
		err = e.markGone(ctx, s.Shop, kindOrderGone, o.ExternalID)
	case restoring:
		if err = e.clearGone(ctx, s.Shop, kindOrderGone, o.ExternalID); err == nil {
			e.stats.restored.Add(1)
			e.log.LogAttrs(ctx, slog.LevelWarn, "deleted order restored: the shop has it",
				slog.String("shop", s.Shop), slog.String("order", o.ExternalID))
		}
	}
	if err != nil {
		return outIgnored, false, err
	}
	ok, err := e.store.SetVersion(ctx, key, merge(applied, v), rev)
	if err != nil {
		return outIgnored, false, fmt.Errorf("sync: record version of %s: %w", key, err)
	}
	return out, !ok, nil
}

// upsertOrder sends a (non-POS) order to the backend at the warehouse its
// location maps to; no location leaves the choice to the backend (its
// default warehouse), except for a single-location shop, whose orders go
// to its warehouse. An order at a location that maps to no warehouse is
// not the warehouse's: it is ignored while active (open or awaiting
// payment), and, when it never reached the warehouse (known false), also
// once cancelled. An order the warehouse has (known) that moved to an
// unmapped location keeps its warehouse copy (an active one is ignored
// with a warning; a cancellation goes through).
func (e *Engine) upsertOrder(ctx context.Context, s Settings, o Order, known bool) (outcome, error) {
	wo := o.Order.Clone()
	wo.Shop = s.Shop
	wo.Warehouse = ""
	wo.Lines = shippable(wo.Lines)
	wh, ok, err := e.places(s).warehouse(ctx, o.LocationID)
	if err != nil {
		return outIgnored, err
	}
	if o.LocationID != "" || ok {
		switch {
		case ok && wo.Active():
			wo.Warehouse = wh
		case !ok && known && wo.Active():
			e.stats.unmapped.Add(1)
			e.log.LogAttrs(ctx, slog.LevelWarn, "order moved to a location that maps to no warehouse; the warehouse keeps its copy",
				slog.String("shop", s.Shop), slog.String("order", o.ExternalID), slog.String("location", o.LocationID))
			return outIgnored, nil
		case !ok && !known:
			e.stats.unmapped.Add(1)
			e.log.LogAttrs(ctx, slog.LevelInfo, "order ignored: its location maps to no warehouse",
				slog.String("shop", s.Shop), slog.String("order", o.ExternalID), slog.String("location", o.LocationID))
			return outIgnored, nil
		}
	}
	if err := e.backend.UpsertOrder(ctx, wo); err != nil {
		return outIgnored, fmt.Errorf("sync: upsert order %s of %s: %w", o.ExternalID, s.Shop, err)
	}
	e.stats.orders.Add(1)
	return outApplied, nil
}

// applyPOS turns a point-of-sale order into stock movements at the mapped
// warehouse and sales records; it never becomes a pick order.
func (e *Engine) applyPOS(ctx context.Context, s Settings, zone *time.Location, o Order) (outcome, error) {
	if !s.POS || !o.Active() {
		return outIgnored, nil
	}
	wh, ok, err := e.places(s).warehouse(ctx, o.LocationID)
	if err != nil {
		return outIgnored, err
	}
	if !ok {
		e.stats.unmapped.Add(1)
		e.log.LogAttrs(ctx, slog.LevelInfo, "POS sale ignored: its location maps to no warehouse",
			slog.String("shop", s.Shop), slog.String("order", o.ExternalID), slog.String("location", o.LocationID))
		return outIgnored, nil
	}
	mover, canMove := e.backend.(wms.StockMover)
	rec, canRecord := e.backend.(wms.SalesRecorder)
	if !canMove && !canRecord {
		return outIgnored, nil
	}
	day := dayIn(o.CreatedAt, zone)
	var moves []wms.StockMovement
	var sales []wms.SalesRecord
	for _, l := range shippable(o.Lines) {
		moves = append(moves, wms.StockMovement{
			Shop: s.Shop, ExternalID: o.ExternalID + "/" + l.ExternalID, SKU: l.SKU, Warehouse: wh,
			Delta: -l.Quantity, Reason: wms.ReasonPOSSale, OrderID: o.ExternalID, At: o.CreatedAt,
		})
		amount := wms.Decimal("")
		if l.Price != "" {
			amount = l.Price.MulInt(l.Quantity)
		}
		sales = append(sales, wms.SalesRecord{Shop: s.Shop, SKU: l.SKU, Day: day, Ref: o.ExternalID + "/" + l.ExternalID,
			Quantity: l.Quantity, Amount: amount})
	}
	if canMove && len(moves) > 0 {
		err := mover.MoveStock(ctx, moves)
		var nf *wms.NotFoundError
		switch {
		case errors.As(err, &nf):
			e.log.LogAttrs(ctx, slog.LevelWarn, "POS sale: stock not moved for unknown keys",
				slog.String("shop", s.Shop), slog.String("order", o.ExternalID), slog.String("error", err.Error()))
		case err != nil && !errors.Is(err, wms.ErrNotSupported):
			return outIgnored, fmt.Errorf("sync: POS stock movement of %s/%s: %w", s.Shop, o.ExternalID, err)
		}
	}
	if canRecord && len(sales) > 0 {
		if err := rec.RecordSales(ctx, sales); err != nil && !errors.Is(err, wms.ErrNotSupported) {
			return outIgnored, fmt.Errorf("sync: POS sales of %s/%s: %w", s.Shop, o.ExternalID, err)
		}
	}
	e.stats.posSales.Add(1)
	return outApplied, nil
}

// shippable returns the lines a warehouse can act on: with a SKU and a
// quantity (custom items, gift cards and removed lines are left out).
func shippable(lines []wms.OrderLine) []wms.OrderLine {
	return slices.DeleteFunc(slices.Clone(lines), func(l wms.OrderLine) bool { return l.SKU == "" || l.Quantity < 1 })
}
