package sync

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Leaser is an optional capability of a [Store] shared by several engine
// processes: named leases that expire. With it, the engine runs each setup
// step and each reconciliation sweep of a shop in one process at a time,
// and when that process dies another takes the work over from its
// checkpoint once the lease ran out ([Config.LeaseTTL]). Without it, the
// engine only serialises that work within its own process.
//
// The SQLite and PostgreSQL stores implement it; storetest checks it.
type Leaser interface {
	// AcquireLease takes the named lease for owner until now+ttl and
	// returns true if it was free, expired, or already held by owner (it
	// is then renewed). It returns false, with a nil error, while another
	// owner holds an unexpired lease.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	// ReleaseLease frees the named lease if owner holds it, and does
	// nothing otherwise; it returns nil in both cases.
	ReleaseLease(ctx context.Context, name, owner string) error
}

// ErrLeaseHeld is returned by [Engine.RunStep] (and RunSetup) when another
// engine sharing the Store holds the step's lease: it is running the step
// now. ErrLeaseLost is the cause when the engine lost a lease while
// working (it could not renew it in time): the work stops at the next
// page and stays resumable.
var (
	ErrLeaseHeld = errors.New("sync: another engine holds the lease")
	ErrLeaseLost = errors.New("sync: lease lost")
)

// holdLease takes the named lease when the Store is a Leaser and keeps it
// renewed until release is called. The returned context is cancelled with
// ErrLeaseLost if a renewal fails or finds the lease taken. Without the
// capability it returns ctx itself. held is false (and err nil) when
// another engine holds the lease.
func (e *Engine) holdLease(ctx context.Context, name string) (lctx context.Context, release func(), held bool, err error) {
	l, ok := e.store.(Leaser)
	if !ok {
		return ctx, func() {}, true, nil
	}
	ttl, owner := e.cfg.LeaseTTL, e.cfg.Owner
	got, err := l.AcquireLease(ctx, name, owner, ttl)
	if err != nil || !got {
		return ctx, func() {}, false, err
	}
	lctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-lctx.Done():
				return
			case <-t.C:
				ok, err := l.AcquireLease(lctx, name, owner, ttl)
				if err != nil || !ok {
					e.log.LogAttrs(ctx, slog.LevelWarn, "lease lost", slog.String("lease", name), slog.Any("error", err))
					cancel(ErrLeaseLost)
					return
				}
			}
		}
	}()
	release = func() {
		close(done)
		<-stopped
		cancel(nil)
		// Release with a fresh context: the caller's may be done already.
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer rcancel()
		if err := l.ReleaseLease(rctx, name, owner); err != nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "lease release failed", slog.String("lease", name), slog.Any("error", err))
		}
	}
	return lctx, release, true, nil
}

// leaseErr turns a cancellation caused by a lost lease into ErrLeaseLost.
func leaseErr(lctx context.Context, err error) error {
	if err != nil && errors.Is(context.Cause(lctx), ErrLeaseLost) {
		return ErrLeaseLost
	}
	return err
}
