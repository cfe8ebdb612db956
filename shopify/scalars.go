package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Uint64 is GraphQL's UnsignedInt64 scalar, which Shopify sends as a JSON
// string ("1234") so that it survives JavaScript; it also accepts a JSON
// number. It encodes as a string.
type Uint64 uint64

// UnmarshalJSON accepts "123", 123 or null.
func (u *Uint64) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*u = 0
		return nil
	}
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("shopify: %q is not an UnsignedInt64", s)
	}
	*u = Uint64(v)
	return nil
}

// MarshalJSON encodes u as a JSON string.
func (u Uint64) MarshalJSON() ([]byte, error) {
	return json.Marshal(strconv.FormatUint(uint64(u), 10))
}

// Money is GraphQL's MoneyV2: an exact amount and its ISO 4217 currency.
type Money struct {
	Amount       Decimal `json:"amount"`
	CurrencyCode string  `json:"currencyCode"`
}
