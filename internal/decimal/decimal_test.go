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

// TestCanonicalFastPath checks that the text-only path of Canonical gives
// what the big.Rat round trip gives, for every short decimal text and some
// longer ones.
func TestCanonicalFastPath(t *testing.T) {
	slow := func(s string) (string, error) {
		if s == "" {
			return "", nil
		}
		r, err := Rat(s)
		if err != nil {
			return "", err
		}
		return Format(r, Scale(s)), nil
	}
	var inputs []string
	alphabet := []string{"", "0", "1", "9", ".", "-", "+", "00", "x"}
	for _, a := range alphabet {
		for _, b := range alphabet {
			for _, c := range alphabet {
				for _, d := range alphabet {
					inputs = append(inputs, a+b+c+d)
				}
			}
		}
	}
	inputs = append(inputs, "12.50", "-0.000", "-000.10", "123456789012345678901234567890.123", "0.0", "-0", "+.5", "-.5", "1e5", " 1", "1.2.3")
	for _, in := range inputs {
		want, wantErr := slow(in)
		got, err := Canonical(in)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("Canonical(%q) = %q, %v; the big.Rat way gives %q, %v", in, got, err, want, wantErr)
		}
	}
}
