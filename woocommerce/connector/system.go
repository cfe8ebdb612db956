package connector

import (
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// ShopSystem returns WooCommerce's [wmssync.ShopSystem], for
// [wmssync.Config.ShopSystems]: named "woocommerce" (the source of
// woowebhook's events), it takes the store's site address as the admin
// URL (https; normalised with woocommerce.NormalizeStoreURL, so a store in
// a WordPress folder keeps its path), accepts the API version "wc/v3" (or
// none), names a store in webhook events by that address (as
// X-WC-Webhook-Source does), and is a [wmssync.SingleLocation] system:
// WooCommerce core keeps one stock figure per product, so a store needs no
// location mapping.
func ShopSystem() wmssync.ShopSystem { return wooSystem{} }

type wooSystem struct{}

var (
	_ wmssync.ShopSystem     = wooSystem{}
	_ wmssync.SingleLocation = wooSystem{}
)

func (wooSystem) Name() string { return woowebhook.SourceName }

func (wooSystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := woocommerce.NormalizeStoreURL(s.AdminURL)
	if err != nil {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: err.Error()}
	}
	s.AdminURL = u
	switch s.APIVersion {
	case "":
		s.APIVersion = APIVersion
	case APIVersion:
	default:
		return s, &wmssync.SettingsError{Field: "api_version", Reason: fmt.Sprintf("%q: the connector speaks %s", s.APIVersion, APIVersion)}
	}
	return s, nil
}

func (wooSystem) EventShop(s wmssync.Settings) string {
	if u, err := woocommerce.NormalizeStoreURL(s.AdminURL); err == nil {
		return u
	}
	return s.AdminURL
}

func (wooSystem) SingleLocation() bool { return true }
