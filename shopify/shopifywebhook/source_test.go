package shopifywebhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestSource(t *testing.T) {
	src, err := shopifywebhook.NewSource("", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"id":1}`)
	for _, unprefixed := range []bool{false, true} {
		r, err := shopifywebhook.NewSignedRequest(context.Background(), "http://wms.example/", shopifywebhook.TestDelivery{
			Topic: shopifywebhook.TopicOrdersDelete, Body: body, WebhookID: "w-1", Unprefixed: unprefixed}, testSecret)
		if err != nil {
			t.Fatal(err)
		}
		if k := src.Classify(r, body); k != webhook.Delivery {
			t.Fatalf("unprefixed=%v: classified as %v", unprefixed, k)
		}
		if err := src.Verify(context.Background(), r, body); err != nil {
			t.Fatalf("unprefixed=%v: %v", unprefixed, err)
		}
		e, err := src.Event(r, body)
		if err != nil || e.Source != "shopify" || e.WebhookID != "w-1" || e.Shop != "example.myshopify.com" {
			t.Fatalf("unprefixed=%v: %+v %v", unprefixed, e, err)
		}
		if err := src.Verify(context.Background(), r, []byte(`{"id":2}`)); !errors.Is(err, webhook.ErrInvalidSignature) {
			t.Fatalf("tampered body: %v", err)
		}
	}
	bare, _ := http.NewRequest(http.MethodPost, "http://wms.example/", strings.NewReader("webhook_id=1"))
	if k := src.Classify(bare, []byte("webhook_id=1")); k != webhook.NotMine {
		t.Fatalf("a request without Shopify headers classified as %v", k)
	}
	if err := src.Verify(context.Background(), bare, nil); !errors.Is(err, webhook.ErrNotSigned) {
		t.Fatalf("unsigned: %v", err)
	}
	if printed := fmt.Sprintf("%v %+v %#v %s", src, src, src, src); strings.Contains(printed, testSecret) {
		t.Fatalf("printing the source reveals the secret: %s", printed)
	}
	if _, err := shopifywebhook.NewSource(); !errors.Is(err, webhook.ErrNoSecret) {
		t.Fatalf("no secret: %v", err)
	}
}
