package shopify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// End-to-end tests of the bulk runner against the simulator's bulk
// operations (schema-validated bulk queries, JSONL with interleaved
// children, the five-operation limit, injected failures, cancellation and
// the bulk_operations/finish webhook).

func bulkSim(t *testing.T, queued, running time.Duration) *sim {
	t.Helper()
	srv := shopifytest.NewServer(
		shopifytest.WithShop("bulk-shop"),
		shopifytest.WithBulkDurations(queued, running),
	)
	t.Cleanup(srv.Close)
	shop := srv.Shop("bulk-shop")
	return &sim{srv: srv, shop: shop, client: simClient(t, srv, shop), ctx: context.Background()}
}

func fastWait() *shopify.WaitOptions {
	return &shopify.WaitOptions{MinInterval: 2 * time.Millisecond, MaxInterval: 20 * time.Millisecond}
}

// TestE2EBulk30kProducts exports 30,000 products × 3 variants from the
// simulator (which interleaves children across parents) and checks that
// every variant arrives after its product when streaming rows, and with its
// product when grouping, none lost or duplicated. Under the race detector
// it uses 3,000 products.
func TestE2EBulk30kProducts(t *testing.T) {
	if testing.Short() {
		t.Skip("30,000-product export skipped in -short mode")
	}
	t.Parallel()
	n, k := 30_000, 3
	if shopify.RaceEnabledForTest {
		n = 3_000
	}
	s := bulkSim(t, time.Millisecond, time.Millisecond)
	res, err := s.shop.Seed(shopifytest.SeedOptions{Seed: 7, Locations: 1, Products: n, VariantsPerProduct: k})
	require.NoError(t, err)
	require.Len(t, res.VariantIDs, n*k)

	q, err := shopify.BulkProductsQuery("")
	require.NoError(t, err)
	op, err := s.client.BulkOperations().Run(s.ctx, q, &shopify.BulkQueryOptions{Wait: fastWait()})
	require.NoError(t, err)
	assert.EqualValues(t, n*(k+1), op.ObjectCount)
	assert.EqualValues(t, n, op.RootObjectCount)

	body, err := s.client.BulkOperations().Open(s.ctx, op)
	require.NoError(t, err)
	products := make(map[string]bool, n)
	variantsOf := make(map[string]int, n)
	variants := make(map[string]bool, n*k)
	nonAdjacent := 0
	last := ""
	for row, err := range shopify.ReadProductExport(body) {
		if err != nil {
			t.Fatal(err)
		}
		if row.Product != nil {
			if products[row.Product.ID] {
				t.Fatalf("duplicate product %s", row.Product.ID)
			}
			products[row.Product.ID] = true
			last = row.Product.ID
			continue
		}
		v := row.Variant
		if !products[row.ParentID] {
			t.Fatalf("variant %s before its product %s", v.ID, row.ParentID)
		}
		if variants[v.ID] {
			t.Fatalf("duplicate variant %s", v.ID)
		}
		if v.SKU == "" || v.InventoryItem.ID == "" || v.InventoryItem.UnitCost == nil {
			t.Fatalf("variant %s incompletely decoded: %+v", v.ID, v)
		}
		variants[v.ID] = true
		variantsOf[row.ParentID]++
		if row.ParentID != last {
			nonAdjacent++
		}
	}
	require.NoError(t, body.Close())
	require.Len(t, products, n)
	require.Len(t, variants, n*k)
	for id, c := range variantsOf {
		if c != k {
			t.Fatalf("%s has %d variants", id, c)
		}
	}
	assert.Positive(t, nonAdjacent, "the simulator interleaves children")
	t.Logf("%d of %d variant rows did not directly follow their product", nonAdjacent, n*k)

	body, err = s.client.BulkOperations().Open(s.ctx, op)
	require.NoError(t, err)
	defer body.Close()
	grouped := 0
	seen := make(map[string]bool, n*k)
	for p, err := range shopify.GroupProductExport(body, &shopify.GroupOptions{Dir: t.TempDir()}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Variants) != k {
			t.Fatalf("%s grouped with %d variants", p.ID, len(p.Variants))
		}
		for _, v := range p.Variants {
			if v.Product.ID != p.ID || seen[v.ID] || !variants[v.ID] {
				t.Fatalf("variant %s misgrouped under %s", v.ID, p.ID)
			}
			seen[v.ID] = true
		}
		grouped++
	}
	assert.Equal(t, n, grouped)
	assert.Len(t, seen, n*k)
}

func TestE2EBulkLimitReachedQueues(t *testing.T) {
	t.Parallel()
	s := bulkSim(t, time.Millisecond, 300*time.Millisecond)
	_, err := s.shop.Seed(shopifytest.SeedOptions{Products: 3})
	require.NoError(t, err)
	q, err := shopify.BulkProductsQuery("")
	require.NoError(t, err)
	var ids []string
	for range shopifytest.MaxConcurrentBulkOperations {
		op, err := s.client.BulkOperations().RunQuery(s.ctx, q, nil)
		require.NoError(t, err)
		ids = append(ids, op.ID)
	}
	_, err = s.client.BulkOperations().RunQuery(s.ctx, q, &shopify.BulkQueryOptions{NoQueue: true})
	require.ErrorIs(t, err, shopify.ErrBulkLimitReached)

	// Queued: waits for a slot, then runs to completion.
	start := time.Now()
	op, err := s.client.BulkOperations().Run(s.ctx, q, &shopify.BulkQueryOptions{Wait: fastWait()})
	require.NoError(t, err)
	assert.Equal(t, shopify.BulkCompleted, op.Status)
	assert.NotContains(t, ids, op.ID)
	assert.Greater(t, time.Since(start), 100*time.Millisecond, "it had to wait for a slot")
}

func TestE2EBulkTimeoutPartialData(t *testing.T) {
	t.Parallel()
	s := bulkSim(t, time.Millisecond, time.Millisecond)
	_, err := s.shop.Seed(shopifytest.SeedOptions{Products: 20})
	require.NoError(t, err)
	s.srv.InjectBulkFault(shopifytest.BulkFault{ErrorCode: "TIMEOUT", AfterObjects: 6})
	q, err := shopify.BulkProductsQuery("")
	require.NoError(t, err)
	op, err := s.client.BulkOperations().Run(s.ctx, q, &shopify.BulkQueryOptions{Wait: fastWait()})
	var be *shopify.BulkOperationError
	require.ErrorAs(t, err, &be)
	require.ErrorIs(t, err, shopify.ErrBulkOperationFailed)
	assert.Equal(t, shopify.BulkFailed, op.Status)
	assert.Equal(t, "TIMEOUT", op.ErrorCode)
	require.NotEmpty(t, op.PartialDataURL)

	body, err := s.client.BulkOperations().OpenPartial(s.ctx, op)
	require.NoError(t, err)
	defer body.Close()
	rows := 0
	for row, err := range shopify.ReadProductExport(body) {
		require.NoError(t, err)
		require.True(t, row.Product != nil || row.Variant != nil)
		rows++
	}
	assert.Equal(t, 6, rows)
}

func TestE2EBulkCancelAndResume(t *testing.T) {
	t.Parallel()
	s := bulkSim(t, time.Millisecond, time.Hour)
	_, err := s.shop.Seed(shopifytest.SeedOptions{Products: 3})
	require.NoError(t, err)
	q, err := shopify.BulkOrdersQuery(time.Now().Add(-30 * 24 * time.Hour))
	require.NoError(t, err)
	op, err := s.client.BulkOperations().RunQuery(s.ctx, q, nil)
	require.NoError(t, err)

	// "Restart": a new client resumes waiting by ID; the operation keeps
	// running while we give up after a short while.
	c2 := simClient(t, s.srv, s.shop)
	ctx, cancel := context.WithTimeout(s.ctx, 50*time.Millisecond)
	_, err = c2.BulkOperations().Wait(ctx, op.ID, fastWait())
	cancel()
	require.ErrorIs(t, err, context.DeadlineExceeded)
	running, err := c2.BulkOperations().List(s.ctx, "status:RUNNING", 0)
	require.NoError(t, err)
	require.Len(t, running, 1)
	assert.Equal(t, op.ID, running[0].ID)

	_, err = c2.BulkOperations().Cancel(s.ctx, op.ID)
	require.NoError(t, err)
	final, err := c2.BulkOperations().Wait(s.ctx, op.ID, fastWait())
	var be *shopify.BulkOperationError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, shopify.BulkCanceled, final.Status)
}

// TestE2EBulkFinishWebhook wakes Wait through the real path: the simulator
// delivers the bulk_operations/finish webhook to an HTTP receiver, which
// feeds the BulkNotifier. Polling alone would take an hour.
func TestE2EBulkFinishWebhook(t *testing.T) {
	t.Parallel()
	s := bulkSim(t, time.Millisecond, 50*time.Millisecond)
	_, err := s.shop.Seed(shopifytest.SeedOptions{Products: 3})
	require.NoError(t, err)
	var n shopify.BulkNotifier
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A real receiver verifies the HMAC first (package webhook).
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Shopify-Topic") == "bulk_operations/finish" {
			if err := n.FinishedPayload(body); err != nil {
				t.Error(err)
			}
		}
	}))
	defer receiver.Close()
	_, err = s.client.WebhookSubscriptions().Create(s.ctx, shopify.WebhookSubscriptionSpec{Topic: "BULK_OPERATIONS_FINISH", URI: receiver.URL})
	require.NoError(t, err)

	q, err := shopify.BulkInventoryLevelsQuery("")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(s.ctx, 20*time.Second)
	defer cancel()
	op, err := s.client.BulkOperations().Run(ctx, q, &shopify.BulkQueryOptions{Wait: &shopify.WaitOptions{MinInterval: time.Hour, Notifier: &n}})
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("Wait was not woken by the bulk_operations/finish webhook")
	}
	require.NoError(t, err)
	assert.Equal(t, shopify.BulkCompleted, op.Status)

	body, err := s.client.BulkOperations().Open(s.ctx, op)
	require.NoError(t, err)
	defer body.Close()
	items, levels := 0, 0
	for row, err := range shopify.ReadInventoryLevelsExport(body) {
		require.NoError(t, err)
		if row.Item != nil {
			items++
			continue
		}
		levels++
		_, ok := row.Level.Quantity("available")
		assert.True(t, ok)
		assert.NotEmpty(t, row.Level.Location.ID)
	}
	assert.Equal(t, 9, items, "3 products × 3 variants")
	assert.Positive(t, levels)
}

func TestE2EBulkOrdersExport(t *testing.T) {
	t.Parallel()
	s := bulkSim(t, time.Millisecond, time.Millisecond)
	res, err := s.shop.Seed(shopifytest.SeedOptions{Products: 5, Orders: 12})
	require.NoError(t, err)
	q, err := shopify.BulkOrdersQuery(time.Now().Add(-60 * 24 * time.Hour))
	require.NoError(t, err)
	op, err := s.client.BulkOperations().Run(s.ctx, q, &shopify.BulkQueryOptions{Wait: fastWait()})
	require.NoError(t, err)
	body, err := s.client.BulkOperations().Open(s.ctx, op)
	require.NoError(t, err)
	defer body.Close()
	orders := map[string]int{}
	pos := 0
	for row, err := range shopify.ReadOrdersExport(body) {
		require.NoError(t, err)
		if row.Order != nil {
			orders[row.Order.ID] = 0
			if row.Order.IsPOS() {
				pos++
			}
			continue
		}
		_, ok := orders[row.ParentID]
		require.True(t, ok, "line item before its order")
		require.Positive(t, row.LineItem.Quantity)
		require.NotEmpty(t, row.LineItem.SKU)
		orders[row.ParentID]++
	}
	assert.Len(t, orders, len(res.OrderIDs))
	for id, lines := range orders {
		assert.Positive(t, lines, id)
	}
	t.Logf("%d orders, %d POS", len(orders), pos)
}
