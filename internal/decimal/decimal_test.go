package decimal

import (
	"errors"
	"math/big"
	"testing"
)

func TestValid(t *testing.T) {
	for _, tt := range []struct {
		in string
		ok bool
	}{
		{"0", true}, {"19.99", true}, {"-0.5", true}, {"+3", true}, {".5", true}, {"-.5", true},
		{"", false}, {"-", false}, {".", false}, {"5.", false}, {"1.2.3", false}, {"1e5", false},
		{"0x1F", false}, {"1/2", false}, {"1_000", false}, {" 1", false}, {"NaN", false}, {"١", false},
	} {
		if got := Valid(tt.in); got != tt.ok {
			t.Errorf("Valid(%q) = %v, want %v", tt.in, got, tt.ok)
		}
	}
}

func TestArithmetic(t *testing.T) {
	if got := Add("10.10", "0.2"); got != "10.30" {
		t.Errorf("Add = %s", got)
	}
	if got := Sub("10.10", "10.1"); got != "0.00" {
		t.Errorf("Sub = %s", got)
	}
	if got := MulInt("0.1", 3); got != "0.3" {
		t.Errorf("MulInt = %s", got)
	}
	if Cmp("2", "10") != -1 || Cmp("", "0") != 0 || Cmp("1.50", "1.5") != 0 {
		t.Error("Cmp")
	}
	if Sign("-0.00") != 0 || Sign("-0.01") != -1 || Sign("3") != 1 || Sign("bad") != 0 {
		t.Error("Sign")
	}
	if got, err := Canonical("+.50"); err != nil || got != "0.50" {
		t.Errorf("Canonical = %q, %v", got, err)
	}
	r, _ := new(big.Rat).SetString("1.005")
	if got := Round(r, 2); got != "1.01" {
		t.Errorf("Round(1.005, 2) = %s", got)
	}
	r.Neg(r)
	if got := Round(r, 2); got != "-1.01" {
		t.Errorf("Round(-1.005, 2) = %s", got)
	}
}

func TestFromJSON(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      bool
	}{
		{`"199.00"`, "199.00", false},
		{`12345678901234567890.123`, "12345678901234567890.123", false},
		{`null`, "", false},
		{`""`, "", false},
		{`"1\u0030.5"`, "10.5", false},
		{`"1e5"`, "", true},
		{`1e5`, "", true},
		{`"abc"`, "", true},
	} {
		got, err := FromJSON([]byte(tt.in))
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("FromJSON(%s) = %q, %v", tt.in, got, err)
		}
		if tt.err && !errors.Is(err, ErrSyntax) {
			t.Errorf("FromJSON(%s) error %v is not ErrSyntax", tt.in, err)
		}
	}
}
