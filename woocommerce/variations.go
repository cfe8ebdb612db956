package woocommerce

import (
	"context"
	"iter"
	"net/http"
	"net/url"
)

// VariationsService reads and writes the variations of variable products
// (/wc/v3/products/{product_id}/variations), and lists variations across
// all products (/wc/v3/variations, WooCommerce 10.3+).
type VariationsService struct{ client *Client }

// Variations returns the service for product variations.
func (c *Client) Variations() *VariationsService { return &VariationsService{client: c} }

// Variation is a variation as WooCommerce answers it.
type Variation struct {
	ID int64 `json:"id"`
	// ParentID is the product's id; WooCommerce sends it in the
	// cross-product listing (ListAll); the per-product methods fill it in.
	ParentID        int64       `json:"parent_id"`
	DateCreatedGMT  Time        `json:"date_created_gmt"`
	DateModifiedGMT Time        `json:"date_modified_gmt"`
	Description     string      `json:"description"`
	Permalink       string      `json:"permalink"`
	SKU             string      `json:"sku"`
	GlobalUniqueID  string      `json:"global_unique_id"`
	Price           Decimal     `json:"price"`
	RegularPrice    Decimal     `json:"regular_price"`
	SalePrice       Decimal     `json:"sale_price"`
	Status          string      `json:"status"`
	ManageStock     ManageStock `json:"manage_stock"`
	StockQuantity   *Number     `json:"stock_quantity"`
	StockStatus     string      `json:"stock_status"`
	Backorders      string      `json:"backorders"`
	LowStockAmount  *int64      `json:"low_stock_amount"`
	Weight          string      `json:"weight"`
	Dimensions      Dimensions  `json:"dimensions"`
	Image           *Image      `json:"image"`
	// Attributes are the variation's options, such as Color: Black.
	Attributes []VariationAttribute `json:"attributes"`
	MenuOrder  int                  `json:"menu_order"`
	MetaData   []MetaData           `json:"meta_data"`
}

// VariationAttribute is one option of a variation. Names must match the
// parent's attributes flagged Variation; WooCommerce silently skips others.
type VariationAttribute struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Option string `json:"option"`
}

// VariationRequest creates or updates a variation; nil fields are left
// out. In a batch update ID names the variation.
type VariationRequest struct {
	ID             int64                `json:"id,omitempty"`
	SKU            *string              `json:"sku,omitempty"`
	GlobalUniqueID *string              `json:"global_unique_id,omitempty"`
	RegularPrice   *Decimal             `json:"regular_price,omitempty"`
	SalePrice      *Decimal             `json:"sale_price,omitempty"`
	Status         *string              `json:"status,omitempty"`
	ManageStock    *bool                `json:"manage_stock,omitempty"`
	StockQuantity  *Number              `json:"stock_quantity,omitempty"`
	StockStatus    *string              `json:"stock_status,omitempty"`
	Backorders     *string              `json:"backorders,omitempty"`
	Weight         *string              `json:"weight,omitempty"`
	Dimensions     *Dimensions          `json:"dimensions,omitempty"`
	Attributes     []VariationAttribute `json:"attributes,omitempty"`
	MetaData       []MetaData           `json:"meta_data,omitempty"`
}

// VariationListOptions filters the listings.
type VariationListOptions struct {
	ListOptions
	Filter
	// SKU matches exact SKUs (comma-separated).
	SKU string
	// Status is any, draft, pending, private or publish.
	Status string
	// StockStatus is instock, outofstock or onbackorder.
	StockStatus string
}

func (o *VariationListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	o.ListOptions.values(q)
	o.Filter.values(q)
	setString(q, "sku", o.SKU)
	setString(q, "status", o.Status)
	setString(q, "stock_status", o.StockStatus)
	return q
}

func withParent(vs []Variation, productID int64) []Variation {
	for i := range vs {
		if vs[i].ParentID == 0 {
			vs[i].ParentID = productID
		}
	}
	return vs
}

// List returns one page of a product's variations.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#list-all-product-variations
func (s *VariationsService) List(ctx context.Context, productID int64, opts *VariationListOptions) ([]Variation, *Response, error) {
	vs, resp, err := list[Variation](ctx, s.client, idPath("products", productID, "variations"), opts.query())
	return withParent(vs, productID), resp, err
}

// All iterates over every variation of a product.
func (s *VariationsService) All(ctx context.Context, productID int64, opts *VariationListOptions) iter.Seq2[Variation, error] {
	q := opts.query()
	q.Del("page")
	return func(yield func(Variation, error) bool) {
		for v, err := range all[Variation](ctx, s.client, idPath("products", productID, "variations"), q) {
			if v.ParentID == 0 && err == nil {
				v.ParentID = productID
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// ListAll returns one page of variations of every product, each with its
// ParentID (GET /wc/v3/variations, new in WooCommerce 10.3; older stores
// answer 404 rest_no_route).
func (s *VariationsService) ListAll(ctx context.Context, opts *VariationListOptions) ([]Variation, *Response, error) {
	return list[Variation](ctx, s.client, "variations", opts.query())
}

// AllStore iterates over the variations of every product (see ListAll).
func (s *VariationsService) AllStore(ctx context.Context, opts *VariationListOptions) iter.Seq2[Variation, error] {
	q := opts.query()
	q.Del("page")
	return all[Variation](ctx, s.client, "variations", q)
}

// Get returns one variation.
func (s *VariationsService) Get(ctx context.Context, productID, id int64) (*Variation, *Response, error) {
	v, resp, err := get[Variation](ctx, s.client, idPath("products", productID, "variations", id))
	if v != nil && v.ParentID == 0 {
		v.ParentID = productID
	}
	return v, resp, err
}

// Create adds a variation to a variable product. Not repeatable.
func (s *VariationsService) Create(ctx context.Context, productID int64, req *VariationRequest) (*Variation, *Response, error) {
	return send[Variation](ctx, s.client, http.MethodPost, idPath("products", productID, "variations"), nil, req)
}

// Update changes a variation.
func (s *VariationsService) Update(ctx context.Context, productID, id int64, req *VariationRequest) (*Variation, *Response, error) {
	return send[Variation](ctx, s.client, http.MethodPut, idPath("products", productID, "variations", id), nil, req)
}

// Delete deletes a variation (force is needed: variations have no trash).
func (s *VariationsService) Delete(ctx context.Context, productID, id int64, force bool) (*Variation, *Response, error) {
	return send[Variation](ctx, s.client, http.MethodDelete, idPath("products", productID, "variations", id), forceQuery(force), nil)
}

// Batch creates, updates and deletes variations of one product in one call
// (at most Client.BatchLimit items). Items fail one by one: check
// BatchResult.Err.
func (s *VariationsService) Batch(ctx context.Context, productID int64, b *Batch[VariationRequest]) (*BatchResult[Variation], *Response, error) {
	return batch[VariationRequest, Variation](ctx, s.client, idPath("products", productID, "variations", "batch"), b)
}
