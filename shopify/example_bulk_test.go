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

// Running a bulk export: start the ready-made products query, wait for it
// (polling with backoff; pass a BulkNotifier to wake on the
// bulk_operations/finish webhook instead), then stream the JSONL result
// row by row in constant memory. Each variant row names its product in
// ParentID and always comes after it, though not necessarily directly.
func ExampleBulkOperationsService_Run() {
	srv := shopifytest.NewServer(shopifytest.WithBulkDurations(10*time.Millisecond, 10*time.Millisecond))
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Rain Jacket", Variants: []shopifytest.VariantSpec{
		{Title: "S", SKU: "RJ-S", Cost: shopify.MustDecimal("21.50")},
		{Title: "M", SKU: "RJ-M", Cost: shopify.MustDecimal("22.00")},
	}}); err != nil {
		log.Fatal(err)
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
	bulk := client.BulkOperations()

	query, err := shopify.BulkProductsQuery("status:ACTIVE")
	if err != nil {
		log.Fatal(err)
	}
	op, err := bulk.Run(ctx, query, &shopify.BulkQueryOptions{
		Wait: &shopify.WaitOptions{MinInterval: 10 * time.Millisecond},
	})
	if err != nil {
		// A *shopify.BulkOperationError carries the operation, whose
		// PartialDataURL (OpenPartial) holds what was written before a
		// failure.
		log.Fatal(err)
	}
	body, err := bulk.Open(ctx, op)
	if err != nil {
		log.Fatal(err)
	}
	defer body.Close()
	for row, err := range shopify.ReadProductExport(body) {
		if err != nil {
			log.Fatal(err)
		}
		switch {
		case row.Product != nil:
			fmt.Println("product:", row.Product.Title)
		case row.Variant != nil:
			fmt.Printf("  variant %s, cost %s\n", row.Variant.SKU, row.Variant.InventoryItem.UnitCost.Amount)
		}
	}
	// Output:
	// product: Rain Jacket
	//   variant RJ-S, cost 21.50
	//   variant RJ-M, cost 22.00
}
