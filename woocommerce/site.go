package woocommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
)

// SiteIndex is what WordPress's REST index (GET /wp-json/) says about the
// site. The index is public; the Client asks for it without the key,
// because WooCommerce 11.1+ refuses keys outside its own namespaces.
type SiteIndex struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	URL         string `json:"url"`
	Home        string `json:"home"`
	// GMTOffset is the site's UTC offset in hours (may be fractional);
	// TimezoneString its IANA zone, "" when the site is set to a fixed
	// offset.
	GMTOffset      Number   `json:"gmt_offset"`
	TimezoneString string   `json:"timezone_string"`
	Namespaces     []string `json:"namespaces"`
}

// HasNamespace reports whether the site serves REST namespace ns, such as
// "wc/v3".
func (s *SiteIndex) HasNamespace(ns string) bool { return slices.Contains(s.Namespaces, ns) }

// Index reads the site's REST index without credentials.
func (c *Client) Index(ctx context.Context) (*SiteIndex, *Response, error) {
	var idx SiteIndex
	resp, err := c.Do(ctx, &Request{Path: "/", Query: map[string][]string{"_fields": {"name,description,url,home,gmt_offset,timezone_string,namespaces"}}, Unauthenticated: true}, &idx)
	if err != nil {
		return nil, resp, err
	}
	return &idx, resp, nil
}

// Routes lists the routes of the wc/v3 namespace (GET /wp-json/wc/v3), such
// as "/wc/v3/variations" or "/wc/v3/orders/(?P<order_id>[\d]+)/fulfillments",
// to tell which optional endpoints the store has.
func (c *Client) Routes(ctx context.Context) ([]string, *Response, error) {
	var ns struct {
		Routes map[string]json.RawMessage `json:"routes"`
	}
	resp, err := c.Do(ctx, &Request{Path: "/wc/v3"}, &ns)
	if err != nil {
		return nil, resp, err
	}
	out := make([]string, 0, len(ns.Routes))
	for r := range ns.Routes {
		out = append(out, r)
	}
	slices.Sort(out)
	return out, resp, nil
}

// HasRoute reports whether routes (from Routes) holds a route that starts
// with prefix and continues with nothing but a parameter pattern; for
// example HasRoute(routes, "/wc/v3/orders/{id}/fulfillments") matches
// "/wc/v3/orders/(?P<order_id>[\d]+)/fulfillments". Each "{...}" in prefix
// matches one "(?P<...>...)" group.
func HasRoute(routes []string, pattern string) bool {
	want := strings.Split(strings.Trim(pattern, "/"), "/")
	for _, r := range routes {
		got := strings.Split(strings.Trim(r, "/"), "/")
		if len(got) != len(want) {
			continue
		}
		ok := true
		for i := range want {
			if strings.HasPrefix(want[i], "{") {
				ok = ok && strings.HasPrefix(got[i], "(?P<")
			} else {
				ok = ok && got[i] == want[i]
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// Setting is one store setting (/wc/v3/settings/{group}).
type Setting struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Type  string `json:"type"`
	// Value is the setting's value: usually a string, for some types an
	// array.
	Value json.RawMessage `json:"value"`
}

// StringValue returns Value when it is a JSON string, else "".
func (s Setting) StringValue() string {
	var v string
	if json.Unmarshal(s.Value, &v) == nil {
		return v
	}
	return ""
}

// GeneralSettings are the store's general settings that a connection test
// reports.
type GeneralSettings struct {
	// Currency is the ISO 4217 code (woocommerce_currency).
	Currency string
	// Country is the store's ISO 3166-1 alpha-2 country and State its
	// state, from woocommerce_default_country ("US:CA" or "DK").
	Country, State string
	// PriceDecimals is woocommerce_price_num_decimals.
	PriceDecimals string
	// All holds every general setting.
	All []Setting
}

// GeneralSettings reads /wc/v3/settings/general (needs a user who may
// manage WooCommerce).
func (c *Client) GeneralSettings(ctx context.Context) (*GeneralSettings, *Response, error) {
	var all []Setting
	resp, err := c.Do(ctx, &Request{Method: http.MethodGet, Path: "settings/general"}, &all)
	if err != nil {
		return nil, resp, err
	}
	g := &GeneralSettings{All: all}
	for _, s := range all {
		switch s.ID {
		case "woocommerce_currency":
			g.Currency = s.StringValue()
		case "woocommerce_default_country":
			g.Country, g.State, _ = strings.Cut(s.StringValue(), ":")
		case "woocommerce_price_num_decimals":
			g.PriceDecimals = s.StringValue()
		}
	}
	return g, resp, nil
}
