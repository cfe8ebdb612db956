// Package siteshop is the sync engine's second test shop system: an
// in-memory shop, its connector, its webhook source and its shop system,
// made to differ from Shopify wherever the engine must not assume
// Shopify. A shop is named by a site URL with a path
// ("https://site.example/NAME/"), has no locations (one stock figure per
// variant), signs its webhooks in its own header with a secret per shop,
// sends delivery ids that are not unique (so the source derives the
// deduplication key) and an unsigned ping when a webhook is created,
// restores deleted products from a trash, takes three stock levels per
// call and does not capture payments on pack.
//
// It implements [synctest.System], so the engine runs its end-to-end
// tests (package sync/synctest) against it as well as against Shopify.
// It is a test double: it keeps everything in memory and is not a model
// of any real shop system.
package siteshop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/synctest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// SourceName is the name of the system and of its webhook source.
const SourceName = "site"

// Headers of a delivery.
const (
	HeaderSignature = "X-Site-Signature" // base64 HMAC-SHA256 of the body under the shop's secret
	HeaderTopic     = "X-Site-Topic"     // such as "order.created"
	HeaderSource    = "X-Site-Source"    // the shop's site URL
	HeaderWebhook   = "X-Site-Webhook"   // the subscription's id
	HeaderDelivery  = "X-Site-Delivery"  // hash of the subscription id and the second: not unique
	HeaderTriggered = "X-Site-Triggered" // RFC 3339 time of the change
)

// Topics.
const (
	TopicProductCreated  webhook.Topic = "product.created"
	TopicProductUpdated  webhook.Topic = "product.updated"
	TopicProductDeleted  webhook.Topic = "product.deleted"
	TopicProductRestored webhook.Topic = "product.restored"
	TopicOrderCreated    webhook.Topic = "order.created"
	TopicOrderUpdated    webhook.Topic = "order.updated"
	TopicOrderDeleted    webhook.Topic = "order.deleted"
)

// BatchSize is the most stock levels one call of the shop takes.
const BatchSize = 3

// System is the shop system: it remembers each shop's webhook secret, so
// its Source verifies every shop's deliveries.
type System struct {
	mu      gosync.Mutex
	secrets map[string]*webhook.Keyring // by site URL
}

var (
	_ synctest.System        = (*System)(nil)
	_ wmssync.ShopSystem     = shopSystem{}
	_ wmssync.SingleLocation = shopSystem{}
	_ webhook.Source         = (*source)(nil)
)

// New returns the shop system without shops.
func New() *System { return &System{secrets: map[string]*webhook.Keyring{}} }

// ShopSystem implements synctest.System.
func (sys *System) ShopSystem() wmssync.ShopSystem { return shopSystem{} }

// Source implements synctest.System.
func (sys *System) Source() webhook.Source { return &source{sys: sys} }

// NewShop implements synctest.System.
func (sys *System) NewShop(t synctest.T, name, webhookURL string, now func() time.Time) synctest.Shop {
	s := &Shop{
		url: "https://site.example/" + name + "/", secret: "site-secret-" + name, hook: webhookURL, now: now,
		products: map[string]*product{}, orders: map[string]*order{}, subs: map[webhook.Topic]string{},
		client: &http.Client{Timeout: 10 * time.Second},
	}
	sys.mu.Lock()
	sys.secrets[s.url] = webhook.NewKeyring(s.secret)
	sys.mu.Unlock()
	return s
}

// shopSystem is the wmssync.ShopSystem.
type shopSystem struct{}

func (shopSystem) Name() string         { return SourceName }
func (shopSystem) SingleLocation() bool { return true }

// CheckSettings keeps the site URL's path (a shop in a subdirectory) and
// ends it with a slash; API versions are "v1" or "v2".
func (shopSystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := url.Parse(strings.TrimSpace(s.AdminURL))
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: "want the site's https URL"}
	}
	s.AdminURL = "https://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/") + "/"
	switch s.APIVersion {
	case "", "v1", "v2":
	default:
		return s, &wmssync.SettingsError{Field: "api_version", Reason: fmt.Sprintf("%q: want v1 or v2", s.APIVersion)}
	}
	return s, nil
}

// EventShop names a shop by its site URL, as HeaderSource does.
func (shopSystem) EventShop(s wmssync.Settings) string { return s.AdminURL }

// source is the webhook.Source.
type source struct{ sys *System }

func (*source) Name() string { return SourceName }

// Classify: a delivery carries the site headers; the ping sent when a
// webhook is created is an unsigned form "webhook_id=N".
func (*source) Classify(r *http.Request, body []byte) webhook.RequestKind {
	if r.Header.Get(HeaderSignature) != "" || r.Header.Get(HeaderTopic) != "" {
		return webhook.Delivery
	}
	if id, ok := bytes.CutPrefix(body, []byte("webhook_id=")); ok && len(id) > 0 && len(id) < 20 {
		for _, c := range id {
			if c < '0' || c > '9' {
				return webhook.NotMine
			}
		}
		return webhook.Ping
	}
	return webhook.NotMine
}

// Verify checks the signature with the secret of the shop the request
// names.
func (s *source) Verify(_ context.Context, r *http.Request, body []byte) error {
	s.sys.mu.Lock()
	k := s.sys.secrets[r.Header.Get(HeaderSource)]
	s.sys.mu.Unlock()
	if k == nil {
		return fmt.Errorf("%w: unknown site", webhook.ErrNoSecret)
	}
	return k.Verify(body, r.Header.Get(HeaderSignature))
}

// Event derives the deduplication key from the shop, the subscription,
// the (not unique) delivery id and the body.
func (*source) Event(r *http.Request, body []byte) (*webhook.Event, error) {
	if len(body) == 0 {
		return nil, webhook.ErrEmptyBody
	}
	topic, shop, sub := r.Header.Get(HeaderTopic), r.Header.Get(HeaderSource), r.Header.Get(HeaderWebhook)
	if topic == "" || shop == "" || sub == "" {
		return nil, fmt.Errorf("%w: %s, %s and %s", webhook.ErrMissingHeader, HeaderTopic, HeaderSource, HeaderWebhook)
	}
	h := sha256.New()
	for _, p := range []string{shop, sub, r.Header.Get(HeaderDelivery)} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	h.Write(body)
	e := &webhook.Event{Topic: webhook.Topic(topic), Shop: shop, WebhookID: "site-" + hex.EncodeToString(h.Sum(nil))[:40],
		Meta: map[string]string{"webhook": sub}, Body: body}
	e.TriggeredAt, _ = time.Parse(time.RFC3339Nano, r.Header.Get(HeaderTriggered))
	return e, nil
}
