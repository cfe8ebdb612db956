package woowebhook_test

import (
	"bytes"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

// A webhook.Handler with WooCommerce's source answers the ping WooCommerce
// sends when a webhook is created (200, nothing stored), refuses a wrongly
// signed delivery (401) and stores a correctly signed one.
func ExampleNewSource() {
	src, err := woowebhook.NewSource("the secret the webhooks were created with")
	if err != nil {
		log.Fatal(err)
	}
	inbox := webhook.NewMemoryInbox() // the engine's store in production
	h, err := webhook.NewHandler(inbox, webhook.WithSource(src))
	if err != nil {
		log.Fatal(err)
	}
	serve := func(r *http.Request) int {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}

	ping := httptest.NewRequest(http.MethodPost, "/hooks/woocommerce", strings.NewReader("webhook_id=7"))
	ping.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	fmt.Println("ping:", serve(ping), "stored:", inbox.Stats().Pending)

	delivery := func(secret string) *http.Request {
		body := []byte(`{"id":1042,"status":"processing","date_modified_gmt":"2026-12-07T10:00:00"}`)
		r := httptest.NewRequest(http.MethodPost, "/hooks/woocommerce", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set(woocommerce.HeaderWebhookSource, "https://shop.example/")
		r.Header.Set(woocommerce.HeaderWebhookTopic, "order.created")
		r.Header.Set(woocommerce.HeaderWebhookResource, "order")
		r.Header.Set(woocommerce.HeaderWebhookEvent, "created")
		r.Header.Set(woocommerce.HeaderWebhookID, "7")
		r.Header.Set(woocommerce.HeaderWebhookDeliveryID, "5f2c0e")
		r.Header.Set(woocommerce.HeaderWebhookSignature, woocommerce.Sign(body, secret))
		return r
	}
	fmt.Println("wrong secret:", serve(delivery("another secret")), "stored:", inbox.Stats().Pending)
	fmt.Println("signed:", serve(delivery("the secret the webhooks were created with")), "stored:", inbox.Stats().Pending)
	// Output:
	// ping: 200 stored: 0
	// wrong secret: 401 stored: 0
	// signed: 200 stored: 1
}
