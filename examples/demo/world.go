package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
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
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
)

// The simulated shops and the warehouses of the reference WMS.
const (
	simDK = "demoshop-dk" // the main shop, in Denmark
	simUK = "demoshop-uk" // the UK shop, shipping from the Danish warehouse

	shopDK = "DemoShopDK"
	shopUK = "DemoShopUK"

	whCPH   = "CPH"   // Copenhagen warehouse
	whAAR   = "AAR"   // Aarhus warehouse
	whStore = "STORE" // the Copenhagen flagship store (POS)

	// demoClientID and webhookSecret are the simulated vendor app's client
	// ID and client secret; the secret also signs the webhooks. A real
	// host reads them from its secret store.
	demoClientID  = "demo-app-client-id"
	webhookSecret = "demo-app-client-secret"
)

// world is everything the demo runs: the simulated Shopify and
// WooCommerce, the reference WMS, the SQLite store, the engine and the
// webhook endpoint.
type world struct {
	o     options
	srv   *shopifytest.Server
	dk    *shopifytest.Shop
	uk    *shopifytest.Shop
	wms   *memwms.WMS
	store *sqlite.Store
	eng   *wmssync.Engine
	hook  *http.Server
	addr  string // webhook address given to the shops
	base  string // the local server's address: webhooks, install link, OAuth callback
	app   *oauth.App
	log   *slog.Logger
	logf  *os.File

	// Shop locations (legacy ids) by role.
	dkCPH, dkAAR, dkStore int64
	ukCPH, ukLondon       int64

	woo     *wooShop // the WooCommerce store (woo.go)
	wooAddr string   // webhook address given to it

	mu    gosync.Mutex
	conns []*connector.Connector

	publishing bool     // WMS events go to the engine's outbox
	eventsFrom int      // index of the first WMS event published
	received   []string // purchase orders goods were received on
}

// newWorld builds the simulated shops (catalogues seeded, nothing sent to
// the WMS yet), the WMS, the store and the engine, and starts the webhook
// endpoint.
func newWorld(ctx context.Context, o options) (*world, error) {
	w := &world{o: o}
	plan, err := planFor(o.Rate)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	// The simulated shops and the in-memory WMS start empty on every run,
	// so the store must too: a store that remembers finished steps would
	// skip the import into an empty warehouse.
	for _, name := range []string{"demo.db", "demo.db-wal", "demo.db-shm", "demo.log"} {
		if err := os.Remove(filepath.Join(o.DataDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	w.logf, err = os.Create(filepath.Join(o.DataDir, "demo.log"))
	if err != nil {
		return nil, err
	}
	w.log = slog.New(slog.NewTextHandler(w.logf, &slog.HandlerOptions{Level: slog.LevelInfo}))

	// Shopify, simulated: two shops on one server, Standard-plan limits
	// running TimeScale times faster, and the vendor's app, which the
	// merchant installs on each shop (the shops start without it).
	w.srv = shopifytest.NewServer(
		shopifytest.WithTimeScale(o.TimeScale),
		shopifytest.WithSeed(o.Seed),
		shopifytest.WithOAuthApp(demoClientID, webhookSecret),
		shopifytest.WithShop(simDK, shopifytest.WithPlan(plan), shopifytest.WithoutApp()),
		shopifytest.WithShop(simUK, shopifytest.WithPlan(plan), shopifytest.WithoutApp()),
	)
	w.dk, w.uk = w.srv.Shop(simDK), w.srv.Shop(simUK)
	if err := w.seed(); err != nil {
		w.close()
		return nil, err
	}
	if err := w.newWoo(); err != nil {
		w.close()
		return nil, err
	}
	if o.afterSeed != nil {
		o.afterSeed(w)
	}

	w.wms, err = memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{
		{ID: whCPH, Name: "Copenhagen warehouse"},
		{ID: whAAR, Name: "Aarhus warehouse"},
		{ID: whStore, Name: "Copenhagen flagship store"},
	}})
	if err != nil {
		w.close()
		return nil, err
	}
	// The store keeps the shops' credentials too, sealed with a key the
	// host would keep in its secret store (a new one per run here).
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := credential.NewAESGCM(key)
	if err != nil {
		w.close()
		return nil, err
	}
	w.store, err = sqlite.Open(ctx, filepath.Join(o.DataDir, "demo.db"), sqlite.WithSynchronousNormal(), sqlite.WithCredentialSealer(sealer))
	if err != nil {
		w.close()
		return nil, err
	}
	w.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend:           w.wms,
		Store:             w.store,
		Connect:           w.connect,
		ShopSystems:       []wmssync.ShopSystem{connector.ShopSystem(), wooconnector.ShopSystem()},
		Logger:            w.log,
		ReconcileInterval: 3 * time.Second,
		AuditInterval:     10 * time.Second,
		// Retry failed shop calls sooner than the defaults (1s doubling up
		// to 10 minutes), so a run with -faults converges within minutes.
		Outbound: wmssync.OutboundConfig{Poll: 200 * time.Millisecond, Backoff: 100 * time.Millisecond, MaxBackoff: 2 * time.Second},
	})
	if err != nil {
		w.close()
		return nil, err
	}

	// The webhook endpoint: a real HTTP server on a local port, verifying
	// each delivery's signature and storing it in the SQLite inbox before
	// answering.
	src, err := shopifywebhook.NewSource(webhookSecret)
	if err != nil {
		return nil, err
	}
	wsrc, err := wooSource()
	if err != nil {
		return nil, err
	}
	// One handler serves both shop systems: it tells their deliveries
	// apart by their headers (and answers WooCommerce's unsigned ping).
	h, err := webhook.NewHandler(w.eng.Inbox(), webhook.WithSource(src, wsrc), webhook.WithLogger(w.log))
	if err != nil {
		w.close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.close()
		return nil, err
	}
	w.base = "http://" + ln.Addr().String()
	// The vendor's app: the install link, the OAuth callback, and the
	// token source that renews the shops' expiring tokens.
	w.app, err = oauth.New(oauth.Config{
		ClientID: demoClientID, ClientSecret: webhookSecret, RedirectURL: w.base + "/shopify/callback",
		HTTPClient: w.srv.HTTPClient(), ShopURL: w.srv.ShopURLByDomain, Logger: w.log,
		// Renew a (time-scaled) token five simulated minutes before it expires.
		RefreshMargin: time.Duration(float64(5*time.Minute) / o.TimeScale),
	})
	if err != nil {
		_ = ln.Close()
		w.close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/shopify", h)
	mux.Handle("POST /webhooks/woocommerce", h)
	mux.HandleFunc("GET /shopify/install", w.handleInstall)
	mux.HandleFunc("GET /shopify/callback", w.handleCallback)
	w.hook = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute} // see README, "Embedding it"
	go func() { _ = w.hook.Serve(ln) }()
	w.addr = w.base + "/webhooks/shopify"
	w.wooAddr = w.base + "/webhooks/woocommerce"
	return w, nil
}

// seed fills the simulated shops: the DK shop with o.Products products of
// three variants at three locations (two warehouses and a store with a
// point of sale) and a year of orders; the UK shop with the first 40% of
// the same SKUs at a location that is the Copenhagen warehouse as seen from
// the UK shop (same stock figures: the stock is shared) and a London
// showroom the WMS does not serve.
func (w *world) seed() error {
	w.dkCPH = w.dk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse", CountryCode: "DK", City: "København"}).ID
	w.dkAAR = w.dk.AddLocation(shopifytest.LocationSpec{Name: "Aarhus warehouse", CountryCode: "DK", City: "Aarhus"}).ID
	w.dkStore = w.dk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen flagship store", CountryCode: "DK", City: "København"}).ID
	history := max(50, w.o.Products/3)
	if _, err := w.dk.Seed(shopifytest.SeedOptions{
		Seed: w.o.Seed, Locations: 3, Products: w.o.Products, VariantsPerProduct: 3,
		Orders: history, OrderAgeDays: 365, POSShare: 0.15,
	}); err != nil {
		return fmt.Errorf("seed %s: %w", simDK, err)
	}

	w.ukCPH = w.uk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse (ships to UK)", CountryCode: "DK", City: "København"}).ID
	w.ukLondon = w.uk.AddLocation(shopifytest.LocationSpec{Name: "London showroom", CountryCode: "GB", City: "London"}).ID
	if _, err := w.uk.Seed(shopifytest.SeedOptions{
		Seed: w.o.Seed + 1, Locations: 2, Products: max(1, w.o.Products*2/5), VariantsPerProduct: 3,
		Orders: max(20, history/4), OrderAgeDays: 50, POSShare: 0.01,
	}); err != nil {
		return fmt.Errorf("seed %s: %w", simUK, err)
	}
	// Shared stock: the UK shop's Copenhagen location shows the same
	// figures as the DK shop's (both are the one Copenhagen warehouse).
	// Seeded orders committed some units; set "available" so that on hand
	// matches.
	dkItems := map[string]int64{} // SKU -> DK inventory item
	for _, p := range w.dk.Products() {
		for _, vid := range p.VariantIDs {
			v, _ := w.dk.Variant(vid)
			it, _ := w.dk.InventoryItem(v.InventoryItemID)
			dkItems[it.SKU] = it.ID
		}
	}
	for _, p := range w.uk.Products() {
		for _, vid := range p.VariantIDs {
			uv, _ := w.uk.Variant(vid)
			it, _ := w.uk.InventoryItem(uv.InventoryItemID)
			dkItem, ok := dkItems[it.SKU]
			if !ok {
				continue
			}
			onHand := w.dk.Quantity(dkItem, w.dkCPH, "on_hand")
			committed := w.uk.Quantity(it.ID, w.ukCPH, "committed")
			if err := w.uk.SetQuantity(it.ID, w.ukCPH, "available", onHand-committed); err != nil {
				return err
			}
		}
	}
	return nil
}

// connect is the engine's Config.Connect: the shop's client reads the
// credentials the install stored and renews its expiring token itself.
func (w *world) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	if s.System == "woocommerce" {
		return w.wooConnect(s)
	}
	name := strings.TrimSuffix(s.Domain(), ".myshopify.com")
	shop := w.srv.Shop(name)
	if shop == nil {
		return nil, fmt.Errorf("no simulated shop %q: %w", name, wmssync.ErrUnreachable)
	}
	cl, err := shopify.NewClient(s.Domain(),
		shopify.WithTokenSource(w.app.TokenSource(w.store, s.Shop, s.Domain())), // the install's credentials, renewed
		shopify.WithBaseURL(w.srv.ShopURL(shop.Name())),                         // only for the simulator
		shopify.WithHTTPClient(w.srv.HTTPClient()),
		shopify.WithRetryWait(5*time.Millisecond, 250*time.Millisecond),
		shopify.WithLogger(w.log))
	if err != nil {
		return nil, err
	}
	// Bulk exports from 250 products on (the connector's default is 2,000):
	// paging a catalogue with stock at three locations costs about 40
	// points a product, which the Standard plan restores at 100 a second.
	c, err := connector.New(connector.Config{Client: cl, WebhookAddress: w.addr, Logger: w.log, BulkThreshold: 250})
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.conns = append(w.conns, c)
	w.mu.Unlock()
	return c, nil
}

// settings returns the merchant's settings of both shops (S1-S5, S12, S13).
func (w *world) settings() []wmssync.Settings {
	outbound := wmssync.DefaultOutbound()
	for k := range outbound {
		outbound[k] = true // the demo shows every message kind
	}
	dk := wmssync.Settings{
		System: "shopify", Shop: shopDK, DisplayName: "Demo Shop DK", Country: "DK",
		AdminURL: "https://" + w.dk.Domain(), Main: true, POS: true,
		Locations: map[string]string{
			shopify.GID("Location", w.dkCPH):   whCPH,
			shopify.GID("Location", w.dkAAR):   whAAR,
			shopify.GID("Location", w.dkStore): whStore,
		},
		Outbound: outbound,
		// SalesHistorySince zero: one year back (needs read_all_orders).
	}
	uk := wmssync.Settings{
		System: "shopify", Shop: shopUK, DisplayName: "Demo Shop UK", Country: "GB",
		AdminURL: "https://" + w.uk.Domain() + "/admin", // normalised on save
		Locations: map[string]string{
			shopify.GID("Location", w.ukCPH): whCPH,
			// the London showroom stays unmapped: ignored, and reported
		},
		Outbound:          outbound,
		SalesHistorySince: wms.DateOf(time.Now().AddDate(0, 0, -45)),
	}
	return []wmssync.Settings{dk, uk, w.wooSettings()}
}

func (w *world) close() {
	if w.hook != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = w.hook.Shutdown(ctx)
		cancel()
	}
	w.mu.Lock()
	for _, c := range w.conns {
		_ = c.Close()
	}
	w.mu.Unlock()
	if w.srv != nil {
		w.srv.Close()
	}
	if w.woo != nil && w.woo.srv != nil {
		w.woo.srv.Close()
	}
	if w.store != nil {
		_ = w.store.Close()
	}
	if w.logf != nil {
		_ = w.logf.Close()
	}
}
