package connector

import _ "embed"

// The GraphQL documents of the connector, one operation per file, named like
// the file (internal/adminschema checks them against the Admin schema).
var (
	//go:embed graphql/connectorProducts.graphql
	opProducts string
	//go:embed graphql/connectorProductsByID.graphql
	opProductsByID string
	//go:embed graphql/connectorProductVariants.graphql
	opProductVariants string
	//go:embed graphql/connectorProductsCount.graphql
	opProductsCount string
	//go:embed graphql/connectorStock.graphql
	opStock string
	//go:embed graphql/connectorBulkProducts.graphql
	opBulkProducts string
	//go:embed graphql/connectorBulkStock.graphql
	opBulkStock string
	//go:embed graphql/connectorOrders.graphql
	opOrders string
	//go:embed graphql/connectorOrdersByID.graphql
	opOrdersByID string
	//go:embed graphql/connectorOrderLineItems.graphql
	opOrderLineItems string
	//go:embed graphql/connectorOrderFulfillmentOrders.graphql
	opOrderFulfillmentOrders string
	//go:embed graphql/connectorOrdersCount.graphql
	opOrdersCount string
	//go:embed graphql/connectorBulkOrders.graphql
	opBulkOrders string
	//go:embed graphql/connectorInventoryItems.graphql
	opInventoryItems string
	//go:embed graphql/connectorItemCountryCodes.graphql
	opItemCountryCodes string
	//go:embed graphql/connectorBulkInventoryItems.graphql
	opBulkInventoryItems string
	//go:embed graphql/connectorVariantsCount.graphql
	opVariantsCount string
	//go:embed graphql/connectorLocationsCount.graphql
	opLocationsCount string
	//go:embed graphql/connectorVariantBarcodes.graphql
	opVariantBarcodes string
	//go:embed graphql/connectorStockLevels.graphql
	opStockLevels string
	//go:embed graphql/connectorBulkStockLevels.graphql
	opBulkStockLevels string
)

// setOpt sets an optional GraphQL variable, leaving it out when empty (a
// first page has no cursor, an unfiltered listing no search).
func setOpt(vars map[string]any, key, v string) {
	if v != "" {
		vars[key] = v
	}
}
