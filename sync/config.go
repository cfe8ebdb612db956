package sync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/wmsbridge/wmsbridge/wms"
)

// Defaults of Config.
const (
	DefaultWorkers           = 4
	DefaultReconcileInterval = 5 * time.Minute
	DefaultReconcileOverlap  = 10 * time.Minute
	DefaultAuditInterval     = time.Hour
	// DefaultStockAuditInterval: every shop's stock is audited once a
	// day.
	DefaultStockAuditInterval = 24 * time.Hour
	DefaultBatchSize          = 250
	DefaultSalesHistoryDays   = 365
	DefaultLeaseTTL           = time.Minute
)

// Config configures an [Engine]. Backend, Store and Connect are required;
// every other field has a default, applied by [NewEngine].
type Config struct {
	// Backend is the warehouse. Required.
	Backend wms.Backend
	// Store keeps the engine's state and the webhook inbox. Required.
	Store Store
	// Connect returns the connector for a shop, with the credentials the
	// host keeps for it (secrets never go into Settings or the Store).
	// The engine calls it when it first needs the shop and again after
	// the shop's settings changed, and keeps the result meanwhile; it may
	// be called concurrently. Required.
	//
	// Return a connector even for a shop whose credentials the host
	// deleted (after a [ShopDisconnected] event): its calls then fail with
	// [ErrUnauthorized], which is how the engine confirms the shop's later
	// erasure request before it erases anything. An error from Connect
	// makes that request's event retry instead.
	Connect func(ctx context.Context, s Settings) (Connector, error)

	// OnShopEvent, when set, is told of changes in a shop's relation to the
	// app that the host must act on (see [ShopEvent]): the shop removed
	// the app (delete its credentials), was reconnected, changed the
	// access granted, or forwarded a customer's data request or a
	// redaction request. The engine calls it while handling the webhook
	// event that reported it, which the inbox stored before the shop got
	// its answer; an error makes the inbox retry the event later, so the
	// function must be idempotent. Privacy requests reach it before the
	// engine erases its own copies. Default: nothing is called.
	OnShopEvent func(ctx context.Context, ev ShopEvent) error

	// ShopSystems are the shop systems the engine serves (see
	// [ShopSystem]; package shopify/connector has Shopify's), each with a
	// distinct name; a shop's Settings.System names one. Default: one
	// system, [DefaultShopSystem].
	ShopSystems []ShopSystem
	// Logger receives the engine's structured logs. Default: discard (no
	// package of this module logs unless given a logger).
	Logger *slog.Logger
	// MeterProvider receives the engine's OpenTelemetry metrics (see
	// the list in the package documentation). Default: none (a no-op
	// provider).
	MeterProvider metric.MeterProvider
	// Now is the engine's clock. Default time.Now. Tests set it so that
	// nothing sleeps.
	Now func() time.Time

	// Workers is the number of inbox events handled at once by Run
	// (default DefaultWorkers). Events of one entity are applied one at a
	// time whatever the number.
	Workers int
	// BatchSize caps the products written to the backend per call
	// (default DefaultBatchSize).
	BatchSize int
	// ReconcileInterval is the pause between reconciliation sweeps in Run
	// (default DefaultReconcileInterval).
	ReconcileInterval time.Duration
	// ReconcileOverlap is how far before the last watermark a sweep starts
	// reading, to cover clock skew and changes committed late (default
	// DefaultReconcileOverlap).
	ReconcileOverlap time.Duration
	// AuditInterval is the pause between webhook subscription audits in
	// Run (default DefaultAuditInterval).
	AuditInterval time.Duration
	// StockAuditInterval is how often Run audits each shop's stock against
	// the warehouse and corrects what drifted ([Engine.AuditStock]), for
	// shops with stock messages on whose connector lists stock
	// ([StockLister]) and a backend that reports it ([wms.StockReader]).
	// Default DefaultStockAuditInterval (daily): the warehouse is the stock
	// master, and a level changed in the shop by hand or a stock message
	// given up would otherwise stay wrong until the SKU changes again. A
	// negative value switches the periodic audit off (AuditStock still
	// works). Run checks hourly which shops are due, by the time of their
	// last audit in the Store, so restarts do not repeat an audit; a shop
	// never audited is due at the first check, an hour after Run starts.
	StockAuditInterval time.Duration
	// SalesHistoryDays is how far back the sales history goes when
	// Settings.SalesHistorySince is zero (default DefaultSalesHistoryDays).
	SalesHistoryDays int
	// Outbound tunes the outbox dispatcher; see OutboundConfig.
	Outbound OutboundConfig

	// LeaseTTL is how long a lease on a setup step or a reconciliation
	// sweep lasts without renewal, when the Store is a [Leaser] (default
	// DefaultLeaseTTL). The engine renews it every LeaseTTL/3; when a
	// process dies, another takes the work over from its checkpoint once
	// the lease ran out.
	LeaseTTL time.Duration
	// Owner names this engine in leases (default: a random id per
	// Engine). Engines sharing a store need distinct owners, e.g. host
	// name and PID. A process restarted after a crash under a new owner
	// waits until the dead one's lease ran out (LeaseTTL) before it
	// resumes a step that was running (RunStep returns ErrLeaseHeld
	// meanwhile); a host that runs one process per store can set a fixed
	// Owner to resume at once.
	Owner string

	// VersionRetention is how long the engine keeps the stored version of
	// an order or a product (see [VersionStore]) after its newest time,
	// when the Store is a [VersionPruner]: Run deletes older ones once
	// shortly after it starts and then once a day. Default
	// DefaultVersionRetention (90 days); a negative value disables
	// pruning; a positive value under MinVersionRetention (7 days), or
	// not above twice ReconcileOverlap, is rejected by NewEngine.
	//
	// Why this is safe: a version only protects against an older
	// delivery overwriting newer data. Shop systems retry a webhook for a
	// day or two at most (some never do), and reconciliation sweeps read
	// the shop's current
	// state (never older than ReconcileOverlap before the watermark), so
	// once a version is older than the retention no delivery or sweep
	// that could carry older data is still to come, and a key read as
	// never stored lets the next (current) data apply, as it should. The
	// exception is a delivery the host replays from the inbox's failed
	// entries after the retention: it is applied as if new; the next
	// sweep brings the entity back to the shop's current state. An order
	// whose version was pruned counts as never applied when it changes
	// again (after months): one created before the orders step started is
	// then ignored, and a cancellation of one at a location mapped
	// to no warehouse is ignored too. Barcode marks are never pruned (see
	// VersionPruner).
	VersionRetention time.Duration
	// InboxRetention is how long completed webhook events are kept in the
	// inbox when the Store is an [InboxPruner]: Run deletes older ones at
	// start and then every hour, in batches of short writes. Default
	// DefaultInboxRetention (7 days); a negative value disables it; a
	// positive value under MinInboxRetention (3 days) is rejected by
	// NewEngine. Failed events (dead letters) are never pruned.
	InboxRetention time.Duration
	// OutboxRetention is how long done outbox messages are kept when the
	// Store is an [OutboxPruner] (pruned with the inbox). Default
	// DefaultOutboxRetention (14 days); a negative value disables it; a
	// positive value under MinOutboxRetention (7 days) is rejected.
	// Pending and dead messages are never pruned.
	OutboxRetention time.Duration
}

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	switch {
	case cfg.Backend == nil:
		return cfg, errors.New("sync: Config.Backend is required")
	case cfg.Store == nil:
		return cfg, errors.New("sync: Config.Store is required")
	case cfg.Connect == nil:
		return cfg, errors.New("sync: Config.Connect is required")
	case cfg.Workers < 0, cfg.BatchSize < 0, cfg.ReconcileInterval < 0, cfg.ReconcileOverlap < 0,
		cfg.AuditInterval < 0, cfg.SalesHistoryDays < 0, cfg.LeaseTTL < 0:
		return cfg, errors.New("sync: Config has a negative number")
	}
	if len(cfg.ShopSystems) == 0 {
		cfg.ShopSystems = []ShopSystem{DefaultShopSystem()}
	}
	names := map[string]bool{}
	for _, sys := range cfg.ShopSystems {
		switch {
		case sys == nil:
			return cfg, errors.New("sync: Config.ShopSystems holds a nil ShopSystem")
		case names[sys.Name()]:
			return cfg, fmt.Errorf("sync: Config.ShopSystems names %q twice", sys.Name())
		}
		names[sys.Name()] = true
	}
	cfg.ShopSystems = slices.Clone(cfg.ShopSystems)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Owner == "" {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return cfg, fmt.Errorf("sync: lease owner id: %w", err)
		}
		cfg.Owner = "engine-" + hex.EncodeToString(b[:])
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.ReconcileInterval == 0 {
		cfg.ReconcileInterval = DefaultReconcileInterval
	}
	if cfg.ReconcileOverlap == 0 {
		cfg.ReconcileOverlap = DefaultReconcileOverlap
	}
	if cfg.AuditInterval == 0 {
		cfg.AuditInterval = DefaultAuditInterval
	}
	if cfg.StockAuditInterval == 0 {
		cfg.StockAuditInterval = DefaultStockAuditInterval
	}
	if cfg.SalesHistoryDays == 0 {
		cfg.SalesHistoryDays = DefaultSalesHistoryDays
	}
	if cfg.VersionRetention == 0 {
		cfg.VersionRetention = DefaultVersionRetention
	}
	if cfg.InboxRetention == 0 {
		cfg.InboxRetention = DefaultInboxRetention
	}
	if r := cfg.InboxRetention; r > 0 && r < MinInboxRetention {
		return cfg, fmt.Errorf("sync: Config.InboxRetention %v is too short: want at least %v, or a negative value to disable pruning", r, MinInboxRetention)
	}
	if cfg.OutboxRetention == 0 {
		cfg.OutboxRetention = DefaultOutboxRetention
	}
	if r := cfg.OutboxRetention; r > 0 && r < MinOutboxRetention {
		return cfg, fmt.Errorf("sync: Config.OutboxRetention %v is too short: want at least %v, or a negative value to disable pruning", r, MinOutboxRetention)
	}
	if r := cfg.VersionRetention; r > 0 && (r < MinVersionRetention || r <= 2*cfg.ReconcileOverlap) {
		return cfg, fmt.Errorf("sync: Config.VersionRetention %v is too short: want at least %v (longer than any shop system retries a webhook) and more than twice ReconcileOverlap (%v), or a negative value to disable pruning",
			r, MinVersionRetention, cfg.ReconcileOverlap)
	}
	return cfg, nil
}
