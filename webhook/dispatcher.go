package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Defaults of Dispatcher.
const (
	DefaultBatchSize    = 16
	DefaultLease        = 5 * time.Minute
	DefaultPollInterval = time.Second
	DefaultMaxAttempts  = 12
)

// Dispatcher drains a Queue into a Router: it claims due events, runs their
// handlers, and completes each event whose handler returned nil. A handler
// error (or panic, recovered and turned into an error) schedules a retry
// after Backoff(attempt). A permanent error (see IsPermanent; this includes
// ErrNoRoute and *DecodeError) fails the event at once, and so does any
// error on attempt MaxAttempts: a failed event is never retried but stays in
// the Queue for inspection (dead letter).
//
// Set Queue and Router; other fields have defaults. Run one Dispatcher or
// several (in one or many processes) on one Queue: the Queue's leases keep
// them from handling an event twice at once. Do not change fields while
// Run is running.
type Dispatcher struct {
	Queue  Queue
	Router *Router

	// Concurrency is the number of handlers run at once (default 1).
	Concurrency int
	// BatchSize is the Claim limit (default DefaultBatchSize).
	BatchSize int
	// Lease is how long a claimed event is reserved (default
	// DefaultLease); it must exceed the slowest handler's run time.
	Lease time.Duration
	// PollInterval is the pause of Run when nothing is due (default
	// DefaultPollInterval).
	PollInterval time.Duration
	// MaxAttempts fails an event after that many claims (default
	// DefaultMaxAttempts).
	MaxAttempts int
	// Backoff gives the delay before the next attempt after a failed
	// attempt (1-based). Default: 10s doubling, capped at 1h (DefaultBackoff).
	Backoff func(attempt int) time.Duration
	// Logger receives handler failures (default: discard).
	Logger *slog.Logger
	// Now is the clock for retry times (default time.Now).
	Now func() time.Time
}

// DefaultBackoff waits 10s after the first failed attempt, doubling up to
// one hour.
func DefaultBackoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Run dispatches until ctx is done, then returns nil. Errors of the Queue
// (a failed Claim, Complete, Retry or Fail) are logged and retried after
// PollInterval: a storage outage pauses dispatching but does not end it.
// Run returns an error only if the Dispatcher has no Queue or Router.
func (d *Dispatcher) Run(ctx context.Context) error {
	if d.Queue == nil || d.Router == nil {
		return errNotConfigured
	}
	poll := d.PollInterval
	if poll <= 0 {
		poll = DefaultPollInterval
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		n, err := d.RunOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			d.logger().LogAttrs(ctx, slog.LevelError, "webhook dispatcher: queue error; pausing",
				slog.String("error", err.Error()), slog.Duration("pause", poll))
			t.Reset(poll)
		case n > 0:
			t.Reset(0)
		default:
			t.Reset(poll)
		}
	}
}

var errNotConfigured = errors.New("webhook: Dispatcher needs a Queue and a Router")

func (d *Dispatcher) logger() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// RunOnce claims one batch of due events, handles them and settles each
// (complete, retry or fail). It returns the number of events handled and
// any Queue errors (joined). Use it from a cron job or in tests; Run calls
// it in a loop.
func (d *Dispatcher) RunOnce(ctx context.Context) (int, error) {
	if d.Queue == nil || d.Router == nil {
		return 0, errNotConfigured
	}
	batch, lease := d.BatchSize, d.Lease
	if batch <= 0 {
		batch = DefaultBatchSize
	}
	if lease <= 0 {
		lease = DefaultLease
	}
	jobs, err := d.Queue.Claim(ctx, batch, lease)
	if err != nil {
		return 0, fmt.Errorf("webhook: claim: %w", err)
	}
	workers := max(d.Concurrency, 1)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var settleErr error
	for _, j := range jobs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := d.handle(ctx, j); err != nil {
				mu.Lock()
				settleErr = errors.Join(settleErr, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return len(jobs), settleErr
}

// handle runs one job and settles it; the error is from settling only.
func (d *Dispatcher) handle(ctx context.Context, j Job) error {
	logger := d.logger()
	now := d.Now
	if now == nil {
		now = time.Now
	}
	maxAttempts := d.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	backoff := d.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	e := j.Event
	err := d.call(ctx, e)
	// Settle even if ctx was cancelled meanwhile, so the outcome is kept.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	attrs := []slog.Attr{slog.String("source", e.Source), slog.String("topic", string(e.Topic)), slog.String("shop", e.Shop),
		slog.String("webhook_id", e.WebhookID), slog.Int("attempt", j.Attempt)}
	switch {
	case err == nil:
		if cerr := d.Queue.Complete(sctx, e.WebhookID); !errors.Is(cerr, ErrUnknownJob) {
			return cerr
		}
		// The handler erased the event itself (a shop's data erased on
		// its request): there is nothing left to settle.
		return nil
	case IsPermanent(err) || j.Attempt >= maxAttempts:
		logger.LogAttrs(ctx, slog.LevelError, "webhook event failed for good",
			append(attrs, slog.String("error", err.Error()))...)
		return d.Queue.Fail(sctx, e.WebhookID, err.Error())
	default:
		at := now().Add(backoff(j.Attempt))
		logger.LogAttrs(ctx, slog.LevelWarn, "webhook handler failed; will retry",
			append(attrs, slog.String("error", err.Error()), slog.Time("retry_at", at))...)
		return d.Queue.Retry(sctx, e.WebhookID, at, err.Error())
	}
}

// call runs the router, turning a handler panic into an error.
func (d *Dispatcher) call(ctx context.Context, e *Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("webhook: handler for %s panicked: %v", e.Topic, p)
		}
	}()
	return d.Router.Dispatch(ctx, e)
}
