package connector_test

import (
	"context"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/connector"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

func ExampleNew() {
	srv := wootest.NewServer(wootest.WithStore("shop", wootest.WithSiteName("Demo Woo"), wootest.WithCurrency("DKK")))
	defer srv.Close()
	ck, cs := srv.Store("shop").Key()

	// Against a real store: the site's https address and a read/write key
	// of an administrator (WooCommerce > Settings > Advanced > REST API).
	client, err := woocommerce.NewClient(srv.StoreURL("shop"), woocommerce.WithKeys(ck, cs),
		woocommerce.WithHTTPClient(srv.HTTPClient()))
	if err != nil {
		panic(err)
	}
	conn, err := connector.New(connector.Config{Client: client,
		WebhookAddress: "https://wms.example/webhooks", WebhookSecret: "a long random secret"})
	if err != nil {
		panic(err)
	}
	info, err := conn.Inspect(context.Background(), wmssync.Features{Products: true, Orders: true, POS: true})
	if err != nil {
		panic(err)
	}
	fmt.Println(info.Name, info.Currency, info.GrantedScopes)
	for _, r := range info.RequiredScopes {
		if r.NotSupported {
			fmt.Println("not supported:", r.Feature)
		}
	}
	// Output:
	// Demo Woo DKK [read write manage_woocommerce]
	// not supported: point-of-sale sales
}
