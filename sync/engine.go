package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	gosync "sync"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Engine connects shops to a warehouse: it runs each shop's setup steps,
// applies the shops' webhooks to the [wms.Backend], and reconciles what
// webhooks missed. One Engine serves many shops. Build it with [NewEngine].
//
// An Engine is safe for concurrent use. Several engines (in one process or
// several) may share one durable Store and Backend: the Store's leases and
// compare-and-swap versions keep them from applying stale data, though
// within a process the engine also serialises the changes of each entity.
type Engine struct {
	cfg     Config
	backend wms.Backend
	store   Store
	log     *slog.Logger
	now     func() time.Time

	locks keyedMutex

	mu     gosync.Mutex
	conns  map[string]*connEntry
	setups map[string]*setupFlight // RunSetup in progress, by shop (setup.go)
	checks map[string]*shopChecks  // last sweep and audit, by shop (health.go)
	// warehouses caches the backend's warehouse ids (publish.go).
	warehouses map[string]bool
	// eventShops remembers the shop a webhook's (source, shop) named
	// (shopOfEvent, system.go).
	eventShops map[string]string

	stats   counters
	metrics *metrics      // metrics.go
	ob      outboxRuntime // outbound (outbox.go, outbound_*.go)

	// Reads by id that confirm deletions and restores (tombstone.go).
	orderPresence   *presence[Order]
	productPresence *presence[Product]
	access          *presence[ShopInfo] // lifecycle.go
}

type connEntry struct {
	settings Settings
	conn     Connector
	zone     *time.Location // the shop's time zone, once known
}

// NewEngine validates cfg, applies its defaults and returns an Engine. It
// makes no call to the store, the backend or any shop.
func NewEngine(cfg Config) (*Engine, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Engine{
		cfg:     c,
		backend: c.Backend,
		store:   c.Store,
		log:     c.Logger,
		now:     c.Now,
		conns:   map[string]*connEntry{},
	}
	if e.metrics, err = e.newMetrics(c.MeterProvider); err != nil {
		return nil, err
	}
	e.orderPresence, e.productPresence = newPresences()
	e.access = newAccessCheck()
	return e, nil
}

// Inbox returns the store's webhook inbox, to pass to [webhook.NewHandler]:
// the handler stores deliveries, the engine's Run applies them.
func (e *Engine) Inbox() webhook.Inbox { return e.store }

// SaveSettings validates and normalises s and stores it, creating the shop
// or changing its settings at run time; the next event, sweep or step uses
// the new settings. It returns the settings as stored. Location mappings
// must name the backend's warehouses, and at most one shop may be the main
// shop: making a second one main returns a [*SettingsError].
//
// SaveSettings does not contact the shop; call [Engine.TestConnection]
// first to check the settings work.
func (e *Engine) SaveSettings(ctx context.Context, s Settings) (Settings, error) {
	s, err := e.validate(ctx, s)
	if err != nil {
		return s, err
	}
	unlock := e.locks.Lock("settings/" + s.Shop)
	defer unlock()
	// The connection record is the engine's: keep the stored one.
	s.Connection = Connection{}
	switch old, err := e.store.Settings(ctx, s.Shop); {
	case err == nil:
		s.Connection = old.Connection
	case !errors.Is(err, ErrNotFound):
		return s, fmt.Errorf("sync: settings of %s: %w", s.Shop, err)
	}
	if s.Main {
		all, err := e.store.ListSettings(ctx)
		if err != nil {
			return s, fmt.Errorf("sync: list shops: %w", err)
		}
		for _, o := range all {
			if o.Main && o.Shop != s.Shop {
				return s, &SettingsError{Field: "main", Reason: fmt.Sprintf("shop %s is already the main shop", o.Shop)}
			}
		}
	}
	if err := e.store.SaveSettings(ctx, s); err != nil {
		return s, fmt.Errorf("sync: save settings of %s: %w", s.Shop, err)
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, "shop settings saved", slog.String("shop", s.Shop))
	return s, nil
}

// validate normalises s and checks the location mapping against the
// backend's warehouses.
func (e *Engine) validate(ctx context.Context, s Settings) (Settings, error) {
	whs, err := e.backend.Warehouses(ctx)
	if err != nil {
		return s, fmt.Errorf("sync: read warehouses: %w", err)
	}
	known := make(map[string]bool, len(whs))
	for _, w := range whs {
		known[w.ID] = true
	}
	sys, err := e.system(s)
	if err != nil {
		return s, err
	}
	return s.normalize(sys, known)
}

// Settings returns the stored settings of shop, or an error matching
// [ErrNotFound].
func (e *Engine) Settings(ctx context.Context, shop string) (Settings, error) {
	s, err := e.store.Settings(ctx, shop)
	if err != nil {
		return s, fmt.Errorf("sync: settings of %s: %w", shop, err)
	}
	return s, nil
}

// Shops returns the settings of every shop, ordered by Settings.Shop.
func (e *Engine) Shops(ctx context.Context) ([]Settings, error) {
	return e.store.ListSettings(ctx)
}

// RemoveShop deletes shop's settings: the engine stops applying its events
// (they are parked as from an unknown shop) and sweeping it. Data already in
// the warehouse stays.
func (e *Engine) RemoveShop(ctx context.Context, shop string) error {
	if err := e.store.DeleteSettings(ctx, shop); err != nil {
		return err
	}
	e.mu.Lock()
	delete(e.conns, shop)
	e.mu.Unlock()
	return nil
}

// shop loads the current settings of shop and its connector, connecting
// again when the settings changed since the last call. A disconnected
// shop returns an error matching ErrShopDisconnected.
func (e *Engine) shop(ctx context.Context, shop string) (Settings, Connector, error) {
	s, err := e.Settings(ctx, shop)
	if err != nil {
		return s, nil, err
	}
	if s.Connection.Disconnected() {
		return s, nil, fmt.Errorf("%w: %s, on %s (%s); waiting for new credentials (Engine.CredentialsChanged)",
			ErrShopDisconnected, shop, s.Connection.DisconnectedAt.UTC().Format(time.RFC3339), s.Connection.Reason)
	}
	c, err := e.connector(ctx, s)
	return s, c, err
}

func (e *Engine) connector(ctx context.Context, s Settings) (Connector, error) {
	e.mu.Lock()
	ce := e.conns[s.Shop]
	e.mu.Unlock()
	if ce != nil && reflect.DeepEqual(ce.settings, s) {
		return ce.conn, nil
	}
	c, err := e.cfg.Connect(ctx, s.Clone())
	if err != nil {
		return nil, fmt.Errorf("sync: connect shop %s: %w", s.Shop, err)
	}
	if c == nil {
		return nil, fmt.Errorf("sync: connect shop %s: Connect returned no connector", s.Shop)
	}
	e.mu.Lock()
	e.conns[s.Shop] = &connEntry{settings: s.Clone(), conn: c}
	e.mu.Unlock()
	return c, nil
}

// shopZone returns the shop's time zone from [ShopInfo.Timezone], asking
// the connector once per connection; nil when it cannot be known (the
// times' own zone then decides the day). Zone names need the system's
// time zone database, or the host importing time/tzdata.
func (e *Engine) shopZone(ctx context.Context, s Settings, conn Connector) *time.Location {
	e.mu.Lock()
	ce := e.conns[s.Shop]
	if ce != nil && ce.conn == conn && ce.zone != nil {
		zone := ce.zone // read under the lock: another goroutine may set it
		e.mu.Unlock()
		return zone
	}
	e.mu.Unlock()
	info, err := conn.Inspect(ctx, s.Features(wms.DateOf(e.now()), e.cfg.SalesHistoryDays))
	if err != nil {
		e.log.LogAttrs(ctx, slog.LevelWarn, "shop time zone unknown; using the times' own zone",
			slog.String("shop", s.Shop), slog.String("error", err.Error()))
		return nil
	}
	zone := time.UTC
	if info.Timezone != "" {
		if z, err := time.LoadLocation(info.Timezone); err == nil {
			zone = z
		} else {
			e.log.LogAttrs(ctx, slog.LevelWarn, "shop time zone not in the time zone database; using UTC",
				slog.String("shop", s.Shop), slog.String("timezone", info.Timezone))
		}
	}
	e.mu.Lock()
	if ce := e.conns[s.Shop]; ce != nil && ce.conn == conn {
		ce.zone = zone
	}
	e.mu.Unlock()
	return zone
}

// dayIn returns the calendar day of t in zone (t's own zone if nil).
func dayIn(t time.Time, zone *time.Location) wms.Date {
	if zone != nil {
		t = t.In(zone)
	}
	return wms.DateOf(t)
}

// retryable reports whether err may go away on a retry.
func retryable(err error) bool {
	return err != nil && !errors.Is(err, wms.ErrInvalid) && !errors.Is(err, ErrInvalidPayload) && !errors.Is(err, ErrNotConfirmed)
}

// keyedMutex serialises work per key within the process.
type keyedMutex struct {
	mu    gosync.Mutex
	locks map[string]*keyedLock
}

type keyedLock struct {
	mu   gosync.Mutex
	refs int
}

// Lock locks key and returns its unlock function.
func (k *keyedMutex) Lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*keyedLock{}
	}
	l := k.locks[key]
	if l == nil {
		l = &keyedLock{}
		k.locks[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}
