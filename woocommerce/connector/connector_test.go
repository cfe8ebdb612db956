package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

func TestInspectProvesPermissionsWithoutSideEffects(t *testing.T) {
	t.Parallel()
	cph, _ := time.LoadLocation("Europe/Copenhagen")
	h := newHarness(t, wootest.WithSiteName("Demo Woo"), wootest.WithTimezone(cph), wootest.WithCurrency("DKK"), wootest.WithCountry("DK"))
	h.store.Seed(wootest.SeedOptions{Simple: 3})
	before := h.store.Products()
	info, err := h.conn.Inspect(context.Background(), wmssync.Features{Products: true, Orders: true, POS: true, CustomsCost: true,
		Outbound: []wms.EventKind{wms.KindStockChanged, wms.KindPaymentCaptured, wms.KindPurchaseOrderClosed}})
	require.NoError(t, err)
	assert.Equal(t, "Demo Woo", info.Name)
	assert.Equal(t, "Europe/Copenhagen", info.Timezone)
	assert.Equal(t, "DKK", info.Currency)
	assert.Equal(t, "DK", info.Country)
	assert.Equal(t, h.srv.StoreURL("shop"), info.Domain)
	assert.Equal(t, []string{ScopeRead, ScopeWrite, ScopeManage}, info.GrantedScopes)
	assert.True(t, info.APIVersionOK)
	assert.Equal(t, []string{"wc/v3", "wc/v2", "wc/v1"}, info.SupportedVersions)
	assert.Equal(t, []wmssync.Location{{ID: LocationID, Name: "Store stock", Active: true}}, info.Locations)
	assert.Contains(t, info.Plan, "variations listing")
	var unsupported []string
	for _, r := range info.RequiredScopes {
		if r.NotSupported {
			unsupported = append(unsupported, r.Feature)
		}
	}
	assert.ElementsMatch(t, []string{"point-of-sale sales", "import customs information and cost prices", "capture payments", "send average cost prices"}, unsupported)
	assert.Equal(t, before, h.store.Products(), "the write check changed nothing")
	assert.Zero(t, h.store.Counters().BatchItems)

	// A read-only key: read and manage, no write.
	ck, cs := h.store.AddKey(wootest.Read)
	ro := connectorWithKey(t, h, ck, cs)
	info, err = ro.Inspect(context.Background(), wmssync.Features{Products: true})
	require.NoError(t, err)
	assert.Equal(t, []string{ScopeRead, ScopeManage}, info.GrantedScopes)

	// Wrong and unknown keys are unauthorized.
	for _, pair := range [][2]string{{ck, "cs_wrong"}, {"ck_unknown", "cs_unknown"}} {
		bad := connectorWithKey(t, h, pair[0], pair[1])
		_, err := bad.Inspect(context.Background(), wmssync.Features{Products: true})
		assert.ErrorIs(t, err, wmssync.ErrUnauthorized, "%v", pair[0])
	}
	// An address that is not a store is unreachable.
	c, err := woocommerce.NewClient(h.srv.URL+"/no-such-store", woocommerce.WithKeys(ck, cs), woocommerce.WithHTTPClient(h.srv.HTTPClient()), woocommerce.WithRetryMax(0))
	require.NoError(t, err)
	nowhere, err := New(Config{Client: c})
	require.NoError(t, err)
	_, err = nowhere.Inspect(context.Background(), wmssync.Features{Products: true})
	assert.ErrorIs(t, err, wmssync.ErrUnreachable)
	assert.NotContains(t, fmt.Sprintf("%v %+v", err, nowhere), cs)
}

func connectorWithKey(t *testing.T, h *harness, ck, cs string) *Connector {
	t.Helper()
	c, err := h.srv.Client("shop", woocommerce.WithKeys(ck, cs), woocommerce.WithRetryMax(0))
	require.NoError(t, err)
	conn, err := New(Config{Client: c})
	require.NoError(t, err)
	return conn
}

func TestProductsImportWithVariationsAndStock(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"10.9.0", "10.2.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, wootest.WithVersion(version))
			h.store.Seed(wootest.SeedOptions{Simple: 150, Variable: 60, VariationsPer: 3, Stock: 7})
			_, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "No stock", SKU: "FREE", Unmanaged: true})
			require.NoError(t, err)
			h.store.ResetCounters()
			ps := allProducts(t, h.conn, wmssync.ProductQuery{Stock: true}, nil)
			require.Len(t, ps, 211)
			skus := map[string]bool{}
			var stock int
			for _, p := range ps {
				for _, v := range p.Variants {
					assert.False(t, skus[v.SKU], v.SKU)
					skus[v.SKU] = true
					_, vid, ok := parseItemID(v.InventoryItemID)
					assert.True(t, ok)
					assert.Equal(t, strings.Contains(v.SKU, "-V"), vid != 0, v.SKU)
					if v.SKU != "FREE" {
						assert.NotEmpty(t, v.Barcode)
					}
				}
				for _, s := range p.Stock {
					assert.Equal(t, int64(7), s.OnHand)
					assert.Equal(t, LocationID, s.LocationID)
					stock++
				}
			}
			assert.Len(t, skus, 150+180+1)
			assert.Equal(t, 150+180, stock, "unmanaged stock is not reported")
			reqs := h.store.Counters().Requests
			if version == "10.9.0" {
				assert.LessOrEqual(t, reqs, int64(3+3+3), "pages of products plus the variations of each page, by parent")
			} else {
				assert.GreaterOrEqual(t, reqs, int64(60), "one variations listing per variable product")
			}
		})
	}
}

func TestProductListingSkipsNothingWhileTheStoreChanges(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	srv := wootest.NewServer(wootest.WithClock(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	store := srv.DefaultStore()
	store.Seed(wootest.SeedOptions{Simple: 350})
	ids := map[int64]bool{}
	for _, p := range store.Products() {
		ids[p.ID] = true
	}
	client, err := srv.Client("shop")
	require.NoError(t, err)
	conn, err := New(Config{Client: client})
	require.NoError(t, err)
	seen := map[string]bool{}
	ps := allProducts(t, conn, wmssync.ProductQuery{}, func(page int) {
		// Between pages the merchant edits products already listed: with
		// offset pages, each one pushes a product not yet listed onto the
		// page already read.
		if page > 3 {
			return // the edited products come again at the end
		}
		now = now.Add(time.Second)
		all := store.Products()
		for i := 0; i < 30; i++ {
			name := fmt.Sprintf("edited %d/%d", page, i)
			require.NoError(t, store.EditProduct(all[(page-1)*100+i].ID, wootest.ProductEdit{Name: &name}))
		}
	})
	for _, p := range ps {
		seen[p.ExternalID] = true
	}
	for id := range ids {
		assert.True(t, seen[fmt.Sprint(id)], "product %d skipped", id)
	}
}

func TestProductSweepFindsVariationChanges(t *testing.T) {
	t.Parallel()
	var now time.Time
	now = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	srv := wootest.NewServer(wootest.WithClock(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	store := srv.DefaultStore()
	store.Seed(wootest.SeedOptions{Simple: 5, Variable: 5})
	client, _ := srv.Client("shop")
	conn, _ := New(Config{Client: client})
	now = now.Add(time.Hour)
	var variation wootest.ProductState
	for _, p := range store.Products() {
		if p.Type == "variation" {
			variation = p
			break
		}
	}
	require.NoError(t, store.SetStock(variation.ID, 3))
	ps := allProducts(t, conn, wmssync.ProductQuery{UpdatedSince: now.Add(-time.Minute)}, nil)
	require.Len(t, ps, 1)
	assert.Equal(t, fmt.Sprint(variation.ParentID), ps[0].ExternalID)
	assert.Equal(t, now, ps[0].UpdatedAt, "the parent's version is its newest variation's")
	assert.Len(t, ps[0].Variants, 3)
}

func TestOrdersStatusesAndListings(t *testing.T) {
	t.Parallel()
	var now time.Time
	now = time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	srv := wootest.NewServer(wootest.WithClock(func() time.Time { return now }))
	t.Cleanup(srv.Close)
	store := srv.DefaultStore()
	_, _, err := store.CreateProduct(wootest.ProductSpec{SKU: "A", Price: "5.00", Stock: 100})
	require.NoError(t, err)
	client, _ := srv.Client("shop")
	conn, _ := New(Config{Client: client})
	ids := map[string]int64{}
	for _, st := range []string{"processing", "on-hold", "pending", "failed", "checkout-draft", "completed", "cancelled"} {
		id, err := store.CreateOrder(wootest.OrderSpec{Status: st, Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 2}}})
		require.NoError(t, err)
		ids[st] = id
		now = now.Add(time.Second)
	}
	rid, err := store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
	require.NoError(t, err)
	_, err = store.RefundOrder(rid, wootest.RefundSpec{Amount: "5.00"})
	require.NoError(t, err)
	ids["refunded"] = rid
	trashed, err := store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "A", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, store.TrashOrder(trashed))

	got := map[int64]wms.OrderStatus{}
	for _, o := range allOrders(t, conn, wmssync.OrderQuery{UpdatedSince: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}) {
		var id int64
		fmt.Sscan(o.ExternalID, &id)
		got[id] = o.Status
		assert.Equal(t, LocationID, o.LocationID)
	}
	want := map[int64]wms.OrderStatus{
		ids["processing"]: wms.OrderOpen, ids["completed"]: wms.OrderOpen,
		ids["on-hold"]: wms.OrderPaymentPending, ids["pending"]: wms.OrderPaymentPending, ids["failed"]: wms.OrderPaymentPending,
		ids["cancelled"]: wms.OrderCancelled, ids["refunded"]: wms.OrderCancelled,
	}
	assert.Equal(t, want, got, "drafts and the trash are left out")

	// By id, with lines.
	pg, err := conn.Orders(context.Background(), wmssync.OrderQuery{IDs: []string{fmt.Sprint(ids["processing"]), fmt.Sprint(trashed), "x"}}, "")
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	o := pg.Items[0]
	require.Len(t, o.Lines, 1)
	assert.Equal(t, "A", o.Lines[0].SKU)
	assert.Equal(t, int64(2), o.Lines[0].Quantity)
	assert.Equal(t, wms.Decimal("5"), o.Lines[0].Price)
	assert.Equal(t, wms.Decimal("10.00"), o.Total)
	assert.Equal(t, "DK", o.ShippingAddress.CountryCode)

	// Created since: only the later ones, by creation.
	later := allOrders(t, conn, wmssync.OrderQuery{CreatedSince: time.Date(2026, 5, 1, 8, 0, 5, 0, time.UTC)})
	var created []int64
	for _, o := range later {
		var id int64
		fmt.Sscan(o.ExternalID, &id)
		created = append(created, id)
	}
	assert.True(t, slices.Contains(created, ids["completed"]))
	assert.False(t, slices.Contains(created, ids["processing"]))
}

func TestEnsureWebhooksCreatesOnceAndReactivates(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	created, err := h.conn.EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	require.NoError(t, err)
	assert.Equal(t, []string{"order.created", "order.updated", "order.deleted", "order.restored"}, created)
	hooks := h.store.Webhooks()
	require.Len(t, hooks, 4)
	for _, w := range hooks {
		assert.False(t, w.PendingDelivery, "the ping got its 200 from the handler")
	}
	assert.Zero(t, h.hooks.inbox.Stats().Pending, "pings are not stored")

	created, err = h.conn.EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	require.NoError(t, err)
	assert.Empty(t, created)
	require.Len(t, h.store.Webhooks(), 4)

	require.NoError(t, h.store.SetWebhookStatus(hooks[1].ID, "disabled"))
	created, err = h.conn.EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	require.NoError(t, err)
	assert.Equal(t, []string{"order.updated"}, created)
	for _, w := range h.store.Webhooks() {
		assert.Equal(t, "active", w.Status)
	}
	require.Len(t, h.store.Webhooks(), 4)

	// WooCommerce has no app lifecycle topics: nothing to subscribe.
	created, err = h.conn.EnsureWebhooks(ctx, wmssync.AppWebhooks)
	require.NoError(t, err)
	assert.Empty(t, created)
	require.Len(t, h.store.Webhooks(), 4)
	_, err = h.conn.EnsureWebhooks(ctx, wmssync.WebhookGroup("nonsense"))
	assert.Error(t, err, "an unknown group")

	_, err = (&Connector{client: h.conn.client, cfg: Config{}}).EnsureWebhooks(ctx, wmssync.OrderWebhooks)
	assert.Error(t, err, "no address or secret")
}

func TestDecodeDeliveries(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	ctx := context.Background()
	for _, g := range []wmssync.WebhookGroup{wmssync.OrderWebhooks, wmssync.ProductWebhooks} {
		_, err := h.conn.EnsureWebhooks(ctx, g)
		require.NoError(t, err)
	}
	pid, vids, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Tee", Variations: []wootest.VariationSpec{{SKU: "T-S", Stock: 5, Options: map[string]string{"Size": "S"}}}})
	require.NoError(t, err)
	sid, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Mug", SKU: "MUG", GTIN: "5701234567899", Weight: "0.4", Price: "12.00", Stock: 9})
	require.NoError(t, err)
	h.wait(t)
	draft, err := h.store.CreateOrder(wootest.OrderSpec{Status: "checkout-draft", Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, h.store.TouchOrder(draft))
	h.wait(t)
	oid, err := h.store.CreateOrder(wootest.OrderSpec{Status: "on-hold", Lines: []wootest.OrderLineSpec{{SKU: "T-S", Quantity: 1}}})
	require.NoError(t, err)
	h.wait(t)
	require.NoError(t, h.store.TrashOrder(oid))
	require.NoError(t, h.store.TrashProduct(sid))
	h.wait(t)

	kinds := map[string]int{}
	for _, e := range h.hooks.events(t) {
		ch, err := h.conn.Decode(ctx, e)
		require.NoError(t, err, "%s %s", e.Topic, e.Body)
		kinds[string(e.Topic)+" "+string(ch.Kind)]++
		switch {
		case ch.Kind == wmssync.ChangeProduct && ch.ID == fmt.Sprint(pid):
			assert.True(t, ch.Partial, "a variable product's or variation's change reads the parent")
		case ch.Kind == wmssync.ChangeProduct && ch.ID == fmt.Sprint(sid):
			assert.False(t, ch.Partial)
			require.Len(t, ch.Product.Variants, 1)
			v := ch.Product.Variants[0]
			assert.Equal(t, "MUG", v.SKU)
			assert.Equal(t, "5701234567899", v.Barcode)
			assert.Equal(t, wms.Weight{Value: "0.4", Unit: wms.Kilograms}, v.Weight)
			assert.Equal(t, fmt.Sprint(sid), v.InventoryItemID)
		case ch.Kind == wmssync.ChangeOrder:
			assert.Equal(t, fmt.Sprint(oid), ch.ID)
			assert.Equal(t, wms.OrderPaymentPending, ch.Order.Status)
			assert.False(t, ch.Version.TriggeredAt.IsZero())
		case ch.Kind == wmssync.ChangeOrderDeleted:
			assert.Equal(t, fmt.Sprint(oid), ch.ID)
		case ch.Kind == wmssync.ChangeProductDeleted:
			assert.Equal(t, fmt.Sprint(sid), ch.ID)
		}
	}
	assert.Equal(t, 1, kinds["order.updated "], "the draft's update is ignored")
	assert.Equal(t, 1, kinds["order.created order"])
	assert.Equal(t, 1, kinds["order.deleted order_deleted"])
	assert.Equal(t, 1, kinds["product.deleted product_deleted"])
	assert.GreaterOrEqual(t, kinds["product.updated product"], 1, "the variation's stock change from the order")
	_ = vids

	_, err = Decode(webhookEvent{topic: "order.updated", body: `{"status":"processing"}`}.event())
	assert.ErrorIs(t, err, wmssync.ErrInvalidPayload)
	ch, err := Decode(webhookEvent{topic: "order.updated", body: `{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}`}.event())
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeNone, ch.Kind)
	_, err = Decode(webhookEvent{topic: "order.updated", body: `{"id":1,"line_items":[{"id":2,"quantity":1.5,"sku":"A"}]}`}.event())
	assert.True(t, errors.Is(err, wmssync.ErrInvalidPayload))
}

func TestProductListingSkipsNothingWhenProductsAreTrashed(t *testing.T) {
	t.Parallel()
	srv := wootest.NewServer()
	t.Cleanup(srv.Close)
	store := srv.DefaultStore()
	store.Seed(wootest.SeedOptions{Simple: 250})
	all := store.Products()
	client, _ := srv.Client("shop")
	conn, _ := New(Config{Client: client})
	seen := map[string]bool{}
	for _, p := range allProducts(t, conn, wmssync.ProductQuery{}, func(page int) {
		if page == 1 {
			for _, p := range all[:60] { // listed already; with offsets the next 60 would be skipped
				require.NoError(t, store.TrashProduct(p.ID))
			}
		}
	}) {
		seen[p.ExternalID] = true
	}
	for _, p := range all[100:] {
		assert.True(t, seen[fmt.Sprint(p.ID)], "product %d skipped", p.ID)
	}
}
