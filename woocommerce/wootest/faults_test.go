package wootest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/wmsbridge/wmsbridge/woocommerce"
)

func TestClientSurvivesHostFaults(t *testing.T) {
	t.Parallel()
	for _, f := range []Fault{
		{Kind: FaultStatus, Status: 503, Count: 2},
		{Kind: FaultStatus, Status: 429, Count: 1},
		{Kind: FaultStatus, Status: 429, NoRetryAfter: true, Count: 1},
		{Kind: FaultChallenge, Count: 2},
		{Kind: FaultGarbage, Count: 1},
		{Kind: FaultEmpty, Count: 1},
		{Kind: FaultReset, Count: 1},
		{Kind: FaultSlow, Delay: 20 * time.Millisecond, Count: 1},
	} {
		srv := newTestServer(t)
		srv.DefaultStore().Seed(SeedOptions{Simple: 5})
		c := client(t, srv, "shop")
		srv.InjectFault(f)
		ps, _, err := c.Products().List(context.Background(), nil)
		require.NoError(t, err, "fault %+v", f)
		assert.Len(t, ps, 5)
		assert.Equal(t, int64(f.Count), srv.DefaultStore().Counters().Faults)
	}
}

func TestNotImplementedOnWritesIsAnError(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	id, _, err := store.CreateProduct(ProductSpec{SKU: "X", Stock: 1})
	require.NoError(t, err)
	c := client(t, srv, "shop")
	srv.InjectFault(Fault{Kind: FaultNotImplemented, Rate: 1})
	_, _, err = c.Products().Get(context.Background(), id)
	require.NoError(t, err, "reads pass the firewall")
	_, _, err = c.Products().Update(context.Background(), id, &woocommerce.ProductRequest{StockQuantity: woocommerce.Ptr(woocommerce.Int(2))})
	var he *woocommerce.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 501, he.StatusCode)
}

func TestGarbageAfterACreateIsNotRetried(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t)
	store := srv.DefaultStore()
	_, _, err := store.CreateProduct(ProductSpec{SKU: "G", Price: "5.00", Stock: 5})
	require.NoError(t, err)
	oid, err := store.CreateOrder(OrderSpec{Lines: []OrderLineSpec{{SKU: "G", Quantity: 1}}})
	require.NoError(t, err)
	c := client(t, srv, "shop")
	srv.InjectFault(Fault{Kind: FaultGarbage, Count: 1})
	_, _, err = c.OrderNotes().Create(context.Background(), oid, &woocommerce.OrderNoteRequest{Note: "once"})
	assert.ErrorIs(t, err, woocommerce.ErrNotJSON)
	o, _ := store.Order(oid)
	n := 0
	for _, note := range o.Notes {
		if note.Text == "once" {
			n++
		}
	}
	assert.Equal(t, 1, n, "the note was created once and not again")
}

func TestHostRateLimit(t *testing.T) {
	t.Parallel()
	srv := newTestServer(t, WithStore("shop", WithHostRateLimit(rate.Every(time.Hour), 2)))
	srv.DefaultStore().Seed(SeedOptions{Simple: 1})
	c := client(t, srv, "shop", woocommerce.WithRetryMax(0))
	for range 2 {
		_, _, err := c.Products().List(context.Background(), nil)
		require.NoError(t, err)
	}
	_, _, err := c.Products().List(context.Background(), nil)
	assert.ErrorIs(t, err, woocommerce.ErrThrottled)
	var he *woocommerce.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusTooManyRequests, he.StatusCode)
	assert.Equal(t, int64(1), srv.DefaultStore().Counters().Throttled)
}
