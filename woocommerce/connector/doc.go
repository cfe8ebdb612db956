// Package connector is WooCommerce in the sync engine's terms: a
// sync.Connector for one store with the optional capabilities
// sync.WebhookRegistrar and sync.Outbound, built on the woocommerce
// client.
//
//	client, _ := woocommerce.NewClient("https://shop.example", woocommerce.WithKeys(ck, cs))
//	conn, _ := connector.New(connector.Config{
//		Client: client, WebhookAddress: "https://wms.example/hooks", WebhookSecret: secret,
//	})
//
// # What it does
//
//   - Connection test (Inspect): site name and time zone, currency and
//     country, whether the store serves wc/v3, and what the key may do,
//     all without side effects (write permission is proven with an empty
//     batch, which WooCommerce checks and then does nothing with).
//     Features WooCommerce lacks are reported as not supported: point of
//     sale, customs information, cost prices, payment capture.
//   - Products with their variations; one synthetic stock location
//     (LocationID), since WooCommerce core keeps one stock figure per
//     product or variation. Barcodes are the GTIN field global_unique_id
//     (WooCommerce 9.2+).
//   - Orders by webhook (woowebhook.Source verifies them) and by the
//     reconciliation sweep, which WooCommerce stores need more than
//     others: WooCommerce never retries a failed delivery, merges quick
//     changes into one delivery and disables a webhook after seven
//     failures in a row. EnsureWebhooks, which the engine's audit calls,
//     re-activates disabled webhooks.
//   - Statuses: processing and completed orders are picked; pending,
//     on-hold and failed wait for payment; cancelled and fully refunded
//     orders are cancellations; checkout drafts are not orders yet.
//   - Sales history from the orders' lines (the engine adds them up).
//   - Outbound: stock (absolute, through the batch endpoints, at most 100
//     a call), GTINs, packed orders (a customer note with the tracking, or
//     an Order Fulfillment where the store has that beta feature, then
//     completed), refunds (recorded with api_refund=false, never twice).
//
// # Listings
//
// WooCommerce pages by offset, so a listing that runs while the store
// changes can skip an entry. The connector pages by key instead: it lists
// by modification time (then id) and continues after the last entry it
// handed out, which a self-contained cursor records.
package connector
