package webhook

import (
	"encoding/json"
	"maps"
	"time"
)

// Event is one verified webhook delivery: what its [Source] read from the
// request (shop, topic, deduplication key, trigger time) and its raw body.
// Only the body is covered by the signature; the other fields come from
// headers as the sender set them.
//
// An Event handed to an Inbox belongs to the inbox; treat events returned by
// a Queue as read-only.
type Event struct {
	// Source names the shop system the delivery came from, the
	// [Source.Name] of the source that verified it (such as "shopify"), so
	// that a consumer serving several shop systems knows the body's format.
	Source string `json:"source,omitempty"`
	// Topic is the event's topic in the source's own words, such as
	// "orders/create" (Shopify) or "order.created" (WooCommerce).
	Topic Topic `json:"topic"`
	// Shop identifies the shop the delivery came from, as the source names
	// it: a domain (Shopify's NAME.myshopify.com), a site URL that may
	// carry a path (WooCommerce's), or an id.
	Shop string `json:"shop"`
	// APIVersion is the API version the payload is formatted in, when the
	// source says.
	APIVersion string `json:"api_version,omitempty"`
	// WebhookID is the delivery's deduplication key, the idempotency key of
	// inboxes: the same for every retry and duplicate of one delivery, and
	// unique among the deliveries of every source an inbox serves. A source
	// whose own delivery id is not unique derives one from what is. Never
	// empty for events built by a Source.
	WebhookID string `json:"webhook_id"`
	// EventID identifies the event that caused the delivery, when the
	// source says: several subscriptions to one topic may get deliveries
	// with the same EventID. Key business side effects on EventID plus
	// Topic.
	EventID string `json:"event_id,omitempty"`
	// TriggeredAt is when the shop system triggered the event (zero if
	// unknown). Use it with the payload's own updated-at time to detect
	// stale retries (see [Version]).
	TriggeredAt time.Time `json:"triggered_at"`
	// Meta holds the source's further attributes of the delivery (for
	// Shopify the subscription name and the sub-topic); nil when there are
	// none. Its keys are documented by the source's package.
	Meta map[string]string `json:"meta,omitempty"`
	// ReceivedAt is when Handler accepted the delivery (zero if the event
	// was built outside Handler).
	ReceivedAt time.Time `json:"received_at"`
	// Body is the raw request body, exactly as signed.
	Body []byte `json:"body"`
}

// Decode unmarshals the JSON body into v. IDs decode exactly into int64
// fields; use the payload types the source's package documents.
func (e *Event) Decode(v any) error {
	if err := json.Unmarshal(e.Body, v); err != nil {
		return &DecodeError{Topic: e.Topic, Err: err}
	}
	return nil
}

// clone returns a copy of e that shares the body but not Meta.
func (e *Event) clone() *Event {
	cp := *e
	cp.Meta = maps.Clone(e.Meta)
	return &cp
}
