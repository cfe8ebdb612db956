package chaos

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// idle reports whether the current process has nothing left to do: no
// inbox event pending or claimed and no outbox message pending.
func (w *world) idle(ctx context.Context) bool { return w.busy(ctx) == "" }

// busy says what the current process still has to do ("" when idle).
func (w *world) busy(ctx context.Context) string {
	w.procMu.RLock()
	defer w.procMu.RUnlock()
	if w.proc == nil {
		return "no process"
	}
	shops, err := w.proc.store.ListSettings(ctx)
	if err != nil {
		return "shops: " + err.Error()
	}
	for _, sh := range shops {
		h, err := w.proc.eng.Health(ctx, sh.Shop)
		if err != nil {
			return "health: " + err.Error()
		}
		if h.Inbox != nil && h.Inbox.Pending > 0 {
			return fmt.Sprintf("inbox of %s: %d pending or claimed", sh.Shop, h.Inbox.Pending)
		}
	}
	if !w.outbox {
		return ""
	}
	ob := any(w.proc.store).(wmssync.OutboxStore)
	ms, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{State: wmssync.OutboxPending, Limit: 5})
	if err != nil {
		return "outbox: " + err.Error()
	}
	if len(ms) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "outbox pending:")
		for _, m := range ms {
			fmt.Fprintf(&b, " [%q %s %s attempts %d next %s err %q]", m.Shop, m.Kind, m.ID, m.Attempts,
				m.NextAttempt.Sub(w.now()).Round(time.Millisecond), m.LastError)
		}
		return b.String()
	}
	return ""
}

// waitIdle waits until the process is idle; while it is not, the clock
// moves ten minutes every 200ms so that events waiting for a retry (the
// inbox backs off up to an hour) become due.
func (w *world) waitIdle(ctx context.Context, deadline time.Time) {
	w.t.Helper()
	last, started, reported := time.Now(), time.Now(), false
	for {
		why := w.busy(ctx)
		if why == "" {
			return
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("engine not idle by the deadline: %s", why)
		}
		if !reported && time.Since(started) > 5*time.Second {
			w.t.Logf("still busy after 5s: %s", why)
			reported = true
		}
		if time.Since(last) > 200*time.Millisecond {
			w.advance(10 * time.Minute)
			last = time.Now()
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quiesce waits, with the faults off, until everything has settled: every
// webhook delivered; a webhook audit and a reconciliation sweep of each
// shop (healing what dropped webhooks lost); then the inbox handled, the
// outbox drained and the webhooks those caused delivered, until a round
// finds nothing new.
func (s *scenario) quiesce(ctx context.Context) {
	w := s.w
	w.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	waitWebhooks := func() {
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		start := time.Now()
		require.NoError(w.t, w.srv.WaitWebhooks(wctx), "webhooks not delivered")
		if d := time.Since(start); d > 5*time.Second {
			w.t.Logf("waited %s for the simulator's webhooks", d.Round(time.Millisecond))
		}
	}
	waitWebhooks()
	start := time.Now()
	s.wooQuiesce(ctx)
	for _, shop := range []string{shopA, shopB} {
		w.retry("webhook audit "+shop, time.Minute, func(p *process) error {
			_, err := p.eng.AuditWebhooks(p.ctx, shop)
			return err
		})
		w.retry("reconcile "+shop, time.Minute, func(p *process) error {
			res, err := p.eng.Reconcile(p.ctx, shop)
			if err == nil && res.Skipped {
				return errSkipped // the engine's loop is sweeping: one full sweep must run after the faults
			}
			return err
		})
	}
	if d := time.Since(start); d > 5*time.Second {
		w.t.Logf("audits and sweeps took %s", d.Round(time.Millisecond))
	}
	last := int64(-1)
	for {
		require.True(w.t, time.Now().Before(deadline), "no quiescence within 3 minutes")
		w.waitIdle(ctx, deadline)
		waitWebhooks()
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		require.NoError(w.t, w.woo.WaitWebhooks(wctx), "WooCommerce webhooks not delivered")
		cancel()
		attempts := w.srv.WebhookStats().Attempts + w.wooDeliveries()
		if attempts == last && w.idle(ctx) {
			return
		}
		last = attempts
		time.Sleep(50 * time.Millisecond)
	}
}

// checkInbound: every order placed in a shop is in the WMS exactly once
// (web orders as one order with the shop's lines at the mapped warehouse;
// POS sales as exactly one stock movement per line and no order), and the
// WMS's reservations add up to its released orders.
func (s *scenario) checkInbound(ctx context.Context) {
	w, t := s.w, s.w.t
	web := 0
	movements := map[string][]wms.StockMovement{} // by order GID
	for _, m := range w.wms.Movements() {
		if m.OrderID != "" {
			movements[m.Shop+" "+m.OrderID] = append(movements[m.Shop+" "+m.OrderID], m)
		}
	}
	for _, p := range s.orders {
		so, ok := p.shop.Order(p.id)
		require.True(t, ok)
		gid := shopify.GID("Order", p.id)
		wo, err := w.wms.Order(ctx, p.key())
		if p.pos {
			assert.ErrorIs(t, err, wms.ErrNotFound, "POS sale %s %s became a WMS order", p.name, gid)
			ms := movements[p.name+" "+gid]
			if len(ms) == 0 {
				t.Logf("POS sale %s %s lost:\n%s", p.name, gid, s.lostOrderReport(ctx, p))
			}
			if assert.Len(t, ms, len(so.LineItems), "POS sale %s %s: stock movements (exactly one per line)", p.name, gid) {
				for i, m := range ms {
					l := so.LineItems[i]
					assert.Equal(t, -int64(l.Quantity), m.Delta, "POS sale %s %s line %s", p.name, gid, l.SKU)
					assert.Equal(t, whSTORE, m.Warehouse)
				}
			}
			continue
		}
		web++
		if !assert.NoError(t, err, "order %s %s (%s) lost: not in the WMS", p.name, gid, so.Name) {
			t.Logf("order %s %s lost:\n%s", p.name, gid, s.lostOrderReport(ctx, p))
			continue
		}
		assert.Equal(t, p.wh, warehouseOf(wo), "order %s %s warehouse", p.name, gid)
		assert.Empty(t, movements[p.name+" "+gid], "web order %s %s moved stock like a POS sale", p.name, gid)
		if s.refunds[p.key()] == 0 {
			want, got := map[string]int64{}, map[string]int64{}
			for _, l := range so.LineItems {
				want[l.SKU] += int64(l.Quantity)
			}
			for _, l := range wo.Lines {
				got[l.SKU] += l.Quantity
			}
			assert.Equal(t, want, got, "order %s %s lines", p.name, gid)
		}
	}
	ours := 0
	reserved := map[[2]string]int64{}
	for _, o := range w.wms.Orders() {
		if o.Shop != shopA && o.Shop != shopB && o.Shop != shopW {
			continue
		}
		_, placed := s.byKey[o.Key()]
		assert.True(t, placed, "WMS order %s %s was never placed in a shop", o.Shop, o.ExternalID)
		if o.Shop != shopW { // the WooCommerce store's orders: checkWoo
			ours++
		}
		if o.Stage == wms.StageReleased {
			for _, l := range o.Lines {
				reserved[[2]string{warehouseOf(o), l.SKU}] += l.Quantity
			}
		}
	}
	assert.Equal(t, web, ours, "web orders in the shops vs orders in the WMS (none lost, none duplicated)")
	for _, it := range w.wms.Items() {
		for _, wh := range []string{whCPH, whSTORE, whBER} {
			assert.Equal(t, reserved[[2]string{wh, it.SKU}], w.wms.Level(it.SKU, wh).Reserved,
				"%s at %s: reserved units vs released orders' units", it.SKU, wh)
		}
	}
}

// checkHolds: an order is held only while its stock does not exist; with
// requireNone, no order may be held at all (the goods for every hold were
// received).
func (s *scenario) checkHolds(requireNone bool) {
	w, t := s.w, s.w.t
	for _, o := range s.wmsOrders(wms.StageHeld) {
		short := false
		for _, l := range o.Lines {
			if w.wms.Level(l.SKU, warehouseOf(o)).Available() < l.Quantity {
				short = true
			}
		}
		assert.True(t, short, "order %s %s held (%s) although its stock exists", o.Shop, o.ExternalID, o.HoldReason)
		if requireNone {
			assert.Failf(t, "order still held", "%s %s at %s: %s", o.Shop, o.ExternalID, warehouseOf(o), o.HoldReason)
		}
	}
}

// mappedLocations lists each shop's locations with their warehouses.
func (s *scenario) mappedLocations() []struct {
	shop *shopifytest.Shop
	vars []variantRef
	locs map[int64]string
} {
	w := s.w
	return []struct {
		shop *shopifytest.Shop
		vars []variantRef
		locs map[int64]string
	}{
		{w.a, s.varsA, map[int64]string{w.aCPH: whCPH, w.aSTORE: whSTORE}},
		{w.b, s.varsB, map[int64]string{w.bCPH: whCPH, w.bBER: whBER}},
	}
}

// checkOutbound: the shops' stock equals the WMS's at every mapped
// location, and every published message took effect exactly once: one
// fulfilment per packed order, one capture of the authorised total per
// packed authorised order, one refund per WMS refund, the WMS's barcodes;
// no dead letter.
func (s *scenario) checkOutbound(ctx context.Context) {
	w, t := s.w, s.w.t
	levels, differ := 0, 0
	for _, m := range s.mappedLocations() {
		for _, v := range m.vars {
			item := s.itemOf(m.shop, v.id)
			for loc, wh := range m.locs {
				levels++
				shopQ := int64(m.shop.Quantity(item, loc, "available"))
				wmsQ := w.wms.Level(v.sku, wh).Available()
				if shopQ != wmsQ {
					differ++
					t.Errorf("stock of %s at %s in %s: shop %d, WMS %d", v.sku, wh, m.shop.Name(), shopQ, wmsQ)
				}
			}
		}
	}
	t.Logf("stock: %d levels compared, %d differ", levels, differ)

	for _, p := range s.orders {
		if p.pos {
			continue
		}
		so, _ := p.shop.Order(p.id)
		wo, err := w.wms.Order(ctx, p.key())
		if err != nil {
			continue // reported by checkInbound
		}
		packed := wo.Stage == wms.StagePacked
		wantF := 0
		if packed {
			wantF = 1
			assert.Equal(t, "FULFILLED", p.shop.OrderFulfillmentStatus(p.id), "order %s %s", p.name, so.Name)
		}
		assert.Len(t, so.FulfillmentIDs, wantF, "order %s %s (%s): fulfilments", p.name, so.Name, wo.Stage)
		captures, captured := 0, shopify.Decimal("0")
		total := shopify.Decimal("0")
		for _, l := range so.LineItems {
			total = total.Add(l.Price.MulInt(int64(l.Quantity)))
		}
		for _, tx := range so.Transactions {
			if tx.Kind == "CAPTURE" {
				captures++
				captured = captured.Add(tx.Amount)
			}
		}
		if packed && p.authorized {
			assert.Equal(t, 1, captures, "order %s %s: captures", p.name, so.Name)
			assert.Zero(t, captured.Cmp(total), "order %s %s: captured %s of %s", p.name, so.Name, captured, total)
		} else {
			assert.Zero(t, captures, "order %s %s (%s, authorised %v): captures", p.name, so.Name, wo.Stage, p.authorized)
		}
		assert.Len(t, so.RefundIDs, s.refunds[p.key()], "order %s %s: refunds", p.name, so.Name)
	}

	for _, sku := range s.barcodes {
		it, err := w.wms.Item(ctx, sku)
		require.NoError(t, err)
		for _, shop := range []*shopifytest.Shop{w.a, w.b} {
			if v, ok := shop.VariantBySKU(sku); ok {
				assert.Equal(t, it.Barcode, v.Barcode, "barcode of %s in %s", sku, shop.Name())
			}
		}
	}

	p := w.current()
	dead, err := p.eng.DeadLetters(ctx, "")
	require.NoError(t, err)
	for _, d := range dead {
		t.Errorf("outbox dead letter %s %s %s: %s", d.Shop, d.Kind, d.ID, d.LastError)
	}
}

// checkInbox: no webhook event was parked as failed.
func (s *scenario) checkInbox(ctx context.Context) {
	failed, err := s.w.current().store.FailedEvents(ctx, "", 20)
	require.NoError(s.w.t, err)
	for _, j := range failed {
		s.w.t.Errorf("inbox dead letter %s %s: %s", j.Event.Topic, j.Event.WebhookID, j.LastError)
	}
}

// summary describes what the run did, for the log.
func (s *scenario) summary() string {
	w := s.w
	pos, berlin := 0, 0
	for _, p := range s.orders {
		if p.pos {
			pos++
		}
		if p.wh == whBER {
			berlin++
		}
	}
	ws := w.srv.WebhookStats()
	httpFaults := w.a.Counters().Faults + w.b.Counters().Faults
	return fmt.Sprintf("%d orders (%d POS, %d web orders routed to Berlin), %d restarts, %d HTTP faults, webhooks: %d attempts, %d dropped, %d duplicated, %d delayed, %d reordered, %d failed attempts; WMS: %d receipts, %d packs, %d refunds, %d barcodes",
		len(s.orders), pos, berlin, w.restarts.Load(), httpFaults, ws.Attempts, ws.Dropped, ws.Duplicated, ws.Delayed, ws.Reordered, ws.Failed,
		s.receipts, s.packs, len(s.refunds), len(s.barcodes)) + "; " + s.wooSummary()
}

// lostOrderReport describes what the engine knew of an order that did not
// reach the WMS: the shop's times, the orders step's start, the sweep's
// watermark, the applied version and every engine log line naming it.
func (s *scenario) lostOrderReport(ctx context.Context, p placed) string {
	w := s.w
	var b strings.Builder
	gid := shopify.GID("Order", p.id)
	if so, ok := p.shop.Order(p.id); ok {
		fmt.Fprintf(&b, "shop order %s %s: created %s, updated %s, source %q\n", gid, so.Name,
			so.CreatedAt.Format(time.RFC3339Nano), so.UpdatedAt.Format(time.RFC3339Nano), so.SourceName)
	}
	proc := w.current()
	if states, err := proc.eng.StepStates(ctx, p.name); err == nil {
		for _, st := range states {
			if st.Step == wmssync.StepOrders {
				fmt.Fprintf(&b, "orders step: %s, started %s\n", st.Status, st.StartedAt.Format(time.RFC3339Nano))
			}
		}
	}
	if wm, err := proc.store.Watermark(ctx, p.name, wmssync.WatermarkOrders); err == nil {
		fmt.Fprintf(&b, "orders watermark: %s\n", wm.Format(time.RFC3339Nano))
	}
	v, rev, err := proc.store.Version(ctx, wmssync.EntityKey{Shop: p.name, Kind: wmssync.KindOrder, ID: gid})
	fmt.Fprintf(&b, "applied version: %+v rev %d err %v\n", v, rev, err)
	w.logMu.Lock()
	defer w.logMu.Unlock()
	data, err := os.ReadFile(w.debugLog.Name())
	if err != nil {
		fmt.Fprintf(&b, "debug log: %v\n", err)
		return b.String()
	}
	n := 0
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.Contains(line, gid) {
			if n++; n <= 40 {
				b.WriteString(line + "\n")
			}
		}
	}
	fmt.Fprintf(&b, "(%d log lines name it)", n)
	return b.String()
}
