package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestRouterTypedDispatch(t *testing.T) {
	r := webhook.NewRouter()
	var gotOrder *shopify.OrderPayload
	var gotMeta *webhook.Event
	webhook.On(r, shopifywebhook.TopicOrdersCreate, func(_ context.Context, e *webhook.Event, p *shopify.OrderPayload) error {
		gotOrder, gotMeta = p, e
		return nil
	})
	var deleted int64
	webhook.On(r, shopifywebhook.TopicOrdersDelete, func(_ context.Context, _ *webhook.Event, p *shopify.OrderDeletePayload) error {
		deleted = p.ID
		return nil
	})
	var level *shopify.InventoryLevelPayload
	webhook.On(r, shopifywebhook.TopicInventoryLevelsUpdate, func(_ context.Context, _ *webhook.Event, p *shopify.InventoryLevelPayload) error {
		level = p
		return nil
	})
	if got := fmt.Sprint(r.Topics()); got != "[inventory_levels/update orders/create orders/delete]" {
		t.Fatalf("Topics = %s", got)
	}

	ctx := context.Background()
	e := &webhook.Event{Topic: shopifywebhook.TopicOrdersCreate, Shop: "s.myshopify.com", WebhookID: "w", Body: sampleBody(t, "2026-07", "orders/create")}
	if err := r.Dispatch(ctx, e); err != nil {
		t.Fatal(err)
	}
	if gotMeta != e || gotOrder == nil || gotOrder.Name != "#9999" || gotOrder.TotalPrice != "404.95" || len(gotOrder.LineItems) != 5 {
		t.Fatalf("handler got %+v", gotOrder)
	}
	// orders/delete carries only the id; this one is beyond 2^53.
	if err := r.Dispatch(ctx, &webhook.Event{Topic: shopifywebhook.TopicOrdersDelete, Body: []byte(`{"id":9007199254740993}`)}); err != nil {
		t.Fatal(err)
	}
	if deleted != 9007199254740993 {
		t.Fatalf("deleted id %d", deleted)
	}
	if err := r.Dispatch(ctx, &webhook.Event{Topic: shopifywebhook.TopicInventoryLevelsUpdate, Body: sampleBody(t, "2026-07", "inventory_levels/update")}); err != nil {
		t.Fatal(err)
	}
	if level.Available == nil || *level.Available != 10 || level.LocationID != 24826418 {
		t.Fatalf("level %+v", level)
	}

	err := r.Dispatch(ctx, &webhook.Event{Topic: shopifywebhook.TopicProductsUpdate, Body: []byte(`{}`)})
	if !errors.Is(err, webhook.ErrNoRoute) || !webhook.IsPermanent(err) {
		t.Fatalf("no route: %v", err)
	}
	err = r.Dispatch(ctx, &webhook.Event{Topic: shopifywebhook.TopicOrdersDelete, Body: []byte(`{"id":1.5}`)})
	var de *webhook.DecodeError
	if !errors.As(err, &de) || !webhook.IsPermanent(err) {
		t.Fatalf("decode error: %v", err)
	}
}

func TestRouterHandlerErrorPassesThrough(t *testing.T) {
	var r webhook.Router // zero value is usable
	boom := errors.New("boom")
	r.Handle(shopifywebhook.TopicAppUninstalled, func(context.Context, *webhook.Event) error { return boom })
	err := r.Dispatch(context.Background(), &webhook.Event{Topic: shopifywebhook.TopicAppUninstalled})
	if !errors.Is(err, boom) || webhook.IsPermanent(err) {
		t.Fatalf("err %v", err)
	}
	if !webhook.IsPermanent(webhook.Permanent(boom)) || !errors.Is(webhook.Permanent(boom), boom) || webhook.Permanent(nil) != nil {
		t.Fatal("Permanent wrapping")
	}
}

func TestRouterHandleNilRemoves(t *testing.T) {
	r := webhook.NewRouter()
	r.Handle(shopifywebhook.TopicShopRedact, func(context.Context, *webhook.Event) error { return nil })
	r.Handle(shopifywebhook.TopicShopRedact, nil)
	if len(r.Topics()) != 0 {
		t.Fatalf("topics %v", r.Topics())
	}
	if err := r.Dispatch(context.Background(), &webhook.Event{Topic: shopifywebhook.TopicShopRedact}); !errors.Is(err, webhook.ErrNoRoute) {
		t.Fatal(err)
	}
}
