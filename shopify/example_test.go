package shopify_test

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/wmsbridge/wmsbridge/shopify"
)

//go:embed shop.graphql
var shopQuery string

// fakeShopify answers the shop query as Shopify would.
func fakeShopify() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/admin/api/2026-10/graphql.json" || r.Header.Get("X-Shopify-Access-Token") == "" {
			http.Error(w, `{"errors":"[API] Invalid API key or access token"}`, http.StatusUnauthorized)
			return
		}
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", "5e3a7c2e-example")
		_, _ = io.WriteString(w, `{"data":{"shop":{"id":"gid://shopify/Shop/548380009","name":"Nordic Socks",
			"myshopifyDomain":"nordic-socks.myshopify.com","currencyCode":"DKK","ianaTimezone":"Europe/Copenhagen"}},
			"extensions":{"cost":{"requestedQueryCost":1,"actualQueryCost":1,
			"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1999,"restoreRate":100.0}}}}`)
	}))
}

func ExampleNewClient() {
	// A custom app's Admin API access token; load it from your secret store.
	// Dev Dashboard apps use shopify.WithClientCredentials(clientID,
	// clientSecret) instead.
	client, err := shopify.NewClient("https://Nordic-Socks.myshopify.com/admin",
		shopify.WithAccessToken("shpat_example"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.Shop())
	fmt.Println(client.APIVersion())

	// Storefront domains and other hosts are refused, so a token can only
	// go to the shop (or to a base URL chosen with WithBaseURL).
	_, err = shopify.NewClient("https://www.nordic-socks.dk", shopify.WithAccessToken("shpat_example"))
	fmt.Println(errors.Is(err, shopify.ErrInvalidShop))
	// Output:
	// nordic-socks.myshopify.com
	// 2026-10
	// true
}

func ExampleClient_Do() {
	srv := fakeShopify() // stands in for https://nordic-socks.myshopify.com
	defer srv.Close()
	client, err := shopify.NewClient("nordic-socks",
		shopify.WithAccessToken("shpat_example"),
		shopify.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}

	// shopQuery is embedded from shop.graphql:
	//   query shop { shop { id name myshopifyDomain currencyCode ianaTimezone } }
	var out struct {
		Shop struct {
			ID           string `json:"id"`
			Name         string `json:"name"`
			CurrencyCode string `json:"currencyCode"`
		} `json:"shop"`
	}
	resp, err := client.Do(context.Background(), &shopify.Request{Query: shopQuery}, &out)
	if err != nil {
		var denied *shopify.AccessDeniedError
		if errors.As(err, &denied) {
			log.Fatalf("grant the app these scopes: %v", denied.Scopes)
		}
		log.Fatal(err)
	}
	id, _ := shopify.LegacyID(out.Shop.ID, "Shop")
	fmt.Println(out.Shop.Name, out.Shop.CurrencyCode, id)
	fmt.Println("request id:", resp.RequestID)
	fmt.Printf("cost %g, bucket %g/%g\n", resp.Cost.ActualQueryCost,
		resp.Cost.ThrottleStatus.CurrentlyAvailable, resp.Cost.ThrottleStatus.MaximumAvailable)
	// Output:
	// Nordic Socks DKK 548380009
	// request id: 5e3a7c2e-example
	// cost 1, bucket 1999/2000
}

func ExampleClient_ShopInfo() {
	srv := fakeShopify()
	defer srv.Close()
	client, err := shopify.NewClient("nordic-socks", shopify.WithAccessToken("shpat_example"), shopify.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	shop, _, err := client.ShopInfo(context.Background())
	if errors.Is(err, shopify.ErrUnauthorized) {
		log.Fatal("the access token was not accepted")
	}
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(shop.MyshopifyDomain, shop.IANATimezone)
	// Output: nordic-socks.myshopify.com Europe/Copenhagen
}

func ExamplePaginate() {
	// pages stands in for a connection query; a real fetch calls client.Do
	// with first: shopify.PageSize(costPerNode) and after: cursor.
	pages := map[string]*shopify.Connection[string]{
		"":   {Nodes: []string{"SKU-1", "SKU-2"}, PageInfo: shopify.PageInfo{HasNextPage: true, EndCursor: "c2"}},
		"c2": {Nodes: []string{"SKU-3"}},
	}
	fetch := func(ctx context.Context, after string) (*shopify.Connection[string], error) {
		return pages[after], nil
	}
	for sku, err := range shopify.Paginate(context.Background(), fetch) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(sku)
	}
	// Output:
	// SKU-1
	// SKU-2
	// SKU-3
}

func ExampleCheckUserErrors() {
	// A mutation payload as decoded from the answer's data.
	payload := struct{ UserErrors []shopify.UserError }{
		UserErrors: []shopify.UserError{{Field: []string{"input", "quantities", "0", "changeFromQuantity"},
			Message: "The compared quantity is stale.", Code: "CHANGE_FROM_QUANTITY_STALE"}},
	}
	err := shopify.CheckUserErrors("inventorySetQuantities", payload.UserErrors)
	var ue *shopify.UserErrorsError
	if errors.As(err, &ue) && ue.HasCode("CHANGE_FROM_QUANTITY_STALE") {
		fmt.Println("re-read the quantity and try again")
	}
	// Output: re-read the quantity and try again
}
