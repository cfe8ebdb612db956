package shopify

import "time"

// ProductPayload is the REST-format product sent for products/create and
// products/update.
//
// Shopify includes full data for at most the first 100 variants in
// Variants. VariantGIDs lists every variant's GID with its updated_at (sorted
// by updated_at), so a product with more variants can be detected
// (Truncated) and the rest fetched through the Admin API.
type ProductPayload struct {
	ID                int64                  `json:"id"`
	AdminGraphQLAPIID string                 `json:"admin_graphql_api_id" payload:"strict"`
	Title             string                 `json:"title"`
	Handle            string                 `json:"handle"`
	BodyHTML          string                 `json:"body_html"`
	Vendor            string                 `json:"vendor"`
	ProductType       string                 `json:"product_type"`
	Status            string                 `json:"status"`
	Tags              string                 `json:"tags"`
	TemplateSuffix    string                 `json:"template_suffix"`
	PublishedScope    string                 `json:"published_scope"`
	CreatedAt         time.Time              `json:"created_at"`
	UpdatedAt         time.Time              `json:"updated_at"`
	PublishedAt       time.Time              `json:"published_at"`
	Variants          []PayloadVariant       `json:"variants" payload:"strict"`
	VariantGIDs       []PayloadGIDStamp      `json:"variant_gids" payload:"strict"`
	Options           []PayloadProductOption `json:"options"`
}

// Truncated reports whether the payload lists more variants (VariantGIDs)
// than it carries in full (Variants), which happens beyond 100 variants.
func (p *ProductPayload) Truncated() bool {
	return len(p.VariantGIDs) > len(p.Variants)
}

// PayloadVariant is a product variant inside a product payload.
// InventoryQuantity is the total available quantity across locations as
// Shopify computed it when the event fired; OldInventoryQuantity is the value
// before the change.
type PayloadVariant struct {
	ID                   int64     `json:"id"`
	AdminGraphQLAPIID    string    `json:"admin_graphql_api_id" payload:"strict"`
	ProductID            int64     `json:"product_id"`
	InventoryItemID      int64     `json:"inventory_item_id"`
	ImageID              int64     `json:"image_id"`
	Title                string    `json:"title"`
	SKU                  string    `json:"sku" payload:"strict"`
	Barcode              string    `json:"barcode"`
	Position             int       `json:"position"`
	Price                Decimal   `json:"price"`
	CompareAtPrice       Decimal   `json:"compare_at_price"`
	Option1              string    `json:"option1"`
	Option2              string    `json:"option2"`
	Option3              string    `json:"option3"`
	Taxable              bool      `json:"taxable"`
	RequiresShipping     bool      `json:"requires_shipping"`
	InventoryPolicy      string    `json:"inventory_policy"`
	InventoryManagement  string    `json:"inventory_management"`
	FulfillmentService   string    `json:"fulfillment_service"`
	InventoryQuantity    int64     `json:"inventory_quantity"`
	OldInventoryQuantity int64     `json:"old_inventory_quantity"`
	Grams                int64     `json:"grams"`
	Weight               Decimal   `json:"weight"`
	WeightUnit           string    `json:"weight_unit"`
	CreatedAt            time.Time `json:"created_at"`
	UpdatedAt            time.Time `json:"updated_at"`
}

// PayloadGIDStamp is a GID with the time its resource last changed (the
// entries of ProductPayload.VariantGIDs).
type PayloadGIDStamp struct {
	AdminGraphQLAPIID string    `json:"admin_graphql_api_id" payload:"strict"`
	UpdatedAt         time.Time `json:"updated_at"`
}

// PayloadProductOption is a product option such as "Size" with its values.
type PayloadProductOption struct {
	ID        int64    `json:"id"`
	ProductID int64    `json:"product_id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Values    []string `json:"values"`
}

// ProductDeletePayload is the payload of products/delete: only the ID.
type ProductDeletePayload struct {
	ID int64 `json:"id"`
}
