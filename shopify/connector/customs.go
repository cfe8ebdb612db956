package connector

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// customsPage is the inventory items per customs and cost page: each
// requests 9 points (the item, its unit cost, and 5 country codes on their
// connection; the rest of an item's codes are read separately), so a page
// requests 722, under productCostLimit. (It read 20 codes per item, 32
// items a page, before: 770 points requested for about 130 used, and the
// difference held back each page until the bucket had it.)
const customsPage = 80

// gqlItem is an inventory item with its customs data and cost.
type gqlItem struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	UnitCost *struct {
		Amount shopify.Decimal `json:"amount"`
	} `json:"unitCost"`
	HarmonizedSystemCode         string                                     `json:"harmonizedSystemCode"`
	CountryCodeOfOrigin          string                                     `json:"countryCodeOfOrigin"`
	ProvinceCodeOfOrigin         string                                     `json:"provinceCodeOfOrigin"`
	CountryHarmonizedSystemCodes *shopify.Connection[shopify.CountryHSCode] `json:"countryHarmonizedSystemCodes"`
}

// details translates an item; ok is false for an item without SKU.
func (it *gqlItem) details() (wmssync.ItemDetails, bool) {
	if strings.TrimSpace(it.SKU) == "" {
		return wmssync.ItemDetails{}, false
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
	return d, true
}

// CustomsAndCosts returns one page of customs information (HS code,
// per-country HS codes, country and province of origin) and unit costs,
// one entry per inventory item with a SKU. Like Products it pages
// through the Admin API, or reads a bulk export of the inventory items
// (Config.BulkPageSize items per page) when that is expected to be faster
// (or from Config.BulkThreshold products), with the same cursor rules. Page.Total is the shop's variant
// count. Needs read_inventory or read_products.
func (c *Connector) CustomsAndCosts(ctx context.Context, cursor string) (wmssync.Page[wmssync.ItemDetails], error) {
	var page wmssync.Page[wmssync.ItemDetails]
	after := ""
	total := int64(-1)
	switch {
	case cursor == "":
		n, err := c.count(ctx, opVariantsCount, "connectorVariantsCount", "productVariantsCount", "")
		if err != nil {
			return page, err
		}
		total = n
		if c.cfg.BulkThreshold >= 0 {
			products, err := c.count(ctx, opProductsCount, "connectorProductsCount", "productsCount", "")
			if err != nil {
				return page, err
			}
			if c.useBulk(products, float64(n*pagedPerItem), float64(n)) {
				cur, err := c.startBulk(ctx, "inventory items", opBulkInventoryItems, "", false, total)
				if err != nil {
					return page, err
				}
				return bulkPage(ctx, c, cur, c.cfg.BulkPageSize, bulkItem)
			}
		}
	case strings.HasPrefix(cursor, bulkPrefix):
		return bulkPage(ctx, c, cursor, c.cfg.BulkPageSize, bulkItem)
	default:
		parts, err := splitCursor(cursor, pagePrefix, 2)
		if err != nil {
			return page, err
		}
		if total, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return page, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		after = parts[1]
	}
	vars := map[string]any{"first": customsPage}
	setOpt(vars, "after", after)
	var out struct {
		Items shopify.Connection[gqlItem] `json:"inventoryItems"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opInventoryItems, OperationName: "connectorInventoryItems", Variables: vars}, &out); err != nil {
		return page, fmt.Errorf("shopify/connector: inventory items: %w", classify(ctx, err))
	}
	page.Total = total
	for i := range out.Items.Nodes {
		it := &out.Items.Nodes[i]
		if cc := it.CountryHarmonizedSystemCodes; cc != nil && cc.PageInfo.HasNextPage {
			if err := c.restOfCountryCodes(ctx, it); err != nil {
				return page, err
			}
		}
		if d, ok := it.details(); ok {
			page.Items = append(page.Items, d)
		}
	}
	if out.Items.PageInfo.HasNextPage {
		next := out.Items.PageInfo.EndCursor
		if next == "" || next == after {
			return page, fmt.Errorf("shopify/connector: inventory items cursor does not advance")
		}
		page.Next = pagePrefix + strconv.FormatInt(total, 10) + "|" + next
	}
	return page, nil
}

// restOfCountryCodes reads the per-country HS codes of it beyond those
// its page carried.
func (c *Connector) restOfCountryCodes(ctx context.Context, it *gqlItem) error {
	codes := it.CountryHarmonizedSystemCodes
	for codes.PageInfo.HasNextPage {
		after := codes.PageInfo.EndCursor
		var out struct {
			Item *struct {
				Codes shopify.Connection[shopify.CountryHSCode] `json:"countryHarmonizedSystemCodes"`
			} `json:"inventoryItem"`
		}
		vars := map[string]any{"id": it.ID, "after": after}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opItemCountryCodes, OperationName: "connectorItemCountryCodes", Variables: vars}, &out); err != nil {
			return fmt.Errorf("shopify/connector: country codes of %s: %w", it.ID, classify(ctx, err))
		}
		if out.Item == nil {
			return nil // deleted meanwhile: keep what the page had
		}
		codes.Nodes = append(codes.Nodes, out.Item.Codes.Nodes...)
		codes.PageInfo = out.Item.Codes.PageInfo
		if codes.PageInfo.HasNextPage && (codes.PageInfo.EndCursor == "" || codes.PageInfo.EndCursor == after) {
			return fmt.Errorf("shopify/connector: country codes cursor of %s does not advance", it.ID)
		}
	}
	return nil
}

// bulkItem assembles one inventory item of the inventory items export.
func bulkItem(g shopify.BulkGroup, _ stockLookup) (wmssync.ItemDetails, bool, error) {
	var it gqlItem
	if err := g.Root.Decode(&it); err != nil {
		return wmssync.ItemDetails{}, false, fmt.Errorf("shopify/connector: inventory items export line %d: %w", g.Root.Line, err)
	}
	codes := &shopify.Connection[shopify.CountryHSCode]{}
	for _, row := range g.Descendants {
		var cc shopify.CountryHSCode
		if err := row.Decode(&cc); err != nil {
			return wmssync.ItemDetails{}, false, fmt.Errorf("shopify/connector: inventory items export line %d: %w", row.Line, err)
		}
		codes.Nodes = append(codes.Nodes, cc)
	}
	it.CountryHarmonizedSystemCodes = codes
	d, ok := it.details()
	return d, ok, nil
}
