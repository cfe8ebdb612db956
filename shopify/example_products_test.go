package shopify_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// Paging through products: List returns an iterator that fetches pages as
// the loop advances; breaking out of the loop stops fetching. Filters narrow
// the listing to a status and an updated_at window, the building block of
// an incremental sync.
func ExampleProductsService_List() {
	// A simulated shop stands in for https://your-shop.myshopify.com.
	srv := shopifytest.NewServer()
	defer srv.Close()
	shop := srv.DefaultShop()
	for _, title := range []string{"Rain Jacket", "Wool Socks", "Old Catalogue"} {
		status := "ACTIVE"
		if title == "Old Catalogue" {
			status = "ARCHIVED"
		}
		if _, err := shop.CreateProduct(shopifytest.ProductSpec{Title: title, Status: status, Variants: []shopifytest.VariantSpec{
			{Title: "S", SKU: title + "-S"}, {Title: "M", SKU: title + "-M"},
		}}); err != nil {
			log.Fatal(err)
		}
	}

	client, err := shopify.NewClient(shop.Domain(),
		shopify.WithBaseURL(srv.ShopURL(shop.Name())), // omit for a real shop
		shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithLogger(slog.New(slog.DiscardHandler)),
	)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	products := client.Products().List(ctx, &shopify.ProductListOptions{
		Status:       []string{"ACTIVE"},
		UpdatedAtMin: time.Now().Add(-24 * time.Hour),
	})
	for p, err := range products {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s (%d variants)\n", p.Title, p.VariantsCount)
	}
	// Output:
	// Rain Jacket (2 variants)
	// Wool Socks (2 variants)
}
