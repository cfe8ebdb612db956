package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The install flow, as a vendor's WMS serves it: the merchant opens the
// install link (GET /shopify/install?shop=...), approves the app on
// Shopify's screen, and Shopify sends the browser back to the callback
// (GET /shopify/callback), where the app verifies the request, exchanges
// the code for an expiring offline token and stores the credentials.

// settingsOf returns the merchant's settings of the shop with domain.
func (w *world) settingsOf(domain string) (wmssync.Settings, bool) {
	for _, s := range w.settings() {
		if s.Domain() == domain {
			return s, true
		}
	}
	return wmssync.Settings{}, false
}

// handleInstall redirects the merchant to Shopify's approval screen,
// asking for the scopes the shop's features need.
func (w *world) handleInstall(rw http.ResponseWriter, r *http.Request) {
	s, ok := w.settingsOf(r.URL.Query().Get("shop"))
	if !ok {
		http.Error(rw, "unknown shop", http.StatusNotFound)
		return
	}
	scopes := connector.InstallScopes(s.Features(wms.DateOf(time.Now()), wmssync.DefaultSalesHistoryDays))
	link, err := w.app.AuthorizeURL(r.Context(), s.Domain(), scopes)
	if err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	http.Redirect(rw, r, link, http.StatusFound)
}

// handleCallback completes the install and stores the shop's credentials
// under its shop id.
func (w *world) handleCallback(rw http.ResponseWriter, r *http.Request) {
	grant, err := w.app.Callback(r.Context(), r.URL.Query())
	if err != nil {
		w.log.WarnContext(r.Context(), "install refused", "error", err)
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	s, ok := w.settingsOf(grant.Shop)
	if !ok {
		http.Error(rw, "unknown shop", http.StatusNotFound)
		return
	}
	if _, err := credential.Replace(r.Context(), w.store, grant.Credentials(s.Shop)); err != nil {
		http.Error(rw, "storing the credentials failed", http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(rw, "installed on %s; missing scopes: %v\n", grant.Shop, grant.Missing())
}

// install plays the merchant's browser: it opens the install link and
// follows the redirects through Shopify's (simulated) approval screen to
// the callback. It returns the stored credentials.
func (w *world) install(ctx context.Context, s wmssync.Settings, out io.Writer) error {
	link := w.base + "/shopify/install?" + url.Values{"shop": {s.Domain()}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("install on %s: %w", s.Domain(), err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("install on %s: HTTP %d: %s", s.Domain(), resp.StatusCode, body)
	}
	c, err := w.store.LoadCredentials(ctx, s.Shop)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  installed the app on %s (install link, approval, callback): expiring offline token, %s left, refresh token until %s; %d scopes: %s\n",
		s.Domain(), time.Until(c.Expiry).Round(time.Second), c.RefreshExpiry.Format("2006-01-02"), len(c.Scopes()), c.Scope)
	return nil
}
