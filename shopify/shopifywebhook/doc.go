// Package shopifywebhook is Shopify's webhook source for package webhook:
// the headers, the HMAC, the topics and the typed payloads of Shopify's
// webhook deliveries. Package webhook does the HTTP, the durable hand-off
// and the dispatch for any shop system; this package tells it what a
// Shopify delivery is.
//
// Shopify delivers webhooks at least once, out of order, sometimes a day
// late; it retries a failed delivery 8 times over 4 hours with the original
// payload, and deletes an API-created subscription after 8 consecutive
// failures. Every order a merchant sells arrives this way, so a webhook
// that was acknowledged but not stored is an order lost: webhook.Handler
// stores before it answers, well inside Shopify's 5 second limit.
//
// # Receiving
//
//	src, err := shopifywebhook.NewSource(clientSecret) // during a rotation: new, old
//	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
//	mux.Handle("POST /webhooks/shopify", h)
//
// The [Source] recognises Shopify's requests by their headers, checks the
// base64 HMAC-SHA256 of the raw body in X-Shopify-Hmac-Sha256 against the
// secrets in constant time (401 without any other effect when it does not
// match), and builds the event: Shop is the X-Shopify-Shop-Domain
// (NAME.myshopify.com), WebhookID the X-Shopify-Webhook-Id (the same on
// every retry of a delivery, so a redelivery is acknowledged without being
// stored twice), TriggeredAt the X-Shopify-Triggered-At. Both header
// families are read: X-Shopify-* and the shopify-* names of Shopify's
// newer Events system (one family per delivery). By default the handler
// stores the topics of [KnownTopics] and acknowledges others without
// storing them.
//
// A delivery must carry what Shopify's own libraries require: the topic,
// the shop domain, the API version and the delivery id
// (X-Shopify-Webhook-Id; for the Events system shopify-webhook-id or
// shopify-event-id), and a body, each value shaped as Shopify's are (see
// [ParseEvent]). A signed delivery that lacks one, or whose shop domain is
// not NAME.myshopify.com, gets 400 naming the header and is not stored;
// only a missing or wrong signature gets 401.
//
// Only the body is signed. Header values (topic, shop domain, webhook id,
// triggered-at) are as the sender set them: someone who captured a genuine
// delivery can replay its body under a new webhook id, or under another
// topic. That stores a genuine payload again, which idempotent handlers
// and the staleness checks absorb; a body under a delete topic must be a
// deletion's, and the engine confirms deletions with the shop (see
// docs/reliability.md, section 9). There is no replay window to configure
// because Shopify itself legitimately delivers up to a day late.
//
// # Verifying by hand
//
// [Verify] and [ConstructEvent] check a delivery you read yourself,
// stripe-go style, and report webhook.ErrNotSigned or
// webhook.ErrInvalidSignature (use errors.Is). [SignedHeader] and
// [NewSignedRequest] sign test deliveries for your own tests.
//
// # Payloads
//
// The Topic constants list the payload type of each topic, REST-format
// types of package shopify with exact int64 IDs and shopify.Decimal money;
// [Payload] decodes an event into its topic's type, and webhook.On
// registers a typed handler:
//
//	r := webhook.NewRouter()
//	webhook.On(r, shopifywebhook.TopicOrdersCreate,
//		func(ctx context.Context, e *webhook.Event, o *shopify.OrderPayload) error {
//			return saveOrder(ctx, e.Shop, o) // your code
//		})
//
// Mind three topics: orders/delete carries only the ID, products/update
// carries full data for the first 100 variants only
// (shopify.ProductPayload.Truncated), and inventory_levels/update has no
// on_hand quantity. Shopify itself can send one event in several
// deliveries, so key side effects on Event.EventID plus Event.Topic, and
// compare versions (the payload's updated_at with the delivery's
// X-Shopify-Triggered-At: webhook.VersionOf) before applying a payload.
package shopifywebhook
