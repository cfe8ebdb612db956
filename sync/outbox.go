package sync

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// OutboxStore is the optional [Store] capability that keeps the outbox:
// the WMS events the host published ([Engine.Publish]) and the messages the
// engine derived from them for each shop and listener. The
// engine's outbound features need it; [Engine.Publish] on a store without
// it returns an error matching [ErrNoOutbox].
//
// # Table
//
// A SQL store keeps one row per [OutboxMessage] with the primary key
// (Shop, ID) and a position Pos the store assigns (a sequence or
// autoincrement column: strictly increasing in insertion order, never
// reused). Every field of OutboxMessage is a column; Data and Plan are
// opaque bytes (BLOB / BYTEA), times are stored with at least microsecond
// precision. A useful index is (shop, state, next_attempt, pos); for the
// blocking rule of ClaimOutbox, (shop, entity, pos).
//
// # States
//
// A message is [OutboxPending] until the engine settles it: [OutboxDone]
// (delivered, skipped or fanned out) or [OutboxDead] (parked with
// LastError, until [Engine.ReplayDeadLetter] makes it pending again). A
// store that is an [OutboxPruner] lets the engine delete done messages
// after [Config.OutboxRetention] (no shorter than 7 days: Publish
// deduplicates event ids only as long as the done message is kept); a
// message given up with [Engine.DiscardDeadLetter] is done too.
//
// # Concurrency
//
// Methods are atomic and safe for concurrent use by several goroutines
// and processes. Only ClaimOutbox hands out work: of concurrent claims, no
// two return the same message while its lease runs. Leases carry no
// token: a dispatcher whose lease ran out may still settle its message
// (the engine's lease, [OutboundConfig.Lease], exceeds its shop calls).
//
// Package [github.com/wmsbridge/wmsbridge/sync/storetest] checks the
// contract (Run's "Outbox" subtests, skipped for stores without the
// capability).
type OutboxStore interface {
	// AddOutbox stores msgs in one transaction, in the given order, as
	// pending messages (the store ignores State, Pos and LeaseUntil and
	// sets Pos). A message whose (Shop, ID) is stored already, in whatever
	// state, is skipped without an error and left as it is: adding is
	// idempotent and deduplicates events published twice. Either every
	// new message is stored or none is.
	AddOutbox(ctx context.Context, msgs []OutboxMessage) error

	// ClaimOutbox leases up to limit messages of shop ("" is the fan-out
	// queue of published events) for lease and returns them in Pos order.
	// A message is claimable when it is pending, NextAttempt <= now,
	// LeaseUntil <= now (the zero time or NULL: not leased; a past time:
	// the lease ran out, its claimer crashed), and it is not blocked: a message with a non-empty Entity is
	// blocked while a message of the same Shop and Entity with a smaller
	// Pos is pending (leased or not) or dead. Claiming sets LeaseUntil to
	// now+lease; Attempts and the rest are left as they are. In SQL:
	//
	//	UPDATE outbox SET lease_until = $now + $lease
	//	WHERE (shop, id) IN (SELECT shop, id FROM outbox o
	//	  WHERE shop = $shop AND state = 'pending' AND next_attempt <= $now
	//	    AND lease_until <= $now
	//	    AND (entity = '' OR NOT EXISTS (SELECT 1 FROM outbox p
	//	      WHERE p.shop = o.shop AND p.entity = o.entity AND p.pos < o.pos
	//	        AND p.state IN ('pending', 'dead')))
	//	  ORDER BY pos LIMIT $limit FOR UPDATE SKIP LOCKED)
	//	RETURNING ...
	ClaimOutbox(ctx context.Context, shop string, now time.Time, lease time.Duration, limit int) ([]OutboxMessage, error)

	// UpdateOutbox writes the engine's fields of each message, found by
	// (Shop, ID), in one transaction: State, Attempts, NextAttempt,
	// LastError, Key, Plan and LeaseUntil (the zero time releases the
	// lease). Kind, Entity, Seq, Time, Data, Pos and CreatedAt never
	// change. A message not stored (deleted by retention) is skipped.
	UpdateOutbox(ctx context.Context, msgs []OutboxMessage) error

	// ListOutbox returns the messages matching f in Pos order, at most
	// f.Limit of them (0: all), for inspection (dead letters).
	ListOutbox(ctx context.Context, f OutboxFilter) ([]OutboxMessage, error)
}

// OutboxTxStore is implemented by stores that share a database with the
// host, so the host can publish an event in its own transaction: the event
// is stored if and only if the host's transaction commits (no event is
// lost or invented when the host's write and the publish are one unit).
// Tx is the store's transaction type, such as *sql.Tx; see [PublishTx].
type OutboxTxStore[Tx any] interface {
	// AddOutboxTx is AddOutbox within the caller's transaction tx.
	AddOutboxTx(ctx context.Context, tx Tx, msgs []OutboxMessage) error
}

// OutboxState is the state of an [OutboxMessage].
type OutboxState string

// The outbox states.
const (
	// OutboxPending: waiting to be delivered (or fanned out), maybe after
	// failed attempts.
	OutboxPending OutboxState = "pending"
	// OutboxDone: delivered, fanned out, or skipped (LastError says why a
	// message was skipped, such as the shop switching the kind off).
	OutboxDone OutboxState = "done"
	// OutboxDead: parked after failing for good; LastError says why.
	OutboxDead OutboxState = "dead"
)

// OutboxMessage is one row of the outbox: a published event (Shop "")
// or the engine's message to one shop or listener about an event.
type OutboxMessage struct {
	// Shop is the shop the message goes to, "" for a published event
	// awaiting fan-out, or "listener:NAME" for a listener.
	Shop string `json:"shop"`
	// ID is the event's id ([wms.EventInfo.ID]); (Shop, ID) is unique.
	ID string `json:"id"`
	// Kind is the event's kind.
	Kind wms.EventKind `json:"kind"`
	// Entity orders messages: the messages of one Shop and Entity are
	// delivered one at a time in Pos order (an order's fulfilment before
	// its refund). "" means no order (stock levels, which coalesce).
	Entity string `json:"entity,omitempty"`
	// Seq and Time are the event's ([wms.EventInfo]).
	Seq  int64     `json:"seq,omitempty"`
	Time time.Time `json:"time"`
	// Data is the event's JSON encoding (see [wms.UnmarshalEvent]).
	Data []byte `json:"data"`
	// Key is the idempotency key of the message's shop call, derived
	// deterministically from Shop and ID (stock batches: from their
	// content) and stored, so that a retry reuses it.
	Key string `json:"key,omitempty"`
	// Plan is what the connector recorded about the shop before the first
	// attempt (see [Outbound]); nil before that.
	Plan []byte `json:"plan,omitempty"`

	State       OutboxState `json:"state"`
	Attempts    int         `json:"attempts"`
	NextAttempt time.Time   `json:"next_attempt"`
	LastError   string      `json:"last_error,omitempty"`
	// Pos is the store's position, set by AddOutbox.
	Pos int64 `json:"pos"`
	// LeaseUntil is set by ClaimOutbox.
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// CreatedAt is when the message was added (the engine's clock).
	CreatedAt time.Time `json:"created_at"`
}

// Event decodes Data: the wms package's event type for its kinds, a
// [RawEvent] for the host's own kinds (which go to listeners only).
func (m OutboxMessage) Event() (wms.Event, error) {
	ev, err := wms.UnmarshalEvent(m.Kind, m.Data)
	if errors.Is(err, wms.ErrNotSupported) {
		raw := RawEvent{EventKind: m.Kind, Data: json.RawMessage(m.Data)}
		if err := json.Unmarshal(m.Data, &raw.EventInfo); err != nil {
			return nil, fmt.Errorf("sync: decode %s event: %w", m.Kind, err)
		}
		return raw, nil
	}
	return ev, err
}

// RawEvent is an event of a kind the wms package does not define (the
// host's own), as listeners receive it from the outbox: its kind, its
// identity and its JSON encoding. Shops never receive such events.
type RawEvent struct {
	EventKind wms.EventKind
	EventInfo wms.EventInfo
	Data      json.RawMessage
}

// Kind implements wms.Event.
func (r RawEvent) Kind() wms.EventKind { return r.EventKind }

// Info implements wms.Event.
func (r RawEvent) Info() wms.EventInfo { return r.EventInfo }

// OutboxFilter selects messages for [OutboxStore.ListOutbox]. Empty fields
// match everything.
type OutboxFilter struct {
	Shop  string      // exact shop; "" any (including the fan-out queue)
	State OutboxState // "" any state
	ID    string      // exact event id
	Limit int
}

// ListenerPrefix starts the Shop of messages to listeners.
const ListenerPrefix = "listener:"

// ErrNoOutbox is returned by the outbound methods when the Store does not
// implement [OutboxStore].
var ErrNoOutbox = errors.New("sync: the store has no outbox (OutboxStore)")

// ErrRejected marks an error from [Outbound] meaning that the shop refused
// the message for good (invalid data, a rule of the shop): the engine
// dead-letters the message at once instead of retrying it.
var ErrRejected = errors.New("sync: message rejected by the shop")

// NewOutboxMessage returns the outbox row that publishes ev: what
// [Engine.Publish] stores, and what a host adds with [PublishTx] or its
// store's own transactional method. ev must have an ID.
func NewOutboxMessage(ev wms.Event, now time.Time) (OutboxMessage, error) {
	if ev == nil {
		return OutboxMessage{}, fmt.Errorf("sync: publish: nil event: %w", wms.ErrInvalid)
	}
	info := ev.Info()
	if info.ID == "" {
		return OutboxMessage{}, fmt.Errorf("sync: publish %s: %w", ev.Kind(), &wms.ValidationError{Field: "id", Reason: "empty"})
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return OutboxMessage{}, fmt.Errorf("sync: publish %s %s: %w", ev.Kind(), info.ID, err)
	}
	t := info.Time
	if t.IsZero() {
		t = now
	}
	return OutboxMessage{
		ID: info.ID, Kind: ev.Kind(), Seq: info.Seq, Time: t, Data: data,
		State: OutboxPending, NextAttempt: now, CreatedAt: now,
	}, nil
}

// IdempotencyKey returns the deterministic idempotency key of the message
// about event id to shop: the same inputs always give the same key, so a
// retry in another process reuses it.
func IdempotencyKey(shop, id string) string { return hashKey(shop, "\x00", id) }

func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
	}
	return "wmsb-" + hex.EncodeToString(h.Sum(nil))[:40]
}
