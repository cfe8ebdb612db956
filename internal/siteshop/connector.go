package siteshop

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Connector is the shop's wmssync.Connector, with the optional
// capabilities WebhookRegistrar, Outbound, StockBatcher (three levels
// per call) and StockLister, and without PackCapturer: payments are the payment
// provider's business.
type Connector struct {
	shop *Shop
}

var (
	_ wmssync.Connector        = (*Connector)(nil)
	_ wmssync.WebhookRegistrar = (*Connector)(nil)
	_ wmssync.Outbound         = (*Connector)(nil)
	_ wmssync.StockBatcher     = (*Connector)(nil)
	_ wmssync.StockLister      = (*Connector)(nil)
)

// pageSize is the listings' page size: small, so the engine pages.
const pageSize = 2

// Inspect implements wmssync.Connector.
func (c *Connector) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	if err := ctx.Err(); err != nil {
		return wmssync.ShopInfo{}, err
	}
	return wmssync.ShopInfo{
		Name: "Site shop", Domain: c.shop.url, Country: "DK", Currency: "DKK", Timezone: "UTC",
		GrantedScopes:  []string{"read_write"},
		RequiredScopes: []wmssync.ScopeRequirement{{AnyOf: []string{"read_write"}, Feature: "everything"}},
		APIVersion:     "v2", APIVersionOK: true, SupportedVersions: []string{"v2", "v1"},
	}, nil
}

// offset reads a cursor "o:N".
func offset(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimPrefix(cursor, "o:"))
	if err != nil || !strings.HasPrefix(cursor, "o:") {
		return 0, fmt.Errorf("siteshop: cursor %q: %w", cursor, wmssync.ErrCursorExpired)
	}
	return n, nil
}

func page[T any](items []T, cursor string) (wmssync.Page[T], error) {
	off, err := offset(cursor)
	if err != nil {
		return wmssync.Page[T]{}, err
	}
	end := min(off+pageSize, len(items))
	pg := wmssync.Page[T]{Items: items[min(off, end):end], Total: int64(len(items))}
	if end < len(items) {
		pg.Next = "o:" + strconv.Itoa(end)
	}
	return pg, nil
}

func numeric(id string) int { n, _ := strconv.Atoi(id); return n }

// Products implements wmssync.Connector: products not in the trash, by
// id; stock carries no location.
func (c *Connector) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	if err := ctx.Err(); err != nil {
		return wmssync.Page[wmssync.Product]{}, err
	}
	s := c.shop
	s.mu.Lock()
	var items []wmssync.Product
	for _, p := range s.products {
		switch {
		case p.trashed,
			len(q.IDs) > 0 && !slices.Contains(q.IDs, p.ID),
			!q.UpdatedSince.IsZero() && p.Modified.Before(q.UpdatedSince):
			continue
		}
		wp := toProduct(p)
		if q.Stock {
			for _, v := range p.Variations {
				wp.Stock = append(wp.Stock, wmssync.LocationStock{SKU: v.SKU, OnHand: v.Stock})
			}
		}
		items = append(items, wp)
	}
	s.mu.Unlock()
	slices.SortFunc(items, func(a, b wmssync.Product) int { return cmp.Compare(numeric(a.ExternalID), numeric(b.ExternalID)) })
	return page(items, cursor)
}

// StockLevels implements wmssync.StockLister: the stock of every
// variation of the products not in the trash, by product and variation
// (no inventory items, no locations), in the order of Products.
func (c *Connector) StockLevels(ctx context.Context, cursor string) (wmssync.Page[wmssync.StockTarget], error) {
	if err := ctx.Err(); err != nil {
		return wmssync.Page[wmssync.StockTarget]{}, err
	}
	s := c.shop
	s.mu.Lock()
	var ps []*product
	for _, p := range s.products {
		if !p.trashed {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *product) int { return cmp.Compare(numeric(a.ID), numeric(b.ID)) })
	var levels []wmssync.StockTarget
	for _, p := range ps {
		for _, v := range p.Variations {
			levels = append(levels, wmssync.StockTarget{SKU: v.SKU, ProductID: p.ID, VariantID: v.ID, Available: v.Stock})
		}
	}
	s.mu.Unlock()
	return page(levels, cursor)
}

func toProduct(p *product) wmssync.Product {
	out := wmssync.Product{Vendor: "Site", UpdatedAt: p.Modified}
	out.ExternalID, out.Title = p.ID, p.Name
	for _, v := range p.Variations {
		out.Variants = append(out.Variants, wms.Variant{SKU: v.SKU, ExternalID: v.ID, Title: v.SKU, Price: "10.00",
			Weight: wms.Weight{Value: "250", Unit: wms.Grams}})
	}
	return out
}

// Orders implements wmssync.Connector: orders carry no location.
func (c *Connector) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	if err := ctx.Err(); err != nil {
		return wmssync.Page[wmssync.Order]{}, err
	}
	s := c.shop
	s.mu.Lock()
	var items []wmssync.Order
	for _, o := range s.orders {
		switch {
		case len(q.IDs) > 0 && !slices.Contains(q.IDs, o.ID),
			!q.UpdatedSince.IsZero() && o.Modified.Before(q.UpdatedSince),
			!q.CreatedSince.IsZero() && o.Created.Before(q.CreatedSince):
			continue
		}
		items = append(items, toOrder(o))
	}
	s.mu.Unlock()
	by := func(o wmssync.Order) time.Time { return o.UpdatedAt }
	if !q.CreatedSince.IsZero() {
		by = func(o wmssync.Order) time.Time { return o.CreatedAt }
	}
	slices.SortFunc(items, func(a, b wmssync.Order) int {
		return cmp.Or(by(a).Compare(by(b)), cmp.Compare(numeric(a.ExternalID), numeric(b.ExternalID)))
	})
	return page(items, cursor)
}

func toOrder(o *order) wmssync.Order {
	var out wmssync.Order
	out.ExternalID, out.Name, out.Currency = o.ID, "#"+o.ID, "DKK"
	out.Total = wms.Decimal(o.Total)
	out.CreatedAt, out.UpdatedAt = o.Created, o.Modified
	out.Status = wms.OrderOpen
	if o.Status == "cancelled" {
		out.Status = wms.OrderCancelled
	}
	for _, l := range o.Lines {
		out.Lines = append(out.Lines, wms.OrderLine{ExternalID: l.ID, SKU: l.SKU, Title: l.SKU, Quantity: l.Quantity,
			Price: wms.Decimal(l.Price)})
	}
	return out
}

// Decode implements wmssync.Connector.
func (c *Connector) Decode(_ context.Context, e *webhook.Event) (wmssync.Change, error) {
	invalid := func(err error) error {
		return fmt.Errorf("siteshop: %w: %s: %v", wmssync.ErrInvalidPayload, e.Topic, err)
	}
	switch e.Topic {
	case TopicProductCreated, TopicProductUpdated, TopicProductRestored:
		var p product
		if err := json.Unmarshal(e.Body, &p); err != nil || p.ID == "" {
			return wmssync.Change{}, invalid(cmp.Or(err, errors.New("no id")))
		}
		wp := toProduct(&p)
		return wmssync.Change{Kind: wmssync.ChangeProduct, ID: p.ID, Product: &wp,
			Version: webhook.VersionOf(e, p.Modified)}, nil
	case TopicProductDeleted, TopicOrderDeleted:
		var p struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(e.Body, &p); err != nil || p.ID == "" {
			return wmssync.Change{}, invalid(cmp.Or(err, errors.New("no id")))
		}
		kind := wmssync.ChangeProductDeleted
		if e.Topic == TopicOrderDeleted {
			kind = wmssync.ChangeOrderDeleted
		}
		return wmssync.Change{Kind: kind, ID: p.ID, Version: webhook.VersionOf(e, time.Time{})}, nil
	case TopicOrderCreated, TopicOrderUpdated:
		var o order
		if err := json.Unmarshal(e.Body, &o); err != nil || o.ID == "" {
			return wmssync.Change{}, invalid(cmp.Or(err, errors.New("no id")))
		}
		wo := toOrder(&o)
		return wmssync.Change{Kind: wmssync.ChangeOrder, ID: o.ID, Order: &wo, Version: webhook.VersionOf(e, o.Modified)}, nil
	}
	return wmssync.Change{}, nil
}

// EnsureWebhooks implements wmssync.WebhookRegistrar.
func (c *Connector) EnsureWebhooks(ctx context.Context, g wmssync.WebhookGroup) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	topics := map[wmssync.WebhookGroup][]webhook.Topic{
		wmssync.ProductWebhooks: {TopicProductCreated, TopicProductUpdated, TopicProductDeleted, TopicProductRestored},
		wmssync.OrderWebhooks:   {TopicOrderCreated, TopicOrderUpdated, TopicOrderDeleted},
	}[g]
	var created []string
	for _, t := range topics {
		if c.shop.subscribe(t) {
			created = append(created, string(t))
		}
	}
	return created, nil
}

// StockBatchSize implements wmssync.StockBatcher.
func (c *Connector) StockBatchSize() int { return BatchSize }

// Prepare implements wmssync.Outbound: nothing to record.
func (c *Connector) Prepare(context.Context, *wmssync.Outgoing) ([]byte, error) { return nil, nil }

// Send implements wmssync.Outbound: stock by variation (no inventory items,
// no locations), at most BatchSize levels per call; a packed order is
// completed. Other kinds are refused.
func (c *Connector) Send(ctx context.Context, m *wmssync.Outgoing) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s := c.shop
	s.mu.Lock()
	defer s.mu.Unlock()
	switch ev := m.Event.(type) {
	case nil:
		if m.Kind != wms.KindStockChanged {
			break
		}
		if len(m.Stock) > BatchSize {
			return fmt.Errorf("%w: siteshop: %d stock levels in one call, at most %d", wmssync.ErrRejected, len(m.Stock), BatchSize)
		}
		for _, t := range m.Stock {
			if t.InventoryItemID != "" || t.LocationID != "" {
				return fmt.Errorf("%w: siteshop: stock addressed by inventory item or location", wmssync.ErrRejected)
			}
			v := s.variationByIDLocked(t.ProductID, t.VariantID)
			if v == nil {
				return fmt.Errorf("%w: siteshop: no variation %s of product %s", wmssync.ErrRejected, t.VariantID, t.ProductID)
			}
			v.Stock = t.Available
		}
		return nil
	case wms.OrderPacked:
		o := s.orders[ev.Order.ExternalID]
		if o == nil {
			return fmt.Errorf("%w: siteshop: no order %s", wmssync.ErrRejected, ev.Order.ExternalID)
		}
		if o.Status != "completed" {
			o.Status, o.Modified = "completed", s.now().UTC().Truncate(time.Second)
			s.queueLocked(TopicOrderUpdated, o)
		}
		return nil
	}
	return fmt.Errorf("%w: siteshop: no outbound message for %q", wmssync.ErrRejected, m.Kind)
}

func (s *Shop) variationByIDLocked(productID, variantID string) *variation {
	p := s.products[productID]
	if p == nil {
		return nil
	}
	for i := range p.Variations {
		if p.Variations[i].ID == variantID {
			return &p.Variations[i]
		}
	}
	return nil
}
