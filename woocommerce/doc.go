// Package woocommerce is a client for the WooCommerce REST API (wc/v3):
// products, variations, orders, refunds, order notes, webhooks, order
// fulfillments, settings and the batch endpoints, with retries, pacing,
// typed errors and page iterators.
//
// # Connecting
//
//	c, err := woocommerce.NewClient("https://shop.example",
//		woocommerce.WithKeys("ck_...", "cs_..."))
//	p, _, err := c.Products().Get(ctx, 794)
//
// The store must be reached over HTTPS: WooCommerce honours a key sent with
// HTTP Basic auth (the default) or as consumer_key/consumer_secret query
// parameters (WithQueryStringAuth, for servers that strip the
// Authorization header) only when WordPress sees TLS; over plain HTTP it
// wants OAuth 1.0a signatures, which this package does not implement. A
// store whose permalinks are "Plain" needs WithPlainPermalinks.
//
// The key and secret never appear in errors, logs or %v output of the
// Client; with query-string auth the Client also removes them from the
// Link headers WooCommerce echoes and from the Response's request.
//
// # Pacing and retries
//
// WooCommerce has no rate limit of its own; the hosts it runs on throttle
// (429), answer 503 or empty bodies under load, or put a bot challenge in
// front (SiteGround answers 202 with an HTML page). Every Client paces its
// attempts with a golang.org/x/time/rate limiter (DefaultRate, WithRate,
// or WithLimiter to share one among Clients of one store) that all its
// goroutines share, and retries through hashicorp/go-retryablehttp:
// transport errors, 429 (honouring Retry-After), 5xx other than 501, and
// 2xx answers whose body is not JSON (DefaultRetryPolicy). WooCommerce has
// no idempotency keys, so a POST that creates something is retried only
// when it cannot have reached WooCommerce; reads, updates (absolute
// values), deletes and batches without creates are retried freely.
//
// # Errors
//
// An error answer in WooCommerce's shape {code, message, data: {status}}
// is an *APIError; anything else (an HTML error page, a 2xx that is not
// JSON after the retries) is an *HTTPError. Both match the sentinels with
// errors.Is: ErrUnauthorized (every key problem is a 401 in WooCommerce:
// unknown key, wrong secret, a read-only key used to write), ErrForbidden,
// ErrNotFound (404, and the 400 WooCommerce answers for an update of a
// missing id), ErrBatchTooLarge (413), ErrThrottled, ErrNotJSON.
//
// # Pages
//
// Collections are paged by number (page, per_page up to MaxPerPage) with
// X-WP-Total and X-WP-TotalPages; Response carries them. The All methods
// and Paginate iterate over every page as an iter.Seq2. Filter's
// ModifiedAfter (WooCommerce 5.8+) is sent in UTC with dates_are_gmt=true;
// sort by OrderBy "modified" (WooCommerce adds the id as a tiebreaker) and
// overlap windows, since dates have one-second resolution and offset
// paging can skip an item that moves while the listing runs.
//
// # Batches
//
// Batch calls create, update and delete up to MaxBatchItems objects (the
// store's limit; WithBatchLimit) in one request. WooCommerce answers 200
// even when items fail; BatchResult.Err returns the failed items as
// *BatchItemError values.
//
// # Numbers and dates
//
// Money is a Decimal (exact text; WooCommerce sends strings, except
// line_items[].price, a JSON number, which Decimal reads digit for digit).
// Quantities and stock are a Number (exact text sent as a JSON number; a
// store may allow fractional stock). Ids are int64. Dates are Time, read
// from the _gmt fields, which WooCommerce writes without a zone suffix.
//
// # Webhooks
//
// WooCommerce signs each delivery with X-WC-Webhook-Signature, the base64
// HMAC-SHA256 of the raw body with the webhook's secret: check it with
// ValidSignature. Deliveries are asynchronous, built from the resource as
// it is when sent (quick changes are merged into one delivery), never
// retried, and a webhook is disabled after its 7th consecutive failed
// delivery, so a receiver must reconcile by listing modified objects and
// re-activate disabled webhooks. X-WC-Webhook-Delivery-ID is a hash of the
// webhook id and the second of sending: two deliveries of one webhook in
// the same second share it, so it is not a deduplication key. Creating a
// webhook sends an unsigned ping (form body webhook_id=N) that must be
// answered 200: PingWebhookID recognises it.
//
// # Concurrency
//
// A Client and its services are safe for concurrent use.
package woocommerce
