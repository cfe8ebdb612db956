package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"runtime"
	gosync "sync"
	"sync/atomic"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Defaults of Config.
const (
	// DefaultBulkPageSize is the number of products per page the connector
	// hands out of a finished bulk export.
	DefaultBulkPageSize = 250
	// DefaultBulkOrderDays is the age, in days, from which a listing of the
	// orders created since a time (the sales history) uses a bulk export
	// instead of paging.
	DefaultBulkOrderDays = 60
	// DefaultMaxLocations is the number of locations read per inventory
	// item when paging stock.
	DefaultMaxLocations = 20
)

// Config configures a [Connector]. Client is required; the other fields have
// defaults.
type Config struct {
	// Client is the shop's Admin API client, with its credentials and rate
	// limiter. Required. The connector never reads or logs its secrets.
	Client *shopify.Client
	// WebhookAddress is the HTTPS address of the host's webhook.Handler,
	// where the shop delivers the subscriptions EnsureWebhooks makes.
	// Required for EnsureWebhooks (which fails without it); the other
	// methods do not use it.
	WebhookAddress string
	// BulkThreshold, when positive, is the product count from which
	// Products (and CustomsAndCosts) read the catalogue with a bulk export;
	// below it they page. Negative never uses bulk. Zero, the default,
	// decides by the estimated time of each for the shop's size and plan
	// (see BulkStartup): on the Basic plan, a catalogue of more than about
	// 80 products with stock is read in bulk.
	BulkThreshold int
	// BulkStartup and BulkRowsPerSecond describe how long Shopify is
	// assumed to take for a bulk export: BulkStartup before its result can
	// be read, plus its rows at BulkRowsPerSecond. Paging is assumed to
	// take the time the shop's bucket needs to restore the points beyond
	// what it holds. Defaults DefaultBulkStartup and
	// DefaultBulkRowsPerSecond.
	BulkStartup       time.Duration
	BulkRowsPerSecond int
	// BulkPageSize is the number of products per page out of a bulk
	// export. Default DefaultBulkPageSize.
	BulkPageSize int
	// BulkOrderDays is the age (days) of OrderQuery.CreatedSince from
	// which Orders reads with a bulk export. Default DefaultBulkOrderDays;
	// a negative value never uses bulk.
	BulkOrderDays int
	// MaxLocations caps the locations read per inventory item when paging
	// stock. Default DefaultMaxLocations.
	MaxLocations int
	// SkipFulfillmentLocations switches off reading where Shopify assigned
	// a web order's fulfilment. Default false: web orders carry the
	// location of their fulfilment orders (see [Connector.Orders]), so the
	// engine sends each to the warehouse mapped to that location and keeps
	// orders at unmapped locations (a store, another 3PL) out of the WMS;
	// this costs one extra query per web order webhook (its payload does
	// not say the location, so the engine fetches the order) and needs the
	// read_merchant_managed_fulfillment_orders and
	// read_third_party_fulfillment_orders scopes (or their write_
	// counterparts). Set it to true to save those queries and scopes: web
	// orders then carry no location and go to the warehouse's default, as
	// before this option existed. POS sales keep their retail location
	// either way.
	SkipFulfillmentLocations bool
	// BulkWait tunes how the connector polls a running bulk operation;
	// nil takes the shopify package's defaults.
	BulkWait *shopify.WaitOptions
	// Logger receives the connector's logs. Default: discard.
	Logger *slog.Logger
}

// Connector is the Shopify implementation of [wmssync.Connector] for one
// shop, with the optional capabilities [wmssync.WebhookRegistrar],
// [wmssync.CustomsCostSource] and [wmssync.Outbound]. Build it with [New].
//
// A Connector is safe for concurrent use. Its reads are side-effect free
// except that a bulk export starts a bulk operation on the shop (the
// operation id goes into the returned cursor, so a resumed listing reuses
// it). It caches a finished export's position in memory so that paging
// through it is linear; the cursors alone suffice to resume in another
// process. Call Close to release that cache.
type Connector struct {
	client *shopify.Client
	cfg    Config
	log    *slog.Logger

	exports  *exports // open bulk exports
	locMu    gosync.Mutex
	locCount int64 // active locations, once read (locationCount)
	// ungrouped is set once a bulk export run with GroupObjects failed:
	// later exports of this connector run without it (Shopify warns that
	// grouping makes exports slower and likelier to time out).
	ungrouped atomic.Bool
}

// Interface checks.
var (
	_ wmssync.Connector         = (*Connector)(nil)
	_ wmssync.WebhookRegistrar  = (*Connector)(nil)
	_ wmssync.CustomsCostSource = (*Connector)(nil)
	_ wmssync.Outbound          = (*Connector)(nil)
	_ wmssync.StockBatcher      = (*Connector)(nil)
	_ wmssync.PackCapturer      = (*Connector)(nil)
)

// New returns a Connector for cfg. It does no I/O.
func New(cfg Config) (*Connector, error) {
	if cfg.Client == nil {
		return nil, errors.New("shopify/connector: Config.Client is required")
	}
	if cfg.WebhookAddress != "" {
		u, err := url.Parse(cfg.WebhookAddress)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, errors.New("shopify/connector: Config.WebhookAddress is not an http(s) URL")
		}
	}
	if cfg.BulkStartup <= 0 {
		cfg.BulkStartup = DefaultBulkStartup
	}
	if cfg.BulkRowsPerSecond <= 0 {
		cfg.BulkRowsPerSecond = DefaultBulkRowsPerSecond
	}
	if cfg.BulkPageSize <= 0 {
		cfg.BulkPageSize = DefaultBulkPageSize
	}
	if cfg.BulkOrderDays == 0 {
		cfg.BulkOrderDays = DefaultBulkOrderDays
	}
	if cfg.MaxLocations <= 0 {
		cfg.MaxLocations = DefaultMaxLocations
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Connector{
		client:  cfg.Client,
		cfg:     cfg,
		log:     cfg.Logger,
		exports: &exports{m: map[string]*exportState{}},
	}
	// A connector dropped without Close (the engine replaces a shop's
	// connector when its settings change) still releases its readers.
	runtime.AddCleanup(c, func(e *exports) { e.closeAll() }, c.exports)
	return c, nil
}

// Client returns the connector's Shopify client.
func (c *Connector) Client() *shopify.Client { return c.client }

// String describes the connector without any secret.
func (c *Connector) String() string {
	return fmt.Sprintf("shopify/connector(%s)", c.client.Shop())
}

// Close releases the bulk exports the connector keeps open (temporary
// files, memory). The connector stays usable: a later call opens them
// again from their cursors.
func (c *Connector) Close() error {
	c.exports.closeAll()
	return nil
}

// NormalizeAdminURL is the Shopify admin URL rule of [ShopSystem]: it
// accepts "name",
// "name.myshopify.com", "https://name.myshopify.com" and
// "https://name.myshopify.com/admin..." and returns
// "https://name.myshopify.com"; storefront (custom) domains, other hosts,
// http, ports, credentials and queries are rejected.
func NormalizeAdminURL(raw string) (string, error) {
	d, err := shopify.NormalizeShop(raw)
	if err != nil {
		return "", err
	}
	return "https://" + d, nil
}

// classify maps a client error onto the sync package's sentinels:
// unauthorized → ErrUnauthorized, no answer or not a shop → ErrUnreachable.
// Other errors (throttling after retries, 5xx, GraphQL errors) stay
// transient. The context's error is returned as is.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	if errors.Is(err, shopify.ErrUnauthorized) {
		return wmssync.MarkError(err, wmssync.ErrUnauthorized)
	}
	var he *shopify.HTTPError
	if errors.As(err, &he) {
		if he.StatusCode == 404 || (he.StatusCode >= 300 && he.StatusCode < 400) || (he.StatusCode >= 200 && he.StatusCode < 300) {
			return wmssync.MarkError(err, wmssync.ErrUnreachable)
		}
		return err
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ne) || errors.As(err, &ue) {
		return wmssync.MarkError(err, wmssync.ErrUnreachable)
	}
	return err
}
