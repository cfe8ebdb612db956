package shopifytest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shopify's documented cost examples (shopify.dev rate limits, "Cost
// calculation"): a connection costs 2 + first × (cost of a node), objects 1,
// scalars 0, mutations 10.
func TestRequestedCostMatchesShopifyRules(t *testing.T) {
	srv, _, _ := seeded(t, 3)
	cases := []struct {
		q    string
		want int
	}{
		{`{ shop { name } }`, 1},
		{`{ products(first: 10) { edges { node { title variants(first: 5) { edges { node { price } } } } } } }`, 2 + 10*(1+2+5*1)},
		{`{ products(first: 50) { nodes { id } pageInfo { hasNextPage } } }`, 2 + 50},
		{`mutation { webhookSubscriptionDelete(id: "gid://shopify/WebhookSubscription/1") { userErrors { message } } }`, 10},
	}
	for _, c := range cases {
		r := do(t, srv, DefaultShopName, c.q, nil)
		require.Empty(t, r.Errors, c.q+" "+string(r.raw))
		assert.Equal(t, c.want, r.Extensions.Cost.RequestedQueryCost, c.q)
		require.NotNil(t, r.Extensions.Cost.ActualQueryCost)
		assert.LessOrEqual(t, *r.Extensions.Cost.ActualQueryCost, c.want)
	}
	// the actual cost counts what came back: 3 products instead of 50
	r := do(t, srv, DefaultShopName, `{ products(first: 50) { nodes { id } } }`, nil)
	assert.Equal(t, 2+3, *r.Extensions.Cost.ActualQueryCost)
}

func TestMaxCostExceeded(t *testing.T) {
	srv, _, _ := seeded(t, 1)
	r := do(t, srv, DefaultShopName, `{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }`, nil)
	require.Len(t, r.Errors, 1, string(r.raw))
	assert.Equal(t, "MAX_COST_EXCEEDED", errCode(r, 0))
	assert.Contains(t, r.Errors[0]["message"], "exceeds the single query max cost limit (1000)")
	assert.Nil(t, r.Data)
	assert.Nil(t, r.Extensions.Cost.ActualQueryCost)
	assert.Greater(t, r.Extensions.Cost.RequestedQueryCost, 1000)
	assert.Equal(t, 2000.0, r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable, "not charged")
}

func TestBucketThrottlesAndRestores(t *testing.T) {
	srv, clk := newTestServer(t, WithShop("small", WithBucket(100, 10)))
	q := `{ products(first: 40) { nodes { id } } }` // requested 42, actual 2 (empty shop)
	// requested cost must be available up front; the unused part is refunded
	r := do(t, srv, "small", q, nil)
	require.Empty(t, r.Errors)
	assert.Equal(t, 98.0, r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable)
	srv.Shop("small").DrainBucket(41)
	r = do(t, srv, "small", q, nil)
	require.Len(t, r.Errors, 1)
	assert.Equal(t, "THROTTLED", errCode(r, 0))
	assert.Equal(t, "Throttled", r.Errors[0]["message"])
	assert.Nil(t, r.Extensions.Cost.ActualQueryCost)
	assert.Equal(t, 42, r.Extensions.Cost.RequestedQueryCost)
	assert.Equal(t, 41.0, r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable)
	assert.Equal(t, 10.0, r.Extensions.Cost.ThrottleStatus.RestoreRate)
	// 0.1 s restores one point at 10/s
	clk.advance(100 * time.Millisecond)
	r = do(t, srv, "small", q, nil)
	require.Empty(t, r.Errors, string(r.raw))
	assert.Equal(t, 40.0, r.Extensions.Cost.ThrottleStatus.CurrentlyAvailable) // 42 - 42 + 40 refunded
	// never above the bucket size
	clk.advance(time.Hour)
	assert.Equal(t, 100.0, srv.Shop("small").ThrottleStatus().CurrentlyAvailable)
	c := srv.Shop("small").Counters()
	assert.EqualValues(t, 3, c.Requests)
	assert.EqualValues(t, 1, c.Throttled)
	assert.EqualValues(t, 4, c.PointsSpent)
}

func TestTimeScaleSpeedsUpRestore(t *testing.T) {
	srv, clk := newTestServer(t, WithTimeScale(100), WithShop("s", WithPlan(PlanStandard)))
	s := srv.Shop("s")
	st := s.ThrottleStatus()
	assert.Equal(t, 2000.0, st.MaximumAvailable)
	assert.Equal(t, 10000.0, st.RestoreRate, "restore rate ×100")
	s.DrainBucket(0)
	clk.advance(100 * time.Millisecond) // = 10 simulated seconds = 1000 points
	assert.Equal(t, 1000.0, s.ThrottleStatus().CurrentlyAvailable)
	assert.Equal(t, 36*time.Second, srv.Scaled(time.Hour))
}

func TestPlanPresets(t *testing.T) {
	srv, _ := newTestServer(t, WithShop("plus", WithPlan(PlanPlus)), WithShop("custom", WithBucket(500, 25)))
	assert.Equal(t, ThrottleStatus{MaximumAvailable: 20000, CurrentlyAvailable: 20000, RestoreRate: 1000}, srv.Shop("plus").ThrottleStatus())
	assert.Equal(t, ThrottleStatus{MaximumAvailable: 500, CurrentlyAvailable: 500, RestoreRate: 25}, srv.Shop("custom").ThrottleStatus())
	r := do(t, srv, "plus", `{ shop { plan { shopifyPlus publicDisplayName } } }`, nil)
	assert.Equal(t, true, path(r.Data, "shop", "plan", "shopifyPlus"))
}

func TestShopsAreIsolated(t *testing.T) {
	srv, _ := newTestServer(t, WithShop("a"), WithShop("b"))
	_, err := srv.Shop("a").Seed(SeedOptions{Products: 3})
	require.NoError(t, err)
	ra := do(t, srv, "a", `{ productsCount { count } }`, nil)
	rb := do(t, srv, "b", `{ productsCount { count } }`, nil)
	assert.EqualValues(t, 3, num(t, path(ra.Data, "productsCount", "count")))
	assert.EqualValues(t, 0, num(t, path(rb.Data, "productsCount", "count")))
	// a's token does not open b
	r := doToken(t, srv, "b", srv.Shop("a").AccessToken(), `{ shop { name } }`, nil)
	assert.Equal(t, 401, r.status)
	assert.Equal(t, 2000.0-1, srv.Shop("a").ThrottleStatus().CurrentlyAvailable)
	assert.Equal(t, 2000.0-1, srv.Shop("b").ThrottleStatus().CurrentlyAvailable)
}
