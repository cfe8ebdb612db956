package shopify

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestGIDRoundTrip(t *testing.T) {
	// 2^62+15: far beyond float64's exact integer range.
	const big int64 = 4611686018427387919
	g := GID("Product", big)
	if g != "gid://shopify/Product/4611686018427387919" {
		t.Fatalf("GID = %q", g)
	}
	r, id, err := ParseGID(g)
	if err != nil || r != "Product" || id != big {
		t.Fatalf("ParseGID = %q %d %v", r, id, err)
	}
	if id, err := LegacyID("gid://shopify/InventoryLevel/77?inventory_item_id=5", "InventoryLevel"); err != nil || id != 77 {
		t.Fatalf("LegacyID with query = %d %v", id, err)
	}
}

func TestParseGIDRejects(t *testing.T) {
	for _, in := range []string{"", "123", "gid://shopify/Product", "gid://shopify/Product/", "gid://shopify//1",
		"gid://shopify/Product/abc", "gid://shopify/Product/-1", "gid://other/Product/1", "gid://shopify/Product/99999999999999999999"} {
		if _, _, err := ParseGID(in); !errors.Is(err, ErrInvalidGID) {
			t.Errorf("ParseGID(%q) err = %v, want ErrInvalidGID", in, err)
		}
	}
	if _, err := LegacyID("gid://shopify/Order/1", "Product"); !errors.Is(err, ErrInvalidGID) {
		t.Errorf("LegacyID with wrong type: %v", err)
	}
}

func TestDecimal(t *testing.T) {
	a := MustDecimal("10.10")
	if got := a.Add("0.2"); got != "10.30" {
		t.Errorf("Add = %s", got)
	}
	if got := a.Sub("10.1"); got != "0.00" || !got.IsZero() {
		t.Errorf("Sub = %s", got)
	}
	if got := Decimal("0.1").MulInt(3); got != "0.3" {
		t.Errorf("MulInt = %s", got)
	}
	if Decimal("2").Cmp("10") != -1 || Decimal("").Cmp("0") != 0 {
		t.Error("Cmp")
	}
	for _, bad := range []string{"1e5", "abc", "1/2", "0x10"} {
		if _, err := ParseDecimal(bad); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", bad)
		}
	}
	var v struct{ A, B, C Decimal }
	if err := json.Unmarshal([]byte(`{"A":"199.00","B":12345678901234567890.123,"C":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "199.00" || v.B != "12345678901234567890.123" || v.C != "" {
		t.Fatalf("decoded %+v", v)
	}
	out, _ := json.Marshal(v)
	if string(out) != `{"A":"199.00","B":"12345678901234567890.123","C":"0"}` {
		t.Fatalf("encoded %s", out)
	}
}

func TestDecimalSyntax(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"0", true}, {"19.99", true}, {"-0.5", true}, {"+3", true}, {".5", true},
		{"5.", false}, {"-", false}, {".", false}, {"1.2.3", false}, {"1e5", false}, {"0x1F", false},
		{"1/2", false}, {"1_000", false}, {" 1", false}, {"NaN", false}, {"Inf", false},
	} {
		if got := Decimal(tt.in).Valid(); got != tt.ok {
			t.Errorf("Decimal(%q).Valid() = %v, want %v", tt.in, got, tt.ok)
		}
		var d Decimal
		err := d.UnmarshalJSON([]byte(`"` + tt.in + `"`))
		if (err != nil) != !tt.ok {
			t.Errorf("UnmarshalJSON(%q) err = %v", tt.in, err)
		}
	}
	var d Decimal
	if err := d.UnmarshalJSON([]byte(`"1\u0030.5"`)); err != nil || d != "10.5" {
		t.Errorf("escaped string decoded as %q, %v", d, err)
	}
}
