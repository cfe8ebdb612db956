package sync

import (
	"context"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Connector is what a shop system (Shopify, WooCommerce, DanDomain ...)
// provides to the engine: four methods that read one shop and translate its
// data into shop-neutral terms. Everything else is optional and found by
// type assertion (see [WebhookRegistrar], [CustomsCostSource],
// [SalesSource]), the way database/sql finds a driver's optional
// interfaces.
//
// A Connector serves one shop with one set of credentials: the engine gets
// it from [Config.Connect] with the shop's [Settings] and keeps it until the
// settings change. The connector holds the secrets (access token, API key);
// they must never appear in its errors, logs or %v output.
//
// # Concurrency
//
// A Connector must be safe for concurrent use: the engine calls it from the
// setup steps, the inbound workers and the reconciliation sweep at once.
// Rate limiting is the connector's business (its client throttles per
// shop); the engine does not pace its calls.
//
// # Reading is side-effect free
//
// Every method of the core interface only reads. Calling one twice returns
// the same data if the shop did not change, so the engine retries freely.
//
// # Errors
//
// Methods return ctx.Err() (possibly wrapped) when the context ends first.
// An error matching [ErrUnauthorized] means the credentials were refused;
// [ErrUnreachable] means the shop could not be reached at all (DNS, TLS,
// connection refused, not a shop); [ErrCursorExpired] means a cursor from
// an earlier page can no longer be continued. Any other error is taken as
// transient: the engine retries the call later with the same arguments.
// Wrap the shop system's own error so callers can inspect it with
// errors.As.
type Connector interface {
	// Inspect reads the shop's identity and what the engine needs to test
	// the connection: name, domain, country, time zone, the scopes
	// granted to the credentials, the scopes the features in f require,
	// the shop's locations, and whether the configured API version is
	// supported. It is the first call the engine makes with new settings,
	// so it must fail with [ErrUnreachable] or [ErrUnauthorized] rather
	// than a generic error when those are the cause.
	Inspect(ctx context.Context, f Features) (ShopInfo, error)

	// Products returns one page of the shop's products, in a stable order,
	// with every variant (however many: a connector pages variants itself)
	// and, when [ProductQuery.Stock] is set, the stock of each variant at
	// each location.
	//
	// cursor is "" for the first page and then the previous page's
	// [Page.Next]; the engine persists cursors and passes one back after a
	// crash, possibly in a new process hours later, so a cursor must be a
	// self-contained string (a bulk operation id plus a line offset, an
	// API cursor, a page number), never a handle to process memory. A
	// cursor the connector can no longer continue returns an error
	// matching [ErrCursorExpired]; the engine then starts over from "",
	// which is safe because it applies products idempotently.
	//
	// The connector chooses how to read: page by page for small shops, a
	// bulk export for big ones (see [ProductQuery]). Products deleted while
	// the listing runs may be left out; products created meanwhile may be
	// left out too (their webhooks bring them).
	Products(ctx context.Context, q ProductQuery, cursor string) (Page[Product], error)

	// Orders returns one page of the shop's orders matching q, in
	// ascending order of the time q filters on (CreatedAt when
	// q.CreatedSince is set, otherwise UpdatedAt), with the same cursor
	// rules as Products. Orders are complete: every line, the status
	// (cancelled orders have [wms.OrderCancelled]), the POS flag and the
	// location. Deleted orders are left out.
	Orders(ctx context.Context, q OrderQuery, cursor string) (Page[Order], error)

	// Decode translates one webhook event from the inbox into a [Change].
	// It does no I/O and is deterministic: the same event always gives the
	// same Change. Events the engine does not act on (inventory levels,
	// fulfilments, topics of other features) return a Change of kind
	// [ChangeNone] and a nil error. A payload that cannot be decoded
	// returns an error matching [ErrInvalidPayload]; the engine parks the
	// event (dead letter) instead of retrying it.
	Decode(ctx context.Context, e *webhook.Event) (Change, error)
}

// Features are the features the engine will use for a shop, derived from
// its [Settings]. [Connector.Inspect] returns the scopes they require.
type Features struct {
	// Products: product import and product webhooks. Always true.
	Products bool
	// CustomsCost: customs information and unit costs.
	CustomsCost bool
	// Orders: order webhooks and the reconciliation sweep.
	Orders bool
	// POS: point-of-sale orders become stock movements and sales.
	POS bool
	// SalesHistorySince is the first day of the sales history import;
	// zero means no import.
	SalesHistorySince wms.Date
	// Today is the current day in the engine's clock, so the connector can
	// tell how far back SalesHistorySince reaches (a shop system may list
	// older orders only with a further scope).
	Today wms.Date
	// Outbound are the outbound message kinds switched on.
	Outbound []wms.EventKind
}

// ShopInfo is what [Connector.Inspect] reports about a shop.
type ShopInfo struct {
	// Name is the shop's own name; Domain how the shop names itself in its
	// webhook events ([webhook.Event.Shop]): Shopify's permanent
	// NAME.myshopify.com domain, a WooCommerce site URL. The connection
	// test compares it with [ShopSystem.EventShop] of the settings.
	Name   string `json:"name"`
	Domain string `json:"domain"`
	// Country is the shop's ISO 3166-1 alpha-2 country code; Currency its
	// ISO 4217 currency; Timezone its IANA time zone (such as
	// "Europe/Copenhagen"), used to put sales on the shop's days. An empty
	// or unknown Timezone means UTC.
	Country  string `json:"country,omitempty"`
	Currency string `json:"currency,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	// Plan is the shop's plan or edition, for information.
	Plan string `json:"plan,omitempty"`
	// GrantedScopes are the access scopes the credentials carry.
	GrantedScopes []string `json:"granted_scopes"`
	// RequiredScopes are the scopes the features asked about need, each
	// with the feature that needs it. The engine reports every
	// requirement none of whose scopes is granted.
	RequiredScopes []ScopeRequirement `json:"required_scopes"`
	// Locations are the shop's locations (warehouses, stores, POS
	// outlets), active and inactive.
	Locations []Location `json:"locations"`
	// APIVersion is the API version the connector talks; APIVersionOK
	// reports whether the shop supports it; SupportedVersions lists the
	// versions the shop supports, newest first, when known.
	APIVersion        string   `json:"api_version,omitempty"`
	APIVersionOK      bool     `json:"api_version_ok"`
	SupportedVersions []string `json:"supported_versions,omitempty"`
}

// ScopeRequirement is one access scope a feature needs, or a feature the
// shop system does not have (NotSupported).
type ScopeRequirement struct {
	// AnyOf lists scopes of which one suffices, such as
	// ["read_products", "write_products"] when writing implies reading.
	// The first is the one to ask for. Empty when NotSupported.
	AnyOf []string `json:"any_of"`
	// NotSupported reports a feature the shop system does not have at all
	// (WooCommerce has no point of sale, say), so no scope grants it: the
	// connection test lists it in [ConnectionReport.Unsupported] with
	// Reason, not as a missing scope, and it does not make the test fail.
	NotSupported bool `json:"not_supported,omitempty"`
	// Feature names the feature in the merchant's words, such as "import
	// products".
	Feature string `json:"feature"`
	// Reason says why, when it is not obvious, such as "sales history
	// goes back further than the shop lists orders by default".
	Reason string `json:"reason,omitempty"`
}

// Location is a place of the shop that holds stock or sells (a warehouse,
// a store with a point of sale).
type Location struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// ProductQuery selects products for [Connector.Products].
type ProductQuery struct {
	// UpdatedSince, when not zero, selects products updated at or after it
	// (the reconciliation sweep). Zero selects every product (the import).
	UpdatedSince time.Time
	// IDs, when not empty, selects these products only (the engine fetches
	// a product whose webhook was truncated, or re-reads one). Unknown or
	// deleted ids are left out of the page without an error.
	IDs []string
	// Stock asks for each variant's stock per location ([Product.Stock]).
	// The import asks for it; webhooks and sweeps do not.
	Stock bool
}

// OrderQuery selects orders for [Connector.Orders]. At most one of
// UpdatedSince and CreatedSince is set.
type OrderQuery struct {
	// UpdatedSince, when not zero, selects orders updated at or after it,
	// sorted by UpdatedAt (the reconciliation sweep).
	UpdatedSince time.Time
	// CreatedSince, when not zero, selects orders created at or after it,
	// sorted by CreatedAt (the sales history import).
	CreatedSince time.Time
	// IDs, when not empty, selects these orders only; unknown or deleted
	// ids are left out of the page.
	IDs []string
}

// Page is one page of a listing.
type Page[T any] struct {
	// Items are the page's entries; a page may be empty even when Next is
	// not "" (a bulk export still running, say).
	Items []T
	// Next is the cursor of the following page; "" means this was the
	// last page.
	Next string
	// Total is the number of entries the whole listing has, as far as the
	// connector knows (an estimate is fine, for progress bars); -1 means
	// unknown.
	Total int64
}

// Product is a shop's product as a connector delivers it: the warehouse's
// view ([wms.Product]) plus what the engine needs to finish it. The engine
// sets Shop and Main, fills Brand or Supplier from Vendor according to the
// shop's settings, drops variants without a SKU, and turns Stock into
// stock levels of the mapped warehouses.
type Product struct {
	wms.Product
	// Vendor is the shop's vendor (manufacturer) of the product.
	Vendor string `json:"vendor,omitempty"`
	// UpdatedAt is when the product last changed in the shop; the engine
	// uses it as the product's version (staleness protection).
	UpdatedAt time.Time `json:"updated_at"`
	// Stock is the on-hand stock of the variants per location, when asked
	// for with ProductQuery.Stock.
	Stock []LocationStock `json:"stock,omitempty"`
}

// LocationStock is the stock of one SKU at one shop location.
type LocationStock struct {
	SKU        string `json:"sku"`
	LocationID string `json:"location_id"`
	OnHand     int64  `json:"on_hand"`
}

// Order is a shop's order as a connector delivers it: the warehouse's view
// ([wms.Order]) plus the shop location it ships from or was sold at. The
// engine sets Shop and Warehouse (from LocationID and the shop's location
// mapping) and leaves out lines without a SKU or quantity;
// wms.Order.UpdatedAt is the order's version. Times may be in any zone: the
// engine takes the day of a sale in the shop's time zone
// ([ShopInfo.Timezone]).
type Order struct {
	wms.Order
	// LocationID is the shop location that fulfils the order (where the
	// shop assigned its fulfilment), or the POS location it was sold at;
	// "" when the shop does not say, which means the warehouse's default
	// (for a shop without locations, [SingleLocation]: the shop's
	// warehouse). The engine sends an active order to the warehouse mapped
	// to LocationID and ignores it when the location maps to no warehouse
	// (another party fulfils it). One location per order: an order split
	// across locations goes whole to the warehouse of the location the
	// connector reports (the first that still has something to fulfil,
	// say).
	LocationID string `json:"location_id,omitempty"`
}

// ChangeKind says what a [Change] does.
type ChangeKind string

// The change kinds.
const (
	// ChangeNone: the event needs no action from the engine.
	ChangeNone ChangeKind = ""
	// ChangeProduct: a product was created or updated.
	ChangeProduct ChangeKind = "product"
	// ChangeProductDeleted: a product was deleted.
	ChangeProductDeleted ChangeKind = "product_deleted"
	// ChangeOrder: an order was created, updated or cancelled (Order.Status
	// says which).
	ChangeOrder ChangeKind = "order"
	// ChangeOrderDeleted: an order was deleted.
	ChangeOrderDeleted ChangeKind = "order_deleted"

	// The shop's relation to the app (see [ShopEvent]); ID, Version and
	// the entity fields are unused.

	// ChangeDisconnected: the merchant removed the app from the shop
	// (Shopify: app/uninstalled); its credentials no longer work. The
	// engine first asks the shop ([Connector.Inspect]) and acts only when
	// the shop refuses the credentials ([ErrUnauthorized]); otherwise the
	// event is parked with [ErrNotConfirmed]. It then stops the shop's
	// work until [Engine.CredentialsChanged].
	ChangeDisconnected ChangeKind = "disconnected"
	// ChangeAccessChanged: the access granted to the app changed
	// (Shopify: app/scopes_update); the engine inspects the shop again.
	ChangeAccessChanged ChangeKind = "access_changed"
	// ChangeDataRequest: a customer asked for the data the app holds
	// about them (Shopify: customers/data_request); Customer says who.
	ChangeDataRequest ChangeKind = "data_request"
	// ChangeRedactCustomer: erase a customer's personal data (Shopify:
	// customers/redact); Customer says whose.
	ChangeRedactCustomer ChangeKind = "redact_customer"
	// ChangeRedactShop: erase all of the shop's data (Shopify:
	// shop/redact, 48 hours after an uninstall). Like ChangeDisconnected,
	// it is applied only when the shop refuses the credentials.
	ChangeRedactShop ChangeKind = "redact_shop"
)

// Customer identifies the customer of a data request or redaction, as far
// as the shop says.
type Customer struct {
	// ID is the shop's id of the customer; Email and Phone their contact
	// data.
	ID    string `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Orders are the external ids of the orders concerned (the same ids as
	// Order.ExternalID).
	Orders []string `json:"orders,omitempty"`
	// RequestID is the shop's id of a data request.
	RequestID string `json:"request_id,omitempty"`
}

// Change is one webhook event translated by [Connector.Decode].
type Change struct {
	Kind ChangeKind
	// ID is the external id of the product or order (the same id
	// Product.ExternalID or Order.ExternalID carries).
	ID string
	// Version orders changes of one entity: the payload's updated-at and
	// the event's trigger time (see [webhook.Version]). The engine applies
	// a change only if its version supersedes the one applied last.
	Version webhook.Version
	// Product is set for ChangeProduct.
	Product *Product
	// Partial reports that the payload lacks data the engine needs, so
	// the engine reads the entity from the shop before applying it. For
	// ChangeProduct: Product lacks variants (a payload that carries only
	// the first ones); the engine fetches the whole product with
	// [Connector.Products]. For ChangeOrder: Order lacks what only the
	// shop's API says, such as the location a web order ships from; the
	// engine fetches the order with [Connector.Orders] (OrderQuery.IDs),
	// keeping Version's TriggeredAt and taking the fetched order's
	// UpdatedAt, and skips the fetch when Version is already superseded.
	// When the fetch finds no order there is nothing to apply (a deletion
	// event or a sweep follows), except that a cancelled Order is applied
	// as it is. Each Partial change costs one read of the shop.
	//
	// A product change need not carry weights: a variant whose Weight is
	// zero leaves the item's known weight as it is (see
	// [wms.Backend.UpsertProducts]), and when such a variant's SKU is new
	// to the backend the engine reads the product from the shop as if the
	// change were Partial, so the new item starts with its weight.
	Partial bool
	// Order is set for ChangeOrder.
	Order *Order
	// Customer is set for ChangeDataRequest and ChangeRedactCustomer.
	Customer *Customer
	// Scopes are the access scopes granted now, for ChangeAccessChanged,
	// when the event says.
	Scopes []string
}

// WebhookGroup names the webhook subscriptions of one feature; a connector
// knows which topics each needs.
type WebhookGroup string

// The webhook groups.
const (
	// ProductWebhooks: product create, update and delete.
	ProductWebhooks WebhookGroup = "products"
	// OrderWebhooks: order create, update, cancel and delete.
	OrderWebhooks WebhookGroup = "orders"
	// AppWebhooks: the app's lifecycle in the shop (uninstalled, access
	// changed), subscribed when the first setup step starts. A connector
	// whose shop system has no such topics may refuse the group with an
	// error: the engine then goes on without it.
	AppWebhooks WebhookGroup = "app"
)

// WebhookRegistrar is implemented by connectors that subscribe the shop's
// webhooks. The connector knows the address deliveries go to
// (the host's [webhook.Handler]) from its own configuration.
type WebhookRegistrar interface {
	// EnsureWebhooks makes sure the shop delivers every topic of group to
	// the connector's address, creating the subscriptions that are
	// missing, and returns the topics it created (empty when all were in
	// place). It is idempotent: a second call creates nothing and never
	// duplicates a subscription. The engine calls it when a setup step
	// starts and periodically to re-create subscriptions the shop removed
	// (the audit).
	EnsureWebhooks(ctx context.Context, group WebhookGroup) (created []string, err error)
}

// CustomsCostSource is implemented by connectors that can read customs
// information and unit costs.
type CustomsCostSource interface {
	// CustomsAndCosts returns one page of customs information and unit
	// costs by SKU, with the cursor rules of [Connector.Products]. An
	// entry without customs information leaves Customs zero; one without
	// a cost leaves Cost "" (the engine writes only what is there).
	CustomsAndCosts(ctx context.Context, cursor string) (Page[ItemDetails], error)
}

// ItemDetails is the customs information and unit cost of one SKU.
type ItemDetails struct {
	SKU     string      `json:"sku"`
	Customs wms.Customs `json:"customs"`
	Cost    wms.Decimal `json:"cost,omitempty"`
}

// PayloadRedactor is implemented by connectors that can erase a
// customer's personal data from the webhook payloads of their shop system
// (names, e-mail addresses, phone numbers, postal addresses), for
// [ChangeRedactCustomer]: the engine passes it the body of every stored
// webhook event of the shop and stores what it returns.
type PayloadRedactor interface {
	// RedactPayload returns e's body without c's personal data and true,
	// or nil and false when the body holds none of it. It does no I/O.
	RedactPayload(e *webhook.Event, c Customer) ([]byte, bool, error)
}

// SalesSource is implemented by connectors that can report sales per SKU
// and day directly (a reports API). Without it the engine adds up the lines
// of [Connector.Orders] listed by creation time.
type SalesSource interface {
	// Sales returns one page of daily sales from the day since (in the
	// shop's time zone) up to today, with the cursor rules of
	// [Connector.Products]. Each record carries SKU, Day and Quantity (and
	// Amount when known); the engine sets Shop and Ref. A (SKU, Day) pair
	// appears in one page at most.
	Sales(ctx context.Context, since wms.Date, cursor string) (Page[wms.SalesRecord], error)
}
