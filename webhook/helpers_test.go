package webhook_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

const testSecret = "shpss_test_secret_0123456789abcdef"

// sampleBody returns the payload of one of Shopify's published samples,
// copied into package shopify's testdata.
func sampleBody(t testing.TB, version, topic string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "shopify", "testdata", "webhooks", version, topic+".meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Response json.RawMessage `json:"response"`
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Response
}

func nopCloser(r io.Reader) io.ReadCloser { return io.NopCloser(r) }

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// withShopify is webhook.WithSource of Shopify's source for secrets: the
// handler's tests drive it with Shopify's deliveries (package
// shopify/shopifywebhook tests that source itself).
func withShopify(t testing.TB, secrets ...string) webhook.Option {
	t.Helper()
	src, err := shopifywebhook.NewSource(secrets...)
	if err != nil {
		t.Fatal(err)
	}
	return webhook.WithSource(src)
}
