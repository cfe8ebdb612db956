package connector

import (
	"fmt"
	"regexp"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// ShopSystem returns Shopify's [wmssync.ShopSystem], for
// [wmssync.Config.ShopSystems]: named "shopify" (the source of Shopify's
// webhook events, package shopify/shopifywebhook), it takes admin URLs of
// the form NAME.myshopify.com ([NormalizeAdminURL]) and API versions
// shaped YYYY-MM (or "unstable"), and names a shop in webhook events by its
// myshopify.com domain (X-Shopify-Shop-Domain).
func ShopSystem() wmssync.ShopSystem { return shopifySystem{} }

type shopifySystem struct{}

var versionPattern = regexp.MustCompile(`^(\d{4}-\d{2}|unstable)$`)

func (shopifySystem) Name() string { return shopifywebhook.SourceName }

func (shopifySystem) CheckSettings(s wmssync.Settings) (wmssync.Settings, error) {
	u, err := NormalizeAdminURL(s.AdminURL)
	if err != nil {
		return s, &wmssync.SettingsError{Field: "admin_url", Reason: err.Error()}
	}
	s.AdminURL = u
	if s.APIVersion != "" && !versionPattern.MatchString(s.APIVersion) {
		return s, &wmssync.SettingsError{Field: "api_version", Reason: fmt.Sprintf("%q: want YYYY-MM", s.APIVersion)}
	}
	return s, nil
}

func (shopifySystem) EventShop(s wmssync.Settings) string { return s.Domain() }
