package sync

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// ShopSystem is what the engine needs to know about a kind of shop
// (Shopify, WooCommerce ...) before it has a connector for one: how the
// system's settings are validated, and how its webhook events name a shop.
// A connector package provides its system (package shopify/connector:
// connector.ShopSystem()); the host lists the systems it serves in
// [Config.ShopSystems], and each shop's [Settings.System] names one.
//
// A ShopSystem must be safe for concurrent use and do no I/O. Optional
// capabilities are found by type assertion: [SingleLocation].
type ShopSystem interface {
	// Name names the system, such as "shopify". It is the
	// webhook.Event.Source of the system's webhook events and the value
	// of Settings.System of its shops.
	Name() string

	// CheckSettings validates and normalises the settings that are the
	// system's business (the admin URL, the API version) and returns
	// them; the engine checks the rest. It returns a [*SettingsError]
	// naming the field for bad input.
	CheckSettings(s Settings) (Settings, error)

	// EventShop returns how the system's webhook events name the shop
	// with the (checked) settings s, the webhook.Event.Shop the engine
	// matches events against: for Shopify the NAME.myshopify.com domain of
	// the admin URL, for WooCommerce the site URL.
	EventShop(s Settings) string
}

// SingleLocation is implemented by a [ShopSystem] whose shops keep one
// stock figure per product and have no locations (WooCommerce's core, for
// one). Their connectors report stock levels and orders without a location
// (LocationID ""), and get stock targets without one. The engine maps that
// empty location to the shop's warehouse: Settings.Locations[""] when the
// merchant chose one, the backend's default warehouse (the first of
// [wms.Backend.Warehouses]) otherwise. So a single-location shop needs no
// location mapping.
type SingleLocation interface {
	SingleLocation() bool
}

// DefaultShopSystem returns the system the engine uses when
// [Config.ShopSystems] is empty: named "" (so it takes webhook events of
// any source), it normalises the admin URL with [NormalizeAdminURL],
// accepts an API version of letters, digits, '.', '-', '_' and '/' (at most
// 32), and names a shop in events by the admin URL's host. Connector
// packages provide stricter systems of their own.
func DefaultShopSystem() ShopSystem { return defaultSystem{} }

type defaultSystem struct{}

var genericVersion = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,32}$`)

func (defaultSystem) Name() string { return "" }

func (defaultSystem) CheckSettings(s Settings) (Settings, error) {
	u, err := NormalizeAdminURL(s.AdminURL)
	if err != nil {
		return s, &SettingsError{Field: "admin_url", Reason: err.Error()}
	}
	s.AdminURL = u
	if s.APIVersion != "" && !genericVersion.MatchString(s.APIVersion) {
		return s, &SettingsError{Field: "api_version", Reason: fmt.Sprintf("%q is not a version", s.APIVersion)}
	}
	return s, nil
}

func (defaultSystem) EventShop(s Settings) string { return s.Domain() }

// system returns the shop system of s: the one Settings.System names, or,
// when it names none, the engine's only one.
func (e *Engine) system(s Settings) (ShopSystem, error) {
	systems := e.cfg.ShopSystems
	if s.System == "" && len(systems) == 1 {
		return systems[0], nil
	}
	names := make([]string, len(systems))
	for i, sys := range systems {
		if sys.Name() == s.System {
			return sys, nil
		}
		names[i] = fmt.Sprintf("%q", sys.Name())
	}
	if s.System == "" {
		return nil, &SettingsError{Field: "system", Reason: "required: the engine serves several shop systems: " + strings.Join(names, ", ")}
	}
	return nil, &SettingsError{Field: "system", Reason: fmt.Sprintf("%q is not one of the engine's shop systems (%s)", s.System, strings.Join(names, ", "))}
}

// singleLocation reports whether s's shop system has no locations.
func (e *Engine) singleLocation(s Settings) bool {
	sys, err := e.system(s)
	return err == nil && singleLocation(sys)
}

// singleLocation reports whether sys has no locations.
func singleLocation(sys ShopSystem) bool {
	sl, ok := sys.(SingleLocation)
	return ok && sl.SingleLocation()
}

// shopOfEvent finds the settings of the shop a webhook event of source
// names: a shop whose system takes the source (a system named "" takes
// every source, and an event without a source fits every system) and
// names the shop so.
//
// It remembers which shop an event's (source, shop) named and reads that
// shop's settings alone (one row, not every shop's), checking that they
// still name it; a shop removed or changed meanwhile falls back to the
// list. The settings themselves are always read fresh.
func (e *Engine) shopOfEvent(ctx context.Context, source, shop string) (Settings, error) {
	key := source + "\x00" + shop
	e.mu.Lock()
	id, ok := e.eventShops[key]
	e.mu.Unlock()
	if ok {
		s, err := e.store.Settings(ctx, id)
		switch {
		case err == nil && e.namesShop(s, source, shop):
			return s, nil
		case err != nil && !errors.Is(err, ErrNotFound):
			return Settings{}, err
		}
	}
	all, err := e.store.ListSettings(ctx)
	if err != nil {
		return Settings{}, err
	}
	for _, s := range all {
		if e.namesShop(s, source, shop) {
			e.mu.Lock()
			if e.eventShops == nil {
				e.eventShops = map[string]string{}
			}
			e.eventShops[key] = s.Shop
			e.mu.Unlock()
			return s, nil
		}
	}
	e.mu.Lock()
	delete(e.eventShops, key)
	e.mu.Unlock()
	return Settings{}, fmt.Errorf("%w: %q (source %q)", ErrUnknownShop, shop, source)
}

// namesShop reports whether an event of source naming shop is s's.
func (e *Engine) namesShop(s Settings, source, shop string) bool {
	sys, err := e.system(s)
	if err != nil {
		return false
	}
	if source != "" && sys.Name() != "" && sys.Name() != source {
		return false
	}
	return sys.EventShop(s) == shop
}

// places maps one shop's locations to warehouses and back, for the
// length of one operation: a single-location shop's warehouse (the
// mapping of the empty location, or the backend's default warehouse) is
// looked up once. Not safe for concurrent use.
type places struct {
	e      *Engine
	s      Settings
	single bool
	wh     string // the single-location shop's warehouse, once known
}

// places returns the location mapping of s.
func (e *Engine) places(s Settings) *places {
	return &places{e: e, s: s, single: e.singleLocation(s)}
}

// shopWarehouse returns the warehouse of a single-location shop's data.
func (p *places) shopWarehouse(ctx context.Context) (string, error) {
	if p.wh != "" {
		return p.wh, nil
	}
	if wh, ok := p.s.Warehouse(""); ok {
		p.wh = wh
		return wh, nil
	}
	whs, err := p.e.backend.Warehouses(ctx)
	if err != nil {
		return "", fmt.Errorf("sync: read warehouses: %w", err)
	}
	if len(whs) == 0 {
		return "", errors.New("sync: the backend has no warehouse")
	}
	p.wh = whs[0].ID
	return p.wh, nil
}

// warehouse returns the warehouse mapped to the shop location loc, and
// whether there is one: the mapping of Settings.Locations, or, for the
// empty location of a single-location shop, the shop's warehouse.
func (p *places) warehouse(ctx context.Context, loc string) (string, bool, error) {
	if wh, ok := p.s.Warehouse(loc); ok {
		return wh, true, nil
	}
	if loc != "" || !p.single {
		return "", false, nil
	}
	wh, err := p.shopWarehouse(ctx)
	return wh, err == nil, err
}

// locations returns the shop's locations mapped to warehouse, sorted; for
// a single-location shop whose warehouse it is, the empty location.
func (p *places) locations(ctx context.Context, warehouse string) ([]string, error) {
	locs := locationsOf(p.s, warehouse)
	if len(locs) > 0 || warehouse == "" || !p.single {
		return locs, nil
	}
	wh, err := p.shopWarehouse(ctx)
	if err != nil {
		return nil, err
	}
	if wh == warehouse {
		return []string{""}, nil
	}
	return nil, nil
}
