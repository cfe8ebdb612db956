package console

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// outboundKinds are the outbound message kinds in the seed's order, with
// what they do in the merchant's words.
var outboundKinds = []struct {
	Kind  wms.EventKind
	Label string
	Help  string
}{
	{wms.KindStockChanged, "Stock adjustments", "Every stock change in the warehouse sets the shop's available quantity at the mapped location."},
	{wms.KindBarcodeChanged, "EAN updates", "A barcode changed in the warehouse is written to the shop's variant."},
	{wms.KindOrderPacked, "Order packed", "Packing an order fulfils it in the shop, with tracking, and captures the payment."},
	{wms.KindPaymentCaptured, "Payment captured", "A payment captured in the warehouse is captured in the shop."},
	{wms.KindPurchaseOrderClosed, "Average cost price", "Closing a purchase order writes the new average cost to the shop."},
	{wms.KindRefundCreated, "Refunds", "A refund made in the warehouse's returns is created on the shop's order."},
}

// settingsForm is the settings screen's data.
type settingsForm struct {
	S          wmssync.Settings
	Since      string // SalesHistorySince as entered
	Locations  []locationRow
	Warehouses []wms.Warehouse
	Outbound   []outboundRow
	Errors     map[string]string
	Error      string
	// Report is the connection test of the settings shown (nil when the
	// shop could not be asked); Tested is set when the merchant asked for
	// it with the Test button.
	Report *reportView
	Tested bool
	// HistoryWarning is shown next to the sales history start when the
	// shop will not return orders that old (the report says a scope is
	// missing for it).
	HistoryWarning string
	// HistoryLimit is the oldest start the shop allows without the
	// missing scope ("" when no limit is known); the page's script warns
	// while the merchant picks a date.
	HistoryLimit string
}

// TextFields are the form's text inputs.
func (f *settingsForm) TextFields() []fieldView {
	return []fieldView{
		{ID: fieldID("display_name"), Name: "display_name", Label: "Display name", Type: "text", Value: f.S.DisplayName,
			Error: f.Errors["display_name"], Autocomplete: "off", Help: "Your label for the shop."},
		{ID: fieldID("country"), Name: "country", Label: "Country", Type: "text", Value: f.S.Country, Placeholder: "DK",
			Error: f.Errors["country"], Autocomplete: "off", Help: "The shop's country or market, a two-letter code (ISO 3166-1)."},
		{ID: fieldID("admin_url"), Name: "admin_url", Label: "Admin URL", Type: "url", Value: f.S.AdminURL, Required: true,
			Error: f.Errors["admin_url"], Autocomplete: "url", Help: "The shop's admin address."},
		{ID: fieldID("api_version"), Name: "api_version", Label: "API version", Type: "text", Value: f.S.APIVersion, Placeholder: "default",
			Error: f.Errors["api_version"], Autocomplete: "off", Help: "Leave empty for the library's default."},
	}
}

type locationRow struct {
	ID        string
	Name      string
	Active    bool
	Warehouse string
	Known     bool // the shop has this location
}

type outboundRow struct {
	Kind  wms.EventKind
	Label string
	Help  string
	On    bool
}

// orderWindowDays is how far back Shopify lists orders for an app
// without the read_all_orders scope.
const orderWindowDays = 60

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	s, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	f := c.settingsForm(r.Context(), s, nil)
	c.render(w, r, http.StatusOK, "settings", view{Title: "Settings: " + s.DisplayName, Nav: "settings", Shop: shop, Data: f})
}

// settingsForm fills the form for s: the shop's real locations (from a
// connection test of s) and the WMS's warehouses.
func (c *Console) settingsForm(ctx context.Context, s wmssync.Settings, errs map[string]string) *settingsForm {
	f := &settingsForm{S: s, Errors: errs}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if !s.SalesHistorySince.IsZero() {
		f.Since = s.SalesHistorySince.String()
	}
	whs, err := c.cfg.Warehouses.Warehouses(ctx)
	if err != nil {
		f.Error = "the warehouses could not be read: " + err.Error()
	}
	f.Warehouses = whs
	whNames := map[string]string{}
	for _, w := range whs {
		whNames[w.ID] = w.Name
	}
	tctx, cancel := context.WithTimeout(ctx, testTimeout)
	defer cancel()
	rep, err := c.eng.TestConnection(tctx, s)
	seen := map[string]bool{}
	if err == nil {
		rv := c.buildReport(rep, whNames)
		f.Report = &rv
		for _, l := range rep.Locations {
			seen[l.ID] = true
			f.Locations = append(f.Locations, locationRow{ID: l.ID, Name: l.Name, Active: l.Active, Warehouse: s.Locations[l.ID], Known: true})
		}
		if rep.Reached && rep.Authorized && rep.Error == "" && len(rep.Locations) == 0 {
			// A shop without locations (one stock figure per product):
			// its stock is the warehouse's chosen for the empty location.
			seen[""] = true
			f.Locations = append(f.Locations, locationRow{ID: "", Name: "The shop's stock (it has no locations)", Active: true,
				Warehouse: s.Locations[""], Known: true})
		}
		for _, m := range rep.MissingScopes {
			if slices.Contains(m.AnyOf, "read_all_orders") {
				f.HistoryWarning = m.Reason
			}
		}
		if rep.Reached && rep.Authorized && rep.Error == "" {
			g := rep.Identity.GrantedScopes
			if (slices.Contains(g, "read_orders") || slices.Contains(g, "write_orders")) && !slices.Contains(g, "read_all_orders") {
				f.HistoryLimit = wms.DateOf(c.now()).AddDays(-orderWindowDays).String()
			}
		}
	}
	// Mappings of locations the shop did not list (unknown, or the shop
	// could not be asked) stay visible so they can be removed.
	for id, wh := range s.Locations {
		if !seen[id] {
			f.Locations = append(f.Locations, locationRow{ID: id, Name: id, Warehouse: wh})
		}
	}
	for _, k := range outboundKinds {
		f.Outbound = append(f.Outbound, outboundRow{Kind: k.Kind, Label: k.Label, Help: k.Help, On: s.OutboundEnabled(k.Kind)})
	}
	return f
}

// settingsSubmit tests (op=test) or saves (op=save) the settings entered.
func (c *Console) settingsSubmit(w http.ResponseWriter, r *http.Request) {
	shop := r.PathValue("shop")
	ctx := r.Context()
	old, ok := c.shopSettings(w, r)
	if !ok {
		return
	}
	if !c.parseForm(w, r) {
		return
	}
	s, errs := settingsFromForm(old, r.PostForm)
	since := strings.TrimSpace(r.PostForm.Get("sales_history_since"))
	show := func(status int, f *settingsForm) {
		f.Since = since
		c.render(w, r, status, "settings", view{Title: "Settings: " + old.DisplayName, Nav: "settings", Shop: shop, Data: f})
	}
	if len(errs) > 0 {
		show(http.StatusUnprocessableEntity, c.settingsForm(ctx, s, errs))
		return
	}
	if r.PostForm.Get("op") == "test" {
		f := c.settingsForm(ctx, s, nil)
		f.Tested = true
		if f.Report == nil {
			f.Error = "the connection test could not run with these settings"
			if _, err := c.eng.TestConnection(ctx, s); err != nil {
				c.fieldErrors(err, &f.Error, f.Errors)
			}
		}
		show(http.StatusOK, f)
		return
	}
	if _, err := c.eng.SaveSettings(ctx, s); err != nil {
		errs := map[string]string{}
		f := c.settingsForm(ctx, s, errs)
		c.fieldErrors(err, &f.Error, f.Errors)
		show(http.StatusUnprocessableEntity, f)
		return
	}
	c.redirect(w, r, "saved", "shops", shop, "setup")
}

// settingsFromForm reads the form into a copy of old; errors by field.
func settingsFromForm(old wmssync.Settings, form url.Values) (wmssync.Settings, map[string]string) {
	s := old.Clone()
	errs := map[string]string{}
	s.DisplayName = strings.TrimSpace(form.Get("display_name"))
	s.Country = strings.TrimSpace(form.Get("country"))
	s.AdminURL = strings.TrimSpace(form.Get("admin_url"))
	s.APIVersion = strings.TrimSpace(form.Get("api_version"))
	s.Main = form.Get("main") == "on"
	s.VendorAsSupplier = form.Get("vendor_as_supplier") == "on"
	s.POS = form.Get("pos") == "on"
	s.Locations = map[string]string{}
	for key, vals := range form {
		id, ok := strings.CutPrefix(key, "locations[")
		if !ok || !strings.HasSuffix(id, "]") || len(vals) == 0 {
			continue
		}
		if wh := strings.TrimSpace(vals[0]); wh != "" {
			s.Locations[strings.TrimSuffix(id, "]")] = wh
		}
	}
	s.Outbound = map[wms.EventKind]bool{}
	for _, k := range outboundKinds {
		s.Outbound[k.Kind] = form.Get("outbound["+string(k.Kind)+"]") == "on"
	}
	s.SalesHistorySince = wms.Date{}
	if v := strings.TrimSpace(form.Get("sales_history_since")); v != "" {
		d, err := wms.ParseDate(v)
		if err != nil {
			errs["sales_history_since"] = "enter a day as YYYY-MM-DD"
		} else {
			s.SalesHistorySince = d
		}
	}
	return s, errs
}

// notFound answers a page about a shop that could not be read.
func (c *Console) notFound(w http.ResponseWriter, r *http.Request, shop string, err error) {
	if errors.Is(err, wmssync.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, "There is no shop "+shop+".")
		return
	}
	c.errorPage(w, r, http.StatusInternalServerError, "the shop could not be read: "+err.Error())
}

func urlQuery(s string) string { return url.QueryEscape(s) }
