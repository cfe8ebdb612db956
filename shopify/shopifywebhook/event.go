package shopifywebhook

import (
	"fmt"
	"net/http"
	"regexp"
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
// A delivery's headers are of one family: X-Shopify-* (HTTPS webhook
// subscriptions), or shopify-* without the prefix (Shopify's Events
// system); ParseEvent reads the family the delivery uses (X-Shopify-* when
// it has an X-Shopify-Topic or X-Shopify-Hmac-Sha256 header) and only it.
// As Shopify's own libraries do, it requires the topic, the shop domain,
// the API version and the delivery id: X-Shopify-Webhook-Id (which
// Shopify keeps across retries, so it is the deduplication key), or for
// the Events system shopify-webhook-id or else shopify-event-id. Each must
// be shaped as Shopify's are:
//
//   - topic: lower-case words of letters, digits and underscores joined
//     by "/" ("orders/create", "inventory_levels/update"), at most 128
//     bytes;
//   - shop domain: NAME.myshopify.com, NAME being letters, digits and
//     hyphens (upper case is taken as lower case), at most 255 bytes;
//   - API version: YYYY-MM or "unstable";
//   - webhook and event ids: 1 to 255 bytes of letters, digits and
//     ".-_:" (Shopify's are UUIDs).
//
// The event's Source is "shopify", Shop the shop's myshopify.com domain,
// WebhookID the delivery id, EventID the event id when sent, TriggeredAt
// the X-Shopify-Triggered-At time (zero if absent or unparsable), and Meta
// the subscription name and sub-topic when sent (MetaName, MetaSubTopic;
// each at most 255 bytes).
//
// It returns an error wrapping webhook.ErrEmptyBody for an empty body,
// webhook.ErrMissingHeader naming every required header that is missing,
// and webhook.ErrInvalidHeader for a value shaped otherwise. A
// webhook.Handler answers 400 to each, and stores nothing.
func ParseEvent(h http.Header, body []byte) (*webhook.Event, error) {
	if len(body) == 0 {
		return nil, webhook.ErrEmptyBody
	}
	prefixed := h.Get(HeaderTopic) != "" || h.Get(HeaderHmac) != ""
	get := func(name string) string {
		if !prefixed {
			name = strings.TrimPrefix(name, "X-")
		}
		return strings.TrimSpace(h.Get(name))
	}
	name := func(n string) string {
		if !prefixed {
			return strings.ToLower(strings.TrimPrefix(n, "X-"))
		}
		return n
	}
	e := &webhook.Event{
		Source:     SourceName,
		Topic:      webhook.Topic(get(HeaderTopic)),
		Shop:       strings.ToLower(get(HeaderShopDomain)),
		APIVersion: get(HeaderAPIVersion),
		WebhookID:  get(HeaderWebhookID),
		EventID:    get(HeaderEventID),
		Body:       body,
	}
	idHeader := HeaderWebhookID
	if !prefixed && e.WebhookID == "" {
		e.WebhookID, idHeader = e.EventID, HeaderEventID
	}
	var missing []string
	for _, f := range []struct{ header, value string }{
		{HeaderTopic, string(e.Topic)}, {HeaderShopDomain, e.Shop}, {HeaderAPIVersion, e.APIVersion}, {idHeader, e.WebhookID},
	} {
		if f.value == "" {
			missing = append(missing, name(f.header))
		}
	}
	if len(missing) > 0 {
		if !prefixed && e.WebhookID == "" {
			missing[len(missing)-1] += " (or " + name(HeaderWebhookID) + ")"
		}
		return nil, fmt.Errorf("%w: %s", webhook.ErrMissingHeader, strings.Join(missing, ", "))
	}
	for _, f := range []struct {
		header, value string
		ok            func(string) bool
	}{
		{HeaderTopic, string(e.Topic), func(v string) bool { return len(v) <= 128 && topicRe.MatchString(v) }},
		{HeaderShopDomain, e.Shop, func(v string) bool { return len(v) <= 255 && shopDomainRe.MatchString(v) }},
		{HeaderAPIVersion, e.APIVersion, apiVersionRe.MatchString},
		{idHeader, e.WebhookID, deliveryIDRe.MatchString},
		{HeaderEventID, e.EventID, func(v string) bool { return v == "" || deliveryIDRe.MatchString(v) }},
	} {
		if !f.ok(f.value) {
			return nil, fmt.Errorf("%w: %s %s", webhook.ErrInvalidHeader, name(f.header), describe(f.value))
		}
	}
	if v := get(HeaderTriggeredAt); v != "" {
		if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
			e.TriggeredAt = t
		}
	}
	for key, header := range map[string]string{MetaName: HeaderName, MetaSubTopic: HeaderSubTopic} {
		v := get(header)
		if v == "" {
			continue
		}
		if len(v) > 255 {
			return nil, fmt.Errorf("%w: %s is %d bytes long, at most 255", webhook.ErrInvalidHeader, name(header), len(v))
		}
		if e.Meta == nil {
			e.Meta = map[string]string{}
		}
		e.Meta[key] = v
	}
	return e, nil
}

// The shapes of Shopify's header values (see ParseEvent).
var (
	topicRe      = regexp.MustCompile(`^[a-z0-9_]+(/[a-z0-9_]+)+$`)
	shopDomainRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*\.myshopify\.com$`)
	apiVersionRe = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}|unstable)$`)
	deliveryIDRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,255}$`)
)

// describe quotes a header value for an error, shortened when long: the
// value is the sender's, so an error (and the 400 answer that carries it)
// stays small whatever the sender sent.
func describe(v string) string {
	if len(v) > 64 {
		return fmt.Sprintf("(%d bytes, starting %q) is not shaped like Shopify's", len(v), v[:32])
	}
	return fmt.Sprintf("%q is not shaped like Shopify's", v)
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
