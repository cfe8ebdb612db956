package woocommerce

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// ProductsService reads and writes products (/wc/v3/products). Reads need a
// key with read permission, writes one with write permission. Reads and
// updates are safe to retry; Create is not (see Request.Repeatable).
type ProductsService struct{ client *Client }

// Products returns the service for products.
func (c *Client) Products() *ProductsService { return &ProductsService{client: c} }

// Product is a product as WooCommerce answers it (the fields a warehouse
// needs; the rest of the answer is ignored).
type Product struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	Slug            string `json:"slug"`
	Permalink       string `json:"permalink"`
	DateCreatedGMT  Time   `json:"date_created_gmt"`
	DateModifiedGMT Time   `json:"date_modified_gmt"`
	// Type is simple, grouped, external or variable (plugins add more).
	Type string `json:"type"`
	// Status is draft, pending, private or publish (also future, trash).
	Status string `json:"status"`
	// SKU is unique across products and variations; "" when unset.
	SKU string `json:"sku"`
	// GlobalUniqueID is the GTIN, UPC, EAN or ISBN (WooCommerce 9.2+).
	GlobalUniqueID string `json:"global_unique_id"`
	// Price is read-only; prices are "" when unset (and on variable
	// products).
	Price        Decimal     `json:"price"`
	RegularPrice Decimal     `json:"regular_price"`
	SalePrice    Decimal     `json:"sale_price"`
	ManageStock  ManageStock `json:"manage_stock"`
	// StockQuantity is nil when the stock is not managed.
	StockQuantity *Number `json:"stock_quantity"`
	// StockStatus is instock, outofstock or onbackorder.
	StockStatus string `json:"stock_status"`
	// Backorders is no, notify or yes.
	Backorders     string `json:"backorders"`
	LowStockAmount *int64 `json:"low_stock_amount"`
	// Weight is in the store's weight unit ("" when unset).
	Weight          string      `json:"weight"`
	Dimensions      Dimensions  `json:"dimensions"`
	ShippingClass   string      `json:"shipping_class"`
	ShippingClassID ID          `json:"shipping_class_id"`
	ParentID        int64       `json:"parent_id"`
	Categories      []Term      `json:"categories"`
	Tags            []Term      `json:"tags"`
	Brands          []Term      `json:"brands"`
	Images          []Image     `json:"images"`
	Attributes      []Attribute `json:"attributes"`
	// Variations are the ids of a variable product's variations.
	Variations   []int64    `json:"variations"`
	MetaData     []MetaData `json:"meta_data"`
	Virtual      bool       `json:"virtual"`
	Downloadable bool       `json:"downloadable"`
}

// Term is a category, tag or brand reference.
type Term struct {
	ID   int64  `json:"id"`
	Name string `json:"name,omitempty"`
	Slug string `json:"slug,omitempty"`
}

// Attribute is a product attribute; ID 0 is a custom (local) attribute.
// Variation marks the attributes variations are made of.
type Attribute struct {
	ID        int64    `json:"id"`
	Name      string   `json:"name"`
	Position  int      `json:"position"`
	Visible   bool     `json:"visible"`
	Variation bool     `json:"variation"`
	Options   []string `json:"options"`
}

// ProductRequest creates or updates a product; nil fields are left out
// (unchanged on update). In a batch update ID names the product.
type ProductRequest struct {
	ID             int64    `json:"id,omitempty"`
	Name           *string  `json:"name,omitempty"`
	Type           *string  `json:"type,omitempty"`
	Status         *string  `json:"status,omitempty"`
	SKU            *string  `json:"sku,omitempty"`
	GlobalUniqueID *string  `json:"global_unique_id,omitempty"`
	RegularPrice   *Decimal `json:"regular_price,omitempty"`
	SalePrice      *Decimal `json:"sale_price,omitempty"`
	ManageStock    *bool    `json:"manage_stock,omitempty"`
	// StockQuantity is the absolute stock (WooCommerce has no atomic
	// increment); it needs ManageStock.
	StockQuantity *Number     `json:"stock_quantity,omitempty"`
	StockStatus   *string     `json:"stock_status,omitempty"`
	Backorders    *string     `json:"backorders,omitempty"`
	Weight        *string     `json:"weight,omitempty"`
	Dimensions    *Dimensions `json:"dimensions,omitempty"`
	Categories    []Term      `json:"categories,omitempty"`
	Attributes    []Attribute `json:"attributes,omitempty"`
	MetaData      []MetaData  `json:"meta_data,omitempty"`
}

// ProductListOptions filters List and All.
type ProductListOptions struct {
	ListOptions
	Filter
	// SKU matches exact SKUs (a comma-separated list); WooCommerce then
	// also returns variations with those SKUs.
	SKU string
	// GlobalUniqueID matches GTINs (comma-separated), variations included.
	GlobalUniqueID string
	// Status is any (WooCommerce's default), draft, pending, private or
	// publish.
	Status string
	// Type is simple, grouped, external or variable.
	Type string
	// StockStatus is instock, outofstock or onbackorder.
	StockStatus string
}

func (o *ProductListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	o.ListOptions.values(q)
	o.Filter.values(q)
	setString(q, "sku", o.SKU)
	setString(q, "global_unique_id", o.GlobalUniqueID)
	setString(q, "status", o.Status)
	setString(q, "type", o.Type)
	setString(q, "stock_status", o.StockStatus)
	return q
}

// List returns one page of products.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-products
func (s *ProductsService) List(ctx context.Context, opts *ProductListOptions) ([]Product, *Response, error) {
	return list[Product](ctx, s.client, "products", opts.query())
}

// All iterates over every product matching opts (its page is ignored), 100
// per request.
func (s *ProductsService) All(ctx context.Context, opts *ProductListOptions) iter.Seq2[Product, error] {
	q := opts.query()
	q.Del("page")
	return all[Product](ctx, s.client, "products", q)
}

// Get returns one product. A variation's id is answered with 404
// woocommerce_rest_invalid_product_id (use VariationsService).
func (s *ProductsService) Get(ctx context.Context, id int64) (*Product, *Response, error) {
	return get[Product](ctx, s.client, idPath("products", id))
}

// Create creates a product. Not repeatable: a retry after an unclear
// failure may create a second product (WooCommerce rejects a second one
// with the same SKU with product_invalid_sku).
func (s *ProductsService) Create(ctx context.Context, req *ProductRequest) (*Product, *Response, error) {
	return send[Product](ctx, s.client, http.MethodPost, "products", nil, req)
}

// Update changes a product. A missing id is answered with 400
// woocommerce_rest_product_invalid_id (matching ErrNotFound).
func (s *ProductsService) Update(ctx context.Context, id int64, req *ProductRequest) (*Product, *Response, error) {
	return send[Product](ctx, s.client, http.MethodPut, idPath("products", id), nil, req)
}

// Delete moves a product to the trash, or deletes it for good when force
// is true, and returns it as it was.
func (s *ProductsService) Delete(ctx context.Context, id int64, force bool) (*Product, *Response, error) {
	return send[Product](ctx, s.client, http.MethodDelete, idPath("products", id), forceQuery(force), nil)
}

// Batch creates, updates and deletes products in one call (at most
// Client.BatchLimit items). Items fail one by one: check BatchResult.Err.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#batch-update-products
func (s *ProductsService) Batch(ctx context.Context, b *Batch[ProductRequest]) (*BatchResult[Product], *Response, error) {
	return batch[ProductRequest, Product](ctx, s.client, "products/batch", b)
}
