package wootest_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	gosync "sync"

	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

// A simulated store with a seeded catalog: an order placed at the
// storefront reduces the stock, as WooCommerce does when an order is
// processing, and a webhook delivers it, after WooCommerce's ping, to the
// address it was created with.
func ExampleNewServer() {
	var mu gosync.Mutex
	var got []string
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if topic := r.Header.Get("X-WC-Webhook-Topic"); topic != "" {
			got = append(got, topic)
		} else {
			got = append(got, "ping "+string(body))
		}
	}))
	defer receiver.Close()

	srv := wootest.NewServer()
	defer srv.Close()
	store := srv.DefaultStore()
	store.Seed(wootest.SeedOptions{Simple: 3, Stock: 10})
	hook, err := store.AddWebhook("order.created", receiver.URL, "webhook secret")
	if err != nil {
		log.Fatal(err)
	}
	id, err := store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "W-S00001", Quantity: 2}}})
	if err != nil {
		log.Fatal(err)
	}
	if err := srv.WaitWebhooks(context.Background()); err != nil {
		log.Fatal(err)
	}
	o, _ := store.Order(id)
	p, _ := store.ProductBySKU("W-S00001")
	fmt.Println("order", o.Status, "stock left", p.Stock)
	mu.Lock()
	defer mu.Unlock()
	fmt.Println(got[0] == fmt.Sprintf("ping webhook_id=%d", hook), got[1:])
	// Output:
	// order processing stock left 8
	// true [order.created]
}
