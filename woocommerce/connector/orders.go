package connector

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

type order struct{ woocommerce.Order }

func (o order) key() (time.Time, int64) { return o.DateModifiedGMT.Time, o.ID }

type createdOrder struct{ woocommerce.Order }

func (o createdOrder) key() (time.Time, int64) { return o.DateCreatedGMT.Time, o.ID }

// StatusOf maps a WooCommerce order status to the WMS's; ok is false for
// orders the WMS never sees (checkout-draft: a checkout in progress).
//
//   - processing, completed (and statuses plugins add, such as shipped):
//     open, to be picked (completed: the WMS's own packing, or the
//     merchant's, already moved it on);
//   - pending, on-hold, failed: payment pending, held until paid;
//   - cancelled, refunded (a full refund): cancelled;
//   - trash: deleted.
func StatusOf(status string) (wms.OrderStatus, bool) {
	switch status {
	case woocommerce.StatusCheckoutDraft:
		return "", false
	case woocommerce.StatusPending, woocommerce.StatusOnHold, woocommerce.StatusFailed:
		return wms.OrderPaymentPending, true
	case woocommerce.StatusCancelled, woocommerce.StatusRefunded:
		return wms.OrderCancelled, true
	case woocommerce.StatusTrash:
		return wms.OrderDeleted, true
	}
	return wms.OrderOpen, true
}

// Orders returns one page of the store's orders, without checkout drafts
// and trashed orders; see [wmssync.Connector]. With q.UpdatedSince (the
// reconciliation sweep, which WooCommerce stores need: they never retry a
// failed webhook delivery) it lists by modification time, with
// q.CreatedSince (the sales history) by creation time, both paged by key
// as Products is. Every order is complete: WooCommerce orders carry all
// their lines.
func (c *Connector) Orders(ctx context.Context, q wmssync.OrderQuery, cur string) (wmssync.Page[wmssync.Order], error) {
	var out wmssync.Page[wmssync.Order]
	if len(q.IDs) > 0 {
		ids, _ := parseIDs(q.IDs)
		for chunk := range slices.Chunk(ids, perPage) {
			list, _, err := c.client.Orders().List(ctx, &woocommerce.OrderListOptions{
				ListOptions: woocommerce.ListOptions{PerPage: perPage}, Filter: woocommerce.Filter{Include: chunk, OrderBy: "id", Order: "asc"}})
			if err != nil {
				return out, fmt.Errorf("woocommerce/connector: read orders: %w", classify(ctx, err))
			}
			if err := c.appendOrders(&out, list); err != nil {
				return out, err
			}
		}
		out.Total = int64(len(out.Items))
		return out, nil
	}
	k, err := parseCursor(cur)
	if err != nil {
		return out, err
	}
	var list []woocommerce.Order
	var next cursor
	var done bool
	var total int64
	if !q.CreatedSince.IsZero() {
		var os []createdOrder
		os, next, done, total, err = keysetPage(ctx, k, q.CreatedSince, func(ctx context.Context, after time.Time, offset int) ([]createdOrder, *woocommerce.Response, error) {
			l, resp, err := c.client.Orders().List(ctx, &woocommerce.OrderListOptions{ListOptions: woocommerce.ListOptions{Offset: offset, PerPage: perPage},
				Filter: woocommerce.Filter{After: after, OrderBy: "date", Order: "asc"}})
			return wrap[createdOrder](l, func(o woocommerce.Order) createdOrder { return createdOrder{o} }), resp, err
		})
		for _, o := range os {
			list = append(list, o.Order)
		}
	} else {
		var os []order
		os, next, done, total, err = keysetPage(ctx, k, q.UpdatedSince, func(ctx context.Context, after time.Time, offset int) ([]order, *woocommerce.Response, error) {
			l, resp, err := c.client.Orders().List(ctx, &woocommerce.OrderListOptions{ListOptions: woocommerce.ListOptions{Offset: offset, PerPage: perPage},
				Filter: woocommerce.Filter{ModifiedAfter: after, OrderBy: "modified", Order: "asc"}})
			return wrap[order](l, func(o woocommerce.Order) order { return order{o} }), resp, err
		})
		for _, o := range os {
			list = append(list, o.Order)
		}
	}
	if err != nil {
		return out, fmt.Errorf("woocommerce/connector: list orders: %w", classify(ctx, err))
	}
	if err := c.appendOrders(&out, list); err != nil {
		return out, err
	}
	out.Total = -1
	if cur == "" {
		out.Total = total
	}
	if !done {
		out.Next = next.String()
	}
	return out, nil
}

func (c *Connector) appendOrders(out *wmssync.Page[wmssync.Order], list []woocommerce.Order) error {
	for _, o := range list {
		so, ok, err := toOrder(&o)
		if err != nil {
			return err
		}
		if ok {
			out.Items = append(out.Items, so)
		}
	}
	return nil
}

// toOrder translates an order; ok is false for a checkout draft. An order
// with a fractional quantity returns an error matching
// wmssync.ErrInvalidPayload.
func toOrder(o *woocommerce.Order) (wmssync.Order, bool, error) {
	status, ok := StatusOf(o.Status)
	if !ok {
		return wmssync.Order{}, false, nil
	}
	var out wmssync.Order
	out.ExternalID = strconv.FormatInt(o.ID, 10)
	out.Name = "#" + o.Number
	out.Status = status
	// WooCommerce POS sales (and plugins that say so) are over-the-counter
	// sales: never pick orders.
	out.POS = o.CreatedVia == "pos-rest-api"
	out.LocationID = LocationID
	out.Email = o.Billing.Email
	addr := o.Shipping
	if addr.Address1 == "" && addr.City == "" {
		addr = o.Billing
	}
	out.ShippingAddress = wms.Address{
		Name: strings.TrimSpace(addr.FirstName + " " + addr.LastName), Company: addr.Company,
		Address1: addr.Address1, Address2: addr.Address2, City: addr.City, Province: addr.State, Zip: addr.Postcode,
		CountryCode: addr.Country, Phone: cmpOr(addr.Phone, o.Billing.Phone),
	}
	out.Currency = o.Currency
	out.Total = wms.Decimal(o.Total)
	out.Note = o.CustomerNote
	out.CreatedAt = o.DateCreatedGMT.Time
	out.UpdatedAt = o.DateModifiedGMT.Time
	for _, l := range o.LineItems {
		q, err := l.Quantity.Int64()
		if err != nil {
			return out, false, fmt.Errorf("%w: order %d line %d: %w", wmssync.ErrInvalidPayload, o.ID, l.ID, err)
		}
		sku := ""
		if l.SKU != nil {
			sku = *l.SKU
		}
		out.Lines = append(out.Lines, wms.OrderLine{ExternalID: strconv.FormatInt(l.ID, 10), SKU: sku, Title: l.Name,
			Quantity: q, Price: wms.Decimal(l.Price)})
	}
	return out, true, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
