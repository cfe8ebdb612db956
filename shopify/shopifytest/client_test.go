package shopifytest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

func TestClientAgainstSimulator(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	c, err := srv.Client(shopifytest.DefaultShopName)
	require.NoError(t, err)
	var out struct {
		Shop struct{ Name, MyshopifyDomain string }
	}
	resp, err := c.Do(context.Background(), &shopify.Request{Query: `query shop { shop { name myshopifyDomain } }`}, &out)
	require.NoError(t, err)
	assert.Equal(t, "test-shop.myshopify.com", out.Shop.MyshopifyDomain)
	require.NotNil(t, resp.Cost)
	assert.EqualValues(t, 1, resp.Cost.RequestedQueryCost)
	assert.NotEmpty(t, resp.RequestID)
	assert.Equal(t, "2026-10", resp.APIVersion)

	_, err = srv.Client("missing")
	assert.Error(t, err)
}

func TestClientAccessDeniedAndUnauthorized(t *testing.T) {
	srv := shopifytest.NewServer(shopifytest.WithShop("s", shopifytest.WithScopes("read_orders")))
	defer srv.Close()
	c, err := srv.Client("s")
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &shopify.Request{Query: `query p { product(id: "gid://shopify/Product/1") { id } }`}, nil)
	assert.ErrorIs(t, err, shopify.ErrAccessDenied)
	srv.Shop("s").RevokeTokens()
	_, err = c.Do(context.Background(), &shopify.Request{Query: `query shop { shop { name } }`}, nil)
	assert.ErrorIs(t, err, shopify.ErrUnauthorized)
}

func TestClientCredentialsAgainstSimulator(t *testing.T) {
	srv := shopifytest.NewServer(shopifytest.WithShop("cc", shopifytest.WithClientCredentials("id", "secret", 0)))
	defer srv.Close()
	c, err := shopify.NewClient("cc", shopify.WithBaseURL(srv.ShopURL("cc")), shopify.WithClientCredentials("id", "secret"), shopify.WithHTTPClient(srv.HTTPClient()))
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &shopify.Request{Query: `query shop { shop { name } }`}, nil)
	require.NoError(t, err)
}

// The client's cost-aware limiter and THROTTLED retries against the
// simulator's leaky bucket: many concurrent queries on a small bucket all
// succeed, the bucket throttles at most a few of them, and the whole run
// takes about as long as the restore rate dictates.
func TestClientThrottlingAgainstSimulatorBucket(t *testing.T) {
	srv := shopifytest.NewServer(shopifytest.WithTimeScale(20), shopifytest.WithShop("s", shopifytest.WithBucket(100, 10)))
	defer srv.Close()
	s := srv.Shop("s")
	_, err := s.Seed(shopifytest.SeedOptions{Products: 30})
	require.NoError(t, err)
	c, err := srv.Client("s", shopify.WithRetryMax(20))
	require.NoError(t, err)
	q := &shopify.Request{Query: `query page { products(first: 20) { nodes { id } } }`} // requested 22, actual 22
	const n = 30
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Do(context.Background(), q, nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	el := time.Since(start)
	cnt := s.Counters()
	assert.EqualValues(t, n*22, cnt.PointsSpent)
	// 660 points from a 100-point bucket restoring 10×20 = 200 points/s
	// needs at least (660-100)/200 = 2.8 s.
	assert.Greater(t, el, 2500*time.Millisecond)
	assert.Less(t, el, 15*time.Second)
	t.Logf("%d requests, %d throttled, %v", cnt.Requests, cnt.Throttled, el)
}

func TestClientRetriesInjectedFaults(t *testing.T) {
	srv := shopifytest.NewServer()
	defer srv.Close()
	srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 503, Count: 2})
	c, err := srv.Client(shopifytest.DefaultShopName, shopify.WithRetryWait(time.Millisecond, 10*time.Millisecond))
	require.NoError(t, err)
	resp, err := c.Do(context.Background(), &shopify.Request{Query: `query shop { shop { name } }`}, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, resp.Attempts)
	srv.InjectFault(shopifytest.Fault{Kind: shopifytest.FaultStatus, Status: 500, Rate: 1})
	_, err = c.Do(context.Background(), &shopify.Request{Query: `query shop { shop { name } }`}, nil)
	var he *shopify.HTTPError
	assert.True(t, errors.As(err, &he), "%v", err)
}
