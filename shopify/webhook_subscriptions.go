package shopify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// WebhookSubscriptionsService manages the app's webhook subscriptions on the
// shop (subscriptions made in the shop admin or by other apps are not
// visible to it). No access scope is needed for the calls themselves; each
// topic needs the read scope of its resource.
type WebhookSubscriptionsService struct{ client *Client }

// WebhookSubscription is one subscription of the app.
type WebhookSubscription struct {
	ID string `json:"id"`
	// Topic is the GraphQL enum value, e.g. ORDERS_CREATE.
	Topic string `json:"topic"`
	// URI is an HTTPS URL, a pubsub:// URI or an EventBridge ARN.
	URI           string   `json:"uri"`
	Name          string   `json:"name"`
	Filter        string   `json:"filter"`
	IncludeFields []string `json:"includeFields"`
	Format        string   `json:"format"`
	APIVersion    struct {
		Handle string `json:"handle"`
	} `json:"apiVersion"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// WebhookSubscriptionSpec is a wanted subscription.
type WebhookSubscriptionSpec struct {
	Topic string // e.g. "ORDERS_CREATE"
	// URI defaults to Ensure's address.
	URI    string
	Name   string
	Filter string
	// IncludeFields limits the payload; include a field that changes on
	// every update (updated_at), or Shopify may drop deliveries as
	// duplicates.
	IncludeFields []string
}

func (w WebhookSubscriptionSpec) input() map[string]any {
	m := map[string]any{"uri": w.URI, "format": "JSON"}
	optString(m, "name", w.Name)
	optString(m, "filter", w.Filter)
	if w.IncludeFields != nil {
		m["includeFields"] = w.IncludeFields
	}
	return m
}

// List returns the app's subscriptions, optionally only those for uri
// ("" for all).
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/webhookSubscriptions
func (s *WebhookSubscriptionsService) List(ctx context.Context, uri string) ([]WebhookSubscription, error) {
	var subs []WebhookSubscription
	for w, err := range Paginate(ctx, func(ctx context.Context, after string) (*Connection[WebhookSubscription], error) {
		v := map[string]any{"first": PageSize(3)}
		optString(v, "after", after)
		optString(v, "uri", uri)
		var out struct {
			C Connection[WebhookSubscription] `json:"webhookSubscriptions"`
		}
		if _, err := s.client.Do(ctx, &Request{Query: opWebhookSubscriptions, OperationName: "webhookSubscriptions", Variables: v}, &out); err != nil {
			return nil, err
		}
		return &out.C, nil
	}) {
		if err != nil {
			return nil, err
		}
		subs = append(subs, w)
	}
	return subs, nil
}

// Create subscribes to a topic. Not idempotent: a repeated call creates a
// second subscription (or fails when the same topic and URI exist); use
// Ensure to converge instead.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/webhookSubscriptionCreate
func (s *WebhookSubscriptionsService) Create(ctx context.Context, spec WebhookSubscriptionSpec) (*WebhookSubscription, error) {
	if spec.Topic == "" || spec.URI == "" {
		return nil, errors.New("shopify: webhook subscription needs a topic and a URI")
	}
	var out struct {
		P struct {
			W          *WebhookSubscription `json:"webhookSubscription"`
			UserErrors []UserError          `json:"userErrors"`
		} `json:"webhookSubscriptionCreate"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opWebhookSubscriptionCreate,
		OperationName: "webhookSubscriptionCreate",
		Variables:     map[string]any{"topic": spec.Topic, "webhookSubscription": spec.input()},
	}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("webhookSubscriptionCreate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.W == nil {
		return nil, errors.New("shopify: webhookSubscriptionCreate returned no subscription")
	}
	return out.P.W, nil
}

// Update replaces a subscription's URI, name, filter and included fields
// (its topic cannot change). Repeating it is harmless.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/webhookSubscriptionUpdate
func (s *WebhookSubscriptionsService) Update(ctx context.Context, id string, spec WebhookSubscriptionSpec) (*WebhookSubscription, error) {
	var out struct {
		P struct {
			W          *WebhookSubscription `json:"webhookSubscription"`
			UserErrors []UserError          `json:"userErrors"`
		} `json:"webhookSubscriptionUpdate"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opWebhookSubscriptionUpdate,
		OperationName: "webhookSubscriptionUpdate",
		Variables:     map[string]any{"id": id, "webhookSubscription": spec.input()},
	}, &out); err != nil {
		return nil, err
	}
	if err := CheckUserErrors("webhookSubscriptionUpdate", out.P.UserErrors); err != nil {
		return nil, err
	}
	if out.P.W == nil {
		return nil, notFound("webhook subscription", id)
	}
	return out.P.W, nil
}

// Delete removes a subscription. Deleting one that is already gone returns
// Shopify's user error.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/mutations/webhookSubscriptionDelete
func (s *WebhookSubscriptionsService) Delete(ctx context.Context, id string) error {
	var out struct {
		P struct {
			UserErrors []UserError `json:"userErrors"`
		} `json:"webhookSubscriptionDelete"`
	}
	if _, err := s.client.Do(ctx, &Request{
		Query:         opWebhookSubscriptionDelete,
		OperationName: "webhookSubscriptionDelete",
		Variables:     map[string]any{"id": id},
	}, &out); err != nil {
		return err
	}
	return CheckUserErrors("webhookSubscriptionDelete", out.P.UserErrors)
}

// EnsureResult reports what Ensure changed.
type EnsureResult struct {
	Created   []WebhookSubscription
	Updated   []WebhookSubscription
	Deleted   []WebhookSubscription
	Unchanged []WebhookSubscription
}

// Changed reports whether Ensure changed anything.
func (r *EnsureResult) Changed() bool {
	return len(r.Created)+len(r.Updated)+len(r.Deleted) > 0
}

// Ensure converges the app's subscriptions for address to desired: it
// creates the missing ones, updates those whose name, filter or included
// fields differ, and deletes the app's other subscriptions to address
// (stale topics and duplicates). Subscriptions to other addresses are left
// alone. A spec with an empty URI gets address; specs are matched to
// existing subscriptions by (topic, URI). Ensure is idempotent: a second
// call with the same input changes nothing. It stops at the first error and
// returns what it did so far.
//
// Shopify API docs: https://shopify.dev/docs/api/admin-graphql/2026-10/queries/webhookSubscriptions
func (s *WebhookSubscriptionsService) Ensure(ctx context.Context, address string, desired []WebhookSubscriptionSpec) (*EnsureResult, error) {
	if address == "" {
		return nil, errors.New("shopify: Ensure needs the address")
	}
	type key struct{ topic, uri string }
	want := make(map[key]WebhookSubscriptionSpec, len(desired))
	var order []key
	for _, d := range desired {
		if d.URI == "" {
			d.URI = address
		}
		if d.Topic == "" {
			return nil, errors.New("shopify: Ensure: a spec without topic")
		}
		k := key{d.Topic, d.URI}
		if _, dup := want[k]; dup {
			return nil, fmt.Errorf("shopify: Ensure: topic %s for %s given twice", d.Topic, d.URI)
		}
		want[k] = d
		order = append(order, k)
	}
	ours := map[string]bool{address: true}
	for k := range want {
		ours[k.uri] = true
	}
	existing, err := s.List(ctx, "")
	if err != nil {
		return nil, err
	}
	res := &EnsureResult{}
	have := map[key]WebhookSubscription{}
	for _, w := range existing {
		if !ours[w.URI] {
			continue
		}
		k := key{w.Topic, w.URI}
		_, wanted := want[k]
		_, seen := have[k]
		if !wanted || seen {
			if err := s.Delete(ctx, w.ID); err != nil {
				return res, err
			}
			res.Deleted = append(res.Deleted, w)
			continue
		}
		have[k] = w
	}
	for _, k := range order {
		d := want[k]
		w, ok := have[k]
		switch {
		case !ok:
			c, err := s.Create(ctx, d)
			if err != nil {
				return res, err
			}
			res.Created = append(res.Created, *c)
		case w.Name != d.Name || w.Filter != d.Filter || !sameFields(w.IncludeFields, d.IncludeFields):
			u, err := s.Update(ctx, w.ID, d)
			if err != nil {
				return res, err
			}
			res.Updated = append(res.Updated, *u)
		default:
			res.Unchanged = append(res.Unchanged, w)
		}
	}
	return res, nil
}

func sameFields(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
