// Package wootest is a simulated WooCommerce for tests and the demo: an
// httptest TLS server that answers the REST API (wc/v3) of one or more
// in-memory stores the way WooCommerce 10.9 does, and delivers their
// webhooks the way WooCommerce does, so code that passes against it has a
// fair chance against a real store. It follows the project's research on
// WooCommerce's code (docs/woocommerce.md in the research material), where
// that differs from WooCommerce's documentation.
//
// # Starting a server
//
//	srv := wootest.NewServer()                 // one store, "shop"
//	defer srv.Close()
//	store := srv.DefaultStore()
//	store.Seed(wootest.SeedOptions{Simple: 100, Variable: 20})
//	c, _ := srv.Client("shop")                 // a *woocommerce.Client with the store's key
//
// Each store is a WordPress site under its own path (StoreURL):
// /{store}/wp-json/... and, for "Plain" permalinks, /{store}/?rest_route=....
// Server.HTTPClient trusts the server's certificate.
//
// # What is faithful
//
//   - Keys: HTTP Basic auth or the consumer_key/consumer_secret query
//     parameters (which win when both are given), over TLS. No key or an
//     unknown key leaves the request unauthenticated, so the endpoint's
//     permission check answers 401 woocommerce_rest_cannot_view ("Sorry,
//     you cannot list resources.") or its create/edit/delete/batch twin; a
//     known key with a wrong secret is 401 woocommerce_rest_authentication_error
//     "Consumer secret is invalid." with WWW-Authenticate; a read-only key
//     used to write (or a write-only key to read) is 401 "The API key
//     provided does not have write permissions." before any routing or
//     validation, so an empty POST proves write permission without side
//     effects; a key of a user who may not manage WooCommerce gets 403; a
//     key sent to a route outside wc/ (the public index /wp-json/) is 401
//     "The provided API key cannot be used to access this endpoint."
//     (WooCommerce 11.1+).
//   - Errors in WordPress's shape {code, message, data: {status}}: 404
//     rest_no_route, 400 rest_invalid_param with data.params and
//     data.details (per_page above 100, page below 1, unknown order,
//     orderby or status values, bad dates), 404 on GET or DELETE of a
//     missing id but 400 on PUT, 404 woocommerce_rest_invalid_product_id
//     for a variation id written through /products, product_invalid_sku
//     (with resource_id and unique_sku) and product_invalid_global_unique_id
//     for duplicates across products and variations, 501
//     woocommerce_rest_trash_not_supported for DELETE without force on
//     webhooks, variations, refunds and notes, 410 for trashing twice.
//   - Collections: page, per_page (1-100, default 10), offset, X-WP-Total,
//     X-WP-TotalPages, a Link header with rel="prev" and rel="next" only,
//     built from the request URL (query-string credentials included), an
//     empty array past the end; include, exclude, search, orderby (with
//     the id as tiebreaker) and order, _fields; after, before,
//     modified_after and modified_before compared with the local or, with
//     dates_are_gmt=true, the GMT columns, exclusive, at one-second
//     resolution, a zone suffix ignored as WordPress does. Products filter
//     by sku and global_unique_id (comma lists; variations included), type,
//     status (any excludes the trash), stock_status, parent and
//     parent_exclude (WooCommerce's CRUD controllers map them to
//     post_parent__in and post_parent__not_in, so the cross-product
//     variations listing takes them too; not confirmed on a live store); orders by status
//     (a list; any includes checkout-draft), product.
//   - Objects: ids shared by one sequence as WordPress posts (above 2^53
//     by default, WithIDBase); dates without zone suffix, local and _gmt;
//     money as strings with the store's decimals; stock_quantity an
//     integer or null when unmanaged (stock fields ignored unless
//     manage_stock), "parent" in manage_stock for a variation whose parent
//     manages its stock, inventory_delta as a read-modify-write;
//     line_items[].price a JSON number (total / quantity, as PHP computes
//     it), line sku read from the current product (null once it is
//     deleted); meta_data values of any JSON type; refunds listed on the
//     order with negative totals; refund lines with negative quantities,
//     totals and price and _refunded_item_id; GET /products/{id} of a
//     variation answers it with type "variation"; /products/{id}/variations
//     and, from version 10.3 (WithVersion), /variations across products
//     with parent_id; batch endpoints for products, variations, orders and
//     webhooks with at most 100 items (WithBatchLimit; 413 above), items
//     processed one by one with per-item errors in a 200, deletes forced,
//     an empty batch answered [].
//   - Orders: REST orders are created_via rest-api and start pending;
//     set_paid moves them to processing with date_paid. Stock is reduced
//     once when an order enters processing, completed or on-hold and
//     restored when it enters cancelled or pending (failed restores
//     nothing), with WooCommerce's order notes ("Stock levels reduced: ...")
//     and product saves that fire product.updated. checkout-draft orders
//     (Store.CreateOrder) reduce nothing, fire no order.created but do fire
//     order.updated, and are listed under status any. Refunds:
//     api_refund (default true) fails with 500
//     woocommerce_rest_cannot_create_order_refund when the order's gateway
//     cannot refund (bacs, cod; "stripe" can), api_restock (default true)
//     returns the units to stock, an amount above what is left is refused,
//     a full refund moves the order to refunded. Notes: list (newest
//     first, not paged, type any/customer/internal), create, delete with
//     force. Order Fulfillments (beta) only with WithFulfillments,
//     otherwise rest_no_route.
//   - Webhooks: topics resource.event for order, product, customer and
//     coupon and action.*, validated; status active, paused or disabled
//     (other values become disabled); delete only with force. Creating a
//     webhook (or changing its address, or re-activating one that never
//     got a 200) pings the address synchronously with the form body
//     webhook_id=N, no X-WC-Webhook-* headers and no signature; only
//     exactly 200 clears pending_delivery; the REST answer is 201
//     whatever the ping gave. Changes are queued per {webhook, resource}
//     (a change while one is queued merges into it), delivered after
//     WithDeliveryDelay one after another with the payload built from the
//     resource as it is when sent ({"id": N} for deleted; a product
//     payload for a variation's id), POSTed with Content-Type
//     application/json, User-Agent WooCommerce/{version} Hookshot,
//     X-WC-Webhook-Source, -Topic, -Resource, -Event, -ID, -Signature
//     (base64 HMAC-SHA256 of the body with the webhook's secret; a random
//     50-character secret when none was given) and -Delivery-ID (a hash of
//     the webhook id and the second, so two deliveries of a webhook in one
//     second share it). A 200-302 answer is success; anything else fails
//     and is never retried; after more than WithMaxWebhookFailures (5)
//     consecutive failures, that is on the 7th, the webhook is disabled.
//     Force-deleting a product or an order fires nothing (the deleted
//     topics listen to trashing). A product or order restored from the
//     trash gets back the status it had (product.restored,
//     order.restored).
//
// # What is simplified
//
//   - No taxes, coupons, fees, customers or shipping zones: totals are
//     line totals plus shipping lines, tax fields are zero, customer_id is
//     0. One currency per store. Payment gateways are names: "stripe" and
//     "woocommerce_payments" can refund, others cannot; nothing captures.
//   - Statuses and capabilities: a key's user either may manage
//     WooCommerce (the default key, an administrator) or may do nothing
//     (403); OAuth 1.0a over plain HTTP is not simulated (the server is
//     HTTPS only); no Store API, no legacy API, no REST response cache.
//   - Webhook payloads of v3 resources only; action.* topics are accepted
//     but nothing fires them; customer and coupon topics never fire.
//     Deliveries of one store run in one queue (Action Scheduler runs
//     several); a delivery queued for a webhook that is no longer active
//     is skipped. The 10-minute coalescing window is the queue's wait.
//   - Product fields beyond those a warehouse needs are rendered with
//     fixed values (images, categories, ratings, downloads, price_html).
//     Variation writes keep only attributes whose names match the parent's
//     variation attributes. The product variations listing is sorted by
//     menu_order ascending by default.
//   - GTINs lose characters other than digits and "-"; no format check.
//
// # Faults
//
// Server.InjectFault adds what hosts and firewalls do to REST requests:
// an error status with an HTML page (429 with or without Retry-After,
// 502, 503), SiteGround's 202 HTML bot challenge, 501 on PUT and DELETE,
// a PHP notice before the JSON of a request that ran, an empty 200, slow
// answers and connection resets, for the next K requests or at a rate,
// per store and method. WithHostRateLimit answers 429 beyond a request
// rate. Server.InjectWebhookFault drops, delays or duplicates deliveries.
//
// # Control API
//
// The methods of *Store change and read state directly, bypassing keys
// and faults, and fire the webhooks the change would fire: Seed (a
// deterministic catalog of simple and variable products and a completed
// order history, without webhooks), CreateProduct, EditProduct, SetStock,
// TrashProduct, RestoreProduct, DeleteProduct, CreateOrder (storefront checkout in any
// status, checkout-draft included), SetOrderStatus, TouchOrder,
// TrashOrder, RestoreOrder, RefundOrder, AddWebhook, SetWebhookStatus,
// AddKey, RevokeKey, and readers that return copies: Product,
// ProductBySKU, Products, Order, Orders, Webhooks, Deliveries, Counters.
// Server.WaitWebhooks waits until no delivery is queued or in flight.
//
// # Concurrency
//
// Server and Store are safe for concurrent use; each store serialises its
// changes.
package wootest
