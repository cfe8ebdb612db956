package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/wms"
)

func tinyOptions(t *testing.T) options {
	o := defaultOptions()
	o.Products, o.Orders, o.TimeScale = 30, 12, 100
	o.DataDir, o.Progress = t.TempDir(), "off"
	return o
}

// The whole demo at a tiny size: every step runs against the simulated
// shops and the table agrees.
func TestDemoTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := tinyOptions(t)
	o.afterSeed = func(w *world) {
		// An order placed a minute before the orders step starts: within
		// the engine's ClockSkew, so it must reach the warehouse too, by
		// the reconciliation sweep (its webhook predates the subscription).
		v := w.uk.Products()[0].VariantIDs[0]
		_, err := w.uk.CreateOrder(shopifytest.OrderSpec{Location: w.ukCPH, CreatedAt: time.Now().Add(-time.Minute),
			Lines: []shopifytest.OrderLineSpec{{VariantID: v, Quantity: 1}}})
		require.NoError(t, err)
	}
	var out bytes.Buffer
	err := run(ctx, o, &out)
	require.NoError(t, err, out.String())
	s := out.String()
	for _, want := range []string{
		"Connection test of DemoShopDK", "London showroom not mapped (ignored)",
		"DemoShopDK products import 30/30 (100.0%)", "customs_cost", "sales_history",
		"web orders and", "released to picking",
		"orders DemoShopDK", "sales history (units sold)", "1 placed just before the orders step",
		"Connection test of DemoWoo", "not supported: import customs information and cost prices",
		"products DemoWoo", "orders DemoWoo", "stock DemoWoo (= CPH)", "orders packed -> completed DemoWoo", "refunds DemoWoo",
	} {
		assert.Contains(t, s, want)
	}
	assert.NotContains(t, s, "DIFFERS")
	assert.Regexp(t, `All (compared )?rows agree`, s)
}

// A WMS that disagrees with the shop makes the demo fail and says where.
func TestDemoDetectsDisagreement(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o := tinyOptions(t)
	o.beforeCheck = func(w *world) {
		for _, ord := range w.wms.Orders() {
			if ord.Shop == shopDK && ord.Open() && ord.Stage != wms.StagePacked && len(ord.Lines) > 0 {
				ord.Lines[0].Quantity++ // the warehouse got the order wrong
				require.NoError(t, w.wms.UpsertOrder(ctx, ord))
				return
			}
		}
		t.Fatal("no open order to tamper with")
	}
	var out bytes.Buffer
	err := run(ctx, o, &out)
	require.Error(t, err)
	line := ""
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.Contains(l, "orders DemoShopDK") {
			line = l
		}
	}
	assert.Contains(t, line, "DIFFERS", out.String())
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, defaultOptions(), o)

	o, err = parseFlags([]string{"-products", "200", "-orders", "20", "-rate", "plus", "-faults", "-data", "/tmp/x"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, 200, o.Products)
	assert.True(t, o.Faults)

	for _, args := range [][]string{
		{"-products", "0"}, {"-products", "30001"}, {"-rate", "gold"}, {"-timescale", "0.5"},
		{"-token", "shpat_x"},                                                                        // needs -shop
		{"-shop", "x.myshopify.com"},                                                                 // needs a token
		{"-shop", "x", "-token", "t", "-client-id", "c"},                                             // both kinds of credentials
		{"-shop", "x", "-token", "t", "-write"},                                                      // -write needs a webhook address
		{"-shop", "x", "-token", "t", "-write", "-webhook-address", "http://plain"},                  // not https
		{"-shop", "x", "-token", "t", "-write", "-webhook-address", "https://wms.example.com/h"},     // no webhook secret
		{"-redirect-url", "https://wms.example.com/cb"},                                              // needs -shop
		{"-shop", "x", "-token", "t", "-redirect-url", "https://wms.example.com/cb"},                 // the install flow needs the app's credentials
		{"-shop", "x", "-client-id", "c", "-client-secret", "s", "-redirect-url", "http://plain/cb"}, // not https
		{"extra"},
	} {
		_, err := parseFlags(args, &bytes.Buffer{})
		assert.Error(t, err, "%v", args)
	}
	o, err = parseFlags([]string{"-shop", "x", "-client-id", "c", "-client-secret", "s", "-write", "-webhook-address", "https://wms.example.com/webhooks/shopify"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.True(t, o.Write)
	o, err = parseFlags([]string{"-shop", "x", "-client-id", "c", "-client-secret", "s", "-redirect-url", "https://wms.example.com/shopify/callback", "-listen", "127.0.0.1:9090"}, &bytes.Buffer{})
	require.NoError(t, err)
	assert.Equal(t, "https://wms.example.com/shopify/callback", o.RedirectURL)
	assert.Equal(t, "127.0.0.1:9090", o.Listen)
}
