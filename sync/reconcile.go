package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// SweepResult is what one reconciliation sweep of one shop did.
type SweepResult struct {
	Shop string `json:"shop"`
	// OrdersSeen and ProductsSeen count what the shop listed as updated
	// since the watermark minus the overlap; OrdersApplied and
	// ProductsApplied what had not been applied yet (missed or late
	// webhooks), so the sweep wrote it.
	OrdersSeen      int `json:"orders_seen"`
	OrdersApplied   int `json:"orders_applied"`
	ProductsSeen    int `json:"products_seen"`
	ProductsApplied int `json:"products_applied"`
	// OrdersRestored and ProductsRestored count entities the engine had
	// deleted and the sweep brought back, because the shop still has them
	// (each deletion is checked again at doubling intervals).
	OrdersRestored   int `json:"orders_restored,omitempty"`
	ProductsRestored int `json:"products_restored,omitempty"`
	// Skipped reports that another engine sharing the Store was sweeping
	// the shop (it holds the sweep's lease), so this one did nothing.
	Skipped bool `json:"skipped,omitempty"`
}

// Reconcile runs one reconciliation sweep of shop: it lists the orders (once
// the orders step started) and products (once the product import finished)
// updated since the last sweep's watermark minus [Config.ReconcileOverlap],
// applies those newer than what was applied (so a dropped webhook only
// delays a change), and advances the watermarks to the sweep's start. It is
// idempotent, safe to run concurrently with webhooks and in several
// processes. [Engine.Run] calls it every [Config.ReconcileInterval].
//
// Sweeps of one shop in one engine run one at a time. With a Store that is
// a [Leaser], one engine sweeps a shop at a time: the others return a
// result with Skipped set.
func (e *Engine) Reconcile(ctx context.Context, shop string) (SweepResult, error) {
	res := SweepResult{Shop: shop}
	// One sweep of a shop at a time in this process (the lease below is
	// per engine, so it would let two of this engine's sweeps overlap).
	unlock := e.locks.Lock("sweep/" + shop)
	defer unlock()
	lctx, release, held, err := e.holdLease(ctx, "sweep/"+shop)
	if err != nil {
		return res, fmt.Errorf("sync: reconcile %s: %w", shop, err)
	}
	if !held {
		res.Skipped = true
		return res, nil
	}
	defer release()
	res, err = e.reconcile(lctx, shop)
	err = leaseErr(lctx, err)
	if ctx.Err() == nil {
		e.recordCheck(shop, checkSweep, err, nil)
	}
	return res, err
}

func (e *Engine) reconcile(ctx context.Context, shop string) (SweepResult, error) {
	res := SweepResult{Shop: shop}
	s, conn, err := e.shop(ctx, shop)
	if err != nil {
		return res, err
	}
	start := e.now()
	err = e.sweepOrders(ctx, s, conn, start, &res)
	if err == nil {
		err = e.sweepProducts(ctx, s, conn, start, &res)
	}
	if err == nil {
		err = e.recheckDeletions(ctx, s, conn, &res)
	}
	attrs := []slog.Attr{slog.String("shop", shop), slog.Int("orders_seen", res.OrdersSeen),
		slog.Int("orders_applied", res.OrdersApplied), slog.Int("products_seen", res.ProductsSeen),
		slog.Int("products_applied", res.ProductsApplied)}
	e.stats.sweepApplied.Add(uint64(res.OrdersApplied + res.ProductsApplied))
	if err != nil {
		e.stats.sweepErrors.Add(1)
		e.log.LogAttrs(ctx, slog.LevelError, "reconciliation sweep failed", append(attrs, slog.String("error", err.Error()))...)
		return res, fmt.Errorf("sync: reconcile %s: %w", shop, err)
	}
	e.stats.sweeps.Add(1)
	level := slog.LevelInfo
	if res.OrdersApplied+res.ProductsApplied > 0 {
		level = slog.LevelWarn // webhooks were missed
	}
	e.log.LogAttrs(ctx, level, "reconciliation sweep done", attrs...)
	return res, nil
}

func (e *Engine) sweepOrders(ctx context.Context, s Settings, conn Connector, start time.Time, res *SweepResult) error {
	wm, err := e.store.Watermark(ctx, s.Shop, WatermarkOrders)
	if err != nil || wm.IsZero() {
		return err // zero: the orders step has not started
	}
	q := OrderQuery{UpdatedSince: wm.Add(-e.cfg.ReconcileOverlap)}
	cursor := ""
	for {
		page, err := conn.Orders(ctx, q, cursor)
		if err != nil {
			return fmt.Errorf("list orders: %w", err)
		}
		for _, o := range page.Items {
			res.OrdersSeen++
			out, err := e.applyOrder(ctx, s, conn, o, webhook.Version{UpdatedAt: o.UpdatedAt}, true)
			if err == nil && out == outStale && !o.POS {
				out, err = e.repairSameSecond(ctx, s, conn, o)
			}
			if err != nil {
				if retryable(err) {
					return err
				}
				e.log.LogAttrs(ctx, slog.LevelError, "sweep: order rejected by the warehouse",
					slog.String("shop", s.Shop), slog.String("order", o.ExternalID), slog.String("error", err.Error()))
				continue
			}
			if out == outApplied {
				res.OrdersApplied++
			}
			e.log.LogAttrs(ctx, slog.LevelDebug, "sweep: order seen", slog.String("shop", s.Shop),
				slog.String("order", o.ExternalID), slog.String("outcome", out.String()))
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	_, err = e.store.AdvanceWatermark(ctx, s.Shop, WatermarkOrders, start)
	return err
}

// repairSameSecond applies a swept order whose version equals the applied
// one when the warehouse's copy has another status. Versions are whole
// seconds on most shop systems, and a sweep's carry no trigger time, so a
// change made within the second of the applied state (an order paid, or
// cancelled, right after it was placed) has an equal version; when its
// webhook is lost (WooCommerce never retries one) the sweep alone can
// bring it, and only by comparing with what the warehouse holds. It costs
// a backend read per swept order at an equal version, and a read of the
// order by id when the status differs, so a listing read before a webhook
// that was applied since never wins over it.
func (e *Engine) repairSameSecond(ctx context.Context, s Settings, conn Connector, o Order) (outcome, error) {
	key := EntityKey{Shop: s.Shop, Kind: KindOrder, ID: o.ExternalID}
	applied, _, err := e.store.Version(ctx, key)
	if err != nil {
		return outIgnored, fmt.Errorf("sync: read version of %s: %w", key, err)
	}
	if c, ok := (webhook.Version{UpdatedAt: o.UpdatedAt}).Compare(applied); !ok || c != 0 {
		return outStale, nil
	}
	held, err := e.backend.Order(ctx, wms.OrderKey{Shop: s.Shop, ExternalID: o.ExternalID})
	switch {
	case errors.Is(err, wms.ErrNotFound):
		return outStale, nil // not the warehouse's
	case err != nil:
		return outIgnored, fmt.Errorf("sync: read order %s of %s from the backend: %w", o.ExternalID, s.Shop, err)
	case sameStatus(held.Status, o.Status):
		return outStale, nil
	}
	for range maxConflicts {
		page, err := conn.Orders(ctx, OrderQuery{IDs: []string{o.ExternalID}}, "")
		if err != nil {
			return outIgnored, fmt.Errorf("sync: re-read order %s of %s: %w", o.ExternalID, s.Shop, err)
		}
		if len(page.Items) == 0 || sameStatus(page.Items[0].Status, held.Status) {
			return outStale, nil // deleted meanwhile (its deletion follows), or caught up
		}
		live := page.Items[0]
		v := webhook.Version{UpdatedAt: live.UpdatedAt}
		if c, ok := v.Compare(applied); !ok || c != 0 {
			return e.applyOrder(ctx, s, conn, live, v, true) // changed again: the usual rule
		}
		out, lost, err := e.applyOrderOnce(ctx, s, conn, key, live, v, applyUnlessStale, true)
		if err != nil || !lost {
			if err == nil && out == outApplied {
				e.log.LogAttrs(ctx, slog.LevelWarn, "sweep: order changed within the second of the state applied; the shop's status applied",
					slog.String("shop", s.Shop), slog.String("order", o.ExternalID),
					slog.String("was", string(held.Status)), slog.String("now", string(live.Status)))
			}
			return out, err
		}
		// Another process applied the order meanwhile: read it again, so
		// the shop's current order is what ends up in the backend.
	}
	return outIgnored, fmt.Errorf("sync: order %s kept changing concurrently", key)
}

// sameStatus reports whether two order statuses are the same ("" is open).
func sameStatus(a, b wms.OrderStatus) bool {
	if a == "" {
		a = wms.OrderOpen
	}
	if b == "" {
		b = wms.OrderOpen
	}
	return a == b
}

func (e *Engine) sweepProducts(ctx context.Context, s Settings, conn Connector, start time.Time, res *SweepResult) error {
	wm, err := e.store.Watermark(ctx, s.Shop, WatermarkProducts)
	if err != nil || wm.IsZero() {
		return err // zero: the product import has not finished
	}
	q := ProductQuery{UpdatedSince: wm.Add(-e.cfg.ReconcileOverlap)}
	cursor := ""
	for {
		page, err := conn.Products(ctx, q, cursor)
		if err != nil {
			return fmt.Errorf("list products: %w", err)
		}
		res.ProductsSeen += len(page.Items)
		n, err := e.applyProducts(ctx, s, conn, page.Items, nil, applyIfNewer, false)
		if err != nil {
			return err
		}
		res.ProductsApplied += n
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	_, err = e.store.AdvanceWatermark(ctx, s.Shop, WatermarkProducts, start)
	return err
}

// AuditResult is what one webhook subscription audit of one shop did.
type AuditResult struct {
	Shop string `json:"shop"`
	// Recreated lists the subscriptions the shop had lost and the audit
	// created again, per webhook group.
	Recreated map[WebhookGroup][]string `json:"recreated,omitempty"`
}

// AuditWebhooks makes sure the shop still has the webhook subscriptions of
// the finished setup steps (product webhooks after the product step, order
// webhooks once the orders step started) and re-creates those the shop
// removed (shop systems delete or disable a subscription after repeated
// failed deliveries). Re-created subscriptions are logged at Warn and counted.
// A connector without [WebhookRegistrar] has nothing to audit.
func (e *Engine) AuditWebhooks(ctx context.Context, shop string) (AuditResult, error) {
	res := AuditResult{Shop: shop}
	_, conn, err := e.shop(ctx, shop)
	if err != nil {
		return res, err
	}
	reg, ok := conn.(WebhookRegistrar)
	if !ok {
		return res, nil
	}
	states, err := e.StepStates(ctx, shop)
	if err != nil {
		return res, err
	}
	var groups []WebhookGroup
	if st := states[StepProducts.index()]; st.Status != StepPending {
		groups = append(groups, AppWebhooks)
	}
	if st := states[StepProducts.index()]; st.Status.Finished() {
		groups = append(groups, ProductWebhooks)
	}
	if st := states[StepOrders.index()]; st.Status != StepPending {
		groups = append(groups, OrderWebhooks)
	}
	var errs []error
	for _, g := range groups {
		created, err := reg.EnsureWebhooks(ctx, g)
		if err != nil && g == AppWebhooks {
			// A shop system without app lifecycle topics refuses the
			// group; the setup step logged it once.
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s webhooks: %w", g, err))
			continue
		}
		if len(created) > 0 {
			if res.Recreated == nil {
				res.Recreated = map[WebhookGroup][]string{}
			}
			res.Recreated[g] = created
			e.stats.recreated.Add(uint64(len(created)))
			e.log.LogAttrs(ctx, slog.LevelWarn, "webhook subscriptions were missing; re-created",
				slog.String("shop", shop), slog.String("group", string(g)), slog.Any("topics", created))
		}
	}
	if err := errors.Join(errs...); err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "webhook audit failed", slog.String("shop", shop), slog.String("error", err.Error()))
		err = fmt.Errorf("sync: audit webhooks of %s: %w", shop, err)
		e.recordCheck(shop, checkWebhooks, err, nil)
		return res, err
	}
	e.stats.audits.Add(1)
	var recreated []string
	for _, g := range groups {
		recreated = append(recreated, res.Recreated[g]...)
	}
	e.recordCheck(shop, checkWebhooks, nil, recreated)
	return res, nil
}
