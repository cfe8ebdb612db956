package wms_test

import (
	"encoding/json"
	"testing"

	"github.com/wmsbridge/wmsbridge/wms"
)

func TestParseDecimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		err      bool
	}{
		{in: "", want: ""},
		{in: "0", want: "0"},
		{in: "19.99", want: "19.99"},
		{in: "-0.50", want: "-0.50"},
		{in: "+3", want: "3"},
		{in: ".5", want: "0.5"},
		{in: "007.10", want: "7.10"},
		{in: "1e3", err: true},
		{in: "1,50", err: true},
		{in: "5.", err: true},
		{in: ".", err: true},
		{in: "-", err: true},
		{in: "1/2", err: true},
		{in: "--1", err: true},
		{in: "-+1", err: true},
		{in: " 1", err: true},
		{in: "NaN", err: true},
	}
	for _, tt := range tests {
		got, err := wms.ParseDecimal(tt.in)
		if tt.err {
			if err == nil {
				t.Errorf("ParseDecimal(%q) = %q, want an error", tt.in, got)
			}
			if wms.Decimal(tt.in).Valid() {
				t.Errorf("Decimal(%q).Valid() = true", tt.in)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseDecimal(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestDecimalArithmetic(t *testing.T) {
	t.Parallel()
	d := func(s string) wms.Decimal { return wms.Decimal(s) }
	check := func(name string, got, want wms.Decimal) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check("0.1+0.2", d("0.1").Add("0.2"), "0.3")
	check("1.50+2", d("1.50").Add("2"), "3.50")
	check("absent+1.5", d("").Add("1.5"), "1.5")
	check("5-7.25", d("5").Sub("7.25"), "-2.25")
	check("19.99*3", d("19.99").MulInt(3), "59.97")
	check("0.333*-3", d("0.333").MulInt(-3), "-0.999")
	for _, tt := range []struct {
		d     wms.Decimal
		n     int64
		scale int
		want  wms.Decimal
	}{
		{"5", 3, 2, "1.67"},
		{"4", 3, 2, "1.33"},
		{"1.005", 1, 2, "1.01"},   // half away from zero
		{"-1.005", 1, 2, "-1.01"}, // half away from zero
		{"-5", 3, 2, "-1.67"},
		{"260", 40, 2, "6.50"},
		{"10", 4, 0, "3"}, // 2.5 rounds to 3
		{"7", 7, 3, "1.000"},
	} {
		got, err := tt.d.DivInt(tt.n, tt.scale)
		if err != nil || got != tt.want {
			t.Errorf("%s.DivInt(%d, %d) = %q, %v; want %q", tt.d, tt.n, tt.scale, got, err, tt.want)
		}
	}
	if _, err := d("1").DivInt(0, 2); err == nil {
		t.Error("division by zero: no error")
	}
	if d("1.50").Cmp("1.5") != 0 || !d("1.50").Equal("1.5") || d("2").Cmp("10") != -1 || d("").Cmp("0") != 0 {
		t.Error("Cmp/Equal")
	}
	if !d("").IsZero() || !d("0.00").IsZero() || d("0.01").IsZero() || d("-3").Sign() != -1 {
		t.Error("IsZero/Sign")
	}
	if d("12.345").Scale() != 3 || d("12").Scale() != 0 {
		t.Error("Scale")
	}
}

func TestDecimalJSON(t *testing.T) {
	t.Parallel()
	var v struct {
		A, B, C, D wms.Decimal
	}
	if err := json.Unmarshal([]byte(`{"A":"19.90","B":19.90,"C":null,"D":""}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A != "19.90" || v.B != "19.90" || v.C != "" || v.D != "" {
		t.Fatalf("decoded %+v", v)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"A":"19.90","B":"19.90","C":"0","D":"0"}` {
		t.Fatalf("encoded %s", out)
	}
	if err := json.Unmarshal([]byte(`{"A":"1e5"}`), &v); err == nil {
		t.Fatal("1e5 accepted")
	}
	if err := json.Unmarshal([]byte(`{"A":true}`), &v); err == nil {
		t.Fatal("true accepted")
	}
}
