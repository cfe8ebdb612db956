package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// runRealShop runs against a real Shopify shop. Without -write it only
// reads: the connection test (shop, token, scopes, locations, API version)
// and a count of the products a product import would read. With -write it
// runs the setup steps too, which register webhook subscriptions in the
// shop (to -webhook-address) and import into an in-memory reference WMS;
// the webhook endpoint then listens on -listen until interrupted, for a
// tunnel or proxy at -webhook-address to reach.
//
// The credentials: -token (a legacy custom app's), -client-id and
// -client-secret (the client-credentials grant, for shops of the app's
// own organisation), or those plus -redirect-url (the app is installed
// through the OAuth flow: the run prints the install link and waits for
// Shopify's callback on -listen, then keeps the expiring token and its
// refresh token in the run's SQLite store, sealed when
// WMSBRIDGE_CREDENTIAL_KEY holds a hex AES key).
//
// This path is not exercised against a real shop by the project's tests
// (they have none); it uses the same client, connector and engine as the
// simulated run.
func runRealShop(ctx context.Context, o options, out io.Writer) error {
	if err := os.MkdirAll(o.DataDir, 0o755); err != nil {
		return err
	}
	logf, err := os.OpenFile(filepath.Join(o.DataDir, "real-shop.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	logger := slog.New(slog.NewTextHandler(logf, nil))

	adminURL, err := connector.NormalizeAdminURL(o.Shop)
	if err != nil {
		return fmt.Errorf("-shop: %w", err)
	}
	u, _ := url.Parse(adminURL)
	storePath := filepath.Join(o.DataDir, "real-shop.db")
	var storeOpts []sqlite.Option
	if key := os.Getenv("WMSBRIDGE_CREDENTIAL_KEY"); key != "" {
		raw, err := hex.DecodeString(key)
		if err != nil {
			return errors.New("WMSBRIDGE_CREDENTIAL_KEY: want 32, 48 or 64 hex digits")
		}
		sealer, err := credential.NewAESGCM(raw)
		if err != nil {
			return fmt.Errorf("WMSBRIDGE_CREDENTIAL_KEY: %w", err)
		}
		storeOpts = append(storeOpts, sqlite.WithCredentialSealer(sealer))
	}
	store, err := sqlite.Open(ctx, storePath, storeOpts...)
	if err != nil {
		return err
	}
	defer store.Close()

	// The local server: the install flow's callback and, with -write, the
	// webhook endpoint; -listen is where a tunnel or proxy reaches it.
	mux := http.NewServeMux()
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 15 * time.Second, IdleTimeout: time.Minute} // see README, "Embedding it"
	go func() { _ = hs.Serve(ln) }()
	defer hs.Close()

	opts := []shopify.Option{shopify.WithLogger(logger)}
	switch {
	case o.Token != "":
		opts = append(opts, shopify.WithAccessToken(o.Token)) // legacy custom app token
	case o.RedirectURL != "":
		// A vendor app the merchant installs: OAuth with expiring tokens.
		ts, err := installRealShop(ctx, o, u.Host, store, mux, logger, out)
		if err != nil {
			return err
		}
		opts = append(opts, shopify.WithTokenSource(ts))
	default:
		opts = append(opts, shopify.WithClientCredentials(o.ClientID, o.ClientSecret)) // own-organisation Dev Dashboard app
	}
	if o.APIVersion != "" {
		opts = append(opts, shopify.WithAPIVersion(o.APIVersion))
	}
	client, err := shopify.NewClient(u.Host, opts...)
	if err != nil {
		return err
	}
	warehouse, err := memwms.New(nil)
	if err != nil {
		return err
	}
	var conns []*connector.Connector
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	eng, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, Store: store, Logger: logger,
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			c, err := connector.New(connector.Config{Client: client, WebhookAddress: o.WebhookAddress, Logger: logger})
			if err == nil {
				conns = append(conns, c)
			}
			return c, err
		},
	})
	if err != nil {
		return err
	}

	// Read-only: the connection test, with every location mapped to the
	// WMS's one warehouse.
	settings := wmssync.Settings{Shop: "RealShop", AdminURL: adminURL, APIVersion: o.APIVersion, Main: true,
		SalesHistorySince: wmsToday().AddDays(-30)}
	probe, err := eng.TestConnection(ctx, settings)
	if err != nil {
		return err
	}
	settings.Locations = map[string]string{}
	for _, l := range probe.Locations {
		if l.Active {
			settings.Locations[l.ID] = memwms.DefaultWarehouse
		}
	}
	section(out, "Connection test of "+adminURL)
	report, err := eng.TestConnection(ctx, settings)
	if err != nil {
		return err
	}
	fmt.Fprint(out, indent(report.String()))
	if !report.Reached || !report.Authorized {
		return errors.New("the shop cannot be read with these credentials")
	}

	section(out, "Products the import would read (read-only listing)")
	c, err := connector.New(connector.Config{Client: client, Logger: logger, BulkThreshold: -1})
	if err != nil {
		return err
	}
	defer c.Close()
	started := time.Now()
	var products, variants int
	for cursor := ""; ; {
		page, err := c.Products(ctx, wmssync.ProductQuery{}, cursor)
		if err != nil {
			return err
		}
		products += len(page.Items)
		for _, p := range page.Items {
			variants += len(p.Variants)
		}
		fmt.Fprintf(out, "\r  %d of %d products, %d variants", products, page.Total, variants)
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	fmt.Fprintf(out, "\n  listed in %s\n", time.Since(started).Round(time.Millisecond))
	if !o.Write {
		fmt.Fprintln(out, "\nRead-only run: nothing was written to the shop. Add -write -webhook-address https://... to run the setup steps.")
		return nil
	}

	section(out, "Setup steps (writes: webhook subscriptions to "+o.WebhookAddress+")")
	if _, err := eng.SaveSettings(ctx, settings); err != nil {
		return err
	}
	secret := o.WebhookSecret
	if secret == "" {
		secret = o.ClientSecret // Dev Dashboard apps sign webhooks with the client secret
	}
	src, err := shopifywebhook.NewSource(secret)
	if err != nil {
		return err
	}
	h, err := webhook.NewHandler(eng.Inbox(), webhook.WithSource(src), webhook.WithLogger(logger))
	if err != nil {
		return err
	}
	mux.Handle("POST /webhooks/shopify", h)
	go func() { _ = eng.Run(ctx) }()
	view := newProgressView(out, o.Progress)
	if err := eng.RunSetup(ctx, settings.Shop, view.show); err != nil {
		return err
	}
	view.finish()
	fmt.Fprintf(out, "  %d items in the WMS; serving webhooks on %s until interrupted\n", len(warehouse.Items()), ln.Addr())
	<-ctx.Done()
	return nil
}

func wmsToday() wms.Date { return wms.DateOf(time.Now()) }

// installRealShop returns the token source of the shop's stored
// credentials, installing the app first when none are stored: it prints
// the install link and waits for the merchant's approval to reach the
// callback.
func installRealShop(ctx context.Context, o options, shop string, store *sqlite.Store, mux *http.ServeMux, logger *slog.Logger, out io.Writer) (shopify.TokenSource, error) {
	const key = "RealShop"
	app, err := oauth.New(oauth.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: o.RedirectURL, Logger: logger})
	if err != nil {
		return nil, err
	}
	if _, err := store.LoadCredentials(ctx, key); err == nil {
		fmt.Fprintf(out, "  using the credentials stored by an earlier install (%s)\n", filepath.Join(o.DataDir, "real-shop.db"))
		return app.TokenSource(store, key, shop), nil
	}
	done := make(chan error, 1)
	u, _ := url.Parse(o.RedirectURL)
	mux.HandleFunc("GET "+u.Path, func(w http.ResponseWriter, r *http.Request) {
		grant, err := app.Callback(r.Context(), r.URL.Query())
		if err == nil {
			_, err = credential.Replace(r.Context(), store, grant.Credentials(key))
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			select {
			case done <- err:
			default:
			}
			return
		}
		fmt.Fprintf(w, "The app is installed on %s. You can close this page.\n", grant.Shop)
		select {
		case done <- nil:
		default:
		}
	})
	today := wmsToday()
	features := wmssync.Settings{Main: true, SalesHistorySince: today.AddDays(-30)}.Features(today, wmssync.DefaultSalesHistoryDays)
	link, err := app.AuthorizeURL(ctx, shop, connector.InstallScopes(features))
	if err != nil {
		return nil, err
	}
	section(out, "Install the app on "+shop)
	fmt.Fprintf(out, "  open this link as the shop's owner and approve the app:\n\n  %s\n\n  waiting for Shopify's callback at %s (served on %s) ...\n", link, o.RedirectURL, o.Listen)
	select {
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("install: %w", err)
		}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	fmt.Fprintln(out, "  installed: an expiring offline token and its refresh token are stored")
	return app.TokenSource(store, key, shop), nil
}
