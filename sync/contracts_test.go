package sync_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The engine's contracts that must fit any shop system: settings and shop
// identity are the shop system's, the stock batch size and capture on pack
// the connector's, and a shop without locations needs no mapping.

// siteSystem is a shop system shaped like WooCommerce: a shop is a site
// URL that may carry a path (kept), named so in its webhook events; API
// versions like "wc/v3"; no locations.
type siteSystem struct{}

func (siteSystem) Name() string         { return "site" }
func (siteSystem) SingleLocation() bool { return true }

func (siteSystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := url.Parse(strings.TrimSpace(s.AdminURL))
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: "want https://host/path"}
	}
	s.AdminURL = "https://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/") + "/"
	if s.APIVersion != "" && !strings.HasPrefix(s.APIVersion, "wc/") {
		return s, &wmssync.SettingsError{Field: "api_version", Reason: "want wc/vN"}
	}
	return s, nil
}

func (siteSystem) EventShop(s wmssync.Settings) string { return s.AdminURL }

// TestSettingsAreTheShopSystems: each shop's settings are checked by its
// own system; an engine serving several systems needs Settings.System.
func TestSettingsAreTheShopSystems(t *testing.T) {
	e := newEnv(t, func(c *wmssync.Config) { c.ShopSystems = []wmssync.ShopSystem{fakeSystem{}, siteSystem{}} })
	s, err := e.engine.SaveSettings(bg, wmssync.Settings{System: "site", Shop: "woo", AdminURL: "https://Shop.Example.com/store",
		APIVersion: "wc/v3"})
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example.com/store/", s.AdminURL, "the site's path is kept")
	s, err = e.engine.SaveSettings(bg, wmssync.Settings{System: "fake", Shop: "dk", AdminURL: "https://dk.example.com/admin",
		APIVersion: "2026-10"})
	require.NoError(t, err)
	assert.Equal(t, "https://dk.example.com", s.AdminURL, "the fake system drops the path")

	for name, c := range map[string]struct {
		s     wmssync.Settings
		field string
	}{
		"no system":             {wmssync.Settings{Shop: "x", AdminURL: "https://x.example.com"}, "system"},
		"unknown system":        {wmssync.Settings{System: "magento", Shop: "x", AdminURL: "https://x.example.com"}, "system"},
		"site version":          {wmssync.Settings{System: "site", Shop: "x", AdminURL: "https://x.example.com", APIVersion: "2026-10"}, "api_version"},
		"fake version":          {wmssync.Settings{System: "fake", Shop: "x", AdminURL: "https://x.example.com", APIVersion: "wc/v3"}, "api_version"},
		"site URL without TLS":  {wmssync.Settings{System: "site", Shop: "x", AdminURL: "http://x.example.com"}, "admin_url"},
		"empty location, fake":  {wmssync.Settings{System: "fake", Shop: "x", AdminURL: "https://x.example.com", Locations: map[string]string{"": "cph"}}, "locations"},
		"site: unknown warehse": {wmssync.Settings{System: "site", Shop: "x", AdminURL: "https://x.example.com", Locations: map[string]string{"": "nope"}}, "locations[]"},
	} {
		_, err := e.engine.SaveSettings(bg, c.s)
		var se *wmssync.SettingsError
		require.ErrorAs(t, err, &se, name)
		assert.Equal(t, c.field, se.Field, name)
	}
	// The empty location of a single-location shop may name its warehouse.
	s, err = e.engine.SaveSettings(bg, wmssync.Settings{System: "site", Shop: "woo2", AdminURL: "https://b.example.com",
		Locations: map[string]string{"": "store"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"": "store"}, s.Locations)
}

// TestEventsFindTheirShopBySystem: an event is applied to the shop whose
// system took it (its source) and names the shop as the event does: a
// site URL with a path for one system, a host for the other.
func TestEventsFindTheirShopBySystem(t *testing.T) {
	e := newEnv(t, func(c *wmssync.Config) { c.ShopSystems = []wmssync.ShopSystem{fakeSystem{}, siteSystem{}} })
	dk := newFakeShop("dk")
	woo := newFakeShop("woo")
	e.shops["dk"], e.shops["woo"] = dk, woo
	_, err := e.engine.SaveSettings(bg, wmssync.Settings{System: "fake", Shop: "dk", AdminURL: "https://shop.example.com"})
	require.NoError(t, err)
	_, err = e.engine.SaveSettings(bg, wmssync.Settings{System: "site", Shop: "woo", AdminURL: "https://shop.example.com/woo"})
	require.NoError(t, err)

	at := e.clock.Now()
	ev := func(source, shop, id string) *webhook.Event {
		p := product(id, at, "SKU-"+id)
		dk.putProduct(p) // the engine reads a product with a new SKU from the shop
		woo.putProduct(p)
		return &webhook.Event{Source: source, Topic: topicProductsUpdate, Shop: shop, WebhookID: id, TriggeredAt: at,
			Body: mustJSON(fakePayload{Product: &p})}
	}
	require.NoError(t, e.engine.HandleEvent(bg, ev("site", "https://shop.example.com/woo/", "W1")))
	require.NoError(t, e.engine.HandleEvent(bg, ev("fake", "shop.example.com", "F1")))
	for sku, shop := range map[string]string{"SKU-W1": "woo", "SKU-F1": "dk"} {
		it, err := e.wms.Item(bg, sku)
		require.NoError(t, err, sku)
		require.Len(t, it.Listings, 1)
		assert.Equal(t, shop, it.Listings[0].Shop, sku)
	}
	for _, bad := range []*webhook.Event{
		ev("fake", "https://shop.example.com/woo/", "X1"), // the site's name, from the other system
		ev("site", "shop.example.com", "X2"),              // the host, from the site system
		ev("site", "https://shop.example.com/", "X3"),     // another site on the host
	} {
		err := e.engine.HandleEvent(bg, bad)
		assert.ErrorIs(t, err, wmssync.ErrUnknownShop, "%s %s", bad.Source, bad.Shop)
		assert.True(t, webhook.IsPermanent(err))
	}
}

// TestSingleLocationShop: a shop whose system has no locations needs no
// mapping: its stock, orders and POS sales carry no location and go to the
// backend's default warehouse, and stock messages for that warehouse go to
// it without a location; a mapping of the empty location moves them all.
func TestSingleLocationShop(t *testing.T) {
	e := newEnv(t, func(c *wmssync.Config) { c.ShopSystems = []wmssync.ShopSystem{siteSystem{}} })
	f := e.addShop("woo", func(s *wmssync.Settings) {
		s.AdminURL, s.Locations, s.POS = "https://"+s.Shop+".example.com/shop", nil, true
	})
	p := product("P1", e.clock.Now(), "MUG")
	p.Stock = []wmssync.LocationStock{{SKU: "MUG", OnHand: 7}}
	f.putProduct(p)
	e.throughOrders("woo")
	assert.Equal(t, int64(7), e.wms.Level("MUG", "cph").OnHand, "stock without a location: the default warehouse")

	at := e.clock.Advance(time.Minute)
	deliver := func(o wmssync.Order) {
		body := mustJSON(fakePayload{Order: &o})
		require.NoError(t, e.engine.HandleEvent(bg, &webhook.Event{Source: "site", Topic: topicOrdersCreate,
			Shop: "https://woo.example.com/shop/", WebhookID: o.ExternalID, TriggeredAt: at, Body: body}))
	}
	deliver(order("1001", "", at, line("L1", "MUG", 2)))
	o := e.order("woo", "1001")
	assert.Equal(t, "cph", o.Warehouse, "an order without a location: the shop's warehouse")
	sale := order("2001", "", at, line("L1", "MUG", 1))
	sale.POS = true
	deliver(sale)
	assert.Equal(t, int64(6), e.wms.Level("MUG", "cph").OnHand, "a POS sale without a location moves stock at the default warehouse")

	s, err := e.engine.Settings(bg, "woo")
	require.NoError(t, err)
	s.Locations = map[string]string{"": "store"}
	_, err = e.engine.SaveSettings(bg, s)
	require.NoError(t, err)
	deliver(order("1002", "", at, line("L1", "MUG", 1)))
	assert.Equal(t, "store", e.order("woo", "1002").Warehouse, "the empty location's mapping wins")

	// Outbound: stock of the shop's warehouse goes without a location.
	out := newOutEnv(t, wmssync.OutboundConfig{}, func(c *wmssync.Config) { c.ShopSystems = []wmssync.ShopSystem{siteSystem{}} })
	_, err = out.eng.SaveSettings(bg, wmssync.Settings{Shop: "C", AdminURL: "https://c.example.com/"})
	require.NoError(t, err)
	out.shops["C"] = &outShop{}
	require.NoError(t, out.store.SaveStep(bg, wmssync.StepState{Shop: "C", Step: wmssync.StepOutbound, Status: wmssync.StepDone}))
	require.NoError(t, out.wms.UpsertProducts(bg, []wms.Product{{Shop: "C", ExternalID: "c-p1", Title: "P",
		Variants: []wms.Variant{{SKU: "S1", ExternalID: "c-v1", Title: "one"}}}}))
	require.NoError(t, out.eng.Publish(bg, stock("e1", 1, "S1", 4))) // cph: the default warehouse
	aar := stock("e2", 2, "S1", 9)
	aar.Warehouse = "aar"
	require.NoError(t, out.eng.Publish(bg, aar))
	out.deliver(t)
	calls := out.shops["C"].calls()
	require.Len(t, calls, 1, "only the shop's warehouse")
	assert.Equal(t, []wmssync.StockTarget{{SKU: "S1", ProductID: "c-p1", VariantID: "c-v1", Available: 4}}, calls[0].Stock,
		"addressed by product and variant, no inventory item, no location")
}

// TestStockBatchSizeIsTheConnectors: stock levels go in batches of the
// size the connector declares, one at a time when it declares none.
func TestStockBatchSizeIsTheConnectors(t *testing.T) {
	for name, c := range map[string]struct {
		conn  func(*outShop) wmssync.Connector
		calls int
	}{
		"declares 3":    {func(s *outShop) wmssync.Connector { s.batch = 3; return s }, 3},
		"declares none": {func(s *outShop) wmssync.Connector { return plainOutbound{s} }, 7},
		"declares 0":    {func(s *outShop) wmssync.Connector { s.batch = -1; return s }, 7},
	} {
		t.Run(name, func(t *testing.T) {
			rec := &outShop{}
			e := newOutEnv(t, wmssync.OutboundConfig{}, func(cfg *wmssync.Config) {
				next := cfg.Connect
				cfg.Connect = func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
					if s.Shop == "B" {
						return c.conn(rec), nil
					}
					return next(ctx, s)
				}
			})
			var ps []wms.Product
			for i := range 7 {
				ps = append(ps, wms.Product{Shop: "B", ExternalID: fmt.Sprintf("bp%d", i), Title: "P",
					Variants: []wms.Variant{{SKU: fmt.Sprintf("K%d", i), ExternalID: fmt.Sprintf("bv%d", i), InventoryItemID: fmt.Sprintf("bi%d", i), Title: "x"}}})
			}
			require.NoError(t, e.wms.UpsertProducts(bg, ps))
			for i := range 7 {
				require.NoError(t, e.eng.Publish(bg, stock(fmt.Sprint("s", i), int64(i+1), fmt.Sprintf("K%d", i), 5)))
			}
			e.deliver(t)
			calls := rec.calls()
			assert.Len(t, calls, c.calls)
			n := 0
			for _, call := range calls {
				n += len(call.Stock)
			}
			assert.Equal(t, 7, n)
		})
	}
}

// plainOutbound is an Outbound connector with no optional capability.
type plainOutbound struct{ s *outShop }

func (p plainOutbound) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	return wmssync.ShopInfo{}, nil
}
func (p plainOutbound) Products(context.Context, wmssync.ProductQuery, string) (wmssync.Page[wmssync.Product], error) {
	return wmssync.Page[wmssync.Product]{}, nil
}
func (p plainOutbound) Orders(context.Context, wmssync.OrderQuery, string) (wmssync.Page[wmssync.Order], error) {
	return wmssync.Page[wmssync.Order]{}, nil
}
func (p plainOutbound) Decode(context.Context, *webhook.Event) (wmssync.Change, error) {
	return wmssync.Change{}, nil
}
func (p plainOutbound) Prepare(ctx context.Context, m *wmssync.Outgoing) ([]byte, error) {
	return p.s.Prepare(ctx, m)
}
func (p plainOutbound) Send(ctx context.Context, m *wmssync.Outgoing) error { return p.s.Send(ctx, m) }

// TestCaptureOnPackIsTheConnectors: after an order packed message the
// engine adds a capture of the order's total only for a connector that
// captures on pack.
func TestCaptureOnPackIsTheConnectors(t *testing.T) {
	for _, captures := range []bool{true, false} {
		t.Run(fmt.Sprint("captures=", captures), func(t *testing.T) {
			e := newOutEnv(t, wmssync.OutboundConfig{})
			e.shops["A"].captures = captures
			require.NoError(t, e.wms.UpsertOrder(bg, wms.Order{Shop: "A", ExternalID: "o1", Total: "25.00",
				Lines: []wms.OrderLine{{ExternalID: "l1", SKU: "S1", Quantity: 1}}}))
			require.NoError(t, e.eng.Publish(bg, wms.OrderPacked{EventInfo: wms.EventInfo{ID: "packed-1"},
				Order: wms.OrderKey{Shop: "A", ExternalID: "o1"}, Warehouse: "cph"}))
			e.deliver(t)
			var kinds []string
			for _, c := range e.shops["A"].calls() {
				kinds = append(kinds, string(c.Kind))
			}
			if captures {
				assert.Equal(t, []string{string(wms.KindOrderPacked), string(wms.KindPaymentCaptured)}, kinds)
				captured := e.shops["A"].calls()[1].Event.(wms.PaymentCaptured)
				assert.Equal(t, wms.Decimal("25.00"), captured.Amount)
			} else {
				assert.Equal(t, []string{string(wms.KindOrderPacked)}, kinds, "no capture for a shop whose connector does not capture on pack")
			}
		})
	}
}
