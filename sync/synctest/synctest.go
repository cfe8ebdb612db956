// Package synctest runs the sync engine's end-to-end tests against a shop
// system: its connector, its webhook source and its shop system, driven
// through a test shop that the kit changes as a merchant and customers
// would. Every connector package runs it, in the spirit of river's driver
// tests and database/sql/driver's conformance suites:
//
//	func TestEngineEndToEnd(t *testing.T) {
//		synctest.Run(t, mySystem{}) // mySystem implements synctest.System
//	}
//
// The kit builds, per test, the reference WMS (package wms/memwms, one
// warehouse, "main"), a memory store, an engine with the system's
// [wmssync.ShopSystem], and a real HTTP webhook endpoint (webhook.Handler
// with the system's [webhook.Source]) that the test shop delivers to. Data
// reaches the warehouse only through those deliveries, the setup steps and
// the reconciliation sweep; warehouse events reach the shop only through
// the outbox and the connector's [wmssync.Outbound].
//
// The tests: the product import with stock, product webhooks (create,
// rename, delete), order webhooks (create, cancel), a missed order webhook
// healed by the sweep, stock sent to the shop in the connector's batch
// size, a packed order fulfilled in the shop (and captured when the
// connector captures on pack), and, for a shop that offers [Restorer], a
// product restored after its deletion.
//
// Package shopify/connector runs it against the simulated Shopify,
// woocommerce/connector against the simulated WooCommerce; the
// engine runs it against its own second test shop system, whose signature
// header, shop identity (a site URL with a path), stock batch size and
// capabilities differ from Shopify's.
package synctest

import (
	"context"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Warehouse is the id of the kit WMS's only warehouse. A test shop maps
// its stock location to it in [Shop.Settings].
const Warehouse = "main"

// System is the shop system under test, as its connector package's tests
// provide it.
type System interface {
	// ShopSystem returns the system's [wmssync.ShopSystem].
	ShopSystem() wmssync.ShopSystem
	// Source returns the [webhook.Source] that verifies the deliveries of
	// every shop NewShop made.
	Source() webhook.Source
	// NewShop returns a new test shop without products or orders, named
	// name (letters and digits), that delivers its webhooks to
	// webhookURL, signed so that Source verifies them, and takes its time
	// from now (the kit moves it forward between changes, so that two
	// changes never share a second).
	NewShop(t T, name, webhookURL string, now func() time.Time) Shop
}

// T is the part of *testing.T a [System] may use.
type T interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
	TempDir() string
}

// Shop is one test shop: the kit plays the merchant and the customers
// through it, and the engine reads it through its connector. Methods
// change the shop as its own admin or storefront would, and queue the
// webhooks the shop system sends for the change (to the topics the
// connector subscribed); Flush delivers them.
type Shop interface {
	// Settings returns the engine settings of the shop with the given
	// shop id, its stock location (if the shop system has locations)
	// mapped to warehouse. The kit saves them with its engine.
	Settings(shop, warehouse string) wmssync.Settings
	// Connect returns a connector of the shop for the saved settings s,
	// as the host's [wmssync.Config.Connect] would.
	Connect(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error)

	// CreateProduct creates a product and returns its id, the id the
	// connector reports as the product's ExternalID.
	CreateProduct(ctx context.Context, p Product) (id string, err error)
	// RenameProduct changes a product's title.
	RenameProduct(ctx context.Context, id, title string) error
	// DeleteProduct deletes a product (or moves it to the trash, where
	// the shop system has one).
	DeleteProduct(ctx context.Context, id string) error

	// CreateOrder places an order for the lines, fulfilled from the
	// mapped location, paid, and returns its id (the ExternalID the
	// connector reports).
	CreateOrder(ctx context.Context, lines ...Line) (id string, err error)
	// CancelOrder cancels an order.
	CancelOrder(ctx context.Context, id string) error
	// Fulfilled reports whether every line of the order has shipped in
	// the shop.
	Fulfilled(ctx context.Context, id string) (bool, error)

	// Available returns the available stock of sku at the mapped
	// location, as the shop shows it.
	Available(ctx context.Context, sku string) (int64, error)

	// DropWebhooks makes the shop lose (true) or deliver (false) the
	// webhooks of the changes made from now on.
	DropWebhooks(drop bool)
	// Flush returns once every webhook queued so far was delivered (and
	// answered) or dropped.
	Flush(ctx context.Context) error
}

// StockSetter is implemented by a [Shop] whose stock the merchant can
// change by hand: SetAvailable sets the available stock of sku at the
// mapped location, as the shop's admin would. The stock audit test needs
// it (and a connector that is a [wmssync.StockLister]); without either,
// that test is skipped.
type StockSetter interface {
	SetAvailable(ctx context.Context, sku string, n int64) error
}

// Restorer is implemented by a [Shop] whose shop system restores deleted
// products (from a trash): RestoreProduct brings a deleted product back,
// with its variants, and queues the webhook the shop system sends for it.
type Restorer interface {
	RestoreProduct(ctx context.Context, id string) error
}

// Product is a product to create: a title and variants.
type Product struct {
	Title    string
	Variants []Variant
}

// Variant is one variant: its SKU and its stock at the mapped location.
type Variant struct {
	SKU   string
	Stock int64
}

// Line is one order line.
type Line struct {
	SKU      string
	Quantity int64
}
