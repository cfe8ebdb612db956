package connector

import (
	"context"
	"fmt"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.StockLister = (*Connector)(nil)

// gqlStockItem is an inventory item with its available quantities.
type gqlStockItem struct {
	ID              string `json:"id"`
	SKU             string `json:"sku"`
	Tracked         bool   `json:"tracked"`
	InventoryLevels *struct {
		Nodes []gqlLevel `json:"nodes"`
	} `json:"inventoryLevels"`
}

// levels translates it: one target per location, none for an item without
// SKU or whose inventory the shop does not track.
func (it *gqlStockItem) levels(levels []gqlLevel) []wmssync.StockTarget {
	if strings.TrimSpace(it.SKU) == "" || !it.Tracked {
		return nil
	}
	var out []wmssync.StockTarget
	for _, l := range levels {
		for _, q := range l.Quantities {
			if q.Name == "available" {
				out = append(out, wmssync.StockTarget{SKU: it.SKU, InventoryItemID: it.ID, LocationID: l.Location.ID, Available: q.Quantity})
			}
		}
	}
	return out
}

// StockLevels implements [wmssync.StockLister]: the available quantity of
// every tracked inventory item with a SKU at each location that stocks it
// (at most Config.MaxLocations per item), addressed by inventory item and
// location GIDs. Like CustomsAndCosts it pages through the Admin API
// (connectorStockLevels), or reads a bulk export of the inventory items
// (connectorBulkStockLevels, Config.BulkPageSize items per page) when that
// is expected to be faster or from Config.BulkThreshold products, with the
// same cursor rules. Page.Total is the shop's variant count. Needs
// read_inventory.
func (c *Connector) StockLevels(ctx context.Context, cursor string) (wmssync.Page[wmssync.StockTarget], error) {
	var page wmssync.Page[wmssync.StockTarget]
	locs := c.locationCount(ctx)
	l, err := c.openItemListing(ctx, cursor, "stock levels", opBulkStockLevels, 3+3*locs, 1+locs)
	if err != nil {
		return page, err
	}
	if l.bulk != "" {
		return c.bulkStockLevels(ctx, l.bulk)
	}
	perItem := 3 + 3*c.cfg.MaxLocations
	vars := map[string]any{"first": max(1, min(shopify.MaxPageSize, productCostLimit/perItem)), "locations": c.cfg.MaxLocations}
	setOpt(vars, "after", l.after)
	var out struct {
		Items shopify.Connection[gqlStockItem] `json:"inventoryItems"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opStockLevels, OperationName: "connectorStockLevels", Variables: vars}, &out); err != nil {
		return page, fmt.Errorf("shopify/connector: stock levels: %w", classify(ctx, err))
	}
	page.Total = l.total
	for i := range out.Items.Nodes {
		it := &out.Items.Nodes[i]
		if it.InventoryLevels != nil {
			page.Items = append(page.Items, it.levels(it.InventoryLevels.Nodes)...)
		}
	}
	page.Next, err = l.next(out.Items.PageInfo)
	return page, err
}

// bulkStockLevels returns the page of the stock levels export at cursor.
func (c *Connector) bulkStockLevels(ctx context.Context, cursor string) (wmssync.Page[wmssync.StockTarget], error) {
	items, err := bulkPage(ctx, c, cursor, c.cfg.BulkPageSize, bulkStockItem)
	page := wmssync.Page[wmssync.StockTarget]{Next: items.Next, Total: items.Total}
	for _, lv := range items.Items {
		page.Items = append(page.Items, lv...)
	}
	return page, err
}

// bulkStockItem decodes one inventory item of the stock levels export
// with its levels.
func bulkStockItem(g shopify.BulkGroup, _ stockLookup) ([]wmssync.StockTarget, bool, error) {
	var it gqlStockItem
	if err := g.Root.Decode(&it); err != nil {
		return nil, false, fmt.Errorf("shopify/connector: stock levels export line %d: %w", g.Root.Line, err)
	}
	levels := make([]gqlLevel, 0, len(g.Descendants))
	for _, row := range g.Descendants {
		var l gqlLevel
		if err := row.Decode(&l); err != nil {
			return nil, false, fmt.Errorf("shopify/connector: stock levels export line %d: %w", row.Line, err)
		}
		levels = append(levels, l)
	}
	out := it.levels(levels)
	return out, len(out) > 0, nil
}
