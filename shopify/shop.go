package shopify

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrInvalidShop is wrapped by the errors of NormalizeShop and NewClient when
// the shop argument is not a Shopify shop.
var ErrInvalidShop = errors.New("shopify: invalid shop")

// shopDomainSuffix ends every shop's permanent domain.
const shopDomainSuffix = ".myshopify.com"

// maxShopHandle is the longest shop handle accepted (a DNS label).
const maxShopHandle = 63

// NormalizeShop returns the permanent domain "name.myshopify.com" of a shop
// given as
//
//	name
//	name.myshopify.com
//	https://name.myshopify.com
//	https://name.myshopify.com/admin (or any path below /admin)
//
// Letters are lower-cased and surrounding spaces are trimmed. Everything else
// is rejected with an error wrapping ErrInvalidShop: custom storefront
// domains, other hosts, admin.shopify.com URLs, http://, user info, ports,
// queries, fragments and paths that are not /admin or below it. This is the
// guard that keeps an access token from ever being sent to a host the caller
// did not name; use WithBaseURL to talk to anything else on purpose.
func NormalizeShop(shop string) (string, error) {
	s := strings.TrimSpace(shop)
	if s == "" {
		return "", invalidShop(shop, "it is empty")
	}
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return "", invalidShop(shop, "it contains spaces, control or non-ASCII characters")
		}
	}
	s = strings.ToLower(s)
	if strings.Contains(s, "://") {
		return normalizeShopURL(shop, s)
	}
	if strings.ContainsAny(s, "/?#@:\\%") {
		return "", invalidShop(shop, "only a bare name or domain may be given without https://")
	}
	handle, ok := strings.CutSuffix(s, shopDomainSuffix)
	if !ok {
		if strings.Contains(s, ".") {
			return "", invalidShop(shop, "it is not a "+shopDomainSuffix[1:]+" domain (custom shop domains cannot be used)")
		}
		handle = s
	}
	if why := checkHandle(handle); why != "" {
		return "", invalidShop(shop, why)
	}
	return handle + shopDomainSuffix, nil
}

func normalizeShopURL(orig, s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", invalidShop(orig, "it is not a valid URL")
	}
	switch {
	case u.Scheme != "https":
		return "", invalidShop(orig, "only https:// URLs are accepted")
	case u.User != nil || strings.Contains(u.Host, "@"):
		return "", invalidShop(orig, "URLs with user info are not accepted")
	case u.Opaque != "":
		return "", invalidShop(orig, "it is not a valid URL")
	case u.Port() != "" || strings.Contains(u.Host, ":"):
		return "", invalidShop(orig, "URLs with a port are not accepted")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(s, "?#"):
		return "", invalidShop(orig, "URLs with a query or fragment are not accepted")
	case u.RawPath != "" || strings.Contains(s, "%") || strings.Contains(s, "\\"):
		return "", invalidShop(orig, "URLs with escaped characters are not accepted")
	}
	handle, ok := strings.CutSuffix(u.Host, shopDomainSuffix)
	if !ok {
		if u.Host == "admin.shopify.com" {
			return "", invalidShop(orig, "the host is admin.shopify.com, not the shop's "+shopDomainSuffix[1:]+" domain")
		}
		return "", invalidShop(orig, "the host is not a "+shopDomainSuffix[1:]+" domain")
	}
	if p := u.Path; p != "" && p != "/" {
		if p != "/admin" && !strings.HasPrefix(p, "/admin/") {
			return "", invalidShop(orig, "the only path accepted is /admin or below it")
		}
		for _, seg := range strings.Split(p, "/") {
			if seg == "." || seg == ".." {
				return "", invalidShop(orig, "the path must not contain . or .. segments")
			}
		}
	}
	if why := checkHandle(handle); why != "" {
		return "", invalidShop(orig, why)
	}
	return handle + shopDomainSuffix, nil
}

// checkHandle validates a shop handle: a DNS label of lower-case letters,
// digits and inner hyphens.
func checkHandle(h string) string {
	if h == "" {
		return "the shop name is empty"
	}
	if len(h) > maxShopHandle {
		return "the shop name is longer than 63 characters"
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(h)-1:
		default:
			return "the shop name may only hold letters, digits and inner hyphens"
		}
	}
	return ""
}

// invalidShop builds the error for a rejected shop argument. The input is
// quoted (truncated) unless it may carry credentials in URL user info.
func invalidShop(input, why string) error {
	shown := input
	if strings.Contains(shown, "@") {
		shown = "(input with user info, not shown)"
	} else {
		if len(shown) > 80 {
			shown = shown[:80] + "..."
		}
		shown = fmt.Sprintf("%q", shown)
	}
	return fmt.Errorf("%w %s: %s; expected \"name\", \"name.myshopify.com\", \"https://name.myshopify.com\" or \"https://name.myshopify.com/admin\"", ErrInvalidShop, shown, why)
}
