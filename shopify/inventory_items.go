package shopify

import (
	"context"
	"time"
)

// InventoryItemsService reads and updates inventory items: the stock-keeping
// side of a variant (SKU, tracking, unit cost, customs data). Reads need
// read_inventory or read_products, writes write_inventory. Get is safe to
// retry; Update sets absolute values, so repeating it is harmless.
type InventoryItemsService struct{ client *Client }

// InventoryItem is the stock-keeping record behind a variant.
type InventoryItem struct {
	ID               string `json:"id"`
	SKU              string `json:"sku"`
	Tracked          bool   `json:"tracked"`
	RequiresShipping bool   `json:"requiresShipping"`
	// UnitCost is the cost per unit, nil when unset. (Read unitCost, write
	// cost: see InventoryItemUpdate.Cost.)
	UnitCost *Money `json:"unitCost"`
	// HarmonizedSystemCode is the default HS tariff code.
	HarmonizedSystemCode string `json:"harmonizedSystemCode"`
	// CountryCodeOfOrigin is ISO 3166-1 alpha-2; ProvinceCodeOfOrigin the
	// province within it.
	CountryCodeOfOrigin  string `json:"countryCodeOfOrigin"`
	ProvinceCodeOfOrigin string `json:"provinceCodeOfOrigin"`
	// CountryHarmonizedSystemCodes overrides the HS code per destination
	// country (filled by Get).
	CountryHarmonizedSystemCodes []CountryHSCode `json:"-"`
	UpdatedAt                    time.Time       `json:"updatedAt"`
	// Levels holds the item's inventory levels where a call fills them
	// (InventoryService.Levels, grouped bulk exports).
	Levels []InventoryLevel `json:"-"`
}

// CountryHSCode is an HS code for shipments to one country.
type CountryHSCode struct {
	CountryCode          string `json:"countryCode"`
	HarmonizedSystemCode string `json:"harmonizedSystemCode"`
}

type inventoryItemJSON struct {
	InventoryItem
	CountryHSCodes *Connection[CountryHSCode] `json:"countryHarmonizedSystemCodes"`
}

func (j *inventoryItemJSON) item() *InventoryItem {
	it := j.InventoryItem
	if j.CountryHSCodes != nil {
		it.CountryHarmonizedSystemCodes = j.CountryHSCodes.Nodes
	}
	return &it
}

// Get returns an inventory item by GID, or an error wrapping ErrNotFound.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/inventoryItem
func (s *InventoryItemsService) Get(ctx context.Context, id string) (*InventoryItem, error) {
	var out struct {
		I *inventoryItemJSON `json:"inventoryItem"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opInventoryItem, OperationName: "inventoryItem", Variables: map[string]any{"id": id}}, &out); err != nil {
		return nil, err
	}
	if out.I == nil {
		return nil, notFound("inventory item", id)
	}
	return out.I.item(), nil
}

// InventoryItemUpdate is the change Update applies. Nil fields are left
// unchanged.
type InventoryItemUpdate struct {
	// Cost is the unit cost in the shop's currency (written as "cost",
	// read back as UnitCost).
	Cost                 *Decimal
	HarmonizedSystemCode *string
	CountryCodeOfOrigin  *string
	ProvinceCodeOfOrigin *string
	// CountryHarmonizedSystemCodes, when non-nil, replaces the per-country
	// HS codes.
	CountryHarmonizedSystemCodes []CountryHSCode
	SKU                          *string
	Tracked                      *bool
}

func (u *InventoryItemUpdate) input() map[string]any {
	m := map[string]any{}
	if u.Cost != nil {
		m["cost"] = u.Cost.String()
	}
	if u.HarmonizedSystemCode != nil {
		m["harmonizedSystemCode"] = *u.HarmonizedSystemCode
	}
	if u.CountryCodeOfOrigin != nil {
		m["countryCodeOfOrigin"] = *u.CountryCodeOfOrigin
	}
	if u.ProvinceCodeOfOrigin != nil {
		m["provinceCodeOfOrigin"] = *u.ProvinceCodeOfOrigin
	}
	if u.CountryHarmonizedSystemCodes != nil {
		codes := make([]map[string]any, len(u.CountryHarmonizedSystemCodes))
		for i, c := range u.CountryHarmonizedSystemCodes {
			codes[i] = map[string]any{"countryCode": c.CountryCode, "harmonizedSystemCode": c.HarmonizedSystemCode}
		}
		m["countryHarmonizedSystemCodes"] = codes
	}
	if u.SKU != nil {
		m["sku"] = *u.SKU
	}
	if u.Tracked != nil {
		m["tracked"] = *u.Tracked
	}
	return m
}

// Update changes an inventory item's cost, customs data, SKU or tracking
// and returns the item as stored. Rejected input comes back as a
// *UserErrorsError.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/inventoryItemUpdate
func (s *InventoryItemsService) Update(ctx context.Context, id string, u InventoryItemUpdate) (*InventoryItem, error) {
	var out struct {
		P struct {
			Item       *inventoryItemJSON `json:"inventoryItem"`
			UserErrors []UserError        `json:"userErrors"`
		} `json:"inventoryItemUpdate"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opInventoryItemUpdate,
		OperationName: "inventoryItemUpdate",
		Variables:     map[string]any{"id": id, "input": u.input()},
	}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("inventoryItemUpdate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.Item == nil {
		return nil, notFound("inventory item", id)
	}
	return out.P.Item.item(), nil
}
