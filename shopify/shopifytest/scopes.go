package shopifytest

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Access scopes per operation, from the `requiredAccess` of Shopify's
// 2026-10 schema. Any one of the listed scopes suffices; write_X implies
// read_X.
var (
	scopeLocations    = []string{"read_locations", "read_inventory"}
	scopeProducts     = []string{"read_products"}
	scopeItems        = []string{"read_inventory", "read_products"}
	scopeInventory    = []string{"read_inventory"}
	scopeOrders       = []string{"read_orders"}
	scopeFulfillOrder = []string{"read_merchant_managed_fulfillment_orders", "read_assigned_fulfillment_orders", "read_third_party_fulfillment_orders", "read_marketplace_fulfillment_orders"}
	scopeWProducts    = []string{"write_products"}
	scopeWInventory   = []string{"write_inventory"}
	scopeWOrders      = []string{"write_orders"}
	scopeWFulfill     = []string{"write_merchant_managed_fulfillment_orders", "write_assigned_fulfillment_orders", "write_third_party_fulfillment_orders"}
)

// queryScopes maps root query fields to their required scopes.
var queryScopes = map[string][]string{
	"locations": scopeLocations, "location": scopeLocations, "locationsCount": scopeLocations,
	"fulfillment": scopeOrders, "refund": scopeOrders,
	"products": scopeProducts, "product": scopeProducts, "productsCount": scopeProducts,
	"productVariants": scopeProducts, "productVariant": scopeProducts, "productVariantsCount": scopeProducts,
	"productByIdentifier": scopeProducts, "productVariantByIdentifier": scopeProducts,
	"inventoryItems": scopeItems, "inventoryItem": scopeItems,
	"inventoryLevel": scopeInventory,
	"orders":         scopeOrders, "order": scopeOrders, "ordersCount": scopeOrders,
	"fulfillmentOrders": scopeFulfillOrder, "fulfillmentOrder": scopeFulfillOrder,
}

// mutationScopes maps mutations to their required scopes.
var mutationScopes = map[string][]string{
	"productVariantsBulkUpdate": scopeWProducts,
	"inventoryItemUpdate":       scopeWInventory, "inventorySetQuantities": scopeWInventory,
	"inventoryAdjustQuantities": scopeWInventory, "inventoryActivate": scopeWInventory,
	"orderCapture": scopeWOrders, "orderMarkAsPaid": scopeWOrders, "refundCreate": scopeWOrders,
	"orderCancel": scopeWOrders, "fulfillmentCreate": scopeWFulfill,
}

// typeScopes are the scopes needed to read a node of a type (node/nodes).
var typeScopes = map[string][]string{
	"Location": scopeLocations, "Product": scopeProducts, "ProductVariant": scopeProducts,
	"InventoryItem": scopeItems, "InventoryLevel": scopeInventory, "Order": scopeOrders,
	"FulfillmentOrder": scopeFulfillOrder, "Fulfillment": scopeOrders, "Refund": scopeOrders,
	"OrderTransaction": scopeOrders, "LineItem": scopeOrders,
}

// accessDenied is Shopify's ACCESS_DENIED field error.
func accessDenied(field string, scopes []string) *gqlerror.Error {
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = "`" + s + "`"
	}
	req := names[0] + " access scope"
	if len(names) > 1 {
		req = names[0] + " access scope. Also: " + strings.Join(names[1:], ", ") + " access scope"
	}
	req += "."
	return &gqlerror.Error{
		Message: fmt.Sprintf("Access denied for %s field. Required access: %s", field, req),
		Extensions: map[string]any{
			"code":           "ACCESS_DENIED",
			"documentation":  "https://shopify.dev/api/usage/access-scopes",
			"requiredAccess": req,
		},
	}
}

// requireScope returns ACCESS_DENIED unless one of scopes is granted.
// Callers hold s.mu.
func (s *Shop) requireScope(field string, scopes []string) error {
	if len(scopes) == 0 || s.hasScope(scopes...) {
		return nil
	}
	return accessDenied(field, scopes)
}
