package shopifytest

import (
	"time"
)

// Plan is a Shopify plan preset: it sets the rate-limit bucket and the
// shop's plan fields. Restore rates are Shopify's documented GraphQL
// restore rates; bucket sizes follow the 20× pattern observed on Basic
// stores (2000/100), which Shopify does not document for the other plans.
type Plan int

// Plan presets.
const (
	PlanStandard    Plan = iota // 2000 points, 100/s ("Basic")
	PlanAdvanced                // 4000 points, 200/s
	PlanPlus                    // 20000 points, 1000/s
	PlanEnterprise              // 40000 points, 2000/s
	PlanDevelopment             // 40 points, 2/s (development stores)
)

// Limits returns the plan's bucket size and restore rate (points per second).
func (p Plan) Limits() (bucketSize, restoreRate float64) {
	switch p {
	case PlanAdvanced:
		return 4000, 200
	case PlanPlus:
		return 20000, 1000
	case PlanEnterprise:
		return 40000, 2000
	case PlanDevelopment:
		return 40, 2
	default:
		return 2000, 100
	}
}

func (p Plan) String() string {
	switch p {
	case PlanAdvanced:
		return "Advanced"
	case PlanPlus:
		return "Shopify Plus"
	case PlanEnterprise:
		return "Enterprise"
	case PlanDevelopment:
		return "Development"
	default:
		return "Basic"
	}
}

// DefaultScopes are the access scopes a shop grants unless WithScopes says
// otherwise: everything the library uses except read_all_orders (which
// Shopify grants only on request), so the 60-day order window applies.
var defaultScopes = []string{
	"read_locations",
	"write_products", "read_products",
	"write_inventory", "read_inventory",
	"write_orders", "read_orders",
	"write_merchant_managed_fulfillment_orders", "read_merchant_managed_fulfillment_orders",
	"read_third_party_fulfillment_orders",
}

// DefaultScopes returns the scopes granted by default.
func DefaultScopes() []string { return append([]string(nil), defaultScopes...) }

type shopConfig struct {
	scopes       []string
	accessToken  string
	clientID     string
	clientSecret string
	tokenTTL     time.Duration
	plan         Plan
	bucketSize   float64
	restoreRate  float64
	idBase       int64
	maxCost      int
	searchLag    time.Duration
	notInstalled bool
}

// ShopOption configures one shop.
type ShopOption func(*shopConfig)

// WithScopes sets the access scopes granted to the app (default
// DefaultScopes()). write_X implies read_X.
func WithScopes(scopes ...string) ShopOption {
	return func(c *shopConfig) { c.scopes = normalizeScopes(scopes) }
}

// WithAccessToken sets the shop's static access token (default: a token
// derived from the shop name, see Shop.AccessToken).
func WithAccessToken(token string) ShopOption {
	return func(c *shopConfig) { c.accessToken = token }
}

// WithClientCredentials enables the client-credentials grant at
// /admin/oauth/access_token for this client ID and secret. Issued tokens
// expire after ttl of simulated time (ttl <= 0: 24h, about the lifetime
// Shopify documents).
func WithClientCredentials(clientID, clientSecret string, ttl time.Duration) ShopOption {
	return func(c *shopConfig) {
		if ttl <= 0 {
			ttl = 24 * time.Hour
		}
		c.clientID, c.clientSecret, c.tokenTTL = clientID, clientSecret, ttl
	}
}

// WithPlan selects a plan preset (default PlanStandard).
func WithPlan(p Plan) ShopOption {
	return func(c *shopConfig) {
		c.plan = p
		c.bucketSize, c.restoreRate = p.Limits()
	}
}

// WithBucket sets a custom leaky bucket: size in points and restore rate in
// points per (simulated) second.
func WithBucket(size, restoreRate float64) ShopOption {
	return func(c *shopConfig) { c.bucketSize, c.restoreRate = size, restoreRate }
}

// WithIDBase sets the value after which legacy IDs are allocated (default
// DefaultIDBase).
func WithIDBase(base int64) ShopOption {
	return func(c *shopConfig) { c.idBase = base }
}

// WithMaxQueryCost sets the single-query cost limit (default 1000, Shopify's).
func WithMaxQueryCost(points int) ShopOption {
	return func(c *shopConfig) { c.maxCost = points }
}

// WithSearchLag makes the shop's order and product search lag behind
// writes, as Shopify's search index does: orders and products created less
// than lag ago (simulated time) are missing from orders, ordersCount,
// products and productsCount when they are called with a search (query:);
// lookups by id (order, product, node, nodes) and listings without a
// search see them at once. Default 0: no lag.
func WithSearchLag(lag time.Duration) ShopOption {
	return func(c *shopConfig) { c.searchLag = lag }
}

func defaultShopConfig(name string) shopConfig {
	size, rate := PlanStandard.Limits()
	return shopConfig{
		scopes:      normalizeScopes(defaultScopes),
		accessToken: "shpat_sim_" + name + "_00000000000000000000",
		tokenTTL:    24 * time.Hour,
		bucketSize:  size,
		restoreRate: rate,
		idBase:      DefaultIDBase,
		maxCost:     1000,
	}
}
