package wootest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Permission is a REST API key's permission.
type Permission string

// The key permissions.
const (
	Read      Permission = "read"
	Write     Permission = "write"
	ReadWrite Permission = "read_write"
)

// Store is one simulated WooCommerce store (a WordPress site). Its methods
// are the control API: they change and read state directly, bypassing
// keys, faults and pacing, and they record webhook events like the
// storefront and the admin would.
type Store struct {
	srv  *Server
	name string
	cfg  storeConfig

	mu        sync.RWMutex
	nextID    int64
	keys      map[string]*apiKey
	defaultCK string
	products  map[int64]*product
	idOrder   []int64 // product and variation ids, ascending
	bySKU     map[string]int64
	byGTIN    map[string]int64
	orders    map[int64]*order
	webhooks  map[int64]*webhook
	counters  Counters
	lastSave  time.Time

	hostLimiter *rate.Limiter
	hooks       *hookQueue
}

type apiKey struct {
	ck, cs     string
	permission Permission
	manager    bool // the key's user may manage WooCommerce
}

type storeConfig struct {
	siteName        string
	timezone        *time.Location
	currency        string
	country         string
	decimals        int
	idBase          int64
	batchLimit      int
	version         string
	fulfillments    bool
	maxFailures     int
	deliveryDelay   time.Duration
	deliveryTimeout time.Duration
	pingTimeout     time.Duration
	hostRate        rate.Limit
	hostBurst       int
	keys            []keyDecl
}

type keyDecl struct {
	ck, cs  string
	perm    Permission
	manager bool
}

// StoreOption configures a Store.
type StoreOption func(*storeConfig)

// WithSiteName sets the site's name (default "WooCommerce Store").
func WithSiteName(name string) StoreOption { return func(c *storeConfig) { c.siteName = name } }

// WithTimezone sets the site's time zone (default UTC); local dates
// (date_created without _gmt) are in it.
func WithTimezone(loc *time.Location) StoreOption {
	return func(c *storeConfig) {
		if loc != nil {
			c.timezone = loc
		}
	}
}

// WithCurrency sets the store currency (default "EUR").
func WithCurrency(code string) StoreOption { return func(c *storeConfig) { c.currency = code } }

// WithCountry sets woocommerce_default_country ("DK" or "US:CA"; default "DK").
func WithCountry(country string) StoreOption { return func(c *storeConfig) { c.country = country } }

// WithIDBase sets the first object id (default 1<<53 + 1000, so an id that
// passes through a float64 is caught). Products, variations, orders,
// refunds, notes and webhooks share one sequence, as WordPress posts do.
func WithIDBase(base int64) StoreOption { return func(c *storeConfig) { c.idBase = base } }

// WithBatchLimit sets the batch items limit (default 100; WooCommerce's
// woocommerce_rest_batch_items_limit filter).
func WithBatchLimit(n int) StoreOption {
	return func(c *storeConfig) {
		if n > 0 {
			c.batchLimit = n
		}
	}
}

// WithVersion sets the WooCommerce version (default "10.9.0"). Below 10.3
// the cross-product /variations route does not exist.
func WithVersion(v string) StoreOption { return func(c *storeConfig) { c.version = v } }

// WithFulfillments switches on the Order Fulfillments endpoints (a beta
// feature of WooCommerce 10.1+, off by default as on most stores).
func WithFulfillments() StoreOption { return func(c *storeConfig) { c.fulfillments = true } }

// WithMaxWebhookFailures sets woocommerce_max_webhook_delivery_failures
// (default 5: a webhook is disabled on its 7th consecutive failure).
func WithMaxWebhookFailures(n int) StoreOption {
	return func(c *storeConfig) {
		if n >= 0 {
			c.maxFailures = n
		}
	}
}

// WithDeliveryDelay sets how long after a change its webhook delivery
// starts (default 200 ms, divided by the time scale): WooCommerce queues
// deliveries in Action Scheduler, which runs them later, and changes of
// the same resource while one is queued merge into that delivery.
func WithDeliveryDelay(d time.Duration) StoreOption {
	return func(c *storeConfig) {
		if d >= 0 {
			c.deliveryDelay = d
		}
	}
}

// WithDeliveryTimeout sets the delivery timeout (default 60 s, as
// WooCommerce; divided by the time scale). Pings wait at most 5 s.
func WithDeliveryTimeout(d time.Duration) StoreOption {
	return func(c *storeConfig) {
		if d > 0 {
			c.deliveryTimeout = d
		}
	}
}

// WithHostRateLimit makes the host answer 429 with Retry-After (as hosts
// and firewalls in front of WooCommerce do) to requests beyond r per
// second with bursts of burst. WooCommerce itself has no limit; without
// this option nothing is throttled.
func WithHostRateLimit(r rate.Limit, burst int) StoreOption {
	return func(c *storeConfig) { c.hostRate, c.hostBurst = r, burst }
}

// WithKey adds a REST API key. manager says whether the key's user may
// manage WooCommerce (an administrator or shop manager); a key of another
// user is refused with 403 on every endpoint.
func WithKey(consumerKey, consumerSecret string, perm Permission, manager bool) StoreOption {
	return func(c *storeConfig) {
		c.keys = append(c.keys, keyDecl{consumerKey, consumerSecret, perm, manager})
	}
}

func newStore(srv *Server, name string, opts []StoreOption) *Store {
	cfg := storeConfig{
		siteName: "WooCommerce Store", timezone: time.UTC, currency: "EUR", country: "DK", decimals: 2,
		idBase: 1<<53 + 1000, batchLimit: 100, version: "10.9.0", maxFailures: 5,
		deliveryDelay: 200 * time.Millisecond, deliveryTimeout: 60 * time.Second, pingTimeout: 5 * time.Second,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Store{
		srv: srv, name: name, cfg: cfg, nextID: cfg.idBase,
		keys: map[string]*apiKey{}, products: map[int64]*product{}, bySKU: map[string]int64{}, byGTIN: map[string]int64{}, orders: map[int64]*order{}, webhooks: map[int64]*webhook{},
	}
	ck, cs := newKeyPair()
	s.keys[ck] = &apiKey{ck: ck, cs: cs, permission: ReadWrite, manager: true}
	s.defaultCK = ck
	for _, k := range cfg.keys {
		s.keys[k.ck] = &apiKey{ck: k.ck, cs: k.cs, permission: k.perm, manager: k.manager}
	}
	if cfg.hostRate > 0 {
		s.hostLimiter = rate.NewLimiter(cfg.hostRate, max(cfg.hostBurst, 1))
	}
	s.hooks = newHookQueue(s)
	return s
}

func newKeyPair() (ck, cs string) {
	b := make([]byte, 40)
	_, _ = rand.Read(b)
	return "ck_" + hex.EncodeToString(b[:20]), "cs_" + hex.EncodeToString(b[20:])
}

// Name returns the store's name (its path segment).
func (s *Store) Name() string { return s.name }

// URL returns the store's site address.
func (s *Store) URL() string { return s.srv.StoreURL(s.name) }

// Key returns the store's default key, read_write for an administrator.
func (s *Store) Key() (consumerKey, consumerSecret string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k := s.keys[s.defaultCK]
	return k.ck, k.cs
}

// AddKey creates a key with perm for an administrator and returns it.
func (s *Store) AddKey(perm Permission) (consumerKey, consumerSecret string) {
	ck, cs := newKeyPair()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[ck] = &apiKey{ck: ck, cs: cs, permission: perm, manager: true}
	return ck, cs
}

// RevokeKey deletes a key; requests with it are then unauthenticated.
func (s *Store) RevokeKey(consumerKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, consumerKey)
}

func (s *Store) siteName() string { return s.cfg.siteName }

// newID returns the next object id; s.mu is held.
func (s *Store) newID() int64 {
	id := s.nextID
	s.nextID++
	return id
}

// now returns the store's clock in UTC at one-second resolution (WordPress
// stores dates to the second). Saves within one second keep that second.
func (s *Store) now() time.Time { return s.srv.clock().UTC().Truncate(time.Second) }

// Counters are a store's request and delivery counts.
type Counters struct {
	Requests   int64 // REST requests that reached the store
	Faults     int64 // requests answered by an injected fault
	Throttled  int64 // 429 from WithHostRateLimit
	Writes     int64 // successful POST, PUT, PATCH and DELETE
	BatchItems int64 // items in accepted batch calls
	// StockWrites counts stock_quantity changes through the API (single
	// and batch).
	StockWrites int64
	// Deliveries counts webhook deliveries sent; DeliveryFailures those
	// that failed (no 2xx-302 answer); Dropped those an injected fault
	// lost; Merged changes that joined a delivery already queued; Pings
	// the pings sent; Disabled the webhooks disabled after failures.
	Deliveries, DeliveryFailures, Dropped, Merged, Pings, Disabled int64
}

// Counters returns a copy of the store's counters.
func (s *Store) Counters() Counters {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.counters
}

// ResetCounters sets every counter to zero.
func (s *Store) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = Counters{}
}

// String describes the store without its keys.
func (s *Store) String() string { return fmt.Sprintf("wootest.Store(%s)", s.name) }

// putProduct stores p and keeps idOrder sorted and the SKU and GTIN
// indexes current; s.mu is held.
func (s *Store) putProduct(p *product) {
	old, ok := s.products[p.id]
	if ok {
		s.unindex(old)
	}
	if p.sku != "" {
		s.bySKU[p.sku] = p.id
	}
	if p.gtin != "" {
		s.byGTIN[p.gtin] = p.id
	}
	if !ok {
		if n := len(s.idOrder); n == 0 || s.idOrder[n-1] < p.id {
			s.idOrder = append(s.idOrder, p.id)
		} else if i, found := slices.BinarySearch(s.idOrder, p.id); !found {
			s.idOrder = slices.Insert(s.idOrder, i, p.id)
		}
	}
	s.products[p.id] = p
}

// removeProduct deletes a product or variation; s.mu is held.
func (s *Store) removeProduct(id int64) {
	if p := s.products[id]; p != nil {
		s.unindex(p)
	}
	delete(s.products, id)
	if i, found := slices.BinarySearch(s.idOrder, id); found {
		s.idOrder = slices.Delete(s.idOrder, i, i+1)
	}
}

func (s *Store) unindex(p *product) {
	if s.bySKU[p.sku] == p.id {
		delete(s.bySKU, p.sku)
	}
	if s.byGTIN[p.gtin] == p.id {
		delete(s.byGTIN, p.gtin)
	}
}
