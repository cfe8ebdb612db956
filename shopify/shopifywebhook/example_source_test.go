package shopifywebhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// A webhook.Handler with Shopify's source stores a correctly signed
// delivery before it answers 200, refuses a wrongly signed one with 401,
// and stores a redelivery (same webhook id) once.
func ExampleNewSource() {
	src, err := shopifywebhook.NewSource("the app's client secret")
	if err != nil {
		log.Fatal(err)
	}
	inbox := webhook.NewMemoryInbox() // the engine's store in production
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()

	post := func(secret string) int {
		req, err := shopifywebhook.NewSignedRequest(context.Background(), srv.URL, shopifywebhook.TestDelivery{
			Topic: shopifywebhook.TopicOrdersDelete, Body: []byte(`{"id":820982911946154508}`),
			ShopDomain: "myshop.myshopify.com", WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
		}, secret)
		if err != nil {
			log.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println("wrong secret:", post("another secret"), "stored:", inbox.Stats().Pending)
	fmt.Println("signed:", post("the app's client secret"), "stored:", inbox.Stats().Pending)
	fmt.Println("redelivered:", post("the app's client secret"), "stored:", inbox.Stats().Pending)
	// Output:
	// wrong secret: 401 stored: 0
	// signed: 200 stored: 1
	// redelivered: 200 stored: 1
}
