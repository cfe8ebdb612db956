package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// lastEvent returns the simulator's last event of topic for the resource id
// as a webhook event carrying the REST payload Shopify would deliver.
func lastEvent(t testing.TB, shop *shopifytest.Shop, topic string, id int64) *webhook.Event {
	t.Helper()
	evs := shop.Events(0)
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if ev.Topic == topic && ev.ID == id {
			return &webhook.Event{
				Topic: webhook.Topic(topic), Shop: shop.Domain(), APIVersion: "2026-10",
				WebhookID: fmt.Sprintf("wh-%d", ev.Seq), TriggeredAt: ev.OccurredAt,
				Body: shop.WebhookPayload(ev),
			}
		}
	}
	t.Fatalf("no %s event for %d", topic, id)
	return nil
}

// The REST payload of a webhook and the GraphQL listing translate the same
// product into the same wms data.
func TestDecodeProductMatchesListing(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	loc := shop.AddLocation(shopifytest.LocationSpec{Name: "Main"}).ID
	sp, err := shop.CreateProduct(shopifytest.ProductSpec{Title: "Rain Jacket", Vendor: "Nordlicht", Variants: []shopifytest.VariantSpec{
		{Title: "S", SKU: "RJ-S", Barcode: "5701234000011", Price: "49.95", WeightGrams: 450, Stock: map[int64]int{loc: 3}},
		{Title: "M", SKU: "RJ-M", Barcode: "5701234000028", Price: "49.95", WeightGrams: 480, Stock: map[int64]int{loc: 0}},
		{Title: "Gift wrap", Price: "2.00"},
	}})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{})
	ch, err := c.Decode(context.Background(), lastEvent(t, shop, "products/create", sp.ID))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeProduct, ch.Kind)
	assert.Equal(t, shopify.GID("Product", sp.ID), ch.ID)
	assert.False(t, ch.Partial)
	assert.True(t, ch.Version.UpdatedAt.Equal(sp.UpdatedAt))
	require.NotNil(t, ch.Product)

	page, err := c.Products(ctxT(t), wmssync.ProductQuery{IDs: []string{ch.ID}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	listed := page.Items[0]
	assert.Equal(t, listed.ExternalID, ch.Product.ExternalID)
	assert.Equal(t, listed.Title, ch.Product.Title)
	assert.Equal(t, "Nordlicht", ch.Product.Vendor)
	assert.True(t, listed.UpdatedAt.Equal(ch.Product.UpdatedAt))
	require.Len(t, ch.Product.Variants, 3)
	for i, v := range ch.Product.Variants {
		lv := listed.Variants[i]
		assert.Equal(t, lv.SKU, v.SKU)
		assert.Equal(t, lv.ExternalID, v.ExternalID)
		assert.Equal(t, lv.InventoryItemID, v.InventoryItemID)
		assert.Equal(t, lv.Barcode, v.Barcode)
		assert.Zero(t, lv.Price.Cmp(v.Price))
		assert.Equal(t, lv.Title, v.Title)
	}
	assert.Equal(t, "RJ-S", ch.Product.Variants[0].SKU)
	// Product payloads carry no weights since API 2024-07: the webhook's
	// weight is unknown (not zero), the listing's is read from the
	// inventory item.
	assert.True(t, ch.Product.Variants[0].Weight.IsZero(), "weight %+v, want unknown", ch.Product.Variants[0].Weight)
	assert.Equal(t, wms.Weight{Value: "450", Unit: wms.Grams}, listed.Variants[0].Weight)
	assert.Equal(t, "", ch.Product.Variants[2].SKU, "a variant without SKU is passed on; the engine drops it")
}

// Beyond 100 variants the payload is truncated: Partial tells the engine
// to fetch the product, and the listing returns every variant.
func TestDecodeProductOver100VariantsIsPartial(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	spec := shopifytest.ProductSpec{Title: "Screws", Vendor: "Alpenwerk"}
	for i := range 130 {
		spec.Variants = append(spec.Variants, shopifytest.VariantSpec{Title: fmt.Sprintf("M%d", i), SKU: fmt.Sprintf("SCR-%03d", i), Price: "0.10"})
	}
	sp, err := shop.CreateProduct(spec)
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{})
	ch, err := c.Decode(context.Background(), lastEvent(t, shop, "products/create", sp.ID))
	require.NoError(t, err)
	assert.True(t, ch.Partial)
	assert.Len(t, ch.Product.Variants, 100)

	page, err := c.Products(ctxT(t), wmssync.ProductQuery{IDs: []string{ch.ID}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Len(t, page.Items[0].Variants, 130)
}

func TestDecodeOrders(t *testing.T) {
	srv := newServer(t)
	shop := srv.DefaultShop()
	res, err := shop.Seed(shopifytest.SeedOptions{Seed: 3, Products: 4, VariantsPerProduct: 2})
	require.NoError(t, err)
	pos := shop.Locations()[1].ID
	web, err := shop.CreateOrder(shopifytest.OrderSpec{Email: "a@example.com", Lines: []shopifytest.OrderLineSpec{
		{VariantID: res.VariantIDs[0], Quantity: 2}, {VariantID: res.VariantIDs[3], Quantity: 1, Price: "9.50"}}})
	require.NoError(t, err)
	posOrder, err := shop.CreateOrder(shopifytest.OrderSpec{POS: true, Location: pos, Lines: []shopifytest.OrderLineSpec{{VariantID: res.VariantIDs[1], Quantity: 1}}})
	require.NoError(t, err)
	c := newConnector(t, srv, shop, connector.Config{})
	ctx := context.Background()

	ch, err := c.Decode(ctx, lastEvent(t, shop, "orders/create", web.ID))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeOrder, ch.Kind)
	assert.Equal(t, shopify.GID("Order", web.ID), ch.ID)
	assert.True(t, ch.Partial, "a web order's payload does not say where it is fulfilled")
	o := ch.Order
	require.NotNil(t, o)
	assert.False(t, o.POS)
	assert.Equal(t, "", o.LocationID, "the REST payload carries no fulfilment location")
	assert.Equal(t, wms.OrderOpen, o.Status)
	assert.Equal(t, web.Name, o.Name)
	assert.Equal(t, "a@example.com", o.Email)
	require.Len(t, o.Lines, 2)
	assert.Equal(t, web.LineItems[0].SKU, o.Lines[0].SKU)
	assert.Equal(t, int64(2), o.Lines[0].Quantity)
	assert.Equal(t, shopify.GID("LineItem", web.LineItems[0].ID), o.Lines[0].ExternalID)
	assert.Zero(t, o.Lines[1].Price.Cmp("9.50"))

	// The listing gives the same order.
	page, err := c.Orders(ctxT(t), wmssync.OrderQuery{IDs: []string{ch.ID}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	lo := page.Items[0]
	assert.Equal(t, o.ExternalID, lo.ExternalID)
	assert.Equal(t, o.Lines, lo.Lines)
	assert.Equal(t, o.POS, lo.POS)
	assert.Equal(t, shopify.GID("Location", shop.Locations()[0].ID), lo.LocationID, "the listing reads the fulfilment location")
	assert.Equal(t, o.Status, lo.Status)
	assert.True(t, o.UpdatedAt.Equal(lo.UpdatedAt))
	assert.Zero(t, o.Total.Cmp(lo.Total))

	// Without fulfilment locations: not Partial, and the listing agrees
	// with the payload.
	skip := newConnector(t, srv, shop, connector.Config{SkipFulfillmentLocations: true})
	ch, err = skip.Decode(ctx, lastEvent(t, shop, "orders/create", web.ID))
	require.NoError(t, err)
	assert.False(t, ch.Partial)
	page, err = skip.Orders(ctxT(t), wmssync.OrderQuery{IDs: []string{ch.ID}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "", page.Items[0].LocationID)
	assert.Equal(t, o.Lines, page.Items[0].Lines)

	ch, err = c.Decode(ctx, lastEvent(t, shop, "orders/create", posOrder.ID))
	require.NoError(t, err)
	assert.False(t, ch.Partial, "a POS sale carries its location")
	assert.True(t, ch.Order.POS)
	assert.Equal(t, shopify.GID("Location", pos), ch.Order.LocationID)
	page, err = c.Orders(ctxT(t), wmssync.OrderQuery{IDs: []string{ch.ID}}, "")
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.True(t, page.Items[0].POS)
	assert.Equal(t, ch.Order.LocationID, page.Items[0].LocationID)

	require.NoError(t, shop.CancelOrder(web.ID))
	ch, err = c.Decode(ctx, lastEvent(t, shop, "orders/cancelled", web.ID))
	require.NoError(t, err)
	assert.Equal(t, wms.OrderCancelled, ch.Order.Status)
	assert.True(t, ch.Partial)

	require.NoError(t, shop.DeleteOrder(web.ID))
	ch, err = c.Decode(ctx, lastEvent(t, shop, "orders/delete", web.ID))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeOrderDeleted, ch.Kind)
	assert.Equal(t, shopify.GID("Order", web.ID), ch.ID)
	assert.True(t, ch.Version.UpdatedAt.IsZero())
	assert.False(t, ch.Version.TriggeredAt.IsZero())
}

func TestDecodeOtherTopicsAndBadPayloads(t *testing.T) {
	now := time.Now()
	ev := func(topic, body string) *webhook.Event {
		return &webhook.Event{Topic: webhook.Topic(topic), Shop: "x.myshopify.com", WebhookID: "1", TriggeredAt: now, Body: []byte(body)}
	}
	ch, err := connector.Decode(ev("inventory_levels/update", `{"inventory_item_id":1,"location_id":2,"available":3}`))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeNone, ch.Kind)

	ch, err = connector.Decode(ev("products/delete", `{"id":9007199254740993}`))
	require.NoError(t, err)
	assert.Equal(t, wmssync.ChangeProductDeleted, ch.Kind)
	assert.Equal(t, "gid://shopify/Product/9007199254740993", ch.ID, "ids beyond 2^53 stay exact")

	for _, tc := range []struct{ topic, body string }{
		{"orders/create", `{"id":`},
		{"orders/create", `{"name":"#1"}`},
		{"products/update", `[]`},
		{"orders/delete", `{}`},
	} {
		_, err := connector.Decode(ev(tc.topic, tc.body))
		assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "%s %s", tc.topic, tc.body)
	}
}

// TestDecodeFinancialStatus: an order Shopify reports payment pending is
// one the warehouse must not pick yet; any other financial status is open,
// and a cancellation wins.
func TestDecodeFinancialStatus(t *testing.T) {
	ev := func(body string) *webhook.Event {
		return &webhook.Event{Topic: "orders/updated", Shop: "x.myshopify.com", WebhookID: "1", TriggeredAt: time.Now(), Body: []byte(body)}
	}
	for body, want := range map[string]wms.OrderStatus{
		`{"id":1,"financial_status":"pending"}`:        wms.OrderPaymentPending,
		`{"id":1,"financial_status":"authorized"}`:     wms.OrderOpen,
		`{"id":1,"financial_status":"paid"}`:           wms.OrderOpen,
		`{"id":1,"financial_status":"partially_paid"}`: wms.OrderOpen,
		`{"id":1}`: wms.OrderOpen,
		`{"id":1,"financial_status":"pending","cancelled_at":"2026-07-01T10:00:00-04:00"}`: wms.OrderCancelled,
	} {
		ch, err := connector.Decode(ev(body))
		require.NoError(t, err, body)
		require.NotNil(t, ch.Order, body)
		assert.Equal(t, want, ch.Order.Status, body)
	}
}

// sampleBody returns the body of one of Shopify's published webhook samples
// (copied into package shopify's testdata).
func sampleBody(t *testing.T, version, topic string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "webhooks", version, topic+".meta.json"))
	require.NoError(t, err)
	var meta struct {
		Response json.RawMessage `json:"response"`
	}
	require.NoError(t, json.Unmarshal(b, &meta))
	return meta.Response
}

// TestDecodeRefusesOtherBodiesAsDeletions: Shopify signs a delivery's body,
// not its topic. The body of every order and product topic, from Shopify's
// samples of each version, re-posted under orders/delete or
// products/delete is refused as an invalid payload (not a deletion), while
// Shopify's own deletion samples decode.
func TestDecodeRefusesOtherBodiesAsDeletions(t *testing.T) {
	ev := func(topic string, body []byte) *webhook.Event {
		return &webhook.Event{Topic: webhook.Topic(topic), Shop: "x.myshopify.com", WebhookID: "1", TriggeredAt: time.Now(), Body: body}
	}
	for _, version := range []string{"2026-04", "2026-07"} {
		for _, del := range []string{"orders/delete", "products/delete"} {
			ch, err := connector.Decode(ev(del, sampleBody(t, version, del)))
			require.NoError(t, err, "%s sample of %s", del, version)
			assert.Contains(t, []wmssync.ChangeKind{wmssync.ChangeOrderDeleted, wmssync.ChangeProductDeleted}, ch.Kind)
			for _, other := range []string{"orders/create", "orders/updated", "orders/cancelled", "orders/paid",
				"orders/fulfilled", "orders/partially_fulfilled", "products/create", "products/update", "inventory_items/delete"} {
				_, err := connector.Decode(ev(del, sampleBody(t, version, other)))
				assert.ErrorIs(t, err, wmssync.ErrInvalidPayload, "%s body of %s as %s", other, version, del)
			}
		}
	}
	ch, err := connector.Decode(ev("orders/delete", []byte(`{"id":820982911946154508,"admin_graphql_api_id":"gid://shopify/Order/820982911946154508"}`)))
	require.NoError(t, err)
	assert.Equal(t, "gid://shopify/Order/820982911946154508", ch.ID)
}
