package wms

import (
	"fmt"
	"maps"
	"slices"
)

// Product is one product as a shop lists it, translated into the WMS's terms
// by a shop connector: its variants, each with its own SKU, are what the
// warehouse stocks. The engine hands products to [Backend.UpsertProducts].
//
// A product is identified by Shop and ExternalID (the shop's own id, such as
// "gid://shopify/Product/123" or a WooCommerce post id). The warehouse keys
// its stock by SKU: each variant becomes, or is linked to, the [Item] with
// its SKU. The same SKU may be listed by several shops; see
// Main for whose descriptive data the item keeps.
type Product struct {
	// Shop identifies the shop the product came from (the engine's shop id,
	// for example "MyShopDK"). Required.
	Shop string `json:"shop"`
	// ExternalID is the product's id in that shop. Required.
	ExternalID string `json:"external_id"`
	// Main marks data from the shop whose product data is the master (the
	// main shop). The engine sets it from the shop settings; see
	// [Backend.UpsertProducts] for the rule the backend applies.
	Main bool `json:"main,omitempty"`
	// Title is the product's title.
	Title string `json:"title"`
	// Brand is the product's brand. The engine fills it from the shop's
	// vendor unless the shop maps vendors to suppliers.
	Brand string `json:"brand,omitempty"`
	// Supplier is the supplier's name when the shop maps vendors to
	// suppliers; "" otherwise.
	Supplier string `json:"supplier,omitempty"`
	// Variants are the product's stock-keeping units. A product upsert
	// carries all of them: a variant missing from an upsert is no longer
	// listed by this product. Each SKU appears at most once.
	Variants []Variant `json:"variants"`
}

// Variant is one stock-keeping unit of a [Product].
type Variant struct {
	// SKU is the warehouse's key for the unit. Required: the engine leaves
	// variants without a SKU out, since a warehouse cannot stock them.
	SKU string `json:"sku"`
	// ExternalID is the variant's id in the shop. Required.
	ExternalID string `json:"external_id"`
	// InventoryItemID is the shop's id of the stock record behind the
	// variant (an inventory item, in shop systems that have them), used
	// for stock, cost and customs. Optional: "" keeps the one the
	// variant's listing already has (a payload may not carry it).
	InventoryItemID string `json:"inventory_item_id,omitempty"`
	// Title is the variant's own title, such as "Red / L". Optional.
	Title string `json:"title,omitempty"`
	// Barcode is the EAN/GTIN/UPC. "" means none.
	Barcode string `json:"barcode,omitempty"`
	// Weight is the shipping weight. The zero value (no Value) means
	// unknown and keeps the item's stored weight, since not every product
	// feed carries weights (some shop systems' product webhooks do not); a
	// known weight of zero is {"0", unit}.
	Weight Weight `json:"weight"`
	// Price is the selling price in the shop's currency.
	Price Decimal `json:"price,omitempty"`
	// Cost is the unit cost. The absent value "" keeps the item's stored
	// cost, since most product feeds do not carry it.
	Cost Decimal `json:"cost,omitempty"`
	// Customs is the customs information. The zero value keeps the item's
	// stored customs information.
	Customs Customs `json:"customs"`
}

// WeightUnit is the unit of a [Weight].
type WeightUnit string

// The weight units.
const (
	Grams     WeightUnit = "g"
	Kilograms WeightUnit = "kg"
	Pounds    WeightUnit = "lb"
	Ounces    WeightUnit = "oz"
)

// Weight is a weight with its unit, such as {"0.25", Kilograms}.
type Weight struct {
	Value Decimal    `json:"value,omitempty"`
	Unit  WeightUnit `json:"unit,omitempty"`
}

// IsZero reports whether w carries no weight (Value is empty): the weight
// is unknown. {"0", Grams} is a known weight of zero.
func (w Weight) IsZero() bool { return w.Value == "" }

// Customs is the customs information of a stock-keeping unit.
type Customs struct {
	// HSCode is the harmonized system code, such as "6109.10".
	HSCode string `json:"hs_code,omitempty"`
	// CountryHSCodes are country-specific codes keyed by ISO 3166-1 alpha-2
	// country code, such as {"US": "6109.10.0012"}.
	CountryHSCodes map[string]string `json:"country_hs_codes,omitempty"`
	// CountryOfOrigin is an ISO 3166-1 alpha-2 code, such as "DK".
	CountryOfOrigin string `json:"country_of_origin,omitempty"`
	// ProvinceOfOrigin is an ISO 3166-2 subdivision code, such as "CA-ON".
	ProvinceOfOrigin string `json:"province_of_origin,omitempty"`
}

// IsZero reports whether c carries no information.
func (c Customs) IsZero() bool {
	return c.HSCode == "" && len(c.CountryHSCodes) == 0 && c.CountryOfOrigin == "" && c.ProvinceOfOrigin == ""
}

// Equal reports whether c and o carry the same information.
func (c Customs) Equal(o Customs) bool {
	return c.HSCode == o.HSCode && c.CountryOfOrigin == o.CountryOfOrigin &&
		c.ProvinceOfOrigin == o.ProvinceOfOrigin && maps.Equal(c.CountryHSCodes, o.CountryHSCodes)
}

// Clone returns a deep copy of c.
func (c Customs) Clone() Customs {
	c.CountryHSCodes = maps.Clone(c.CountryHSCodes)
	return c
}

// ProductRef identifies a product in one shop.
type ProductRef struct {
	Shop       string `json:"shop"`
	ExternalID string `json:"external_id"`
}

// Ref returns p's identity.
func (p Product) Ref() ProductRef { return ProductRef{Shop: p.Shop, ExternalID: p.ExternalID} }

// Validate checks p against the model's rules and returns a
// [*ValidationError] for the first broken one.
func (p Product) Validate() error {
	if p.Shop == "" {
		return invalid("shop", "empty")
	}
	if p.ExternalID == "" {
		return invalid("external_id", "empty")
	}
	seen := make(map[string]bool, len(p.Variants))
	seenID := make(map[string]bool, len(p.Variants))
	for i, v := range p.Variants {
		f := fmt.Sprintf("variants[%d]", i)
		if err := v.Validate(); err != nil {
			return prefix(f, err)
		}
		if seen[v.SKU] {
			return invalid(f+".sku", "%q appears twice in the product", v.SKU)
		}
		if seenID[v.ExternalID] {
			return invalid(f+".external_id", "%q appears twice in the product", v.ExternalID)
		}
		seen[v.SKU], seenID[v.ExternalID] = true, true
	}
	return nil
}

// Validate checks v and returns a [*ValidationError] for the first broken rule.
func (v Variant) Validate() error {
	switch {
	case v.SKU == "":
		return invalid("sku", "empty")
	case v.ExternalID == "":
		return invalid("external_id", "empty")
	case !v.Price.Valid():
		return invalid("price", "%q is not a decimal", string(v.Price))
	case !v.Cost.Valid():
		return invalid("cost", "%q is not a decimal", string(v.Cost))
	case v.Cost.Sign() < 0:
		return invalid("cost", "negative")
	case !v.Weight.Value.Valid() || v.Weight.Value.Sign() < 0:
		return invalid("weight.value", "%q is not a non-negative decimal", string(v.Weight.Value))
	}
	switch v.Weight.Unit {
	case "", Grams, Kilograms, Pounds, Ounces:
	default:
		return invalid("weight.unit", "unknown unit %q", v.Weight.Unit)
	}
	return nil
}

// Clone returns a deep copy of p.
func (p Product) Clone() Product {
	p.Variants = slices.Clone(p.Variants)
	for i := range p.Variants {
		p.Variants[i].Customs = p.Variants[i].Customs.Clone()
	}
	return p
}

// Item is what the warehouse holds for one SKU, as [Backend.Item] returns it:
// the descriptive data of the shop that wrote it last under the rule of
// [Backend.UpsertProducts], and every shop listing of the SKU.
type Item struct {
	SKU string `json:"sku"`
	// Title is the product's title; VariantTitle the variant's own title.
	Title        string  `json:"title"`
	VariantTitle string  `json:"variant_title,omitempty"`
	Barcode      string  `json:"barcode,omitempty"`
	Brand        string  `json:"brand,omitempty"`
	Supplier     string  `json:"supplier,omitempty"`
	Weight       Weight  `json:"weight"`
	Price        Decimal `json:"price,omitempty"`
	// Cost is the unit cost: imported from the shop, or the warehouse's
	// weighted average cost once purchase orders have closed.
	Cost    Decimal `json:"cost,omitempty"`
	Customs Customs `json:"customs"`
	// Source is the shop whose product data the item carries.
	Source string `json:"source"`
	// Listings are the shops' variants that sell this SKU, ordered by shop
	// and variant id. Stock changes of the SKU concern every listed shop.
	Listings []Listing `json:"listings"`
}

// Listing links an [Item] to one variant of one shop.
type Listing struct {
	Shop            string `json:"shop"`
	ProductID       string `json:"product_id"`
	VariantID       string `json:"variant_id"`
	InventoryItemID string `json:"inventory_item_id,omitempty"`
}

// Clone returns a deep copy of it.
func (it Item) Clone() Item {
	it.Customs = it.Customs.Clone()
	it.Listings = slices.Clone(it.Listings)
	return it
}

// CustomsUpdate sets the customs information of one SKU.
type CustomsUpdate struct {
	SKU     string  `json:"sku"`
	Customs Customs `json:"customs"`
	// Shop is the shop the information came from.
	Shop string `json:"shop"`
}

// CostUpdate sets the unit cost of one SKU.
type CostUpdate struct {
	SKU  string  `json:"sku"`
	Cost Decimal `json:"cost"`
	// Shop is the shop the cost came from.
	Shop string `json:"shop"`
}

// Validate checks u and returns a [*ValidationError] for the first broken rule.
func (u CustomsUpdate) Validate() error {
	if u.SKU == "" {
		return invalid("sku", "empty")
	}
	return nil
}

// Validate checks u and returns a [*ValidationError] for the first broken rule.
func (u CostUpdate) Validate() error {
	switch {
	case u.SKU == "":
		return invalid("sku", "empty")
	case u.Cost == "" || !u.Cost.Valid():
		return invalid("cost", "%q is not a decimal", string(u.Cost))
	case u.Cost.Sign() < 0:
		return invalid("cost", "negative")
	}
	return nil
}
