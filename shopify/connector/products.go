package connector

import (
	"context"
	"fmt"
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
	maxIDsPerQuery   = 50  // ids ORed into one search
)

// Products returns one page of products with all their variants, in
// ascending id order, and with q.Stock the on-hand stock of each variant
// per location.
//
// A full listing (no IDs, no UpdatedSince) counts the shop's products
// first: from Config.BulkThreshold products on it runs bulk exports (the
// products, and with q.Stock the inventory levels) and hands the result out
// Config.BulkPageSize products at a time; below it, and for every filtered
// listing, it pages through the Admin API. Page.Total is the count.
//
// Cursors: "page:..." carries the API cursor, "bulk:..." the bulk
// operation ids and the number of products already handed out. A bulk
// cursor resumes in a new process by reopening the finished export (Shopify
// keeps it for a week); one Shopify no longer has returns an error matching
// [wmssync.ErrCursorExpired].
func (c *Connector) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	switch {
	case cursor == "":
		full := len(q.IDs) == 0 && q.UpdatedSince.IsZero()
		search, err := productSearch(q)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
		total := int64(-1)
		if len(q.IDs) == 0 {
			n, err := c.count(ctx, opProductsCount, "connectorProductsCount", "productsCount", search)
			if err != nil {
				return wmssync.Page[wmssync.Product]{}, err
			}
			total = n
		}
		if full && c.cfg.BulkThreshold > 0 && total >= int64(c.cfg.BulkThreshold) {
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
		search, err := productSearch(q)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
		return c.productPage(ctx, q, search, parts[1], total)
	case strings.HasPrefix(cursor, bulkPrefix):
		return bulkPage(ctx, c, cursor, c.cfg.BulkPageSize, bulkProduct)
	}
	return wmssync.Page[wmssync.Product]{}, fmt.Errorf("%w: %q is not a products cursor of this connector", wmssync.ErrCursorExpired, cursor)
}

// productSearch builds the Shopify search for q.
func productSearch(q wmssync.ProductQuery) (string, error) {
	var parts []string
	if !q.UpdatedSince.IsZero() {
		parts = append(parts, fmt.Sprintf("updated_at:>='%s'", q.UpdatedSince.UTC().Format(time.RFC3339)))
	}
	if len(q.IDs) > 0 {
		ids, err := idSearch(q.IDs, "Product")
		if err != nil {
			return "", err
		}
		parts = append(parts, ids)
	}
	return strings.Join(parts, " AND "), nil
}

// idSearch turns GIDs (or legacy ids) into "(id:1 OR id:2)". Ids that are
// not of resource are ignored, as unknown ids are.
func idSearch(ids []string, resource string) (string, error) {
	var terms []string
	for _, id := range ids {
		n, err := legacyID(id, resource)
		if err != nil {
			continue
		}
		terms = append(terms, "id:"+strconv.FormatInt(n, 10))
	}
	if len(terms) == 0 {
		// No valid id: a search that matches nothing.
		return "id:0", nil
	}
	return "(" + strings.Join(terms, " OR ") + ")", nil
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

// productPage reads one page of products through the API.
func (c *Connector) productPage(ctx context.Context, q wmssync.ProductQuery, search, after string, total int64) (wmssync.Page[wmssync.Product], error) {
	var page wmssync.Page[wmssync.Product]
	first := max(1, productCostLimit/(pageVariants*4+6))
	if len(q.IDs) > 0 {
		// The ids of one query must fit one search; longer lists page.
		first = min(first, maxIDsPerQuery)
		if len(q.IDs) > maxIDsPerQuery {
			return c.productsByIDs(ctx, q)
		}
	}
	vars := map[string]any{"first": first, "variants": pageVariants}
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

// productsByIDs reads a long id list in chunks, as one page.
func (c *Connector) productsByIDs(ctx context.Context, q wmssync.ProductQuery) (wmssync.Page[wmssync.Product], error) {
	page := wmssync.Page[wmssync.Product]{Total: -1}
	for start := 0; start < len(q.IDs); start += maxIDsPerQuery {
		sub := q
		sub.IDs = q.IDs[start:min(start+maxIDsPerQuery, len(q.IDs))]
		search, err := productSearch(sub)
		if err != nil {
			return page, err
		}
		after := ""
		for {
			p, err := c.productPage(ctx, sub, search, after, -1)
			if err != nil {
				return page, err
			}
			page.Items = append(page.Items, p.Items...)
			if p.Next == "" {
				break
			}
			parts, _ := splitCursor(p.Next, pagePrefix, 2)
			after = parts[1]
		}
	}
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
	levels := make(map[string][]wmssync.LocationStock, len(ids))
	for start := 0; start < len(ids); start += chunk {
		var out struct {
			Nodes []*struct {
				ID              string `json:"id"`
				InventoryLevels *struct {
					Nodes []struct {
						Location struct {
							ID string `json:"id"`
						} `json:"location"`
						Quantities []struct {
							Name     string `json:"name"`
							Quantity int64  `json:"quantity"`
						} `json:"quantities"`
					} `json:"nodes"`
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
func stockOf(p wmssync.Product, levels map[string][]wmssync.LocationStock) []wmssync.LocationStock {
	var out []wmssync.LocationStock
	for _, v := range p.Variants {
		if v.SKU == "" {
			continue
		}
		for _, l := range levels[v.InventoryItemID] {
			l.SKU = v.SKU
			out = append(out, l)
		}
	}
	return out
}
