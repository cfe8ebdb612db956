package sync

// Settling a message after an attempt: done, retried or dead.

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// settle records the outcome err of m in the store and reports whether m
// is settled (done or dead). When ctx has ended it writes nothing, as a
// crash would not: the lease runs out and the message is claimed again.
func (e *Engine) settle(ctx context.Context, ob OutboxStore, cfg OutboundConfig, m *OutboxMessage, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	done := e.settleFields(ctx, cfg, m, err)
	if uerr := ob.UpdateOutbox(ctx, []OutboxMessage{*m}); uerr != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "outbound: settle message", slog.String("shop", m.Shop),
			slog.String("id", m.ID), slog.String("error", uerr.Error()))
		return false
	}
	return done
}

// settleFields sets m's state after an attempt that returned err.
func (e *Engine) settleFields(ctx context.Context, cfg OutboundConfig, m *OutboxMessage, err error) bool {
	m.LeaseUntil = time.Time{}
	attrs := []slog.Attr{slog.String("shop", m.Shop), slog.String("kind", string(m.Kind)), slog.String("id", m.ID)}
	if err == nil {
		m.State = OutboxDone
		e.ob.stats.delivered.Add(1)
		if m.Shop != "" {
			e.observeDelivered(ctx, m.CreatedAt)
			e.log.LogAttrs(ctx, slog.LevelDebug, "outbound message delivered", attrs...)
		}
		return true
	}
	m.Attempts++
	m.LastError = err.Error()
	attrs = append(attrs, slog.Int("attempts", m.Attempts), slog.String("error", m.LastError))
	if errors.Is(err, ErrRejected) || !retryable(err) || m.Attempts >= cfg.MaxAttempts {
		m.State = OutboxDead
		e.ob.stats.dead.Add(1)
		e.log.LogAttrs(ctx, slog.LevelError, "outbound message dead-lettered", attrs...)
		return true
	}
	m.NextAttempt = e.now().Add(cfg.backoff(m.Attempts))
	e.ob.stats.retried.Add(1)
	e.log.LogAttrs(ctx, slog.LevelWarn, "outbound message failed; will retry", attrs...)
	return false
}
