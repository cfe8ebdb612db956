// Package wmsbridge is a Go SDK that warehouse management systems (WMS) embed
// to connect to web shops: Shopify and WooCommerce, and other shop systems
// through the same sync engine.
//
// A merchant connects a shop, tests the connection, imports products, customs
// information and cost prices, receives orders by webhook (held until stock
// exists, released when every line can be picked), imports sales history, and
// chooses which warehouse events go back to the shop: stock, barcodes,
// fulfilment and capture when an order is packed, payments, average cost and
// refunds.
//
// # Packages
//
// Shop-neutral, importing no shop system:
//
//   - sync: the engine that runs the setup steps, inbound processing,
//     reconciliation and the outbound outbox, for shops of any shop system
//     (sync.ShopSystem, sync.Connector). Import it under another name, for
//     example wmssync, since it shares its name with the standard library's
//     sync. Stores in sync/memstore and sync/store/...; kits in
//     sync/storetest (a store's contract) and sync/synctest (the engine's
//     end-to-end tests, for a connector).
//   - webhook: a net/http Handler that has each shop system's Source verify
//     a delivery and stores it durably before acknowledging it; signature
//     helpers; routing and dispatch.
//   - wms: the warehouse side: a shop-neutral model and the small Backend
//     interface a host implements (wms/memwms, the reference; wms/wmstest,
//     the kit).
//
// One shop system each:
//
//   - shopify: the Shopify Admin GraphQL API client (version 2026-10 by
//     default): cost-aware throttling shared by every goroutine of a shop,
//     retries, token sources, typed errors, pagination with iterators, and the
//     REST-format webhook payload types; shopify/shopifywebhook, its webhook
//     source; shopify/connector, Shopify in the engine's terms;
//     shopify/shopifytest, a simulated Shopify for tests, examples and
//     benchmarks, in the style of net/http/httptest.
//   - woocommerce: the same for WooCommerce (woocommerce/woowebhook,
//     woocommerce/connector, woocommerce/wootest).
//
// docs/connectors.md in the repository is the guide to adding a shop
// system.
//
// The packages land one issue at a time; README.md says which are ready.
package wmsbridge
