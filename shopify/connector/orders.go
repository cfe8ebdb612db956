package connector

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

const (
	pageLines      = 20  // line items read with each order of a page
	moreLines      = 200 // line items per call for the rest of an order
	orderCostLimit = 800
)

// posAppName is the name of Shopify's Point of Sale app on orders.
const posAppName = "Point of Sale"

// posAppID is the REST app_id of Shopify's Point of Sale app.
const posAppID = 129785

// Orders returns one page of orders matching q, oldest first by the time q
// filters on, each with all its lines. Without read_all_orders Shopify lists
// only the last 60 days of orders.
//
// A listing of the orders created since a time more than
// Config.BulkOrderDays ago (the sales history import) reads them with a bulk
// export and hands them out Config.BulkPageSize at a time, with the cursor
// rules of [Connector.Products]; every other listing pages through the API.
//
// Every order is complete: status (cancelled orders carry
// wms.OrderCancelled), POS flag, location, lines. See [Connector.Decode]
// for how orders are translated; both paths give the same wms.Order for
// the same state.
func (c *Connector) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	var page wmssync.Page[wmssync.Order]
	search, err := orderSearch(q)
	if err != nil {
		return page, err
	}
	total := int64(-1)
	after := ""
	switch {
	case cursor == "":
		if len(q.IDs) == 0 {
			if total, err = c.count(ctx, opOrdersCount, "connectorOrdersCount", "ordersCount", search); err != nil {
				return page, err
			}
		}
		if !q.CreatedSince.IsZero() && len(q.IDs) == 0 && q.UpdatedSince.IsZero() && c.cfg.BulkOrderDays > 0 &&
			time.Since(q.CreatedSince) > time.Duration(c.cfg.BulkOrderDays)*24*time.Hour {
			cur, err := c.startBulk(ctx, "orders", opBulkOrders, search, false, total)
			if err != nil {
				return page, err
			}
			return bulkPage(ctx, c, cur, c.cfg.BulkPageSize, bulkOrder)
		}
	case strings.HasPrefix(cursor, bulkPrefix):
		return bulkPage(ctx, c, cursor, c.cfg.BulkPageSize, bulkOrder)
	case strings.HasPrefix(cursor, pagePrefix):
		parts, err := splitCursor(cursor, pagePrefix, 2)
		if err != nil {
			return page, err
		}
		if total, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
			return page, fmt.Errorf("%w: malformed cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		after = parts[1]
	default:
		return page, fmt.Errorf("%w: %q is not an orders cursor of this connector", wmssync.ErrCursorExpired, cursor)
	}
	sortKey := "UPDATED_AT"
	if !q.CreatedSince.IsZero() {
		sortKey = "CREATED_AT"
	}
	first := max(1, orderCostLimit/(pageLines*3+10))
	vars := map[string]any{"first": first, "sortKey": sortKey, "lines": pageLines}
	setOpt(vars, "after", after)
	setOpt(vars, "query", search)
	var out struct {
		Orders shopify.Connection[gqlOrder] `json:"orders"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opOrders, OperationName: "connectorOrders", Variables: vars}, &out); err != nil {
		return page, fmt.Errorf("shopify/connector: orders: %w", classify(ctx, err))
	}
	for i := range out.Orders.Nodes {
		o := &out.Orders.Nodes[i]
		if o.LineItems != nil && o.LineItems.PageInfo.HasNextPage {
			if err := c.restOfLines(ctx, o); err != nil {
				return page, err
			}
		}
		page.Items = append(page.Items, o.order())
	}
	page.Total = total
	if out.Orders.PageInfo.HasNextPage {
		next := out.Orders.PageInfo.EndCursor
		if next == "" || next == after {
			return page, fmt.Errorf("shopify/connector: orders cursor does not advance")
		}
		page.Next = pagePrefix + strconv.FormatInt(total, 10) + "|" + next
	}
	return page, nil
}

// orderSearch builds the Shopify search for q. Long id lists are cut to
// what one search holds; the engine asks for few ids at a time.
func orderSearch(q wmssync.OrderQuery) (string, error) {
	var parts []string
	if !q.UpdatedSince.IsZero() {
		parts = append(parts, fmt.Sprintf("updated_at:>='%s'", q.UpdatedSince.UTC().Format(time.RFC3339)))
	}
	if !q.CreatedSince.IsZero() {
		parts = append(parts, fmt.Sprintf("created_at:>='%s'", q.CreatedSince.UTC().Format(time.RFC3339)))
	}
	if len(q.IDs) > 0 {
		ids := q.IDs
		if len(ids) > maxIDsPerQuery {
			return "", fmt.Errorf("shopify/connector: at most %d order ids per listing, got %d", maxIDsPerQuery, len(ids))
		}
		s, err := idSearch(ids, "Order")
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " AND "), nil
}

type gqlLineItem struct {
	ID                   string   `json:"id"`
	SKU                  string   `json:"sku"`
	Name                 string   `json:"name"`
	Quantity             int64    `json:"quantity"`
	CurrentQuantity      int64    `json:"currentQuantity"`
	OriginalUnitPriceSet gqlMoney `json:"originalUnitPriceSet"`
}

type gqlOrder struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Note        string     `json:"note"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	CancelledAt *time.Time `json:"cancelledAt"`
	SourceName  string     `json:"sourceName"`
	App         *struct {
		Name string `json:"name"`
	} `json:"app"`
	RetailLocation *struct {
		ID string `json:"id"`
	} `json:"retailLocation"`
	CurrencyCode    string   `json:"currencyCode"`
	TotalPriceSet   gqlMoney `json:"totalPriceSet"`
	ShippingAddress *struct {
		Name         string `json:"name"`
		Company      string `json:"company"`
		Address1     string `json:"address1"`
		Address2     string `json:"address2"`
		City         string `json:"city"`
		ProvinceCode string `json:"provinceCode"`
		Zip          string `json:"zip"`
		CountryCode  string `json:"countryCodeV2"`
		Phone        string `json:"phone"`
	} `json:"shippingAddress"`
	LineItems *shopify.Connection[gqlLineItem] `json:"lineItems"`
}

// IsPOS reports whether an order was sold at a point of sale: source "pos",
// a retail location, or Shopify's Point of Sale app.
func isPOS(sourceName, appName string, retailLocation bool) bool {
	return sourceName == "pos" || retailLocation || strings.EqualFold(appName, posAppName)
}

func (o *gqlOrder) order() wmssync.Order {
	var out wmssync.Order
	out.ExternalID = o.ID
	out.Name = o.Name
	out.Email = o.Email
	out.Note = o.Note
	out.Currency = o.CurrencyCode
	out.Total = dec(o.TotalPriceSet.ShopMoney.Amount)
	out.CreatedAt, out.UpdatedAt = o.CreatedAt, o.UpdatedAt
	out.Status = wms.OrderOpen
	if o.CancelledAt != nil {
		out.Status = wms.OrderCancelled
	}
	app := ""
	if o.App != nil {
		app = o.App.Name
	}
	out.POS = isPOS(o.SourceName, app, o.RetailLocation != nil)
	if o.RetailLocation != nil {
		out.LocationID = o.RetailLocation.ID
	}
	if a := o.ShippingAddress; a != nil {
		out.ShippingAddress = wms.Address{Name: a.Name, Company: a.Company, Address1: a.Address1, Address2: a.Address2,
			City: a.City, Province: a.ProvinceCode, Zip: a.Zip, CountryCode: a.CountryCode, Phone: a.Phone}
	}
	out.Lines = []wms.OrderLine{}
	if o.LineItems != nil {
		for _, li := range o.LineItems.Nodes {
			if l, ok := orderLine(li.ID, li.SKU, li.Name, li.CurrentQuantity, li.OriginalUnitPriceSet.ShopMoney.Amount); ok {
				out.Lines = append(out.Lines, l)
			}
		}
	}
	return out
}

// orderLine builds a WMS order line, leaving out lines the warehouse cannot
// ship: without a SKU (custom items, gift cards) or with nothing left after
// removals and refunds.
func orderLine(id, sku, title string, qty int64, price shopify.Decimal) (wms.OrderLine, bool) {
	if sku == "" || qty <= 0 || id == "" {
		return wms.OrderLine{}, false
	}
	return wms.OrderLine{ExternalID: id, SKU: sku, Title: title, Quantity: qty, Price: dec(price)}, true
}

// restOfLines reads the line items of o beyond the first page.
func (c *Connector) restOfLines(ctx context.Context, o *gqlOrder) error {
	after := o.LineItems.PageInfo.EndCursor
	for after != "" {
		var out struct {
			Order *struct {
				LineItems shopify.Connection[gqlLineItem] `json:"lineItems"`
			} `json:"order"`
		}
		vars := map[string]any{"id": o.ID, "first": moreLines, "after": after}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opOrderLineItems, OperationName: "connectorOrderLineItems", Variables: vars}, &out); err != nil {
			return fmt.Errorf("shopify/connector: line items of %s: %w", o.ID, classify(ctx, err))
		}
		if out.Order == nil {
			return nil
		}
		o.LineItems.Nodes = append(o.LineItems.Nodes, out.Order.LineItems.Nodes...)
		if !out.Order.LineItems.PageInfo.HasNextPage {
			return nil
		}
		next := out.Order.LineItems.PageInfo.EndCursor
		if next == after {
			return fmt.Errorf("shopify/connector: line items cursor of %s does not advance", o.ID)
		}
		after = next
	}
	return nil
}
