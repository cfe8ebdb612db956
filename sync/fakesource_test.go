package sync_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"regexp"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// The fake shop system's topics.
const (
	topicProductsCreate        webhook.Topic = "products/create"
	topicProductsUpdate        webhook.Topic = "products/update"
	topicProductsDelete        webhook.Topic = "products/delete"
	topicOrdersCreate          webhook.Topic = "orders/create"
	topicOrdersUpdated         webhook.Topic = "orders/updated"
	topicOrdersCancelled       webhook.Topic = "orders/cancelled"
	topicOrdersDelete          webhook.Topic = "orders/delete"
	topicInventoryLevelsUpdate webhook.Topic = "inventory_levels/update"
)

// Headers of the fake shop system's webhook deliveries.
const (
	fakeHeaderSignature = "X-Fake-Signature"
	fakeHeaderTopic     = "X-Fake-Topic"
	fakeHeaderShop      = "X-Fake-Shop"
	fakeHeaderDelivery  = "X-Fake-Delivery"
	fakeHeaderTriggered = "X-Fake-Triggered-At"
)

// fakeSource is the fake shop system's webhook.Source: its own headers,
// base64 HMAC-SHA256 under one secret, and a form-encoded ping.
type fakeSource struct{ keys *webhook.Keyring }

func newFakeSource(secret string) *fakeSource { return &fakeSource{keys: webhook.NewKeyring(secret)} }

func (s *fakeSource) Name() string { return "fake" }

func (s *fakeSource) Classify(r *http.Request, body []byte) webhook.RequestKind {
	switch {
	case r.Header.Get(fakeHeaderSignature) != "" || r.Header.Get(fakeHeaderTopic) != "":
		return webhook.Delivery
	case bytes.HasPrefix(body, []byte("ping=")):
		return webhook.Ping
	}
	return webhook.NotMine
}

func (s *fakeSource) Verify(_ context.Context, r *http.Request, body []byte) error {
	return s.keys.Verify(body, r.Header.Get(fakeHeaderSignature))
}

func (s *fakeSource) Event(r *http.Request, body []byte) (*webhook.Event, error) {
	e := &webhook.Event{Topic: webhook.Topic(r.Header.Get(fakeHeaderTopic)), Shop: r.Header.Get(fakeHeaderShop),
		WebhookID: r.Header.Get(fakeHeaderDelivery), Body: body}
	if e.Topic == "" || e.WebhookID == "" {
		return nil, fmt.Errorf("%w: topic or delivery", webhook.ErrMissingHeader)
	}
	if len(body) == 0 {
		return nil, webhook.ErrEmptyBody
	}
	e.TriggeredAt, _ = time.Parse(time.RFC3339Nano, r.Header.Get(fakeHeaderTriggered))
	return e, nil
}

// newFakeDelivery returns a signed delivery of the fake shop system.
func newFakeDelivery(ctx context.Context, url, shop string, topic webhook.Topic, body []byte, id string,
	triggered time.Time, secret string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set(fakeHeaderSignature, webhook.ComputeSignature(body, secret))
	req.Header.Set(fakeHeaderTopic, string(topic))
	req.Header.Set(fakeHeaderShop, shop)
	req.Header.Set(fakeHeaderDelivery, id)
	req.Header.Set(fakeHeaderTriggered, triggered.UTC().Format(time.RFC3339Nano))
	return req, nil
}

// fakeSystem is the fake shop system's wmssync.ShopSystem: admin URLs as
// the engine's default normalises them, API versions shaped YYYY-MM, shops
// named in events by their admin URL's host.
type fakeSystem struct{}

var fakeVersion = regexp.MustCompile(`^\d{4}-\d{2}$`)

func (fakeSystem) Name() string { return "fake" }

func (fakeSystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := wmssync.NormalizeAdminURL(s.AdminURL)
	if err != nil {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: err.Error()}
	}
	s.AdminURL = u
	if s.APIVersion != "" && !fakeVersion.MatchString(s.APIVersion) {
		return s, &wmssync.SettingsError{Field: "api_version", Reason: fmt.Sprintf("%q: want YYYY-MM", s.APIVersion)}
	}
	return s, nil
}

func (fakeSystem) EventShop(s wmssync.Settings) string { return s.Domain() }
