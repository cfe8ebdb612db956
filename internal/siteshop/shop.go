package siteshop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/synctest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Shop is one in-memory shop. It implements synctest.Shop and
// synctest.Restorer.
type Shop struct {
	url    string // the site URL, the shop's identity
	secret string
	hook   string // where webhooks go
	now    func() time.Time
	client *http.Client

	mu       gosync.Mutex
	nextID   int
	products map[string]*product
	orders   map[string]*order
	subs     map[webhook.Topic]string // subscribed topics and their webhook ids
	queue    []delivery
	drop     bool
}

var (
	_ synctest.Shop     = (*Shop)(nil)
	_ synctest.Restorer = (*Shop)(nil)
)

// product is the shop's product, also its webhook payload and listing.
type product struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Modified   time.Time   `json:"date_modified_gmt"`
	Variations []variation `json:"variations"`
	trashed    bool
}

type variation struct {
	ID    string `json:"id"`
	SKU   string `json:"sku"`
	Stock int64  `json:"stock_quantity"`
}

// order is the shop's order, also its webhook payload.
type order struct {
	ID       string     `json:"id"`
	Status   string     `json:"status"` // processing, completed, cancelled
	Created  time.Time  `json:"date_created_gmt"`
	Modified time.Time  `json:"date_modified_gmt"`
	Lines    []lineItem `json:"line_items"`
	Total    string     `json:"total"`
}

type lineItem struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Price    string `json:"price"`
}

type delivery struct {
	header http.Header
	body   []byte
}

func (s *Shop) id() string {
	s.nextID++
	return strconv.Itoa(100 + s.nextID)
}

// queueLocked queues the webhook of topic with payload v, if the shop has a
// subscription to topic; s.mu is held.
func (s *Shop) queueLocked(topic webhook.Topic, v any) {
	sub, ok := s.subs[topic]
	if !ok || s.drop {
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		panic(err) // the shop's own types always marshal
	}
	now := s.now()
	sum := sha256.Sum256([]byte(sub + strconv.FormatInt(now.Unix(), 10)))
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderSignature, webhook.ComputeSignature(body, s.secret))
	h.Set(HeaderTopic, string(topic))
	h.Set(HeaderSource, s.url)
	h.Set(HeaderWebhook, sub)
	h.Set(HeaderDelivery, hex.EncodeToString(sum[:16]))
	h.Set(HeaderTriggered, now.UTC().Format(time.RFC3339Nano))
	s.queue = append(s.queue, delivery{header: h, body: body})
}

// Settings implements synctest.Shop: no location mapping, the shop has
// no locations.
func (s *Shop) Settings(shop, _ string) wmssync.Settings {
	return wmssync.Settings{Shop: shop, AdminURL: s.url, APIVersion: "v2"}
}

// Connect implements synctest.Shop.
func (s *Shop) Connect(_ context.Context, st wmssync.Settings) (wmssync.Connector, error) {
	if st.AdminURL != s.url {
		return nil, fmt.Errorf("siteshop: no shop at %s", st.AdminURL)
	}
	return &Connector{shop: s}, nil
}

// CreateProduct implements synctest.Shop.
func (s *Shop) CreateProduct(_ context.Context, p synctest.Product) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pr := &product{ID: s.id(), Name: p.Title, Modified: s.now().UTC().Truncate(time.Second)}
	for _, v := range p.Variants {
		pr.Variations = append(pr.Variations, variation{ID: s.id(), SKU: v.SKU, Stock: v.Stock})
	}
	s.products[pr.ID] = pr
	s.queueLocked(TopicProductCreated, pr)
	return pr.ID, nil
}

func (s *Shop) productLocked(id string) (*product, error) {
	p := s.products[id]
	if p == nil {
		return nil, fmt.Errorf("siteshop: no product %s", id)
	}
	return p, nil
}

// RenameProduct implements synctest.Shop.
func (s *Shop) RenameProduct(_ context.Context, id, title string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.productLocked(id)
	if err != nil {
		return err
	}
	p.Name, p.Modified = title, s.now().UTC().Truncate(time.Second)
	s.queueLocked(TopicProductUpdated, p)
	return nil
}

// DeleteProduct implements synctest.Shop: the product goes to the trash.
func (s *Shop) DeleteProduct(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.productLocked(id)
	if err != nil {
		return err
	}
	p.trashed = true
	s.queueLocked(TopicProductDeleted, map[string]string{"id": id})
	return nil
}

// RestoreProduct implements synctest.Restorer: the product comes back
// from the trash.
func (s *Shop) RestoreProduct(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.productLocked(id)
	if err != nil {
		return err
	}
	p.trashed, p.Modified = false, s.now().UTC().Truncate(time.Second)
	s.queueLocked(TopicProductRestored, p)
	return nil
}

// CreateOrder implements synctest.Shop.
func (s *Shop) CreateOrder(_ context.Context, lines ...synctest.Line) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC().Truncate(time.Second)
	o := &order{ID: s.id(), Status: "processing", Created: now, Modified: now, Total: "0.00"}
	total := int64(0)
	for _, l := range lines {
		if s.variationLocked(l.SKU) == nil {
			return "", fmt.Errorf("siteshop: no variation with SKU %s", l.SKU)
		}
		o.Lines = append(o.Lines, lineItem{ID: s.id(), SKU: l.SKU, Quantity: l.Quantity, Price: "10.00"})
		total += 10 * l.Quantity
	}
	o.Total = strconv.FormatInt(total, 10) + ".00"
	s.orders[o.ID] = o
	s.queueLocked(TopicOrderCreated, o)
	return o.ID, nil
}

// CancelOrder implements synctest.Shop.
func (s *Shop) CancelOrder(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return fmt.Errorf("siteshop: no order %s", id)
	}
	o.Status, o.Modified = "cancelled", s.now().UTC().Truncate(time.Second)
	s.queueLocked(TopicOrderUpdated, o)
	return nil
}

// Fulfilled implements synctest.Shop: the order is completed.
func (s *Shop) Fulfilled(_ context.Context, id string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orders[id]
	if o == nil {
		return false, fmt.Errorf("siteshop: no order %s", id)
	}
	return o.Status == "completed", nil
}

func (s *Shop) variationLocked(sku string) *variation {
	for _, p := range s.products {
		for i := range p.Variations {
			if p.Variations[i].SKU == sku {
				return &p.Variations[i]
			}
		}
	}
	return nil
}

// Available implements synctest.Shop.
func (s *Shop) Available(_ context.Context, sku string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.variationLocked(sku)
	if v == nil {
		return 0, fmt.Errorf("siteshop: no variation with SKU %s", sku)
	}
	return v.Stock, nil
}

// SetAvailable implements synctest.StockSetter: the merchant changes
// the stock of sku by hand (the site sends no webhook the engine acts on).
func (s *Shop) SetAvailable(_ context.Context, sku string, n int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.variationLocked(sku)
	if v == nil {
		return fmt.Errorf("siteshop: no variation with SKU %s", sku)
	}
	v.Stock = n
	return nil
}

// DropWebhooks implements synctest.Shop.
func (s *Shop) DropWebhooks(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drop = drop
}

// Flush implements synctest.Shop: it posts the queued deliveries in
// order; each must be answered with 200.
func (s *Shop) Flush(ctx context.Context) error {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			return nil
		}
		d := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.hook, bytes.NewReader(d.body))
		if err != nil {
			return err
		}
		req.Header = d.header
		resp, err := s.client.Do(req)
		if err != nil {
			return fmt.Errorf("siteshop: deliver: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("siteshop: delivery %s answered %d", d.header.Get(HeaderTopic), resp.StatusCode)
		}
	}
}

// subscribe creates the webhook of topic, if missing, and queues the
// unsigned ping the shop sends for a new webhook; it reports whether it
// created one.
func (s *Shop) subscribe(topic webhook.Topic) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.subs[topic]; ok {
		return false
	}
	id := s.id()
	s.subs[topic] = id
	h := http.Header{}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	s.queue = append(s.queue, delivery{header: h, body: []byte("webhook_id=" + id)})
	return true
}
