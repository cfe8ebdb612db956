package wootest

import (
	"net/http"
	"strconv"
)

// handleIndex answers GET /wp-json/, WordPress's public REST index.
func (s *Store) handleIndex(rc *reqCtx) {
	_, off := s.now().In(s.cfg.timezone).Zone()
	tz := s.cfg.timezone.String()
	if tz == "UTC" || tz == "Local" {
		tz = ""
	}
	namespaces := []string{"oembed/1.0", "wc/v1", "wc/v2", "wc/v3", "wc/store", "wc/store/v1", "wc-analytics", "wc-admin", "wp/v2", "wp-site-health/v1"}
	m := map[string]any{
		"name": s.cfg.siteName, "description": "", "url": s.URL(), "home": s.URL(),
		"gmt_offset": strconv.FormatFloat(float64(off)/3600, 'f', -1, 64), "timezone_string": tz,
		"page_for_posts": 0, "page_on_front": 0, "show_on_front": "posts",
		"namespaces": namespaces, "authentication": map[string]any{}, "site_logo": 0, "site_icon": 0, "site_icon_url": "",
		"routes": map[string]any{},
	}
	rc.writeObject(http.StatusOK, m)
}

// handleNamespace answers GET /wp-json/wc/v3 with the namespace's routes.
func (s *Store) handleNamespace(rc *reqCtx) {
	routes := map[string]any{}
	add := func(path string, methods ...string) {
		routes["/wc/v3"+path] = map[string]any{"namespace": "wc/v3", "methods": methods,
			"endpoints": []any{map[string]any{"methods": methods, "args": map[string]any{}}}}
	}
	add("", "GET")
	for _, base := range []string{"/products", "/orders", "/webhooks"} {
		add(base, "GET", "POST")
		add(base+"/batch", "POST", "PUT", "PATCH")
		add(base+`/(?P<id>[\d]+)`, "GET", "POST", "PUT", "PATCH", "DELETE")
	}
	add(`/products/(?P<product_id>[\d]+)/variations`, "GET", "POST")
	add(`/products/(?P<product_id>[\d]+)/variations/(?P<id>[\d]+)`, "GET", "POST", "PUT", "PATCH", "DELETE")
	add(`/products/(?P<product_id>[\d]+)/variations/batch`, "POST", "PUT", "PATCH")
	add(`/orders/(?P<order_id>[\d]+)/refunds`, "GET", "POST")
	add(`/orders/(?P<order_id>[\d]+)/refunds/(?P<id>[\d]+)`, "GET", "DELETE")
	add(`/orders/(?P<order_id>[\d]+)/notes`, "GET", "POST")
	add(`/orders/(?P<order_id>[\d]+)/notes/(?P<id>[\d]+)`, "GET", "DELETE")
	add("/settings/general", "GET")
	if versionAtLeast(s.cfg.version, 10, 3) {
		add("/variations", "GET")
	}
	if s.cfg.fulfillments {
		add(`/orders/(?P<order_id>[\d]+)/fulfillments`, "GET", "POST")
	}
	rc.writeObject(http.StatusOK, map[string]any{"namespace": "wc/v3", "routes": routes,
		"_links": map[string]any{"up": []any{map[string]any{"href": s.URL() + "/wp-json/"}}}})
}

// handleGeneralSettings answers GET /wc/v3/settings/general.
func (s *Store) handleGeneralSettings(rc *reqCtx) {
	if e := rc.permission(actList); e != nil {
		rc.fail(e)
		return
	}
	country := s.cfg.country
	setting := func(id, label, typ string, value any) map[string]any {
		return map[string]any{"id": id, "label": label, "description": "", "type": typ, "default": "", "tip": "", "value": value,
			"_links": map[string]any{"self": []any{map[string]any{"href": s.URL() + "/wp-json/wc/v3/settings/general/" + id}}}}
	}
	out := []any{
		setting("woocommerce_store_address", "Address line 1", "text", "Lagervej 1"),
		setting("woocommerce_store_address_2", "Address line 2", "text", ""),
		setting("woocommerce_store_city", "City", "text", "Aarhus"),
		setting("woocommerce_default_country", "Country / State", "select", country),
		setting("woocommerce_store_postcode", "Postcode / ZIP", "text", "8000"),
		setting("woocommerce_allowed_countries", "Selling location(s)", "select", "all"),
		setting("woocommerce_specific_allowed_countries", "Sell to specific countries", "multiselect", []any{}),
		setting("woocommerce_calc_taxes", "Enable taxes", "checkbox", "no"),
		setting("woocommerce_currency", "Currency", "select", s.cfg.currency),
		setting("woocommerce_currency_pos", "Currency position", "select", "left"),
		setting("woocommerce_price_thousand_sep", "Thousand separator", "text", ","),
		setting("woocommerce_price_decimal_sep", "Decimal separator", "text", "."),
		setting("woocommerce_price_num_decimals", "Number of decimals", "number", strconv.Itoa(s.cfg.decimals)),
	}
	rc.writeJSON(http.StatusOK, out)
}
