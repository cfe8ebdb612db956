// Package shopify is a client for Shopify's GraphQL Admin API (version
// 2026-10 by default), built for programs that keep many goroutines busy
// against many shops: it paces requests by query cost, retries safely,
// refreshes tokens, and never puts a secret into a log line, an error or
// formatted output.
//
// # Quick start
//
//	client, err := shopify.NewClient("nordic-socks", // or nordic-socks.myshopify.com, or its https:// URL
//		shopify.WithAccessToken(token))
//	if err != nil { ... }
//
//	var out struct {
//		Shop struct{ Name string } `json:"shop"`
//	}
//	resp, err := client.Do(ctx, &shopify.Request{Query: shopQuery}, &out)
//
// Client.Do runs one GraphQL operation and decodes "data" into out. Queries
// live in .graphql files embedded with go:embed (one operation per file,
// named like the file), and the module's tests validate every one of them
// against the Admin 2026-10 schema. The Response carries Shopify's
// X-Request-Id (quote it to Shopify support), the API version that served
// the request, the query cost and the throttle state.
//
// A Client is safe for concurrent use, and all goroutines working on one
// shop should share one Client (or one Limiter, see below).
//
// # Authentication
//
// Every request carries the token in X-Shopify-Access-Token. Pick one of:
//
//   - WithAccessToken: a fixed Admin API access token of a custom app
//     created in the shop's admin.
//   - WithClientCredentials: a Dev Dashboard app's client ID and secret.
//     The Client obtains tokens with the client-credentials grant
//     (POST /admin/oauth/access_token, grant_type=client_credentials),
//     shares one fetch among all goroutines and fetches a new token two
//     minutes before the old one (valid about a day) expires.
//   - WithTokenSource: any TokenSource, for example RefreshTokenSource for
//     expiring offline tokens with refresh tokens, or a TokenSourceFunc
//     reading tokens from the host's own storage.
//
// When Shopify answers 401, the Client fetches a new token and tries once
// more (a fixed access token cannot change, so its 401 is final) and then
// returns *AuthError. A 403 or a GraphQL ACCESS_DENIED error is a missing
// permission, not a bad token, and comes back as *AccessDeniedError naming
// the missing access scopes when Shopify does.
//
// The shop argument is normalised to name.myshopify.com; custom domains,
// other hosts, http://, ports and user info are refused. Only WithBaseURL
// sends requests elsewhere (tests, simulators such as shopifytest,
// proxies), and redirects are never followed, so a token reaches no host the
// caller did not choose.
//
// # Secrets in errors and logs
//
// The Client knows every secret it handles: the access token, the client
// secret, each token and refresh token its token source hands out, and any
// given with WithRedactedSecrets (a webhook signing secret, say). A server,
// proxy or token endpoint that echoes the request (its headers, the form
// with the client secret) into an answer cannot leak one: the Client
// replaces each secret, raw or JSON- or URL-escaped, with "[REDACTED]" in
// every answer before it decodes anything from it (error messages and
// codes, GraphQL errors and extensions, user errors, X-Request-Id and
// other headers), in every error it returns (a token source's too), and in
// every line it logs. Secrets shorter than 8 characters are not looked
// for: they cannot be told from ordinary text.
//
// # Rate limits
//
// Shopify limits each app and shop with a leaky bucket of query-cost points
// and reports it in every answer (extensions.cost.throttleStatus:
// maximumAvailable, currentlyAvailable, restoreRate). Each Client has a
// Limiter that models this bucket from those reports, with no plan numbers
// built in, and holds a request back until the bucket holds its estimated
// cost, so requests are paced instead of throttled. A request's cost is
// estimated from its document and variables by Shopify's documented rules,
// corrected by what Shopify reported for the same operation recently; until
// an operation has a report, one request of it goes out at a time. Before
// the first answer, one request goes alone to learn the bucket. Use
// WithLimiter to share one Limiter between several Clients of the same shop;
// Limiter.Status shows the current model.
//
// If Shopify throttles anyway (HTTP 429, or HTTP 200 with an error whose
// extensions.code is THROTTLED), the request is retried after
// (requested − available) / restoreRate or after Retry-After. When the
// retries run out, Do returns *ThrottledError. Every wait ends when the
// context is done.
//
// # Retries
//
// Retries run through hashicorp/go-retryablehttp: transport errors, 5xx
// other than 501, 429 and THROTTLED answers are retried up to
// DefaultRetryMax times with capped exponential backoff and jitter
// (DefaultRetryPolicy, DefaultBackoff). Replace them with WithRetryPolicy,
// WithBackoff, WithRetryMax and WithRetryWait; AttemptFromContext tells a
// custom policy what it is deciding about. One rule cannot be replaced: a
// mutation that may have reached Shopify is retried only when it is
// idempotent, i.e. its document uses @idempotent(key:) or Request.Idempotent
// is set. A connection that could not be opened, a throttle and a 401 prove
// the mutation did not run, so those are always safe to retry.
//
// # Pagination
//
// Connections are queried as nodes plus pageInfo { hasNextPage endCursor }
// and decoded into Connection[T]. Paginate turns a page-fetching function
// into an iter.Seq2[T, error] that fetches lazily as the caller ranges:
//
//	for p, err := range shopify.Paginate(ctx, fetchPage) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// PageSize picks a first: argument that keeps a page's cost under
// PageCostBudget, well below Shopify's 1000-point per-query maximum.
//
// # Errors
//
// Errors are typed and inspected with errors.As and errors.Is:
//
//	var denied *shopify.AccessDeniedError
//	var userErrs *shopify.UserErrorsError
//	switch {
//	case errors.As(err, &denied):
//		// ask the merchant to grant denied.Scopes
//	case errors.Is(err, shopify.ErrUnauthorized):
//		// the token was revoked: reconnect the shop
//	case errors.Is(err, shopify.ErrThrottled):
//		// still throttled after the retries
//	case errors.As(err, &userErrs):
//		// Shopify rejected the input: userErrs.Errors[i].Code, .Field
//	}
//
// *HTTPError covers other HTTP failures, *GraphQLErrors top-level GraphQL
// errors (with extensions.code; partial data is still decoded), and
// *UserErrorsError a mutation's userErrors, built by CheckUserErrors.
// Errors about an answer carry the operation name and Shopify's request ID
// (X-Request-Id); context errors stay reachable with errors.Is.
//
// # Services
//
// Typed services cover what a warehouse integration needs, one file per
// resource, each method linking Shopify's reference: ShopDetails (shop,
// granted scopes, API versions), Locations, Products (iterate with
// updated_at windows and status, get with all up to 2,048 variants, look up
// variants by SKU or barcode, update barcodes, SKUs and costs), InventoryItems
// (unit cost, HS codes, origin), Inventory (levels with named quantities,
// SetQuantities in batches of at most 250 with an @idempotent key and an
// explicit changeFromQuantity), Orders (windows, line items, transactions,
// fulfillment orders, POS detection), Fulfillments, Payments (capture, mark
// as paid), Refunds (per line, restock, @idempotent) and WebhookSubscriptions
// (with Ensure, which converges the shop's subscriptions for one address).
//
//	for p, err := range client.Products().List(ctx, &shopify.ProductListOptions{Status: []string{"ACTIVE"}}) {
//		...
//	}
//
// Mutations that Shopify protects with @idempotent take a key from the
// caller; keep the key with your job so a retry after a crash reuses it.
// Mutations without it (fulfilment, capture, barcode and cost updates) are
// not retried once they may have reached Shopify: re-read the order or item
// first and send only what is missing.
//
// # Bulk operations
//
// BulkOperations runs Shopify's bulk queries, the way to export 30,000
// products without spending the rate budget page by page: Run starts a
// query and waits (polling with backoff, or woken by a BulkNotifier fed from
// the bulk_operations/finish webhook), queueing while the shop already runs
// its limit of concurrent operations; Get, List, Cancel and Wait resume work
// on an operation by ID after a restart. Open streams the JSONL result;
// NewBulkReader reads its rows in file order with their __parentId in
// constant memory, and GroupBulkRows regroups children with their parents
// without relying on adjacency (it spills to a temporary file; its memory
// bound is stated on the function), or, for a result of a query run with
// GroupObjects and GroupOptions.Grouped, in memory bounded by one group. ReadProductExport, GroupProductExport,
// ReadInventoryLevelsExport and ReadOrdersExport decode the ready-made
// exports of the queries built by BulkProductsQuery,
// BulkInventoryLevelsQuery and BulkOrdersQuery.
//
// # Observability
//
// WithLogger sets the *slog.Logger. Like every package of this module, the
// Client logs nothing unless given a logger (the default discards). It
// warns when Shopify sends X-Shopify-API-Deprecated-Reason or serves a
// different API version than requested, and logs each request (failed ones
// too: their error is returned to the caller, who decides whether it is
// worth a warning), attempt and retry at debug level. WithObserver receives per-request metrics: operation, status,
// request ID, requested and actual cost, throttle wait, attempts and
// duration.
//
// IDs are global ID strings (GID, ParseGID, LegacyID convert to and from
// int64); money and decimals are Decimal, never float64.
package shopify
