package sync

// The outbox dispatcher's loop: rounds, targets, and the routing of a
// claimed batch to the code of its kind (fanout, send, stock, settle).

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

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
			// A Publish that woke the dispatcher meanwhile lingers too:
			// the poll must not cut its burst short.
			select {
			case <-e.ob.wake:
				if !e.linger(ctx, cfg) {
					return
				}
			default:
			}
		case <-e.ob.wake:
			if !e.linger(ctx, cfg) {
				return
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

// linger lets a burst of publishes gather after one woke the dispatcher:
// it returns once no Publish came for cfg.Gap, or cfg.Linger after the
// wake, whichever is first (a lone message waits Gap; a stream of
// publishes is coalesced for up to Linger). It returns false when ctx
// ended.
func (e *Engine) linger(ctx context.Context, cfg OutboundConfig) bool {
	if cfg.Linger <= 0 {
		return true
	}
	gap := min(cfg.Gap, cfg.Linger)
	limit := time.NewTimer(cfg.Linger)
	defer limit.Stop()
	quiet := time.NewTimer(gap)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-limit.C:
			return true
		case <-quiet.C:
			return true
		case <-e.ob.wake:
			quiet.Reset(gap)
		}
	}
}

// DeliverOutbound runs one round of the outbox dispatcher: it fans the
// published events out to the shops and listeners, then delivers every
// message that is due, per shop (shops in parallel), until none is left
// that is due now. Shops take turns: each gets one claim
// ([OutboundConfig.Claim] messages) per turn, so a shop with a long queue
// does not hold the others' messages back. It returns the number of
// messages settled (done or dead). [Engine.Run] calls it continually;
// hosts and tests that do not Run may call it themselves. Safe for
// concurrent use, also across processes sharing the Store (claims are
// leased).
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
		targets = append(targets, listenerTarget(n).String())
	}
	e.ob.mu.Unlock()
	var first error
	for len(targets) > 0 && ctx.Err() == nil {
		var (
			wg   gosync.WaitGroup
			mu   gosync.Mutex
			more []string // targets that had messages this turn
		)
		sem := make(chan struct{}, max(e.cfg.Workers, 1))
		for _, target := range targets {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				n, claimed, err := e.deliverTurn(ctx, ob, cfg, target)
				mu.Lock()
				defer mu.Unlock()
				settled += n
				if err != nil && first == nil {
					first = err
				}
				if claimed && err == nil { // a target that failed waits for the next round
					more = append(more, target)
				}
			}()
		}
		wg.Wait()
		slices.Sort(more) // the shops' order, whichever finished first
		targets = more
	}
	if first == nil {
		first = ctx.Err()
	}
	return settled, first
}

// deliverTurn delivers one claim of the due messages of one shop or
// listener; claimed reports whether there were any (so it gets another
// turn).
func (e *Engine) deliverTurn(ctx context.Context, ob OutboxStore, cfg OutboundConfig, target string) (settled int, claimed bool, err error) {
	msgs, err := ob.ClaimOutbox(ctx, target, e.now(), cfg.Lease, cfg.Claim)
	if err != nil {
		return 0, false, fmt.Errorf("sync: outbound: claim messages of %s: %w", target, err)
	}
	if len(msgs) == 0 {
		return 0, false, nil
	}
	n, err := e.deliverBatch(ctx, ob, cfg, target, msgs)
	return n, true, err
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
	if name, ok := parseTarget(target).listenerName(); ok {
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
	if s.Connection.Disconnected() {
		// Not into refused credentials: parked until a reconnect (lifecycle.go).
		return settled + e.parkDisconnected(ctx, ob, s, msgs), nil
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
			m.LastError = "skipped: the shop switched " + string(m.Kind) + " off (Settings.Outbound)"
			var err error
			if sku, ok := parseEntity(m.Entity).sku(); ok && m.Kind == wms.KindBarcodeChanged {
				err = e.markBarcodeSettled(ctx, ob, m, sku)
			}
			if e.settle(ctx, ob, cfg, m, err) {
				settled++
			}
		case m.Kind == wms.KindStockChanged:
			stock = append(stock, *m)
		default:
			err := e.deliverOne(ctx, ob, s, out, m)
			if sku, ok := parseEntity(m.Entity).sku(); ok && err == nil && m.Kind == wms.KindBarcodeChanged {
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
