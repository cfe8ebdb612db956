package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shopify's payloads vary between API versions and between shops. These
// tests take Shopify's published samples (2026-04 and 2026-07), change one
// field to a shape seen in real shops or to nonsense, and check that fields
// the warehouse does not need never make the payload undecodable, while IDs,
// quantities, SKUs, money and timestamps stay strict.

// sampleOf returns Shopify's sample payload of topic in version, decoded
// into a generic tree (json.Number keeps the numbers as sent).
func sampleOf(t *testing.T, version, topic string) map[string]any {
	t.Helper()
	samplesOnce.Do(func() { samplesCache = loadSamples(t) })
	for _, s := range samplesCache {
		if s.version == version && s.topic == topic {
			d := json.NewDecoder(bytes.NewReader(s.body))
			d.UseNumber()
			var m map[string]any
			require.NoError(t, d.Decode(&m))
			return m
		}
	}
	t.Fatalf("no %s sample of %s", version, topic)
	return nil
}

var (
	samplesOnce  gosync.Once
	samplesCache []sample
)

// jsonOf parses a JSON literal the way sampleOf does.
func jsonOf(t *testing.T, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v), s)
	return v
}

// setPath sets (or with value deleteKey removes) the field at a dotted path
// such as "line_items.0.properties" in a decoded sample.
func setPath(t *testing.T, root map[string]any, path string, value any) {
	t.Helper()
	parts := strings.Split(path, ".")
	var cur any = root
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i := int(p[0] - '0')
			require.Less(t, i, len(c), path)
			cur = c[i]
		}
		require.NotNil(t, cur, "no %s in %s", p, path)
	}
	m, ok := cur.(map[string]any)
	require.True(t, ok, "%s: parent is not an object", path)
	last := parts[len(parts)-1]
	if value == deleteKey {
		delete(m, last)
		return
	}
	m[last] = value
}

type deleteMarker struct{}

var deleteKey = deleteMarker{}

func encode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// strictOrderFields are what the warehouse takes from an order; a tolerant
// decode must leave them as the unmodified sample has them.
func strictOrderFields(p *OrderPayload) map[string]any {
	out := map[string]any{
		"id": p.ID, "gid": p.AdminGraphQLAPIID, "updated_at": p.UpdatedAt.String(), "cancelled_at": p.CancelledAt.String(),
		"source_name": p.SourceName, "total_price": p.TotalPrice, "location_id": p.LocationID, "app_id": p.AppID,
	}
	for i, li := range p.LineItems {
		out[string(rune('a'+i))] = []any{li.ID, li.AdminGraphQLAPIID, li.SKU, li.Quantity, li.CurrentQuantity, li.Price}
	}
	return out
}

func TestOrderPayloadToleratesVaryingShapes(t *testing.T) {
	cases := []struct {
		name  string
		path  string
		value string // JSON; "-" deletes the key
		check func(t *testing.T, p *OrderPayload)
	}{
		{"properties as a list", "line_items.0.properties", `[{"name":"Engraving","value":"J + K"},{"name":"_count","value":3},{"name":"gift","value":true},{"name":"meta","value":{"a":1}}]`,
			func(t *testing.T, p *OrderPayload) {
				assert.Equal(t, PayloadProperties{{"Engraving", "J + K"}, {"_count", "3"}, {"gift", "true"}, {"meta", `{"a":1}`}}, p.LineItems[0].Properties)
			}},
		{"properties empty list", "line_items.0.properties", `[]`,
			func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.LineItems[0].Properties) }},
		{"properties null", "line_items.0.properties", `null`,
			func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.LineItems[0].Properties) }},
		{"properties empty object", "line_items.0.properties", `{}`,
			func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.LineItems[0].Properties) }},
		{"properties as an object", "line_items.0.properties", `{"gift_wrap":"yes","_bundle_id":12345,"note":null}`,
			func(t *testing.T, p *OrderPayload) {
				// (re-encoded from a map: keys in sorted order)
				assert.Equal(t, PayloadProperties{{"_bundle_id", "12345"}, {"gift_wrap", "yes"}, {"note", ""}}, p.LineItems[0].Properties)
				v, ok := p.LineItems[0].Properties.Get("gift_wrap")
				assert.True(t, ok)
				assert.Equal(t, "yes", v)
			}},
		{"properties missing", "line_items.0.properties", `-`, nil},
		{"properties as text", "line_items.0.properties", `"gift wrap"`,
			func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.LineItems[0].Properties) }},
		{"properties list with stray elements", "line_items.0.properties", `[1,"x",null,{"name":"a","value":null}]`,
			func(t *testing.T, p *OrderPayload) {
				assert.Equal(t, PayloadProperties{{"a", ""}}, p.LineItems[0].Properties)
			}},
		{"note attributes as an object", "note_attributes", `{"delivery_date":"2026-12-24"}`,
			func(t *testing.T, p *OrderPayload) {
				assert.Equal(t, PayloadProperties{{"delivery_date", "2026-12-24"}}, p.NoteAttributes)
			}},
		{"note attributes null", "note_attributes", `null`, nil},
		{"tax lines with a numeric rate and null money", "tax_lines", `[{"title":"VAT","price":"8.00","rate":0.25,"channel_liable":null,"price_set":null}]`,
			func(t *testing.T, p *OrderPayload) {
				require.Len(t, p.TaxLines, 1)
				assert.Equal(t, Decimal("0.25"), p.TaxLines[0].Rate)
				assert.Equal(t, Decimal("8.00"), p.TaxLines[0].Price)
			}},
		{"tax lines as an object", "tax_lines", `{"VAT":"8.00"}`,
			func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.TaxLines) }},
		{"tax line with malformed money is left out", "tax_lines", `[{"title":"bad","price":"8,00"},{"title":"ok","price":"1.00"}]`,
			func(t *testing.T, p *OrderPayload) {
				require.Len(t, p.TaxLines, 1)
				assert.Equal(t, "ok", p.TaxLines[0].Title)
			}},
		{"line tax lines null", "line_items.0.tax_lines", `null`, nil},
		{"discount code with a numeric amount and code", "discount_codes", `[{"code":2026,"amount":5,"type":"fixed_amount"}]`,
			func(t *testing.T, p *OrderPayload) {
				require.Len(t, p.DiscountCodes, 1)
				assert.Equal(t, "2026", p.DiscountCodes[0].Code)
				assert.Equal(t, Decimal("5"), p.DiscountCodes[0].Amount)
			}},
		{"discount codes as an object", "discount_codes", `{"code":"X"}`, nil},
		{"discount allocations null", "line_items.0.discount_allocations", `null`, nil},
		{"address with text coordinates and a numeric zip", "shipping_address", `{"name":"Kim Jensen","address1":"Vestergade 1","city":"Aarhus","zip":8000,"country_code":"DK","latitude":"56.15","longitude":10.2}`,
			func(t *testing.T, p *OrderPayload) {
				require.NotNil(t, p.ShippingAddress)
				assert.Equal(t, "8000", p.ShippingAddress.Zip)
				assert.Equal(t, "Aarhus", p.ShippingAddress.City)
				assert.Nil(t, p.ShippingAddress.Latitude)
				require.NotNil(t, p.ShippingAddress.Longitude)
				assert.InDelta(t, 10.2, *p.ShippingAddress.Longitude, 1e-9)
			}},
		{"address with only the country (protected customer data)", "shipping_address", `{"country":"Denmark","country_code":"DK"}`,
			func(t *testing.T, p *OrderPayload) { assert.Equal(t, "DK", p.ShippingAddress.CountryCode) }},
		{"address missing", "shipping_address", `-`, func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.ShippingAddress) }},
		{"address null", "billing_address", `null`, nil},
		{"address as a list", "shipping_address", `[]`, func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.ShippingAddress) }},
		{"customer null (a guest)", "customer", `null`, func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.Customer) }},
		{"customer missing (a guest)", "customer", `-`, nil},
		{"customer with a malformed id", "customer", `{"id":"c-1","email":"a@b.example"}`,
			func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.Customer) }},
		{"customer without email and default address as text", "customer", `{"id":7,"default_address":"n/a","tags":["vip"]}`,
			func(t *testing.T, p *OrderPayload) {
				require.NotNil(t, p.Customer)
				assert.Equal(t, int64(7), p.Customer.ID)
				assert.Nil(t, p.Customer.DefaultAddress)
			}},
		{"money set null", "total_tax_set", `null`, nil},
		{"money set with currency instead of currency_code", "total_price_set", `{"shop_money":{"amount":"404.95","currency":"USD"}}`,
			func(t *testing.T, p *OrderPayload) {
				assert.Equal(t, "USD", p.TotalPriceSet.ShopMoney.CurrencyCode)
				assert.Zero(t, p.TotalPriceSet.PresentmentMoney)
			}},
		{"money set with a numeric amount", "line_items.0.price_set", `{"shop_money":{"amount":89.99,"currency_code":"USD"},"presentment_money":{"amount":89.99,"currency_code":"USD"}}`,
			func(t *testing.T, p *OrderPayload) {
				assert.Equal(t, Decimal("89.99"), p.LineItems[0].PriceSet.ShopMoney.Amount)
			}},
		{"money set as text", "current_total_duties_set", `"0.00"`, nil},
		{"money set with malformed amount", "subtotal_price_set", `{"shop_money":{"amount":"4,00"}}`,
			func(t *testing.T, p *OrderPayload) { assert.Zero(t, p.SubtotalPriceSet) }},
		{"gateway names as text", "payment_gateway_names", `"visa"`,
			func(t *testing.T, p *OrderPayload) { assert.Nil(t, p.PaymentGatewayNames) }},
		{"tags as a list", "tags", `["a","b"]`, func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.Tags) }},
		{"confirmed as text", "confirmed", `"yes"`, nil},
		{"phone as a number", "phone", `4512345678`, func(t *testing.T, p *OrderPayload) { assert.Equal(t, "4512345678", p.Phone) }},
		{"shipping lines as an object", "shipping_lines", `{"title":"Post"}`, nil},
		{"fulfillments with a malformed element", "fulfillments", `[{"id":"x"}]`,
			func(t *testing.T, p *OrderPayload) { assert.Empty(t, p.Fulfillments) }},
		{"refunds null", "refunds", `null`, nil},
		{"a field Shopify adds later", "line_items.0.sales_line_item_group", `{"id":1,"title":"Bundle"}`, nil},
		{"grams removed", "line_items.0.grams", `-`, nil},
		{"current quantity removed (older versions)", "line_items.0.current_quantity", `-`,
			func(t *testing.T, p *OrderPayload) { assert.Zero(t, p.LineItems[0].CurrentQuantity) }},
	}
	for _, version := range []string{"2026-04", "2026-07"} {
		var want OrderPayload
		require.NoError(t, json.Unmarshal(encode(t, sampleOf(t, version, "orders/create")), &want))
		require.NotEmpty(t, want.LineItems)
		for _, c := range cases {
			t.Run(version+"/"+c.name, func(t *testing.T) {
				m := sampleOf(t, version, "orders/create")
				var v any = deleteKey
				if c.value != "-" {
					v = jsonOf(t, c.value)
				}
				setPath(t, m, c.path, v)
				var got OrderPayload
				require.NoError(t, json.Unmarshal(encode(t, m), &got))
				if c.path != "line_items.0.current_quantity" {
					assert.Equal(t, strictOrderFields(&want), strictOrderFields(&got), "strict fields must not change")
				}
				if c.check != nil {
					c.check(t, &got)
				}
				// The same through the topic's payload type, as the
				// connector decodes it.
				p := NewWebhookPayload("orders/updated")
				require.NoError(t, json.Unmarshal(encode(t, m), p))
			})
		}
	}
}

func TestOrderPayloadStrictFields(t *testing.T) {
	cases := []struct {
		path, value, wantPath string
	}{
		{"id", `1.5`, "id"},
		{"id", `"820982911946154508"`, "id"},
		{"admin_graphql_api_id", `5`, "admin_graphql_api_id"},
		{"updated_at", `"yesterday"`, "updated_at"},
		{"cancelled_at", `1`, "cancelled_at"},
		{"total_price", `"404,95"`, "total_price"},
		{"source_name", `{"name":"pos"}`, "source_name"},
		{"location_id", `"24826418"`, "location_id"},
		{"line_items", `{"0":{}}`, "line_items"},
		{"line_items.0.id", `"x"`, "line_items[0].id"},
		{"line_items.0.quantity", `"2"`, "line_items[0].quantity"},
		{"line_items.0.current_quantity", `1.5`, "line_items[0].current_quantity"},
		{"line_items.0.sku", `{"a":1}`, "line_items[0].sku"},
		{"line_items.0.sku", `12345`, "line_items[0].sku"},
		{"line_items.0.price", `"abc"`, "line_items[0].price"},
		{"line_items.0.admin_graphql_api_id", `[]`, "line_items[0].admin_graphql_api_id"},
	}
	for _, c := range cases {
		t.Run(c.path+"="+c.value, func(t *testing.T) {
			m := sampleOf(t, "2026-07", "orders/create")
			setPath(t, m, c.path, jsonOf(t, c.value))
			var got OrderPayload
			err := json.Unmarshal(encode(t, m), &got)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wantPath)
		})
	}
}

func TestProductPayloadToleratesVaryingShapes(t *testing.T) {
	for _, version := range []string{"2026-04", "2026-07"} {
		var want ProductPayload
		require.NoError(t, json.Unmarshal(encode(t, sampleOf(t, version, "products/update")), &want))
		require.Len(t, want.Variants, 2)
		for _, v := range want.Variants {
			// Shopify removed weight, weight_unit, grams,
			// inventory_management, requires_shipping and
			// fulfillment_service from product payloads in 2024-07: the
			// fields decode as absent, not as zero weight.
			assert.Equal(t, Decimal(""), v.Weight, "weight is absent, not zero")
			assert.Empty(t, v.WeightUnit)
		}
		for name, c := range map[string]struct{ path, value string }{
			"options as an object":  {"options", `{"Size":["S","M"]}`},
			"image as a list":       {"image", `[]`},
			"tags as a list":        {"tags", `["a"]`},
			"category as text":      {"category", `"Apparel"`},
			"media element as text": {"media", `["x"]`},
			"barcode as a number":   {"variants.0.barcode", `5701234567892`},
			"variant weight null":   {"variants.0.weight", `null`},
			"variant title number":  {"variants.1.title", `42`},
		} {
			t.Run(version+"/"+name, func(t *testing.T) {
				m := sampleOf(t, version, "products/update")
				setPath(t, m, c.path, jsonOf(t, c.value))
				var got ProductPayload
				require.NoError(t, json.Unmarshal(encode(t, m), &got))
				assert.Equal(t, want.ID, got.ID)
				require.Len(t, got.Variants, 2)
				require.Len(t, got.VariantGIDs, 2)
				for i := range want.Variants {
					assert.Equal(t, want.Variants[i].ID, got.Variants[i].ID)
					assert.Equal(t, want.Variants[i].SKU, got.Variants[i].SKU)
					assert.Equal(t, want.Variants[i].Price, got.Variants[i].Price)
				}
				if name == "barcode as a number" {
					assert.Equal(t, "5701234567892", got.Variants[0].Barcode, "a number keeps its digits as text")
				}
			})
		}
	}
	for _, c := range []struct{ path, value, wantPath string }{
		{"variants", `{"a":1}`, "variants"},
		{"variants.0.id", `"1"`, "variants[0].id"},
		{"variants.0.sku", `{}`, "variants[0].sku"},
		{"variants.0.price", `"19,99"`, "variants[0].price"},
		{"variant_gids", `"all"`, "variant_gids"},
		{"variant_gids.0.admin_graphql_api_id", `1`, "variant_gids[0].admin_graphql_api_id"},
	} {
		t.Run("strict/"+c.path, func(t *testing.T) {
			m := sampleOf(t, "2026-07", "products/update")
			setPath(t, m, c.path, jsonOf(t, c.value))
			var got ProductPayload
			err := json.Unmarshal(encode(t, m), &got)
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.wantPath)
		})
	}
}

func TestPayloadPropertiesNeverFail(t *testing.T) {
	for _, in := range []string{`[]`, `null`, `{}`, `"x"`, `12`, `true`, `[[1]]`, `{"a":{"b":[1]}}`, `[{"name":1,"value":[1,2]}]`} {
		var ps PayloadProperties
		assert.NoError(t, json.Unmarshal([]byte(in), &ps), in)
	}
	var ps PayloadProperties
	require.NoError(t, json.Unmarshal([]byte(`{"z":"1","a":"2"}`), &ps))
	assert.Equal(t, PayloadProperties{{"z", "1"}, {"a", "2"}}, ps, "an object keeps its order")
}

// TestTolerantPathMatchesEncodingJSON decodes every sample both ways: the
// field-by-field path, which runs only for payloads encoding/json rejects,
// must read a well-formed payload exactly as encoding/json does.
func TestTolerantPathMatchesEncodingJSON(t *testing.T) {
	for _, s := range loadSamples(t) {
		fast := NewWebhookPayload(s.topic)
		require.NotNil(t, fast, s.topic)
		require.NoError(t, json.Unmarshal(s.body, fast))
		slow := reflect.New(reflect.TypeOf(fast).Elem())
		require.NoError(t, decodeStruct(s.body, slow.Elem(), ""), "%s %s", s.version, s.topic)
		assert.Equal(t, fast, slow.Interface(), "%s %s", s.version, s.topic)
	}
}

// FuzzPayloadDecode feeds arbitrary JSON to the order and product payload
// types: decoding never panics, and a payload that decodes still decodes,
// with the same IDs, SKUs, quantities and prices, after a round trip
// through encoding/json.
func FuzzPayloadDecode(f *testing.F) {
	for _, s := range loadSamples(f) {
		if s.topic == "orders/create" || s.topic == "products/update" {
			f.Add(s.topic == "orders/create", s.body)
		}
	}
	f.Add(true, []byte(`{"id":1,"line_items":[{"id":2,"sku":"A","quantity":1,"properties":{"a":"b"}}]}`))
	f.Add(false, []byte(`{"id":1,"variants":[{"id":2,"sku":"A","barcode":123}],"options":{}}`))
	f.Fuzz(func(t *testing.T, order bool, body []byte) {
		var p, again any = new(ProductPayload), new(ProductPayload)
		if order {
			p, again = new(OrderPayload), new(OrderPayload)
		}
		if json.Unmarshal(body, p) != nil {
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if err := json.Unmarshal(b, again); err != nil {
			t.Fatalf("a decoded payload does not decode again: %v\n%s", err, b)
		}
		if a, b := strictOf(p), strictOf(again); !reflect.DeepEqual(a, b) {
			t.Fatalf("round trip changed strict fields:\n%v\n%v", a, b)
		}
	})
}

// strictOf lists the strict fields of an order or product payload in a
// form that survives a round trip (decimals by value, times as instants).
func strictOf(p any) []string {
	var out []string
	add := func(vs ...any) {
		for _, v := range vs {
			switch x := v.(type) {
			case Decimal:
				v = x.String()
			case time.Time:
				v = x.UTC().Format(time.RFC3339Nano)
			}
			out = append(out, fmt.Sprint(v))
		}
	}
	switch p := p.(type) {
	case *OrderPayload:
		add(p.ID, p.AdminGraphQLAPIID, p.SourceName, p.TotalPrice, p.UpdatedAt, p.CancelledAt, len(p.LineItems))
		for _, li := range p.LineItems {
			add(li.ID, li.AdminGraphQLAPIID, li.SKU, li.Quantity, li.CurrentQuantity, li.Price)
		}
	case *ProductPayload:
		add(p.ID, p.AdminGraphQLAPIID, p.UpdatedAt, len(p.Variants), len(p.VariantGIDs))
		for _, v := range p.Variants {
			add(v.ID, v.AdminGraphQLAPIID, v.SKU, v.Price, v.InventoryItemID)
		}
	}
	return out
}
