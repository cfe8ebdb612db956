package shopify

// NewWebhookPayload returns a pointer to a new zero value of the payload type
// that Shopify sends for a webhook topic such as "orders/create" (for example
// *OrderPayload), ready for json.Unmarshal. It returns nil for topics the
// library has no payload type for. Each call returns a fresh value, so it is
// safe for concurrent use.
func NewWebhookPayload(topic string) any {
	switch topic {
	case "orders/create", "orders/updated", "orders/cancelled", "orders/paid",
		"orders/fulfilled", "orders/partially_fulfilled":
		return new(OrderPayload)
	case "orders/delete":
		return new(OrderDeletePayload)
	case "orders/edited":
		return new(OrderEditPayload)
	case "order_transactions/create":
		return new(TransactionPayload)
	case "refunds/create":
		return new(RefundPayload)
	case "products/create", "products/update":
		return new(ProductPayload)
	case "products/delete":
		return new(ProductDeletePayload)
	case "inventory_items/create", "inventory_items/update", "inventory_items/delete":
		return new(InventoryItemPayload)
	case "inventory_levels/connect", "inventory_levels/update", "inventory_levels/disconnect":
		return new(InventoryLevelPayload)
	case "fulfillments/create", "fulfillments/update":
		return new(FulfillmentPayload)
	case "app/uninstalled", "shop/update":
		return new(ShopPayload)
	case "app/scopes_update":
		return new(AppScopesUpdatePayload)
	case "bulk_operations/finish":
		return new(BulkOperationFinishPayload)
	case "customers/data_request":
		return new(CustomersDataRequestPayload)
	case "customers/redact":
		return new(CustomersRedactPayload)
	case "shop/redact":
		return new(ShopRedactPayload)
	}
	return nil
}
