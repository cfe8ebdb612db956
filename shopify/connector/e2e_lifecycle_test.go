package connector_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/internal/storedump"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// settableClock is the one clock of the simulator, the app, the store and
// the engine, so a test can let an hour pass.
type settableClock struct {
	mu gosync.Mutex
	t  time.Time
}

func (c *settableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *settableClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestE2E_AppLifecycle is the merchant's whole life with the vendor's app,
// against the simulator, on a SQLite store: install through the OAuth
// flow (expiring offline token) → setup → orders by webhook → the access
// token expires mid-run and is refreshed before a call fails → uninstall
// (work stops, nothing is sent into a 401, the host is told and deletes
// the credentials) → reinstall (the parked message is sent, orders flow,
// nothing is imported again) → customers/redact (the customer's e-mail is
// in no stored payload any more) → uninstall and shop/redact (no row of
// the shop is left in any table of the database).
func TestE2E_AppLifecycle(t *testing.T) {
	const (
		clientID, clientSecret = "wms-vendor", "shpss_VENDOR_SECRET_e2e"
		redirect               = "https://wms.example/shopify/callback"
		shopID                 = "MERCHANTDK"
	)
	clk := &settableClock{t: time.Now().UTC().Truncate(time.Second)}
	srv := shopifytest.NewServer(shopifytest.WithClock(clk.Now), shopifytest.WithOAuthApp(clientID, clientSecret, redirect))
	t.Cleanup(srv.Close)
	shop := srv.AddShop("merchant-dk", shopifytest.WithoutApp())
	dk := shop.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen", CountryCode: "DK"})
	seed, err := shop.Seed(shopifytest.SeedOptions{Seed: 17, Products: 6, Locations: 1})
	require.NoError(t, err)

	dbPath := filepath.Join(t.TempDir(), "wms.db")
	store, err := sqlite.Open(ctxT(t), dbPath, sqlite.WithClock(clk.Now))
	require.NoError(t, err)
	t.Cleanup(func() { store.Close() })
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	app, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirect,
		HTTPClient: srv.HTTPClient(), ShopURL: srv.ShopURLByDomain, Now: clk.Now, Logger: logger})
	require.NoError(t, err)
	warehouse, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: whDK, Name: "Denmark"}}})
	require.NoError(t, err)

	var (
		hookAddr string
		told     = make(chan wmssync.ShopEvent, 16)
	)
	eng, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, Store: store, ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()}, Logger: logger, Now: clk.Now,
		ReconcileInterval: time.Hour, AuditInterval: time.Hour,
		// The host: the shop's client reads its credentials from the store.
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			cl, err := shopify.NewClient(s.Domain(), shopify.WithTokenSource(app.TokenSource(store, s.Shop, s.Domain())),
				shopify.WithBaseURL(srv.ShopURLByDomain(s.Domain())), shopify.WithHTTPClient(srv.HTTPClient()),
				shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond), shopify.WithLogger(logger), shopify.WithClock(clk.Now))
			if err != nil {
				return nil, err
			}
			return connector.New(connector.Config{Client: cl, WebhookAddress: hookAddr, BulkWait: fastBulk, Logger: logger})
		},
		// The host deletes the credentials of a shop that removed the app.
		OnShopEvent: func(ctx context.Context, ev wmssync.ShopEvent) error {
			if ev.Kind == wmssync.ShopDisconnected {
				if err := store.DeleteCredentials(ctx, ev.Shop); err != nil {
					return err
				}
			}
			told <- ev
			return nil
		},
	})
	require.NoError(t, err)
	src, err := shopifywebhook.NewSource(clientSecret)
	require.NoError(t, err)
	handler, err := webhook.NewHandler(eng.Inbox(), webhook.WithSource(src), webhook.WithLogger(logger), webhook.WithClock(clk.Now))
	require.NoError(t, err)
	hook := httptest.NewServer(handler)
	t.Cleanup(hook.Close)
	hookAddr = hook.URL + "/webhooks/shopify"
	// The compliance topics come from the app's configuration (TOML).
	for _, topic := range []string{"CUSTOMERS_DATA_REQUEST", "CUSTOMERS_REDACT", "SHOP_REDACT"} {
		shop.AddWebhookSubscription(topic, hookAddr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	runDone := make(chan struct{})
	go func() { defer close(runDone); _ = eng.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-runDone })

	settings := wmssync.Settings{Shop: shopID, AdminURL: "https://" + shop.Domain(), Country: "dk",
		Locations: map[string]string{shopify.GID("Location", dk.ID): whDK}, SalesHistorySince: wms.DateOf(clk.Now())}
	install := func() {
		t.Helper()
		features := settings.Features(wms.DateOf(clk.Now()), 365)
		link, err := app.AuthorizeURL(ctxT(t), shop.Domain(), connector.InstallScopes(features))
		require.NoError(t, err)
		back, err := srv.Authorize(link) // the merchant's browser, approving
		require.NoError(t, err)
		grant, err := app.Callback(ctxT(t), back.Query())
		require.NoError(t, err)
		assert.Empty(t, grant.Missing())
		assert.False(t, grant.Token.Expiry.IsZero(), "an expiring offline token")
		_, err = credential.Replace(ctxT(t), store, grant.Credentials(shopID))
		require.NoError(t, err)
	}
	waitOrder := func(id int64) {
		t.Helper()
		require.Eventually(t, func() bool {
			_, err := warehouse.Order(context.Background(), wms.OrderKey{Shop: shopID, ExternalID: shopify.GID("Order", id)})
			return err == nil
		}, 20*time.Second, 20*time.Millisecond, "order %d reached the WMS", id)
	}
	newOrder := func() int64 {
		t.Helper()
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: dk.ID, Lines: []shopifytest.OrderLineSpec{{VariantID: seed.VariantIDs[0], Quantity: 1}}})
		require.NoError(t, err)
		return o.ID
	}
	nextEvent := func(kind wmssync.ShopEventKind) wmssync.ShopEvent {
		t.Helper()
		for {
			select {
			case ev := <-told:
				if ev.Kind == kind {
					return ev
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("the host was not told %s", kind)
			}
		}
	}

	// Install and set up.
	install()
	settings, err = eng.SaveSettings(ctxT(t), settings)
	require.NoError(t, err)
	report, err := eng.TestConnection(ctxT(t), settings)
	require.NoError(t, err)
	require.True(t, report.OK(), "%v", report.Problems())
	require.NoError(t, eng.RunSetup(ctxT(t), shopID, nil))
	stepsBefore, err := eng.StepStates(ctxT(t), shopID)
	require.NoError(t, err)
	itemsBefore := len(warehouse.Items())
	require.Positive(t, itemsBefore)

	// Orders flow.
	waitOrder(newOrder())

	// The access token expires mid-run: the next call refreshes first.
	grants, unauthorized := shop.TokenGrants(), shop.Counters().Unauthorized
	clk.Advance(time.Hour + time.Minute)
	waitOrder(newOrder()) // a web order is read from the shop before it is applied
	assert.Equal(t, grants+1, shop.TokenGrants(), "one refresh")
	assert.Equal(t, unauthorized, shop.Counters().Unauthorized, "no call failed with an expired token")

	// Uninstall: work stops, the host is told (and deletes the credentials).
	shop.UninstallApp()
	ev := nextEvent(wmssync.ShopDisconnected)
	assert.Equal(t, shopID, ev.Shop)
	_, err = store.LoadCredentials(ctxT(t), shopID)
	require.ErrorIs(t, err, credential.ErrNotFound)
	unauthorized = shop.Counters().Unauthorized
	sku := skuOf(shop, seed.VariantIDs[0])
	require.NoError(t, eng.Publish(ctxT(t), wms.StockChanged{EventInfo: wms.EventInfo{ID: "stock-after-uninstall", Time: clk.Now()},
		SKU: sku, Warehouse: whDK, OnHand: 77, Available: 77}))
	require.Eventually(t, func() bool {
		dead, err := store.ListOutbox(context.Background(), wmssync.OutboxFilter{Shop: shopID, State: wmssync.OutboxDead})
		return err == nil && len(dead) == 1 && strings.Contains(dead[0].LastError, "parked: the shop removed the app")
	}, 20*time.Second, 20*time.Millisecond, "the stock message is parked")
	_, err = eng.Reconcile(ctxT(t), shopID)
	assert.ErrorIs(t, err, wmssync.ErrShopDisconnected)
	time.Sleep(300 * time.Millisecond) // let the engine's loops run a while
	assert.Equal(t, unauthorized, shop.Counters().Unauthorized, "nothing was sent into a 401")
	v, ok := shop.Variant(seed.VariantIDs[0])
	require.True(t, ok)
	item := v.InventoryItemID
	assert.NotEqual(t, 77, shop.Quantity(item, dk.ID, "available"))

	// Reinstall: the parked message goes out, orders flow, no re-import.
	install()
	require.NoError(t, eng.CredentialsChanged(ctxT(t), shopID))
	nextEvent(wmssync.ShopReconnected)
	require.Eventually(t, func() bool { return shop.Quantity(item, dk.ID, "available") == 77 }, 20*time.Second, 20*time.Millisecond,
		"the parked stock message was sent after the reinstall")
	waitOrder(newOrder()) // the order webhooks were subscribed again
	stepsAfter, err := eng.StepStates(ctxT(t), shopID)
	require.NoError(t, err)
	for i := range stepsBefore {
		assert.Equal(t, stepsBefore[i].Status, stepsAfter[i].Status, stepsBefore[i].Step)
		assert.True(t, stepsBefore[i].FinishedAt.Equal(stepsAfter[i].FinishedAt), "step %s ran again", stepsBefore[i].Step)
	}
	assert.Equal(t, itemsBefore, len(warehouse.Items()))
	_, err = eng.Reconcile(ctxT(t), shopID)
	require.NoError(t, err)

	// A customer asks to be forgotten: their data leaves the stored payloads.
	o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: dk.ID, Email: "jane.doe@example.com",
		Lines: []shopifytest.OrderLineSpec{{VariantID: seed.VariantIDs[1], Quantity: 1}}})
	require.NoError(t, err)
	waitOrder(o.ID)
	require.NoError(t, srv.WaitWebhooks(ctxT(t)))
	holds := func() bool {
		for _, rs := range storedump.SQLite(t, dbPath) {
			for _, r := range rs {
				if strings.Contains(r, "jane.doe@example.com") {
					return true
				}
			}
		}
		return false
	}
	require.True(t, holds(), "the order webhook stored the customer's e-mail")
	shop.RedactCustomer(shopifytest.CustomerRequest{CustomerID: 4242, Email: "jane.doe@example.com", OrderIDs: []int64{o.ID}})
	ev = nextEvent(wmssync.ShopCustomerRedacted)
	assert.Equal(t, []string{shopify.GID("Order", o.ID)}, ev.Customer.Orders)
	require.Eventually(t, func() bool { return !holds() }, 20*time.Second, 50*time.Millisecond,
		"no stored payload holds the customer's e-mail (the redaction request's own included)")

	// Uninstall for good; 48 hours later Shopify asks to erase the shop.
	shop.UninstallApp()
	nextEvent(wmssync.ShopDisconnected)
	clk.Advance(48 * time.Hour)
	require.NoError(t, shop.RedactShop())
	nextEvent(wmssync.ShopRedacted)
	require.Eventually(t, func() bool {
		_, err := eng.Settings(context.Background(), shopID)
		return errors.Is(err, wmssync.ErrNotFound)
	}, 20*time.Second, 20*time.Millisecond)
	require.NoError(t, srv.WaitWebhooks(ctxT(t)))
	time.Sleep(200 * time.Millisecond) // the redact event's own settling
	rows := storedump.SQLite(t, dbPath)
	require.Contains(t, rows, "wmsbridge_inbox")
	for table, rs := range rows {
		for _, r := range rs {
			for _, needle := range []string{shopID, shop.Domain()} {
				assert.NotContains(t, r, needle, "a row of the erased shop is left in %s", table)
			}
		}
	}
	for _, secret := range []string{clientSecret} {
		assert.NotContains(t, logs.String(), secret)
	}
}

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu gosync.Mutex
	b  strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
