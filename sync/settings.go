package sync

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Settings are one shop's connection settings, chosen by the
// merchant and kept in the [Store]. They hold no secret: the host gives the
// engine a [Connector] with the credentials through [Config.Connect].
//
// Change settings at run time with [Engine.SaveSettings]; the engine picks
// the change up at once (the next event, sweep or step uses it).
type Settings struct {
	// System names the shop's [ShopSystem] (such as "shopify"), one of
	// [Config.ShopSystems]; "" is the engine's only system when it has
	// one. SaveSettings fills it in.
	System string `json:"system,omitempty"`
	// Shop is the shop's stable id in the engine and the WMS (it becomes
	// wms.Product.Shop and wms.Order.Shop), such as "MyShopDK". Required;
	// letters, digits, '-', '_' and '.', at most 64 characters. It never
	// changes once orders have flowed.
	Shop string `json:"shop"`
	// DisplayName is the merchant's label for the shop; defaults to Shop.
	DisplayName string `json:"display_name,omitempty"`
	// Country is the shop's country or market, ISO 3166-1 alpha-2 ("DK");
	// optional, upper-cased on save.
	Country string `json:"country,omitempty"`
	// AdminURL is the shop's address, such as
	// "https://myshop-dk.myshopify.com" or "https://shop.example.com/store".
	// Required. The shop system checks and normalises it
	// ([ShopSystem.CheckSettings]).
	AdminURL string `json:"admin_url"`
	// APIVersion is the shop API version to use, in the shop system's
	// terms (checked by [ShopSystem.CheckSettings]); "" means the
	// connector's default.
	APIVersion string `json:"api_version,omitempty"`
	// Main marks the main shop: its product data is the master for
	// SKUs several shops sell. At most one shop is the main shop.
	Main bool `json:"main,omitempty"`
	// VendorAsSupplier (default off): off puts the shop's vendor into
	// the WMS product's brand; on makes it the supplier.
	VendorAsSupplier bool `json:"vendor_as_supplier,omitempty"`
	// POS (default off): on turns point-of-sale orders into stock
	// movements at the mapped warehouse and sales records; off ignores
	// them. POS orders never become pick orders either way.
	POS bool `json:"pos,omitempty"`
	// Locations maps shop location ids to WMS warehouse ids. Stock at
	// unmapped locations is not imported, orders fulfilled from them and
	// POS sales at them are ignored, and the connection test lists them.
	// A shop of a system without locations ([SingleLocation]) needs no
	// mapping: its stock and orders go to the backend's default warehouse,
	// or to the warehouse the empty location "" maps to.
	Locations map[string]string `json:"locations,omitempty"`
	// Outbound switches outbound messages per kind; a kind not in
	// the map takes its default (see [DefaultOutbound]).
	Outbound map[wms.EventKind]bool `json:"outbound,omitempty"`
	// SalesHistorySince is the first day of the sales history import.
	// Zero means one year before the day the step runs; a day on
	// or after today means no import (the step is skipped).
	SalesHistorySince wms.Date `json:"sales_history_since,omitzero"`

	// Connection is the engine's record of the shop's connection, not a
	// choice of the merchant's: the engine sets it, and
	// [Engine.SaveSettings] keeps the stored value whatever the caller
	// passes.
	Connection Connection `json:"connection,omitzero"`
}

// Connection is what the engine records about a shop's connection.
type Connection struct {
	// Generation counts the credential changes the host reported with
	// [Engine.CredentialsChanged]; when it moves, every engine sharing the
	// store connects the shop again ([Config.Connect]).
	Generation int64 `json:"generation,omitempty"`
	// DisconnectedAt, when not zero, is when the shop removed the app
	// (Shopify: app/uninstalled). The engine then does no work that needs
	// the shop: no setup steps, sweeps, audits or outbound messages (they
	// are parked with Reason). [Engine.CredentialsChanged] after a
	// reinstall resumes it.
	DisconnectedAt time.Time `json:"disconnected_at,omitzero"`
	// Reason says why the shop is disconnected.
	Reason string `json:"reason,omitempty"`
}

// Disconnected reports whether the shop removed the app.
func (c Connection) Disconnected() bool { return !c.DisconnectedAt.IsZero() }

// DefaultOutbound returns the seed's recommended outbound choices:
// stock adjustments, EAN updates, order packed and payment captured on;
// average cost, purchase order closed and refunds off.
func DefaultOutbound() map[wms.EventKind]bool {
	return map[wms.EventKind]bool{
		wms.KindStockChanged:        true,
		wms.KindBarcodeChanged:      true,
		wms.KindOrderPacked:         true,
		wms.KindPaymentCaptured:     true,
		wms.KindPurchaseOrderClosed: false,
		wms.KindRefundCreated:       false,
	}
}

// OutboundEnabled reports whether messages of kind go to the shop: the
// shop's choice, or the default.
func (s Settings) OutboundEnabled(kind wms.EventKind) bool {
	if on, ok := s.Outbound[kind]; ok {
		return on
	}
	return DefaultOutbound()[kind]
}

// OutboundKinds returns the kinds switched on, sorted.
func (s Settings) OutboundKinds() []wms.EventKind {
	all := DefaultOutbound()
	maps.Copy(all, s.Outbound)
	var out []wms.EventKind
	for k, on := range all {
		if on {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// Domain returns the host of AdminURL ("" if AdminURL does not parse).
func (s Settings) Domain() string {
	u, err := url.Parse(s.AdminURL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// Warehouse returns the warehouse mapped to the shop location id, and
// whether there is one.
func (s Settings) Warehouse(locationID string) (string, bool) {
	wh, ok := s.Locations[locationID]
	return wh, ok && wh != ""
}

// Clone returns a deep copy of s.
func (s Settings) Clone() Settings {
	s.Locations = maps.Clone(s.Locations)
	s.Outbound = maps.Clone(s.Outbound)
	return s
}

var (
	shopIDPattern  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
)

// NormalizeAdminURL is the admin URL rule of [DefaultShopSystem], for
// shop systems to build on: it accepts "https://host", "host" or
// "https://host/admin..." and returns "https://host" with the host
// lower-cased. It rejects other schemes, credentials in the URL, ports,
// queries and hosts that are not a domain name. A shop system's own rules
// (Shopify's NAME.myshopify.com, a WooCommerce site's path) belong to its
// [ShopSystem.CheckSettings].
func NormalizeAdminURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", fmt.Errorf("empty")
	}
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("not a URL")
	}
	switch {
	case u.Scheme != "https":
		return "", fmt.Errorf("scheme %q: must be https", u.Scheme)
	case u.User != nil:
		return "", fmt.Errorf("must not carry credentials")
	case u.Port() != "":
		return "", fmt.Errorf("must not carry a port")
	case u.RawQuery != "" || u.Fragment != "":
		return "", fmt.Errorf("must not carry a query or fragment")
	}
	host := strings.ToLower(u.Hostname())
	if !validHost(host) {
		return "", fmt.Errorf("host %q is not a domain name", host)
	}
	return "https://" + host, nil
}

func validHost(h string) bool {
	if len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// normalize validates s and returns it normalised: sys checks its part.
// warehouses, when not nil, are the backend's warehouse ids the location
// mapping must use.
func (s Settings) normalize(sys ShopSystem, warehouses map[string]bool) (Settings, error) {
	s = s.Clone()
	if !shopIDPattern.MatchString(s.Shop) {
		return s, &SettingsError{Field: "shop", Reason: fmt.Sprintf("%q: want 1-64 letters, digits, '.', '-' or '_'", s.Shop)}
	}
	s.DisplayName = strings.TrimSpace(s.DisplayName)
	if s.DisplayName == "" {
		s.DisplayName = s.Shop
	}
	s.Country = strings.ToUpper(strings.TrimSpace(s.Country))
	if s.Country != "" && !countryPattern.MatchString(s.Country) {
		return s, &SettingsError{Field: "country", Reason: fmt.Sprintf("%q is not an ISO 3166-1 alpha-2 code", s.Country)}
	}
	s.System = sys.Name()
	checked, err := sys.CheckSettings(s.Clone())
	if err != nil {
		var se *SettingsError
		if !errors.As(err, &se) {
			err = &SettingsError{Field: "admin_url", Reason: err.Error()}
		}
		return s, err
	}
	// The system's part only: the rest is the engine's.
	s.AdminURL, s.APIVersion = checked.AdminURL, checked.APIVersion
	for loc, wh := range s.Locations {
		switch {
		case loc == "" && !singleLocation(sys):
			return s, &SettingsError{Field: "locations", Reason: "empty location id"}
		case wh == "":
			delete(s.Locations, loc) // an empty mapping means unmapped
		case warehouses != nil && !warehouses[wh]:
			return s, &SettingsError{Field: "locations[" + loc + "]", Reason: fmt.Sprintf("unknown warehouse %q", wh)}
		}
	}
	known := DefaultOutbound()
	for k := range s.Outbound {
		if _, ok := known[k]; !ok {
			return s, &SettingsError{Field: "outbound", Reason: fmt.Sprintf("unknown message kind %q", k)}
		}
	}
	if !s.SalesHistorySince.IsZero() && !s.SalesHistorySince.Valid() {
		return s, &SettingsError{Field: "sales_history_since", Reason: "not a calendar day"}
	}
	return s, nil
}
