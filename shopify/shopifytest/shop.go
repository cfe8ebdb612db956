package shopifytest

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultIDBase is the first legacy ID a shop hands out unless WithIDBase
// says otherwise: 2^53, so every simulated ID is above the largest integer a
// float64 holds exactly.
const DefaultIDBase int64 = 1 << 53

// Shop is one simulated shop: its state, its app installation (access
// scopes, tokens), its rate-limit bucket and its counters. All methods are
// safe for concurrent use. The exported methods are the control API: they
// change or read state directly, bypassing scopes, cost and faults, and they
// record change events exactly like GraphQL mutations do.
type Shop struct {
	name string
	srv  *Server

	mu      sync.RWMutex // guards everything below
	cfg     shopConfig
	nextID  int64
	info    ShopInfo
	tokens  map[string]time.Time // access token -> expiry (zero = never)
	auth    shopAuth             // app installation: codes, expiring and refresh tokens (oauth.go)
	bucket  *bucket
	counter Counters

	locations         map[int64]*Location
	locationOrder     []int64
	products          map[int64]*Product
	productOrder      []int64
	variants          map[int64]*Variant
	items             map[int64]*InventoryItem
	levels            map[levelKey]*InventoryLevel
	levelByID         map[int64]levelKey
	itemLevels        map[int64][]int64 // item id -> location ids (activation order)
	orders            map[int64]*Order
	orderOrder        []int64
	nextOrderNumber   int
	fulfillmentOrders map[int64]*FulfillmentOrder
	fulfillments      map[int64]*Fulfillment
	refunds           map[int64]*Refund
	webhooks          map[int64]*WebhookSubscription
	webhookOrder      []int64
	adjustments       map[int64]*InventoryAdjustmentGroup
	idempotency       map[string]*idemEntry

	// events
	muted     bool // seeding: record no events
	pending   []Event
	eventLog  []Event
	listeners map[int]func(Event)
	nextLis   int
	queue     []Event // events waiting for delivery to listeners
	draining  bool    // a goroutine is delivering the queue
}

type levelKey struct{ item, loc int64 }

// ShopInfo is the shop resource (Query.shop).
type ShopInfo struct {
	ID              int64
	Name            string
	MyshopifyDomain string
	Email           string
	CurrencyCode    string
	IanaTimezone    string
	WeightUnit      string // KILOGRAMS, GRAMS, POUNDS, OUNCES
	PlanName        string // publicDisplayName, e.g. "Basic"
	ShopifyPlus     bool
	Development     bool
}

// Counters are a shop's request statistics.
type Counters struct {
	// Requests counts GraphQL requests that reached the shop (after the
	// access-token check), including throttled and invalid ones.
	Requests int64
	// Unauthorized counts GraphQL requests answered 401: a missing,
	// wrong, expired or revoked access token.
	Unauthorized int64
	// PointsSpent sums the actual query cost charged to the bucket.
	PointsSpent int64
	// Throttled counts THROTTLED responses.
	Throttled int64
	// Faults counts injected faults served for this shop.
	Faults int64
}

// Name returns the shop's name (its path segment on the server).
func (s *Shop) Name() string { return s.name }

// Domain returns the shop's myshopify domain, e.g. "test-shop.myshopify.com".
func (s *Shop) Domain() string { return s.name + ".myshopify.com" }

// Info returns the shop resource.
func (s *Shop) Info() ShopInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.info
}

// Counters returns the shop's request counters.
func (s *Shop) Counters() Counters {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.counter
}

// now is the shop's clock, truncated to seconds like Shopify's DateTime.
func (s *Shop) now() time.Time { return s.srv.now().UTC().Truncate(time.Second) }

// newID allocates the next legacy ID. Callers hold s.mu.
func (s *Shop) newID() int64 {
	s.nextID++
	return s.nextID
}

// ---- change events ---------------------------------------------------------

// Event is one change of shop state, recorded by mutations and by the control
// API alike. Topic uses Shopify's webhook topic spelling ("products/update",
// "inventory_levels/update", "orders/create", ...). Object is a deep copy of
// the resource after the change (before it, for deletions): *Product,
// *InventoryItem, *InventoryLevel, *Order, *FulfillmentOrder, *Fulfillment,
// *Refund, *Location or ShopInfo. Webhook emission builds its payloads from it.
type Event struct {
	Seq      int64  // 1-based position in the shop's event log
	Topic    string // e.g. "products/update"
	Resource string // GraphQL type name, e.g. "Product"
	ID       int64  // legacy ID of the resource
	// OccurredAt is when the change happened, with sub-second precision like
	// Shopify's X-Shopify-Triggered-At (resources' updated_at fields are whole
	// seconds), so two changes within one second are still ordered.
	OccurredAt time.Time
	Object     any
}

// Subscribe registers fn to be called for every later event of the shop, in
// order, outside the shop's lock (fn may call the control API, but must not
// block for long: events of the shop are delivered one at a time). It returns
// a function that removes the subscription.
func (s *Shop) Subscribe(fn func(Event)) (cancel func()) {
	s.mu.Lock()
	id := s.nextLis
	s.nextLis++
	s.listeners[id] = fn
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.listeners, id)
		s.mu.Unlock()
	}
}

// Events returns the shop's event log from position since (0 = all).
func (s *Shop) Events(since int) []Event {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if since >= len(s.eventLog) {
		return nil
	}
	return slices.Clone(s.eventLog[since:])
}

// emit records an event. Callers hold s.mu (write lock).
func (s *Shop) emit(topic, resource string, id int64, obj any) {
	if s.muted {
		return
	}
	ev := Event{Seq: int64(len(s.eventLog) + len(s.pending) + 1), Topic: topic, Resource: resource, ID: id, OccurredAt: s.srv.now().UTC(), Object: obj}
	s.pending = append(s.pending, ev)
}

// unlock releases the write lock and delivers pending events to
// listeners, outside the lock and in order. One goroutine at a time drains
// the queue: events recorded meanwhile (also by a listener that calls the
// control API) are delivered by the draining goroutine after the current
// batch, so delivery never deadlocks and never reorders.
func (s *Shop) unlock() {
	s.eventLog = append(s.eventLog, s.pending...)
	if len(s.listeners) > 0 {
		s.queue = append(s.queue, s.pending...)
	}
	s.pending = nil
	if s.draining {
		s.mu.Unlock()
		return
	}
	s.draining = true
	for len(s.queue) > 0 && len(s.listeners) > 0 {
		batch := s.queue
		s.queue = nil
		keys := make([]int, 0, len(s.listeners))
		for k := range s.listeners {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		lis := make([]func(Event), len(keys))
		for i, k := range keys {
			lis[i] = s.listeners[k]
		}
		s.mu.Unlock()
		for _, ev := range batch {
			for _, fn := range lis {
				fn(ev)
			}
		}
		s.mu.Lock()
	}
	s.queue = nil
	s.draining = false
	s.mu.Unlock()
}

// ---- scopes -----------------------------------------------------------------

// Scopes returns the access scopes granted to the app, sorted.
func (s *Shop) Scopes() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.cfg.scopes)
}

// SetScopes replaces the granted access scopes.
func (s *Shop) SetScopes(scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.scopes = normalizeScopes(scopes)
}

// hasScope reports whether any of the given scopes is granted (write_X
// implies read_X). Callers hold s.mu.
func (s *Shop) hasScope(anyOf ...string) bool {
	for _, want := range anyOf {
		for _, g := range s.cfg.scopes {
			if g == want {
				return true
			}
			if r, ok := strings.CutPrefix(want, "read_"); ok && g == "write_"+r {
				return true
			}
		}
	}
	return false
}

func normalizeScopes(in []string) []string {
	out := make([]string, 0, len(in))
	for _, sc := range in {
		for _, p := range strings.Split(sc, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// ---- tokens -----------------------------------------------------------------

// AccessToken returns the shop's static access token (the one WithAccessToken
// set, or a generated one).
func (s *Shop) AccessToken() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cfg.accessToken
}

// RevokeTokens invalidates every access token of the shop, including the
// static one, those issued by the client-credentials endpoint and the
// expiring and refresh tokens of the authorization-code grant (as after an
// uninstall); requests then get 401.
func (s *Shop) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
	s.auth.revoke()
}

// tokenValid reports whether tok is a current access token.
func (s *Shop) tokenValid(tok string) bool {
	if tok == "" {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	exp, ok := s.tokens[tok]
	return ok && (exp.IsZero() || s.srv.now().Before(exp))
}
