package woocommerce

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
)

// WebhooksService manages the store's webhooks (/wc/v3/webhooks). It needs
// a read/write key of a user who may manage WooCommerce.
type WebhooksService struct{ client *Client }

// Webhooks returns the service for webhooks.
func (c *Client) Webhooks() *WebhooksService { return &WebhooksService{client: c} }

// The webhook statuses.
const (
	WebhookActive   = "active"
	WebhookPaused   = "paused"
	WebhookDisabled = "disabled"
)

// Webhook is a webhook as WooCommerce answers it (the secret is write-only
// and never returned).
type Webhook struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	// Topic is resource.event, such as order.updated.
	Topic           string   `json:"topic"`
	Resource        string   `json:"resource"`
	Event           string   `json:"event"`
	Hooks           []string `json:"hooks"`
	DeliveryURL     string   `json:"delivery_url"`
	DateCreatedGMT  Time     `json:"date_created_gmt"`
	DateModifiedGMT Time     `json:"date_modified_gmt"`
}

// WebhookRequest creates or updates a webhook; nil fields are left out.
// Formatting it never shows the secret.
type WebhookRequest struct {
	ID          int64   `json:"id,omitempty"`
	Name        *string `json:"name,omitempty"`
	Status      *string `json:"status,omitempty"`
	Topic       *string `json:"topic,omitempty"`
	DeliveryURL *string `json:"delivery_url,omitempty"`
	// Secret signs the deliveries (X-WC-Webhook-Signature). Without one
	// WooCommerce generates a random secret nobody can read back.
	Secret *string `json:"secret,omitempty"`
}

// String describes r without the secret.
func (r WebhookRequest) String() string {
	s := "woocommerce.WebhookRequest{"
	if r.ID != 0 {
		s += fmt.Sprintf("ID:%d ", r.ID)
	}
	for _, f := range []struct {
		k string
		v *string
	}{{"Name", r.Name}, {"Status", r.Status}, {"Topic", r.Topic}, {"DeliveryURL", r.DeliveryURL}} {
		if f.v != nil {
			s += f.k + ":" + *f.v + " "
		}
	}
	if r.Secret != nil {
		s += "Secret:" + redacted
	}
	return s + "}"
}

// GoString is String.
func (r WebhookRequest) GoString() string { return r.String() }

// Format prints String for every verb.
func (r WebhookRequest) Format(f fmt.State, verb rune) { formatRedacted(f, verb, r.String()) }

// LogValue logs r without the secret.
func (r WebhookRequest) LogValue() slog.Value { return slog.StringValue(r.String()) }

// WebhookListOptions filters List and All.
type WebhookListOptions struct {
	ListOptions
	// Status is all (WooCommerce's default), active, paused or disabled.
	Status string
	Search string
}

func (o *WebhookListOptions) query() url.Values {
	q := url.Values{}
	if o == nil {
		return q
	}
	o.ListOptions.values(q)
	setString(q, "status", o.Status)
	setString(q, "search", o.Search)
	return q
}

// List returns one page of webhooks.
func (s *WebhooksService) List(ctx context.Context, opts *WebhookListOptions) ([]Webhook, *Response, error) {
	return list[Webhook](ctx, s.client, "webhooks", opts.query())
}

// All iterates over every webhook matching opts.
func (s *WebhooksService) All(ctx context.Context, opts *WebhookListOptions) iter.Seq2[Webhook, error] {
	q := opts.query()
	q.Del("page")
	return all[Webhook](ctx, s.client, "webhooks", q)
}

// Get returns one webhook.
func (s *WebhooksService) Get(ctx context.Context, id int64) (*Webhook, *Response, error) {
	return get[Webhook](ctx, s.client, idPath("webhooks", id))
}

// Create creates a webhook. WooCommerce then pings DeliveryURL at once
// with an unsigned form body webhook_id=N, which must be answered 200.
// Not repeatable: list the webhooks before creating one again.
//
// WooCommerce API docs: https://woocommerce.github.io/woocommerce-rest-api-docs/#create-a-webhook
func (s *WebhooksService) Create(ctx context.Context, req *WebhookRequest) (*Webhook, *Response, error) {
	s.client.hideSecret(req)
	return send[Webhook](ctx, s.client, http.MethodPost, "webhooks", nil, req)
}

// Update changes a webhook; Status WebhookActive re-enables one WooCommerce
// disabled after failed deliveries.
func (s *WebhooksService) Update(ctx context.Context, id int64, req *WebhookRequest) (*Webhook, *Response, error) {
	s.client.hideSecret(req)
	return send[Webhook](ctx, s.client, http.MethodPut, idPath("webhooks", id), nil, req)
}

// Delete deletes a webhook (webhooks have no trash; force is always sent).
func (s *WebhooksService) Delete(ctx context.Context, id int64) (*Webhook, *Response, error) {
	return send[Webhook](ctx, s.client, http.MethodDelete, idPath("webhooks", id), forceQuery(true), nil)
}

// Batch creates, updates and deletes webhooks in one call.
func (s *WebhooksService) Batch(ctx context.Context, b *Batch[WebhookRequest]) (*BatchResult[Webhook], *Response, error) {
	if b != nil {
		for i := range b.Create {
			s.client.hideSecret(&b.Create[i])
		}
		for i := range b.Update {
			s.client.hideSecret(&b.Update[i])
		}
	}
	return batch[WebhookRequest, Webhook](ctx, s.client, "webhooks/batch", b)
}

// hideSecret adds a webhook secret the Client sends to the secrets it keeps
// out of errors and logs.
func (c *Client) hideSecret(req *WebhookRequest) {
	if req != nil && req.Secret != nil {
		c.secrets.AddRotating(*req.Secret)
	}
}
