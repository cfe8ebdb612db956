package webhook

// Topic is a webhook topic in its shop system's own words, such as
// "orders/create" (Shopify) or "order.created" (WooCommerce). The packages
// of the shop systems declare theirs (package shopify/shopifywebhook has
// Shopify's, with the payload type of each).
type Topic string
