package shopify

import "time"

// ShopPayload is the REST-format shop sent for app/uninstalled (and
// shop/update). After app/uninstalled the access token no longer works; stop
// all API work for the shop.
type ShopPayload struct {
	ID                           int64     `json:"id"`
	Name                         string    `json:"name"`
	Email                        string    `json:"email"`
	CustomerEmail                string    `json:"customer_email"`
	Domain                       string    `json:"domain"`
	MyshopifyDomain              string    `json:"myshopify_domain"`
	ShopOwner                    string    `json:"shop_owner"`
	PlanName                     string    `json:"plan_name"`
	PlanDisplayName              string    `json:"plan_display_name"`
	Currency                     string    `json:"currency"`
	EnabledPresentmentCurrencies []string  `json:"enabled_presentment_currencies"`
	Timezone                     string    `json:"timezone"`
	IANATimezone                 string    `json:"iana_timezone"`
	WeightUnit                   string    `json:"weight_unit"`
	PrimaryLocale                string    `json:"primary_locale"`
	PrimaryLocationID            int64     `json:"primary_location_id"`
	Country                      string    `json:"country"`
	CountryCode                  string    `json:"country_code"`
	Province                     string    `json:"province"`
	ProvinceCode                 string    `json:"province_code"`
	City                         string    `json:"city"`
	Zip                          string    `json:"zip"`
	Address1                     string    `json:"address1"`
	Address2                     string    `json:"address2"`
	Phone                        string    `json:"phone"`
	MultiLocationEnabled         bool      `json:"multi_location_enabled"`
	CreatedAt                    time.Time `json:"created_at"`
	UpdatedAt                    time.Time `json:"updated_at"`
}

// AppScopesUpdatePayload is the payload of app/scopes_update: the access
// scopes granted before and after a change. ShopID is a GID string here.
type AppScopesUpdatePayload struct {
	ID        int64     `json:"id"`
	ShopID    string    `json:"shop_id"`
	Previous  []string  `json:"previous"`
	Current   []string  `json:"current"`
	UpdatedAt time.Time `json:"updated_at"`
}
