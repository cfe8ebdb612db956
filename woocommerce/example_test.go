package woocommerce_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

func ExampleNewClient() {
	srv := wootest.NewServer()
	defer srv.Close()
	srv.DefaultStore().Seed(wootest.SeedOptions{Simple: 3})
	ck, cs := srv.DefaultStore().Key()

	// Against a real store: NewClient("https://shop.example", WithKeys(ck, cs)).
	c, err := woocommerce.NewClient(srv.StoreURL("shop"),
		woocommerce.WithKeys(ck, cs),
		woocommerce.WithHTTPClient(srv.HTTPClient())) // trusts the simulator's certificate
	if err != nil {
		panic(err)
	}
	for p, err := range c.Products().All(context.Background(), &woocommerce.ProductListOptions{
		Filter: woocommerce.Filter{OrderBy: "id", Order: "asc"},
	}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.SKU, p.RegularPrice, *p.StockQuantity)
	}
	// Output:
	// W-S00001 6.37 20
	// W-S00002 7.74 20
	// W-S00003 8.11 20
}

func ExampleProductsService_Batch() {
	srv := wootest.NewServer()
	defer srv.Close()
	store := srv.DefaultStore()
	a, _, _ := store.CreateProduct(wootest.ProductSpec{SKU: "A", Stock: 1})
	c, _ := srv.Client("shop")

	res, _, err := c.Products().Batch(context.Background(), &woocommerce.Batch[woocommerce.ProductRequest]{
		Update: []woocommerce.ProductRequest{
			{ID: a, StockQuantity: woocommerce.Ptr(woocommerce.Int(12))},
			{ID: 1, StockQuantity: woocommerce.Ptr(woocommerce.Int(3))}, // no such product
		},
	})
	if err != nil {
		panic(err) // the call itself failed
	}
	fmt.Println(*res.Update[0].Value.StockQuantity)
	var item *woocommerce.BatchItemError
	if errors.As(res.Err(), &item) {
		fmt.Println(item.Index, item.Err.Code)
	}
	// Output:
	// 12
	// 1 woocommerce_rest_product_invalid_id
}

func ExampleValidSignature() {
	body := []byte(`{"id":727}`)
	sig := woocommerce.Sign(body, "webhook secret") // what WooCommerce sends in X-WC-Webhook-Signature
	fmt.Println(woocommerce.ValidSignature(body, sig, "webhook secret"))
	fmt.Println(woocommerce.ValidSignature(body, sig, "another secret"))
	// Output:
	// true
	// false
}
