package connector

import (
	"encoding/json"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/wms"
)

// dec converts a Shopify decimal into the WMS's, "" for an absent or
// malformed value.
func dec(d shopify.Decimal) wms.Decimal {
	if d == "" {
		return ""
	}
	w, err := wms.ParseDecimal(d.String())
	if err != nil {
		return ""
	}
	return w
}

// numDec converts a JSON number (a GraphQL Float such as a weight) into an
// exact decimal, "" when it is not a plain decimal.
func numDec(n json.Number) wms.Decimal {
	if n == "" {
		return ""
	}
	w, err := wms.ParseDecimal(n.String())
	if err != nil {
		return ""
	}
	return w
}

// weightUnit maps Shopify's GraphQL WeightUnit and the REST weight_unit onto
// the WMS's units.
func weightUnit(u string) wms.WeightUnit {
	switch u {
	case "GRAMS", "g":
		return wms.Grams
	case "KILOGRAMS", "kg":
		return wms.Kilograms
	case "POUNDS", "lb":
		return wms.Pounds
	case "OUNCES", "oz":
		return wms.Ounces
	}
	return ""
}

// gqlWeight is a GraphQL Weight; value is a Float, read as its exact text.
type gqlWeight struct {
	Value json.Number `json:"value"`
	Unit  string      `json:"unit"`
}

func (w *gqlWeight) wms() wms.Weight {
	if w == nil {
		return wms.Weight{}
	}
	v := numDec(w.Value)
	if v == "" {
		return wms.Weight{}
	}
	return wms.Weight{Value: v, Unit: weightUnit(w.Unit)}
}

// gqlVariant is a product variant as the connector's queries select it.
type gqlVariant struct {
	ID            string          `json:"id"`
	Title         string          `json:"title"`
	SKU           string          `json:"sku"`
	Barcode       string          `json:"barcode"`
	Price         shopify.Decimal `json:"price"`
	InventoryItem *struct {
		ID          string `json:"id"`
		Measurement *struct {
			Weight *gqlWeight `json:"weight"`
		} `json:"measurement"`
	} `json:"inventoryItem"`
}

func (v *gqlVariant) wms() wms.Variant {
	out := wms.Variant{
		SKU: v.SKU, ExternalID: v.ID, Title: v.Title, Barcode: v.Barcode, Price: dec(v.Price),
	}
	if it := v.InventoryItem; it != nil {
		out.InventoryItemID = it.ID
		if it.Measurement != nil {
			out.Weight = it.Measurement.Weight.wms()
		}
	}
	return out
}

// gqlMoney is a MoneyBag's shop money.
type gqlMoney struct {
	ShopMoney struct {
		Amount shopify.Decimal `json:"amount"`
	} `json:"shopMoney"`
}
