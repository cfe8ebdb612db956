package shopify

import _ "embed" // GraphQL documents

// The GraphQL documents of the resource services and the bulk runner. Each
// lives in graphql/<operationName>.graphql, one operation per file, and is
// validated against the Admin 2026-10 schema (no deprecated fields) by
// internal/adminschema's tests. Embedding them one variable per file makes a
// missing file a compile error.

var (
	//go:embed graphql/accessScopes.graphql
	opAccessScopes string
	//go:embed graphql/bulkInventoryLevelsExport.graphql
	opBulkInventoryLevelsExport string
	//go:embed graphql/bulkOperation.graphql
	opBulkOperation string
	//go:embed graphql/bulkOperationCancel.graphql
	opBulkOperationCancel string
	//go:embed graphql/bulkOperationRunQuery.graphql
	opBulkOperationRunQuery string
	//go:embed graphql/bulkOperations.graphql
	opBulkOperations string
	//go:embed graphql/bulkOrdersExport.graphql
	opBulkOrdersExport string
	//go:embed graphql/bulkProductsExport.graphql
	opBulkProductsExport string
	//go:embed graphql/fulfillment.graphql
	opFulfillment string
	//go:embed graphql/fulfillmentCreate.graphql
	opFulfillmentCreate string
	//go:embed graphql/fulfillmentOrderLineItems.graphql
	opFulfillmentOrderLineItems string
	//go:embed graphql/inventoryActivate.graphql
	opInventoryActivate string
	//go:embed graphql/inventoryItem.graphql
	opInventoryItem string
	//go:embed graphql/inventoryItemUpdate.graphql
	opInventoryItemUpdate string
	//go:embed graphql/inventoryLevels.graphql
	opInventoryLevels string
	//go:embed graphql/inventorySetQuantities.graphql
	opInventorySetQuantities string
	//go:embed graphql/location.graphql
	opLocation string
	//go:embed graphql/locations.graphql
	opLocations string
	//go:embed graphql/order.graphql
	opOrder string
	//go:embed graphql/orderCapture.graphql
	opOrderCapture string
	//go:embed graphql/orderFulfillmentOrders.graphql
	opOrderFulfillmentOrders string
	//go:embed graphql/orderMarkAsPaid.graphql
	opOrderMarkAsPaid string
	//go:embed graphql/orders.graphql
	opOrders string
	//go:embed graphql/product.graphql
	opProduct string
	//go:embed graphql/productVariants.graphql
	opProductVariants string
	//go:embed graphql/productVariantsBulkUpdate.graphql
	opProductVariantsBulkUpdate string
	//go:embed graphql/products.graphql
	opProducts string
	//go:embed graphql/publicApiVersions.graphql
	opPublicAPIVersions string
	//go:embed graphql/refundCreate.graphql
	opRefundCreate string
	//go:embed graphql/shopInfo.graphql
	opShopInfo string
	//go:embed graphql/webhookSubscriptionCreate.graphql
	opWebhookSubscriptionCreate string
	//go:embed graphql/webhookSubscriptionDelete.graphql
	opWebhookSubscriptionDelete string
	//go:embed graphql/webhookSubscriptionUpdate.graphql
	opWebhookSubscriptionUpdate string
	//go:embed graphql/webhookSubscriptions.graphql
	opWebhookSubscriptions string
)
