package connector_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// S1: shop connection settings: the admin URL is validated and normalised
// by the connector's rule (NAME.myshopify.com, never the storefront), the
// settings persist and change at run time, the API version is the one the
// connector talks, and the access token never shows in reports, errors or
// logs.
func TestE2E_S1_ConnectionSettings(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, de := h.addShop("myshop-dk", shopifytest.WithAccessToken("shpat_s1_very_secret_token"))
	ctx := ctxT(t)

	s := settingsFor(shop, dk, de)
	s.Shop, s.DisplayName, s.AdminURL, s.APIVersion = "MyShopDK", "  My shop (DK) ", "MyShop-DK.myshopify.com", "2026-07"
	saved, err := h.eng.SaveSettings(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, "https://myshop-dk.myshopify.com", saved.AdminURL)
	assert.Equal(t, "My shop (DK)", saved.DisplayName)
	assert.Equal(t, "DK", saved.Country)
	got, err := h.eng.Settings(ctx, "MyShopDK")
	require.NoError(t, err)
	assert.Equal(t, saved, got)

	bad := s
	bad.AdminURL = "https://www.myshop.dk"
	_, err = h.eng.SaveSettings(ctx, bad)
	var se *wmssync.SettingsError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "admin_url", se.Field)
	bad.AdminURL, bad.Locations = s.AdminURL, map[string]string{"gid://shopify/Location/1": "NO-SUCH-WAREHOUSE"}
	_, err = h.eng.SaveSettings(ctx, bad)
	require.ErrorIs(t, err, wmssync.ErrInvalidSettings)

	rep, err := h.eng.TestConnection(ctx, saved)
	require.NoError(t, err)
	assert.True(t, rep.Reached && rep.Authorized, rep.String())
	assert.Equal(t, "2026-07", rep.APIVersion, "the connector talks the version of the settings")
	assert.True(t, rep.APIVersionOK)

	// Changed at run time: the next use of the shop picks it up.
	saved.DisplayName, saved.APIVersion = "DK", ""
	saved = h.save(saved)
	rep, err = h.eng.TestConnection(ctx, saved)
	require.NoError(t, err)
	assert.Equal(t, shopify.DefaultAPIVersion, rep.APIVersion)

	// A refused token: reported, never shown.
	shop.RevokeTokens()
	rep, err = h.eng.TestConnection(ctx, saved)
	require.NoError(t, err)
	assert.True(t, rep.Reached)
	assert.False(t, rep.Authorized)
	_, err = h.eng.Reconcile(ctx, saved.Shop)
	require.NoError(t, err, "no step started: nothing to sweep")
	err = h.eng.RunStep(ctx, saved.Shop, wmssync.StepProducts, nil)
	require.ErrorIs(t, err, wmssync.ErrUnauthorized)
	for _, text := range []string{rep.String(), rep.Error, err.Error(), fmt.Sprintf("%+v", rep), h.logText()} {
		assert.NotContains(t, text, "shpat_s1_very_secret_token")
	}
	st, _ := h.store.Settings(ctx, saved.Shop)
	assert.NotContains(t, fmt.Sprintf("%+v", st), "shpat_")
}

// S6: test connection: reached, token valid, identity, granted vs required
// scopes with the feature that needs each (read_all_orders flagged for a
// sales history beyond 60 days), locations with their mapping, API version.
func TestE2E_S6_TestConnection(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	shop, dk, _ := h.addShop("s6shop", shopifytest.WithScopes("read_products", "read_inventory", "read_locations", "read_orders"))
	closed := shop.AddLocation(shopifytest.LocationSpec{Name: "Closed store", Inactive: true})
	s := settingsFor(shop, dk, 0)
	delete(s.Locations, shopify.GID("Location", 0))
	s.SalesHistorySince = wms.DateOf(timeNow()).AddDays(-200)
	rep, err := h.eng.TestConnection(ctxT(t), s)
	require.NoError(t, err)
	assert.True(t, rep.Reached)
	assert.True(t, rep.Authorized)
	assert.True(t, rep.DomainMatches)
	assert.Equal(t, shop.Domain(), rep.Identity.Domain)
	assert.Equal(t, shop.Info().Name, rep.Identity.Name)
	assert.True(t, rep.APIVersionOK)
	assert.False(t, rep.OK(), "scopes are missing")

	missing := map[string][]wmssync.ScopeRequirement{}
	for _, m := range rep.MissingScopes {
		missing[m.AnyOf[0]] = append(missing[m.AnyOf[0]], m)
	}
	require.Contains(t, missing, "read_all_orders")
	assert.Equal(t, "import sales history", missing["read_all_orders"][0].Feature)
	assert.Contains(t, missing["read_all_orders"][0].Reason, "60 days")
	require.Contains(t, missing, "write_inventory", "stock adjustments are on by default (S13/S14)")
	assert.Contains(t, missing, "write_orders")
	assert.NotContains(t, missing, "read_products")

	require.Len(t, rep.Locations, 3)
	byName := map[string]wmssync.LocationMapping{}
	for _, l := range rep.Locations {
		byName[l.Name] = l
	}
	assert.Equal(t, whDK, byName["Copenhagen"].Warehouse)
	assert.Equal(t, "", byName["Berlin"].Warehouse, "unmapped: listed, not mapped")
	assert.False(t, byName["Closed store"].Active)
	assert.Equal(t, shopify.GID("Location", closed.ID), byName["Closed store"].ID)
	text := rep.String()
	assert.Contains(t, text, "read_all_orders")
	assert.Contains(t, text, "Berlin")

	// Granting the scopes makes the report pass.
	shop.SetScopes(append(shopifytest.DefaultScopes(), "read_all_orders")...)
	rep, err = h.eng.TestConnection(ctxT(t), s)
	require.NoError(t, err)
	assert.Empty(t, rep.MissingScopes)
	assert.True(t, rep.OK(), rep.String())

	// A history of 60 days or less needs no read_all_orders.
	shop.SetScopes(shopifytest.DefaultScopes()...)
	s.SalesHistorySince = wms.DateOf(timeNow()).AddDays(-30)
	rep, err = h.eng.TestConnection(ctxT(t), s)
	require.NoError(t, err)
	assert.True(t, rep.OK(), rep.String())

	// Not a shop.
	s.AdminURL = "https://nosuchshop.myshopify.com"
	rep, err = h.eng.TestConnection(ctxT(t), s)
	require.NoError(t, err)
	assert.False(t, rep.OK())
	assert.False(t, rep.Reached && rep.Authorized, rep.String())
	assert.True(t, strings.TrimSpace(rep.Error) != "")
}
