// Package woowebhook is WooCommerce's webhook.Source: it recognises
// WooCommerce's deliveries and pings, verifies X-WC-Webhook-Signature and
// turns a delivery into a webhook.Event, so that a webhook.Handler serves
// WooCommerce stores beside (or instead of) Shopify shops.
//
//	src, _ := woowebhook.NewSource(secret)  // the secret the webhooks were created with
//	h, _ := webhook.NewHandler(inbox, webhook.WithSource(shopifySrc, src))
//
// What the Handler then does with WooCommerce's requests:
//
//   - A delivery (a request with an X-WC-Webhook-Signature or -Topic
//     header) is verified against the raw body: base64 HMAC-SHA256 with the
//     webhook's secret. Unsigned or wrongly signed: 401, nothing stored.
//   - The ping WooCommerce sends when a webhook is created or its address
//     changes (an unsigned form body webhook_id=N without any
//     X-WC-Webhook-* header) is answered 200 and not stored; WooCommerce
//     keeps pinging until it gets exactly 200.
//   - The event's Shop is the store's site URL from X-WC-Webhook-Source,
//     normalised with woocommerce.NormalizeStoreURL ("https://shop.example"
//     or "https://example.com/shop"); Topic is X-WC-Webhook-Topic
//     ("order.updated"). X-WC-Webhook-Delivery-ID is a hash of the
//     webhook's id and the second it was sent, so two deliveries of one
//     webhook in one second share it: the Event's WebhookID (the inbox's
//     deduplication key) is therefore derived from the store, the webhook
//     id, the delivery id and the body, so two different orders delivered
//     in the same second are both kept while a duplicate of one delivery
//     is not. Meta carries the webhook and delivery ids.
//
// WooCommerce sends no trigger time: TriggeredAt stays zero, and the
// payload's date_modified_gmt orders changes (WooCommerce builds each
// payload from the resource as it is when sent). WooCommerce never retries
// a failed delivery: a receiver must reconcile (list what was modified)
// and re-activate webhooks WooCommerce disabled after repeated failures.
package woowebhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// SourceName is the name of WooCommerce's Source, the webhook.Event.Source
// of its events.
const SourceName = "woocommerce"

// The keys of webhook.Event.Meta this source sets.
const (
	// MetaWebhookID is the X-WC-Webhook-ID of the delivery.
	MetaWebhookID = "webhook_id"
	// MetaDeliveryID is the X-WC-Webhook-Delivery-ID (not unique).
	MetaDeliveryID = "delivery_id"
)

// The topics the library uses.
const (
	TopicOrderCreated    webhook.Topic = "order.created"
	TopicOrderUpdated    webhook.Topic = "order.updated"
	TopicOrderDeleted    webhook.Topic = "order.deleted"
	TopicOrderRestored   webhook.Topic = "order.restored"
	TopicProductCreated  webhook.Topic = "product.created"
	TopicProductUpdated  webhook.Topic = "product.updated"
	TopicProductDeleted  webhook.Topic = "product.deleted"
	TopicProductRestored webhook.Topic = "product.restored"
)

// KnownTopics returns the order and product topics, the ones a Handler
// stores by default for this source.
func KnownTopics() []webhook.Topic {
	return []webhook.Topic{TopicOrderCreated, TopicOrderUpdated, TopicOrderDeleted, TopicOrderRestored,
		TopicProductCreated, TopicProductUpdated, TopicProductDeleted, TopicProductRestored}
}

// SecretFunc returns the secrets that may sign deliveries from the store
// with site URL shop (normalised as in woocommerce.NormalizeStoreURL). It
// is called for every delivery and must be safe for concurrent use; an
// empty answer means the store is unknown.
type SecretFunc func(ctx context.Context, shop string) ([]string, error)

// Source is WooCommerce's webhook.Source. Build it with NewSource or
// NewSourceFunc. A Source is safe for concurrent use; printing it shows no
// secret.
type Source struct {
	keys    *webhook.Keyring // the same secrets for every store
	secrets SecretFunc       // or secrets per store
}

var (
	_ webhook.Source      = (*Source)(nil)
	_ webhook.TopicLister = (*Source)(nil)
)

// NewSource returns a Source that accepts deliveries signed with any of
// secrets, whichever store they come from: the secret the host gives the
// webhooks it creates (during a change, the old and the new one). It
// returns webhook.ErrNoSecret unless one secret is not empty.
func NewSource(secrets ...string) (*Source, error) {
	k := webhook.NewKeyring(secrets...)
	if k.Len() == 0 {
		return nil, webhook.ErrNoSecret
	}
	return &Source{keys: k}, nil
}

// NewSourceFunc returns a Source that asks fn for the secrets of each
// delivery's store.
func NewSourceFunc(fn SecretFunc) (*Source, error) {
	if fn == nil {
		return nil, webhook.ErrNoSecret
	}
	return &Source{secrets: fn}, nil
}

// Name implements webhook.Source: "woocommerce".
func (s *Source) Name() string { return SourceName }

// Classify implements webhook.Source: a request with an
// X-WC-Webhook-Signature or -Topic header is a delivery; WooCommerce's
// ping (see woocommerce.PingWebhookID) is a ping; anything else is not
// WooCommerce's.
func (s *Source) Classify(r *http.Request, body []byte) webhook.RequestKind {
	if r.Header.Get(woocommerce.HeaderWebhookSignature) != "" || r.Header.Get(woocommerce.HeaderWebhookTopic) != "" {
		return webhook.Delivery
	}
	if _, ok := woocommerce.PingWebhookID(r.Header, body); ok {
		return webhook.Ping
	}
	return webhook.NotMine
}

// Verify implements webhook.Source: the base64 HMAC-SHA256 of the raw body
// in X-WC-Webhook-Signature, with the store's secrets.
func (s *Source) Verify(ctx context.Context, r *http.Request, body []byte) error {
	sig := strings.TrimSpace(r.Header.Get(woocommerce.HeaderWebhookSignature))
	if sig == "" {
		return webhook.ErrNotSigned
	}
	keys := s.keys
	if keys == nil {
		shop, err := shopOf(r.Header)
		if err != nil {
			return err
		}
		secrets, err := s.secrets(ctx, shop)
		if err != nil {
			return fmt.Errorf("woowebhook: secrets of %s: %w", shop, err)
		}
		keys = webhook.NewKeyring(secrets...)
		if keys.Len() == 0 {
			return fmt.Errorf("%w for %s", webhook.ErrNoSecret, shop)
		}
	}
	return keys.Verify(body, sig)
}

// shopOf returns the normalised X-WC-Webhook-Source.
func shopOf(h http.Header) (string, error) {
	raw := strings.TrimSpace(h.Get(woocommerce.HeaderWebhookSource))
	if raw == "" {
		return "", fmt.Errorf("%w: %s", webhook.ErrMissingHeader, woocommerce.HeaderWebhookSource)
	}
	shop, err := woocommerce.NormalizeStoreURL(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", webhook.ErrMissingHeader, woocommerce.HeaderWebhookSource, err)
	}
	return shop, nil
}

// Event implements webhook.Source; see the package documentation for the
// fields.
func (s *Source) Event(r *http.Request, body []byte) (*webhook.Event, error) {
	return ParseEvent(r.Header, body)
}

// ParseEvent builds the Event of a delivery from its headers and raw body,
// without verifying it.
func ParseEvent(h http.Header, body []byte) (*webhook.Event, error) {
	if len(body) == 0 {
		return nil, webhook.ErrEmptyBody
	}
	topic := strings.TrimSpace(h.Get(woocommerce.HeaderWebhookTopic))
	if topic == "" {
		return nil, fmt.Errorf("%w: %s", webhook.ErrMissingHeader, woocommerce.HeaderWebhookTopic)
	}
	shop, err := shopOf(h)
	if err != nil {
		return nil, err
	}
	hookID := strings.TrimSpace(h.Get(woocommerce.HeaderWebhookID))
	deliveryID := strings.TrimSpace(h.Get(woocommerce.HeaderWebhookDeliveryID))
	sum := sha256.New()
	for _, part := range []string{shop, hookID, deliveryID} {
		sum.Write([]byte(part))
		sum.Write([]byte{0})
	}
	sum.Write(body)
	e := &webhook.Event{
		Source:    SourceName,
		Topic:     webhook.Topic(topic),
		Shop:      shop,
		WebhookID: "wc-" + hex.EncodeToString(sum.Sum(nil))[:40],
		Body:      body,
	}
	if hookID != "" || deliveryID != "" {
		e.Meta = map[string]string{MetaWebhookID: hookID, MetaDeliveryID: deliveryID}
	}
	return e, nil
}

// Topics implements webhook.TopicLister: KnownTopics.
func (s *Source) Topics() []webhook.Topic { return KnownTopics() }

// String describes the source without its secrets.
func (s *Source) String() string {
	if s.keys != nil {
		return "woowebhook.Source(" + s.keys.String() + ")"
	}
	return "woowebhook.Source(secrets per store)"
}
