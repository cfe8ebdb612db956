package shopifywebhook_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// fuzzTopicRe is the shape of a Shopify topic, as ParseEvent documents it.
var fuzzTopicRe = regexp.MustCompile(`^[a-z0-9_]+(/[a-z0-9_]+)+$`)

// FuzzVerifyDecode checks verification and payload decoding on arbitrary
// bodies, topics and signature headers. `go test` runs the seed corpus (all
// sample payloads plus edge cases); `go test -fuzz FuzzVerifyDecode` explores.
func FuzzVerifyDecode(f *testing.F) {
	for name, body := range allSamples(f) {
		if strings.HasPrefix(name, "2026-07/") {
			f.Add(body, strings.TrimPrefix(name, "2026-07/"), "")
		}
	}
	f.Add([]byte(`{"id":9007199254740993}`), "orders/delete", "")
	f.Add([]byte(`{"id":1e400}`), "orders/delete", "")
	f.Add([]byte(`{"total_price":"1e5","line_items":[{"price":{}}]}`), "orders/create", "")
	f.Add([]byte(`null`), "products/update", "")
	f.Add([]byte{}, "orders/create", "AAAA")
	f.Add([]byte("not json"), "refunds/create", webhook.ComputeSignature([]byte("not json"), testSecret))
	f.Add([]byte(`{"id":1}`), "  ", "Oh8eaqGZ8ncFMatRdFxtlo0rFVYm6wWeQlDoB9UmGR4=")
	f.Add([]byte(`{"id":1}`), "carts/create", strings.Repeat("=", 44))

	f.Fuzz(func(t *testing.T, body []byte, topic, sig string) {
		mac := hmac.New(sha256.New, []byte(testSecret))
		mac.Write(body)
		want := mac.Sum(nil)

		// 1. A correctly signed delivery always verifies; parsing fails only
		//    with the documented sentinels; decoding never panics.
		h := http.Header{}
		h.Set(shopifywebhook.HeaderTopic, topic)
		h.Set(shopifywebhook.HeaderWebhookID, "fuzz")
		h.Set(shopifywebhook.HeaderShopDomain, "fuzz-shop.myshopify.com")
		h.Set(shopifywebhook.HeaderAPIVersion, "2026-07")
		h.Set(shopifywebhook.HeaderHmac, webhook.ComputeSignature(body, testSecret))
		e, err := shopifywebhook.ConstructEvent(body, h, "other", testSecret)
		trimmed := strings.TrimSpace(topic)
		shaped := len(trimmed) <= 128 && fuzzTopicRe.MatchString(trimmed)
		switch {
		case err == nil:
			if !bytes.Equal(e.Body, body) || e.Topic != webhook.Topic(trimmed) || !shaped {
				t.Fatalf("event does not match the delivery: %+v", e)
			}
			p, perr := shopifywebhook.Payload(e)
			var de *webhook.DecodeError
			if perr != nil && !errors.Is(perr, webhook.ErrNoRoute) && !errors.As(perr, &de) {
				t.Fatalf("Payload error of unexpected kind: %v", perr)
			}
			if perr == nil && p == nil {
				t.Fatal("nil payload without error")
			}
		case errors.Is(err, webhook.ErrEmptyBody):
			if len(body) != 0 {
				t.Fatalf("ErrEmptyBody for a %d-byte body", len(body))
			}
		case errors.Is(err, webhook.ErrMissingHeader):
			if trimmed != "" {
				t.Fatalf("ErrMissingHeader with topic %q: %v", topic, err)
			}
		case errors.Is(err, webhook.ErrInvalidHeader):
			if shaped {
				t.Fatalf("ErrInvalidHeader for the well-shaped topic %q: %v", topic, err)
			}
		default:
			t.Fatalf("correctly signed delivery rejected: %v", err)
		}

		// 2. An arbitrary signature header verifies only if it encodes the MAC.
		err = webhook.ValidateSignature(body, sig, testSecret)
		if err == nil {
			got, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(sig))
			if derr != nil || !bytes.Equal(got, want) {
				t.Fatalf("signature %q accepted but it is not the MAC", sig)
			}
		} else if !errors.Is(err, webhook.ErrNotSigned) && !errors.Is(err, webhook.ErrInvalidSignature) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if err != nil && strings.Contains(err.Error(), testSecret) {
			t.Fatal("error reveals the secret")
		}

		// 3. Any change to the body breaks the signature.
		if len(body) > 0 {
			tampered := bytes.Clone(body)
			tampered[len(tampered)/2] ^= 0x01
			if err := webhook.ValidateSignature(tampered, webhook.ComputeSignature(body, testSecret), testSecret); !errors.Is(err, webhook.ErrInvalidSignature) {
				t.Fatalf("tampered body: %v", err)
			}
		}
	})
}
