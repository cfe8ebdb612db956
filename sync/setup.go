package sync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Watermark names used by the reconciliation sweep.
const (
	WatermarkProducts = "products"
	WatermarkOrders   = "orders"
)

// StepStates returns the state of every setup step of shop, in the order
// the steps run; a step never started is pending.
func (e *Engine) StepStates(ctx context.Context, shop string) ([]StepState, error) {
	saved, err := e.store.Steps(ctx, shop)
	if err != nil {
		return nil, fmt.Errorf("sync: steps of %s: %w", shop, err)
	}
	byStep := map[Step]StepState{}
	for _, st := range saved {
		byStep[st.Step] = st
	}
	out := make([]StepState, 0, len(Steps()))
	for _, step := range Steps() {
		st, ok := byStep[step]
		if !ok {
			st = StepState{Shop: shop, Step: step, Status: StepPending, Total: -1}
		}
		out = append(out, st)
	}
	return out, nil
}

func (e *Engine) stepState(ctx context.Context, shop string, step Step) (StepState, error) {
	all, err := e.StepStates(ctx, shop)
	if err != nil {
		return StepState{}, err
	}
	return all[step.index()], nil
}

// RunSetup runs shop's setup steps in order, each that is not finished
// (done or skipped), until all are finished or one fails. After a crash or
// a cancelled context, calling it again resumes the interrupted step from
// its checkpoint. progress, if not nil, receives progress events; it is
// called from the goroutine running the setup and should return quickly.
//
// RunSetup is single-flight per shop within the Engine: a call while
// another RunSetup of the same shop runs (a double click, say) starts no
// work of its own; it waits for the running one, receives its remaining
// progress events, and returns the same result. If the running call ends
// because its own context ended while the waiting caller's has not, the
// waiting caller takes over and resumes the setup from the checkpoint.
// A waiting caller whose context ends returns ctx.Err() and leaves the
// running setup alone. Across processes sharing a [Leaser] store, each step
// runs under a lease (see [Engine.RunStep]).
func (e *Engine) RunSetup(ctx context.Context, shop string, progress func(Progress)) error {
	for {
		e.mu.Lock()
		f := e.setups[shop]
		if f == nil {
			f = &setupFlight{done: make(chan struct{})}
			f.subscribe(progress)
			if e.setups == nil {
				e.setups = map[string]*setupFlight{}
			}
			e.setups[shop] = f
			e.mu.Unlock()
			f.err = e.runSetup(ctx, shop, f.report)
			e.mu.Lock()
			delete(e.setups, shop)
			e.mu.Unlock()
			close(f.done)
			return f.err
		}
		unsubscribe := f.subscribe(progress)
		e.mu.Unlock()
		e.log.LogAttrs(ctx, slog.LevelInfo, "setup already running; waiting for it", slog.String("shop", shop))
		select {
		case <-ctx.Done():
			unsubscribe()
			return ctx.Err()
		case <-f.done:
		}
		unsubscribe()
		if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue // the running caller gave up, not the setup: take over
		}
		return f.err
	}
}

// setupFlight is one RunSetup of a shop in progress, with the progress
// callbacks of every caller waiting for it.
type setupFlight struct {
	done chan struct{}
	err  error // set before done is closed

	mu   gosync.Mutex
	subs map[int]func(Progress)
	next int
}

// subscribe adds fn to the flight's progress callbacks and returns the
// function that removes it.
func (f *setupFlight) subscribe(fn func(Progress)) func() {
	if fn == nil {
		return func() {}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.subs == nil {
		f.subs = map[int]func(Progress){}
	}
	id := f.next
	f.next++
	f.subs[id] = fn
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		delete(f.subs, id)
	}
}

// report sends p to every subscribed callback, in subscription order.
func (f *setupFlight) report(p Progress) {
	f.mu.Lock()
	fns := make([]func(Progress), 0, len(f.subs))
	for id := range f.next {
		if fn, ok := f.subs[id]; ok {
			fns = append(fns, fn)
		}
	}
	f.mu.Unlock()
	for _, fn := range fns {
		fn(p)
	}
}

// runSetup is RunSetup's work, run by one caller at a time per shop.
func (e *Engine) runSetup(ctx context.Context, shop string, progress func(Progress)) error {
	states, err := e.StepStates(ctx, shop)
	if err != nil {
		return err
	}
	for _, st := range states {
		if st.Status.Finished() {
			continue
		}
		if err := e.RunStep(ctx, shop, st.Step, progress); err != nil {
			return err
		}
	}
	return nil
}

// RunStep runs one setup step of shop. The steps before it must be done or
// skipped ([ErrStepOrder] otherwise). A step that was interrupted (crash,
// cancelled context, failure) resumes from its checkpoint; a finished step
// runs again from the start, which is idempotent (products are upserted,
// webhooks ensured, sales records replaced). Cancelling ctx stops the step
// at the next page and leaves it resumable; RunStep then returns ctx.Err().
// Other failures mark the step failed and return a [*StepError].
//
// Within one process a step of a shop runs once at a time: a second RunStep
// of the same step waits for the first. Across processes sharing a Store
// that is a [Leaser], a step runs under a lease: RunStep returns an error
// matching [ErrLeaseHeld] while another engine runs the step, and
// [ErrLeaseLost] (leaving the step resumable) if it could not keep the lease.
func (e *Engine) RunStep(ctx context.Context, shop string, step Step, progress func(Progress)) error {
	if !step.Valid() {
		return fmt.Errorf("sync: unknown step %q", step)
	}
	unlock := e.locks.Lock("step/" + shop + "/" + string(step))
	defer unlock()
	lctx, release, held, err := e.holdLease(ctx, "step/"+shop+"/"+string(step))
	if err != nil {
		return err
	}
	if !held {
		return fmt.Errorf("%w: step %s of %s", ErrLeaseHeld, step, shop)
	}
	defer release()
	return leaseErr(lctx, e.runStep(lctx, shop, step, progress))
}

// runStep runs the step; the caller holds its lock and lease.
func (e *Engine) runStep(ctx context.Context, shop string, step Step, progress func(Progress)) error {
	s, conn, err := e.shop(ctx, shop)
	if err != nil {
		return err
	}
	states, err := e.StepStates(ctx, shop)
	if err != nil {
		return err
	}
	for _, prev := range states[:step.index()] {
		if !prev.Status.Finished() {
			return fmt.Errorf("%w: %s before %s is %s", ErrStepOrder, step, prev.Step, prev.Status)
		}
	}
	st := states[step.index()]
	now := e.now()
	if st.Status.Finished() || st.Status == StepPending {
		started := now
		if step == StepOrders && !st.StartedAt.IsZero() {
			// The order flow opened when the step first started: running
			// the step again (to re-register its webhooks) must not move
			// that moment, or orders placed since whose webhooks are not
			// applied yet would count as older than the flow and be lost.
			started = st.StartedAt
		}
		st = StepState{Shop: shop, Step: step, Total: -1, StartedAt: started}
	}
	st.Status, st.Error, st.FinishedAt = StepRunning, "", time.Time{}
	r := &stepRun{e: e, s: s, conn: conn, st: st, progress: progress, start: now, doneAtStart: st.Done}
	if err := r.save(ctx); err != nil {
		return err
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "setup step started", slog.String("shop", shop),
		slog.String("step", string(step)), slog.Bool("resumed", st.Checkpoint != ""))

	switch step {
	case StepProducts:
		err = r.products(ctx)
	case StepCustomsCost:
		err = r.customsCost(ctx)
	case StepOrders:
		err = r.orders(ctx)
	case StepSalesHistory:
		err = r.salesHistory(ctx)
	case StepOutbound:
		err = r.outbound(ctx)
	}
	return r.finish(ctx, err)
}

// SkipStep marks a skippable step (customs and cost, sales history) as
// skipped, so the steps after it can run. Skipping a finished step changes
// nothing. Other steps return [ErrNotSkippable].
func (e *Engine) SkipStep(ctx context.Context, shop string, step Step) error {
	if !step.Skippable() {
		return fmt.Errorf("%w: %s", ErrNotSkippable, step)
	}
	unlock := e.locks.Lock("step/" + shop + "/" + string(step))
	defer unlock()
	if _, err := e.Settings(ctx, shop); err != nil {
		return err
	}
	st, err := e.stepState(ctx, shop, step)
	if err != nil {
		return err
	}
	if st.Status.Finished() {
		return nil
	}
	now := e.now()
	st.Status, st.Note, st.UpdatedAt, st.FinishedAt = StepSkipped, "skipped by the merchant", now, now
	return e.store.SaveStep(ctx, st)
}

// stepRun is one run of one step.
type stepRun struct {
	e           *Engine
	s           Settings
	conn        Connector
	st          StepState
	progress    func(Progress)
	start       time.Time
	doneAtStart int64
	phase       string
	skipped     string
}

// checkpoint is the engine's resume point inside a step.
type checkpoint struct {
	Phase  string `json:"phase,omitempty"`
	Cursor string `json:"cursor,omitempty"`
	// Partial holds the sales of the days not yet complete (sales history
	// without a SalesSource): day -> sku -> quantity and amount.
	Partial map[string]map[string]daySales `json:"partial,omitempty"`
}

type daySales struct {
	Quantity int64       `json:"q"`
	Amount   wms.Decimal `json:"a,omitempty"`
}

func (r *stepRun) checkpoint() checkpoint {
	var cp checkpoint
	if r.st.Checkpoint != "" {
		_ = json.Unmarshal([]byte(r.st.Checkpoint), &cp) // an unreadable checkpoint restarts the step
	}
	return cp
}

func (r *stepRun) setCheckpoint(cp checkpoint) {
	b, _ := json.Marshal(cp)
	r.st.Checkpoint = string(b)
}

func (r *stepRun) save(ctx context.Context) error {
	r.st.UpdatedAt = r.e.now()
	if err := r.e.store.SaveStep(ctx, r.st); err != nil {
		return fmt.Errorf("sync: save step %s of %s: %w", r.st.Step, r.st.Shop, err)
	}
	return nil
}

// report emits a progress event.
func (r *stepRun) report(finished bool) {
	if r.progress == nil {
		return
	}
	elapsed := r.e.now().Sub(r.start)
	p := Progress{Shop: r.st.Shop, Step: r.st.Step, Phase: r.phase, Done: r.st.Done, Total: r.st.Total,
		Elapsed: elapsed, ETA: -1, Finished: finished}
	if finished {
		p.Status = r.st.Status
	}
	if did := r.st.Done - r.doneAtStart; did > 0 && elapsed > 0 {
		p.Rate = float64(did) / elapsed.Seconds()
		if r.st.Total >= r.st.Done && !finished {
			p.ETA = time.Duration(float64(r.st.Total-r.st.Done) / p.Rate * float64(time.Second))
		}
	}
	r.progress(p)
}

// page records one page of work: counts, checkpoint, save, progress.
func (r *stepRun) page(ctx context.Context, n int, total int64, cp checkpoint) error {
	r.st.Done += int64(n)
	if total >= 0 {
		r.st.Total = max(total, r.st.Done)
	}
	r.setCheckpoint(cp)
	if err := r.save(ctx); err != nil {
		return err
	}
	r.report(false)
	return nil
}

// finish settles the step after its run.
func (r *stepRun) finish(ctx context.Context, err error) error {
	e := r.e
	attrs := []slog.Attr{slog.String("shop", r.st.Shop), slog.String("step", string(r.st.Step)),
		slog.Int64("done", r.st.Done)}
	switch {
	case err != nil && ctx.Err() != nil:
		// Interrupted: stay running with the checkpoint; the next run resumes.
		e.log.LogAttrs(context.WithoutCancel(ctx), slog.LevelInfo, "setup step interrupted; resumable", attrs...)
		return ctx.Err()
	case err != nil:
		r.st.Status, r.st.Error = StepFailed, err.Error()
		if serr := r.save(context.WithoutCancel(ctx)); serr != nil {
			err = errors.Join(err, serr)
		}
		r.report(true)
		e.log.LogAttrs(ctx, slog.LevelError, "setup step failed", append(attrs, slog.String("error", err.Error()))...)
		return &StepError{Shop: r.st.Shop, Step: r.st.Step, Err: err}
	}
	now := e.now()
	r.st.Status, r.st.Checkpoint, r.st.FinishedAt = StepDone, "", now
	if r.skipped != "" {
		r.st.Status, r.st.Note = StepSkipped, r.skipped
	}
	if r.st.Total < 0 {
		r.st.Total = r.st.Done
	}
	if err := r.save(ctx); err != nil {
		return &StepError{Shop: r.st.Shop, Step: r.st.Step, Err: err}
	}
	r.report(true)
	e.log.LogAttrs(ctx, slog.LevelInfo, "setup step finished", append(attrs, slog.String("status", string(r.st.Status)))...)
	return nil
}

// ensureWebhooks registers a webhook group when the connector can.
func (r *stepRun) ensureWebhooks(ctx context.Context, g WebhookGroup) error {
	reg, ok := r.conn.(WebhookRegistrar)
	if !ok {
		r.e.log.LogAttrs(ctx, slog.LevelWarn, "connector registers no webhooks; changes arrive by reconciliation only",
			slog.String("shop", r.s.Shop), slog.String("group", string(g)))
		return nil
	}
	created, err := reg.EnsureWebhooks(ctx, g)
	if err != nil {
		return fmt.Errorf("register %s webhooks: %w", g, err)
	}
	r.e.log.LogAttrs(ctx, slog.LevelInfo, "webhooks ensured", slog.String("shop", r.s.Shop),
		slog.String("group", string(g)), slog.Any("created", created))
	return nil
}

// phaseListed marks a checkpoint whose listing applied its last page.
const phaseListed = "listed"

// listing runs a paged listing from the checkpoint, restarting once from
// the beginning if the cursor expired.
func listing[T any](ctx context.Context, r *stepRun, cp checkpoint,
	fetch func(ctx context.Context, cursor string) (Page[T], error),
	apply func(ctx context.Context, items []T, cp *checkpoint) error) error {
	if cp.Phase == phaseListed {
		return nil // the last page was applied before an interruption
	}
	restarts := 0
	for {
		pg, err := fetch(ctx, cp.Cursor)
		if errors.Is(err, ErrCursorExpired) && restarts < 3 && cp.Cursor != "" {
			restarts++
			r.e.log.LogAttrs(ctx, slog.LevelWarn, "listing cursor expired; starting over",
				slog.String("shop", r.s.Shop), slog.String("step", string(r.st.Step)))
			cp = checkpoint{Phase: cp.Phase}
			r.st.Done, r.doneAtStart = 0, 0
			continue
		}
		if err != nil {
			return err
		}
		if err := apply(ctx, pg.Items, &cp); err != nil {
			return err
		}
		cp.Cursor = pg.Next
		if pg.Next == "" {
			cp.Phase = phaseListed
		}
		if err := r.page(ctx, len(pg.Items), pg.Total, cp); err != nil {
			return err
		}
		if pg.Next == "" {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// products: product webhooks first, so changes made while the import
// runs are not missed, then the import with stock.
func (r *stepRun) products(ctx context.Context) error {
	cp := r.checkpoint()
	if cp.Phase == "" {
		r.phase = "webhooks"
		r.report(false)
		// The app's own lifecycle (uninstalled, access changed) first; a
		// shop system without such topics refuses the group, which is fine.
		if err := r.ensureWebhooks(ctx, AppWebhooks); err != nil {
			r.e.log.LogAttrs(ctx, slog.LevelInfo, "no app lifecycle webhooks subscribed", slog.String("shop", r.s.Shop),
				slog.String("reason", err.Error()))
		}
		if err := r.ensureWebhooks(ctx, ProductWebhooks); err != nil {
			return err
		}
		cp = checkpoint{Phase: "import"}
		r.setCheckpoint(cp)
		if err := r.save(ctx); err != nil {
			return err
		}
	}
	r.phase = "import"
	err := listing(ctx, r, cp,
		func(ctx context.Context, cursor string) (Page[Product], error) {
			return r.conn.Products(ctx, ProductQuery{Stock: true}, cursor)
		},
		func(ctx context.Context, items []Product, _ *checkpoint) error {
			_, err := r.e.applyProducts(ctx, r.s, r.conn, items, nil, applyUnlessStale, true)
			return err
		})
	if err != nil {
		return err
	}
	// Sweeps cover product changes from the moment the import started.
	_, err = r.e.store.AdvanceWatermark(ctx, r.s.Shop, WatermarkProducts, r.st.StartedAt)
	return err
}

// customsCost imports customs information and unit costs.
func (r *stepRun) customsCost(ctx context.Context) error {
	src, ok := r.conn.(CustomsCostSource)
	ci, canCustoms := r.e.backend.(wms.CustomsImporter)
	co, canCost := r.e.backend.(wms.CostImporter)
	switch {
	case !ok:
		r.skipped = "the shop's connector cannot read customs information and costs"
		return nil
	case !canCustoms && !canCost:
		r.skipped = "the warehouse keeps no customs information or costs"
		return nil
	}
	r.phase = "import"
	return listing(ctx, r, r.checkpoint(), src.CustomsAndCosts,
		func(ctx context.Context, items []ItemDetails, _ *checkpoint) error {
			var customs []wms.CustomsUpdate
			var costs []wms.CostUpdate
			for _, d := range items {
				if d.SKU == "" {
					continue
				}
				if !d.Customs.IsZero() {
					customs = append(customs, wms.CustomsUpdate{SKU: d.SKU, Customs: d.Customs, Shop: r.s.Shop})
				}
				if d.Cost != "" {
					costs = append(costs, wms.CostUpdate{SKU: d.SKU, Cost: d.Cost, Shop: r.s.Shop})
				}
			}
			if canCustoms && len(customs) > 0 {
				if err := tolerate(ctx, r, ci.ImportCustoms(ctx, customs), "customs"); err != nil {
					return err
				}
			}
			if canCost && len(costs) > 0 {
				if err := tolerate(ctx, r, co.ImportCosts(ctx, costs), "costs"); err != nil {
					return err
				}
			}
			return nil
		})
}

// tolerate lets unknown SKUs and unsupported capabilities pass with a log
// line, and returns other errors.
func tolerate(ctx context.Context, r *stepRun, err error, what string) error {
	var nf *wms.NotFoundError
	switch {
	case err == nil, errors.Is(err, wms.ErrNotSupported):
		return nil
	case errors.As(err, &nf):
		r.e.log.LogAttrs(ctx, slog.LevelWarn, what+" not imported for unknown SKUs",
			slog.String("shop", r.s.Shop), slog.Int("skus", len(nf.Missing)))
		return nil
	}
	return fmt.Errorf("import %s: %w", what, err)
}

// orders registers the order webhooks and opens the order flow: from
// the step's start, order events are applied and the sweep reads orders
// updated since then.
func (r *stepRun) orders(ctx context.Context) error {
	r.phase = "webhooks"
	r.report(false)
	if err := r.ensureWebhooks(ctx, OrderWebhooks); err != nil {
		return err
	}
	_, err := r.e.store.AdvanceWatermark(ctx, r.s.Shop, WatermarkOrders, r.st.StartedAt)
	return err
}

// outbound records that the merchant switched outbound messages on.
func (r *stepRun) outbound(ctx context.Context) error {
	r.phase = "outbound"
	kinds := r.s.OutboundKinds()
	r.st.Note = fmt.Sprintf("outbound messages on: %v", kinds)
	return nil
}
