package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/console"
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
	"github.com/wmsbridge/wmsbridge/woocommerce"
	wooconnector "github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// The simulated shops and the warehouses of the reference WMS.
const (
	simDK = "demoshop-dk" // granted read_all_orders: a year of sales history
	simUK = "demoshop-uk" // the default scopes: 60 days of orders
	simNO = "demoshop-no" // without the app: connected by installing it

	whCPH   = "CPH"
	whAAR   = "AAR"
	whStore = "STORE"

	simWoo = "demo-woo" // a WooCommerce store: one stock figure per product

	// basePath is where the console is mounted.
	basePath = "/console"
)

// options configure the world.
type options struct {
	Addr      string // listen address, loopback only
	DataDir   string
	Products  int
	TimeScale float64
	Logger    *slog.Logger // the engine's and the console's logs (nil: discard)
}

// world is the example: simulated Shopify shops, the reference WMS, a
// SQLite store, the engine, the webhook endpoint and the console, on one
// local HTTP server.
type world struct {
	o       options
	srv     *shopifytest.Server
	dk, uk  *shopifytest.Shop
	no      *shopifytest.Shop // the app is not installed: the install button connects it
	app     *oauth.App        // the vendor's Shopify app (install flow, token renewal)
	woo     *wootest.Server
	wooShop *wootest.Store
	wooHook string // the secret the Woo connector gives the webhooks it creates
	wms     *warehouse
	store   *sqlite.Store
	eng     *wmssync.Engine
	console *console.Console
	http    *http.Server
	ln      net.Listener
	url     string // http://127.0.0.1:PORT
	secret  string // the simulated app's API secret key, which signs webhooks
	cancel  context.CancelFunc
	done    chan struct{}

	creds *credentials
	log   *slog.Logger

	mu         gosync.Mutex
	conns      []*connector.Connector
	installing map[string]string // shop domain -> shop id, installs started
}

// warehouse is the reference WMS with one rule of a real one: a product
// title with HTML markup in it is refused (wms.ErrInvalid), so the
// console has a failed webhook to show.
type warehouse struct {
	*memwms.WMS
}

// UpsertProducts refuses products whose title has markup.
func (w *warehouse) UpsertProducts(ctx context.Context, ps []wms.Product) error {
	for _, p := range ps {
		if strings.ContainsAny(p.Title, "<>") {
			return fmt.Errorf("%w: product %s: the title %q contains HTML markup", wms.ErrInvalid, p.ExternalID, p.Title)
		}
	}
	return w.WMS.UpsertProducts(ctx, ps)
}

// credentials is the host's secret storage of the example: what merchants
// entered on the console's connect screen, in memory. A real WMS keeps
// them encrypted in its own database.
type credentials struct {
	mu     gosync.Mutex
	tokens map[string]string    // shop id -> Shopify access token
	keys   map[string][2]string // shop id -> WooCommerce consumer key and secret
}

func (c *credentials) saveToken(_ context.Context, shop, _ string, token, _ string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens[shop] = token
	return nil
}

func (c *credentials) saveKeys(_ context.Context, shop, _ string, key, secret string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys[shop] = [2]string{key, secret}
	return nil
}

func (c *credentials) token(shop string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.tokens[shop]
	return t, ok
}

func (c *credentials) wooKeys(shop string) ([2]string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[shop]
	return k, ok
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newWorld builds and starts everything; close stops it.
func newWorld(ctx context.Context, o options) (*world, error) {
	if o.Products <= 0 {
		o.Products = 300
	}
	if o.TimeScale <= 0 {
		o.TimeScale = 10
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &world{o: o, log: log, secret: "demo-app-secret-" + randomHex(8), wooHook: "demo-woo-hook-" + randomHex(8),
		creds: &credentials{tokens: map[string]string{}, keys: map[string][2]string{}}, done: make(chan struct{}),
		installing: map[string]string{}}
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return nil, err
	}
	// The simulated shops and the in-memory WMS start empty, so the store
	// must too.
	for _, name := range []string{"console.db", "console.db-wal", "console.db-shm"} {
		if err := os.Remove(filepath.Join(o.DataDir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	var err error
	w.ln, err = net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, err
	}
	w.url = "http://" + w.ln.Addr().String()

	w.srv = shopifytest.NewServer(
		shopifytest.WithTimeScale(o.TimeScale),
		// One app: its client secret is the legacy apps' API secret key,
		// and it signs every webhook.
		shopifytest.WithOAuthApp(demoClientID, w.secret, w.url+"/shopify/callback"),
		shopifytest.WithWebhookSecret(w.secret),
		shopifytest.WithShop(simDK, shopifytest.WithAccessToken("shpat_"+randomHex(16)),
			shopifytest.WithScopes(append(shopifytest.DefaultScopes(), "read_all_orders")...)),
		shopifytest.WithShop(simUK, shopifytest.WithAccessToken("shpat_"+randomHex(16))),
		shopifytest.WithShop(simNO, shopifytest.WithoutApp()),
	)
	w.dk, w.uk, w.no = w.srv.Shop(simDK), w.srv.Shop(simUK), w.srv.Shop(simNO)
	w.app, err = oauth.New(oauth.Config{ClientID: demoClientID, ClientSecret: w.secret, RedirectURL: w.url + "/shopify/callback",
		HTTPClient: w.srv.HTTPClient(), ShopURL: w.srv.ShopURLByDomain, Logger: log, // only for the simulator
		// Renew a (time-scaled) token five simulated minutes before it expires.
		RefreshMargin: time.Duration(float64(5*time.Minute) / o.TimeScale)})
	if err != nil {
		w.close()
		return nil, err
	}
	w.woo = wootest.NewServer(wootest.WithTimeScale(o.TimeScale),
		wootest.WithStore(simWoo, wootest.WithSiteName("Demo Woo"), wootest.WithCurrency("DKK"), wootest.WithCountry("DK")))
	w.wooShop = w.woo.Store(simWoo)
	if err := w.seed(); err != nil {
		w.close()
		return nil, err
	}

	mw, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{
		{ID: whCPH, Name: "Copenhagen warehouse"},
		{ID: whAAR, Name: "Aarhus warehouse"},
		{ID: whStore, Name: "Copenhagen flagship store"},
	}})
	if err != nil {
		w.close()
		return nil, err
	}
	w.wms = &warehouse{WMS: mw}
	// The installed shops' tokens are sealed in the store; a real WMS
	// keeps the key in its secret store.
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := credential.NewAESGCM(key)
	if err != nil {
		w.close()
		return nil, err
	}
	w.store, err = sqlite.Open(ctx, filepath.Join(o.DataDir, "console.db"), sqlite.WithCredentialSealer(sealer))
	if err != nil {
		w.close()
		return nil, err
	}
	// The activity log keeps each shop's recent log records for the
	// console and passes them on to the example's logger.
	activity := console.NewActivityLog(log.Handler(), 0)
	w.eng, err = wmssync.NewEngine(wmssync.Config{
		Backend:           w.wms,
		Store:             w.store,
		Connect:           w.connect,
		ShopSystems:       []wmssync.ShopSystem{connector.ShopSystem(), wooconnector.ShopSystem()},
		Logger:            slog.New(activity),
		ReconcileInterval: 10 * time.Second,
		AuditInterval:     30 * time.Second,
		Outbound:          wmssync.OutboundConfig{Poll: 200 * time.Millisecond, Backoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second},
	})
	if err != nil {
		w.close()
		return nil, err
	}
	install := console.ShopifyInstall(w.install)
	install.Reauthorize = w.reauthorize
	w.console, err = console.New(console.Config{
		Engine:     w.eng,
		Warehouses: w.wms,
		BasePath:   basePath,
		Methods: []console.Method{install, console.ShopifyToken(w.creds.saveToken),
			console.WooCommerceKeys(w.creds.saveKeys)},
		Activity: activity,
		Title:    "Demo WMS",
		// The API budget chart reads the shops' budgets every second.
		SampleInterval: time.Second,
		Logger:         log,
		// The example has no users: it serves loopback clients only. A
		// real WMS sets Authorize (or Middleware) with its own sign-in.
		LocalDemo: true,
	})
	if err != nil {
		w.close()
		return nil, err
	}
	src, err := shopifywebhook.NewSource(w.secret)
	if err != nil {
		w.close()
		return nil, err
	}
	wooSrc, err := woowebhook.NewSource(w.wooHook)
	if err != nil {
		w.close()
		return nil, err
	}
	// One endpoint for both shop systems: each source recognises its
	// deliveries by their headers.
	hook, err := webhook.NewHandler(w.eng.Inbox(), webhook.WithSource(src), webhook.WithSource(wooSrc), webhook.WithLogger(log))
	if err != nil {
		w.close()
		return nil, err
	}

	// Warehouse events go to the engine's outbox, which sends them to the
	// shops that chose them.
	runCtx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	w.wms.OnEvent(func(e wms.Event) {
		if err := w.eng.Publish(runCtx, e); err != nil && runCtx.Err() == nil {
			log.LogAttrs(runCtx, slog.LevelError, "publish", slog.String("error", err.Error()))
		}
	})
	go func() {
		defer close(w.done)
		_ = w.eng.Run(runCtx)
	}()

	mux := http.NewServeMux()
	mux.Handle("POST /webhooks", hook)
	mux.HandleFunc("GET /shopify/callback", w.handleCallback)
	mux.Handle(basePath+"/", w.console)
	mux.Handle(basePath, w.console)
	mux.Handle("/demo/", w.demoHandler())
	mux.Handle("GET /{$}", http.RedirectHandler(basePath+"/", http.StatusFound))
	// Bounded reads (see README, "Embedding it"); no WriteTimeout, which
	// would cut the setup page's progress stream.
	w.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		IdleTimeout: time.Minute}
	go func() { _ = w.http.Serve(w.ln) }()
	return w, nil
}

// seed fills the simulated shops: DK with three locations (two warehouses
// and a store) and a year of orders, UK with a warehouse location and a
// showroom the WMS does not serve.
func (w *world) seed() error {
	w.dk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse", CountryCode: "DK", City: "København"})
	w.dk.AddLocation(shopifytest.LocationSpec{Name: "Aarhus warehouse", CountryCode: "DK", City: "Aarhus"})
	w.dk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen flagship store", CountryCode: "DK", City: "København"})
	if _, err := w.dk.Seed(shopifytest.SeedOptions{Seed: 1, Locations: 3, Products: w.o.Products, VariantsPerProduct: 3,
		Orders: max(30, w.o.Products/5), OrderAgeDays: 365, POSShare: 0.1}); err != nil {
		return fmt.Errorf("seed %s: %w", simDK, err)
	}
	w.no.AddLocation(shopifytest.LocationSpec{Name: "Oslo warehouse", CountryCode: "NO", City: "Oslo"})
	if _, err := w.no.Seed(shopifytest.SeedOptions{Seed: 3, Locations: 1, Products: max(1, w.o.Products/4), VariantsPerProduct: 2,
		Orders: 10, OrderAgeDays: 30}); err != nil {
		return fmt.Errorf("seed %s: %w", simNO, err)
	}
	w.uk.AddLocation(shopifytest.LocationSpec{Name: "Copenhagen warehouse (ships to UK)", CountryCode: "DK", City: "København"})
	w.uk.AddLocation(shopifytest.LocationSpec{Name: "London showroom", CountryCode: "GB", City: "London"})
	if _, err := w.uk.Seed(shopifytest.SeedOptions{Seed: 2, Locations: 2, Products: max(1, w.o.Products/3), VariantsPerProduct: 2,
		Orders: 20, OrderAgeDays: 50}); err != nil {
		return fmt.Errorf("seed %s: %w", simUK, err)
	}
	w.wooShop.Seed(wootest.SeedOptions{Simple: max(1, w.o.Products/6), Variable: max(1, w.o.Products/12), Orders: 10})
	return nil
}

// connect is the engine's Config.Connect: the credentials the merchant
// entered on the console (a legacy app's token), or those the install
// stored, which the shop's client renews itself; and a connector for the
// shop.
func (w *world) connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
	if s.System == "woocommerce" {
		return w.connectWoo(s)
	}
	name := strings.TrimSuffix(s.Domain(), ".myshopify.com")
	shop := w.srv.Shop(name)
	if shop == nil {
		return nil, fmt.Errorf("no simulated shop at %s: %w", s.Domain(), wmssync.ErrUnreachable)
	}
	auth := shopify.WithTokenSource(w.app.TokenSource(w.store, s.Shop, s.Domain()))
	if token, ok := w.creds.token(s.Shop); ok {
		auth = shopify.WithAccessToken(token)
	}
	opts := []shopify.Option{
		auth,
		shopify.WithBaseURL(w.srv.ShopURL(shop.Name())), // only for the simulator
		shopify.WithHTTPClient(w.srv.HTTPClient()),
		shopify.WithRetryWait(5*time.Millisecond, 250*time.Millisecond),
		shopify.WithLogger(w.log),
	}
	if s.APIVersion != "" {
		opts = append(opts, shopify.WithAPIVersion(s.APIVersion))
	}
	cl, err := shopify.NewClient(s.Domain(), opts...)
	if err != nil {
		return nil, err
	}
	c, err := connector.New(connector.Config{Client: cl, WebhookAddress: w.url + "/webhooks", BulkThreshold: 250})
	if err != nil {
		return nil, err
	}
	w.mu.Lock()
	w.conns = append(w.conns, c)
	w.mu.Unlock()
	return c, nil
}

// connectWoo connects a WooCommerce store with the keys entered on the
// console.
func (w *world) connectWoo(s wmssync.Settings) (wmssync.Connector, error) {
	key, ok := w.creds.wooKeys(s.Shop)
	if !ok {
		return nil, fmt.Errorf("no keys for shop %s: %w", s.Shop, wmssync.ErrUnauthorized)
	}
	cl, err := woocommerce.NewClient(s.AdminURL, woocommerce.WithKeys(key[0], key[1]),
		woocommerce.WithHTTPClient(w.woo.HTTPClient()), // only for the simulator
		woocommerce.WithRetryWait(5*time.Millisecond, 250*time.Millisecond))
	if err != nil {
		return nil, err
	}
	return wooconnector.New(wooconnector.Config{Client: cl, WebhookAddress: w.url + "/webhooks", WebhookSecret: w.wooHook})
}

// secrets returns every secret of the example: the shops' access tokens,
// the app's client secret (which signs Shopify's webhooks), the
// WooCommerce key and the secret of its webhooks, and the tokens the
// installs stored (access and refresh tokens, as they are now). No page
// may show one.
func (w *world) secrets() []string {
	ck, cs := w.wooShop.Key()
	out := []string{w.dk.AccessToken(), w.uk.AccessToken(), w.no.AccessToken(), w.secret, ck, cs, w.wooHook}
	shops, _ := w.eng.Shops(context.Background())
	for _, s := range shops {
		if c, err := w.store.LoadCredentials(context.Background(), s.Shop); err == nil {
			out = append(out, c.AccessToken, c.RefreshToken)
		}
	}
	return slices.DeleteFunc(out, func(s string) bool { return s == "" })
}

func (w *world) close() {
	if w.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = w.http.Shutdown(ctx)
		cancel()
	} else if w.ln != nil {
		_ = w.ln.Close()
	}
	if w.console != nil {
		_ = w.console.Close()
	}
	if w.cancel != nil {
		w.cancel()
		<-w.done
	}
	w.mu.Lock()
	for _, c := range w.conns {
		_ = c.Close()
	}
	w.mu.Unlock()
	if w.srv != nil {
		w.srv.Close()
	}
	if w.woo != nil {
		w.woo.Close()
	}
	if w.store != nil {
		_ = w.store.Close()
	}
}
