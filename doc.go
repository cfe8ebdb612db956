// Package wmsbridge is a Go SDK that warehouse management systems (WMS) embed
// to connect to web shops: Shopify first, other shop systems through the same
// sync engine.
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
//   - shopify: the Shopify Admin GraphQL API client (version 2026-10 by
//     default): cost-aware throttling shared by every goroutine of a shop,
//     retries, token sources, typed errors, pagination with iterators, and the
//     REST-format webhook payload types.
//   - shopify/shopifytest: a simulated Shopify for tests, examples and
//     benchmarks, in the style of net/http/httptest.
//   - webhook: signature verification, a net/http Handler that stores each
//     delivery durably before acknowledging it, and typed dispatch.
//   - wms: the warehouse side: a shop-neutral model and the small Backend
//     interface a host implements.
//   - sync: the engine that runs the setup steps, inbound processing,
//     reconciliation and the outbound outbox. Import it under another name,
//     for example wmssync, since it shares its name with the standard
//     library's sync.
//
// The packages land one issue at a time; README.md says which are ready.
package wmsbridge
