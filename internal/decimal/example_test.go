package decimal_test

import (
	"fmt"

	"github.com/wmsbridge/wmsbridge/internal/decimal"
)

// Money stays exact text: no float64 rounding on the way.
func Example() {
	fmt.Println(decimal.Add("0.10", "0.2"), decimal.MulInt("19.99", 3), decimal.Cmp("1.50", "1.5"))
	// Output: 0.30 59.97 0
}
