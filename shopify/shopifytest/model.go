package shopifytest

import (
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// The model types below are the simulator's in-memory shop state. The
// control API (methods of *Shop) returns them as deep copies, so a test may
// keep and modify them freely; changes reach the shop only through the
// control API or through GraphQL mutations.
//
// All IDs are legacy numeric IDs (int64); the GraphQL layer turns them into
// global IDs with shopify.GID. By default IDs start above 2^53 so that code
// which passes IDs through float64 breaks in tests as it would in production.

// Location is a place that stocks inventory.
type Location struct {
	ID                   int64
	Name                 string
	Active               bool
	FulfillsOnlineOrders bool
	ShipsInventory       bool
	IsFulfillmentService bool
	Address1, City, Zip  string
	CountryCode          string
	CreatedAt, UpdatedAt time.Time
}

// Product is a product with its variants (in position order).
type Product struct {
	ID          int64
	Title       string
	Handle      string
	Vendor      string
	ProductType string
	// Status is ACTIVE, DRAFT or ARCHIVED (ProductStatus).
	Status     string
	Tags       []string
	VariantIDs []int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Variant is a product variant. Its SKU lives on its inventory item (as in
// Shopify, where ProductVariant.sku reads the item's SKU).
type Variant struct {
	ID              int64
	ProductID       int64
	Title           string
	Position        int
	Barcode         string
	Price           shopify.Decimal
	CompareAtPrice  shopify.Decimal
	Taxable         bool
	InventoryPolicy string // DENY or CONTINUE
	InventoryItemID int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// CountryHSCode is a country-specific harmonized system code.
type CountryHSCode struct {
	CountryCode          string
	HarmonizedSystemCode string
}

// InventoryItem is the stock-keeping unit behind a variant.
type InventoryItem struct {
	ID                           int64
	VariantID                    int64
	SKU                          string
	Tracked                      bool
	RequiresShipping             bool
	UnitCost                     shopify.Decimal // "" when no cost is set
	HarmonizedSystemCode         string
	CountryCodeOfOrigin          string
	ProvinceCodeOfOrigin         string
	CountryHarmonizedSystemCodes []CountryHSCode
	// WeightValue and WeightUnit (GRAMS, KILOGRAMS, OUNCES, POUNDS) are the
	// item's measurement.weight.
	WeightValue shopify.Decimal
	WeightUnit  string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Quantity names the simulator keeps per inventory level. on_hand is derived:
// available + committed + reserved + damaged + safety_stock + quality_control.
var quantityNames = []string{"available", "committed", "reserved", "damaged", "safety_stock", "quality_control", "incoming", "on_hand"}

// unavailableNames are the states that count towards on_hand besides available.
var unavailableNames = []string{"committed", "reserved", "damaged", "safety_stock", "quality_control"}

// InventoryLevel is an inventory item stocked at a location.
type InventoryLevel struct {
	ID              int64
	InventoryItemID int64
	LocationID      int64
	// Quantities holds the stored states (available, committed, reserved,
	// damaged, safety_stock, quality_control, incoming). Use (InventoryLevel).Quantity
	// to read any name including the derived on_hand.
	Quantities map[string]int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Quantity returns the named quantity; on_hand is derived.
func (l InventoryLevel) Quantity(name string) int {
	if name == "on_hand" {
		n := l.Quantities["available"]
		for _, u := range unavailableNames {
			n += l.Quantities[u]
		}
		return n
	}
	return l.Quantities[name]
}

// Order is an order with its line items and money movements.
type Order struct {
	ID         int64
	Name       string // "#1001"
	Email      string
	Currency   string
	SourceName string // "web", "pos", ...
	AppName    string // "Online Store", "Point of Sale"
	AppID      int64
	// RetailLocationID is the POS location (0 for non-POS orders).
	RetailLocationID int64
	Test             bool
	Tags             []string
	LineItems        []LineItem
	Transactions     []Transaction
	// FulfillmentOrderIDs, FulfillmentIDs and RefundIDs reference the
	// order's related objects (read them with Shop.FulfillmentOrder etc.).
	FulfillmentOrderIDs []int64
	FulfillmentIDs      []int64
	RefundIDs           []int64
	CreatedAt           time.Time
	UpdatedAt           time.Time
	ProcessedAt         time.Time
	CancelledAt         *time.Time
	CancelReason        string
	ClosedAt            *time.Time
}

// LineItem is one line of an order.
type LineItem struct {
	ID        int64
	VariantID int64
	ProductID int64
	SKU       string
	Title     string
	Quantity  int
	Price     shopify.Decimal // unit price
	// RefundedQuantity counts units removed by refunds.
	RefundedQuantity int
}

// Transaction is an order transaction (OrderTransaction).
type Transaction struct {
	ID int64
	// Kind is AUTHORIZATION, CAPTURE, SALE, REFUND or VOID.
	Kind string
	// Status is SUCCESS (the simulator records no failed transactions).
	Status      string
	Amount      shopify.Decimal
	Gateway     string
	ParentID    int64
	Test        bool
	ProcessedAt time.Time
}

// FulfillmentOrder groups the line items one location fulfils.
type FulfillmentOrder struct {
	ID                 int64
	OrderID            int64
	AssignedLocationID int64
	// Status is OPEN, IN_PROGRESS, CLOSED or CANCELLED.
	Status    string
	LineItems []FulfillmentOrderLineItem
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FulfillmentOrderLineItem is one line of a fulfillment order.
type FulfillmentOrderLineItem struct {
	ID                int64
	LineItemID        int64
	TotalQuantity     int
	RemainingQuantity int
}

// TrackingInfo is a fulfillment's tracking information.
type TrackingInfo struct {
	Company string
	Number  string
	URL     string
}

// Fulfillment is a shipment of fulfillment order line items.
type Fulfillment struct {
	ID         int64
	OrderID    int64
	LocationID int64
	Status     string // SUCCESS or CANCELLED
	Tracking   []TrackingInfo
	LineItems  []FulfillmentLineItem
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// FulfillmentLineItem records how many units of an order line a fulfillment shipped.
type FulfillmentLineItem struct {
	ID                         int64
	LineItemID                 int64
	FulfillmentOrderID         int64
	FulfillmentOrderLineItemID int64
	Quantity                   int
}

// Refund is a refund of order lines and/or money.
type Refund struct {
	ID             int64
	OrderID        int64
	Note           string
	LineItems      []RefundLineItem
	TransactionIDs []int64
	CreatedAt      time.Time
}

// RefundLineItem is one refunded order line.
type RefundLineItem struct {
	ID          int64
	LineItemID  int64
	Quantity    int
	RestockType string // NO_RESTOCK, CANCEL, RETURN, LEGACY_RESTOCK
	LocationID  int64
	Restocked   bool
	Subtotal    shopify.Decimal
}

// WebhookSubscription is a shop-scoped webhook subscription.
type WebhookSubscription struct {
	ID            int64
	Topic         string // WebhookSubscriptionTopic, e.g. PRODUCTS_UPDATE
	URI           string
	Name          string
	Filter        string
	IncludeFields []string
	Format        string // JSON or XML
	APIVersion    string
	// CreatedViaAPI is true for subscriptions created through GraphQL; only
	// those are removed by Shopify after repeated delivery failures.
	CreatedViaAPI bool
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// InventoryChange is one quantity change of an adjustment group.
type InventoryChange struct {
	InventoryItemID     int64
	LocationID          int64
	Name                string
	Delta               int
	QuantityAfterChange int
	LedgerDocumentURI   string
}

// InventoryAdjustmentGroup records one inventory mutation's changes.
type InventoryAdjustmentGroup struct {
	ID                   int64
	Reason               string
	ReferenceDocumentURI string
	Changes              []InventoryChange
	CreatedAt            time.Time
}
