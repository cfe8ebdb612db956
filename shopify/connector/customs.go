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
	l, err := c.openItemListing(ctx, cursor, "inventory items", opBulkInventoryItems, pagedPerItem, 1)
	if err != nil {
		return page, err
	}
	if l.bulk != "" {
		return bulkPage(ctx, c, l.bulk, c.cfg.BulkPageSize, bulkItem)
	}
	after, total := l.after, l.total
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
	page.Next, err = l.next(out.Items.PageInfo)
	return page, err
}

// itemListing is how a listing of the shop's inventory items goes on from
// a cursor: a bulk export's cursor, or the API cursor after which the next
// page starts, with the shop's variant count.
type itemListing struct {
	bulk  string
	after string
	total int64
}

// openItemListing decides how a listing of inventory items continues
// from cursor. On the first page it counts the variants and, when the
// estimate favours it (or Config.BulkThreshold says so), starts the bulk
// export doc (named what in logs); pagedPoints and exportRows are a
// variant's cost when paging and its rows in the export. A bulk cursor
// goes on as it is; a page cursor ("page:<total>|<API cursor>") is parsed.
func (c *Connector) openItemListing(ctx context.Context, cursor, what, doc string, pagedPoints, exportRows int64) (itemListing, error) {
	l := itemListing{total: -1}
	switch {
	case cursor == "":
		n, err := c.count(ctx, opVariantsCount, "connectorVariantsCount", "productVariantsCount", "")
		if err != nil {
			return l, err
		}
		l.total = n
		if c.cfg.BulkThreshold >= 0 {
			products, err := c.count(ctx, opProductsCount, "connectorProductsCount", "productsCount", "")
			if err != nil {
				return l, err
			}
			if c.useBulk(products, float64(n*pagedPoints), float64(n*exportRows)) {
				l.bulk, err = c.startBulk(ctx, what, doc, "", false, l.total)
				return l, err
			}
		}
	case strings.HasPrefix(cursor, bulkPrefix):
		l.bulk = cursor
	default:
		parts, err := splitCursor(cursor, pagePrefix, 2)
		if err != nil {
			return l, err
		}
		if l.total, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return l, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		l.after = parts[1]
	}
	return l, nil
}

// next returns the cursor of the page after the one read with l and
// ending at pi ("" at the end).
func (l itemListing) next(pi shopify.PageInfo) (string, error) {
	if !pi.HasNextPage {
		return "", nil
	}
	if pi.EndCursor == "" || pi.EndCursor == l.after {
		return "", fmt.Errorf("shopify/connector: inventory items cursor does not advance")
	}
	return pagePrefix + strconv.FormatInt(l.total, 10) + "|" + pi.EndCursor, nil
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
