package connector

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Paging sizes, chosen so that a page's requested query cost stays well
// under Shopify's 1,000-point maximum per query.
const (
	pageVariants     = 10  // variants read with each product of a page
	moreVariants     = 200 // variants per call for the rest of a product
	productCostLimit = 800 // requested cost a products page aims under
	maxIDsPerQuery   = 50  // ids of one order lookup, at most

	// productCost is the requested cost of one product as the
	// ConnectorProduct fragment selects it: 4 points per variant read
	// with it (variant, inventory item, measurement, weight) plus 6.
	productCost = pageVariants*4 + 6
	// productsPerQuery is how many products one query reads, listed or
	// looked up by id, within productCostLimit: 17.
	productsPerQuery = max(1, productCostLimit/productCost)
)

// Products returns one page of products with all their variants, in
// ascending id order, and with q.Stock the on-hand stock of each variant
// per location.
//
// A full listing (no IDs, no UpdatedSince) counts the shop's products
// first. When a bulk export is expected to be faster than paging (by
// default estimated from the counts and the shop's rate limits; see
// Config.BulkThreshold and Config.BulkStartup) it runs bulk exports (the
// products, and with q.Stock the inventory levels) and hands the result out
// Config.BulkPageSize products at a time; otherwise, and for every filtered
// listing, it pages through the Admin API. Page.Total is the count.
//
// A lookup by q.IDs reads the products by id (nodes(ids:), never the
// search index, which lags behind writes: a product created a moment ago
// is always found), 17 per query like a listing page, each with all its
// variants, in ascending id order, in one page without a cursor (a cursor
// with IDs returns an error matching [wmssync.ErrCursorExpired]). Any
// number of ids may be given; repeated ids are read once; unknown,
// deleted and malformed ids and ids of other resources are left out
// without an error; UpdatedSince, when also set, filters the result.
// Page.Total is the number of products found.
//
// Cursors: "page:..." carries the API cursor, "bulk:..." the bulk
// operation ids and the number of products already handed out. A bulk
// cursor resumes in a new process by reopening the finished export (Shopify
// keeps it for a week); one Shopify no longer has returns an error matching
// [wmssync.ErrCursorExpired].
func (c *Connector) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	if len(q.IDs) > 0 {
		if cursor != "" {
			return wmssync.Page[wmssync.Product]{}, fmt.Errorf("%w: a lookup by ids has one page, got cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		return c.productsByID(ctx, q)
	}
	switch {
	case cursor == "":
		full := q.UpdatedSince.IsZero()
		search := productSearch(q)
		total, err := c.count(ctx, opProductsCount, "connectorProductsCount", "productsCount", search)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
		bulk := false
		if full {
			if bulk, err = c.productsInBulk(ctx, total, q.Stock); err != nil {
				return wmssync.Page[wmssync.Product]{}, err
			}
		}
		if bulk {
			cur, err := c.startBulk(ctx, "products", opBulkProducts, "", q.Stock, total)
			if err != nil {
				return wmssync.Page[wmssync.Product]{}, err
			}
			return bulkPage(ctx, c, cur, c.cfg.BulkPageSize, bulkProduct)
		}
		return c.productPage(ctx, q, search, "", total)
	case strings.HasPrefix(cursor, pagePrefix):
		parts, err := splitCursor(cursor, pagePrefix, 2)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
		total, err := strconv.ParseInt(parts[0], 10, 64)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		return c.productPage(ctx, q, productSearch(q), parts[1], total)
	case strings.HasPrefix(cursor, bulkPrefix):
		return bulkPage(ctx, c, cursor, c.cfg.BulkPageSize, bulkProduct)
	}
	return wmssync.Page[wmssync.Product]{}, fmt.Errorf("%w: %q is not a products cursor of this connector", wmssync.ErrCursorExpired, cursor)
}

// productsInBulk decides whether a full listing of products products
// reads a bulk export (see useBulk). Without a threshold it counts the
// variants (and, with stock, the locations) for the estimate.
func (c *Connector) productsInBulk(ctx context.Context, products int64, stock bool) (bool, error) {
	if c.cfg.BulkThreshold != 0 || products <= 0 {
		return c.useBulk(products, 0, 0), nil
	}
	variants, err := c.count(ctx, opVariantsCount, "connectorVariantsCount", "productVariantsCount", "")
	if err != nil {
		return false, err
	}
	variants = max(variants, products)
	points := float64(products*pagedPerProduct + variants*pagedPerVariant)
	rows := float64(products + variants)
	if stock {
		locs := c.locationCount(ctx)
		points += float64(variants * (pagedStockPerItem + locs*pagedStockPerLevel))
		rows += float64(variants * (1 + locs))
	}
	return c.useBulk(products, points, rows), nil
}

// productSearch builds the Shopify search of a listing: "" for a full
// listing (lookups by id do not search, see productsByID).
func productSearch(q wmssync.ProductQuery) string {
	if q.UpdatedSince.IsZero() {
		return ""
	}
	return fmt.Sprintf("updated_at:>='%s'", q.UpdatedSince.UTC().Format(time.RFC3339))
}

// legacyID accepts a GID of resource or a bare numeric id.
func legacyID(id, resource string) (int64, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil && n > 0 {
		return n, nil
	}
	return shopify.LegacyID(id, resource)
}

// count reads a *Count query's count.
func (c *Connector) count(ctx context.Context, doc, op, field, search string) (int64, error) {
	vars := map[string]any{}
	if search != "" {
		vars["query"] = search
	}
	var out map[string]*struct {
		Count int64 `json:"count"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: doc, OperationName: op, Variables: vars}, &out); err != nil {
		return 0, fmt.Errorf("shopify/connector: %s: %w", field, classify(ctx, err))
	}
	if v := out[field]; v != nil {
		return v.Count, nil
	}
	return -1, nil
}

type gqlProduct struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	Vendor        string    `json:"vendor"`
	UpdatedAt     time.Time `json:"updatedAt"`
	VariantsCount *struct {
		Count int `json:"count"`
	} `json:"variantsCount"`
	Variants *shopify.Connection[gqlVariant] `json:"variants"`
}

func (p *gqlProduct) product() wmssync.Product {
	out := wmssync.Product{Vendor: p.Vendor, UpdatedAt: p.UpdatedAt}
	out.ExternalID = p.ID
	out.Title = p.Title
	if p.Variants != nil {
		for i := range p.Variants.Nodes {
			out.Variants = append(out.Variants, p.Variants.Nodes[i].wms())
		}
	}
	return out
}

// productPage reads one page of a listing through the API.
func (c *Connector) productPage(ctx context.Context, q wmssync.ProductQuery, search, after string, total int64) (wmssync.Page[wmssync.Product], error) {
	var page wmssync.Page[wmssync.Product]
	vars := map[string]any{"first": productsPerQuery, "variants": pageVariants}
	setOpt(vars, "after", after)
	setOpt(vars, "query", search)
	var out struct {
		Products shopify.Connection[gqlProduct] `json:"products"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opProducts, OperationName: "connectorProducts", Variables: vars}, &out); err != nil {
		return page, fmt.Errorf("shopify/connector: products: %w", classify(ctx, err))
	}
	for i := range out.Products.Nodes {
		gp := &out.Products.Nodes[i]
		if gp.Variants != nil && gp.Variants.PageInfo.HasNextPage {
			if err := c.restOfVariants(ctx, gp); err != nil {
				return page, err
			}
		}
		page.Items = append(page.Items, gp.product())
	}
	if q.Stock {
		if err := c.addStock(ctx, page.Items); err != nil {
			return page, err
		}
	}
	page.Total = total
	if out.Products.PageInfo.HasNextPage {
		next := out.Products.PageInfo.EndCursor
		if next == "" || next == after {
			return page, fmt.Errorf("shopify/connector: products cursor does not advance")
		}
		page.Next = pagePrefix + strconv.FormatInt(total, 10) + "|" + next
	}
	return page, nil
}

// productsByID reads the products q.IDs names with nodes(ids:),
// productsPerQuery at a time (the query's cost grows with the number of
// ids, like a listing page's with its size), in ascending id order, each
// with all its variants (the rest of a product with more than
// pageVariants is read like a listed one's), and with q.Stock their stock.
func (c *Connector) productsByID(ctx context.Context, q wmssync.ProductQuery) (wmssync.Page[wmssync.Product], error) {
	page := wmssync.Page[wmssync.Product]{Items: []wmssync.Product{}}
	ns := make([]int64, 0, len(q.IDs))
	for _, id := range q.IDs {
		n, err := legacyID(id, "Product")
		if err != nil {
			continue // not a product id: left out, like an unknown one
		}
		ns = append(ns, n)
	}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	gids := make([]string, len(ns))
	for i, n := range ns {
		gids[i] = shopify.GID("Product", n)
	}
	for chunk := range slices.Chunk(gids, productsPerQuery) {
		var out struct {
			Nodes []*gqlProduct `json:"nodes"`
		}
		vars := map[string]any{"ids": chunk, "variants": pageVariants}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opProductsByID, OperationName: "connectorProductsByID", Variables: vars}, &out); err != nil {
			return page, fmt.Errorf("shopify/connector: products by id: %w", classify(ctx, err))
		}
		for _, gp := range out.Nodes {
			if gp == nil || gp.ID == "" { // unknown or deleted (or not a product)
				continue
			}
			if !q.UpdatedSince.IsZero() && gp.UpdatedAt.Before(q.UpdatedSince) {
				continue
			}
			if gp.Variants != nil && gp.Variants.PageInfo.HasNextPage {
				if err := c.restOfVariants(ctx, gp); err != nil {
					return page, err
				}
			}
			page.Items = append(page.Items, gp.product())
		}
	}
	if q.Stock {
		if err := c.addStock(ctx, page.Items); err != nil {
			return page, err
		}
	}
	page.Total = int64(len(page.Items))
	return page, nil
}

// restOfVariants reads the variants of gp beyond the first page.
func (c *Connector) restOfVariants(ctx context.Context, gp *gqlProduct) error {
	after := gp.Variants.PageInfo.EndCursor
	for after != "" {
		var out struct {
			Product *struct {
				Variants shopify.Connection[gqlVariant] `json:"variants"`
			} `json:"product"`
		}
		vars := map[string]any{"id": gp.ID, "first": moreVariants, "after": after}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opProductVariants, OperationName: "connectorProductVariants", Variables: vars}, &out); err != nil {
			return fmt.Errorf("shopify/connector: variants of %s: %w", gp.ID, classify(ctx, err))
		}
		if out.Product == nil {
			return nil // deleted meanwhile: keep what was read
		}
		gp.Variants.Nodes = append(gp.Variants.Nodes, out.Product.Variants.Nodes...)
		if !out.Product.Variants.PageInfo.HasNextPage {
			return nil
		}
		next := out.Product.Variants.PageInfo.EndCursor
		if next == after {
			return fmt.Errorf("shopify/connector: variants cursor of %s does not advance", gp.ID)
		}
		after = next
	}
	return nil
}

// addStock reads the on-hand stock per location of every variant of
// products (by inventory item) and fills Product.Stock.
func (c *Connector) addStock(ctx context.Context, products []wmssync.Product) error {
	var ids []string
	for _, p := range products {
		for _, v := range p.Variants {
			if v.InventoryItemID != "" && v.SKU != "" {
				ids = append(ids, v.InventoryItemID)
			}
		}
	}
	perItem := 3 + 3*c.cfg.MaxLocations
	chunk := max(1, min(shopify.MaxPageSize, productCostLimit/perItem))
	levels := make(stockMap, len(ids))
	for start := 0; start < len(ids); start += chunk {
		var out struct {
			Nodes []*struct {
				ID              string `json:"id"`
				InventoryLevels *struct {
					Nodes []gqlLevel `json:"nodes"`
				} `json:"inventoryLevels"`
			} `json:"nodes"`
		}
		vars := map[string]any{"ids": ids[start:min(start+chunk, len(ids))], "locations": c.cfg.MaxLocations}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opStock, OperationName: "connectorStock", Variables: vars}, &out); err != nil {
			return fmt.Errorf("shopify/connector: stock: %w", classify(ctx, err))
		}
		for _, n := range out.Nodes {
			if n == nil || n.InventoryLevels == nil {
				continue
			}
			for _, l := range n.InventoryLevels.Nodes {
				for _, qn := range l.Quantities {
					if qn.Name == "on_hand" {
						levels[n.ID] = append(levels[n.ID], wmssync.LocationStock{LocationID: l.Location.ID, OnHand: qn.Quantity})
					}
				}
			}
		}
	}
	for i := range products {
		products[i].Stock = stockOf(products[i], levels)
	}
	return nil
}

// stockOf returns the stock of p's variants from levels keyed by inventory
// item id.
func stockOf(p wmssync.Product, levels stockLookup) []wmssync.LocationStock {
	var out []wmssync.LocationStock
	for _, v := range p.Variants {
		if v.SKU == "" {
			continue
		}
		for _, l := range levels.levels(v.InventoryItemID) {
			l.SKU = v.SKU
			out = append(out, l)
		}
	}
	return out
}
