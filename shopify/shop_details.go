package shopify

import (
	"context"
	"slices"
)

// ShopDetailsService reads the shop's own details, the access scopes granted to
// the app and the API versions Shopify supports. None of its calls needs an
// access scope, so together they make a connection test. All calls are
// read-only and safe to retry.
type ShopDetailsService struct{ client *Client }

// ShopDetails describes a shop.
type ShopDetails struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Email           string `json:"email"`
	MyshopifyDomain string `json:"myshopifyDomain"`
	// CurrencyCode is the shop's currency (ISO 4217), the currency of
	// every "shopMoney" amount.
	CurrencyCode string `json:"currencyCode"`
	// IANATimezone is the shop's time zone, e.g. "Europe/Berlin".
	IANATimezone string `json:"ianaTimezone"`
	// WeightUnit is GRAMS, KILOGRAMS, OUNCES or POUNDS.
	WeightUnit string   `json:"weightUnit"`
	Plan       ShopPlan `json:"plan"`
}

// ShopPlan is the shop's Shopify plan.
type ShopPlan struct {
	PublicDisplayName  string `json:"publicDisplayName"`
	ShopifyPlus        bool   `json:"shopifyPlus"`
	PartnerDevelopment bool   `json:"partnerDevelopment"`
}

// APIVersion is one version of the Admin API.
type APIVersion struct {
	Handle      string `json:"handle"`
	DisplayName string `json:"displayName"`
	Supported   bool   `json:"supported"`
}

// Get returns the shop's details.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/shop
func (s *ShopDetailsService) Get(ctx context.Context) (*ShopDetails, error) {
	var out struct {
		Shop ShopDetails `json:"shop"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opShopInfo, OperationName: "shopInfo"}, &out); err != nil {
		return nil, err
	}
	return &out.Shop, nil
}

// AccessScopes returns the handles of the access scopes granted to the app
// on this shop ("read_products", "write_inventory", ...), sorted. A write_X
// scope implies read_X even when read_X is not listed; use HasScope.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/currentAppInstallation
func (s *ShopDetailsService) AccessScopes(ctx context.Context) ([]string, error) {
	var out struct {
		Inst struct {
			Scopes []struct {
				Handle string `json:"handle"`
			} `json:"accessScopes"`
		} `json:"currentAppInstallation"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opAccessScopes, OperationName: "accessScopes"}, &out); err != nil {
		return nil, err
	}
	scopes := make([]string, 0, len(out.Inst.Scopes))
	for _, sc := range out.Inst.Scopes {
		scopes = append(scopes, sc.Handle)
	}
	slices.Sort(scopes)
	return scopes, nil
}

// HasScope reports whether granted (as returned by AccessScopes) covers
// scope, counting write_X as covering read_X.
func HasScope(granted []string, scope string) bool {
	for _, g := range granted {
		if g == scope {
			return true
		}
		if rest, ok := cutPrefix(scope, "read_"); ok && g == "write_"+rest {
			return true
		}
	}
	return false
}

// MissingScopes returns the scopes of want that granted does not cover
// (see HasScope), in want's order.
func MissingScopes(granted, want []string) []string {
	var missing []string
	for _, w := range want {
		if !HasScope(granted, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

// APIVersions returns the public Admin API versions and whether each is
// still supported.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/publicApiVersions
func (s *ShopDetailsService) APIVersions(ctx context.Context) ([]APIVersion, error) {
	var out struct {
		V []APIVersion `json:"publicApiVersions"`
	}
	if _, err := s.client.Do(ctx, &Request{Query: opPublicAPIVersions, OperationName: "publicApiVersions"}, &out); err != nil {
		return nil, err
	}
	return out.V, nil
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}
