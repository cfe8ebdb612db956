package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// OrderWindowDays is how far back Shopify lists orders without the
// read_all_orders scope.
const OrderWindowDays = 60

// Inspect reads the shop's identity, granted scopes, locations (active and
// inactive) and API version support, and lists the scopes the features in f
// require (see [RequiredScopes]). A refused token returns an error matching
// [wmssync.ErrUnauthorized]; a shop that cannot be reached (or an address
// that is not a shop) one matching [wmssync.ErrUnreachable]. Missing access
// to locations or API versions is not an error: the report lists no
// locations, or the version as unknown. ShopInfo.Country is the country of
// the first active location (the shop details the client reads carry no
// address).
func (c *Connector) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	var info wmssync.ShopInfo
	sd := c.client.ShopDetails()
	shop, err := sd.Get(ctx)
	if err != nil {
		return info, fmt.Errorf("shopify/connector: read shop: %w", classify(ctx, err))
	}
	info.Name = shop.Name
	info.Domain = shop.MyshopifyDomain
	if info.Domain == "" {
		info.Domain = c.client.Shop()
	}
	info.Currency = shop.CurrencyCode
	info.Timezone = shop.IANATimezone
	info.Plan = shop.Plan.PublicDisplayName

	scopes, err := sd.AccessScopes(ctx)
	if err != nil {
		return info, fmt.Errorf("shopify/connector: read access scopes: %w", classify(ctx, err))
	}
	info.GrantedScopes = scopes
	info.RequiredScopes = requiredScopes(f, c.locations())

	info.Locations = []wmssync.Location{}
	for l, err := range c.client.Locations().List(ctx, &shopify.LocationListOptions{IncludeInactive: true}) {
		if err != nil {
			if errors.Is(err, shopify.ErrAccessDenied) {
				c.log.WarnContext(ctx, "shopify connector: locations not readable", "shop", c.client.Shop(), "err", err)
				break
			}
			return info, fmt.Errorf("shopify/connector: read locations: %w", classify(ctx, err))
		}
		info.Locations = append(info.Locations, wmssync.Location{ID: l.ID, Name: l.Name, Active: l.IsActive})
		if info.Country == "" && l.IsActive {
			info.Country = l.Address.CountryCode
		}
	}

	info.APIVersion = c.client.APIVersion()
	versions, err := sd.APIVersions(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return info, ctx.Err()
		}
		c.log.WarnContext(ctx, "shopify connector: API versions not readable", "shop", c.client.Shop(), "err", err)
		return info, nil
	}
	for _, v := range versions {
		if !v.Supported {
			continue
		}
		info.SupportedVersions = append(info.SupportedVersions, v.Handle)
		if v.Handle == info.APIVersion {
			info.APIVersionOK = true
		}
	}
	slices.SortFunc(info.SupportedVersions, func(a, b string) int { return strings.Compare(b, a) })
	return info, nil
}

// InstallScopes returns the access scopes to ask a merchant for when they
// install the app (shopify/oauth's AuthorizeURL) for the features in f:
// for each of [RequiredScopes] not yet met by a scope asked for, its first
// scope; then a read_ scope whose write_ scope is asked for is left out
// (it is implied).
func InstallScopes(f wmssync.Features) []string {
	var out []string
	covers := func(have []string, want string) bool {
		res, isRead := strings.CutPrefix(want, "read_")
		return slices.Contains(have, want) || (isRead && slices.Contains(have, "write_"+res))
	}
	for _, r := range RequiredScopes(f) {
		if len(r.AnyOf) > 0 && !slices.ContainsFunc(r.AnyOf, func(s string) bool { return covers(out, s) }) {
			out = append(out, r.AnyOf[0])
		}
	}
	asked := slices.Clone(out)
	return slices.DeleteFunc(out, func(s string) bool {
		res, ok := strings.CutPrefix(s, "read_")
		return ok && slices.Contains(asked, "write_"+res)
	})
}

// RequiredScopes returns the access scopes the features in f need, each
// with the feature that needs it, for a connector with the default Config.
// Reading products, stock and locations is always required; orders and POS
// need read_orders; receiving orders also needs
// read_merchant_managed_fulfillment_orders and
// read_third_party_fulfillment_orders, to read where Shopify assigned a
// web order's fulfilment (at the merchant's own locations and at
// fulfilment services'; [Connector.Inspect] leaves both out with
// Config.SkipFulfillmentLocations); customs and costs read_inventory (or
// read_products); a sales history reaching back more than OrderWindowDays
// before f.Today needs read_all_orders; each outbound message kind needs
// its write scope. A write_X scope is listed as an alternative to read_X,
// since it implies it.
func RequiredScopes(f wmssync.Features) []wmssync.ScopeRequirement {
	return requiredScopes(f, true)
}

// requiredScopes is RequiredScopes; locations adds the fulfilment order
// scopes orders need to carry their fulfilment location.
func requiredScopes(f wmssync.Features, locations bool) []wmssync.ScopeRequirement {
	read := func(res string) []string { return []string{"read_" + res, "write_" + res} }
	req := []wmssync.ScopeRequirement{
		{AnyOf: read("products"), Feature: "import products"},
		{AnyOf: read("products"), Feature: "product webhooks"},
		{AnyOf: append(read("inventory"), read("locations")...), Feature: "locations and stock per location"},
		{AnyOf: read("inventory"), Feature: "import products", Reason: "stock per location"},
	}
	if f.CustomsCost {
		req = append(req, wmssync.ScopeRequirement{AnyOf: append(read("inventory"), read("products")...), Feature: "import customs info and cost prices"})
	}
	if f.Orders {
		req = append(req, wmssync.ScopeRequirement{AnyOf: read("orders"), Feature: "receive orders"})
		if locations {
			req = append(req,
				wmssync.ScopeRequirement{AnyOf: read("merchant_managed_fulfillment_orders"), Feature: "receive orders",
					Reason: "where Shopify assigned a web order's fulfilment, at the merchant's own locations"},
				wmssync.ScopeRequirement{AnyOf: read("third_party_fulfillment_orders"), Feature: "receive orders",
					Reason: "where Shopify assigned a web order's fulfilment, at a fulfilment service's (3PL's) location"})
		}
	}
	if f.POS {
		req = append(req,
			wmssync.ScopeRequirement{AnyOf: read("orders"), Feature: "Shopify POS"},
			wmssync.ScopeRequirement{AnyOf: append(read("locations"), read("inventory")...), Feature: "Shopify POS", Reason: "the POS location of a sale"})
	}
	if !f.SalesHistorySince.IsZero() && (f.Today.IsZero() || f.SalesHistorySince.Before(f.Today)) {
		req = append(req, wmssync.ScopeRequirement{AnyOf: read("orders"), Feature: "import sales history"})
		if f.Today.IsZero() || f.SalesHistorySince.Before(f.Today.AddDays(-OrderWindowDays)) {
			req = append(req, wmssync.ScopeRequirement{
				AnyOf: []string{"read_all_orders"}, Feature: "import sales history",
				Reason: fmt.Sprintf("sales history goes back more than %d days (to %s); without read_all_orders Shopify returns only the last %d days of orders", OrderWindowDays, f.SalesHistorySince, OrderWindowDays),
			})
		}
	}
	for _, k := range f.Outbound {
		switch k {
		case wms.KindStockChanged:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"write_inventory"}, Feature: "stock adjustments"})
		case wms.KindBarcodeChanged:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"write_products"}, Feature: "EAN update"})
		case wms.KindOrderPacked:
			req = append(req,
				wmssync.ScopeRequirement{AnyOf: []string{"write_merchant_managed_fulfillment_orders", "write_assigned_fulfillment_orders", "write_third_party_fulfillment_orders"}, Feature: "order packed", Reason: "fulfil the order"},
				wmssync.ScopeRequirement{AnyOf: []string{"write_orders"}, Feature: "order packed", Reason: "capture the payment"})
		case wms.KindPaymentCaptured:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"write_orders"}, Feature: "payment captured"})
		case wms.KindPurchaseOrderClosed:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"write_inventory"}, Feature: "average cost price"})
		case wms.KindRefundCreated:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{"write_orders"}, Feature: "refunds"})
		}
	}
	return req
}
