package shopify

import "time"

// InventoryItemPayload is the REST-format inventory item sent for
// inventory_items/create, inventory_items/update and inventory_items/delete
// (delete carries only the ID, the GID and the customs fields).
type InventoryItemPayload struct {
	ID                           int64                  `json:"id"`
	AdminGraphQLAPIID            string                 `json:"admin_graphql_api_id" payload:"strict"`
	SKU                          string                 `json:"sku" payload:"strict"`
	Tracked                      bool                   `json:"tracked"`
	RequiresShipping             bool                   `json:"requires_shipping"`
	Cost                         Decimal                `json:"cost"`
	CountryCodeOfOrigin          string                 `json:"country_code_of_origin"`
	ProvinceCodeOfOrigin         string                 `json:"province_code_of_origin"`
	HarmonizedSystemCode         string                 `json:"harmonized_system_code"`
	CountryHarmonizedSystemCodes []PayloadCountryHSCode `json:"country_harmonized_system_codes"`
	WeightValue                  Decimal                `json:"weight_value"`
	WeightUnit                   string                 `json:"weight_unit"`
	CreatedAt                    time.Time              `json:"created_at"`
	UpdatedAt                    time.Time              `json:"updated_at"`
}

// PayloadCountryHSCode is a country-specific harmonized system code.
type PayloadCountryHSCode struct {
	CountryCode          string `json:"country_code"`
	HarmonizedSystemCode string `json:"harmonized_system_code"`
}

// InventoryLevelPayload is the REST-format inventory level sent for
// inventory_levels/connect, inventory_levels/update and
// inventory_levels/disconnect (disconnect carries only the two IDs).
//
// Available is the "available" quantity at the location. Shopify does not
// send on_hand (or any other quantity name) in this payload; fetch the
// level through the Admin API when you need it.
type InventoryLevelPayload struct {
	InventoryItemID   int64     `json:"inventory_item_id"`
	LocationID        int64     `json:"location_id"`
	Available         *int64    `json:"available"`
	UpdatedAt         time.Time `json:"updated_at"`
	AdminGraphQLAPIID string    `json:"admin_graphql_api_id" payload:"strict"`
}
