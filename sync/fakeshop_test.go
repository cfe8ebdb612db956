package sync_test

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// fakeShop is a small in-memory shop system implementing the connector
// interface and every optional capability, for the engine's tests. Its
// webhook payloads are JSON of fakePayload.
type fakeShop struct {
	domain string
	token  string // a secret the engine must never see

	mu        gosync.Mutex
	info      wmssync.ShopInfo
	products  map[string]wmssync.Product
	ids       []string // sorted product ids; nil when stale
	orders    map[string]wmssync.Order
	pageSize  int
	webhooks  map[wmssync.WebhookGroup]map[string]bool
	refuse    error // returned by every call when set
	sales     bool  // offer SalesSource
	expireAll bool  // every non-empty cursor has expired
	// partialOrders makes order payloads lack the location, as Shopify's
	// web order payloads do: Decode drops it and marks the change Partial.
	partialOrders bool
	// noPOS makes Inspect report point-of-sale as not supported.
	noPOS bool

	// onPage, when set, runs before each Products/Orders page is served.
	onPage       func(kind string, cursor string)
	productPages atomic.Int64
	orderPages   atomic.Int64
}

type fakePayload struct {
	Product *wmssync.Product `json:"product,omitempty"`
	Order   *wmssync.Order   `json:"order,omitempty"`
	ID      string           `json:"id,omitempty"`
}

var topicsOf = map[wmssync.WebhookGroup][]string{
	wmssync.ProductWebhooks: {"products/create", "products/delete", "products/update"},
	wmssync.OrderWebhooks:   {"orders/cancelled", "orders/create", "orders/delete", "orders/updated"},
}

func newFakeShop(name string) *fakeShop {
	domain := name + ".myshopify.com"
	return &fakeShop{
		domain: domain,
		token:  "shpat_secret_" + name,
		info: wmssync.ShopInfo{
			Name: name, Domain: domain, Country: "DK", Currency: "DKK", Timezone: "Europe/Copenhagen",
			GrantedScopes: []string{"read_products", "read_orders", "read_inventory", "write_inventory", "read_locations"},
			Locations: []wmssync.Location{
				{ID: "loc-cph", Name: "Copenhagen", Active: true},
				{ID: "loc-store", Name: "Store (POS)", Active: true},
				{ID: "loc-drop", Name: "Dropshipper", Active: true},
			},
			APIVersion: "2026-10", APIVersionOK: true,
		},
		products: map[string]wmssync.Product{},
		orders:   map[string]wmssync.Order{},
		pageSize: 50,
		webhooks: map[wmssync.WebhookGroup]map[string]bool{},
	}
}

var _ interface {
	wmssync.Connector
	wmssync.WebhookRegistrar
	wmssync.CustomsCostSource
} = (*fakeShop)(nil)

func (f *fakeShop) String() string { return "fakeShop(" + f.domain + ", token redacted)" }

func (f *fakeShop) putProduct(p wmssync.Product) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.products[p.ExternalID]; !ok {
		f.ids = nil
	}
	f.products[p.ExternalID] = p
}

// sortedIDs returns the product ids in order; f.mu must be held.
func (f *fakeShop) sortedIDs() []string {
	if f.ids == nil {
		f.ids = slices.Sorted(maps.Keys(f.products))
	}
	return f.ids
}

// window returns the ids of the page at cursor, and the next cursor.
func (f *fakeShop) window(cursor string) ([]string, string, int64, error) {
	ids := f.sortedIDs()
	off, err := f.offset(cursor)
	if err != nil {
		return nil, "", 0, err
	}
	end := min(off+f.pageSize, len(ids))
	next := ""
	if end < len(ids) {
		next = "o:" + strconv.Itoa(end)
	}
	return ids[min(off, end):end], next, int64(len(ids)), nil
}

func (f *fakeShop) offset(cursor string) (int, error) {
	if cursor == "" {
		return 0, nil
	}
	if f.expireAll {
		return 0, fmt.Errorf("fake: cursor %q: %w", cursor, wmssync.ErrCursorExpired)
	}
	n, err := strconv.Atoi(strings.TrimPrefix(cursor, "o:"))
	if err != nil || !strings.HasPrefix(cursor, "o:") {
		return 0, fmt.Errorf("fake: bad cursor %q", cursor)
	}
	return n, nil
}

func (f *fakeShop) putOrder(o wmssync.Order) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orders[o.ExternalID] = o
}

func (f *fakeShop) deleteProduct(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.products, id)
	f.ids = nil
}

func (f *fakeShop) deleteOrder(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.orders, id)
}

func (f *fakeShop) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refuse
}

func (f *fakeShop) Inspect(ctx context.Context, feat wmssync.Features) (wmssync.ShopInfo, error) {
	if err := f.check(ctx); err != nil {
		return wmssync.ShopInfo{}, err
	}
	f.mu.Lock()
	info := f.info
	info.GrantedScopes = slices.Clone(info.GrantedScopes)
	info.Locations = slices.Clone(info.Locations)
	f.mu.Unlock()
	req := func(feature, reason string, any ...string) {
		info.RequiredScopes = append(info.RequiredScopes, wmssync.ScopeRequirement{AnyOf: any, Feature: feature, Reason: reason})
	}
	req("import products (S7)", "", "read_products", "write_products")
	if feat.Orders {
		req("receive orders (S10)", "", "read_orders", "write_orders")
	}
	if feat.CustomsCost {
		req("import customs information and cost prices (S9)", "", "read_inventory", "write_inventory")
	}
	if !feat.SalesHistorySince.IsZero() && feat.SalesHistorySince.Before(feat.Today.AddDays(-60)) {
		req("import sales history (S12)", "sales history goes back more than 60 days", "read_all_orders")
	}
	if slices.Contains(feat.Outbound, wms.KindOrderPacked) {
		req("fulfil packed orders (S16)", "", "write_merchant_managed_fulfillment_orders")
	}
	if feat.POS && f.noPOS {
		info.RequiredScopes = append(info.RequiredScopes, wmssync.ScopeRequirement{NotSupported: true, Feature: "point-of-sale sales",
			Reason: "the shop system has no point of sale"})
	}
	return info, nil
}

// page serves items[offset:offset+pageSize] with the cursor "o:<next>".
func page[T any](f *fakeShop, items []T, cursor string) (wmssync.Page[T], error) {
	off, err := f.offset(cursor)
	if err != nil {
		return wmssync.Page[T]{}, err
	}
	end := min(off+f.pageSize, len(items))
	pg := wmssync.Page[T]{Items: slices.Clone(items[min(off, end):end]), Total: int64(len(items))}
	if end < len(items) {
		pg.Next = "o:" + strconv.Itoa(end)
	}
	return pg, nil
}

func (f *fakeShop) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	if err := f.check(ctx); err != nil {
		return wmssync.Page[wmssync.Product]{}, err
	}
	if f.onPage != nil {
		f.onPage("products", cursor)
		if err := ctx.Err(); err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
	}
	f.productPages.Add(1)
	f.mu.Lock()
	if len(q.IDs) == 0 && q.UpdatedSince.IsZero() { // the import: page by id
		defer f.mu.Unlock()
		ids, next, total, err := f.window(cursor)
		if err != nil {
			return wmssync.Page[wmssync.Product]{}, err
		}
		pg := wmssync.Page[wmssync.Product]{Next: next, Total: total}
		for _, id := range ids {
			p := f.products[id]
			p.Product = p.Product.Clone()
			if !q.Stock {
				p.Stock = nil
			}
			pg.Items = append(pg.Items, p)
		}
		return pg, nil
	}
	var items []wmssync.Product
	for _, p := range f.products {
		if len(q.IDs) > 0 && !slices.Contains(q.IDs, p.ExternalID) {
			continue
		}
		if !q.UpdatedSince.IsZero() && p.UpdatedAt.Before(q.UpdatedSince) {
			continue
		}
		p.Product = p.Product.Clone()
		if !q.Stock {
			p.Stock = nil
		}
		items = append(items, p)
	}
	f.mu.Unlock()
	slices.SortFunc(items, func(a, b wmssync.Product) int { return cmp.Compare(a.ExternalID, b.ExternalID) })
	return page(f, items, cursor)
}

func (f *fakeShop) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	if err := f.check(ctx); err != nil {
		return wmssync.Page[wmssync.Order]{}, err
	}
	if f.onPage != nil {
		f.onPage("orders", cursor)
		if err := ctx.Err(); err != nil {
			return wmssync.Page[wmssync.Order]{}, err
		}
	}
	f.orderPages.Add(1)
	f.mu.Lock()
	var items []wmssync.Order
	for _, o := range f.orders {
		switch {
		case len(q.IDs) > 0 && !slices.Contains(q.IDs, o.ExternalID):
			continue
		case !q.UpdatedSince.IsZero() && o.UpdatedAt.Before(q.UpdatedSince):
			continue
		case !q.CreatedSince.IsZero() && o.CreatedAt.Before(q.CreatedSince):
			continue
		}
		o.Order = o.Order.Clone()
		items = append(items, o)
	}
	f.mu.Unlock()
	by := func(o wmssync.Order) time.Time { return o.UpdatedAt }
	if !q.CreatedSince.IsZero() {
		by = func(o wmssync.Order) time.Time { return o.CreatedAt }
	}
	slices.SortFunc(items, func(a, b wmssync.Order) int {
		return cmp.Or(by(a).Compare(by(b)), cmp.Compare(a.ExternalID, b.ExternalID))
	})
	return page(f, items, cursor)
}

func (f *fakeShop) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	var p fakePayload
	if err := json.Unmarshal(e.Body, &p); err != nil {
		return wmssync.Change{}, fmt.Errorf("fake: %w: %v", wmssync.ErrInvalidPayload, err)
	}
	switch e.Topic {
	case topicProductsCreate, topicProductsUpdate:
		if p.Product == nil {
			return wmssync.Change{}, fmt.Errorf("fake: %w: no product", wmssync.ErrInvalidPayload)
		}
		ch := wmssync.Change{Kind: wmssync.ChangeProduct, ID: p.Product.ExternalID, Product: p.Product,
			Version: webhook.Version{UpdatedAt: p.Product.UpdatedAt, TriggeredAt: e.TriggeredAt}}
		if len(p.Product.Variants) > 100 { // like Shopify: the first 100 only
			p.Product.Variants = p.Product.Variants[:100]
			ch.Partial = true
		}
		return ch, nil
	case topicProductsDelete:
		return wmssync.Change{Kind: wmssync.ChangeProductDeleted, ID: p.ID, Version: webhook.Version{TriggeredAt: e.TriggeredAt}}, nil
	case topicOrdersCreate, topicOrdersUpdated, topicOrdersCancelled:
		if p.Order == nil {
			return wmssync.Change{}, fmt.Errorf("fake: %w: no order", wmssync.ErrInvalidPayload)
		}
		ch := wmssync.Change{Kind: wmssync.ChangeOrder, ID: p.Order.ExternalID, Order: p.Order,
			Version: webhook.Version{UpdatedAt: p.Order.UpdatedAt, TriggeredAt: e.TriggeredAt}}
		f.mu.Lock()
		partial := f.partialOrders
		f.mu.Unlock()
		if partial && !p.Order.POS {
			p.Order.LocationID, ch.Partial = "", true
		}
		return ch, nil
	case topicOrdersDelete:
		return wmssync.Change{Kind: wmssync.ChangeOrderDeleted, ID: p.ID, Version: webhook.Version{TriggeredAt: e.TriggeredAt}}, nil
	}
	return wmssync.Change{}, nil
}

func (f *fakeShop) EnsureWebhooks(ctx context.Context, g wmssync.WebhookGroup) ([]string, error) {
	if err := f.check(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.webhooks[g] == nil {
		f.webhooks[g] = map[string]bool{}
	}
	var created []string
	for _, t := range topicsOf[g] {
		if !f.webhooks[g][t] {
			f.webhooks[g][t] = true
			created = append(created, t)
		}
	}
	return created, nil
}

func (f *fakeShop) subscribed(g wmssync.WebhookGroup) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for t, on := range f.webhooks[g] {
		if on {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return out
}

func (f *fakeShop) dropSubscription(g wmssync.WebhookGroup, topic string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.webhooks[g], topic)
}

func (f *fakeShop) CustomsAndCosts(ctx context.Context, cursor string) (wmssync.Page[wmssync.ItemDetails], error) {
	if err := f.check(ctx); err != nil {
		return wmssync.Page[wmssync.ItemDetails]{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ids, next, total, err := f.window(cursor) // a page of products' variants
	if err != nil {
		return wmssync.Page[wmssync.ItemDetails]{}, err
	}
	pg := wmssync.Page[wmssync.ItemDetails]{Next: next, Total: total}
	for _, id := range ids {
		for _, v := range f.products[id].Variants {
			pg.Items = append(pg.Items, wmssync.ItemDetails{SKU: v.SKU, Customs: v.Customs.Clone(), Cost: v.Cost})
		}
	}
	return pg, nil
}

// salesShop wraps a fakeShop to offer SalesSource too.
type salesShop struct {
	*fakeShop
	records []wms.SalesRecord
}

func (s *salesShop) Sales(ctx context.Context, since wms.Date, cursor string) (wmssync.Page[wms.SalesRecord], error) {
	var recs []wms.SalesRecord
	for _, r := range s.records {
		if !r.Day.Before(since) {
			recs = append(recs, r)
		}
	}
	return page(s.fakeShop, recs, cursor)
}

var errRefused = fmt.Errorf("fake: 401: %w", wmssync.ErrUnauthorized)

var errUnreachable = errors.New("fake: dial tcp: no such host")
