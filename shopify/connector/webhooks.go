package connector

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Topics returns the webhook subscription topics (GraphQL enum values) of a
// group: product create, update and delete; order create, updated,
// cancelled and delete; the app's uninstall and access changes. An
// unknown group has none. The compliance topics cannot be subscribed
// through the API: they are set in the app's configuration.
func Topics(g wmssync.WebhookGroup) []string {
	switch g {
	case wmssync.AppWebhooks:
		return []string{"APP_UNINSTALLED", "APP_SCOPES_UPDATE"}
	case wmssync.ProductWebhooks:
		return []string{"PRODUCTS_CREATE", "PRODUCTS_UPDATE", "PRODUCTS_DELETE"}
	case wmssync.OrderWebhooks:
		return []string{"ORDERS_CREATE", "ORDERS_UPDATED", "ORDERS_CANCELLED", "ORDERS_DELETE"}
	}
	return nil
}

// ErrNoWebhookAddress is returned by EnsureWebhooks when Config.WebhookAddress
// is empty.
var ErrNoWebhookAddress = errors.New("shopify/connector: no webhook address configured")

// EnsureWebhooks makes sure the shop delivers every topic of group to
// Config.WebhookAddress and returns the topics it created. It converges
// through the shopify package's WebhookSubscriptionsService.Ensure, keeping
// every other subscription the app has to the same address (the other
// group's topics, a bulk_operations/finish subscription ...) and removing
// only duplicates. Idempotent: a second call creates nothing. The engine's
// audit calls it to re-create subscriptions Shopify removed after failed
// deliveries.
func (c *Connector) EnsureWebhooks(ctx context.Context, group wmssync.WebhookGroup) ([]string, error) {
	addr := c.cfg.WebhookAddress
	if addr == "" {
		return nil, ErrNoWebhookAddress
	}
	topics := Topics(group)
	if len(topics) == 0 {
		return nil, fmt.Errorf("shopify/connector: unknown webhook group %q", group)
	}
	svc := c.client.WebhookSubscriptions()
	existing, err := svc.List(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("shopify/connector: list webhook subscriptions: %w", classify(ctx, err))
	}
	var desired []shopify.WebhookSubscriptionSpec
	seen := map[string]bool{}
	for _, t := range topics {
		desired = append(desired, shopify.WebhookSubscriptionSpec{Topic: t})
		seen[t] = true
	}
	for _, w := range existing {
		if w.URI != addr || seen[w.Topic] {
			continue
		}
		// Keep the app's other subscriptions to this address as they are.
		seen[w.Topic] = true
		desired = append(desired, shopify.WebhookSubscriptionSpec{Topic: w.Topic, Name: w.Name, Filter: w.Filter, IncludeFields: w.IncludeFields})
	}
	res, err := svc.Ensure(ctx, addr, desired)
	if err != nil {
		return nil, fmt.Errorf("shopify/connector: ensure %s webhooks: %w", group, classify(ctx, err))
	}
	var created []string
	for _, w := range res.Created {
		if slices.Contains(topics, w.Topic) {
			created = append(created, w.Topic)
		}
	}
	if len(created) > 0 {
		c.log.InfoContext(ctx, "shopify connector: webhook subscriptions created", "shop", c.client.Shop(), "group", string(group), "topics", created)
	}
	return created, nil
}
