package sync

import (
	"context"
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
// shop's webhook subscriptions every [Config.AuditInterval], and delivers
// the outbox (see [Engine.DeliverOutbound]) when the Store has one, and
// prunes old versions at start and once a day when the Store is a
// [VersionPruner] (see [Config.VersionRetention]). Shops added or
// changed while Run runs are picked up at the next event or tick. Setup
// steps are not run by Run: call [Engine.RunSetup] (after a restart too, to
// resume an interrupted step).
//
// Run returns an error only if the inbox cannot be read (Claim fails); the
// sweeps' and audits' failures are logged, counted and retried at the next
// tick. Several processes may Run engines on one durable Store.
func (e *Engine) Run(ctx context.Context) error {
	d := &webhook.Dispatcher{
		Queue:       e.store,
		Router:      e.Router(),
		Concurrency: e.cfg.Workers,
		BatchSize:   max(e.cfg.Workers*4, webhook.DefaultBatchSize),
		Logger:      e.log,
		Now:         e.now,
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg gosync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		e.runPrune(ctx) // prune.go
	}()
	go func() {
		defer wg.Done()
		e.runOutbound(ctx) // dispatch_outbound.go
	}()
	go func() {
		defer wg.Done()
		e.every(ctx, e.cfg.ReconcileInterval, e.reconcileAll)
	}()
	go func() {
		defer wg.Done()
		e.every(ctx, e.cfg.AuditInterval, e.auditAll)
	}()
	err := d.Run(ctx)
	cancel()
	wg.Wait()
	return err
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
func (e *Engine) reconcileAll(ctx context.Context) {
	shops, err := e.store.ListSettings(ctx)
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "reconciliation: list shops", slog.String("error", err.Error()))
		return
	}
	for _, s := range shops {
		if ctx.Err() != nil {
			return
		}
		_, _ = e.Reconcile(ctx, s.Shop) // logged and counted by Reconcile
	}
}

func (e *Engine) auditAll(ctx context.Context) {
	shops, err := e.store.ListSettings(ctx)
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "webhook audit: list shops", slog.String("error", err.Error()))
		return
	}
	for _, s := range shops {
		if ctx.Err() != nil {
			return
		}
		_, _ = e.AuditWebhooks(ctx, s.Shop) // logged and counted by AuditWebhooks
	}
}
