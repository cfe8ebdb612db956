package oauth_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// A merchant installs the vendor's app on their shop; the shop's client
// then runs on the stored, self-renewing credentials. The simulated
// Shopify stands in for the merchant's browser and the approval screen.
func Example() {
	srv := shopifytest.NewServer(shopifytest.WithOAuthApp("vendor-app", "shpss_vendor_secret"),
		shopifytest.WithShop("merchant", shopifytest.WithoutApp()))
	defer srv.Close()
	ctx := context.Background()

	app, err := oauth.New(oauth.Config{
		ClientID: "vendor-app", ClientSecret: "shpss_vendor_secret",
		RedirectURL: "https://wms.example.com/shopify/callback",
		HTTPClient:  srv.HTTPClient(), ShopURL: srv.ShopURLByDomain, // only for the simulator
	})
	if err != nil {
		panic(err)
	}
	// 1. The install link for the shop the merchant entered.
	link, err := app.AuthorizeURL(ctx, "merchant.myshopify.com", []string{"read_products", "write_inventory"})
	if err != nil {
		panic(err)
	}
	// 2. The merchant approves; Shopify sends the browser to the callback.
	back, err := srv.Authorize(link)
	if err != nil {
		panic(err)
	}
	grant, err := app.Callback(ctx, back.Query())
	if err != nil {
		panic(err)
	}
	store := credential.NewMemoryStore() // the host's (encrypted) storage
	if _, err := credential.Replace(ctx, store, grant.Credentials("MerchantDK")); err != nil {
		panic(err)
	}
	fmt.Println("installed on", grant.Shop, "with", strings.Join(grant.Granted, ", "))
	fmt.Println("expiring token:", !grant.Token.Expiry.IsZero(), "refresh token:", grant.Token.RefreshToken != "")

	// 3. The shop's client reads and renews the credentials itself.
	client, err := shopify.NewClient(grant.Shop, shopify.WithTokenSource(app.TokenSource(store, "MerchantDK", grant.Shop)),
		shopify.WithBaseURL(srv.ShopURL("merchant")), shopify.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		panic(err)
	}
	shop, err := client.ShopDetails().Get(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("shop:", shop.MyshopifyDomain)
	// Output:
	// installed on merchant.myshopify.com with read_products, write_inventory
	// expiring token: true refresh token: true
	// shop: merchant.myshopify.com
}
