// Package shopifytest is a simulated Shopify Admin API for tests: an
// httptest server that executes GraphQL against an in-memory shop, rejects
// what Shopify would reject and rate-limits like Shopify, so code that passes
// against it has a fair chance of working against a real shop.
//
// # Starting a server
//
//	srv := shopifytest.NewServer()                 // one shop, "test-shop"
//	defer srv.Close()
//	shop := srv.DefaultShop()
//	shop.Seed(shopifytest.SeedOptions{Products: 100, Orders: 20})
//
// Every shop lives under its own path prefix, so one server holds several
// shops (WithShop). Server.Client(name) returns a ready *shopify.Client for
// a shop. To build one yourself, point it at ShopURL(name) (it is what
// shopify.WithBaseURL takes); the client then POSTs to
// ShopURL(name)+"/admin/api/{version}/graphql.json" with
// X-Shopify-Access-Token: Shop.AccessToken(). WithClientCredentials enables
// the client-credentials grant at ShopURL(name)+"/admin/oauth/access_token"
// (form-encoded grant_type, client_id, client_secret → JSON access_token,
// scope, expires_in).
//
// # Installing the app (OAuth)
//
// WithOAuthApp registers the app merchants install. GET
// ShopURL(name)+"/admin/oauth/authorize" with client_id, scope,
// redirect_uri and state stands for the merchant approving the install:
// it answers 302 to redirect_uri with code, hmac (hex HMAC-SHA256 of the
// sorted parameters with the client secret, SignQuery), host (base64 of
// admin.shopify.com/store/NAME), shop (NAME.myshopify.com), state and
// timestamp; Server.Authorize follows it for a test. Refused requests
// (unknown client, redirect not allowed, invalid scope, online access) get
// Shopify's "Oauth error ..." page with 400. The token endpoint serves,
// form-encoded or JSON: authorization_code (the code once, within ten
// minutes; expiring=1 gives a 60-minute access token, a refresh token for 90
// days and both expires_in; otherwise the shop's non-expiring offline
// token; a used code gets Shopify's 400 invalid_request "The authorization
// code was not found or was already used"); refresh_token (rotation: the
// refresh token issued last, or the one it replaced while the new one is
// unused, within 30 days of its first use; using the new one retires the
// old; a refused one gets 400 invalid_grant, our wording); and
// client_credentials (WithClientCredentials). Every grant of an expiring
// token revokes the previous expiring access token (one expiring token per
// app and shop, as documented) and a new authorization replaces the whole
// refresh chain. Expiry runs on the server's clock (WithClock) and time
// scale. A changed set of granted scopes on an installed shop records
// app/scopes_update. UninstallApp revokes every token, refresh token and
// code and records app/uninstalled; installing again works on the shop's
// kept data. RotateClientSecret and RetireClientSecrets model a secret
// rotation. WithoutApp starts a shop without the app. The compliance
// requests (RequestCustomerData, RedactCustomer, RedactShop, the last only
// after an uninstall) go to subscriptions made with AddWebhookSubscription
// (the app's configuration: the Admin API does not list them, and an
// uninstall, which removes every other subscription, keeps them). Simplified: approval is automatic (no approval screen, no
// merchant who declines), and there is one app per server.
//
// # What is faithful
//
//   - Every document is parsed and validated against Shopify's 2026-10
//     Admin schema. Invalid documents get HTTP 200 with Shopify-shaped
//     errors (message, locations, extensions.code such as undefinedField,
//     argumentNotAccepted, missingRequiredArguments); an unknown or missing
//     token gets 401 with Shopify's body.
//   - Valid documents are executed (internal/gqlexec) against the shop:
//     aliases, fragments, variables, __typename, node/nodes, connections
//     with nodes, edges, cursors and pageInfo, first/last/after/before,
//     reverse and sortKey, and query: filters in Shopify's search syntax
//     (field:value, :<, :<=, :>, :>=, AND/OR/NOT/-, quotes, prefix*) over
//     updated_at, created_at, sku, barcode, status, vendor, product_type,
//     tag, source_name, financial_status, fulfillment_status and more.
//     Connections without first/last and pages above 250 are rejected, as
//     are input arrays longer than 250 (MAX_INPUT_SIZE_EXCEEDED).
//   - Cost: requested cost by Shopify's documented rules (objects 1,
//     scalars 0, connections 2 + n × node cost, mutations 10), actual cost
//     from what was returned, extensions.cost with throttleStatus on every
//     response, a leaky bucket per shop with plan presets (PlanStandard
//     2000/100 per s, PlanAdvanced, PlanPlus 20000/1000, PlanEnterprise,
//     PlanDevelopment 40/2) or WithBucket, THROTTLED when the bucket cannot
//     pay the requested cost (unused points are refunded after execution),
//     MAX_COST_EXCEEDED above 1000. Counters per shop: requests, points
//     spent, throttled responses, faults.
//   - Semantics Shopify enforces: inventorySetQuantities,
//     inventoryAdjustQuantities, inventoryActivate and refundCreate require
//     @idempotent(key:); the same key with the same arguments replays the
//     first result, with different arguments it fails with
//     IDEMPOTENCY_KEY_PARAMETER_MISMATCH. changeFromQuantity must be passed
//     for every quantity (null skips the check) and a mismatch fails the
//     whole mutation with CHANGE_FROM_QUANTITY_STALE. Quantities follow
//     Shopify's states: on_hand is available plus committed, reserved,
//     damaged, safety_stock and quality_control; orders move units from
//     available to committed, fulfilments take them out of committed and on_hand,
//     refunds with RETURN put them back. fulfillmentCreate works on
//     fulfillment orders (remaining quantities, fulfillment order and order
//     fulfilment status, over-fulfilment errors); orderCapture captures at
//     most the authorised amount; orderMarkAsPaid; orderCancel (restock,
//     refund to the original payment methods; the job is finished at once);
//     refundCreate per line with restock type and location and refund
//     transactions limited to what was paid; productVariantsBulkUpdate (barcode, price, SKU and cost
//     through inventoryItem); inventoryItemUpdate (write cost, read
//     unitCost); webhookSubscriptionCreate/Update/Delete and the
//     webhookSubscriptions query. Access scopes are checked per operation
//     (ACCESS_DENIED naming the scope; write_X implies read_X), and orders
//     older than 60 days are invisible without read_all_orders.
//   - IDs are int64 legacy IDs above 2^53 by default (WithIDBase), so code
//     that lets an ID pass through a float64 fails in tests.
//
// # What is simplified
//
//   - One schema (2026-10) serves every API version in the URL; unknown
//     versions fall forward to the oldest supported one, as on Shopify.
//   - Only the types and fields the library uses are modelled (Shop,
//     AppInstallation, Location, Product, ProductVariant, InventoryItem,
//     InventoryLevel, Order, LineItem, OrderTransaction, FulfillmentOrder,
//     Fulfillment, Refund, WebhookSubscription, InventoryAdjustmentGroup).
//     Selecting another field fails that field with a NOT_SIMULATED error
//     instead of inventing a value. No taxes, discounts, shipping lines,
//     customers, currencies other than the shop's, or order routing rules:
//     CreateOrder puts an order's lines in one fulfillment order per
//     location the caller names (OrderSpec.Location, OrderLineSpec.Location),
//     and fulfillment orders are never moved, merged or hidden (displayable
//     is accepted and changes nothing). Fulfillment orders are visible with
//     any of the fulfillment order read scopes, whatever the location.
//   - Search (query:) sees writes at once unless WithSearchLag makes new
//     orders and products missing from order and product searches for a
//     while, as Shopify's search index lags behind writes; lookups by id
//     never lag.
//   - Exact error wording of Shopify is matched where known; elsewhere the
//     codes are Shopify's and the messages are close. A missing @idempotent
//     directive or a missing changeFromQuantity are reported as errors with
//     our own wording. Idempotency keys never expire.
//   - Refunds with NO_RESTOCK of unfulfilled units release them from
//     committed without returning them to available.
//   - The time scale (WithTimeScale) multiplies the restore rate and
//     divides every simulated duration; throttleStatus reports the scaled
//     restore rate so clients wait the scaled time.
//
// # Control API
//
// The methods of *Shop change and read state directly, bypassing tokens,
// scopes, cost and faults: Seed (deterministic catalog and orders: unique
// SKUs, valid EAN-13 barcodes, vendors, weights, prices, costs, HS codes,
// countries of origin, stock per location; 30,000 products × 3 variants in
// a few seconds), AddLocation, CreateProduct, EditProduct, EditVariant,
// DeleteProduct, SetQuantity, CreateOrder (web or POS, pending, authorised
// or paid, any number of lines, split across locations),
// FulfillFulfillmentOrder, UpdateFulfillmentTracking, CancelOrder,
// DeleteOrder, DisconnectInventory, SetScopes,
// SetBucket, DrainBucket, RevokeTokens, and readers (Products, Variant,
// InventoryItem, Quantity, Order, FulfillmentOrder, Refund,
// WebhookSubscriptions, Counters, ThrottleStatus, ...) that return copies.
// Server.InjectFault adds HTTP faults (5xx or 429 status, slow responses,
// connection resets) for the next K requests or at a rate, per shop or for
// all.
//
// Every change, from a mutation or the control API, records an Event
// (topic in webhook spelling such as "inventory_levels/update", the
// resource and a copy of it) in the shop's log (Shop.Events) and passes it
// to Shop.Subscribe listeners; webhook emission is built on that hook.
// Seeding records no events.
//
// # Concurrency
//
// Server and Shop are safe for concurrent use. Queries of one shop run in
// parallel; mutations and control-API changes of one shop are serialised.
//
// # Bulk operations
//
// bulkOperationRunQuery validates the query against the schema and
// Shopify's bulk rules (at least one and at most five connections, nesting
// depth two, edges { node } rather than nodes, no top-level node, nested
// connections under a node that selects id) and answers violations with
// userErrors code INVALID. Accepted queries run in the background on the
// same executor and resolvers as ordinary queries; the JSONL result holds
// one line per connection node with exactly the selected fields and
// "__parentId" on nested nodes, children after their parent but interleaved
// across parents unless groupObjects is true. The status goes CREATED →
// RUNNING → COMPLETED over time-scaled durations (WithBulkDurations;
// objectCount grows while running); at most five operations per shop are
// in progress (LIMIT_REACHED beyond). bulkOperationCancel moves an
// operation to CANCELING and then CANCELED. bulkOperation(id) and
// bulkOperations (query: status, operation_type, id, created_at; newest
// first) read them. url and partialDataUrl are signed URLs on the server
// that need no access token and expire after seven simulated days (the
// operation then reads EXPIRED). A finished operation records a
// bulk_operations/finish event. Server.InjectBulkFault makes operations
// FAILED with errorCode INTERNAL_SERVER_ERROR or TIMEOUT after a number of
// lines, with a partialDataUrl; ACCESS_DENIED comes from missing scopes.
// Shop.WaitBulkOperation, BulkOperations and BulkResult are the control
// API. Simplified: an operation reads the shop as one snapshot under the
// shop's read lock (mutations of that shop wait for it), fails only when
// injected or denied (no 10-day limit), keeps results in memory, and
// bulkOperationRunMutation is not simulated.
//
// # Webhooks
//
// Every change event is delivered to each subscription of its topic
// (webhookSubscriptionCreate, or Shop.AddWebhookSubscription for one
// configured outside the API) as a POST of the REST-format payload:
// products/create|update|delete,
// orders/create|updated|cancelled|delete|paid|fulfilled|partially_fulfilled,
// refunds/create, inventory_items/create|update|delete,
// inventory_levels/connect|update|disconnect (disconnect from
// Shop.DisconnectInventory), fulfillments/create|update (update from
// Shop.UpdateFulfillmentTracking), locations/create, app/uninstalled
// (Shop.UninstallApp) and bulk_operations/finish (order_transactions/create
// is recorded but not delivered). IDs are exact integers, products/* carry
// full variants for the first 100 only (variant_gids for all), orders/delete
// carries only the id, inventory_levels/update has available but no on_hand,
// includeFields trims the payload.
//
// Payloads follow Shopify's published samples and schemas of the app's
// webhook API version (WithWebhookAPIVersion; on Shopify a setting of the
// app, not of a subscription): 2026-04 and 2026-07 (WebhookAPIVersions; the
// default is 2026-07; another version is served as the nearest older one of
// these, and that is the version deliveries and subscriptions report). A
// payload carries exactly the fields of the sample of its topic and version,
// in the sample's order: product variants have no weight, weight_unit,
// grams, inventory_management, requires_shipping or fulfillment_service
// (Shopify removed them in 2024-07; weights are on inventory items). The
// two versions differ only in the order of a refund's fields. Tests
// (jsonschema_test.go, webhook_fidelity_test.go) validate every payload of
// several scenarios per topic against the schema with a JSON Schema
// validator and compare its fields with the sample, allowing exactly these
// deliberate deviations:
//
//   - A fulfilment without tracking information has null tracking_company,
//     tracking_number and tracking_url, as fulfilments in order payloads
//     have (their schema allows null); the schema of fulfillments/* wants
//     text because Shopify's sample has tracking.
//   - A sale to a guest (a POS sale without a customer) has no customer,
//     billing_address or shipping_address field, email "" and contact_email
//     null, which the orders/* schemas (derived from a web order with a
//     customer) do not allow.
//
// Where Shopify's own sample breaks its schema (image or cost null) or the
// sample's list is empty (an order's refunds), payloads may do the same; an
// order's refunds are checked against refunds/create.
//
// Each delivery has X-Shopify-Topic, X-Shopify-Hmac-Sha256 (base64
// HMAC-SHA256 of the raw body with the app secret: WithWebhookSecret,
// Server.WebhookSecret, Sign), X-Shopify-Shop-Domain, X-Shopify-API-Version
// (the version the payload is shaped by), X-Shopify-Webhook-Id (the same on
// retries and duplicates), X-Shopify-Event-Id (the same for every
// subscription of an event), X-Shopify-Triggered-At and X-Shopify-Name.
// Delivery is asynchronous per shop and never blocks a mutation. A non-2xx
// answer (redirects included) or no answer within 5 s fails an attempt; it
// is retried 8 times over about 4 hours (time-scaled, WithWebhookRetries)
// with the original payload, and a subscription created through the API is
// removed once a delivery has failed all retries with no successful
// delivery to it in between (8 consecutive failures).
// Server.InjectWebhookFault adds drops, duplicates, delays and reordering
// for the next K deliveries or at a rate drawn from the server seed.
// Server.WaitWebhooks waits until nothing is queued, in flight or waiting
// for a retry; WebhookStats counts attempts, deliveries, failures, retries,
// faults and removals.
//
// Simplified: the simulator has no customers or addresses, so an order with
// an email carries a synthetic customer and address derived from the email
// and the fulfilling location; line item properties and note attributes are
// always empty; payloads are rendered right after the change (related
// objects as of then); the filter of a subscription is stored but not
// applied; only http(s) endpoints are called; the 5 s timeout never drops
// below 250 ms at high time scales; Shopify's debouncing of identical
// payloads is not simulated.
package shopifytest
