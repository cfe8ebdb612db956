package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// Header names of a Shopify HTTPS webhook delivery. Shopify's Events system
// sends the same headers without the "X-" prefix (shopify-topic, ...); every
// function of this package reads both families, preferring X-Shopify-*.
// Header names are case-insensitive.
const (
	HeaderHmac        = "X-Shopify-Hmac-Sha256"
	HeaderTopic       = "X-Shopify-Topic"
	HeaderShopDomain  = "X-Shopify-Shop-Domain"
	HeaderAPIVersion  = "X-Shopify-API-Version"
	HeaderWebhookID   = "X-Shopify-Webhook-Id"
	HeaderEventID     = "X-Shopify-Event-Id"
	HeaderTriggeredAt = "X-Shopify-Triggered-At"
	HeaderName        = "X-Shopify-Name"
	HeaderSubTopic    = "X-Shopify-Sub-Topic"
)

// header returns the value of an X-Shopify-* header, or of its unprefixed
// shopify-* twin.
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(h.Get(strings.TrimPrefix(name, "X-")))
}

// Event is one verified webhook delivery: its metadata from the headers and
// its raw body. Only the body is covered by the HMAC; the header values are
// as the sender set them.
//
// An Event handed to an Inbox belongs to the inbox; treat events returned by
// a Queue as read-only.
type Event struct {
	// Topic is the webhook topic, for example "orders/create".
	Topic Topic `json:"topic"`
	// ShopDomain is the shop's myshopify.com domain.
	ShopDomain string `json:"shop_domain"`
	// APIVersion is the Admin API version the payload is formatted in.
	APIVersion string `json:"api_version"`
	// WebhookID identifies the delivery; Shopify keeps it across retries of
	// the same delivery, so it is the idempotency key of inboxes. For the
	// Events system, which sends no webhook id, it holds the event id.
	// Never empty for events built by ConstructEvent or ParseEvent.
	WebhookID string `json:"webhook_id"`
	// EventID identifies the event that caused the delivery; several
	// subscriptions to one topic get deliveries with the same EventID. Key
	// business side effects on EventID plus Topic.
	EventID string `json:"event_id,omitempty"`
	// TriggeredAt is when Shopify triggered the event (zero if absent or
	// unparsable). Use it with payload updated_at to detect stale retries.
	TriggeredAt time.Time `json:"triggered_at"`
	// Name is the subscription name, if the subscription has one.
	Name string `json:"name,omitempty"`
	// SubTopic is the X-Shopify-Sub-Topic header, sent by a few topics.
	SubTopic string `json:"sub_topic,omitempty"`
	// ReceivedAt is when Handler accepted the delivery (zero if the event
	// was built outside Handler).
	ReceivedAt time.Time `json:"received_at"`
	// Body is the raw request body, exactly as signed.
	Body []byte `json:"body"`
}

// Decode unmarshals the body into v. IDs decode exactly into int64 fields;
// use the payload types of package shopify (see Payload).
func (e *Event) Decode(v any) error {
	if err := json.Unmarshal(e.Body, v); err != nil {
		return &DecodeError{Topic: e.Topic, Err: err}
	}
	return nil
}

// Payload decodes the body into the shopify payload type of the event's
// topic, such as *shopify.OrderPayload for orders/create (see the Topic
// constants). It returns an error wrapping ErrNoRoute for a topic without a
// payload type, and a *DecodeError if the body does not decode.
func (e *Event) Payload() (any, error) {
	p := shopify.NewWebhookPayload(string(e.Topic))
	if p == nil {
		return nil, fmt.Errorf("%w: no payload type for %q", ErrNoRoute, e.Topic)
	}
	if err := e.Decode(p); err != nil {
		return nil, err
	}
	return p, nil
}

// ParseEvent builds an Event from a delivery's headers and body WITHOUT
// checking the signature. Use it only for deliveries that are authenticated
// another way (Google Pub/Sub, Amazon EventBridge, or events read back from
// storage); use ConstructEvent for HTTPS deliveries.
//
// It returns an error wrapping ErrEmptyBody or ErrMissingHeader when the body
// is empty, the topic is missing, or both webhook id and event id are missing.
func ParseEvent(h http.Header, body []byte) (*Event, error) {
	if len(body) == 0 {
		return nil, ErrEmptyBody
	}
	e := &Event{
		Topic:      Topic(header(h, HeaderTopic)),
		ShopDomain: header(h, HeaderShopDomain),
		APIVersion: header(h, HeaderAPIVersion),
		WebhookID:  header(h, HeaderWebhookID),
		EventID:    header(h, HeaderEventID),
		Name:       header(h, HeaderName),
		SubTopic:   header(h, HeaderSubTopic),
		Body:       body,
	}
	if e.Topic == "" {
		return nil, fmt.Errorf("%w: %s", ErrMissingHeader, HeaderTopic)
	}
	if e.WebhookID == "" {
		e.WebhookID = e.EventID
	}
	if e.WebhookID == "" {
		return nil, fmt.Errorf("%w: %s (or %s)", ErrMissingHeader, HeaderWebhookID, HeaderEventID)
	}
	if v := header(h, HeaderTriggeredAt); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			e.TriggeredAt = t
		}
	}
	return e, nil
}
