package connector_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// A shop that keeps failing with 5xx is a transient error: neither
// unauthorized nor unreachable, so the engine retries later.
func TestServerErrorsAreTransient(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	cl, err := shopify.NewClient(shop.Domain(), shopify.WithBaseURL(srv.ShopURL(shop.Name())), shopify.WithAccessToken(shop.AccessToken()),
		shopify.WithHTTPClient(srv.HTTPClient()), shopify.WithRetryMax(1), shopify.WithRetryWait(time.Millisecond, time.Millisecond),
		shopify.WithLogger(slog.New(slog.DiscardHandler)))
	require.NoError(t, err)
	c, err := connector.New(connector.Config{Client: cl})
	require.NoError(t, err)
	remove := srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 503, Count: 100})
	defer remove()
	_, err = c.Products(ctxT(t), wmssync.ProductQuery{}, "")
	require.Error(t, err)
	assert.NotErrorIs(t, err, wmssync.ErrUnreachable)
	assert.NotErrorIs(t, err, wmssync.ErrUnauthorized)
	var he *shopify.HTTPError
	assert.ErrorAs(t, err, &he, "the client's error stays inspectable")
}

// A resumed bulk cursor whose operation failed (or that Shopify no longer
// knows) is expired: the engine starts the listing over.
func TestBulkCursorOfFailedOperationIsExpired(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	_, err := shop.Seed(shopifytest.SeedOptions{Seed: 11, Products: 20, VariantsPerProduct: 1})
	require.NoError(t, err)
	cfg := connector.Config{BulkThreshold: 5, BulkPageSize: 5}
	c := newConnector(t, srv, shop, cfg)
	ctx := ctxT(t)
	srv.InjectBulkFault(shopifytest.BulkFault{ErrorCode: "INTERNAL_SERVER_ERROR", AfterObjects: 3})
	_, err = c.Products(ctx, wmssync.ProductQuery{}, "")
	require.Error(t, err)
	assert.ErrorIs(t, err, shopify.ErrBulkOperationFailed)
	ops := shop.BulkOperations()
	require.Len(t, ops, 1)
	cursor := "bulk:" + shopify.GID("BulkOperation", ops[0].ID) + "|-|5|20"
	_, err = newConnector(t, srv, shop, cfg).Products(ctx, wmssync.ProductQuery{}, cursor)
	assert.ErrorIs(t, err, wmssync.ErrCursorExpired)

	// Started over, the listing succeeds.
	got, _ := listAll(t, c, wmssync.ProductQuery{})
	assert.Len(t, got, 20)
}
