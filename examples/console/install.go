package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/wmsbridge/wmsbridge/console"
	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The vendor's Shopify app, as a WMS serves its install: the console's
// "Install the app" button sends the merchant to Shopify's approval screen
// (install), and Shopify sends the browser back to /shopify/callback
// (handleCallback), where the app checks the request, exchanges the code
// for an expiring offline token, stores the credentials in the engine's
// SQLite store (sealed) and sends the browser to the shop's connection
// test in the console. The shop's client renews the token itself
// (oauth.App.TokenSource in connect).

// demoClientID is the simulated vendor app's client id; its client secret
// is world.secret.
const demoClientID = "demo-console-app"

// installFeatures are the features the app asks access for at install:
// everything the WMS can do for a shop, so that any settings the merchant
// chooses next have the scopes they need.
func installFeatures() wmssync.Features {
	today := wms.DateOf(time.Now())
	f := wmssync.Features{Products: true, CustomsCost: true, Orders: true, POS: true,
		SalesHistorySince: wms.DateOf(time.Now().AddDate(-1, 0, 0)), Today: today}
	for k := range wmssync.DefaultOutbound() {
		f.Outbound = append(f.Outbound, k)
	}
	return f
}

// install is the console's ShopifyInstall callback: it starts the install
// on the shop at adminURL and remembers which shop id it is for.
func (w *world) install(ctx context.Context, shop, adminURL string) (string, error) {
	domain, err := shopify.NormalizeShop(adminURL)
	if err != nil {
		return "", &console.FieldError{Field: "admin_url", Reason: "enter the shop's admin address, https://NAME.myshopify.com"}
	}
	link, err := w.app.AuthorizeURL(ctx, domain, connector.InstallScopes(installFeatures()))
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	w.installing[domain] = shop
	w.mu.Unlock()
	return link, nil
}

// reauthorize is the install method's Reauthorize: it asks the shop for
// the scopes the connection test found missing (the callback completes it
// like an install).
func (w *world) reauthorize(ctx context.Context, shop, adminURL string, granted, missing []string) (string, error) {
	domain, err := shopify.NormalizeShop(adminURL)
	if err != nil {
		return "", err
	}
	link, err := w.app.ReauthorizeURL(ctx, domain, granted, missing)
	if err != nil {
		return "", err
	}
	w.mu.Lock()
	w.installing[domain] = shop
	w.mu.Unlock()
	return link, nil
}

// handleCallback completes an install: Shopify's redirect, verified and
// exchanged; the credentials stored under the shop id; then the console's
// connection test of the shop.
func (w *world) handleCallback(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	grant, err := w.app.Callback(ctx, r.URL.Query())
	if err != nil {
		// A *oauth.CallbackError names the failed check; it holds no secret.
		w.log.LogAttrs(ctx, slog.LevelWarn, "install refused", slog.String("error", err.Error()))
		http.Error(rw, "The install could not be completed: "+err.Error(), http.StatusBadRequest)
		return
	}
	w.mu.Lock()
	shop, ok := w.installing[grant.Shop]
	delete(w.installing, grant.Shop)
	w.mu.Unlock()
	if !ok {
		http.Error(rw, "No install of "+grant.Shop+" was started here: start it from the console's connect screen.", http.StatusBadRequest)
		return
	}
	if _, err := credential.Replace(ctx, w.store, grant.Credentials(shop)); err != nil {
		w.log.LogAttrs(ctx, slog.LevelError, "store credentials", slog.String("shop", shop), slog.String("error", err.Error()))
		http.Error(rw, "The shop's credentials could not be stored.", http.StatusInternalServerError)
		return
	}
	// A reinstall: connect the shop again with the new credentials.
	if err := w.eng.CredentialsChanged(ctx, shop); err != nil && !errors.Is(err, wmssync.ErrNotFound) {
		w.log.LogAttrs(ctx, slog.LevelWarn, "credentials changed", slog.String("shop", shop), slog.String("error", err.Error()))
	}
	http.Redirect(rw, r, w.console.ConnectedURL(shop), http.StatusSeeOther)
}
