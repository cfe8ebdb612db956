package shopifywebhook

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// SourceName is the name of Shopify's [Source], the webhook.Event.Source of
// Shopify's events.
const SourceName = "shopify"

// Source is Shopify's webhook.Source: it recognises a request by its
// X-Shopify-* (or shopify-*) headers, verifies the base64 HMAC-SHA256 of
// the raw body in X-Shopify-Hmac-Sha256 against the app's secrets, and
// builds the event with [ParseEvent]. Its topics ([KnownTopics]) are the
// ones a webhook.Handler stores by default. Build it with [NewSource].
//
// A Source is safe for concurrent use. Printing it shows no secret.
type Source struct {
	keys atomic.Pointer[keyring] // swapped by Rotate and SetSecrets
	now  func() time.Time
}

// keyring is the current secrets and, during a rotation, the previous
// ones until a deadline. Pointers: printing a Source shows no key bytes.
type keyring struct {
	current   *webhook.Keyring
	previous  *webhook.Keyring
	prevUntil time.Time
}

var (
	_ webhook.Source      = (*Source)(nil)
	_ webhook.TopicLister = (*Source)(nil)
)

// NewSource returns Shopify's Source for the app secrets that may sign
// deliveries: the app's client secret (or, for a custom app made in a
// shop's admin, the secret shown there); during a rotation both the old
// and the new one, since Shopify may sign with the old one for up to an
// hour. It returns webhook.ErrNoSecret unless one secret is not empty.
func NewSource(secrets ...string) (*Source, error) {
	src := &Source{now: time.Now}
	if err := src.SetSecrets(secrets...); err != nil {
		return nil, err
	}
	return src, nil
}

// SetSecrets replaces the secrets deliveries are verified with, at once.
// It is safe while requests are being verified, and returns
// webhook.ErrNoSecret (changing nothing) unless one secret is not empty.
func (s *Source) SetSecrets(secrets ...string) error {
	k := webhook.NewKeyring(secrets...)
	if k.Len() == 0 {
		return webhook.ErrNoSecret
	}
	s.keys.Store(&keyring{current: k})
	return nil
}

// Rotate starts a client-secret rotation: deliveries signed with
// newSecret verify from now on, and those signed with the secrets in use
// until now still verify for overlap (Shopify may keep signing with the
// old secret for up to an hour after a rotation: give at least
// time.Hour). It is safe while requests are being verified.
func (s *Source) Rotate(newSecret string, overlap time.Duration) error {
	k := webhook.NewKeyring(newSecret)
	if k.Len() == 0 {
		return webhook.ErrNoSecret
	}
	cur := s.keys.Load()
	s.keys.Store(&keyring{current: k, previous: cur.current, prevUntil: s.now().Add(overlap)})
	return nil
}

// Name implements webhook.Source: "shopify".
func (s *Source) Name() string { return SourceName }

// Classify implements webhook.Source: a request with a Shopify signature or
// topic header (either family) is a delivery; Shopify sends no pings.
func (s *Source) Classify(r *http.Request, _ []byte) webhook.RequestKind {
	if header(r.Header, HeaderHmac) != "" || header(r.Header, HeaderTopic) != "" {
		return webhook.Delivery
	}
	return webhook.NotMine
}

// Verify implements webhook.Source (see [Verify]).
func (s *Source) Verify(_ context.Context, r *http.Request, body []byte) error {
	sig := header(r.Header, HeaderHmac)
	if sig == "" {
		return webhook.ErrNotSigned
	}
	k := s.keys.Load()
	err := k.current.Verify(body, sig)
	if err != nil && k.previous != nil && s.now().Before(k.prevUntil) && k.previous.Verify(body, sig) == nil {
		return nil
	}
	return err
}

// Event implements webhook.Source (see [ParseEvent]).
func (s *Source) Event(r *http.Request, body []byte) (*webhook.Event, error) {
	return ParseEvent(r.Header, body)
}

// Topics implements webhook.TopicLister: [KnownTopics].
func (s *Source) Topics() []webhook.Topic { return KnownTopics() }

// String describes the source without its secrets.
func (s *Source) String() string {
	k := s.keys.Load()
	if k.previous != nil && s.now().Before(k.prevUntil) {
		return "shopifywebhook.Source(" + k.current.String() + ", rotating from " + k.previous.String() + ")"
	}
	return "shopifywebhook.Source(" + k.current.String() + ")"
}
