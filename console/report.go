package console

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// reportView is a connection test as the console shows it.
type reportView struct {
	Report   *wmssync.ConnectionReport
	OK       bool
	Scopes   []scopeRow
	Problems []problem
	// Unmapped locations are reported but are no problem.
	Unmapped   []wmssync.LocationMapping
	Warehouses map[string]string // id -> name
	// AskScopes is where to post to ask the shop for its missing
	// scopes, "" when no connect method can.
	AskScopes string
}

// scopeRow is one feature's scope need and whether the grant covers it.
type scopeRow struct {
	Feature string
	AnyOf   []string
	Reason  string
	Granted string // the granted scope that covers it, "" if none
}

// problem is one thing wrong and what to do about it; Fix links to where
// it is fixed.
type problem struct {
	Text    string
	Advice  string
	Fix     string // a URL in the console, "" if none
	FixText string
}

// buildReport turns a connection report into what the page shows.
func (c *Console) buildReport(rep *wmssync.ConnectionReport, warehouses map[string]string) reportView {
	v := reportView{Report: rep, OK: rep.OK(), Warehouses: warehouses}
	shop := rep.Shop
	settings := func(anchor string) string { return c.pages.url("shops", shop, "settings") + "#" + fieldID(anchor) }
	reconnect := c.pages.url("connect") + "?shop=" + urlQuery(shop)
	switch {
	case !rep.Reached:
		v.Problems = append(v.Problems, problem{
			Text:   fmt.Sprintf("The shop at %s could not be reached: %s", rep.AdminURL, rep.Error),
			Advice: "Check the shop's address: it must be its admin address (for Shopify https://NAME.myshopify.com, not the storefront domain), and the shop must be open.",
			Fix:    reconnect, FixText: "Change the address"})
		return v
	case !rep.Authorized:
		v.Problems = append(v.Problems, problem{
			Text:   "The shop refused the credentials: " + rep.Error,
			Advice: "The access was revoked, expired or the app was uninstalled. Enter new credentials, or install the app again.",
			Fix:    reconnect, FixText: "Connect again"})
		return v
	case rep.Error != "":
		v.Problems = append(v.Problems, problem{
			Text:   "Reading the shop failed: " + rep.Error,
			Advice: "This is often temporary: run the test again in a minute. If it keeps failing, check the shop's status page."})
		return v
	}
	granted := rep.Identity.GrantedScopes
	for _, req := range rep.Identity.RequiredScopes {
		if req.NotSupported {
			continue // listed as not supported, not as a scope
		}
		row := scopeRow{Feature: req.Feature, AnyOf: req.AnyOf, Reason: req.Reason}
		for _, s := range req.AnyOf {
			if slices.Contains(granted, s) {
				row.Granted = s
				break
			}
		}
		v.Scopes = append(v.Scopes, row)
	}
	if !rep.DomainMatches {
		v.Problems = append(v.Problems, problem{
			Text:   fmt.Sprintf("The admin URL %s is not the shop's own address %s.", rep.AdminURL, rep.Identity.Domain),
			Advice: "Webhooks carry the shop's own address: use it as the admin URL.",
			Fix:    settings("admin_url"), FixText: "Change the admin URL"})
	}
	if !rep.APIVersionOK {
		adv := "Leave the API version empty to use the default, or choose a supported one"
		if len(rep.Identity.SupportedVersions) > 0 {
			adv += ": " + strings.Join(rep.Identity.SupportedVersions, ", ")
		}
		v.Problems = append(v.Problems, problem{
			Text:   fmt.Sprintf("API version %q is not supported by the shop.", rep.APIVersion),
			Advice: adv + ".",
			Fix:    settings("api_version"), FixText: "Change the API version"})
	}
	for _, m := range rep.MissingScopes {
		p := problem{
			Text: fmt.Sprintf("Access scope %s is missing: needed to %s.", strings.Join(m.AnyOf, " or "), strings.ToLower(featureName(m.Feature))),
			Advice: fmt.Sprintf("Grant the app %s in its configuration and approve the change in the shop; or switch the feature off in the settings.",
				m.AnyOf[0]),
			Fix: settings("outbound"), FixText: "Open the settings",
		}
		if m.Reason != "" {
			p.Text = strings.TrimSuffix(p.Text, ".") + " (" + m.Reason + ")."
		}
		if len(m.AnyOf) == 1 && m.AnyOf[0] == "read_all_orders" {
			p.Advice = "Shopify grants read_all_orders to an app on request. Until it has it, start the sales history within the last 60 days."
			p.Fix, p.FixText = settings("sales_history_since"), "Change the sales history start"
		}
		v.Problems = append(v.Problems, p)
	}
	for _, id := range rep.UnknownMappings {
		v.Problems = append(v.Problems, problem{
			Text:   fmt.Sprintf("The location mapping names location %s, which the shop does not have.", id),
			Advice: "Remove that mapping (the location was deleted, or the mapping belongs to another shop).",
			Fix:    settings("locations"), FixText: "Change the mapping"})
	}
	for _, l := range rep.Locations {
		if l.Warehouse == "" && l.Active {
			v.Unmapped = append(v.Unmapped, l)
		}
	}
	return v
}

func (c *Console) testPage(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), testTimeout)
	defer cancel()
	rep, err := c.eng.TestConnection(ctx, s)
	if err != nil {
		c.errorPage(w, r, http.StatusInternalServerError, "the connection test could not run: "+err.Error())
		return
	}
	whs, _ := c.warehouseNames(r.Context())
	rv := c.buildReport(rep, whs)
	if len(rep.MissingScopes) > 0 && c.reauthorizer(s.System) != nil {
		rv.AskScopes = c.pages.url("shops", shop, "scopes")
	}
	c.render(w, r, http.StatusOK, "test", view{Title: "Connection test: " + s.DisplayName, Nav: "test", Shop: shop,
		Data: struct {
			Settings wmssync.Settings
			reportView
		}{s, rv}})
}

// warehouseNames returns the WMS's warehouses by id.
func (c *Console) warehouseNames(ctx context.Context) (map[string]string, error) {
	whs, err := c.cfg.Warehouses.Warehouses(ctx)
	out := map[string]string{}
	for _, w := range whs {
		out[w.ID] = w.Name
	}
	return out, err
}
