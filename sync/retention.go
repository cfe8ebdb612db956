package sync

import (
	"context"
	"log/slog"
	"time"
)

// InboxPruner is the optional [Store] capability that deletes processed
// webhook events, whose bodies (order webhooks carry customers' names and
// addresses) would otherwise stay for ever. With it, [Engine.Run] deletes
// completed events older than [Config.InboxRetention]. The in-memory,
// SQLite and PostgreSQL stores implement it; storetest checks it.
type InboxPruner interface {
	// PruneInbox deletes up to limit completed inbox events that were
	// completed before before, and returns how many it deleted. Pending,
	// claimed and failed events stay (failed ones are dead letters, kept
	// until a person deals with them). A deleted event's webhook id is
	// forgotten: a redelivery of it would be stored again. limit <= 0
	// deletes nothing. Each call is one short write; call it again until
	// it returns fewer than limit. Safe for concurrent use.
	PruneInbox(ctx context.Context, before time.Time, limit int) (int, error)
}

// OutboxPruner is the optional [OutboxStore] capability that deletes done
// outbox messages. With it, [Engine.Run] deletes done messages created
// more than [Config.OutboxRetention] ago. The in-memory, SQLite and
// PostgreSQL stores implement it; storetest checks it.
type OutboxPruner interface {
	// PruneOutbox deletes up to limit outbox messages in state
	// [OutboxDone] whose CreatedAt is before before, and returns how many
	// it deleted. Pending and dead messages stay. limit <= 0 deletes
	// nothing. Each call is one short write; call it again until it
	// returns fewer than limit. Safe for concurrent use.
	PruneOutbox(ctx context.Context, before time.Time, limit int) (int, error)
}

// Defaults and bounds of Config.InboxRetention and Config.OutboxRetention.
const (
	// DefaultInboxRetention is how long completed webhook events are
	// kept: long enough to recognise any redelivery (shop systems retry a
	// failed delivery for hours and may deliver a day late), short enough
	// not to keep customers' data longer than needed.
	DefaultInboxRetention = 7 * 24 * time.Hour
	// MinInboxRetention is the shortest positive InboxRetention NewEngine
	// accepts.
	MinInboxRetention = 3 * 24 * time.Hour
	// DefaultOutboxRetention is how long done outbox messages are kept;
	// Publish recognises an event ID published again only while its
	// message is kept.
	DefaultOutboxRetention = 14 * 24 * time.Hour
	// MinOutboxRetention is the shortest positive OutboxRetention
	// NewEngine accepts.
	MinOutboxRetention = 7 * 24 * time.Hour
)

// retentionInterval is the pause between two prunings of the queues in
// Run; retentionBatch the rows deleted per call, each one short write so
// that webhooks and outbound messages never wait long behind it.
var (
	retentionInterval = time.Hour
	retentionBatch    = 1000
)

// runRetention prunes the inbox and the outbox at once and then every
// retentionInterval until ctx ends.
func (e *Engine) runRetention(ctx context.Context) {
	_, in := e.store.(InboxPruner)
	_, out := e.store.(OutboxPruner)
	if (!in || e.cfg.InboxRetention < 0) && (!out || e.cfg.OutboxRetention < 0) {
		return
	}
	e.pruneQueues(ctx)
	e.every(ctx, retentionInterval, func(ctx context.Context) { e.pruneQueues(ctx) })
}

// PruneResult says what one pruning of the queues deleted.
type PruneResult struct {
	InboxDeleted  int `json:"inbox_deleted"`
	OutboxDeleted int `json:"outbox_deleted"`
}

// pruneQueues deletes completed inbox events older than InboxRetention and
// done outbox messages older than OutboxRetention, in batches, until a
// batch deletes fewer than a full one. With a [Leaser] store one engine
// of several prunes at a time (lease "prune/queues"). Failures are logged
// and retried at the next tick.
func (e *Engine) pruneQueues(ctx context.Context) PruneResult {
	var res PruneResult
	if ctx.Err() != nil {
		return res
	}
	lctx, release, held, err := e.holdLease(ctx, "prune/queues")
	if err != nil || !held {
		if err != nil && ctx.Err() == nil {
			e.log.LogAttrs(ctx, slog.LevelWarn, "queue pruning: lease", slog.String("error", err.Error()))
		}
		return res
	}
	defer release()
	now := e.now()
	batches := func(name string, fn func(ctx context.Context, before time.Time, limit int) (int, error), keep time.Duration) int {
		before := now.Add(-keep)
		total := 0
		for lctx.Err() == nil {
			n, err := fn(lctx, before, retentionBatch)
			total += n
			if err != nil {
				if lctx.Err() == nil {
					e.log.LogAttrs(ctx, slog.LevelError, "queue pruning failed", slog.String("queue", name),
						slog.Int("deleted", total), slog.String("error", err.Error()))
				}
				break
			}
			if n < retentionBatch {
				break
			}
		}
		if total > 0 {
			e.log.LogAttrs(ctx, slog.LevelInfo, "queue pruned", slog.String("queue", name),
				slog.Int("deleted", total), slog.Time("before", before))
		}
		return total
	}
	if p, ok := e.store.(InboxPruner); ok && e.cfg.InboxRetention > 0 {
		res.InboxDeleted = batches("inbox", p.PruneInbox, e.cfg.InboxRetention)
	}
	if p, ok := e.store.(OutboxPruner); ok && e.cfg.OutboxRetention > 0 {
		res.OutboxDeleted = batches("outbox", p.PruneOutbox, e.cfg.OutboxRetention)
	}
	return res
}

// PruneQueues prunes the inbox and the outbox once now, as Run does every
// hour (see [Config.InboxRetention] and [Config.OutboxRetention]), and
// returns what it deleted; for hosts that do not call Run, and for tests.
// Failures are logged, not returned: the next pruning tries again.
func (e *Engine) PruneQueues(ctx context.Context) PruneResult { return e.pruneQueues(ctx) }
