package webhook

import (
	"context"
	"net/http"
)

// Source is one shop system's way of delivering webhooks, as the
// system's connector package provides it: how to recognise its requests,
// how to check their signatures (which header, which algorithm, which
// secret for which shop), and what a verified request says (shop, topic,
// deduplication key, trigger time). A [Handler] does the HTTP, the body
// limits, the durable hand-off and the answers; the Source knows the shop
// system. Package shopify/shopifywebhook has Shopify's.
//
// A Source must be safe for concurrent use; its methods are called for
// every request, so they should not do I/O beyond a lookup of a shop's
// secret. Its errors must never contain a secret or a signature.
type Source interface {
	// Name names the shop system, such as "shopify". It is constant; the
	// Handler sets Event.Source to it.
	Name() string

	// Classify tells, from the headers and the body and before any
	// verification, what the request is to this source: one of its
	// deliveries ([Delivery]), a request the source answers with 200
	// without verifying or storing it ([Ping]: WooCommerce, for one, sends
	// an unsigned "webhook_id=N" when a webhook is created and needs 200),
	// or not its request at all ([NotMine]). It must not parse the body
	// as a payload: a delivery is classified by its headers, and only an
	// exact, harmless form may be taken for a ping.
	Classify(r *http.Request, body []byte) RequestKind

	// Verify authenticates a delivery against the raw body, before
	// anything else reads it. It returns an error wrapping [ErrNotSigned]
	// when the request carries no signature and [ErrInvalidSignature] when
	// the signature is wrong (the Handler answers 401 to either, and to any
	// other error, with no other effect), or an error wrapping
	// [ErrNoSecret] when no secret is known for the shop the request
	// names. [Keyring] checks base64 HMAC-SHA256 signatures.
	Verify(ctx context.Context, r *http.Request, body []byte) error

	// Event builds the Event of a verified delivery: Topic, Shop,
	// WebhookID (the deduplication key), TriggeredAt and what else the
	// source knows; Body is body (not copied). The Handler sets Source and
	// ReceivedAt. It returns an error wrapping [ErrMissingHeader] or
	// [ErrEmptyBody] when the delivery lacks what routing or deduplication
	// need (the Handler answers 400).
	//
	// WebhookID must be the same for every retry and duplicate of one
	// delivery and unique among every source the inbox serves; a source
	// whose own delivery id is not unique derives one from what is (a
	// hash of the shop, the webhook's id and the body, say).
	Event(r *http.Request, body []byte) (*Event, error)
}

// TopicLister is implemented by a [Source] that knows the topics of its
// shop system. A [Handler] stores, by default, only events of the topics
// its sources list (a source without the method: every topic) and
// acknowledges the others without storing them; [WithTopics] and
// [WithAllTopics] override that.
type TopicLister interface {
	Topics() []Topic
}

// RequestKind is what a request is to a [Source].
type RequestKind int

// The request kinds.
const (
	// NotMine: the request is not the source's.
	NotMine RequestKind = iota
	// Delivery: a webhook delivery, to verify and store.
	Delivery
	// Ping: a request the source answers with 200 without verifying or
	// storing it.
	Ping
)

func (k RequestKind) String() string {
	switch k {
	case Delivery:
		return "delivery"
	case Ping:
		return "ping"
	}
	return "not mine"
}
