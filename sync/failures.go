package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// FailureStore is the optional [Store] capability behind the engine's
// failure operations ([Engine.Failures], [Engine.CountFailures],
// [Engine.ReplayFailure], [Engine.DiscardFailure]): the webhook events the
// inbox parked for good (Fail), with the shop they came from, and the count
// of parked items of either class. Outbound failures (dead letters) are
// the [OutboxStore]'s dead messages, listed with ListOutbox and changed
// with UpdateOutbox. The in-memory, SQLite and PostgreSQL stores implement
// it; storetest checks it. It replaces the stores' own inbox inspection
// methods of earlier versions.
type FailureStore interface {
	// FailedEvents returns up to limit (0: all) failed events whose
	// [webhook.Event.Shop] is shop ("" any), oldest first, with their
	// attempts and the reason given to Fail as LastError.
	FailedEvents(ctx context.Context, shop string, limit int) ([]webhook.Job, error)
	// CountFailed counts the parked items of class without reading them:
	// for [FailureInbound], the failed events whose [webhook.Event.Shop]
	// is shop; for [FailureOutbound], the dead outbox messages whose Shop
	// is shop (0 for a store without an outbox). shop "" counts every
	// shop's (and, outbound, every listener's and the fan-out queue's).
	CountFailed(ctx context.Context, class FailureClass, shop string) (int, error)
	// ReplayEvent makes the failed event pending again, due now, with its
	// attempt count kept. It returns an error matching
	// [webhook.ErrUnknownJob] when no failed event has the id.
	ReplayEvent(ctx context.Context, webhookID string) error
	// DiscardEvent gives the failed event up: it becomes completed, with
	// LastError [DiscardPrefix] + reason, and is never handled; retention
	// prunes it like any completed event. It returns an error matching
	// [webhook.ErrUnknownJob] when no failed event has the id.
	DiscardEvent(ctx context.Context, webhookID, reason string) error
}

// FailureClass says which way a failed item went.
type FailureClass string

// The failure classes.
const (
	// FailureInbound: a webhook event from a shop that the engine could
	// not apply (undecodable, unknown shop, refused by the warehouse).
	FailureInbound FailureClass = "inbound"
	// FailureOutbound: a message to a shop or listener that was refused or
	// failed too often (a dead letter of the outbox).
	FailureOutbound FailureClass = "outbound"
)

// Failure is one item parked for good, inbound or outbound, until a
// person replays or discards it. While an outbound failure is parked, the
// later messages of its entity (the same order, the same SKU's barcode)
// wait behind it.
type Failure struct {
	Class FailureClass `json:"class"`
	// Shop is the shop's id (Settings.Shop); for an inbound event from a
	// shop no settings name, the event's own shop identity; for a
	// listener's message "listener:NAME".
	Shop string `json:"shop"`
	// ID identifies the item within its class: the webhook id, or the
	// outbound message's event id.
	ID string `json:"id"`
	// Kind is the webhook topic or the event kind.
	Kind string `json:"kind"`
	// Attempts is how often the engine tried it; Reason the last error.
	Attempts int    `json:"attempts"`
	Reason   string `json:"reason"`
	// At is when the item arrived (inbound) or was created (outbound).
	At time.Time `json:"at,omitzero"`
}

// FailureFilter selects failures; zero fields match everything.
type FailureFilter struct {
	Class FailureClass // "" both
	Shop  string       // a shop's id; "" every shop
	// Limit caps the result per class (0: no cap).
	Limit int
}

// Failures lists the parked items matching f, inbound ones first, each
// class oldest first. Inbound failures need a Store that is a
// [FailureStore], outbound ones an [OutboxStore]; a class the store
// cannot list is left out (and asked for alone, returns an error
// matching [ErrNoFailures]). Safe for concurrent use.
func (e *Engine) Failures(ctx context.Context, f FailureFilter) ([]Failure, error) {
	var out []Failure
	if f.Class == "" || f.Class == FailureInbound {
		in, ok := e.store.(FailureStore)
		switch {
		case ok:
			shops, err := e.inboxShops(ctx)
			if err != nil {
				return nil, err
			}
			eventShop := ""
			if f.Shop != "" {
				s, err := e.Settings(ctx, f.Shop)
				if err != nil {
					return nil, err
				}
				eventShop = e.inboxShop(s)
			}
			jobs, err := in.FailedEvents(ctx, eventShop, f.Limit)
			if err != nil {
				return nil, fmt.Errorf("sync: failed events: %w", err)
			}
			for _, j := range jobs {
				shop := j.Event.Shop
				if id, ok := shops[shop]; ok {
					shop = id
				}
				out = append(out, Failure{Class: FailureInbound, Shop: shop, ID: j.Event.WebhookID,
					Kind: string(j.Event.Topic), Attempts: j.Attempt, Reason: j.LastError, At: j.Event.ReceivedAt})
			}
		case f.Class == FailureInbound:
			return nil, fmt.Errorf("%w: inbound", ErrNoFailures)
		}
	}
	if f.Class == "" || f.Class == FailureOutbound {
		ob, err := e.outbox()
		switch {
		case err == nil:
			ms, err := ob.ListOutbox(ctx, OutboxFilter{Shop: f.Shop, State: OutboxDead, Limit: f.Limit})
			if err != nil {
				return nil, fmt.Errorf("sync: dead letters: %w", err)
			}
			for _, m := range ms {
				out = append(out, Failure{Class: FailureOutbound, Shop: m.Shop, ID: m.ID, Kind: string(m.Kind),
					Attempts: m.Attempts, Reason: m.LastError, At: m.CreatedAt})
			}
		case f.Class == FailureOutbound:
			return nil, fmt.Errorf("%w: outbound", ErrNoFailures)
		}
	}
	return out, nil
}

// CountFailures counts the parked items matching f (f.Limit ignored),
// with counting queries when the Store is a [FailureStore] (else by
// listing the outbound ones; inbound ones need the capability, as for
// Failures).
func (e *Engine) CountFailures(ctx context.Context, f FailureFilter) (int, error) {
	fs, ok := e.store.(FailureStore)
	if !ok {
		f.Limit = 0
		list, err := e.Failures(ctx, f)
		return len(list), err
	}
	n := 0
	if f.Class == "" || f.Class == FailureInbound {
		shop := ""
		if f.Shop != "" {
			s, err := e.Settings(ctx, f.Shop)
			if err != nil {
				return 0, err
			}
			shop = e.inboxShop(s)
		}
		c, err := fs.CountFailed(ctx, FailureInbound, shop)
		if err != nil {
			return 0, fmt.Errorf("sync: count failed events: %w", err)
		}
		n += c
	}
	if f.Class == "" || f.Class == FailureOutbound {
		if _, err := e.outbox(); err != nil {
			if f.Class == FailureOutbound {
				return 0, fmt.Errorf("%w: outbound", ErrNoFailures)
			}
			return n, nil
		}
		c, err := fs.CountFailed(ctx, FailureOutbound, f.Shop)
		if err != nil {
			return 0, fmt.Errorf("sync: count dead letters: %w", err)
		}
		n += c
	}
	return n, nil
}

// ErrNoFailures: the Store cannot list or act on failures of the class
// asked for (it is not a [FailureStore], or has no outbox).
var ErrNoFailures = errors.New("sync: the store keeps no failures of this class")

// ReplayFailure makes the parked item (class, shop, id) pending again, for
// when its cause is fixed: an inbound event is applied again, an outbound
// message sent again (see [Engine.ReplayDeadLetter]); once it succeeds,
// the messages waiting behind it go too. It returns an error matching
// [ErrNotFound] when no such parked item exists.
func (e *Engine) ReplayFailure(ctx context.Context, class FailureClass, shop, id string) error {
	switch class {
	case FailureOutbound:
		return e.ReplayDeadLetter(ctx, shop, id)
	case FailureInbound:
		in, err := e.inboxFailure(ctx, shop, id)
		if err != nil {
			return err
		}
		if err := in.ReplayEvent(ctx, id); err != nil {
			return failureErr(shop, id, err)
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "inbound: failed event replayed", slog.String("shop", shop), slog.String("id", id))
		return nil
	}
	return fmt.Errorf("sync: unknown failure class %q", class)
}

// DiscardFailure gives the parked item (class, shop, id) up for good, with
// reason: an inbound event is marked done without being applied, an
// outbound message settled without being sent (see
// [Engine.DiscardDeadLetter]), so the messages waiting behind it go. The
// reason is kept as the item's LastError ("discarded: " + reason). It
// returns an error matching [ErrNotFound] when no such parked item exists.
func (e *Engine) DiscardFailure(ctx context.Context, class FailureClass, shop, id, reason string) error {
	switch class {
	case FailureOutbound:
		return e.DiscardDeadLetter(ctx, shop, id, reason)
	case FailureInbound:
		if reason == "" {
			return e.DiscardDeadLetter(ctx, shop, id, reason) // the same validation error
		}
		in, err := e.inboxFailure(ctx, shop, id)
		if err != nil {
			return err
		}
		if err := in.DiscardEvent(ctx, id, reason); err != nil {
			return failureErr(shop, id, err)
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "inbound: failed event discarded", slog.String("shop", shop),
			slog.String("id", id), slog.String("reason", reason))
		return nil
	}
	return fmt.Errorf("sync: unknown failure class %q", class)
}

// inboxFailure returns the store's FailureStore after checking that the
// failed event id belongs to shop.
func (e *Engine) inboxFailure(ctx context.Context, shop, id string) (FailureStore, error) {
	in, ok := e.store.(FailureStore)
	if !ok {
		return nil, fmt.Errorf("%w: inbound", ErrNoFailures)
	}
	fs, err := e.Failures(ctx, FailureFilter{Class: FailureInbound})
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.ID == id && f.Shop == shop {
			return in, nil
		}
	}
	return nil, fmt.Errorf("sync: failed event %s/%s: %w", shop, id, ErrNotFound)
}

func failureErr(shop, id string, err error) error {
	if errors.Is(err, webhook.ErrUnknownJob) {
		return fmt.Errorf("sync: failed event %s/%s: %w: %w", shop, id, ErrNotFound, err)
	}
	return err
}

// inboxShops maps the inbox's shop identities to the shops' ids.
func (e *Engine) inboxShops(ctx context.Context) (map[string]string, error) {
	all, err := e.store.ListSettings(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(all))
	for _, s := range all {
		m[e.inboxShop(s)] = s.Shop
	}
	return m, nil
}
