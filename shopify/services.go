package shopify

// The resource services. Each accessor returns a small value bound to the
// Client; services are safe for concurrent use because the Client is.
// Calling an accessor is cheap: keep the service or call it each time.

// ShopDetails returns the service for the shop's own details, the app's
// granted access scopes and the supported API versions (the building blocks
// of a connection test; Client.ShopInfo is the one-call minimum).
func (c *Client) ShopDetails() *ShopDetailsService { return &ShopDetailsService{client: c} }

// Locations returns the service for the shop's locations.
func (c *Client) Locations() *LocationsService { return &LocationsService{client: c} }

// Products returns the service for products and their variants.
func (c *Client) Products() *ProductsService { return &ProductsService{client: c} }

// InventoryItems returns the service for inventory items (cost, customs).
func (c *Client) InventoryItems() *InventoryItemsService {
	return &InventoryItemsService{client: c}
}

// Inventory returns the service for inventory levels and quantities.
func (c *Client) Inventory() *InventoryService { return &InventoryService{client: c} }

// Orders returns the service for orders.
func (c *Client) Orders() *OrdersService { return &OrdersService{client: c} }

// Fulfillments returns the service for fulfillments.
func (c *Client) Fulfillments() *FulfillmentsService { return &FulfillmentsService{client: c} }

// Payments returns the service for capturing and marking orders as paid.
func (c *Client) Payments() *PaymentsService { return &PaymentsService{client: c} }

// Refunds returns the service for refunds.
func (c *Client) Refunds() *RefundsService { return &RefundsService{client: c} }

// WebhookSubscriptions returns the service managing the app's webhook
// subscriptions on the shop.
func (c *Client) WebhookSubscriptions() *WebhookSubscriptionsService {
	return &WebhookSubscriptionsService{client: c}
}

// BulkOperations returns the bulk operation runner.
func (c *Client) BulkOperations() *BulkOperationsService {
	return &BulkOperationsService{client: c}
}

// NodeRef is a reference to another object by its global ID, as in
// "location { id }".
type NodeRef struct {
	ID string `json:"id"`
}

// optString sets an optional string variable, leaving it out when empty.
func optString(m map[string]any, key, v string) {
	if v != "" {
		m[key] = v
	}
}
