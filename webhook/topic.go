package webhook

// Topic is a Shopify webhook topic as sent in the X-Shopify-Topic header,
// such as "orders/create".
type Topic string

// Topics the package knows, with the payload type each carries (package
// shopify). Shopify sends the REST-format resource for every topic, also for
// subscriptions made through GraphQL.
const (
	TopicOrdersCreate             Topic = "orders/create"              // *shopify.OrderPayload
	TopicOrdersUpdated            Topic = "orders/updated"             // *shopify.OrderPayload
	TopicOrdersCancelled          Topic = "orders/cancelled"           // *shopify.OrderPayload
	TopicOrdersPaid               Topic = "orders/paid"                // *shopify.OrderPayload
	TopicOrdersFulfilled          Topic = "orders/fulfilled"           // *shopify.OrderPayload
	TopicOrdersPartiallyFulfilled Topic = "orders/partially_fulfilled" // *shopify.OrderPayload
	TopicOrdersDelete             Topic = "orders/delete"              // *shopify.OrderDeletePayload (the id only)
	TopicOrdersEdited             Topic = "orders/edited"              // *shopify.OrderEditPayload
	TopicOrderTransactionsCreate  Topic = "order_transactions/create"  // *shopify.TransactionPayload
	TopicRefundsCreate            Topic = "refunds/create"             // *shopify.RefundPayload

	TopicProductsCreate Topic = "products/create" // *shopify.ProductPayload
	TopicProductsUpdate Topic = "products/update" // *shopify.ProductPayload (full data for the first 100 variants only)
	TopicProductsDelete Topic = "products/delete" // *shopify.ProductDeletePayload (the id only)

	TopicInventoryItemsCreate      Topic = "inventory_items/create"      // *shopify.InventoryItemPayload
	TopicInventoryItemsUpdate      Topic = "inventory_items/update"      // *shopify.InventoryItemPayload
	TopicInventoryItemsDelete      Topic = "inventory_items/delete"      // *shopify.InventoryItemPayload
	TopicInventoryLevelsConnect    Topic = "inventory_levels/connect"    // *shopify.InventoryLevelPayload
	TopicInventoryLevelsUpdate     Topic = "inventory_levels/update"     // *shopify.InventoryLevelPayload (available only, no on_hand)
	TopicInventoryLevelsDisconnect Topic = "inventory_levels/disconnect" // *shopify.InventoryLevelPayload

	TopicFulfillmentsCreate Topic = "fulfillments/create" // *shopify.FulfillmentPayload
	TopicFulfillmentsUpdate Topic = "fulfillments/update" // *shopify.FulfillmentPayload

	TopicAppUninstalled       Topic = "app/uninstalled"        // *shopify.ShopPayload
	TopicAppScopesUpdate      Topic = "app/scopes_update"      // *shopify.AppScopesUpdatePayload
	TopicShopUpdate           Topic = "shop/update"            // *shopify.ShopPayload
	TopicBulkOperationsFinish Topic = "bulk_operations/finish" // *shopify.BulkOperationFinishPayload

	// Mandatory compliance topics (subscribed through the app configuration
	// only; an invalid HMAC must be answered with 401, which Handler does).
	TopicCustomersDataRequest Topic = "customers/data_request" // *shopify.CustomersDataRequestPayload
	TopicCustomersRedact      Topic = "customers/redact"       // *shopify.CustomersRedactPayload
	TopicShopRedact           Topic = "shop/redact"            // *shopify.ShopRedactPayload
)

// KnownTopics returns the topics declared above, in a new slice.
func KnownTopics() []Topic {
	return []Topic{
		TopicOrdersCreate, TopicOrdersUpdated, TopicOrdersCancelled, TopicOrdersPaid,
		TopicOrdersFulfilled, TopicOrdersPartiallyFulfilled, TopicOrdersDelete, TopicOrdersEdited,
		TopicOrderTransactionsCreate, TopicRefundsCreate,
		TopicProductsCreate, TopicProductsUpdate, TopicProductsDelete,
		TopicInventoryItemsCreate, TopicInventoryItemsUpdate, TopicInventoryItemsDelete,
		TopicInventoryLevelsConnect, TopicInventoryLevelsUpdate, TopicInventoryLevelsDisconnect,
		TopicFulfillmentsCreate, TopicFulfillmentsUpdate,
		TopicAppUninstalled, TopicAppScopesUpdate, TopicShopUpdate, TopicBulkOperationsFinish,
		TopicCustomersDataRequest, TopicCustomersRedact, TopicShopRedact,
	}
}

// Known reports whether t is one of the topics declared in this package.
func (t Topic) Known() bool {
	for _, k := range KnownTopics() {
		if k == t {
			return true
		}
	}
	return false
}

// Compliance reports whether t is one of the mandatory compliance topics.
func (t Topic) Compliance() bool {
	return t == TopicCustomersDataRequest || t == TopicCustomersRedact || t == TopicShopRedact
}
