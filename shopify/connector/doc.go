// Package connector is the Shopify connector of the sync engine: it
// implements [wmssync.Connector] (package
// github.com/wmsbridge/wmsbridge/sync, imported as wmssync) for one Shopify
// shop, on top of the shopify client, with the optional capabilities
// [wmssync.WebhookRegistrar] (product and order webhooks),
// [wmssync.CustomsCostSource] (customs information and unit costs) and
// [wmssync.Outbound] (WMS events written back to the shop;
// see [Connector.Send]).
//
// # Wiring it into the engine
//
// The engine asks the host for a shop's connector with
// [wmssync.Config.Connect]; the host keeps the shop's credentials (never in
// the settings or the store) and builds a client and a connector:
//
//	eng, err := wmssync.NewEngine(wmssync.Config{
//		Backend: myWMS,
//		Store:   store,
//		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()}, // NAME.myshopify.com only
//		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
//			cl, err := shopify.NewClient(s.Domain(),
//				shopify.WithAccessToken(tokens.For(s.Shop)),
//				shopify.WithAPIVersion(cmp.Or(s.APIVersion, shopify.DefaultAPIVersion)))
//			if err != nil {
//				return nil, err
//			}
//			return connector.New(connector.Config{Client: cl, WebhookAddress: "https://wms.example.com/webhooks/shopify"})
//		},
//	})
//
// and serves the shops' webhooks with a [webhook.Handler] over the engine's
// inbox at WebhookAddress, with Shopify's webhook source (package
// shopify/shopifywebhook: the X-Shopify-* headers, the HMAC, the topics):
//
//	src, err := shopifywebhook.NewSource(appSecret)
//	h, err := webhook.NewHandler(eng.Inbox(), webhook.WithSource(src))
//	http.Handle("/webhooks/shopify", h)
//	go eng.Run(ctx)
//
// # What it reads, and how
//
//   - Inspect (the connection test): the shop's details, the granted
//     access scopes, the locations (active and inactive) and the supported
//     API versions, and the scopes the enabled features need
//     ([RequiredScopes]; read_all_orders when the sales history reaches
//     back more than 60 days).
//   - Products (and the reconciliation sweep): it pages through the
//     Admin API, reading each variant's on-hand stock per location, or,
//     when that is expected to take longer than a bulk export (estimated
//     from the product, variant and location counts and the shop's rate
//     limit; [Config.BulkThreshold] sets a fixed product count instead),
//     it runs a bulk export of the products and one of the inventory
//     levels and hands the result out [Config.BulkPageSize] products at a
//     time. A lookup by ids (the
//     engine's fetch of a product whose webhook was truncated) reads the
//     products by id (nodes(ids:)), never through the search index.
//   - Orders (the sweep, the sales history): paged by
//     updated or created time; a listing of orders created more than
//     [Config.BulkOrderDays] ago reads a bulk export instead; a lookup by
//     ids reads the orders by id (nodes(ids:)), never through the search
//     index, which lags behind writes. A POS order is one with source
//     "pos", a retail location or the Point of Sale app; its location is
//     the retail location. A web order's location is where Shopify
//     assigned its fulfilment: the location of its first fulfilment order
//     that is not closed or cancelled (else of its first one), so an order
//     split across locations carries one location and goes whole to one
//     warehouse; an order at a location mapped to no warehouse (a store,
//     another 3PL) is then not the warehouse's.
//     [Config.SkipFulfillmentLocations] switches this off: web orders
//     carry no location and go to the warehouse's default. Lines without
//     a SKU or with nothing left after refunds are left out.
//   - Decode (webhooks): products/create and products/update (Partial
//     beyond 100 variants, so the engine fetches the rest),
//     products/delete, orders/create, orders/updated, orders/cancelled,
//     orders/paid, orders/fulfilled, orders/partially_fulfilled and
//     orders/delete. Order payloads do not say where Shopify assigned a
//     web order's fulfilment, so web order changes are Partial and the
//     engine reads the order: one extra query per web order webhook
//     (none with Config.SkipFulfillmentLocations, and none for a
//     redelivery of a version already applied). Both paths translate the
//     same shop data into the same shop-neutral values; ids are GIDs
//     ("gid://shopify/Order/1"). Shopify signs a delivery's body, not its
//     topic: a body under products/delete or orders/delete that carries
//     more than the deleted id (another topic's body, replayed) is an
//     invalid payload, parked by the engine; and the engine asks the shop
//     before it applies any deletion.
//   - CustomsAndCosts: HS codes (also per country), country and
//     province of origin and unit cost of every inventory item with a SKU,
//     paged below the bulk threshold and through a bulk export of the
//     inventory items from it on.
//
// The connector offers no [wmssync.SalesSource]: for the sales history
// the engine adds up the lines of the orders Orders lists by creation
// time, in the shop's time zone, leaving out POS sales it records live
// and POS sales when POS is off, which a connector cannot know about. The
// connector makes that cheap with the bulk export of long ranges.
//
// The engine, not the connector, maps the vendor to brand or supplier,
// sets the main shop flag, maps locations to warehouses and decides what
// POS orders do; the connector reports the raw
// vendor, locations and POS flag.
//
// # Cursors and crashes
//
// Every listing cursor is a self-contained string ("page:..." with the API
// cursor, "bulk:..." with the bulk operation ids and the number of entries
// handed out), so the engine can persist it and resume in another process:
// a bulk cursor reopens the finished export (Shopify keeps results for a
// week) and skips what was applied. A cursor Shopify can no longer continue
// returns an error matching [wmssync.ErrCursorExpired] and the engine starts
// over, which is safe because it applies idempotently.
//
// # Errors and secrets
//
// A refused token gives an error matching both [wmssync.ErrUnauthorized]
// and [shopify.ErrUnauthorized]; an unreachable address or one that is not a
// shop [wmssync.ErrUnreachable]; a payload that does not decode
// [wmssync.ErrInvalidPayload]. The connector never sees the token itself
// (the client holds it), so no error, log line or %v output of the
// connector can show it.
//
// # Concurrency
//
// A Connector is safe for concurrent use. It keeps open bulk exports in
// memory between pages (released when the export has been handed out, or
// by [Connector.Close]).
//
// # Shopify API calls of its own
//
// The connector's queries live in graphql/*.graphql (products with variants,
// weights and stock, listed and looked up by id through one shared
// fragment; orders with lines, addresses and fulfilment locations
// (listed, and looked up by id, through one shared fragment), counts,
// inventory items with customs data, and the bulk exports), embedded and
// validated against the Admin schema like the shopify package's own
// documents. An orders query requests at most 800 cost points: 9 orders
// per query with fulfilment locations (20 lines and 5 fulfilment orders
// each; the rest of a longer order is read separately), 11 without.
package connector
