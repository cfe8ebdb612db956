package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	pageFOs        = 5   // fulfilment orders read with each order
	moreFOs        = 50  // fulfilment orders per call for the rest of an order
	orderCostLimit = 800 // requested cost of one orders query, at most
)

// orderCost is the requested cost of one order as connectorOrders and
// connectorOrdersByID select it: the order, app, retail location, shipping
// address and total (2) are 6 points, each connection 2 plus 3 per node
// (node, price set, shop money; fulfilment order, assigned location,
// location). Without locations the fulfilment orders are not selected.
func orderCost(locations bool) int {
	c := 6 + 2 + 3*pageLines
	if locations {
		c += 2 + 3*pageFOs
	}
	return c
}

// ordersPerQuery is how many orders one query reads within orderCostLimit
// (the orders connection itself costs 2): 11 without locations, 9 with.
func ordersPerQuery(locations bool) int {
	return max(1, (orderCostLimit-2)/orderCost(locations))
}

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
// A lookup by q.IDs reads the orders by id (nodes(ids:), never the search
// index, which lags behind writes: a just-created order is always found),
// in the order of q.IDs, in one page without a cursor; unknown, deleted
// and malformed ids are left out, and UpdatedSince and CreatedSince, when
// also set, filter the result.
//
// Every order is complete: status (cancelled orders carry
// wms.OrderCancelled), POS flag, location, lines. The location of a POS
// sale is its retail location. The location of any other order is where
// Shopify assigned its fulfilment (unless
// Config.SkipFulfillmentLocations): the location of its first fulfilment
// order that is not closed or cancelled; when every one is closed or
// cancelled, the first one's; "" when it has none (nothing to ship) or
// they have no location. An order Shopify split across locations
// therefore carries one location, and goes whole to one warehouse.
// Fulfilment orders Shopify hides from the merchant (closed after a move
// or merge) are not considered. The bulk export (long sales-history
// listings) does not read fulfilment orders: its web orders carry no
// location, which the sales history does not use.
//
// See [Connector.Decode] for how webhook payloads are translated; both
// paths give the same wms.Order for the same state, except for the web
// order's location, which payloads lack (Decode marks such changes
// Partial so the engine reads the order here).
func (c *Connector) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	var page wmssync.Page[wmssync.Order]
	if len(q.IDs) > 0 {
		if cursor != "" {
			return page, fmt.Errorf("%w: a lookup by ids has one page, got cursor %q", wmssync.ErrCursorExpired, cursor)
		}
		return c.ordersByID(ctx, q)
	}
	search, err := orderSearch(q)
	if err != nil {
		return page, err
	}
	total := int64(-1)
	after := ""
	switch {
	case cursor == "":
		if total, err = c.count(ctx, opOrdersCount, "connectorOrdersCount", "ordersCount", search); err != nil {
			return page, err
		}
		if !q.CreatedSince.IsZero() && q.UpdatedSince.IsZero() && c.cfg.BulkOrderDays > 0 &&
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
	vars := c.orderVars()
	vars["first"], vars["sortKey"] = ordersPerQuery(c.locations()), sortKey
	setOpt(vars, "after", after)
	setOpt(vars, "query", search)
	var out struct {
		Orders shopify.Connection[gqlOrder] `json:"orders"`
	}
	if _, err := c.client.Do(ctx, &shopify.Request{Query: opOrders, OperationName: "connectorOrders", Variables: vars}, &out); err != nil {
		return page, c.ordersError(ctx, "orders", err)
	}
	for i := range out.Orders.Nodes {
		o, err := c.complete(ctx, &out.Orders.Nodes[i])
		if err != nil {
			return page, err
		}
		page.Items = append(page.Items, o)
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

// orderSearch builds the Shopify search of a listing (lookups by id do not
// search, see ordersByID).
func orderSearch(q wmssync.OrderQuery) (string, error) {
	var parts []string
	if !q.UpdatedSince.IsZero() {
		parts = append(parts, fmt.Sprintf("updated_at:>='%s'", q.UpdatedSince.UTC().Format(time.RFC3339)))
	}
	if !q.CreatedSince.IsZero() {
		parts = append(parts, fmt.Sprintf("created_at:>='%s'", q.CreatedSince.UTC().Format(time.RFC3339)))
	}
	return strings.Join(parts, " AND "), nil
}

// locations reports whether the connector reads where web orders are
// fulfilled (Config.SkipFulfillmentLocations not set).
func (c *Connector) locations() bool { return !c.cfg.SkipFulfillmentLocations }

// orderVars are the variables the ConnectorOrder fragment uses.
func (c *Connector) orderVars() map[string]any {
	return map[string]any{"lines": pageLines, "fulfillmentOrders": pageFOs, "locations": c.locations()}
}

// ordersError wraps an error of an order query. Reading fulfilment orders
// needs scopes of their own: a refusal names them and the opt-out.
func (c *Connector) ordersError(ctx context.Context, what string, err error) error {
	if c.locations() && errors.Is(err, shopify.ErrAccessDenied) {
		return fmt.Errorf("shopify/connector: %s: reading where web orders are fulfilled needs the read_merchant_managed_fulfillment_orders "+
			"and read_third_party_fulfillment_orders scopes (or set Config.SkipFulfillmentLocations): %w", what, classify(ctx, err))
	}
	return fmt.Errorf("shopify/connector: %s: %w", what, classify(ctx, err))
}

// ordersByID reads the orders q.IDs names with nodes(ids:), a few at a
// time (the query's cost grows with the number of ids), in the order of
// q.IDs.
func (c *Connector) ordersByID(ctx context.Context, q wmssync.OrderQuery) (wmssync.Page[wmssync.Order], error) {
	page := wmssync.Page[wmssync.Order]{Items: []wmssync.Order{}}
	if len(q.IDs) > maxIDsPerQuery {
		return page, fmt.Errorf("shopify/connector: at most %d order ids per lookup, got %d", maxIDsPerQuery, len(q.IDs))
	}
	var gids []string
	for _, id := range q.IDs {
		n, err := legacyID(id, "Order")
		if err != nil {
			continue // not an order id: left out, like an unknown one
		}
		if g := shopify.GID("Order", n); !slices.Contains(gids, g) {
			gids = append(gids, g)
		}
	}
	for chunk := range slices.Chunk(gids, ordersPerQuery(c.locations())) {
		vars := c.orderVars()
		vars["ids"] = chunk
		var out struct {
			Nodes []*gqlOrder `json:"nodes"`
		}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opOrdersByID, OperationName: "connectorOrdersByID", Variables: vars}, &out); err != nil {
			return page, c.ordersError(ctx, "orders by id", err)
		}
		for _, g := range out.Nodes {
			if g == nil || g.ID == "" { // unknown or deleted (or not an order)
				continue
			}
			o, err := c.complete(ctx, g)
			if err != nil {
				return page, err
			}
			if (!q.UpdatedSince.IsZero() && o.UpdatedAt.Before(q.UpdatedSince)) ||
				(!q.CreatedSince.IsZero() && o.CreatedAt.Before(q.CreatedSince)) {
				continue
			}
			page.Items = append(page.Items, o)
		}
	}
	page.Total = int64(len(page.Items))
	return page, nil
}

// complete reads what one query left of o (lines, fulfilment orders
// beyond the first page) and translates it.
func (c *Connector) complete(ctx context.Context, o *gqlOrder) (wmssync.Order, error) {
	if o.LineItems != nil && o.LineItems.PageInfo.HasNextPage {
		if err := c.restOfLines(ctx, o); err != nil {
			return wmssync.Order{}, err
		}
	}
	if o.FulfillmentOrders != nil && o.FulfillmentOrders.PageInfo.HasNextPage && o.RetailLocation == nil &&
		!hasOpenFO(o.FulfillmentOrders.Nodes) {
		if err := c.restOfFOs(ctx, o); err != nil {
			return wmssync.Order{}, err
		}
	}
	return o.order(), nil
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
	// FinancialStatus is displayFinancialStatus, such as "PENDING".
	FinancialStatus string `json:"displayFinancialStatus"`
	SourceName      string `json:"sourceName"`
	App             *struct {
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
	LineItems         *shopify.Connection[gqlLineItem]         `json:"lineItems"`
	FulfillmentOrders *shopify.Connection[gqlFulfillmentOrder] `json:"fulfillmentOrders"`
}

// gqlFulfillmentOrder is a fulfilment order as the order queries select
// it: its status and the location it is assigned to.
type gqlFulfillmentOrder struct {
	Status           string `json:"status"`
	AssignedLocation struct {
		Location *struct {
			ID string `json:"id"`
		} `json:"location"`
	} `json:"assignedLocation"`
}

func (f *gqlFulfillmentOrder) locationID() string {
	if f.AssignedLocation.Location == nil {
		return ""
	}
	return f.AssignedLocation.Location.ID
}

// done reports whether nothing is left to fulfil in f.
func (f *gqlFulfillmentOrder) done() bool { return f.Status == "CLOSED" || f.Status == "CANCELLED" }

// hasOpenFO reports whether one of fos (with a location) is not closed or
// cancelled.
func hasOpenFO(fos []gqlFulfillmentOrder) bool {
	return slices.ContainsFunc(fos, func(f gqlFulfillmentOrder) bool { return !f.done() && f.locationID() != "" })
}

// fulfilmentLocation is where an order is to be fulfilled: the location of
// its first fulfilment order that is not closed or cancelled, else that of
// its first fulfilment order; "" without any (fulfilment orders without a
// location, such as one at a deleted location, are passed over).
func fulfilmentLocation(fos []gqlFulfillmentOrder) string {
	first := ""
	for i := range fos {
		id := fos[i].locationID()
		if id == "" {
			continue
		}
		if !fos[i].done() {
			return id
		}
		if first == "" {
			first = id
		}
	}
	return first
}

// orderStatus maps a Shopify order's state to the warehouse's: cancelled,
// payment pending (financial status pending: a manual payment, a bank
// transfer or an invoice not yet paid; nothing authorised), or open
// (authorised, paid, partially paid or refunded ...). financial is the
// GraphQL displayFinancialStatus ("PENDING") or the REST financial_status
// ("pending").
func orderStatus(cancelled bool, financial string) wms.OrderStatus {
	switch {
	case cancelled:
		return wms.OrderCancelled
	case strings.EqualFold(financial, "pending"):
		return wms.OrderPaymentPending
	}
	return wms.OrderOpen
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
	out.Status = orderStatus(o.CancelledAt != nil, o.FinancialStatus)
	app := ""
	if o.App != nil {
		app = o.App.Name
	}
	out.POS = isPOS(o.SourceName, app, o.RetailLocation != nil)
	switch {
	case o.RetailLocation != nil:
		out.LocationID = o.RetailLocation.ID
	case o.FulfillmentOrders != nil: // selected unless Config.SkipFulfillmentLocations
		out.LocationID = fulfilmentLocation(o.FulfillmentOrders.Nodes)
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

// restOfFOs reads the fulfilment orders of o beyond the first page, until
// one is not closed or cancelled (the one whose location counts) or none
// are left.
func (c *Connector) restOfFOs(ctx context.Context, o *gqlOrder) error {
	after := o.FulfillmentOrders.PageInfo.EndCursor
	for after != "" {
		var out struct {
			Order *struct {
				FulfillmentOrders shopify.Connection[gqlFulfillmentOrder] `json:"fulfillmentOrders"`
			} `json:"order"`
		}
		vars := map[string]any{"id": o.ID, "first": moreFOs, "after": after}
		if _, err := c.client.Do(ctx, &shopify.Request{Query: opOrderFulfillmentOrders, OperationName: "connectorOrderFulfillmentOrders", Variables: vars}, &out); err != nil {
			return c.ordersError(ctx, "fulfilment orders of "+o.ID, err)
		}
		if out.Order == nil {
			return nil
		}
		fos := out.Order.FulfillmentOrders
		o.FulfillmentOrders.Nodes = append(o.FulfillmentOrders.Nodes, fos.Nodes...)
		if !fos.PageInfo.HasNextPage || hasOpenFO(fos.Nodes) {
			return nil
		}
		if fos.PageInfo.EndCursor == after {
			return fmt.Errorf("shopify/connector: fulfilment orders cursor of %s does not advance", o.ID)
		}
		after = fos.PageInfo.EndCursor
	}
	return nil
}
