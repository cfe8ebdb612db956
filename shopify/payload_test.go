package shopify

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var updatePayloadGolden = flag.Bool("update-payload-golden", false, "rewrite testdata/webhooks/golden/*.json")

// sample is one of Shopify's published sample payloads, copied verbatim from
// the webhook reference (<version>/<topic>.meta.json: "name" is the topic,
// "response" the payload).
type sample struct {
	version, topic string
	body           []byte
}

func loadSamples(t testing.TB) []sample {
	t.Helper()
	var out []sample
	err := filepath.WalkDir("testdata/webhooks", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".meta.json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var meta struct {
			Name     string          `json:"name"`
			Response json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(b, &meta); err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/webhooks", path)
		out = append(out, sample{version: strings.Split(rel, string(filepath.Separator))[0], topic: meta.Name, body: meta.Response})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWebhookPayloadSamplesDecode(t *testing.T) {
	samples := loadSamples(t)
	topics := map[string]bool{}
	for _, s := range samples {
		t.Run(s.version+"/"+s.topic, func(t *testing.T) {
			p := NewWebhookPayload(s.topic)
			plNotNil(t, true, p, "no payload type for %s", s.topic)
			dec := json.NewDecoder(bytes.NewReader(s.body))
			plNoErr(t, true, dec.Decode(p))
			topics[s.topic] = true
			if string(bytes.TrimSpace(s.body)) == "{}" {
				return // 2026-04 publishes an empty inventory_levels sample
			}
			plFalse(t, reflect.ValueOf(p).Elem().IsZero(), "decoded to the zero value")
			checkIDsMatchGIDs(t, reflect.ValueOf(p).Elem())
		})
	}
	for _, want := range []string{
		"products/create", "products/update", "products/delete",
		"orders/create", "orders/updated", "orders/cancelled", "orders/delete", "orders/paid",
		"orders/fulfilled", "orders/partially_fulfilled", "orders/edited", "refunds/create",
		"inventory_items/create", "inventory_items/update", "inventory_items/delete",
		"inventory_levels/connect", "inventory_levels/update", "inventory_levels/disconnect",
		"fulfillments/create", "fulfillments/update", "app/uninstalled", "app/scopes_update",
		"bulk_operations/finish", "customers/data_request", "customers/redact", "shop/redact",
	} {
		plTrue(t, topics[want], "no sample decoded for %s", want)
	}
}

// checkIDsMatchGIDs walks a decoded payload and checks every struct that has
// both an ID and a GID: the samples went through JavaScript, so the numeric
// ID must equal the GID's ID after rounding to float64 (proof that the
// decoder read the right field into an int64).
func checkIDsMatchGIDs(t *testing.T, v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			checkIDsMatchGIDs(t, v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			checkIDsMatchGIDs(t, v.Index(i))
		}
	case reflect.Struct:
		id, gid := v.FieldByName("ID"), v.FieldByName("AdminGraphQLAPIID")
		if id.IsValid() && gid.IsValid() && gid.String() != "" && id.Kind() == reflect.Int64 {
			_, exact, err := ParseGID(gid.String())
			plNoErr(t, true, err)
			plEqual(t, float64(exact), float64(id.Int()), "id vs %s", gid.String())
		}
		for i := range v.NumField() {
			checkIDsMatchGIDs(t, v.Field(i))
		}
	}
}

func TestWebhookPayloadGolden(t *testing.T) {
	for _, topic := range []string{"orders/create", "products/update", "refunds/create"} {
		t.Run(topic, func(t *testing.T) {
			var body []byte
			for _, s := range loadSamples(t) {
				if s.version == "2026-07" && s.topic == topic {
					body = s.body
				}
			}
			plNotNil(t, true, body)
			p := NewWebhookPayload(topic)
			plNoErr(t, true, json.Unmarshal(body, p))
			got, err := json.MarshalIndent(p, "", "  ")
			plNoErr(t, true, err)
			got = append(got, '\n')
			file := filepath.Join("testdata", "webhooks", "golden", strings.ReplaceAll(topic, "/", "_")+".json")
			if *updatePayloadGolden {
				plNoErr(t, true, os.MkdirAll(filepath.Dir(file), 0o755))
				plNoErr(t, true, os.WriteFile(file, got, 0o644))
			}
			want, err := os.ReadFile(file)
			plNoErr(t, true, err, "run with -update-payload-golden to create it")
			plJSONEq(t, string(want), string(got))
		})
	}
}

func TestWebhookPayloadSpotChecks(t *testing.T) {
	samples := map[string][]byte{}
	for _, s := range loadSamples(t) {
		if s.version == "2026-07" {
			samples[s.topic] = s.body
		}
	}

	var o OrderPayload
	plNoErr(t, true, json.Unmarshal(samples["orders/create"], &o))
	plEqual(t, int64(820982911946154500), o.ID) // the sample's (rounded) number, exactly
	plEqual(t, "gid://shopify/Order/820982911946154508", o.AdminGraphQLAPIID)
	plEqual(t, Decimal("404.95"), o.TotalPrice)
	plEqual(t, "USD", o.TotalPriceSet.PresentmentMoney.CurrencyCode)
	if len(o.LineItems) != 5 {
		t.Fatalf("%d line items, want 5", len(o.LineItems))
	}
	plEqual(t, "SKU2006-001", o.LineItems[0].SKU)
	plEqual(t, "gid://shopify/StaffMember/902541635", gjsonString(t, samples["orders/create"], "line_items", 0, "attributed_staffs", 0, "id"))
	plEqual(t, time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), o.CreatedAt.UTC())
	plTrue(t, o.ClosedAt.IsZero(), "null timestamp decodes to zero time")
	plZero(t, o.AppID, "null id decodes to 0")
	var sum Decimal
	for _, li := range o.LineItems {
		sum = sum.Add(li.Price.MulInt(int64(li.Quantity)))
	}
	plEqual(t, 0, sum.Cmp(o.TotalLineItemsPrice), "line prices add up exactly")

	var r RefundPayload
	plNoErr(t, true, json.Unmarshal(samples["refunds/create"], &r))
	plEqual(t, Decimal("89.99"), r.RefundLineItems[0].Subtotal, "JSON number money kept digit for digit")
	plEqual(t, "XXX", r.Transactions[0].TotalUnsettledSet.ShopMoney.CurrencyCode, `"currency" read as the currency code`)

	var lvl InventoryLevelPayload
	plNoErr(t, true, json.Unmarshal(samples["inventory_levels/update"], &lvl))
	plNotNil(t, true, lvl.Available)
	plEqual(t, int64(10), *lvl.Available)
	var disc InventoryLevelPayload
	plNoErr(t, true, json.Unmarshal(samples["inventory_levels/disconnect"], &disc))
	plNil(t, disc.Available, "disconnect carries no quantity")

	var p ProductPayload
	plNoErr(t, true, json.Unmarshal(samples["products/update"], &p))
	plFalse(t, p.Truncated())
	p.VariantGIDs = append(p.VariantGIDs, PayloadGIDStamp{AdminGraphQLAPIID: "gid://shopify/ProductVariant/1"})
	plTrue(t, p.Truncated())

	var del OrderDeletePayload
	plNoErr(t, true, json.Unmarshal(samples["orders/delete"], &del))
	plEqual(t, int64(820982911946154500), del.ID)
}

// gjsonString digs a string out of raw JSON by path (map keys and indexes).
func gjsonString(t *testing.T, b []byte, path ...any) string {
	t.Helper()
	var v any
	plNoErr(t, true, json.Unmarshal(b, &v))
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(string)
}

func TestWebhookPayloadIDsBeyondFloat64(t *testing.T) {
	// 2^53+1 is the first integer a float64 cannot hold; MaxInt64 the last an
	// int64 can.
	const body = `{
	  "id": 9007199254740993,
	  "admin_graphql_api_id": "gid://shopify/Order/9007199254740993",
	  "customer": {"id": 9223372036854775807},
	  "line_items": [{"id": 9007199254740995, "variant_id": 1152921504606846977, "product_id": 4611686018427387905,
	                  "price": "12345678901234567.89", "quantity": 1}],
	  "refunds": [{"id": 9007199254740997, "order_id": 9007199254740993,
	               "refund_line_items": [{"line_item_id": 9007199254740995, "subtotal": 12345678901234567.89}]}],
	  "transactions": [{"id": 9007199254740999, "parent_id": 9007199254741001, "amount": "12345678901234567.89", "kind": "sale"}],
	  "total_price": 12345678901234567.89
	}`
	var o OrderPayload
	plNoErr(t, true, json.Unmarshal([]byte(body), &o))
	plEqual(t, int64(9007199254740993), o.ID)
	plNotEqual(t, int64(float64(o.ID)), o.ID, "the id is one a float64 would have changed")
	plEqual(t, int64(math.MaxInt64), o.Customer.ID)
	plEqual(t, int64(9007199254740995), o.LineItems[0].ID)
	plEqual(t, int64(1152921504606846977), o.LineItems[0].VariantID)
	plEqual(t, int64(4611686018427387905), o.LineItems[0].ProductID)
	plEqual(t, int64(9007199254740997), o.Refunds[0].ID)
	plEqual(t, int64(9007199254740995), o.Refunds[0].RefundLineItems[0].LineItemID)
	plEqual(t, Decimal("12345678901234567.89"), o.TotalPrice)
	if len(o.Transactions) != 1 {
		t.Fatalf("%d transactions, want 1", len(o.Transactions))
	}
	plEqual(t, int64(9007199254740999), o.Transactions[0].ID)
	plEqual(t, int64(9007199254741001), o.Transactions[0].ParentID)
	plEqual(t, Decimal("12345678901234567.89"), o.Transactions[0].Amount)
	plEqual(t, Decimal("12345678901234567.89"), o.Refunds[0].RefundLineItems[0].Subtotal)
	id, err := LegacyID(o.AdminGraphQLAPIID, "Order")
	plNoErr(t, true, err)
	plEqual(t, o.ID, id)

	out, err := json.Marshal(o)
	plNoErr(t, true, err)
	plContains(t, string(out), `"id":9007199254740993`, "re-encoding keeps the digits")

	// A fractional or exponent "id" is rejected rather than rounded.
	plError(t, json.Unmarshal([]byte(`{"id": 9.007199254740993e15}`), &o))
	plError(t, json.Unmarshal([]byte(`{"id": 1.5}`), &o))
	plError(t, json.Unmarshal([]byte(`{"id": 9223372036854775808}`), &o), "overflow is an error")
}

func TestPayloadPropertyValues(t *testing.T) {
	var props []PayloadProperty
	plNoErr(t, true, json.Unmarshal([]byte(`[{"name":"a","value":"x"},{"name":"b","value":12},{"name":"c","value":true},{"name":"d","value":null}]`), &props))
	plEqual(t, []PayloadProperty{{"a", "x"}, {"b", "12"}, {"c", "true"}, {"d", ""}}, props)
}

func TestPayloadMoneyCurrencyNames(t *testing.T) {
	var m PayloadMoneySet
	plNoErr(t, true, json.Unmarshal([]byte(`{"shop_money":{"amount":"1.10","currency_code":"EUR"},"presentment_money":{"amount":1.2,"currency":"CHF"}}`), &m))
	plEqual(t, PayloadMoney{Amount: "1.10", CurrencyCode: "EUR"}, m.ShopMoney)
	plEqual(t, PayloadMoney{Amount: "1.2", CurrencyCode: "CHF"}, m.PresentmentMoney)
	var null PayloadMoney
	plNoErr(t, true, json.Unmarshal([]byte(`null`), &null))
	plZero(t, null)
}

func TestNewWebhookPayloadUnknown(t *testing.T) {
	plNil(t, NewWebhookPayload("carts/create"))
	a, b := NewWebhookPayload("orders/create"), NewWebhookPayload("orders/create")
	plNotSame(t, a, b)
}

// Small assertion helpers (stdlib only; "pl" for payload, to stay clear of
// other test files in this package).

func plFail(t *testing.T, fatal bool, msg []any, format string, args ...any) {
	t.Helper()
	text := fmt.Sprintf(format, args...)
	if len(msg) > 0 {
		if f, ok := msg[0].(string); ok {
			text += ": " + fmt.Sprintf(f, msg[1:]...)
		}
	}
	if fatal {
		t.Fatal(text)
	}
	t.Error(text)
}

func plNoErr(t *testing.T, fatal bool, err error, msg ...any) {
	t.Helper()
	if err != nil {
		plFail(t, fatal, msg, "unexpected error: %v", err)
	}
}

func plNotNil(t *testing.T, fatal bool, v any, msg ...any) {
	t.Helper()
	if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer || reflect.ValueOf(v).Kind() == reflect.Slice) && reflect.ValueOf(v).IsNil() {
		plFail(t, fatal, msg, "unexpected nil")
	}
}

func plNil(t *testing.T, v any, msg ...any) {
	t.Helper()
	if v != nil && !reflect.ValueOf(v).IsNil() {
		plFail(t, false, msg, "got %v, want nil", v)
	}
}

func plEqual(t *testing.T, want, got any, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		plFail(t, false, msg, "got %#v, want %#v", got, want)
	}
}

func plNotEqual(t *testing.T, notWant, got any, msg ...any) {
	t.Helper()
	if reflect.DeepEqual(notWant, got) {
		plFail(t, false, msg, "got %#v, want anything else", got)
	}
}

func plTrue(t *testing.T, ok bool, msg ...any) {
	t.Helper()
	if !ok {
		plFail(t, false, msg, "want true")
	}
}

func plFalse(t *testing.T, ok bool, msg ...any) {
	t.Helper()
	if ok {
		plFail(t, false, msg, "want false")
	}
}

func plZero(t *testing.T, v any, msg ...any) {
	t.Helper()
	if !reflect.ValueOf(v).IsZero() {
		plFail(t, false, msg, "got %#v, want the zero value", v)
	}
}

func plContains(t *testing.T, s, sub string, msg ...any) {
	t.Helper()
	if !strings.Contains(s, sub) {
		plFail(t, false, msg, "%q does not contain %q", s, sub)
	}
}

func plError(t *testing.T, err error, msg ...any) {
	t.Helper()
	if err == nil {
		plFail(t, false, msg, "want an error")
	}
}

func plNotSame(t *testing.T, a, b any) {
	t.Helper()
	if reflect.ValueOf(a).Pointer() == reflect.ValueOf(b).Pointer() {
		t.Error("same pointer")
	}
}

func plJSONEq(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	// UseNumber: compare ids digit for digit, not as float64.
	for _, x := range []struct {
		text string
		v    *any
	}{{want, &w}, {got, &g}} {
		dec := json.NewDecoder(strings.NewReader(x.text))
		dec.UseNumber()
		plNoErr(t, true, dec.Decode(x.v))
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("JSON differs:\n got: %s\nwant: %s", got, want)
	}
}
