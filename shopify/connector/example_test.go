package connector_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// A WMS host wires the connector into the engine: Connect builds a client
// with the credentials the host keeps, a webhook.Handler over the engine's
// inbox receives the shop's deliveries, and the setup steps import the
// catalogue and register the webhooks. (A simulated shop stands in for
// Shopify here.)
func Example() {
	srv := shopifytest.NewServer()
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.Seed(shopifytest.SeedOptions{Seed: 1, Products: 3, VariantsPerProduct: 2}); err != nil {
		panic(err)
	}

	warehouse, _ := memwms.New(nil)
	store := memstore.New()
	var hook *httptest.Server
	eng, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, Store: store,
		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			cl, err := shopify.NewClient(s.Domain(),
				shopify.WithAccessToken(shop.AccessToken()),   // the host's secret store in real life
				shopify.WithBaseURL(srv.ShopURL(shop.Name())), // only for the simulator
				shopify.WithHTTPClient(srv.HTTPClient()),
				shopify.WithLogger(slog.New(slog.DiscardHandler)))
			if err != nil {
				return nil, err
			}
			return connector.New(connector.Config{Client: cl, WebhookAddress: hook.URL + "/webhooks/shopify"})
		},
	})
	if err != nil {
		panic(err)
	}
	src, err := shopifywebhook.NewSource(srv.WebhookSecret())
	if err != nil {
		panic(err)
	}
	h, err := webhook.NewHandler(eng.Inbox(), webhook.WithSource(src))
	if err != nil {
		panic(err)
	}
	hook = httptest.NewServer(h)
	defer hook.Close()

	ctx := context.Background()
	s, err := eng.SaveSettings(ctx, wmssync.Settings{Shop: "MyShopDE", AdminURL: shop.Domain()})
	if err != nil {
		panic(err)
	}
	fmt.Println("admin URL:", s.AdminURL)
	if err := eng.RunStep(ctx, s.Shop, wmssync.StepProducts, nil); err != nil {
		panic(err)
	}
	fmt.Println("items in the WMS:", len(warehouse.Items()))
	var topics []string
	for _, w := range shop.WebhookSubscriptions() {
		topics = append(topics, w.Topic)
	}
	fmt.Println("webhooks:", strings.Join(topics, " "))
	// Output:
	// admin URL: https://test-shop.myshopify.com
	// items in the WMS: 6
	// webhooks: APP_UNINSTALLED APP_SCOPES_UPDATE PRODUCTS_CREATE PRODUCTS_UPDATE PRODUCTS_DELETE
}

// Reading a shop's products page by page with the connector alone, as the
// engine does (it persists each page's Next cursor as its checkpoint).
func ExampleConnector_Products() {
	srv := shopifytest.NewServer()
	defer srv.Close()
	shop := srv.DefaultShop()
	if _, err := shop.Seed(shopifytest.SeedOptions{Seed: 2, Products: 30, VariantsPerProduct: 1}); err != nil {
		panic(err)
	}
	cl, err := shopify.NewClient(shop.Domain(), shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithBaseURL(srv.ShopURL(shop.Name())), shopify.WithHTTPClient(srv.HTTPClient()),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		panic(err)
	}
	c, err := connector.New(connector.Config{Client: cl})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	ctx := context.Background()
	cursor, n, pages := "", 0, 0
	for {
		page, err := c.Products(ctx, wmssync.ProductQuery{Stock: true}, cursor)
		if err != nil {
			panic(err)
		}
		n, pages = n+len(page.Items), pages+1
		if page.Next == "" {
			fmt.Printf("%d of %d products in %d pages\n", n, page.Total, pages)
			return
		}
		cursor = page.Next
	}
	// Output:
	// 30 of 30 products in 2 pages
}
