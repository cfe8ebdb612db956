package connector

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// APIVersion is the REST API namespace the connector uses.
const APIVersion = "wc/v3"

// The "scopes" a WooCommerce key can be granted, as Inspect reports them:
// the key's permissions, proven by a read and by an empty write, and
// whether its user may manage WooCommerce (webhooks and settings need it).
const (
	ScopeRead   = "read"
	ScopeWrite  = "write"
	ScopeManage = "manage_woocommerce"
)

// LocationID is the id of the store's one stock location: WooCommerce core
// keeps one stock figure per product and variation.
const LocationID = ""

// Inspect reads the store's identity and what its key may do, without
// changing anything:
//
//   - the site's name and time zone from WordPress's public REST index
//     (read without the key, which WooCommerce 11.1+ refuses outside its
//     own routes), and its WooCommerce REST namespaces (SupportedVersions;
//     APIVersionOK when wc/v3 is one);
//   - currency and country from the general settings;
//   - read permission from a one-item product listing, write permission
//     from an empty batch (WooCommerce checks a key's permission before
//     anything else, and an empty batch changes nothing), and whether the
//     key's user may manage WooCommerce from the settings and webhooks;
//   - which optional endpoints the store has (the variations listing of
//     WooCommerce 10.3+, the beta Order Fulfillments), in ShopInfo.Plan.
//
// Domain is the site URL as webhook deliveries name it
// (X-WC-Webhook-Source, normalised). Locations is the one synthetic
// location of the store's stock. Features WooCommerce does not have (point
// of sale, customs data, cost prices, payment capture) are listed as
// requirements marked NotSupported when f asks for them.
// Unknown or wrong keys return an error matching wmssync.ErrUnauthorized;
// an address that is not a WooCommerce store one matching
// wmssync.ErrUnreachable.
func (c *Connector) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	info := wmssync.ShopInfo{
		Domain:     c.client.StoreURL(),
		APIVersion: APIVersion,
		Locations:  []wmssync.Location{{ID: LocationID, Name: "Store stock", Active: true}},
	}
	idx, _, err := c.client.Index(ctx)
	switch {
	case err == nil:
		info.Name = idx.Name
		info.Timezone = idx.TimezoneString
		if info.Timezone == "" {
			info.Timezone = offsetZone(idx.GMTOffset)
		}
		info.APIVersionOK = idx.HasNamespace(APIVersion)
		for _, ns := range idx.Namespaces { // WooCommerce's REST namespaces, newest first
			if strings.HasPrefix(ns, "wc/v") {
				info.SupportedVersions = append([]string{ns}, info.SupportedVersions...)
			}
		}
		if home, err := woocommerce.NormalizeStoreURL(idx.Home); err == nil {
			info.Domain = home
		}
	case ctx.Err() != nil:
		return info, ctx.Err()
	default:
		// Some sites hide the index from anonymous readers; the store's
		// own routes still tell whether wc/v3 is there.
		c.log.WarnContext(ctx, "woocommerce connector: site index not readable", "store", c.client.StoreURL(), "err", err)
	}

	// The first request with the key: an unknown or wrong key fails here.
	_, _, err = c.client.Products().List(ctx, &woocommerce.ProductListOptions{
		ListOptions: woocommerce.ListOptions{PerPage: 1}, Filter: woocommerce.Filter{Fields: []string{"id"}}})
	switch {
	case err == nil:
		info.GrantedScopes = append(info.GrantedScopes, ScopeRead)
	case errors.Is(err, woocommerce.ErrUnauthorized) && isPermission(err, "read"):
		// A write-only key: the other checks tell the rest.
	default:
		return info, fmt.Errorf("woocommerce/connector: read products: %w", classify(ctx, err))
	}
	_, _, err = c.client.Products().Batch(ctx, nil)
	switch {
	case err == nil:
		info.GrantedScopes = append(info.GrantedScopes, ScopeWrite)
	case errors.Is(err, woocommerce.ErrUnauthorized) || errors.Is(err, woocommerce.ErrForbidden):
	default:
		return info, fmt.Errorf("woocommerce/connector: check write permission: %w", classify(ctx, err))
	}
	if !info.APIVersionOK {
		if _, err := c.storeFeatures(ctx); err == nil {
			info.APIVersionOK = true
		}
	}
	if g, _, err := c.client.GeneralSettings(ctx); err == nil {
		info.Currency, info.Country = g.Currency, g.Country
		if _, _, err := c.client.Webhooks().List(ctx, &woocommerce.WebhookListOptions{ListOptions: woocommerce.ListOptions{PerPage: 1}}); err == nil {
			info.GrantedScopes = append(info.GrantedScopes, ScopeManage)
		}
	} else if ctx.Err() != nil {
		return info, ctx.Err()
	}
	if info.Name == "" {
		info.Name = strings.TrimPrefix(c.client.StoreURL(), "https://")
	}
	info.Plan = "WooCommerce (wc/v3)"
	if sf, err := c.storeFeatures(ctx); err == nil {
		var extras []string
		if sf.variations {
			extras = append(extras, "variations listing")
		}
		if sf.fulfillments {
			extras = append(extras, "order fulfillments")
		}
		if len(extras) > 0 {
			info.Plan += " with " + strings.Join(extras, " and ")
		}
	}
	info.RequiredScopes = RequiredScopes(f)
	return info, nil
}

// isPermission reports whether err is WooCommerce's "does not have <what>
// permissions" answer rather than a refused key.
func isPermission(err error, what string) bool {
	var ae *woocommerce.APIError
	return errors.As(err, &ae) && ae.StatusCode == http.StatusUnauthorized &&
		ae.Code == "woocommerce_rest_authentication_error" && strings.Contains(ae.Message, what+" permissions")
}

// offsetZone names a fixed UTC offset ("2" or "5.5" hours) as a zone the
// time package knows, for sites set to an offset instead of a city:
// whole hours as Etc/GMT-N (POSIX sign), others not at all.
func offsetZone(off woocommerce.Number) string {
	h, err := off.Int64()
	if err != nil || h == 0 || h < -12 || h > 14 {
		return ""
	}
	if h > 0 {
		return fmt.Sprintf("Etc/GMT-%d", h)
	}
	return fmt.Sprintf("Etc/GMT+%d", -h)
}

// RequiredScopes returns what the features in f need of a key: read for
// every import and listing, write for webhooks and outbound messages, and
// a user who may manage WooCommerce for webhooks; features WooCommerce
// does not have are marked NotSupported, with the reason.
func RequiredScopes(f wmssync.Features) []wmssync.ScopeRequirement {
	req := []wmssync.ScopeRequirement{
		{AnyOf: []string{ScopeRead}, Feature: "import products"},
		{AnyOf: []string{ScopeWrite}, Feature: "product webhooks", Reason: "creating webhooks is a write"},
		{AnyOf: []string{ScopeManage}, Feature: "product webhooks", Reason: "webhooks belong to users who may manage WooCommerce"},
	}
	if f.Orders {
		req = append(req,
			wmssync.ScopeRequirement{AnyOf: []string{ScopeRead}, Feature: "receive orders"},
			wmssync.ScopeRequirement{AnyOf: []string{ScopeWrite}, Feature: "order webhooks", Reason: "creating webhooks is a write"})
	}
	if !f.SalesHistorySince.IsZero() {
		req = append(req, wmssync.ScopeRequirement{AnyOf: []string{ScopeRead}, Feature: "import the sales history"})
	}
	if f.POS {
		req = append(req, wmssync.ScopeRequirement{NotSupported: true, Feature: "point-of-sale sales",
			Reason: "WooCommerce core has no point of sale; POS plugins' orders are kept out of picking"})
	}
	if f.CustomsCost {
		req = append(req, wmssync.ScopeRequirement{NotSupported: true, Feature: "import customs information and cost prices",
			Reason: "WooCommerce core stores neither"})
	}
	for _, k := range f.Outbound {
		switch k {
		case wms.KindStockChanged:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{ScopeWrite}, Feature: "send stock levels"})
		case wms.KindBarcodeChanged:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{ScopeWrite}, Feature: "send barcodes (GTIN)"})
		case wms.KindOrderPacked:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{ScopeWrite}, Feature: "complete packed orders with tracking"})
		case wms.KindRefundCreated:
			req = append(req, wmssync.ScopeRequirement{AnyOf: []string{ScopeWrite}, Feature: "send refunds"})
		case wms.KindPaymentCaptured:
			req = append(req, wmssync.ScopeRequirement{NotSupported: true, Feature: "capture payments",
				Reason: "WooCommerce has no capture endpoint; gateways capture on their own"})
		case wms.KindPurchaseOrderClosed:
			req = append(req, wmssync.ScopeRequirement{NotSupported: true, Feature: "send average cost prices",
				Reason: "WooCommerce core has no cost price"})
		}
	}
	return req
}
