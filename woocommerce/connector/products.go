package connector

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

type product struct{ woocommerce.Product }

func (p product) key() (time.Time, int64) { return p.DateModifiedGMT.Time, p.ID }

type variation struct{ woocommerce.Variation }

func (v variation) key() (time.Time, int64) { return v.DateModifiedGMT.Time, v.ID }

// Products returns one page of the store's products, with every variation
// of the variable ones, sorted by modification time; see
// [wmssync.Connector].
//
// The listing pages by (date_modified, id) rather than by WooCommerce's
// offset pages (see cursor), so products changed while it runs are handed
// out again later instead of pushing others out of it. A variable
// product's variations come from the cross-product variations listing
// (WooCommerce 10.3+) filtered by parent, or, where the store lacks it,
// from each product's own listing. Grouped and external products, which
// have no stock, are left out; so are products in the trash.
//
// With q.UpdatedSince the listing has a second phase: variations modified
// since then, whose parents are handed out whole (a variation's stock
// change does not touch its parent). q.IDs reads those products only.
// q.Stock adds each variant's managed stock at the store's one location
// (LocationID); a variation whose stock its parent manages has none of its
// own and is left out of the stock.
func (c *Connector) Products(ctx context.Context, q wmssync.ProductQuery, cur string) (wmssync.Page[wmssync.Product], error) {
	var out wmssync.Page[wmssync.Product]
	if len(q.IDs) > 0 {
		ids, err := parseIDs(q.IDs)
		if err != nil {
			return out, err
		}
		ps, err := c.productsByID(ctx, ids)
		if err != nil {
			return out, err
		}
		out.Items, err = c.complete(ctx, ps, q.Stock)
		out.Total = int64(len(out.Items))
		return out, err
	}
	k, err := parseCursor(cur)
	if err != nil {
		return out, err
	}
	if k.phase == "" {
		k.phase = "p"
	}
	switch k.phase {
	case "p":
		ps, next, done, total, err := keysetPage(ctx, k, q.UpdatedSince, func(ctx context.Context, after time.Time, offset int) ([]product, *woocommerce.Response, error) {
			opts := &woocommerce.ProductListOptions{ListOptions: woocommerce.ListOptions{Offset: offset, PerPage: perPage},
				Filter: woocommerce.Filter{ModifiedAfter: after, OrderBy: "modified", Order: "asc"}}
			list, resp, err := c.client.Products().List(ctx, opts)
			return wrap[product](list, func(p woocommerce.Product) product { return product{p} }), resp, err
		})
		if err != nil {
			return out, fmt.Errorf("woocommerce/connector: list products: %w", classify(ctx, err))
		}
		if out.Items, err = c.complete(ctx, unwrap(ps), q.Stock); err != nil {
			return out, err
		}
		if cur == "" {
			out.Total = total
		} else {
			out.Total = -1
		}
		switch {
		case !done:
			out.Next = next.String()
		case !q.UpdatedSince.IsZero():
			sf, err := c.storeFeatures(ctx)
			if err != nil {
				return out, err
			}
			if sf.variations {
				out.Next = cursor{phase: "v"}.String()
			}
		}
		return out, nil
	case "v":
		vs, next, done, _, err := keysetPage(ctx, k, q.UpdatedSince, func(ctx context.Context, after time.Time, offset int) ([]variation, *woocommerce.Response, error) {
			opts := &woocommerce.VariationListOptions{ListOptions: woocommerce.ListOptions{Offset: offset, PerPage: perPage},
				Filter: woocommerce.Filter{ModifiedAfter: after, OrderBy: "modified", Order: "asc"}}
			list, resp, err := c.client.Variations().ListAll(ctx, opts)
			return wrap[variation](list, func(v woocommerce.Variation) variation { return variation{v} }), resp, err
		})
		if err != nil {
			return out, fmt.Errorf("woocommerce/connector: list variations: %w", classify(ctx, err))
		}
		var parents []int64
		for _, v := range vs {
			if v.ParentID != 0 && !slices.Contains(parents, v.ParentID) {
				parents = append(parents, v.ParentID)
			}
		}
		ps, err := c.productsByID(ctx, parents)
		if err != nil {
			return out, err
		}
		if out.Items, err = c.complete(ctx, ps, q.Stock); err != nil {
			return out, err
		}
		out.Total = -1
		if !done {
			out.Next = next.String()
		}
		return out, nil
	}
	return out, fmt.Errorf("%w: unknown phase in %q", wmssync.ErrCursorExpired, cur)
}

func wrap[T any, S any](list []S, f func(S) T) []T {
	out := make([]T, len(list))
	for i, s := range list {
		out[i] = f(s)
	}
	return out
}

func unwrap(ps []product) []woocommerce.Product {
	out := make([]woocommerce.Product, len(ps))
	for i, p := range ps {
		out[i] = p.Product
	}
	return out
}

func parseIDs(ids []string) ([]int64, error) {
	out := make([]int64, 0, len(ids))
	for _, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			continue // not this store's id: left out, as an unknown id is
		}
		out = append(out, n)
	}
	return out, nil
}

// productsByID reads products by id, 100 at a time, leaving out unknown
// and trashed ones.
func (c *Connector) productsByID(ctx context.Context, ids []int64) ([]woocommerce.Product, error) {
	var out []woocommerce.Product
	for chunk := range slices.Chunk(ids, perPage) {
		list, _, err := c.client.Products().List(ctx, &woocommerce.ProductListOptions{
			ListOptions: woocommerce.ListOptions{PerPage: perPage}, Filter: woocommerce.Filter{Include: chunk, OrderBy: "id", Order: "asc"}})
		if err != nil {
			return nil, fmt.Errorf("woocommerce/connector: read products: %w", classify(ctx, err))
		}
		out = append(out, list...)
	}
	return out, nil
}

// complete reads the variations of the variable products among ps and
// translates every product the warehouse can stock.
func (c *Connector) complete(ctx context.Context, ps []woocommerce.Product, stock bool) ([]wmssync.Product, error) {
	var variable []int64
	for _, p := range ps {
		if p.Type == "variable" && len(p.Variations) > 0 {
			variable = append(variable, p.ID)
		}
	}
	vars, err := c.variationsOf(ctx, variable)
	if err != nil {
		return nil, err
	}
	out := make([]wmssync.Product, 0, len(ps))
	for _, p := range ps {
		if sp, ok := toProduct(p, vars[p.ID], stock, c.weightUnit()); ok {
			out = append(out, sp)
		}
	}
	return out, nil
}

// variationsOf reads the variations of the given products, by product.
func (c *Connector) variationsOf(ctx context.Context, parents []int64) (map[int64][]woocommerce.Variation, error) {
	out := map[int64][]woocommerce.Variation{}
	if len(parents) == 0 {
		return out, nil
	}
	sf, err := c.storeFeatures(ctx)
	if err != nil {
		return nil, err
	}
	if sf.variations && sf.parentFilter {
		ok, err := c.variationsByParent(ctx, parents, out)
		if err != nil {
			return nil, err
		}
		if ok {
			return out, nil
		}
		c.noParentFilter()
		c.log.WarnContext(ctx, "woocommerce connector: the variations listing ignores the parent filter; reading variations per product",
			"store", c.client.StoreURL())
		clear(out)
	}
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, c.cfg.VariationFetches)
	var wg sync.WaitGroup
	for _, pid := range parents {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			var vs []woocommerce.Variation
			for v, err := range c.client.Variations().All(ctx, pid, nil) {
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				vs = append(vs, v)
			}
			mu.Lock()
			out[pid] = vs
			mu.Unlock()
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, fmt.Errorf("woocommerce/connector: list variations: %w", classify(ctx, firstErr))
	}
	return out, nil
}

// variationsByParent reads the variations of parents through the
// cross-product listing's parent filter. It reports false when the store
// answered with variations of other products (the filter is not
// supported).
func (c *Connector) variationsByParent(ctx context.Context, parents []int64, out map[int64][]woocommerce.Variation) (bool, error) {
	want := map[int64]bool{}
	for _, p := range parents {
		want[p] = true
	}
	for chunk := range slices.Chunk(parents, perPage) {
		ids := make([]string, len(chunk))
		for i, id := range chunk {
			ids[i] = strconv.FormatInt(id, 10)
		}
		for page := 1; ; page++ {
			var list []woocommerce.Variation
			resp, err := c.client.Do(ctx, &woocommerce.Request{Path: "variations", Query: map[string][]string{
				"parent": {strings.Join(ids, ",")}, "per_page": {strconv.Itoa(perPage)}, "page": {strconv.Itoa(page)},
				"orderby": {"id"}, "order": {"asc"}}}, &list)
			if err != nil {
				return false, fmt.Errorf("woocommerce/connector: list variations: %w", classify(ctx, err))
			}
			for _, v := range list {
				if !want[v.ParentID] {
					return false, nil
				}
				out[v.ParentID] = append(out[v.ParentID], v)
			}
			if len(list) < perPage || (resp.TotalPages >= 0 && page >= resp.TotalPages) {
				break
			}
		}
	}
	return true, nil
}

// toProduct translates a product and its variations; ok is false for
// products the warehouse does not stock (grouped, external, trashed).
func toProduct(p woocommerce.Product, vars []woocommerce.Variation, stock bool, unit wms.WeightUnit) (wmssync.Product, bool) {
	switch p.Type {
	case "grouped", "external", "variation":
		return wmssync.Product{}, false
	}
	if p.Status == "trash" {
		return wmssync.Product{}, false
	}
	out := wmssync.Product{UpdatedAt: p.DateModifiedGMT.Time}
	out.ExternalID = strconv.FormatInt(p.ID, 10)
	out.Title = p.Name
	if len(p.Brands) > 0 {
		out.Vendor = p.Brands[0].Name
	}
	add := func(sku, id, item, title, gtin, weight string, price woocommerce.Decimal, ms woocommerce.ManageStock, qty *woocommerce.Number) {
		v := wms.Variant{SKU: sku, ExternalID: id, InventoryItemID: item, Title: title, Barcode: gtin, Price: wms.Decimal(price)}
		if w, err := wms.ParseDecimal(weight); err == nil && weight != "" {
			v.Weight = wms.Weight{Value: w, Unit: unit}
		}
		out.Variants = append(out.Variants, v)
		if stock && sku != "" && ms.On && !ms.ByParent && qty != nil {
			if n, err := qty.Int64(); err == nil {
				out.Stock = append(out.Stock, wmssync.LocationStock{SKU: sku, LocationID: LocationID, OnHand: n})
			}
		}
	}
	if p.Type == "variable" {
		slices.SortFunc(vars, func(a, b woocommerce.Variation) int {
			if a.MenuOrder != b.MenuOrder {
				return a.MenuOrder - b.MenuOrder
			}
			return int(a.ID - b.ID)
		})
		for _, v := range vars {
			if v.DateModifiedGMT.After(out.UpdatedAt) {
				out.UpdatedAt = v.DateModifiedGMT.Time
			}
			weight := v.Weight
			if weight == "" {
				weight = p.Weight
			}
			add(v.SKU, strconv.FormatInt(v.ID, 10), ItemID(p.ID, v.ID), variationTitle(v), v.GlobalUniqueID, weight, v.Price, v.ManageStock, v.StockQuantity)
		}
		return out, true
	}
	add(p.SKU, out.ExternalID, ItemID(p.ID, 0), "", p.GlobalUniqueID, p.Weight, p.Price, p.ManageStock, p.StockQuantity)
	return out, true
}

func variationTitle(v woocommerce.Variation) string {
	parts := make([]string, 0, len(v.Attributes))
	for _, a := range v.Attributes {
		parts = append(parts, a.Option)
	}
	return strings.Join(parts, " / ")
}

func (c *Connector) weightUnit() wms.WeightUnit { return weightUnit(c.cfg.WeightUnit) }

// weightUnit maps WooCommerce's weight unit setting.
func weightUnit(u string) wms.WeightUnit {
	switch u {
	case "g":
		return wms.Grams
	case "lbs":
		return wms.Pounds
	case "oz":
		return wms.Ounces
	}
	return wms.Kilograms
}

// ItemID is the InventoryItemID of a WooCommerce listing, what addresses
// its stock: the product's id ("42") for a simple product, the parent's
// and the variation's ids ("42/57") for a variation.
func ItemID(productID, variationID int64) string {
	if variationID == 0 {
		return strconv.FormatInt(productID, 10)
	}
	return strconv.FormatInt(productID, 10) + "/" + strconv.FormatInt(variationID, 10)
}

// parseItemID reverses ItemID.
func parseItemID(s string) (productID, variationID int64, ok bool) {
	p, v, hasV := strings.Cut(s, "/")
	pid, err := strconv.ParseInt(p, 10, 64)
	if err != nil || pid <= 0 {
		return 0, 0, false
	}
	if !hasV {
		return pid, 0, true
	}
	vid, err := strconv.ParseInt(v, 10, 64)
	if err != nil || vid <= 0 {
		return 0, 0, false
	}
	return pid, vid, true
}
