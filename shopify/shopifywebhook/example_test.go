package shopifywebhook_test

import (
	"fmt"
	"log"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
)

// ConstructEvent verifies a delivery you read yourself, stripe-go style.
func ExampleConstructEvent() {
	body := []byte(`{"id":820982911946154508}`)
	header := shopifywebhook.SignedHeader(shopifywebhook.TestDelivery{Topic: shopifywebhook.TopicOrdersDelete, Body: body, WebhookID: "wh-1"}, "secret")

	e, err := shopifywebhook.ConstructEvent(body, header, "secret")
	if err != nil {
		log.Fatal(err) // errors.Is(err, webhook.ErrInvalidSignature) etc.
	}
	var p shopify.OrderDeletePayload
	if err := e.Decode(&p); err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Topic, e.WebhookID, p.ID)

	_, err = shopifywebhook.ConstructEvent(body, header, "another-secret")
	fmt.Println(err)
	// Output:
	// orders/delete wh-1 820982911946154508
	// webhook: invalid signature: no secret matches
}
