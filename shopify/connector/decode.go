package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Decode translates a webhook event into a [wmssync.Change]. It does no I/O.
//
//   - products/create, products/update: a ChangeProduct with the product's
//     variants; Partial when Shopify left variants out (beyond 100), so the
//     engine fetches the whole product. Product payloads carry no weights
//     since API 2024-07: a variant's Weight is then zero (unknown, not
//     zero grams); the backend keeps the weight it knows, and the engine
//     reads a product with a new SKU from the shop.
//   - products/delete: a ChangeProductDeleted.
//   - orders/create, orders/updated, orders/cancelled, orders/paid,
//     orders/fulfilled, orders/partially_fulfilled: a ChangeOrder with the
//     whole order (cancelled orders carry wms.OrderCancelled). The payload
//     of a web order does not say where Shopify assigned its fulfilment,
//     so a web order's change is Partial: the engine reads the order with
//     [Connector.Orders] (one query) before applying it. With
//     Config.SkipFulfillmentLocations it is not Partial and carries no
//     location. A POS sale carries its location and is never Partial.
//   - orders/delete: a ChangeOrderDeleted.
//   - app/uninstalled: a ChangeDisconnected; app/scopes_update: a
//     ChangeAccessChanged with the scopes granted now;
//     customers/data_request, customers/redact: a ChangeDataRequest or
//     ChangeRedactCustomer with the customer (id as a Customer GID, the
//     orders as Order GIDs); shop/redact: a ChangeRedactShop.
//   - every other topic: ChangeNone.
//
// IDs are GIDs ("gid://shopify/Order/123"), as the listings return them.
// The Change's version is the payload's updated_at with the delivery's
// triggered-at time (deletions carry only the latter). A payload that does
// not decode, or has no id, returns an error matching
// [wmssync.ErrInvalidPayload]; so does a body under a delete topic that
// carries more than the deleted id (a signed body of another topic
// replayed as a deletion: Shopify signs the body, not the topic), and a
// body under app/uninstalled, customers/data_request, customers/redact or
// shop/redact without that topic's own keys, or naming another shop than
// the delivery.
func (c *Connector) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	return decode(e, c.locations())
}

// Decode is [Connector.Decode] of a connector with the default Config
// (fulfilment locations read, so web order changes are Partial) without a
// connector: the translation needs no shop access.
func Decode(e *webhook.Event) (wmssync.Change, error) {
	return decode(e, true)
}

// decode is Decode; locations marks web order changes Partial.
func decode(e *webhook.Event, locations bool) (wmssync.Change, error) {
	switch e.Topic {
	case shopifywebhook.TopicProductsCreate, shopifywebhook.TopicProductsUpdate:
		var p shopify.ProductPayload
		if err := decodeBody(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		if p.ID == 0 {
			return wmssync.Change{}, invalid(e, "no product id")
		}
		prod := productFromPayload(&p)
		return wmssync.Change{
			Kind: wmssync.ChangeProduct, ID: prod.ExternalID, Version: webhook.VersionOf(e, p.UpdatedAt),
			Product: &prod, Partial: p.Truncated(),
		}, nil
	case shopifywebhook.TopicProductsDelete:
		var p shopify.ProductDeletePayload
		if err := decodeDeletion(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		if p.ID == 0 {
			return wmssync.Change{}, invalid(e, "no product id")
		}
		return wmssync.Change{Kind: wmssync.ChangeProductDeleted, ID: shopify.GID("Product", p.ID), Version: webhook.VersionOf(e, time.Time{})}, nil
	case shopifywebhook.TopicOrdersCreate, shopifywebhook.TopicOrdersUpdated, shopifywebhook.TopicOrdersCancelled, shopifywebhook.TopicOrdersPaid,
		shopifywebhook.TopicOrdersFulfilled, shopifywebhook.TopicOrdersPartiallyFulfilled:
		var p shopify.OrderPayload
		// OrderPayload checks the JSON itself (its UnmarshalJSON decodes
		// with json.Unmarshal first); through json.Unmarshal the 10–20 KB
		// body would be scanned once more before that. A body that fails
		// is decoded again the usual way, for json's own error (a syntax
		// error's offset).
		if err := p.UnmarshalJSON(e.Body); err != nil {
			if err := decodeBody(e, &p); err != nil {
				return wmssync.Change{}, err
			}
			return wmssync.Change{}, fmt.Errorf("%w: %w", wmssync.ErrInvalidPayload, &webhook.DecodeError{Topic: e.Topic, Err: err})
		}
		if p.ID == 0 {
			return wmssync.Change{}, invalid(e, "no order id")
		}
		var presence struct {
			LineItems []struct {
				CurrentQuantity *int64 `json:"current_quantity"`
			} `json:"line_items"`
		}
		_ = json.Unmarshal(e.Body, &presence) // decoded above already
		o := orderFromPayload(&p, presence.LineItems)
		return wmssync.Change{Kind: wmssync.ChangeOrder, ID: o.ExternalID, Version: webhook.VersionOf(e, p.UpdatedAt), Order: &o,
			Partial: locations && !o.POS}, nil
	case shopifywebhook.TopicOrdersDelete:
		var p shopify.OrderDeletePayload
		if err := decodeDeletion(e, &p); err != nil {
			return wmssync.Change{}, err
		}
		if p.ID == 0 {
			return wmssync.Change{}, invalid(e, "no order id")
		}
		return wmssync.Change{Kind: wmssync.ChangeOrderDeleted, ID: shopify.GID("Order", p.ID), Version: webhook.VersionOf(e, time.Time{})}, nil
	}
	return decodeLifecycle(e) // lifecycle.go
}

// deletionFields are the fields a deletion's body may carry: Shopify's
// products/delete and orders/delete send {"id": N} and nothing else (the
// samples of every API version); the GID is allowed too.
var deletionFields = map[string]bool{"id": true, "admin_graphql_api_id": true}

// decodeDeletion decodes the body of a delete topic into v after checking
// that it is shaped like one. Shopify signs a delivery's body, not its
// topic, so a captured body of another topic (an orders/create, a
// products/update) re-posted under a delete topic carries a valid
// signature; its fields give it away, and it is refused as an invalid
// payload (the engine parks it) instead of deleting a live order or
// product. (The engine also asks the shop before it applies any deletion.)
func decodeDeletion(e *webhook.Event, v any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(e.Body, &fields); err != nil {
		return fmt.Errorf("%w: %w", wmssync.ErrInvalidPayload, &webhook.DecodeError{Topic: e.Topic, Err: err})
	}
	var extra []string
	for k := range fields {
		if !deletionFields[k] {
			extra = append(extra, k)
		}
	}
	if len(extra) > 0 {
		slices.Sort(extra)
		if len(extra) > 5 {
			extra = append(extra[:5], "...")
		}
		return invalid(e, fmt.Sprintf("a deletion carries only the deleted id, this body also %s: not a deletion's body (replayed under another topic?)",
			strings.Join(extra, ", ")))
	}
	return decodeBody(e, v)
}

func decodeBody(e *webhook.Event, v any) error {
	if err := e.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", wmssync.ErrInvalidPayload, err)
	}
	return nil
}

func invalid(e *webhook.Event, why string) error {
	return fmt.Errorf("%w: %s: %s", wmssync.ErrInvalidPayload, e.Topic, why)
}

func gidOr(gid, resource string, id int64) string {
	if gid != "" {
		return gid
	}
	return shopify.GID(resource, id)
}

// productFromPayload translates a REST product payload.
func productFromPayload(p *shopify.ProductPayload) wmssync.Product {
	out := wmssync.Product{Vendor: p.Vendor, UpdatedAt: p.UpdatedAt}
	out.ExternalID = gidOr(p.AdminGraphQLAPIID, "Product", p.ID)
	out.Title = p.Title
	for _, v := range p.Variants {
		wv := wms.Variant{
			SKU: v.SKU, ExternalID: gidOr(v.AdminGraphQLAPIID, "ProductVariant", v.ID),
			Title: v.Title, Barcode: v.Barcode, Price: dec(v.Price),
		}
		if v.InventoryItemID != 0 {
			wv.InventoryItemID = shopify.GID("InventoryItem", v.InventoryItemID)
		}
		if w := dec(v.Weight); w != "" && weightUnit(v.WeightUnit) != "" {
			wv.Weight = wms.Weight{Value: w, Unit: weightUnit(v.WeightUnit)}
		}
		out.Variants = append(out.Variants, wv)
	}
	return out
}

// orderFromPayload translates a REST order payload. presence tells, per
// line, whether the payload carried current_quantity (older API versions
// do not; quantity is used then).
func orderFromPayload(p *shopify.OrderPayload, presence []struct {
	CurrentQuantity *int64 `json:"current_quantity"`
}) wmssync.Order {
	var out wmssync.Order
	out.ExternalID = gidOr(p.AdminGraphQLAPIID, "Order", p.ID)
	out.Name = p.Name
	out.Email = p.Email
	if out.Email == "" {
		out.Email = p.ContactEmail
	}
	out.Note = p.Note
	out.Currency = p.Currency
	out.Total = dec(p.TotalPriceSet.ShopMoney.Amount)
	if out.Total == "" {
		out.Total = dec(p.TotalPrice)
	}
	out.CreatedAt, out.UpdatedAt = p.CreatedAt, p.UpdatedAt
	out.Status = orderStatus(!p.CancelledAt.IsZero(), p.FinancialStatus)
	out.POS = isPOS(p.SourceName, "", false) || p.AppID == posAppID
	if out.POS && p.LocationID != 0 {
		out.LocationID = shopify.GID("Location", p.LocationID)
	}
	if a := p.ShippingAddress; a != nil {
		out.ShippingAddress = wms.Address{Name: a.Name, Company: a.Company, Address1: a.Address1, Address2: a.Address2,
			City: a.City, Province: a.ProvinceCode, Zip: a.Zip, CountryCode: a.CountryCode, Phone: a.Phone}
	}
	out.Lines = []wms.OrderLine{}
	for i, li := range p.LineItems {
		qty := int64(li.CurrentQuantity)
		if i < len(presence) && presence[i].CurrentQuantity == nil {
			qty = int64(li.Quantity)
		}
		if l, ok := orderLine(gidOr(li.AdminGraphQLAPIID, "LineItem", li.ID), li.SKU, li.Name, qty, li.Price); ok {
			out.Lines = append(out.Lines, l)
		}
	}
	return out
}
