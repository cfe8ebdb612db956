package shopifytest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// A test seeds a shop, queries it over HTTP like a client would, and reads
// the state back through the control API.
func Example() {
	srv := shopifytest.NewServer()
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 3, VariantsPerProduct: 2}); err != nil {
		panic(err)
	}

	body, _ := json.Marshal(map[string]any{
		"query":     `query($q: String) { productVariants(first: 5, query: $q) { nodes { sku barcode } } }`,
		"variables": map[string]any{"q": "sku:SIM-000002-*"},
	})
	req, _ := http.NewRequest(http.MethodPost, srv.ShopURL(shop.Name())+"/admin/api/2026-10/graphql.json", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Shopify-Access-Token", shop.AccessToken())
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data struct {
			ProductVariants struct {
				Nodes []struct{ SKU, Barcode string }
			}
		}
		Extensions struct {
			Cost struct{ RequestedQueryCost, ActualQueryCost int }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		panic(err)
	}
	for _, v := range out.Data.ProductVariants.Nodes {
		fmt.Println(v.SKU, v.Barcode)
	}
	fmt.Println("cost:", out.Extensions.Cost.RequestedQueryCost, "requested,", out.Extensions.Cost.ActualQueryCost, "actual")
	fmt.Println("requests:", shop.Counters().Requests)
	// Output:
	// SIM-000002-1 4000000002000
	// SIM-000002-2 4000000002017
	// cost: 7 requested, 4 actual
	// requests: 1
}
