package shopify

import (
	"bytes"
	"encoding/json"
)

// This file holds the building blocks shared by the REST-format webhook
// payload types (payload_*.go). Shopify delivers every webhook topic as the
// JSON of the REST resource, even for subscriptions made through GraphQL.
//
// Conventions of every payload type:
//   - Numeric IDs are int64, decoded digit for digit from the JSON number
//     (never through a float64). 0 means the field was null or absent.
//   - admin_graphql_api_id is kept as the exact GID string; it is the
//     authoritative ID when a payload went through a lossy JSON tool.
//   - Money and other fractional quantities are Decimal ("" means absent).
//   - Timestamps are time.Time; the zero time means null or absent.
//   - Fields the SDK does not model are ignored; the raw body stays available
//     to callers (for example webhook.Event.Body) for anything else.
//   - Decoding is tolerant (payload_decode.go): a field whose shape is not
//     the expected one is left zero instead of failing the payload, except
//     IDs, quantities, SKUs, money, timestamps and the lists of lines and
//     variants, which are strict. Line item properties and note attributes
//     are accepted as a list of name/value objects, a JSON object, [] or
//     null (PayloadProperties).

// PayloadMoney is an amount in one currency, as found in the "*_set" objects
// of REST payloads. Shopify names the currency field "currency_code" in most
// places and "currency" in a few (transactions' total_unsettled_set); both
// decode into CurrencyCode.
type PayloadMoney struct {
	Amount       Decimal `json:"amount"`
	CurrencyCode string  `json:"currency_code"`
}

// UnmarshalJSON accepts both "currency_code" and "currency".
func (m *PayloadMoney) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*m = PayloadMoney{}
		return nil
	}
	var raw struct {
		Amount       Decimal `json:"amount"`
		CurrencyCode string  `json:"currency_code"`
		Currency     string  `json:"currency"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	m.Amount = raw.Amount
	m.CurrencyCode = raw.CurrencyCode
	if m.CurrencyCode == "" {
		m.CurrencyCode = raw.Currency
	}
	return nil
}

// PayloadMoneySet is an amount in the shop's currency and in the currency
// the customer saw (presentment).
type PayloadMoneySet struct {
	ShopMoney        PayloadMoney `json:"shop_money"`
	PresentmentMoney PayloadMoney `json:"presentment_money"`
}

// PayloadAddress is a postal address (billing, shipping, fulfillment
// destination, customer default address).
type PayloadAddress struct {
	ID           int64    `json:"id,omitempty"`
	CustomerID   int64    `json:"customer_id,omitempty"`
	FirstName    string   `json:"first_name"`
	LastName     string   `json:"last_name"`
	Name         string   `json:"name"`
	Company      string   `json:"company"`
	Address1     string   `json:"address1"`
	Address2     string   `json:"address2"`
	City         string   `json:"city"`
	Province     string   `json:"province"`
	ProvinceCode string   `json:"province_code"`
	Zip          string   `json:"zip"`
	Country      string   `json:"country"`
	CountryCode  string   `json:"country_code"`
	Phone        string   `json:"phone"`
	Latitude     *float64 `json:"latitude"`
	Longitude    *float64 `json:"longitude"`
	Default      bool     `json:"default,omitempty"`
}

// PayloadTaxLine is one tax applied to an order, line or shipping line.
type PayloadTaxLine struct {
	Title         string          `json:"title"`
	Price         Decimal         `json:"price"`
	PriceSet      PayloadMoneySet `json:"price_set"`
	Rate          Decimal         `json:"rate"`
	ChannelLiable bool            `json:"channel_liable"`
}

// PayloadDiscountAllocation is the share of a discount application that
// applies to one line.
type PayloadDiscountAllocation struct {
	Amount                   Decimal         `json:"amount"`
	AmountSet                PayloadMoneySet `json:"amount_set"`
	DiscountApplicationIndex int             `json:"discount_application_index"`
}

// PayloadProperty is a name/value pair (line item properties, order note
// attributes). Value keeps the text of a JSON string, or the JSON text of any
// other value (numbers, booleans, objects), since merchants' apps put all of
// these there.
type PayloadProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// UnmarshalJSON accepts any JSON value as the value.
func (p *PayloadProperty) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name  json.RawMessage `json:"name"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	p.Name, p.Value = propertyText(raw.Name), propertyText(raw.Value)
	return nil
}

// propertyText is the text of a JSON string, "" for null or nothing, and the
// JSON text of any other value.
func propertyText(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) == 0 || bytes.Equal(v, []byte("null")):
		return ""
	case v[0] == '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

// PayloadProperties are the properties of a line item or the note
// attributes of an order. Shops send them in several shapes, all accepted:
// a list of {"name": ..., "value": ...} objects (Shopify's own), an empty
// list, null, or a JSON object of names and values ({"gift_wrap": "yes"},
// kept in the object's order). Elements of a list that are not objects are
// left out; any other shape decodes as no properties. Decoding never fails.
type PayloadProperties []PayloadProperty

// UnmarshalJSON accepts every shape described on [PayloadProperties].
func (ps *PayloadProperties) UnmarshalJSON(b []byte) error {
	*ps = nil
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		var elems []json.RawMessage
		if json.Unmarshal(b, &elems) != nil {
			return nil
		}
		out := make(PayloadProperties, 0, len(elems))
		for _, e := range elems {
			var p PayloadProperty
			if e = bytes.TrimSpace(e); len(e) > 0 && e[0] == '{' && json.Unmarshal(e, &p) == nil {
				out = append(out, p)
			}
		}
		*ps = out
	case '{':
		d := json.NewDecoder(bytes.NewReader(b))
		if _, err := d.Token(); err != nil { // {
			return nil
		}
		var out PayloadProperties
		for d.More() {
			k, err := d.Token()
			if err != nil {
				return nil
			}
			var v json.RawMessage
			if err := d.Decode(&v); err != nil {
				return nil
			}
			name, _ := k.(string)
			out = append(out, PayloadProperty{Name: name, Value: propertyText(v)})
		}
		*ps = out
	}
	return nil
}

// Get returns the value of the first property called name.
func (ps PayloadProperties) Get(name string) (string, bool) {
	for _, p := range ps {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// PayloadLineItem is an order line as it appears in orders/*, in
// fulfillments/* and inside refund line items.
type PayloadLineItem struct {
	ID                         int64                       `json:"id"`
	AdminGraphQLAPIID          string                      `json:"admin_graphql_api_id" payload:"strict"`
	ProductID                  int64                       `json:"product_id"`
	VariantID                  int64                       `json:"variant_id"`
	SKU                        string                      `json:"sku" payload:"strict"`
	Title                      string                      `json:"title"`
	VariantTitle               string                      `json:"variant_title"`
	Name                       string                      `json:"name"`
	Vendor                     string                      `json:"vendor"`
	Quantity                   int                         `json:"quantity"`
	CurrentQuantity            int                         `json:"current_quantity"`
	FulfillableQuantity        int                         `json:"fulfillable_quantity"`
	FulfillmentService         string                      `json:"fulfillment_service"`
	FulfillmentStatus          string                      `json:"fulfillment_status"`
	VariantInventoryManagement string                      `json:"variant_inventory_management"`
	RequiresShipping           bool                        `json:"requires_shipping"`
	Taxable                    bool                        `json:"taxable"`
	GiftCard                   bool                        `json:"gift_card"`
	ProductExists              bool                        `json:"product_exists"`
	Grams                      int64                       `json:"grams"`
	Price                      Decimal                     `json:"price"`
	PriceSet                   PayloadMoneySet             `json:"price_set"`
	TotalDiscount              Decimal                     `json:"total_discount"`
	TotalDiscountSet           PayloadMoneySet             `json:"total_discount_set"`
	SalesLineItemGroupID       int64                       `json:"sales_line_item_group_id"`
	Properties                 PayloadProperties           `json:"properties"`
	TaxLines                   []PayloadTaxLine            `json:"tax_lines"`
	DiscountAllocations        []PayloadDiscountAllocation `json:"discount_allocations"`
}
