package connector

import (
	"context"
	"fmt"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// customsPage is the inventory items per customs and cost page.
const customsPage = 32

// CustomsAndCosts returns one page of customs information (HS code,
// per-country HS codes, country and province of origin) and unit costs,
// one entry per inventory item with a SKU, paging through the shop's
// inventory items in id order (S9). Page.Total is -1: Shopify has no count
// of inventory items. Needs read_inventory or read_products.
func (c *Connector) CustomsAndCosts(ctx context.Context, cursor string) (wmssync.Page[wmssync.ItemDetails], error) {
	var page wmssync.Page[wmssync.ItemDetails]
	after := ""
	if cursor != "" {
		parts, err := splitCursor(cursor, pagePrefix, 2)
		if err != nil {
			return page, err
		}
		after = parts[1]
	}
	vars := map[string]any{"first": customsPage}
	if after != "" {
		vars["after"] = after
	}
	var out struct {
		Items shopify.Connection[struct {
			ID       string `json:"id"`
			SKU      string `json:"sku"`
			UnitCost *struct {
				Amount shopify.Decimal `json:"amount"`
			} `json:"unitCost"`
			HarmonizedSystemCode         string                                     `json:"harmonizedSystemCode"`
			CountryCodeOfOrigin          string                                     `json:"countryCodeOfOrigin"`
			ProvinceCodeOfOrigin         string                                     `json:"provinceCodeOfOrigin"`
			CountryHarmonizedSystemCodes *shopify.Connection[shopify.CountryHSCode] `json:"countryHarmonizedSystemCodes"`
		}] `json:"inventoryItems"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opInventoryItems, OperationName: "connectorInventoryItems", Variables: vars}, &out); err != nil {
		return page, fmt.Errorf("shopify/connector: inventory items: %w", classify(ctx, err))
	}
	page.Total = -1
	for _, it := range out.Items.Nodes {
		if strings.TrimSpace(it.SKU) == "" {
			continue
		}
		d := wmssync.ItemDetails{SKU: it.SKU}
		d.Customs = wms.Customs{HSCode: it.HarmonizedSystemCode, CountryOfOrigin: it.CountryCodeOfOrigin, ProvinceOfOrigin: it.ProvinceCodeOfOrigin}
		if it.CountryHarmonizedSystemCodes != nil && len(it.CountryHarmonizedSystemCodes.Nodes) > 0 {
			d.Customs.CountryHSCodes = map[string]string{}
			for _, cc := range it.CountryHarmonizedSystemCodes.Nodes {
				d.Customs.CountryHSCodes[cc.CountryCode] = cc.HarmonizedSystemCode
			}
		}
		if it.UnitCost != nil {
			d.Cost = dec(it.UnitCost.Amount)
		}
		page.Items = append(page.Items, d)
	}
	if out.Items.PageInfo.HasNextPage {
		next := out.Items.PageInfo.EndCursor
		if next == "" || next == after {
			return page, fmt.Errorf("shopify/connector: inventory items cursor does not advance")
		}
		page.Next = pagePrefix + "-1|" + next
	}
	return page, nil
}
