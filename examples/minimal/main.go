// Command minimal is the smallest useful embedding of wmsbridge: the sync
// engine over a warehouse (here the reference WMS; yours implements
// wms.Backend), a SQLite store and a webhook endpoint, connected to one
// Shopify shop (here a simulated one; see the README for real tokens).
// It imports the catalogue, then an order placed in the shop arrives by
// webhook and is held or released by the warehouse.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func main() {
	ctx := context.Background()
	srv := shopifytest.NewServer(shopifytest.WithWebhookSecret("app-secret")) // stands in for Shopify
	defer srv.Close()
	shop := srv.DefaultShop()
	seeded, _ := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 20})

	warehouse, _ := memwms.New(nil) // your WMS: implement wms.Backend
	dbPath := filepath.Join(os.TempDir(), "wmsbridge-minimal.db")
	_ = os.Remove(dbPath)
	store, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	mux := http.NewServeMux()
	endpoint := httptest.NewUnstartedServer(mux) // production: your HTTPS server, with these timeouts (README)
	endpoint.Config.ReadHeaderTimeout, endpoint.Config.ReadTimeout, endpoint.Config.IdleTimeout = 5*time.Second, 10*time.Second, time.Minute
	endpoint.Start()
	defer endpoint.Close()
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, Store: store, ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			client, err := shopify.NewClient(s.Domain(), shopify.WithAccessToken(shop.AccessToken()),
				shopify.WithBaseURL(srv.ShopURL(shop.Name())), shopify.WithHTTPClient(srv.HTTPClient())) // drop both for a real shop
			if err != nil {
				return nil, err
			}
			return connector.New(connector.Config{Client: client, WebhookAddress: endpoint.URL + "/webhooks/shopify"})
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	source, _ := shopifywebhook.NewSource("app-secret") // the app's client secret
	handler, _ := webhook.NewHandler(engine.Inbox(), webhook.WithSource(source))
	mux.Handle("POST /webhooks/shopify", handler)
	go engine.Run(ctx) // applies webhooks, reconciles, sends outbound messages

	settings := wmssync.Settings{Shop: "MyShopDK", AdminURL: shop.Domain(),
		Locations:         map[string]string{shopify.GID("Location", seeded.Locations[0]): memwms.DefaultWarehouse},
		SalesHistorySince: wms.DateOf(time.Now().AddDate(0, 0, -30))} // further back needs read_all_orders
	if report, err := engine.TestConnection(ctx, settings); err != nil || !report.OK() {
		log.Fatalf("connection test: %v %v", err, report)
	}
	if _, err := engine.SaveSettings(ctx, settings); err != nil {
		log.Fatal(err)
	}
	if err := engine.RunSetup(ctx, "MyShopDK", func(p wmssync.Progress) { fmt.Println(p) }); err != nil {
		log.Fatal(err)
	}

	order, _ := shop.CreateOrder(shopifytest.OrderSpec{Lines: []shopifytest.OrderLineSpec{{VariantID: seeded.VariantIDs[0], Quantity: 1}}})
	for range 50 {
		if o, err := warehouse.Order(ctx, wms.OrderKey{Shop: "MyShopDK", ExternalID: shopify.GID("Order", order.ID)}); err == nil {
			fmt.Printf("order %s reached the warehouse by webhook: %s %s\n", o.Name, o.Stage, o.HoldReason)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	log.Fatal("the order did not arrive")
}
