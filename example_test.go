package wmsbridge_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// The whole stack in one place: a Shopify shop (simulated here), the
// engine over a warehouse (the reference WMS here; yours implements
// wms.Backend) and a store (in memory here; SQLite or PostgreSQL in
// production), a webhook endpoint writing into the store's inbox, the setup
// steps, and an order arriving by webhook.
func Example() {
	ctx := context.Background()
	srv := shopifytest.NewServer(shopifytest.WithWebhookSecret("app-secret"))
	defer srv.Close()
	shop := srv.DefaultShop()
	seeded, err := shop.Seed(shopifytest.SeedOptions{Seed: 7, Products: 4})
	if err != nil {
		log.Fatal(err)
	}

	warehouse, _ := memwms.New(nil)
	mux := http.NewServeMux()
	endpoint := httptest.NewServer(mux) // production: your HTTPS server
	defer endpoint.Close()
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, Store: memstore.New(), ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			// For a real shop: shopify.NewClient(s.Domain(), shopify.WithAccessToken(token)).
			client, err := srv.Client(shop.Name())
			if err != nil {
				return nil, err
			}
			return connector.New(connector.Config{Client: client, WebhookAddress: endpoint.URL + "/webhooks"})
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	source, _ := shopifywebhook.NewSource("app-secret")
	handler, _ := webhook.NewHandler(engine.Inbox(), webhook.WithSource(source))
	mux.Handle("POST /webhooks", handler)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go engine.Run(runCtx)

	settings := wmssync.Settings{Shop: "MyShopDK", AdminURL: "https://" + shop.Domain() + "/admin",
		Locations:         map[string]string{shopify.GID("Location", seeded.Locations[0]): memwms.DefaultWarehouse},
		SalesHistorySince: wms.DateOf(time.Now())} // today: skip the sales history
	report, err := engine.TestConnection(ctx, settings)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("connection test passed:", report.OK())
	if _, err := engine.SaveSettings(ctx, settings); err != nil {
		log.Fatal(err)
	}
	if err := engine.RunSetup(ctx, "MyShopDK", nil); err != nil {
		log.Fatal(err)
	}
	items, _ := warehouse.CountItems(ctx)
	fmt.Println("items in the warehouse:", items == len(seeded.VariantIDs))

	order, _ := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: seeded.VariantIDs[0], Quantity: 1}}})
	key := wms.OrderKey{Shop: "MyShopDK", ExternalID: shopify.GID("Order", order.ID)}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if o, err := warehouse.Order(ctx, key); err == nil {
			fmt.Println("order arrived by webhook with", len(o.Lines), "line")
			return
		}
	}
	fmt.Println("the order did not arrive")
	// Output:
	// connection test passed: true
	// items in the warehouse: true
	// order arrived by webhook with 1 line
}
