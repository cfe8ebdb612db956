package shopify

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeShop(t *testing.T) {
	t.Parallel()
	valid := []struct {
		name, in string
	}{
		{"bare name", "my-shop"},
		{"upper case", "My-Shop"},
		{"surrounding spaces", "  my-shop\t"},
		{"domain", "my-shop.myshopify.com"},
		{"domain upper case", "MY-SHOP.MYSHOPIFY.COM"},
		{"https", "https://my-shop.myshopify.com"},
		{"https slash", "https://my-shop.myshopify.com/"},
		{"https admin", "https://my-shop.myshopify.com/admin"},
		{"https admin slash", "https://my-shop.myshopify.com/admin/"},
		{"https admin deep", "https://my-shop.myshopify.com/admin/products/123"},
		{"https upper scheme", "HTTPS://my-shop.myshopify.com"},
	}
	for _, tt := range valid {
		t.Run("valid/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeShop(tt.in)
			if err != nil || got != "my-shop.myshopify.com" {
				t.Fatalf("NormalizeShop(%q) = %q, %v; want my-shop.myshopify.com", tt.in, got, err)
			}
		})
	}
	hostile := []struct {
		name, in, why string
	}{
		{"empty", "", "empty"},
		{"spaces only", "   ", "empty"},
		{"http", "http://my-shop.myshopify.com", "https"},
		{"other scheme", "ftp://my-shop.myshopify.com", "https"},
		{"javascript", "javascript://my-shop.myshopify.com", "https"},
		{"storefront domain", "shop.example.com", "custom"},
		{"other host https", "https://evil.com", "host"},
		{"suffix attack", "https://my-shop.myshopify.com.evil.com", "host"},
		{"suffix attack bare", "my-shop.myshopify.com.evil.com", "custom"},
		{"prefix attack", "https://evilmyshopify.com", "host"},
		{"sub-subdomain", "https://a.b.myshopify.com", "letters"},
		{"admin.shopify.com", "https://admin.shopify.com/store/my-shop", "host"},
		{"user info", "https://user:secret-password@my-shop.myshopify.com", "user info"},
		{"user info to other host", "https://my-shop.myshopify.com@evil.com", "user info"},
		{"at in bare", "evil.com@my-shop.myshopify.com", "bare"},
		{"port", "https://my-shop.myshopify.com:8443", "port"},
		{"empty port", "https://my-shop.myshopify.com:", "port"},
		{"port bare", "my-shop.myshopify.com:443", "bare"},
		{"path outside admin", "https://my-shop.myshopify.com/products", "path"},
		{"admin prefix trick", "https://my-shop.myshopify.com/administrator", "path"},
		{"dot dot", "https://my-shop.myshopify.com/admin/../oauth", "."},
		{"encoded dot dot", "https://my-shop.myshopify.com/admin/%2e%2e/x", "escaped"},
		{"encoded host", "https://my-shop%2emyshopify.com", "valid URL"},
		{"query", "https://my-shop.myshopify.com/admin?x=1", "query"},
		{"empty query", "https://my-shop.myshopify.com/admin?", "query"},
		{"fragment", "https://my-shop.myshopify.com/#frag", "query or fragment"},
		{"path without scheme", "my-shop.myshopify.com/admin", "bare"},
		{"scheme relative", "//my-shop.myshopify.com", "bare"},
		{"backslash", `https://my-shop.myshopify.com\@evil.com`, "user info"},
		{"newline", "my-shop\nHost: evil", "control"},
		{"nul", "my-shop\x00", "control"},
		{"unicode lookalike", "my-shоp", "non-ASCII"},
		{"punycode-ish underscore", "my_shop", "letters"},
		{"leading hyphen", "-shop", "hyphens"},
		{"trailing hyphen", "shop-", "hyphens"},
		{"trailing dot", "my-shop.myshopify.com.", "custom"},
		{"only suffix", ".myshopify.com", "empty"},
		{"too long", strings.Repeat("a", 64), "longer"},
		{"ipv4", "https://127.0.0.1", "host"},
		{"ipv6", "https://[::1]/admin", "port"},
	}
	for _, tt := range hostile {
		t.Run("hostile/"+tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeShop(tt.in)
			if err == nil {
				t.Fatalf("NormalizeShop(%q) = %q, want an error", tt.in, got)
			}
			if !errors.Is(err, ErrInvalidShop) {
				t.Fatalf("error %v does not wrap ErrInvalidShop", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.why) {
				t.Errorf("error %q does not explain %q", msg, tt.why)
			}
			if !strings.Contains(msg, `"name.myshopify.com"`) {
				t.Errorf("error %q does not say what is expected", msg)
			}
			if strings.Contains(msg, "secret-password") {
				t.Errorf("error %q shows the URL's password", msg)
			}
			if strings.ContainsAny(msg, "\n\x00") {
				t.Errorf("error %q carries raw control characters", msg)
			}
		})
	}
	if _, err := NewClient("https://evil.com", WithAccessToken("x")); !errors.Is(err, ErrInvalidShop) {
		t.Errorf("NewClient accepted another host: %v", err)
	}
}
