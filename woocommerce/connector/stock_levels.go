package connector

import (
	"context"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

var _ wmssync.StockLister = (*Connector)(nil)

// StockLevels implements [wmssync.StockLister]: the managed stock of every
// simple product and variation with a SKU at the store's one location
// (LocationID), addressed by product, variation and ItemID. WooCommerce
// reserves nothing before an order is placed, so stock_quantity is the
// figure the outbound stock message sets. It reads the product listing
// (see Products, with stock), so cursors are the listing's; a variation
// whose stock its parent manages has no level of its own and is left out.
func (c *Connector) StockLevels(ctx context.Context, cursor string) (wmssync.Page[wmssync.StockTarget], error) {
	pg, err := c.Products(ctx, wmssync.ProductQuery{Stock: true}, cursor)
	out := wmssync.Page[wmssync.StockTarget]{Next: pg.Next, Total: pg.Total}
	for _, p := range pg.Items {
		for _, st := range p.Stock {
			for _, v := range p.Variants {
				if v.SKU == st.SKU {
					out.Items = append(out.Items, wmssync.StockTarget{SKU: v.SKU, ProductID: p.ExternalID, VariantID: v.ExternalID,
						InventoryItemID: v.InventoryItemID, LocationID: st.LocationID, Available: st.OnHand})
					break
				}
			}
		}
	}
	return out, err
}
