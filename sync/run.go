package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// Router returns a [webhook.Router] that sends every topic to
// [Engine.HandleEvent] (the shop's connector says what a topic means), for
// hosts that run their own [webhook.Dispatcher].
func (e *Engine) Router() *webhook.Router {
	r := webhook.NewRouter()
	r.HandleDefault(e.HandleEvent)
	return r
}

// Run runs the engine's background work for every shop until ctx ends,
// then returns nil: it drains the webhook inbox into the backend with
// [Config.Workers] handlers at once (a [webhook.Dispatcher] over the Store),
// sweeps every shop every [Config.ReconcileInterval] and audits every
// shop's webhook subscriptions every [Config.AuditInterval] and its stock
// every [Config.StockAuditInterval] (see [Engine.AuditStock]), and delivers
// the outbox (see [Engine.DeliverOutbound]) when the Store has one, and
// prunes old versions at start and once a day when the Store is a
// [VersionPruner] (see [Config.VersionRetention]), and completed inbox
// events and done outbox messages at start and every hour when it is an
// [InboxPruner] or [OutboxPruner] (see [Config.InboxRetention]). Shops added or
// changed while Run runs are picked up at the next event or tick. Setup
// steps are not run by Run: call [Engine.RunSetup] (after a restart too, to
// resume an interrupted step).
//
// When the Store fails for good (it was closed: an error matching
// [ErrStoreClosed]), Run stops its work and returns that error. Any other
// store error is taken as transient: the failing loop pauses with a
// backoff (one second, doubling up to a minute) and tries again; an
// episode of failures is logged once at Error when it starts and once at
// Info when the store answers again, not on every retry. Failures of
// sweeps and audits of one shop are logged, counted and retried at the
// next tick. Several processes may Run engines on one durable Store.
func (e *Engine) Run(ctx context.Context) error {
	d := &webhook.Dispatcher{
		Queue:       e.store,
		Router:      e.Router(),
		Concurrency: e.cfg.Workers,
		BatchSize:   max(e.cfg.Workers*4, webhook.DefaultBatchSize),
		Logger:      e.log,
		Now:         e.now,
	}
	parent := ctx
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg gosync.WaitGroup
	wg.Add(7)
	go func() {
		defer wg.Done()
		e.runPrune(ctx) // prune.go
	}()
	go func() {
		defer wg.Done()
		e.runRetention(ctx) // retention.go
	}()
	go func() {
		defer wg.Done()
		e.runOutbound(ctx, e.newRunLoop("outbound", cancel)) // outbound_dispatch.go
	}()
	go func() {
		defer wg.Done()
		l := e.newRunLoop("reconciliation", cancel)
		e.every(ctx, e.cfg.ReconcileInterval, func(ctx context.Context) { e.reconcileAll(ctx, l) })
	}()
	go func() {
		defer wg.Done()
		l := e.newRunLoop("webhook audit", cancel)
		e.every(ctx, e.cfg.AuditInterval, func(ctx context.Context) { e.auditAll(ctx, l) })
	}()
	go func() {
		defer wg.Done()
		e.runStockAudits(ctx, e.newRunLoop("stock audit", cancel)) // stock_audit.go
	}()
	go func() {
		defer wg.Done()
		e.runInbox(ctx, d, e.newRunLoop("inbox", cancel))
	}()
	wg.Wait()
	if parent.Err() != nil {
		return nil
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// runInbox is Run's inbox loop: it claims and handles due events, at once
// again while there are any, every poll interval otherwise, with a backoff
// while the store fails.
func (e *Engine) runInbox(ctx context.Context, d *webhook.Dispatcher, l *runLoop) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := d.RunOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			pause, ok := l.failed(ctx, err)
			if !ok {
				return
			}
			t.Reset(pause)
		case n > 0:
			l.ok(ctx)
			t.Reset(0)
		default:
			l.ok(ctx)
			t.Reset(webhook.DefaultPollInterval)
		}
	}
}

// Backoff of Run's loops while the store fails (variables for tests).
var (
	storeBackoff    = time.Second
	storeMaxBackoff = time.Minute
)

// runLoop tracks one of Run's loops through episodes of store failures:
// it logs the first failure and the recovery, and computes the backoff.
type runLoop struct {
	e    *Engine
	name string
	stop context.CancelCauseFunc

	mu       gosync.Mutex
	failures int
	since    time.Time
	last     string
}

func (e *Engine) newRunLoop(name string, stop context.CancelCauseFunc) *runLoop {
	return &runLoop{e: e, name: name, stop: stop}
}

// failed records a failed round. It returns the pause before the next
// round, or false when the store is closed: then it has stopped Run with
// the error and the loop must return.
func (l *runLoop) failed(ctx context.Context, err error) (time.Duration, bool) {
	if errors.Is(err, ErrStoreClosed) {
		l.e.log.LogAttrs(ctx, slog.LevelError, "store closed; the engine stops", slog.String("loop", l.name),
			slog.String("error", err.Error()))
		l.stop(fmt.Errorf("sync: %s: %w", l.name, err))
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures++
	l.last = err.Error()
	if l.failures == 1 {
		l.since = l.e.now()
		l.e.log.LogAttrs(ctx, slog.LevelError, "store error; retrying with backoff until it answers",
			slog.String("loop", l.name), slog.String("error", l.last))
	} else {
		l.e.log.LogAttrs(ctx, slog.LevelDebug, "store error again", slog.String("loop", l.name),
			slog.Int("failures", l.failures), slog.String("error", l.last))
	}
	d := storeBackoff
	for i := 1; i < l.failures && d < storeMaxBackoff; i++ {
		d *= 2
	}
	return min(d, storeMaxBackoff), true
}

// ok records a round that succeeded, logging the end of an episode.
func (l *runLoop) ok(ctx context.Context) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures == 0 {
		return
	}
	l.e.log.LogAttrs(ctx, slog.LevelInfo, "store answers again", slog.String("loop", l.name),
		slog.Int("failures", l.failures), slog.Duration("after", l.e.now().Sub(l.since)),
		slog.String("last_error", l.last))
	l.failures = 0
}

// every calls fn every interval until ctx ends.
func (e *Engine) every(ctx context.Context, interval time.Duration, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn(ctx)
		}
	}
}

// reconcileAll sweeps every shop once (see [Engine.Reconcile]); failures
// are logged and counted, and do not stop the other shops.
func (e *Engine) reconcileAll(ctx context.Context, l *runLoop) {
	e.eachConnectedShop(ctx, l, e.store.ListSettings, func(s Settings) {
		_, _ = e.Reconcile(ctx, s.Shop) // logged and counted by Reconcile
	})
}

// eachConnectedShop calls fn for each connected shop that list returns,
// in turn, until ctx ends (a disconnected shop has nothing to do until it
// is reconnected). A failed list is reported to l, a successful one too.
func (e *Engine) eachConnectedShop(ctx context.Context, l *runLoop, list func(context.Context) ([]Settings, error), fn func(Settings)) {
	shops, err := list(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.failed(ctx, err)
		}
		return
	}
	l.ok(ctx)
	for _, s := range shops {
		if ctx.Err() != nil {
			return
		}
		if !s.Connection.Disconnected() {
			fn(s)
		}
	}
}

func (e *Engine) auditAll(ctx context.Context, l *runLoop) {
	shops, err := e.store.ListSettings(ctx)
	if err != nil {
		if ctx.Err() == nil {
			l.failed(ctx, err)
		}
		return
	}
	l.ok(ctx)
	for _, s := range shops {
		if ctx.Err() != nil {
			return
		}
		if s.Connection.Disconnected() {
			continue
		}
		_, _ = e.AuditWebhooks(ctx, s.Shop) // logged and counted by AuditWebhooks
	}
}
