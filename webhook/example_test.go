package webhook_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Mount the Handler on an http.ServeMux, with Shopify's source. The handler
// only verifies and stores; a Dispatcher does the work later (see
// ExampleDispatcher).
func ExampleHandler() {
	inbox := webhook.NewMemoryInbox()                                              // production: a durable Store
	src, err := shopifywebhook.NewSource("new-client-secret", "old-client-secret") // during a rotation
	if err != nil {
		log.Fatal(err)
	}
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks", h)

	// Simulate Shopify delivering orders/create to the server.
	srv := httptest.NewServer(mux)
	defer srv.Close()
	req, _ := shopifywebhook.NewSignedRequest(context.Background(), srv.URL+"/webhooks", shopifywebhook.TestDelivery{
		Topic: shopifywebhook.TopicOrdersCreate,
		Body:  []byte(`{"id":9007199254740993,"name":"#1001","total_price":"19.99"}`),
	}, "old-client-secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, inbox.Stats().Pending)
	// Output: 200 1
}

// Route topics to typed handlers and drain the inbox with a Dispatcher. A
// handler error leaves the event in the inbox for a retry.
func ExampleDispatcher() {
	inbox := webhook.NewMemoryInbox()
	router := webhook.NewRouter()
	webhook.On(router, shopifywebhook.TopicOrdersCreate,
		func(ctx context.Context, e *webhook.Event, o *shopify.OrderPayload) error {
			fmt.Printf("%s: order %s (%d) total %s\n", e.Shop, o.Name, o.ID, o.TotalPrice)
			return nil
		})

	// Normally Handler puts events into the inbox.
	inbox.Put(context.Background(), &webhook.Event{
		Topic: shopifywebhook.TopicOrdersCreate, WebhookID: "wh-1", Shop: "acme.myshopify.com",
		Body: []byte(`{"id":9007199254740993,"name":"#1001","total_price":"19.99"}`),
	})

	d := &webhook.Dispatcher{Queue: inbox, Router: router}
	// In a service: go d.Run(ctx). Here: one round.
	if _, err := d.RunOnce(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println(inbox.Stats().Completed)
	// Output:
	// acme.myshopify.com: order #1001 (9007199254740993) total 19.99
	// 1
}

// Drop deliveries older than the state already applied: retries carry the
// original payload and may arrive hours late.
func ExampleVersion_Supersedes() {
	applied := webhook.Version{UpdatedAt: time.Date(2026, 7, 1, 12, 0, 5, 0, time.UTC)}

	late := &webhook.Event{TriggeredAt: time.Date(2026, 7, 1, 12, 0, 1, 0, time.UTC)}
	lateUpdatedAt := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	fmt.Println(webhook.VersionOf(late, lateUpdatedAt).Supersedes(applied))

	fresh := &webhook.Event{TriggeredAt: time.Date(2026, 7, 1, 12, 0, 9, 0, time.UTC)}
	fmt.Println(webhook.VersionOf(fresh, time.Date(2026, 7, 1, 12, 0, 8, 0, time.UTC)).Supersedes(applied))
	// Output:
	// false
	// true
}
