// Package webhook receives webhooks from shop systems safely: it verifies
// them, hands them to durable storage before acknowledging, and dispatches
// them later to handlers. It knows HTTP, signatures, storage and dispatch;
// what a shop system's delivery looks like (its headers, signature, topics
// and payloads) is a [Source], provided by that system's package (package
// shopify/shopifywebhook for Shopify). It is modelled on stripe-go's
// webhook package and net/http.
//
// Shop systems deliver webhooks at least once, out of order, sometimes a
// day late, and some never retry at all. Every order a merchant sells
// arrives this way, so a webhook that was acknowledged but not stored is an
// order lost. The package is built around that fact.
//
// # Receiving
//
// Mount a Handler on your mux. It answers 405 to anything but POST, caps
// the body (DefaultMaxBodyBytes, 413 beyond) and the time to read it
// (DefaultReadTimeout, 408 and a closed connection beyond), asks its sources which one
// the request belongs to (401 when none), answers a source's ping with 200
// and nothing else, answers 401 to a missing or wrong signature without any
// other effect, and puts the verified Event into an Inbox before it answers
// 200. If the inbox fails it answers 503, so the shop system retries (if it
// does). A redelivery (same deduplication key, Event.WebhookID) is
// acknowledged without being stored twice; a topic the handler does not
// accept is acknowledged and counted (Handler.Stats). No business logic
// runs on the request path, so the answer comes within the few seconds
// shop systems wait.
//
//	inbox := webhook.NewMemoryInbox() // production: a durable Store
//	src, err := shopifywebhook.NewSource(clientSecret)
//	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
//	mux.Handle("POST /webhooks", h)
//	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second,
//		ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute}
//
// The endpoint is public: give its server the timeouts above, so that no
// client holds a connection open with slow headers, a slow body or an idle
// keep-alive (the Handler bounds the body itself too, see WithReadTimeout).
//
// One Handler may serve several shop systems (WithSource(shopifySrc,
// wooSrc)): each Source recognises its own requests by their headers, and
// only that source verifies them. One Handler per source, at separate
// paths, works as well.
//
// # Writing a source
//
// A [Source] has four methods: Name, Classify (whose request is this: a
// delivery, a ping to acknowledge, or not mine), Verify (the signature:
// which header, which algorithm, which secret for which shop) and Event
// (shop, topic, deduplication key, trigger time). [Keyring] and
// [ValidateSignature] check base64 HMAC-SHA256 signatures in constant
// time; ComputeSignature makes them for tests. Secrets never appear in
// logs, errors or when a Handler or Keyring is printed.
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
// A Router maps topics to handlers, with a default handler for the rest.
// On registers a typed handler that gets the Event metadata and the JSON
// payload decoded into the type the source's package lists for the topic.
// A Dispatcher drains a Queue into a Router:
//
//	r := webhook.NewRouter()
//	webhook.On(r, shopifywebhook.TopicOrdersCreate,
//		func(ctx context.Context, e *webhook.Event, o *shopify.OrderPayload) error {
//			return saveOrder(ctx, e.Shop, o) // your code
//		})
//	d := &webhook.Dispatcher{Queue: inbox, Router: r}
//	go d.Run(ctx)
//
// A handler error makes the event retryable: the Dispatcher retries it after
// Backoff(attempt), and fails it (dead letter) after MaxAttempts or at once
// for a permanent error (Permanent, a *DecodeError, ErrNoRoute). Delivery to
// handlers is at least once, and shop systems themselves send one event in
// several deliveries, so make handlers idempotent.
//
// # Staleness
//
// Retries carry the original payload and arrive out of order, so an old
// delivery can come after a newer one. Record the Version (the payload's
// updated-at plus the delivery's trigger time) of the state you applied,
// and apply a delivery only if VersionOf(e, updatedAt).Supersedes(applied).
// A periodic reconciliation against the shop's API covers webhooks that
// never arrive.
package webhook
