package shopify

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"
)

// ProductsService reads products and variants and updates variants'
// barcodes, SKUs and prices. Reads need read_products, writes
// write_products. Reads are safe to retry; see UpdateVariants for writes.
type ProductsService struct{ client *Client }

// Product is a product with, where the call says so, its variants.
type Product struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Handle      string `json:"handle"`
	Vendor      string `json:"vendor"`
	ProductType string `json:"productType"`
	// Status is ACTIVE, ARCHIVED, DRAFT or UNLISTED.
	Status    string    `json:"status"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
	// VariantsCount is the number of variants (up to 2,048), as reported
	// by list and get calls; 0 in bulk rows.
	VariantsCount int `json:"-"`
	// Variants is filled by Get (all of them), by the grouped products
	// export, and left empty by List.
	Variants []ProductVariant `json:"-"`
}

// productJSON is Product as the API sends it.
type productJSON struct {
	Product
	VariantsCount *struct {
		Count int `json:"count"`
	} `json:"variantsCount"`
	Variants *Connection[ProductVariant] `json:"variants"`
}

func (p *productJSON) product() Product {
	out := p.Product
	if p.VariantsCount != nil {
		out.VariantsCount = p.VariantsCount.Count
	}
	if p.Variants != nil {
		out.Variants = p.Variants.Nodes
	}
	return out
}

// ProductVariant is a sellable variant of a product. Its SKU is the SKU of
// its inventory item.
type ProductVariant struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	SKU     string  `json:"sku"`
	Barcode string  `json:"barcode"`
	Price   Decimal `json:"price"`
	// Position is the 1-based order of the variant within its product.
	Position int `json:"position"`
	// InventoryQuantity is the total available quantity over all
	// locations (read-only; set stock with InventoryService).
	InventoryQuantity int       `json:"inventoryQuantity"`
	UpdatedAt         time.Time `json:"updatedAt"`
	// Product is the owning product; empty in bulk rows, where the row's
	// ParentID names it.
	Product       NodeRef       `json:"product"`
	InventoryItem InventoryItem `json:"inventoryItem"`
}

// ProductListOptions filters List. The zero value lists every product by ID.
type ProductListOptions struct {
	// UpdatedAtMin and UpdatedAtMax bound updatedAt (inclusive); zero means
	// unbounded. Use them for incremental syncs with an overlap.
	UpdatedAtMin, UpdatedAtMax time.Time
	// Status keeps products with one of these statuses (ACTIVE, DRAFT,
	// ARCHIVED, UNLISTED).
	Status []string
	// Query is extra Shopify search syntax ANDed to the above, e.g.
	// "vendor:Acme".
	Query string
}

func (o *ProductListOptions) search() string {
	if o == nil {
		return ""
	}
	var parts []string
	parts = appendTimeWindow(parts, "updated_at", o.UpdatedAtMin, o.UpdatedAtMax)
	if len(o.Status) > 0 {
		parts = append(parts, "status:"+strings.Join(o.Status, ","))
	}
	if o.Query != "" {
		parts = append(parts, "("+o.Query+")")
	}
	return strings.Join(parts, " AND ")
}

// appendTimeWindow adds Shopify search terms bounding field to [from, to].
func appendTimeWindow(parts []string, field string, from, to time.Time) []string {
	if !from.IsZero() {
		parts = append(parts, fmt.Sprintf("%s:>='%s'", field, from.UTC().Format(time.RFC3339)))
	}
	if !to.IsZero() {
		parts = append(parts, fmt.Sprintf("%s:<='%s'", field, to.UTC().Format(time.RFC3339)))
	}
	return parts
}

// List iterates over products (without variants; VariantsCount is set)
// sorted by ID, fetching pages as the loop advances. For whole-catalogue
// imports prefer the bulk export (BulkProductsQuery): it costs a few calls
// instead of one per page.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/products
func (s *ProductsService) List(ctx context.Context, opts *ProductListOptions) iter.Seq2[Product, error] {
	q := opts.search()
	return func(yield func(Product, error) bool) {
		for p, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[productJSON], error) {
			v := map[string]any{"first": PageSize(3)}
			optString(v, "after", after)
			optString(v, "query", q)
			var out struct {
				C Connection[productJSON] `json:"products"`
			}
			if _, err := s.client.Do(ctx, &Request{Query: opProducts, OperationName: "products", Variables: v}, &out); err != nil {
				return nil, err
			}
			return &out.C, nil
		}) {
			if !yield(p.product(), err) || err != nil {
				return
			}
		}
	}
}

// Get returns a product with all its variants (up to Shopify's 2,048),
// paging through them 250 at a time. It returns an error wrapping
// ErrNotFound for an unknown ID.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/product
func (s *ProductsService) Get(ctx context.Context, id string) (*Product, error) {
	var (
		prod  *Product
		after string
	)
	for {
		v := map[string]any{"id": id}
		optString(v, "variantsAfter", after)
		var out struct {
			P *productJSON `json:"product"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opProduct, OperationName: "product", Variables: v}, &out); err != nil {
			return nil, err
		}
		if out.P == nil {
			return nil, notFound("product", id)
		}
		if prod == nil {
			p := out.P.product()
			prod = &p
		} else if out.P.Variants != nil {
			prod.Variants = append(prod.Variants, out.P.Variants.Nodes...)
		}
		if out.P.Variants == nil || !out.P.Variants.PageInfo.HasNextPage {
			return prod, nil
		}
		next := out.P.Variants.PageInfo.EndCursor
		if next == "" || next == after {
			return nil, errors.New("shopify: product variants cursor does not advance")
		}
		after = next
	}
}

// VariantsBySKU returns every variant whose SKU is exactly sku (Shopify does
// not enforce unique SKUs, so there may be several, or none).
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/productVariants
func (s *ProductsService) VariantsBySKU(ctx context.Context, sku string) ([]ProductVariant, error) {
	return s.variantsWhere(ctx, "sku", sku, func(v *ProductVariant) bool { return v.SKU == sku })
}

// VariantsByBarcode returns every variant whose barcode (EAN, UPC, ...) is
// exactly barcode.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/productVariants
func (s *ProductsService) VariantsByBarcode(ctx context.Context, barcode string) ([]ProductVariant, error) {
	return s.variantsWhere(ctx, "barcode", barcode, func(v *ProductVariant) bool { return v.Barcode == barcode })
}

// variantsWhere searches productVariants by field and keeps exact matches
// (Shopify's search is token-based, so "AB-1" may also find "AB-10").
func (s *ProductsService) variantsWhere(ctx context.Context, field, value string, exact func(*ProductVariant) bool) ([]ProductVariant, error) {
	if value == "" {
		return nil, fmt.Errorf("shopify: empty %s", field)
	}
	q := field + ":" + quoteSearch(value)
	var found []ProductVariant
	for v, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[ProductVariant], error) {
		vars := map[string]any{"first": PageSize(4), "query": q}
		optString(vars, "after", after)
		var out struct {
			C Connection[ProductVariant] `json:"productVariants"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opProductVariants, OperationName: "productVariants", Variables: vars}, &out); err != nil {
			return nil, err
		}
		return &out.C, nil
	}) {
		if err != nil {
			return nil, err
		}
		if exact(&v) {
			found = append(found, v)
		}
	}
	return found, nil
}

// quoteSearch quotes a value for Shopify's search syntax.
func quoteSearch(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

// VariantUpdate is one variant's change for UpdateVariants. Nil fields are
// left unchanged.
type VariantUpdate struct {
	ID      string
	Barcode *string
	// SKU is written through the variant's inventory item (there is no
	// top-level sku on ProductVariantsBulkInput).
	SKU   *string
	Price *Decimal
}

func (u VariantUpdate) input() map[string]any {
	m := map[string]any{"id": u.ID}
	if u.Barcode != nil {
		m["barcode"] = *u.Barcode
	}
	if u.Price != nil {
		m["price"] = u.Price.String()
	}
	if u.SKU != nil {
		m["inventoryItem"] = map[string]any{"sku": *u.SKU}
	}
	return m
}

// UpdateVariants changes barcodes (EAN), SKUs or prices of a product's
// variants with productVariantsBulkUpdate, 250 variants per call (so a
// product with 2,048 variants takes 9 calls). Each call is all-or-nothing
// (allowPartialUpdates false); when a call is rejected UpdateVariants stops
// and returns the variants updated by the earlier calls with a
// *UserErrorsError. Setting the same values again is harmless, so the
// whole call can be repeated after a failure.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/productVariantsBulkUpdate
func (s *ProductsService) UpdateVariants(ctx context.Context, productID string, updates []VariantUpdate) ([]ProductVariant, error) {
	var done []ProductVariant
	for start := 0; start < len(updates); start += MaxPageSize {
		batch := updates[start:min(start+MaxPageSize, len(updates))]
		in := make([]map[string]any, len(batch))
		for i, u := range batch {
			in[i] = u.input()
		}
		var out struct {
			P struct {
				Variants   []ProductVariant `json:"productVariants"`
				UserErrors []UserError      `json:"userErrors"`
			} `json:"productVariantsBulkUpdate"`
		}
		if _, err := s.client.Do(ctx, &Request{
			Query:         opProductVariantsBulkUpdate,
			OperationName: "productVariantsBulkUpdate",
			Variables:     map[string]any{"productId": productID, "variants": in, "allowPartialUpdates": false},
		}, &out); err != nil {
			return done, err
		}
		if err := CheckUserErrors("productVariantsBulkUpdate", out.P.UserErrors); err != nil {
			return done, err
		}
		done = append(done, out.P.Variants...)
	}
	return done, nil
}
