package webhook

import (
	"context"
	"time"
)

// Inbox is the write side of durable webhook storage: Handler puts every
// verified delivery into it before answering 200, so an acknowledged webhook
// is never lost. Implementations (MemoryInbox here, the SQL-backed sync
// store elsewhere) must honour this contract; webhook/inboxtest checks it.
//
// Put stores e and returns stored=true, or returns stored=false with a nil
// error if an event with the same e.WebhookID is already held, in any state
// (pending, claimed, completed or failed): a redelivery is acknowledged
// without being stored twice. Put is idempotent by WebhookID and safe for
// concurrent use: of any number of concurrent Puts with one WebhookID,
// exactly one returns stored=true. When Put returns stored=true the event
// must be durable (a crash after the return does not lose it). Put returns a
// non-nil error if it cannot tell (storage down, ctx done); Handler then
// answers 503 so the shop system retries. Put takes ownership of e.
type Inbox interface {
	Put(ctx context.Context, e *Event) (stored bool, err error)
}

// BodyCopier is implemented by an Inbox whose Put copies the event (into a
// database, say) and keeps no reference to e or e.Body once it has
// returned, whatever it returned: nothing it started reads the event later.
// When CopiesBody reports true, Handler reads request bodies into buffers
// that it reuses for later requests, instead of allocating one per
// delivery. An Inbox that keeps the Event (as MemoryInbox does), or hands it
// to work that may outlive Put, must not report true. A wrapper that embeds
// a BodyCopier and replaces its Put inherits CopiesBody: replace that too
// unless the new Put keeps the promise. webhook/inboxtest checks the
// promise.
type BodyCopier interface {
	CopiesBody() bool
}

// Queue is the read side of webhook storage, drained by Dispatcher. A
// stored event is pending until a worker claims it; a claim is a lease:
// unless the worker completes, retries or fails the event before the lease
// ends, the event becomes claimable again (so a crashed worker loses
// nothing; delivery to handlers is at least once).
//
// Contract (checked by webhook/inboxtest):
//   - Claim returns at most limit events that are due: pending with a due
//     time at or before now, or claimed with an expired lease. Shops are
//     served fairly: the due events are taken round-robin over their
//     Event.Shop (every shop's oldest due event, then every shop's second,
//     and so on; each round oldest due time first), so one shop's burst
//     does not hold the other shops' events back. Within a shop events are
//     taken oldest due time first, ties in insertion order, and the claimed
//     events are returned in that order too (best effort: webhooks are
//     unordered anyway). Each returned event is leased
//     until now+lease and its Attempt is one more than before (1 on the
//     first claim). Concurrent Claims never return the same event twice
//     while its lease runs. Claim returns an empty slice, not an error,
//     when nothing is due.
//   - Complete marks the event done for good; it is never returned again
//     and its WebhookID stays known to Put. Completing a completed event
//     returns nil.
//   - Retry makes a claimed event pending again, due at the given time,
//     recording reason as LastError.
//   - Fail parks the event for good (dead letter), recording reason. It is
//     never claimed again and its WebhookID stays known to Put.
//   - Complete, Retry and Fail return an error wrapping ErrUnknownJob for a
//     WebhookID the queue does not hold.
//
// All methods are safe for concurrent use.
type Queue interface {
	Claim(ctx context.Context, limit int, lease time.Duration) ([]Job, error)
	Complete(ctx context.Context, webhookID string) error
	Retry(ctx context.Context, webhookID string, at time.Time, reason string) error
	Fail(ctx context.Context, webhookID string, reason string) error
}

// Store is an Inbox that is also a Queue, as MemoryInbox and the sync store
// are.
type Store interface {
	Inbox
	Queue
}

// Job is a claimed event.
type Job struct {
	Event *Event
	// Attempt counts claims of this event, 1 on the first.
	Attempt int
	// LastError is the reason given to the last Retry, if any.
	LastError string
}
