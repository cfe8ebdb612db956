package sync

// A shop's relation to the app: credential changes, the app removed and
// reinstalled, access changed, and the privacy requests (data request,
// customer and shop redaction) that the shop system forwards.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// ErrShopDisconnected: the shop removed the app (see
// [Connection.Disconnected]); the engine does no work that needs the shop
// until [Engine.CredentialsChanged] reports new credentials.
var ErrShopDisconnected = errors.New("sync: the shop removed the app")

// ErrNotConfirmed: the shop contradicts a webhook event that would
// disconnect or erase it: its credentials still work, so the app was not
// removed (the event is a replayed or swapped body). The engine parks the
// event (dead letter) and changes nothing.
var ErrNotConfirmed = errors.New("sync: the shop does not confirm the event")

// ShopEventKind says what a [ShopEvent] reports.
type ShopEventKind string

// The shop event kinds.
const (
	// ShopDisconnected: the shop removed the app. Its credentials no
	// longer work: delete them; keep the shop's settings if the merchant
	// may install the app again (its work then resumes without a new
	// import).
	ShopDisconnected ShopEventKind = "disconnected"
	// ShopReconnected: [Engine.CredentialsChanged] ended a disconnection.
	ShopReconnected ShopEventKind = "reconnected"
	// ShopAccessChanged: the access granted to the app changed; Report is
	// the connection test with the new access (MissingScopes says what
	// features lack).
	ShopAccessChanged ShopEventKind = "access_changed"
	// ShopDataRequested: a customer asked for the data held about them;
	// Customer says who. Answer from the warehouse's data (the engine
	// keeps none beyond the webhook inbox and the outbox).
	ShopDataRequested ShopEventKind = "data_requested"
	// ShopCustomerRedacted: a customer's personal data must be erased;
	// Customer says whose. The engine then erases it from the payloads it
	// stores; the warehouse's copies are the host's to erase.
	ShopCustomerRedacted ShopEventKind = "customer_redacted"
	// ShopRedacted: all of the shop's data must be erased. The engine
	// then removes the shop from the store (settings, steps, versions,
	// watermarks, inbox, outbox, leases and credentials the store keeps);
	// the warehouse's data and the host's credentials are the host's.
	ShopRedacted ShopEventKind = "redacted"
)

// ShopEvent is a change in a shop's relation to the app that the host
// acts on, passed to [Config.OnShopEvent].
type ShopEvent struct {
	// Shop is the shop's id (Settings.Shop); EventShop the shop as its
	// webhook events name it (Shopify: its NAME.myshopify.com domain).
	Shop, EventShop string
	Kind            ShopEventKind
	// Customer is set for ShopDataRequested and ShopCustomerRedacted.
	Customer *Customer
	// Report is set for ShopAccessChanged.
	Report *ConnectionReport
	// Event is the webhook event that reported it, stored in the inbox
	// before the shop got its answer; nil for ShopReconnected.
	Event *webhook.Event
}

// parkedPrefix starts the LastError of the outbox messages the engine
// parks while their shop is disconnected; [Engine.CredentialsChanged]
// replays exactly those.
const parkedPrefix = "parked: the shop removed the app"

// CredentialsChanged tells the engine that the credentials of shop
// changed: a reinstall, a rotated or corrected token, new scopes. Every
// engine sharing the store connects the shop again ([Config.Connect]) at
// its next use of it; calls running now finish with the connector they
// started with, so it is safe while the shop's work runs. Settings,
// setup state and checkpoints are kept: nothing is imported again.
//
// When the shop was disconnected (it removed the app), the shop's work
// resumes: the outbound messages parked meanwhile are sent, sweeps pick
// up from their watermarks what changed in between, the webhook
// subscriptions the shop removed with the app are created again, and
// [Config.OnShopEvent] gets a ShopReconnected event.
func (e *Engine) CredentialsChanged(ctx context.Context, shop string) error {
	var was Connection
	s, err := e.updateConnection(ctx, shop, func(c *Connection) {
		was = *c
		c.Generation++
		c.DisconnectedAt, c.Reason = nullTime, ""
	})
	if err != nil {
		return err
	}
	e.mu.Lock()
	delete(e.conns, shop)
	e.mu.Unlock()
	e.log.LogAttrs(ctx, slog.LevelInfo, "shop credentials changed", slog.String("shop", shop),
		slog.Int64("generation", s.Connection.Generation), slog.Bool("was_disconnected", was.Disconnected()))
	if !was.Disconnected() {
		return nil
	}
	n, err := e.replayParked(ctx, shop)
	if err != nil {
		return fmt.Errorf("sync: shop %s: replay parked messages: %w", shop, err)
	}
	if _, err := e.AuditWebhooks(ctx, shop); err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "webhook subscriptions not restored after reconnecting; the audit retries",
			slog.String("shop", shop), slog.String("error", err.Error()))
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "shop reconnected", slog.String("shop", shop), slog.Int("replayed", n))
	return e.tellHost(ctx, ShopEvent{Shop: shop, EventShop: e.eventShop(s), Kind: ShopReconnected})
}

var nullTime time.Time

// updateConnection changes the stored Connection of shop under the shop's
// settings lock (SaveSettings takes it too).
func (e *Engine) updateConnection(ctx context.Context, shop string, fn func(*Connection)) (Settings, error) {
	unlock := e.locks.Lock("settings/" + shop)
	defer unlock()
	s, err := e.Settings(ctx, shop)
	if err != nil {
		return s, err
	}
	fn(&s.Connection)
	if err := e.store.SaveSettings(ctx, s); err != nil {
		return s, fmt.Errorf("sync: save connection of %s: %w", shop, err)
	}
	return s, nil
}

// replayParked makes the messages parked while shop was disconnected
// pending again.
func (e *Engine) replayParked(ctx context.Context, shop string) (int, error) {
	ob, err := e.outbox()
	if err != nil {
		return 0, nil
	}
	dead, err := ob.ListOutbox(ctx, OutboxFilter{Shop: shop, State: OutboxDead})
	if err != nil {
		return 0, err
	}
	var again []OutboxMessage
	for _, m := range dead {
		if strings.HasPrefix(m.LastError, parkedPrefix) {
			m.State, m.LastError = OutboxPending, ""
			m.NextAttempt = e.now()
			m.LeaseUntil = nullTime
			again = append(again, m)
		}
	}
	if len(again) == 0 {
		return 0, nil
	}
	if err := ob.UpdateOutbox(ctx, again); err != nil {
		return 0, err
	}
	e.ob.notify()
	return len(again), nil
}

// parkDisconnected parks msgs of a disconnected shop instead of sending
// them into refused credentials. It returns the number parked.
func (e *Engine) parkDisconnected(ctx context.Context, ob OutboxStore, s Settings, msgs []OutboxMessage) int {
	reason := fmt.Sprintf("%s on %s (%s); sent when the host reports new credentials (Engine.CredentialsChanged)",
		parkedPrefix, s.Connection.DisconnectedAt.UTC().Format("2006-01-02 15:04:05 MST"), s.Connection.Reason)
	for i := range msgs {
		msgs[i].State, msgs[i].LastError, msgs[i].LeaseUntil = OutboxDead, reason, nullTime
	}
	if err := ob.UpdateOutbox(ctx, msgs); err != nil {
		e.log.LogAttrs(ctx, slog.LevelError, "outbound: park messages of a disconnected shop", slog.String("shop", s.Shop),
			slog.String("error", err.Error()))
		return 0
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "outbound messages parked: the shop removed the app", slog.String("shop", s.Shop),
		slog.Int("messages", len(msgs)))
	return len(msgs)
}

// eventShop returns how s's webhook events name the shop.
func (e *Engine) eventShop(s Settings) string {
	if sys, err := e.system(s); err == nil {
		return sys.EventShop(s)
	}
	return s.Domain()
}

// tellHost passes ev to Config.OnShopEvent, if set.
func (e *Engine) tellHost(ctx context.Context, ev ShopEvent) error {
	if e.cfg.OnShopEvent == nil {
		return nil
	}
	if err := e.cfg.OnShopEvent(ctx, ev); err != nil {
		return fmt.Errorf("sync: shop %s: the host's OnShopEvent(%s): %w", ev.Shop, ev.Kind, err)
	}
	return nil
}

// confirmRemoved asks the shop whether it really removed the app before
// the engine disconnects or erases it on ev's word: a webhook body can be
// replayed, or re-posted under another topic (the signature covers the
// body only), and a shop system sends the erasure only while the app is
// not installed. The connection test's first read answers: refused
// credentials ([ErrUnauthorized]) confirm; a shop that still answers
// contradicts (an error matching [ErrNotConfirmed]); any other error is
// returned as it is, so the event is retried.
//
// Questions about one shop share reads: one is in flight per shop at a
// time and the questions that arrive meanwhile take the next one's answer
// (see presence), so a burst of replayed bodies costs two reads, not one
// each.
func (e *Engine) confirmRemoved(ctx context.Context, s Settings, conn Connector, ev *webhook.Event) error {
	_, installed, err := e.access.ask(ctx, s.Shop, conn, accessKey)
	if err != nil {
		return fmt.Errorf("sync: shop %s: confirm %s event %s with the shop: %w", s.Shop, ev.Topic, ev.WebhookID, err)
	}
	if !installed {
		return nil
	}
	e.log.LogAttrs(ctx, slog.LevelWarn, "lifecycle event refused: the shop still accepts the app's credentials",
		slog.String("shop", s.Shop), slog.String("topic", string(ev.Topic)), slog.String("webhook_id", ev.WebhookID))
	return fmt.Errorf("%w: %s event %s of %s: the shop still accepts the app's credentials, so it did not remove the app",
		ErrNotConfirmed, ev.Topic, ev.WebhookID, s.Shop)
}

// accessKey is the one question the engine's access check answers per
// shop: does the shop accept the app's credentials?
const accessKey = "credentials accepted"

// newAccessCheck returns the engine's access check: the connection test's
// reads ([Connector.Inspect]); a shop that refuses the credentials
// ([ErrUnauthorized]) has no answer under accessKey.
func newAccessCheck() *presence[ShopInfo] {
	return newPresence(func(ShopInfo) string { return accessKey },
		func(ctx context.Context, conn Connector, _ []string) ([]ShopInfo, error) {
			info, err := conn.Inspect(ctx, Features{Products: true})
			switch {
			case errors.Is(err, ErrUnauthorized):
				return nil, nil
			case err != nil:
				return nil, err
			}
			return []ShopInfo{info}, nil
		})
}

// applyLifecycle handles the changes of a shop's relation to the app. The
// host is told before the engine erases anything, so a host error retries
// the event with its data still there; the host's handler must therefore
// be idempotent.
func (e *Engine) applyLifecycle(ctx context.Context, s Settings, conn Connector, ev *webhook.Event, ch Change) (outcome, error) {
	hostEv := ShopEvent{Shop: s.Shop, EventShop: e.eventShop(s), Event: ev, Customer: ch.Customer}
	switch ch.Kind {
	case ChangeDisconnected:
		if !s.Connection.Disconnected() {
			if err := e.confirmRemoved(ctx, s, conn, ev); err != nil {
				return outIgnored, err
			}
			reason := fmt.Sprintf("%s event %s", ev.Topic, ev.WebhookID)
			if _, err := e.updateConnection(ctx, s.Shop, func(c *Connection) {
				c.DisconnectedAt, c.Reason = e.now(), reason
			}); err != nil {
				return outIgnored, err
			}
			e.log.LogAttrs(ctx, slog.LevelWarn, "shop disconnected: it removed the app; its work stops until new credentials",
				slog.String("shop", s.Shop), slog.String("reason", reason))
			e.ob.notify() // the dispatcher parks the shop's pending messages
		}
		hostEv.Kind = ShopDisconnected
	case ChangeAccessChanged:
		if s.Connection.Disconnected() {
			return outIgnored, nil
		}
		r, err := e.TestConnection(ctx, s)
		if err != nil {
			return outIgnored, fmt.Errorf("sync: inspect %s after its access changed: %w", s.Shop, err)
		}
		e.log.LogAttrs(ctx, slog.LevelInfo, "shop access changed; inspected again", slog.String("shop", s.Shop),
			slog.Any("scopes", ch.Scopes), slog.Any("missing_scopes", r.MissingScopeNames()))
		hostEv.Kind, hostEv.Report = ShopAccessChanged, r
	case ChangeDataRequest:
		hostEv.Kind = ShopDataRequested
	case ChangeRedactCustomer:
		if ch.Customer == nil {
			return outIgnored, fmt.Errorf("%w: customer redaction without a customer", ErrInvalidPayload)
		}
		hostEv.Kind = ShopCustomerRedacted
		if err := e.tellHost(ctx, hostEv); err != nil {
			return outIgnored, err
		}
		return outApplied, e.redactCustomer(ctx, s, conn, *ch.Customer)
	case ChangeRedactShop:
		if err := e.confirmRemoved(ctx, s, conn, ev); err != nil {
			return outIgnored, err
		}
		hostEv.Kind = ShopRedacted
		if err := e.tellHost(ctx, hostEv); err != nil {
			return outIgnored, err
		}
		return outApplied, e.eraseShop(ctx, s)
	default:
		return outIgnored, nil
	}
	return outApplied, e.tellHost(ctx, hostEv)
}

// lifecycleKind reports whether k is one of the lifecycle change kinds.
func lifecycleKind(k ChangeKind) bool {
	switch k {
	case ChangeDisconnected, ChangeAccessChanged, ChangeDataRequest, ChangeRedactCustomer, ChangeRedactShop:
		return true
	}
	return false
}
