package woocommerce

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The headers of a webhook delivery.
const (
	HeaderWebhookSource     = "X-WC-Webhook-Source"      // the site's home URL, "https://shop.example/"
	HeaderWebhookTopic      = "X-WC-Webhook-Topic"       // "order.updated"
	HeaderWebhookResource   = "X-WC-Webhook-Resource"    // "order"
	HeaderWebhookEvent      = "X-WC-Webhook-Event"       // "updated"
	HeaderWebhookSignature  = "X-WC-Webhook-Signature"   // base64 HMAC-SHA256 of the body
	HeaderWebhookID         = "X-WC-Webhook-ID"          // the webhook's id
	HeaderWebhookDeliveryID = "X-WC-Webhook-Delivery-ID" // not unique: see the package doc
)

// Sign returns the X-WC-Webhook-Signature of body: the base64 HMAC-SHA256
// of the raw body with the webhook's secret (not the consumer secret).
func Sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// ValidSignature reports whether signature (the header's value) is the
// signature of the raw body with secret, comparing in constant time.
// Verify the bytes as received: re-encoding parsed JSON changes them.
func ValidSignature(body []byte, signature, secret string) bool {
	got, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signature))
	if err != nil || secret == "" {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// PingWebhookID reports whether a request is the ping WooCommerce sends
// when a webhook is created or its address changes: a POST without any
// X-WC-Webhook-* header whose form body is webhook_id=N. The ping is not
// signed and must be answered 200, or WooCommerce keeps pinging; it carries
// nothing to store.
func PingWebhookID(h http.Header, body []byte) (id int64, ok bool) {
	for k := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(k), "X-Wc-Webhook-") {
			return 0, false
		}
	}
	v, err := url.ParseQuery(strings.TrimSpace(string(body)))
	if err != nil || len(v) != 1 || len(v["webhook_id"]) != 1 {
		return 0, false
	}
	n, err := strconv.ParseInt(v.Get("webhook_id"), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}
