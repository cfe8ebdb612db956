package connector_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

func TestInspect(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	main := shop.AddLocation(shopifytest.LocationSpec{Name: "Main warehouse", CountryCode: "DK"})
	shop.AddLocation(shopifytest.LocationSpec{Name: "Old store", Inactive: true})
	c := newConnector(t, srv, shop, connector.Config{})
	today := wms.DateOf(time.Now())
	info, err := c.Inspect(ctxT(t), wmssync.Features{Products: true, Orders: true, SalesHistorySince: today.AddDays(-365), Today: today})
	require.NoError(t, err)
	assert.Equal(t, shop.Domain(), info.Domain)
	assert.Equal(t, shop.Info().Name, info.Name)
	assert.Equal(t, shop.Info().CurrencyCode, info.Currency)
	assert.Equal(t, shop.Scopes(), info.GrantedScopes)
	require.Len(t, info.Locations, 2)
	assert.Equal(t, wmssync.Location{ID: shopify.GID("Location", main.ID), Name: "Main warehouse", Active: true}, info.Locations[0])
	assert.False(t, info.Locations[1].Active)
	assert.Equal(t, shopify.DefaultAPIVersion, info.APIVersion)
	assert.True(t, info.APIVersionOK)
	assert.Contains(t, info.SupportedVersions, shopify.DefaultAPIVersion)

	var allOrders *wmssync.ScopeRequirement
	for i, r := range info.RequiredScopes {
		if r.AnyOf[0] == "read_all_orders" {
			allOrders = &info.RequiredScopes[i]
		}
	}
	require.NotNil(t, allOrders, "a year of sales history needs read_all_orders")
	assert.Contains(t, allOrders.Reason, "60 days")
	assert.NotContains(t, info.GrantedScopes, "read_all_orders")
}

func TestRequiredScopes(t *testing.T) {
	today := wms.Date{Year: 2026, Month: 11, Day: 26}
	has := func(reqs []wmssync.ScopeRequirement, scope, feature string) bool {
		for _, r := range reqs {
			if r.AnyOf[0] == scope && (feature == "" || r.Feature == feature) {
				return true
			}
		}
		return false
	}
	base := connector.RequiredScopes(wmssync.Features{Products: true, Today: today})
	assert.True(t, has(base, "read_products", "import products"))
	assert.True(t, has(base, "read_inventory", ""))
	assert.False(t, has(base, "read_orders", ""))

	within := connector.RequiredScopes(wmssync.Features{Products: true, Today: today, SalesHistorySince: today.AddDays(-60)})
	assert.True(t, has(within, "read_orders", "import sales history"))
	assert.False(t, has(within, "read_all_orders", ""), "60 days back need no read_all_orders")
	beyond := connector.RequiredScopes(wmssync.Features{Products: true, Today: today, SalesHistorySince: today.AddDays(-61)})
	assert.True(t, has(beyond, "read_all_orders", "import sales history"))
	skip := connector.RequiredScopes(wmssync.Features{Products: true, Today: today, SalesHistorySince: today})
	assert.False(t, has(skip, "read_orders", ""), "today means no import")

	all := connector.RequiredScopes(wmssync.Features{Products: true, Orders: true, POS: true, CustomsCost: true, Today: today,
		Outbound: []wms.EventKind{wms.KindStockChanged, wms.KindBarcodeChanged, wms.KindOrderPacked, wms.KindPaymentCaptured, wms.KindRefundCreated}})
	for _, s := range []string{"read_orders", "write_inventory", "write_products", "write_merchant_managed_fulfillment_orders", "write_orders"} {
		assert.True(t, has(all, s, ""), s)
	}
	assert.True(t, has(all, "read_orders", "Shopify POS"))
	for _, r := range all {
		if r.AnyOf[0] == "read_products" {
			assert.Contains(t, r.AnyOf, "write_products", "write implies read")
		}
	}
}

func TestInspectErrors(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	c := newConnector(t, srv, shop, connector.Config{})
	token := shop.AccessToken()
	shop.RevokeTokens()
	_, err := c.Inspect(ctxT(t), wmssync.Features{Products: true})
	require.ErrorIs(t, err, wmssync.ErrUnauthorized)
	require.ErrorIs(t, err, shopify.ErrUnauthorized, "the client's error stays inspectable")
	assert.NotContains(t, err.Error(), token)
	assert.NotContains(t, fmt.Sprintf("%v %+v %s", c, c, c), token)

	// Nothing listens there: unreachable.
	cl, err := shopify.NewClient("nowhere", shopify.WithBaseURL("http://127.0.0.1:1"), shopify.WithAccessToken("shpat_secret"),
		shopify.WithRetryMax(0))
	require.NoError(t, err)
	c2, err := connector.New(connector.Config{Client: cl})
	require.NoError(t, err)
	_, err = c2.Inspect(ctxT(t), wmssync.Features{Products: true})
	require.ErrorIs(t, err, wmssync.ErrUnreachable)
	assert.NotContains(t, err.Error(), "shpat_secret")

	// A server that is not a shop answers 404.
	cl, err = shopify.NewClient("nowhere", shopify.WithBaseURL(srv.URL+"/not-a-shop"), shopify.WithAccessToken("shpat_secret"),
		shopify.WithHTTPClient(srv.HTTPClient()), shopify.WithRetryMax(0))
	require.NoError(t, err)
	c3, err := connector.New(connector.Config{Client: cl})
	require.NoError(t, err)
	_, err = c3.Inspect(ctxT(t), wmssync.Features{Products: true})
	require.ErrorIs(t, err, wmssync.ErrUnreachable)
}

func TestNormalizeAdminURL(t *testing.T) {
	for in, want := range map[string]string{
		"myshop":               "https://myshop.myshopify.com",
		"MyShop.myshopify.com": "https://myshop.myshopify.com",
		"https://myshop.myshopify.com/admin/orders": "https://myshop.myshopify.com",
	} {
		got, err := connector.NormalizeAdminURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"https://www.myshop.com", "http://myshop.myshopify.com", "https://myshop.myshopify.com:8443", ""} {
		_, err := connector.NormalizeAdminURL(in)
		assert.Error(t, err, in)
	}
}

func TestInstallScopes(t *testing.T) {
	today := wms.Date{Year: 2026, Month: 11, Day: 26}
	assert.Equal(t, []string{"read_products", "read_inventory"}, connector.InstallScopes(wmssync.Features{Products: true, Today: today}))
	all := connector.InstallScopes(wmssync.Features{Products: true, Orders: true, POS: true, CustomsCost: true, Today: today,
		SalesHistorySince: today.AddDays(-365),
		Outbound:          []wms.EventKind{wms.KindStockChanged, wms.KindBarcodeChanged, wms.KindOrderPacked, wms.KindPaymentCaptured}})
	assert.ElementsMatch(t, []string{"write_products", "write_inventory", "write_orders", "read_all_orders",
		"read_third_party_fulfillment_orders", "write_merchant_managed_fulfillment_orders"}, all,
		"each write_ scope stands for its read_ scope")
	assert.NotContains(t, all, "read_orders")
	for _, r := range connector.RequiredScopes(wmssync.Features{Products: true, Orders: true, POS: true, CustomsCost: true, Today: today}) {
		met := false
		for _, s := range r.AnyOf {
			met = met || slices.Contains(connector.InstallScopes(wmssync.Features{Products: true, Orders: true, POS: true, CustomsCost: true, Today: today}), s)
		}
		assert.True(t, met, "%v is met", r)
	}
}

// TestShopSystem: Shopify's settings rules and shop identity in events are
// the connector's, not the engine's.
func TestShopSystem(t *testing.T) {
	sys := connector.ShopSystem()
	assert.Equal(t, "shopify", sys.Name())
	s, err := sys.CheckSettings(wmssync.Settings{Shop: "DK", AdminURL: "https://MyShop.myshopify.com/admin", APIVersion: "2026-10"})
	require.NoError(t, err)
	assert.Equal(t, "https://myshop.myshopify.com", s.AdminURL)
	assert.Equal(t, "myshop.myshopify.com", sys.EventShop(s))
	_, err = sys.CheckSettings(wmssync.Settings{Shop: "DK", AdminURL: "myshop", APIVersion: "unstable"})
	require.NoError(t, err)
	for field, bad := range map[string]wmssync.Settings{
		"admin_url":   {Shop: "DK", AdminURL: "https://www.myshop.com"},
		"api_version": {Shop: "DK", AdminURL: "myshop", APIVersion: "latest"},
	} {
		_, err := sys.CheckSettings(bad)
		var se *wmssync.SettingsError
		require.ErrorAs(t, err, &se, field)
		assert.Equal(t, field, se.Field)
	}
}
