package shopifytest

import (
	"fmt"

	"github.com/wmsbridge/wmsbridge/shopify"
)

// Client returns a *shopify.Client for the named shop: base URL
// ShopURL(shop), the shop's static access token and the server's HTTP
// client. Further options (a Limiter, retry settings, a logger, ...) are
// applied after these; for the client-credentials grant build the client
// with shopify.NewClient, shopify.WithBaseURL(srv.ShopURL(shop)) and
// shopify.WithClientCredentials instead.
func (srv *Server) Client(shop string, opts ...shopify.Option) (*shopify.Client, error) {
	s := srv.Shop(shop)
	if s == nil {
		return nil, fmt.Errorf("shopifytest: no shop %q on this server", shop)
	}
	base := []shopify.Option{
		shopify.WithBaseURL(srv.ShopURL(shop)),
		shopify.WithAccessToken(s.AccessToken()),
		shopify.WithHTTPClient(srv.HTTPClient()),
	}
	return shopify.NewClient(shop, append(base, opts...)...)
}
