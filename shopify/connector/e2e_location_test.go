package connector_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// routingShop is a shop with three locations: Copenhagen (A) and Berlin
// (B) mapped to the warehouses, an Oslo 3PL (C) unmapped; POS on; the
// orders flow. It returns the shop, its settings, the locations and the
// variant of a scarf stocked 20 at each location.
func routingShop(t *testing.T, h *harness) (*shopifytest.Shop, wmssync.Settings, [3]int64, int64) {
	t.Helper()
	shop, a, b := h.addShop("routing")
	c := shop.AddLocation(shopifytest.LocationSpec{Name: "Oslo 3PL", CountryCode: "NO"}).ID
	p, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Scarf", Variants: []shopifytest.VariantSpec{
		{SKU: "SCARF-1", Price: "25.00", Stock: map[int64]int{a: 20, b: 20, c: 20}}}})
	require.NoError(t, err)
	s := settingsFor(shop, a, b)
	s.POS = true
	s = h.save(s)
	h.runSteps(s.Shop, wmssync.StepOrders, wmssync.StepCustomsCost)
	require.Equal(t, int64(20), h.wms.Level("SCARF-1", whDK).OnHand)
	require.Equal(t, int64(20), h.wms.Level("SCARF-1", whDE).OnHand)
	h.tick()
	return shop, s, [3]int64{a, b, c}, p.VariantIDs[0]
}

// S5 for web orders: a web order goes to the warehouse of the location
// Shopify assigned its fulfilment to; one at a location mapped to no
// warehouse (another 3PL's) stays out of the WMS, even once cancelled; an
// order split across locations goes whole to the first one's warehouse; a
// POS sale still moves stock at its retail location. Through webhooks
// (the engine reads each web order, one query per webhook) and, with every
// webhook dropped, through the reconciliation sweep: the same result.
func TestE2E_S5_WebOrderFulfilmentLocation(t *testing.T) {
	for _, sweep := range []bool{false, true} {
		name := "webhooks"
		if sweep {
			name = "sweep"
		}
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			shop, s, loc, variant := routingShop(t, h)
			a, b, c := loc[0], loc[1], loc[2]
			if sweep {
				h.srv.InjectWebhookFault(shopifytest.WebhookFault{Kind: shopifytest.WebhookDrop, Rate: 1})
			}
			create := func(spec shopifytest.OrderSpec) int64 {
				t.Helper()
				o, err := shop.CreateOrder(spec)
				require.NoError(t, err)
				return o.ID
			}
			one := func(l int64) []shopifytest.OrderLineSpec {
				return []shopifytest.OrderLineSpec{{VariantID: variant, Quantity: 1, Location: l}}
			}
			// The POS sale first: the engine reads the shop's time zone once
			// for it, which would blur the count of order reads below.
			sale := create(shopifytest.OrderSpec{POS: true, Location: a, Lines: []shopifytest.OrderLineSpec{{VariantID: variant, Quantity: 2}}})
			h.drain()
			unmapped0, requests0 := h.eng.Stats().UnmappedLocation, shop.Counters().Requests
			toA := create(shopifytest.OrderSpec{Location: a, Lines: one(a)})
			toB := create(shopifytest.OrderSpec{Location: b, Lines: one(b)})
			toC := create(shopifytest.OrderSpec{Location: c, Lines: one(c)})
			split := create(shopifytest.OrderSpec{Location: b, Lines: append(one(b), one(a)...)})
			h.drain()
			if sweep {
				for _, id := range []int64{toA, toB, split} {
					_, ok := h.order(s.Shop, id)
					require.False(t, ok, "webhooks dropped: order %d not there before the sweep", id)
				}
				res, err := h.eng.Reconcile(ctxT(t), s.Shop)
				require.NoError(t, err)
				assert.Equal(t, 5, res.OrdersSeen)
				assert.Equal(t, 4, res.OrdersApplied, "three web orders and the POS sale; the order at C is ignored")
			} else {
				// Each web order's orders/create cost one read of the order.
				assert.Equal(t, int64(4), shop.Counters().Requests-requests0, "one query per web order webhook")
			}

			wh := func(id int64) string {
				t.Helper()
				o, ok := h.order(s.Shop, id)
				require.True(t, ok, "order %d in the WMS", id)
				return o.Warehouse
			}
			assert.Equal(t, whDK, wh(toA), "routed to Copenhagen")
			assert.Equal(t, whDE, wh(toB), "routed to Berlin")
			assert.Equal(t, whDE, wh(split), "split between Berlin and Copenhagen: whole to the first location's warehouse")
			_, ok := h.order(s.Shop, toC)
			assert.False(t, ok, "routed to the unmapped 3PL: not the warehouse's order")
			assert.Equal(t, uint64(1), h.eng.Stats().UnmappedLocation-unmapped0)
			_, ok = h.order(s.Shop, sale)
			assert.False(t, ok, "a POS sale is never a pick order")
			assert.Equal(t, int64(18), h.wms.Level("SCARF-1", whDK).OnHand, "the POS sale moved stock at Copenhagen")
			assert.Equal(t, int64(20), h.wms.Level("SCARF-1", whDE).OnHand)
			assert.Len(t, h.wms.Orders(), 3)

			// Cancelled: the order at C still stays out; B's is cancelled.
			h.tick()
			require.NoError(t, shop.CancelOrder(toC))
			require.NoError(t, shop.CancelOrder(toB))
			h.drain()
			if sweep {
				_, err := h.eng.Reconcile(ctxT(t), s.Shop)
				require.NoError(t, err)
			}
			_, ok = h.order(s.Shop, toC)
			assert.False(t, ok, "an order that never was the warehouse's stays out when cancelled")
			o, _ := h.order(s.Shop, toB)
			assert.Equal(t, wms.OrderCancelled, o.Status)
			assert.Len(t, h.wms.Orders(), 3)
		})
	}
}

// With Config.SkipFulfillmentLocations the connector reads no fulfilment
// locations: web orders go to the WMS's default warehouse wherever Shopify
// routed them (the behaviour before fulfilment locations), and handling
// their webhooks costs no query.
func TestE2E_S5_WebOrderLocationsSkipped(t *testing.T) {
	h := newHarness(t, harnessOptions{conn: connector.Config{SkipFulfillmentLocations: true}})
	shop, s, loc, variant := routingShop(t, h)
	sale, err := shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: loc[1], Lines: []shopifytest.OrderLineSpec{{VariantID: variant, Quantity: 3}}})
	require.NoError(t, err)
	h.drain() // the POS sale makes the engine read the shop's time zone once
	requests0 := shop.Counters().Requests
	var ids []int64
	for _, l := range loc {
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: l, Lines: []shopifytest.OrderLineSpec{{VariantID: variant, Quantity: 1}}})
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	h.drain()
	assert.Zero(t, shop.Counters().Requests-requests0, "no query per order webhook")
	for _, id := range ids {
		o, ok := h.order(s.Shop, id)
		require.True(t, ok, "order %d in the WMS", id)
		assert.Equal(t, "", o.Warehouse, "the default warehouse")
	}
	_, ok := h.order(s.Shop, sale.ID)
	assert.False(t, ok)
	assert.Equal(t, int64(17), h.wms.Level("SCARF-1", whDE).OnHand, "POS keeps its retail location")
	assert.Zero(t, h.eng.Stats().UnmappedLocation)

	// The sweep agrees: nothing new, nothing moved.
	res, err := h.eng.Reconcile(ctxT(t), s.Shop)
	require.NoError(t, err)
	assert.Zero(t, res.OrdersApplied)
	for _, id := range ids {
		o, _ := h.order(s.Shop, id)
		assert.Equal(t, "", o.Warehouse)
	}
}
