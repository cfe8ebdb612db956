package sync

// Erasing data on a shop's privacy requests (Shopify's mandatory
// compliance webhooks customers/redact and shop/redact).

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Eraser is the optional [Store] capability the engine needs to honour a
// shop's privacy requests: erase a shop (Shopify's shop/redact, 48 hours
// after the shop removed the app) and erase a customer's personal data
// from the payloads the store keeps (customers/redact). Without it the
// engine fails those events (they stay in the inbox's failed entries) and
// says why. The SQLite, PostgreSQL and memory stores implement it;
// storetest checks it.
type Eraser interface {
	// EraseShop deletes every row the store keeps for the shop, named by
	// its id (Settings.Shop) or by domain (the shop as its webhook events
	// name it, webhook.Event.Shop: for Shopify its domain): its settings, step states, entity
	// versions (barcode marks included), watermarks, leases whose name has
	// the shop's id as a segment ("step/SHOP/products", "sweep/SHOP",
	// "credentials/SHOP"), outbox messages to the shop, inbox events of
	// the domain (finished or not), and the credentials stored under the
	// shop's id or domain, when the store keeps credentials. A table a
	// store adds for shops must be erased here too. Erasing a shop that is
	// not stored returns nil.
	EraseShop(ctx context.Context, shop, domain string) error

	// RewritePayloads passes fn every stored payload that may carry the
	// shop's data (the body of each inbox event of domain, and the Data of
	// each outbox message to the shop, to a listener or in the fan-out
	// queue), one at a time in storage order, and stores what fn returns
	// when it reports a change: the new payload, or, when it is nil, no
	// row at all (the row is deleted). fn must not call the store. It
	// returns the number of rows changed or deleted; an error of fn stops
	// the walk (rows changed before it stay changed).
	RewritePayloads(ctx context.Context, shop, domain string, fn func(StoredPayload) (out []byte, changed bool, err error)) (int, error)
}

// StoredPayload is one payload passed to [Eraser.RewritePayloads]: exactly
// one of Event (an inbox event; the payload is its Body) and Message (an
// outbox message; the payload is its Data) is set. Both are copies.
type StoredPayload struct {
	Event   *webhook.Event
	Message *OutboxMessage
}

// LeaseOfShop reports whether the lease name has shop as one of its
// "/"-separated segments after the first ("step/SHOP/products",
// "sweep/SHOP", "credentials/SHOP"): the leases [Eraser.EraseShop]
// removes.
func LeaseOfShop(name, shop string) bool {
	segs := strings.Split(name, "/")
	return len(segs) > 1 && slices.Contains(segs[1:], shop)
}

func (e *Engine) eraser() (Eraser, error) {
	er, ok := e.store.(Eraser)
	if !ok {
		return nil, fmt.Errorf("%w: the store cannot erase data (it does not implement sync.Eraser)", ErrInvalidPayload)
	}
	return er, nil
}

// eraseShop removes every trace of s from the store: first the published
// events about its orders (fan-out and listener rows name the shop inside
// their data), then all rows of the shop.
func (e *Engine) eraseShop(ctx context.Context, s Settings) error {
	er, err := e.eraser()
	if err != nil {
		return err
	}
	dropped, err := er.RewritePayloads(ctx, s.Shop, e.eventShop(s), func(p StoredPayload) ([]byte, bool, error) {
		if p.Message == nil || p.Message.Shop == s.Shop {
			return nil, false, nil // erased with the shop below
		}
		ev, err := p.Message.Event()
		if err != nil {
			return nil, false, nil
		}
		if orderOf(ev).Shop == s.Shop {
			return nil, true, nil
		}
		return nil, false, nil
	})
	if err != nil {
		return fmt.Errorf("sync: erase shop %s: %w", s.Shop, err)
	}
	if err := er.EraseShop(ctx, s.Shop, e.eventShop(s)); err != nil {
		return fmt.Errorf("sync: erase shop %s: %w", s.Shop, err)
	}
	e.mu.Lock()
	delete(e.conns, s.Shop)
	e.mu.Unlock()
	e.log.LogAttrs(ctx, slog.LevelWarn, "shop erased from the store on the shop's request", slog.String("shop", s.Shop),
		slog.Int("published_events_dropped", dropped))
	return nil
}

// redactCustomer erases c's personal data from the stored payloads of s:
// webhook bodies through the connector's PayloadRedactor, and the free
// text of outbound events about c's orders (a refund's note).
func (e *Engine) redactCustomer(ctx context.Context, s Settings, conn Connector, c Customer) error {
	er, err := e.eraser()
	if err != nil {
		return err
	}
	pr, _ := conn.(PayloadRedactor)
	if pr == nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "the shop's connector cannot redact webhook payloads; only outbound events are redacted",
			slog.String("shop", s.Shop))
	}
	n, err := er.RewritePayloads(ctx, s.Shop, e.eventShop(s), func(p StoredPayload) ([]byte, bool, error) {
		if p.Event != nil {
			if pr == nil {
				return nil, false, nil
			}
			return pr.RedactPayload(p.Event, c)
		}
		return redactOutbound(*p.Message, s.Shop, c)
	})
	if err != nil {
		return fmt.Errorf("sync: redact a customer of %s: %w", s.Shop, err)
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "customer data redacted from stored payloads", slog.String("shop", s.Shop),
		slog.Int("orders", len(c.Orders)), slog.Int("payloads", n))
	return nil
}

// redactOutbound clears the free text of an outbound event about one of
// c's orders: a refund's note (the other events carry ids, SKUs,
// quantities and amounts only).
func redactOutbound(m OutboxMessage, shop string, c Customer) ([]byte, bool, error) {
	if m.Kind != wms.KindRefundCreated {
		return nil, false, nil
	}
	ev, err := m.Event()
	if err != nil {
		return nil, false, nil
	}
	r, ok := ev.(wms.RefundCreated)
	if !ok || r.Refund.Order.Shop != shop || !slices.Contains(c.Orders, r.Refund.Order.ExternalID) || r.Refund.Note == "" {
		return nil, false, nil
	}
	r.Refund.Note = ""
	out, err := json.Marshal(r)
	return out, err == nil, err
}
