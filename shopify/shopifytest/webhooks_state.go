package shopifytest

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/wmsbridge/wmsbridge/internal/gqlexec"
)

// This file stores webhook subscriptions (webhookSubscriptionCreate/Update/
// Delete and the webhookSubscriptions query). Delivery is not part of it.

// WebhookSubscriptions returns the shop's subscriptions in creation order.
func (s *Shop) WebhookSubscriptions() []WebhookSubscription {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]WebhookSubscription, 0, len(s.webhookOrder))
	for _, id := range s.webhookOrder {
		out = append(out, copyWebhook(s.webhooks[id]))
	}
	return out
}

// AddWebhookSubscription adds a subscription as if configured outside the
// API (CreatedViaAPI false). topic is a WebhookSubscriptionTopic value such
// as "PRODUCTS_UPDATE".
func (s *Shop) AddWebhookSubscription(topic, uri string) WebhookSubscription {
	s.mu.Lock()
	defer s.unlock()
	w, _ := s.createWebhookLocked(topic, webhookInput{URI: uri, Format: "JSON"}, false)
	return copyWebhook(w)
}

// DeleteWebhookSubscription removes a subscription (e.g. after repeated
// delivery failures). It reports whether it existed.
func (s *Shop) DeleteWebhookSubscription(id int64) bool {
	s.mu.Lock()
	defer s.unlock()
	return s.deleteWebhookLocked(id)
}

type webhookInput struct {
	URI           string
	Name          *string
	Filter        *string
	IncludeFields []string
	Format        string
	hasInclude    bool
}

func parseWebhookInput(m map[string]any) webhookInput {
	in := webhookInput{URI: strArg(m, "uri")}
	if in.URI == "" {
		in.URI = strArg(m, "callbackUrl")
	}
	if v, ok := m["name"]; ok {
		s, _ := v.(string)
		in.Name = &s
	}
	if v, ok := m["filter"]; ok {
		s, _ := v.(string)
		in.Filter = &s
	}
	if v, ok := m["includeFields"]; ok {
		in.IncludeFields, in.hasInclude = idList(v), true
	}
	in.Format = strArg(m, "format")
	return in
}

// validWebhookURI accepts https URLs, http URLs on loopback hosts (test
// receivers), Google Pub/Sub URIs and EventBridge ARNs.
func validWebhookURI(u string) bool {
	if strings.HasPrefix(u, "pubsub://") {
		rest := strings.TrimPrefix(u, "pubsub://")
		p, t, ok := strings.Cut(rest, ":")
		return ok && p != "" && t != ""
	}
	if strings.HasPrefix(u, "arn:aws:events:") {
		return true
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return false
	}
	switch pu.Scheme {
	case "https":
		return true
	case "http":
		h := pu.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

func validWebhookName(n string) bool {
	if n == "" || len(n) > 50 {
		return false
	}
	for _, r := range n {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func (s *Shop) createWebhookLocked(topic string, in webhookInput, viaAPI bool) (*WebhookSubscription, []userError) {
	if errs := s.validateWebhookLocked(topic, in, 0); errs != nil {
		return nil, errs
	}
	now := s.now()
	w := &WebhookSubscription{
		ID: s.newID(), Topic: topic, URI: in.URI, Format: in.Format, APIVersion: s.srv.hooks.opts.apiVersion,
		IncludeFields: slices.Clone(in.IncludeFields), CreatedViaAPI: viaAPI, CreatedAt: now, UpdatedAt: now,
	}
	if w.Format == "" {
		w.Format = "JSON"
	}
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.Filter != nil {
		w.Filter = *in.Filter
	}
	s.webhooks[w.ID] = w
	s.webhookOrder = append(s.webhookOrder, w.ID)
	s.srv.hooks.subscribed(s, w.ID, int64(len(s.eventLog)+len(s.pending))) // webhook_delivery.go
	return w, nil
}

func (s *Shop) validateWebhookLocked(topic string, in webhookInput, self int64) []userError {
	if in.URI == "" {
		return []userError{{Field: []string{"webhookSubscription", "uri"}, Message: "Address can't be blank"}}
	}
	if !validWebhookURI(in.URI) {
		return []userError{{Field: []string{"webhookSubscription", "uri"}, Message: "Address is invalid"}}
	}
	if in.Name != nil && *in.Name != "" && !validWebhookName(*in.Name) {
		return []userError{{Field: []string{"webhookSubscription", "name"}, Message: "Name is invalid: use up to 50 letters, digits, - and _"}}
	}
	for _, id := range s.webhookOrder {
		w := s.webhooks[id]
		if id != self && w.Topic == topic && w.URI == in.URI {
			return []userError{{Field: []string{"webhookSubscription", "callbackUrl"}, Message: "Address for this topic has already been taken"}}
		}
	}
	return nil
}

func (s *Shop) updateWebhookLocked(id int64, in webhookInput) (*WebhookSubscription, []userError) {
	w := s.webhooks[id]
	if w == nil {
		return nil, []userError{{Field: []string{"id"}, Message: "Webhook subscription does not exist"}}
	}
	if in.URI == "" {
		in.URI = w.URI
	}
	if errs := s.validateWebhookLocked(w.Topic, in, id); errs != nil {
		return nil, errs
	}
	w.URI = in.URI
	if in.Name != nil {
		w.Name = *in.Name
	}
	if in.Filter != nil {
		w.Filter = *in.Filter
	}
	if in.hasInclude {
		w.IncludeFields = slices.Clone(in.IncludeFields)
	}
	if in.Format != "" {
		w.Format = in.Format
	}
	w.UpdatedAt = s.now()
	return w, nil
}

func (s *Shop) deleteWebhookLocked(id int64) bool {
	if s.webhooks[id] == nil {
		return false
	}
	delete(s.webhooks, id)
	if i := slices.Index(s.webhookOrder, id); i >= 0 {
		s.webhookOrder = slices.Delete(s.webhookOrder, i, i+1)
	}
	return true
}

// filterWebhooks applies the webhookSubscriptions arguments.
func (s *Shop) filterWebhooks(f *gqlexec.FieldCall) []*WebhookSubscription {
	filter := searchFilter(f)
	topics := idList(f.Args["topics"])
	uri := f.ArgString("uri")
	format := f.ArgString("format")
	var out []*WebhookSubscription
	for _, id := range s.webhookOrder {
		w := s.webhooks[id]
		if complianceTopics[w.Topic] {
			continue // the app's configuration, not an Admin API subscription (compliance.go)
		}
		if len(topics) > 0 && !slices.Contains(topics, w.Topic) {
			continue
		}
		if uri != "" && w.URI != uri {
			continue
		}
		if format != "" && w.Format != format {
			continue
		}
		if !filter.match(func(field string) ([]string, bool) {
			switch field {
			case "id":
				return []string{legacy(w.ID)}, true
			case "topic":
				return []string{w.Topic, strings.ToLower(strings.Replace(w.Topic, "_", "/", 1))}, true
			case "endpoint":
				return []string{w.URI}, true
			case "created_at":
				return []string{fmtTime(w.CreatedAt)}, true
			case "updated_at":
				return []string{fmtTime(w.UpdatedAt)}, true
			}
			return nil, false
		}) {
			continue
		}
		out = append(out, w)
	}
	return out // creation order == CREATED_AT == ID order
}

func copyWebhook(w *WebhookSubscription) WebhookSubscription {
	c := *w
	c.IncludeFields = slices.Clone(w.IncludeFields)
	return c
}

type webhookObj struct {
	s *Shop
	w *WebhookSubscription
}

func (o webhookObj) TypeName() string { return "WebhookSubscription" }

func (o webhookObj) Field(ctx context.Context, f *gqlexec.FieldCall) (any, error) {
	w := o.w
	switch f.Name {
	case "id":
		return gid("WebhookSubscription", w.ID), nil
	case "legacyResourceId":
		return legacy(w.ID), nil
	case "topic":
		return w.Topic, nil
	case "uri":
		return w.URI, nil
	case "name":
		return nilIfEmpty(w.Name), nil
	case "filter":
		return nilIfEmpty(w.Filter), nil
	case "format":
		return w.Format, nil
	case "includeFields":
		return nonNilStrings(w.IncludeFields), nil
	case "metafieldNamespaces":
		return []string{}, nil
	case "metafields":
		return []gqlexec.Object{}, nil
	case "apiVersion":
		return apiVersionObj(w.APIVersion), nil
	case "createdAt":
		return dt(w.CreatedAt), nil
	case "updatedAt":
		return dt(w.UpdatedAt), nil
	}
	return nil, notSimulated("WebhookSubscription", f.Name)
}
