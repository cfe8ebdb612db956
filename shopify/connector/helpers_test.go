package connector_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// newServer starts a simulator; it is closed when the test ends.
func newServer(t *testing.T, opts ...shopifytest.Option) *shopifytest.Server {
	t.Helper()
	// Simulated time runs 20 times faster: the leaky bucket refills
	// quickly, so tests do not wait on rate limits.
	srv := shopifytest.NewServer(append([]shopifytest.Option{shopifytest.WithTimeScale(20)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client for the named simulated shop.
func newClient(t testing.TB, srv *shopifytest.Server, shop *shopifytest.Shop) *shopify.Client {
	t.Helper()
	c, err := shopify.NewClient(shop.Domain(),
		shopify.WithBaseURL(srv.ShopURL(shop.Name())),
		shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithHTTPClient(srv.HTTPClient()),
		shopify.WithRetryWait(time.Millisecond, 20*time.Millisecond),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	return c
}

// fastBulk polls bulk operations quickly.
var fastBulk = &shopify.WaitOptions{MinInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond}

// newConnector returns a connector for shop with cfg's other fields.
func newConnector(t testing.TB, srv *shopifytest.Server, shop *shopifytest.Shop, cfg connector.Config) *connector.Connector {
	t.Helper()
	cfg.Client = newClient(t, srv, shop)
	if cfg.BulkWait == nil {
		cfg.BulkWait = fastBulk
	}
	c, err := connector.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
