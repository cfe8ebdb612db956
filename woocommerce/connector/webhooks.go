package connector

import (
	"context"
	"errors"
	"fmt"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/woocommerce"
	"github.com/wmsbridge/wmsbridge/woocommerce/woowebhook"
)

var _ wmssync.WebhookRegistrar = (*Connector)(nil)

// Topics returns the webhook topics of a group.
func Topics(group wmssync.WebhookGroup) []webhook.Topic {
	switch group {
	case wmssync.ProductWebhooks:
		return []webhook.Topic{woowebhook.TopicProductCreated, woowebhook.TopicProductUpdated, woowebhook.TopicProductDeleted, woowebhook.TopicProductRestored}
	case wmssync.OrderWebhooks:
		return []webhook.Topic{woowebhook.TopicOrderCreated, woowebhook.TopicOrderUpdated, woowebhook.TopicOrderDeleted, woowebhook.TopicOrderRestored}
	}
	return nil
}

// EnsureWebhooks makes sure the store delivers every topic of group to
// Config.WebhookAddress, signed with Config.WebhookSecret, and returns the
// topics it created or re-activated. The app group (wmssync.AppWebhooks)
// has no WooCommerce topics: it returns nothing for it.
//
// It lists the store's webhooks (all statuses) and, for each topic: does
// nothing when an active webhook to the address exists; re-activates one
// that is paused or disabled (WooCommerce disables a webhook after its
// 7th consecutive failed delivery and never retries what failed, so the
// engine's periodic audit calls this to bring it back; the sweep restores
// what was missed); creates one otherwise (WooCommerce then pings the
// address, which the host's woowebhook.Source answers). It never creates a
// second webhook for a topic and address. A webhook whose secret was
// changed in the admin cannot be told from the list (WooCommerce never
// returns secrets): its deliveries fail verification until it is deleted
// and this runs again.
func (c *Connector) EnsureWebhooks(ctx context.Context, group wmssync.WebhookGroup) ([]string, error) {
	if c.cfg.WebhookAddress == "" || c.cfg.WebhookSecret == "" {
		return nil, errors.New("woocommerce/connector: EnsureWebhooks needs Config.WebhookAddress and Config.WebhookSecret")
	}
	if group == wmssync.AppWebhooks {
		// WooCommerce has no app lifecycle topics: a revoked key sends
		// nothing, the next call answers 401 (the connection test and the
		// outbound errors show it). Nothing to subscribe.
		return nil, nil
	}
	topics := Topics(group)
	if topics == nil {
		return nil, fmt.Errorf("woocommerce/connector: unknown webhook group %q", group)
	}
	existing := map[string]woocommerce.Webhook{} // by topic, to our address; an active one wins
	for w, err := range c.client.Webhooks().All(ctx, &woocommerce.WebhookListOptions{Status: "all"}) {
		if err != nil {
			return nil, fmt.Errorf("woocommerce/connector: list webhooks: %w", classify(ctx, err))
		}
		if w.DeliveryURL != c.cfg.WebhookAddress {
			continue
		}
		if cur, ok := existing[w.Topic]; !ok || (cur.Status != woocommerce.WebhookActive && w.Status == woocommerce.WebhookActive) {
			existing[w.Topic] = w
		}
	}
	var changed []string
	for _, t := range topics {
		topic := string(t)
		w, ok := existing[topic]
		switch {
		case ok && w.Status == woocommerce.WebhookActive:
			continue
		case ok:
			if _, _, err := c.client.Webhooks().Update(ctx, w.ID, &woocommerce.WebhookRequest{Status: woocommerce.Ptr(woocommerce.WebhookActive)}); err != nil {
				return changed, fmt.Errorf("woocommerce/connector: re-activate the %s webhook: %w", topic, classify(ctx, err))
			}
			c.log.InfoContext(ctx, "woocommerce connector: re-activated a webhook", "store", c.client.StoreURL(), "topic", topic, "was", w.Status)
		default:
			if _, _, err := c.client.Webhooks().Create(ctx, &woocommerce.WebhookRequest{
				Name: woocommerce.Ptr("wmsbridge " + topic), Topic: woocommerce.Ptr(topic), Status: woocommerce.Ptr(woocommerce.WebhookActive),
				DeliveryURL: woocommerce.Ptr(c.cfg.WebhookAddress), Secret: woocommerce.Ptr(c.cfg.WebhookSecret),
			}); err != nil {
				return changed, fmt.Errorf("woocommerce/connector: create the %s webhook: %w", topic, classify(ctx, err))
			}
		}
		changed = append(changed, topic)
	}
	return changed, nil
}
