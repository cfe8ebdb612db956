package shopifywebhook

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/webhook"
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

// Keys of webhook.Event.Meta set by this package.
const (
	// MetaName is the subscription's name (X-Shopify-Name), when it has one.
	MetaName = "name"
	// MetaSubTopic is the X-Shopify-Sub-Topic header, sent by a few topics.
	MetaSubTopic = "sub_topic"
)

// header returns the value of an X-Shopify-* header, or of its unprefixed
// shopify-* twin.
func header(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return strings.TrimSpace(v)
	}
	return strings.TrimSpace(h.Get(strings.TrimPrefix(name, "X-")))
}

// Verify checks the HMAC header of a delivery (X-Shopify-Hmac-Sha256, or
// shopify-hmac-sha256) against the raw body, before any JSON parsing. See
// webhook.ValidateSignature for secrets and errors.
func Verify(body []byte, h http.Header, secrets ...string) error {
	return webhook.ValidateSignature(body, header(h, HeaderHmac), secrets...)
}

// ConstructEvent verifies a delivery (see Verify) and returns its Event,
// modelled on stripe-go's webhook.ConstructEvent. Besides the errors of
// Verify it returns those of ParseEvent (webhook.ErrEmptyBody,
// webhook.ErrMissingHeader). The event keeps body without copying it.
func ConstructEvent(body []byte, h http.Header, secrets ...string) (*webhook.Event, error) {
	if err := Verify(body, h, secrets...); err != nil {
		return nil, err
	}
	return ParseEvent(h, body)
}

// ParseEvent builds the Event of a Shopify delivery from its headers and
// body WITHOUT checking the signature. Use it only for deliveries that are
// authenticated another way (Google Pub/Sub, Amazon EventBridge); use
// ConstructEvent, or a [Source] in a webhook.Handler, for HTTPS deliveries.
//
// The event's Source is "shopify", Shop the shop's myshopify.com domain,
// WebhookID the X-Shopify-Webhook-Id (Shopify keeps it across retries of a
// delivery; the Events system, which sends none, gets its event id),
// TriggeredAt the X-Shopify-Triggered-At time (zero if absent or
// unparsable), and Meta the subscription name and sub-topic when sent
// (MetaName, MetaSubTopic).
//
// It returns an error wrapping webhook.ErrEmptyBody or
// webhook.ErrMissingHeader when the body is empty, the topic is missing, or
// both webhook id and event id are missing.
func ParseEvent(h http.Header, body []byte) (*webhook.Event, error) {
	if len(body) == 0 {
		return nil, webhook.ErrEmptyBody
	}
	e := &webhook.Event{
		Source:     SourceName,
		Topic:      webhook.Topic(header(h, HeaderTopic)),
		Shop:       header(h, HeaderShopDomain),
		APIVersion: header(h, HeaderAPIVersion),
		WebhookID:  header(h, HeaderWebhookID),
		EventID:    header(h, HeaderEventID),
		Body:       body,
	}
	if e.Topic == "" {
		return nil, fmt.Errorf("%w: %s", webhook.ErrMissingHeader, HeaderTopic)
	}
	if e.WebhookID == "" {
		e.WebhookID = e.EventID
	}
	if e.WebhookID == "" {
		return nil, fmt.Errorf("%w: %s (or %s)", webhook.ErrMissingHeader, HeaderWebhookID, HeaderEventID)
	}
	if v := header(h, HeaderTriggeredAt); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			e.TriggeredAt = t
		}
	}
	if v := header(h, HeaderName); v != "" {
		e.Meta = map[string]string{MetaName: v}
	}
	if v := header(h, HeaderSubTopic); v != "" {
		if e.Meta == nil {
			e.Meta = map[string]string{}
		}
		e.Meta[MetaSubTopic] = v
	}
	return e, nil
}

// Payload decodes the body of a Shopify event into the shopify payload type
// of its topic, such as *shopify.OrderPayload for orders/create (see the
// Topic constants). It returns an error wrapping webhook.ErrNoRoute for a
// topic without a payload type, and a *webhook.DecodeError if the body does
// not decode.
func Payload(e *webhook.Event) (any, error) {
	p := shopify.NewWebhookPayload(string(e.Topic))
	if p == nil {
		return nil, fmt.Errorf("%w: no payload type for %q", webhook.ErrNoRoute, e.Topic)
	}
	if err := e.Decode(p); err != nil {
		return nil, err
	}
	return p, nil
}
