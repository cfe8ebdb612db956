// Package webhook receives Shopify webhooks safely: it verifies them, hands
// them to durable storage before acknowledging, and dispatches them later to
// typed handlers. It is modelled on stripe-go's webhook package and net/http.
//
// Shopify delivers webhooks at least once, out of order, sometimes a day
// late; it retries a failed delivery 8 times over 4 hours with the original
// payload, and deletes an API-created subscription after 8 consecutive
// failures. Every order a merchant sells arrives this way, so a webhook that
// was acknowledged but not stored is an order lost. The package is built
// around that fact.
//
// # Receiving
//
// Mount a Handler on your mux. It answers 405 to anything but POST, caps the
// body (DefaultMaxBodyBytes, 413 beyond), answers 401 to a missing or wrong
// HMAC without any other effect, and puts the verified Event into an Inbox
// before it answers 200. If the inbox fails it answers 503, so Shopify
// retries. A redelivery (same X-Shopify-Webhook-Id) is acknowledged without
// being stored twice; a topic you did not ask for is acknowledged and
// counted (Handler.Stats). No business logic runs on the request path, so
// the answer comes well inside Shopify's 5 second limit.
//
//	inbox := webhook.NewMemoryInbox() // production: a durable Store
//	h, err := webhook.NewHandler(inbox, webhook.WithSecrets(clientSecret))
//	mux.Handle("POST /webhooks/shopify", h)
//
// During a secret rotation Shopify may sign with the old secret for up to an
// hour: pass both, WithSecrets(newSecret, oldSecret). Secrets never appear in
// logs, errors or when a Handler is printed.
//
// # Verifying by hand
//
// Verify and ConstructEvent check the base64 HMAC-SHA256 of the raw body in
// constant time against one or more secrets, stripe-go style, and report
// ErrNotSigned or ErrInvalidSignature (use errors.Is). Both header families
// are read: X-Shopify-* and the shopify-* names of Shopify's newer Events
// system. ComputeSignature, SignedHeader and NewSignedRequest sign test
// deliveries for your own tests.
//
// Only the body is signed. Header values (topic, webhook id, triggered-at)
// are as the sender set them: someone who captured a genuine delivery can
// replay its body under a new webhook id. That stores a genuine payload
// again, which idempotent handlers and the staleness checks absorb; there is
// no replay window to configure because Shopify itself legitimately delivers
// up to a day late.
//
// # Storing: Inbox and Queue
//
// Inbox has a single method, Put, idempotent by Event.WebhookID. Queue is
// the consumer side: Claim leases due events, and Complete, Retry and Fail
// settle them. A Store is both. The interfaces document their contract
// exactly (idempotency, ordering, leases, concurrency) so that a durable
// implementation, such as the sync store, can replace MemoryInbox; the
// package webhook/inboxtest checks an implementation against the contract.
//
// # Dispatching
//
// A Router maps topics to handlers. On registers a typed handler that gets
// the Event metadata and the payload decoded into the REST-format types of
// package shopify, with exact int64 IDs and shopify.Decimal money:
//
//	r := webhook.NewRouter()
//	webhook.On(r, webhook.TopicOrdersCreate,
//		func(ctx context.Context, e *webhook.Event, o *shopify.OrderPayload) error {
//			return saveOrder(ctx, e.ShopDomain, o) // your code
//		})
//	d := &webhook.Dispatcher{Queue: inbox, Router: r}
//	go d.Run(ctx)
//
// The Topic constants list the payload type of each topic. Mind three of
// them: orders/delete carries only the ID, products/update carries full data
// for the first 100 variants only (shopify.ProductPayload.Truncated), and
// inventory_levels/update has no on_hand quantity.
//
// A handler error makes the event retryable: the Dispatcher retries it after
// Backoff(attempt), and fails it (dead letter) after MaxAttempts or at once
// for a permanent error (Permanent, a *DecodeError, ErrNoRoute). Delivery to
// handlers is at least once, and Shopify itself can send one event in
// several deliveries, so make handlers idempotent: key side effects on
// Event.EventID plus Event.Topic.
//
// # Staleness
//
// Retries carry the original payload and arrive out of order, so an old
// delivery can come after a newer one. Record the Version (payload
// updated_at plus X-Shopify-Triggered-At) of the state you applied, and
// apply a delivery only if VersionOf(e, payload.UpdatedAt).Supersedes(applied).
// A periodic reconciliation against the Admin API covers webhooks that
// never arrive.
package webhook
