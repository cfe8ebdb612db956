package shopifywebhook

import "github.com/wmsbridge/wmsbridge/webhook"

// Topics Shopify delivers that the library has payload types for, with the
// payload type each carries (package shopify). Shopify sends the
// REST-format resource for every topic, also for subscriptions made through
// GraphQL.
const (
	TopicOrdersCreate             webhook.Topic = "orders/create"              // *shopify.OrderPayload
	TopicOrdersUpdated            webhook.Topic = "orders/updated"             // *shopify.OrderPayload
	TopicOrdersCancelled          webhook.Topic = "orders/cancelled"           // *shopify.OrderPayload
	TopicOrdersPaid               webhook.Topic = "orders/paid"                // *shopify.OrderPayload
	TopicOrdersFulfilled          webhook.Topic = "orders/fulfilled"           // *shopify.OrderPayload
	TopicOrdersPartiallyFulfilled webhook.Topic = "orders/partially_fulfilled" // *shopify.OrderPayload
	TopicOrdersDelete             webhook.Topic = "orders/delete"              // *shopify.OrderDeletePayload (the id only)
	TopicOrdersEdited             webhook.Topic = "orders/edited"              // *shopify.OrderEditPayload
	TopicOrderTransactionsCreate  webhook.Topic = "order_transactions/create"  // *shopify.TransactionPayload
	TopicRefundsCreate            webhook.Topic = "refunds/create"             // *shopify.RefundPayload

	TopicProductsCreate webhook.Topic = "products/create" // *shopify.ProductPayload
	TopicProductsUpdate webhook.Topic = "products/update" // *shopify.ProductPayload (full data for the first 100 variants only)
	TopicProductsDelete webhook.Topic = "products/delete" // *shopify.ProductDeletePayload (the id only)

	TopicInventoryItemsCreate      webhook.Topic = "inventory_items/create"      // *shopify.InventoryItemPayload
	TopicInventoryItemsUpdate      webhook.Topic = "inventory_items/update"      // *shopify.InventoryItemPayload
	TopicInventoryItemsDelete      webhook.Topic = "inventory_items/delete"      // *shopify.InventoryItemPayload
	TopicInventoryLevelsConnect    webhook.Topic = "inventory_levels/connect"    // *shopify.InventoryLevelPayload
	TopicInventoryLevelsUpdate     webhook.Topic = "inventory_levels/update"     // *shopify.InventoryLevelPayload (available only, no on_hand)
	TopicInventoryLevelsDisconnect webhook.Topic = "inventory_levels/disconnect" // *shopify.InventoryLevelPayload

	TopicFulfillmentsCreate webhook.Topic = "fulfillments/create" // *shopify.FulfillmentPayload
	TopicFulfillmentsUpdate webhook.Topic = "fulfillments/update" // *shopify.FulfillmentPayload

	TopicAppUninstalled       webhook.Topic = "app/uninstalled"        // *shopify.ShopPayload
	TopicAppScopesUpdate      webhook.Topic = "app/scopes_update"      // *shopify.AppScopesUpdatePayload
	TopicShopUpdate           webhook.Topic = "shop/update"            // *shopify.ShopPayload
	TopicBulkOperationsFinish webhook.Topic = "bulk_operations/finish" // *shopify.BulkOperationFinishPayload

	// Mandatory compliance topics (subscribed through the app configuration
	// only; an invalid HMAC must be answered with 401, which webhook.Handler
	// does).
	TopicCustomersDataRequest webhook.Topic = "customers/data_request" // *shopify.CustomersDataRequestPayload
	TopicCustomersRedact      webhook.Topic = "customers/redact"       // *shopify.CustomersRedactPayload
	TopicShopRedact           webhook.Topic = "shop/redact"            // *shopify.ShopRedactPayload
)

// KnownTopics returns the topics declared above, in a new slice.
func KnownTopics() []webhook.Topic {
	return []webhook.Topic{
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
func Known(t webhook.Topic) bool {
	for _, k := range KnownTopics() {
		if k == t {
			return true
		}
	}
	return false
}

// Compliance reports whether t is one of the mandatory compliance topics.
func Compliance(t webhook.Topic) bool {
	return t == TopicCustomersDataRequest || t == TopicCustomersRedact || t == TopicShopRedact
}
