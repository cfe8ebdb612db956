package shopifywebhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// TestDelivery describes a delivery to sign with SignedHeader or
// NewSignedRequest, for tests of code that receives webhooks. Empty fields
// get defaults: ShopDomain "example.myshopify.com", APIVersion "2026-07",
// a random WebhookID and EventID, TriggeredAt now.
type TestDelivery struct {
	Topic       webhook.Topic
	Body        []byte
	ShopDomain  string
	APIVersion  string
	WebhookID   string
	EventID     string
	TriggeredAt time.Time
	Name        string
	// Unprefixed selects the shopify-* header names of Shopify's Events
	// system instead of X-Shopify-*.
	Unprefixed bool
}

// SignedHeader returns the headers Shopify would send for d, signed with
// secret.
func SignedHeader(d TestDelivery, secret string) http.Header {
	if d.ShopDomain == "" {
		d.ShopDomain = "example.myshopify.com"
	}
	if d.APIVersion == "" {
		d.APIVersion = "2026-07"
	}
	if d.WebhookID == "" {
		d.WebhookID = randomID()
	}
	if d.EventID == "" {
		d.EventID = randomID()
	}
	if d.TriggeredAt.IsZero() {
		d.TriggeredAt = time.Now()
	}
	h := http.Header{}
	set := func(name, v string) {
		if v == "" {
			return
		}
		if d.Unprefixed {
			name = name[len("X-"):]
		}
		h.Set(name, v)
	}
	h.Set("Content-Type", "application/json")
	set(HeaderHmac, webhook.ComputeSignature(d.Body, secret))
	set(HeaderTopic, string(d.Topic))
	set(HeaderShopDomain, d.ShopDomain)
	set(HeaderAPIVersion, d.APIVersion)
	set(HeaderWebhookID, d.WebhookID)
	set(HeaderEventID, d.EventID)
	set(HeaderTriggeredAt, d.TriggeredAt.UTC().Format(time.RFC3339Nano))
	set(HeaderName, d.Name)
	return h
}

// NewSignedRequest returns a POST request to url carrying d, signed with
// secret, ready for webhook.Handler.ServeHTTP or an http.Client.
func NewSignedRequest(ctx context.Context, url string, d TestDelivery, secret string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		return nil, fmt.Errorf("webhook: build signed request: %w", err)
	}
	req.Header = SignedHeader(d, secret)
	return req, nil
}

// randomID returns a random UUID-shaped id, like Shopify's webhook ids.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
