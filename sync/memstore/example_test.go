package memstore_test

import (
	"context"
	"fmt"
	"log"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
)

// The in-memory store keeps the engine's state for tests, examples and
// single-process trials; everything is gone when the process ends.
func Example() {
	ctx := context.Background()
	store := memstore.New()
	if err := store.SaveSettings(ctx, wmssync.Settings{Shop: "MyShopDK", AdminURL: "my-shop-dk.myshopify.com"}); err != nil {
		log.Fatal(err)
	}
	s, err := store.Settings(ctx, "MyShopDK")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Shop, s.AdminURL)
	// Output:
	// MyShopDK my-shop-dk.myshopify.com
}
