package sync_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func TestNewEngineValidates(t *testing.T) {
	w, _ := memwms.New(nil)
	connect := func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, nil }
	for name, cfg := range map[string]wmssync.Config{
		"no backend": {Store: memstore.New(), Connect: connect},
		"no store":   {Backend: w, Connect: connect},
		"no connect": {Backend: w, Store: memstore.New()},
		"negative":   {Backend: w, Store: memstore.New(), Connect: connect, Workers: -1},
	} {
		_, err := wmssync.NewEngine(cfg)
		assert.Error(t, err, name)
	}
	_, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: memstore.New(), Connect: connect})
	require.NoError(t, err)
}

func TestNormalizeAdminURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://MyShop-DK.myshopify.com":             "https://myshop-dk.myshopify.com",
		"myshop-dk.myshopify.com":                     "https://myshop-dk.myshopify.com",
		" https://myshop-dk.myshopify.com/admin/ ":    "https://myshop-dk.myshopify.com",
		"https://shop.example.com/wp-admin/index.php": "https://shop.example.com",
	} {
		got, err := wmssync.NormalizeAdminURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "http://myshop.myshopify.com", "https://user:pw@x.myshopify.com",
		"https://x.myshopify.com:8443", "https://x.myshopify.com?a=b", "https://localhost", "https://-x.com", "ftp://x.com"} {
		_, err := wmssync.NormalizeAdminURL(bad)
		assert.Error(t, err, bad)
	}
}

func TestSaveSettings(t *testing.T) {
	e := newEnv(t)
	s, err := e.engine.SaveSettings(bg, wmssync.Settings{
		Shop: "MyShopDK", AdminURL: "MyShop-DK.myshopify.com/admin", Country: "dk", APIVersion: "2026-10",
		Locations: map[string]string{"loc-cph": "cph", "loc-x": ""},
	})
	require.NoError(t, err)
	assert.Equal(t, "https://myshop-dk.myshopify.com", s.AdminURL)
	assert.Equal(t, "DK", s.Country)
	assert.Equal(t, "MyShopDK", s.DisplayName, "display name defaults to the shop id")
	assert.Equal(t, map[string]string{"loc-cph": "cph"}, s.Locations, "an empty mapping means unmapped")
	assert.Equal(t, "myshop-dk.myshopify.com", s.Domain())

	stored, err := e.engine.Settings(bg, "MyShopDK")
	require.NoError(t, err)
	assert.Equal(t, s, stored)

	// Seed defaults for outbound messages (S13), changeable per kind.
	assert.Equal(t, []wms.EventKind{wms.KindBarcodeChanged, wms.KindOrderPacked, wms.KindPaymentCaptured, wms.KindStockChanged},
		s.OutboundKinds())
	s.Outbound = map[wms.EventKind]bool{wms.KindStockChanged: false, wms.KindRefundCreated: true}
	s, err = e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	assert.False(t, s.OutboundEnabled(wms.KindStockChanged))
	assert.True(t, s.OutboundEnabled(wms.KindRefundCreated))
	assert.True(t, s.OutboundEnabled(wms.KindBarcodeChanged))

	bad := map[string]wmssync.Settings{
		"shop":        {Shop: "my shop", AdminURL: "x.myshopify.com"},
		"admin_url":   {Shop: "a", AdminURL: "http://x.myshopify.com"},
		"country":     {Shop: "a", AdminURL: "x.myshopify.com", Country: "DNK"},
		"api_version": {Shop: "a", AdminURL: "x.myshopify.com", APIVersion: "latest"},
		"locations[loc-1]": {Shop: "a", AdminURL: "x.myshopify.com",
			Locations: map[string]string{"loc-1": "no-such-warehouse"}},
		"outbound": {Shop: "a", AdminURL: "x.myshopify.com", Outbound: map[wms.EventKind]bool{"made.up": true}},
	}
	for field, s := range bad {
		_, err := e.engine.SaveSettings(bg, s)
		var se *wmssync.SettingsError
		require.ErrorAs(t, err, &se, field)
		assert.Equal(t, field, se.Field)
		assert.ErrorIs(t, err, wmssync.ErrInvalidSettings)
	}

	// At most one main shop (S2).
	_, err = e.engine.SaveSettings(bg, wmssync.Settings{Shop: "MainA", AdminURL: "a.myshopify.com", Main: true})
	require.NoError(t, err)
	_, err = e.engine.SaveSettings(bg, wmssync.Settings{Shop: "MainB", AdminURL: "b.myshopify.com", Main: true})
	assert.ErrorIs(t, err, wmssync.ErrInvalidSettings)
	_, err = e.engine.SaveSettings(bg, wmssync.Settings{Shop: "MainA", AdminURL: "a.myshopify.com", Main: true, POS: true})
	assert.NoError(t, err, "the main shop may save its own settings again")

	_, err = e.engine.Settings(bg, "nope")
	assert.ErrorIs(t, err, wmssync.ErrNotFound)
	require.NoError(t, e.engine.RemoveShop(bg, "MainA"))
	_, err = e.engine.Settings(bg, "MainA")
	assert.ErrorIs(t, err, wmssync.ErrNotFound)
}

func TestTestConnectionListsUnsupportedFeatures(t *testing.T) {
	e := newEnv(t)
	f := newFakeShop("myshop-dk")
	f.noPOS = true
	f.info.GrantedScopes = append(f.info.GrantedScopes, "write_merchant_managed_fulfillment_orders", "read_all_orders")
	e.shops["MyShopDK"] = f
	s := wmssync.Settings{Shop: "MyShopDK", AdminURL: "myshop-dk.myshopify.com", POS: true,
		Locations: map[string]string{"loc-cph": "cph"}}
	r, err := e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	require.Len(t, r.Unsupported, 1)
	assert.Equal(t, "point-of-sale sales", r.Unsupported[0].Feature)
	assert.Empty(t, r.MissingScopes, "not a scope to ask for")
	assert.True(t, r.OK(), "reported, not a failure: %s", r)
	assert.Contains(t, r.String(), "not supported: point-of-sale sales (the shop system has no point of sale)")
}

func TestTestConnection(t *testing.T) {
	e := newEnv(t)
	f := newFakeShop("myshop-dk")
	e.shops["MyShopDK"] = f
	s := wmssync.Settings{Shop: "MyShopDK", AdminURL: "myshop-dk.myshopify.com",
		Locations: map[string]string{"loc-cph": "cph"}, SalesHistorySince: wms.Date{Year: 2026, Month: 10, Day: 1}}

	r, err := e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.True(t, r.Reached)
	assert.True(t, r.Authorized)
	assert.True(t, r.DomainMatches)
	assert.True(t, r.APIVersionOK)
	assert.Equal(t, "myshop-dk", r.Identity.Name)
	require.Len(t, r.MissingScopes, 1, "write_merchant_managed_fulfillment_orders for S16 (order packed is on by default)")
	assert.Equal(t, "write_merchant_managed_fulfillment_orders", r.MissingScopes[0].AnyOf[0])
	assert.Equal(t, []string{"write_merchant_managed_fulfillment_orders"}, r.MissingScopeNames())
	assert.False(t, r.OK())
	// Locations with their mapping state (S5).
	require.Len(t, r.Locations, 3)
	assert.Equal(t, "cph", r.Locations[0].Warehouse)
	assert.Equal(t, "", r.Locations[1].Warehouse)
	text := r.String()
	assert.Contains(t, text, "NOT OK")
	assert.Contains(t, text, "loc-store Store (POS) not mapped (ignored)")
	assert.Contains(t, text, "scope write_merchant_managed_fulfillment_orders missing: needed to fulfil packed orders (S16)")

	// Sales history beyond 60 days needs read_all_orders (S12).
	s.SalesHistorySince = wms.Date{Year: 2025, Month: 11, Day: 26}
	s.Outbound = map[wms.EventKind]bool{wms.KindOrderPacked: false}
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	require.Len(t, r.MissingScopes, 1)
	assert.Equal(t, []string{"read_all_orders"}, r.MissingScopes[0].AnyOf)
	assert.Contains(t, r.String(), "scope read_all_orders missing: needed to import sales history (S12) (sales history goes back more than 60 days)")
	// The default (one year back) needs it too.
	s.SalesHistorySince = wms.Date{}
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	require.Len(t, r.MissingScopes, 1)
	f.info.GrantedScopes = append(f.info.GrantedScopes, "read_all_orders")
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.True(t, r.OK(), r.String())
	assert.Empty(t, r.Problems())
	assert.Contains(t, r.String(), ": OK\n")

	// Data: the report encodes as JSON.
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"reached":true`)

	// A mapping to a location the shop does not have.
	s.Locations["loc-gone"] = "cph"
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.Equal(t, []string{"loc-gone"}, r.UnknownMappings)
	assert.False(t, r.OK())

	// The admin URL of another shop.
	delete(s.Locations, "loc-gone")
	s.AdminURL = "other.myshopify.com"
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.False(t, r.DomainMatches)
	assert.Contains(t, r.Problems()[0], "is not the shop's own address myshop-dk.myshopify.com")
	s.AdminURL = "myshop-dk.myshopify.com"

	// Refused token, unreachable shop.
	f.refuse = errRefused
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.True(t, r.Reached)
	assert.False(t, r.Authorized)
	assert.Contains(t, r.String(), "refused the access token")
	f.refuse = errors.Join(errUnreachable, wmssync.ErrUnreachable)
	r, err = e.engine.TestConnection(bg, s)
	require.NoError(t, err)
	assert.False(t, r.Reached)
	assert.Contains(t, r.String(), "could not be reached")
	for _, text := range []string{r.String(), r.Error} {
		assert.False(t, strings.Contains(text, f.token), "the report shows the token")
	}

	// Invalid settings are an error, not a report.
	_, err = e.engine.TestConnection(bg, wmssync.Settings{Shop: "x", AdminURL: "http://x"})
	assert.ErrorIs(t, err, wmssync.ErrInvalidSettings)
}

// The engine keeps a shop's connector until the shop's settings change, then
// connects again with the new settings (runtime changes, S1).
func TestReconnectOnSettingsChange(t *testing.T) {
	var versions []string
	e := newEnv(t, func(c *wmssync.Config) {
		inner := c.Connect
		c.Connect = func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			versions = append(versions, s.APIVersion)
			return inner(ctx, s)
		}
	})
	e.addShop("dk", func(s *wmssync.Settings) { s.APIVersion = "2026-07" })
	e.throughOrders("dk")
	_, err := e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-07"}, versions, "one connection for all the work")
	s, _ := e.engine.Settings(bg, "dk")
	s.APIVersion = "2026-10"
	_, err = e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	_, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, []string{"2026-07", "2026-10"}, versions)
}
