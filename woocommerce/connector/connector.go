package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sync"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

// Defaults of Config.
const (
	// DefaultWeightUnit is WooCommerce's default weight unit.
	DefaultWeightUnit = "kg"
	// DefaultVariationFetches is how many products' variations the
	// connector reads at once on stores without the cross-product
	// variations listing (the client's rate limiter paces them all).
	DefaultVariationFetches = 4
)

// Config configures a [Connector]. Client is required.
type Config struct {
	// Client is the store's REST API client, with its key and pacing.
	// Required. The connector never reads or logs its secrets.
	Client *woocommerce.Client
	// WebhookAddress is the HTTPS address of the host's webhook.Handler,
	// where the store delivers the webhooks EnsureWebhooks creates.
	// Required for EnsureWebhooks.
	WebhookAddress string
	// WebhookSecret is the secret EnsureWebhooks gives the webhooks it
	// creates, the one the host's woowebhook.Source verifies with.
	// Required for EnsureWebhooks. Never logged.
	WebhookSecret string
	// WeightUnit is the store's weight unit (WooCommerce > Settings >
	// Products: kg, g, lbs or oz). Default DefaultWeightUnit.
	WeightUnit string
	// VariationFetches bounds concurrent per-product variation reads.
	// Default DefaultVariationFetches.
	VariationFetches int
	// Logger receives the connector's logs. Default: discard.
	Logger *slog.Logger
}

// Connector is the WooCommerce implementation of [wmssync.Connector] for
// one store, with the optional capabilities [wmssync.WebhookRegistrar] and
// [wmssync.Outbound]. Build it with [New].
//
// A Connector is safe for concurrent use. Its reads are side-effect free;
// it remembers in memory which optional endpoints the store has (the
// cross-product variations listing of WooCommerce 10.3+, whether that
// listing honours the parent filter, the beta Order Fulfillments).
type Connector struct {
	client *woocommerce.Client
	cfg    Config
	log    *slog.Logger

	mu       sync.Mutex
	features *storeFeatures // nil until read
}

// storeFeatures are the optional endpoints of the store.
type storeFeatures struct {
	variations   bool // GET /wc/v3/variations
	parentFilter bool // ... honours ?parent=
	fulfillments bool // /wc/v3/orders/{id}/fulfillments
}

// New returns a Connector for cfg. It does no I/O.
func New(cfg Config) (*Connector, error) {
	if cfg.Client == nil {
		return nil, errors.New("woocommerce/connector: Config.Client is required")
	}
	if cfg.WebhookAddress != "" {
		u, err := url.Parse(cfg.WebhookAddress)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("woocommerce/connector: Config.WebhookAddress is not an http(s) URL")
		}
	}
	switch cfg.WeightUnit {
	case "":
		cfg.WeightUnit = DefaultWeightUnit
	case "kg", "g", "lbs", "oz":
	default:
		return nil, fmt.Errorf("woocommerce/connector: Config.WeightUnit %q is not kg, g, lbs or oz", cfg.WeightUnit)
	}
	if cfg.VariationFetches <= 0 {
		cfg.VariationFetches = DefaultVariationFetches
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Connector{client: cfg.Client, cfg: cfg, log: cfg.Logger}, nil
}

// Client returns the connector's WooCommerce client.
func (c *Connector) Client() *woocommerce.Client { return c.client }

// String describes the connector without any secret.
func (c *Connector) String() string { return "woocommerce/connector(" + c.client.StoreURL() + ")" }

// GoString is String.
func (c *Connector) GoString() string { return c.String() }

// storeFeatures reads (once) which optional endpoints the store has.
func (c *Connector) storeFeatures(ctx context.Context) (*storeFeatures, error) {
	c.mu.Lock()
	f := c.features
	c.mu.Unlock()
	if f != nil {
		return f, nil
	}
	routes, _, err := c.client.Routes(ctx)
	if err != nil {
		return nil, fmt.Errorf("woocommerce/connector: read the wc/v3 routes: %w", classify(ctx, err))
	}
	f = &storeFeatures{
		variations:   woocommerce.HasRoute(routes, "/wc/v3/variations"),
		parentFilter: true, // until a listing shows otherwise
		fulfillments: woocommerce.HasRoute(routes, "/wc/v3/orders/{id}/fulfillments"),
	}
	c.mu.Lock()
	if c.features == nil {
		c.features = f
	}
	f = c.features
	c.mu.Unlock()
	return f, nil
}

// noParentFilter records that the store's variations listing ignores the
// parent filter.
func (c *Connector) noParentFilter() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.features != nil {
		cp := *c.features
		cp.parentFilter = false
		c.features = &cp
	}
}

// classify maps a client error onto the sync sentinels: 401 (every key
// problem in WooCommerce) → ErrUnauthorized; no answer, TLS failure, a
// route that does not exist (not a WooCommerce store, REST API off) or an
// answer that is not JSON → ErrUnreachable. Other errors stay transient.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	if errors.Is(err, woocommerce.ErrUnauthorized) {
		return wmssync.MarkError(err, wmssync.ErrUnauthorized)
	}
	var ae *woocommerce.APIError
	if errors.As(err, &ae) && ae.Code == "rest_no_route" {
		return wmssync.MarkError(err, wmssync.ErrUnreachable)
	}
	var he *woocommerce.HTTPError
	if errors.As(err, &he) {
		if he.StatusCode == 404 || (he.StatusCode >= 300 && he.StatusCode < 400) || errors.Is(err, woocommerce.ErrNotJSON) {
			return wmssync.MarkError(err, wmssync.ErrUnreachable)
		}
		return err
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return wmssync.MarkError(err, wmssync.ErrUnreachable)
	}
	return err
}
