package sync

import (
	"context"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

// Store is the engine's durable state: shop settings, setup step state with
// checkpoints, the version of every entity applied, reconciliation
// watermarks, and the webhook inbox the [webhook.Handler] writes into. It
// is composed of small interfaces, each a table or two in a SQL database.
//
// A Store must be safe for concurrent use by multiple goroutines and, for a
// durable store, by several processes sharing it. Each method is
// atomic. A write that returns nil is durable. Methods return ctx.Err()
// (possibly wrapped) when the context ends first; any other error is taken
// as transient and the engine retries later.
//
// Stores hold no secrets: the engine never passes one to them.
//
// Package [github.com/wmsbridge/wmsbridge/sync/memstore] is the in-memory
// implementation; [github.com/wmsbridge/wmsbridge/sync/storetest.Run]
// checks any implementation against this contract, including the inbox
// part (with webhook/inboxtest).
type Store interface {
	SettingsStore
	StepStore
	VersionStore
	WatermarkStore
	webhook.Store
}

// SettingsStore keeps each shop's [Settings], keyed by Settings.Shop.
type SettingsStore interface {
	// SaveSettings creates or replaces the settings of s.Shop. The engine
	// validates before saving; the store keeps the value as given (a SQL
	// store may keep it as JSON). Saving the same settings twice is
	// harmless.
	SaveSettings(ctx context.Context, s Settings) error
	// Settings returns the settings of shop, or an error matching
	// [ErrNotFound].
	Settings(ctx context.Context, shop string) (Settings, error)
	// ListSettings returns the settings of every shop, ordered by
	// Settings.Shop.
	ListSettings(ctx context.Context) ([]Settings, error)
	// DeleteSettings removes shop's settings. Deleting a shop that is not
	// there returns nil. It removes nothing else: step states, versions
	// and watermarks of the shop stay until the host removes them.
	DeleteSettings(ctx context.Context, shop string) error
}

// StepStore keeps the state of each shop's setup steps, keyed by (Shop,
// Step).
type StepStore interface {
	// SaveStep creates or replaces the state of (st.Shop, st.Step). The
	// engine saves after each page a step applied, so the checkpoint is at
	// most one page behind the backend.
	SaveStep(ctx context.Context, st StepState) error
	// Steps returns the saved states of shop's steps, in any order; a step
	// never saved is absent (the engine treats it as pending). An unknown
	// shop returns an empty slice and a nil error.
	Steps(ctx context.Context, shop string) ([]StepState, error)
}

// EntityKey identifies one entity of one shop for staleness protection:
// Kind is "product" or "order", ID the shop's external id.
type EntityKey struct {
	Shop string `json:"shop"`
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// The entity kinds of EntityKey.
const (
	KindProduct = "product"
	KindOrder   = "order"
)

// String returns "shop/kind/id" for logs.
func (k EntityKey) String() string { return k.Shop + "/" + k.Kind + "/" + k.ID }

// VersionStore keeps the [webhook.Version] of the data the engine last
// applied to the backend for each entity, with a revision number for
// compare-and-swap. The engine compares versions itself (with
// webhook.Version.Supersedes), so the store compares only revisions: plain
// SQL does it with "UPDATE ... WHERE rev = ?" and "INSERT ... ON CONFLICT
// DO NOTHING".
type VersionStore interface {
	// Version returns the version stored for key and its revision, which
	// is at least 1. A key never stored returns the zero Version,
	// revision 0 and a nil error.
	Version(ctx context.Context, key EntityKey) (v webhook.Version, rev int64, err error)
	// SetVersion stores v for key if the key's revision is still rev (0:
	// the key is not stored yet) and returns ok=true; the new revision is
	// rev+1. If the revision moved on (another writer won), it stores
	// nothing and returns ok=false with a nil error. Of concurrent
	// SetVersions with the same key and rev, exactly one returns ok=true.
	// Times are stored with at least microsecond precision; a store may
	// drop the monotonic clock reading and the location (times come back
	// in UTC or any location, as the same instant).
	SetVersion(ctx context.Context, key EntityKey, v webhook.Version, rev int64) (ok bool, err error)
}

// WatermarkStore keeps reconciliation watermarks: per shop and name (such
// as "orders"), the time up to which the shop's changes are known to be
// applied.
type WatermarkStore interface {
	// Watermark returns the watermark, or the zero time and a nil error if
	// none was set.
	Watermark(ctx context.Context, shop, name string) (time.Time, error)
	// AdvanceWatermark sets the watermark to t if t is after the stored
	// one (or none is stored), and otherwise leaves it: a watermark never
	// moves back, so concurrent sweeps in several processes are safe. It
	// returns the watermark in force afterwards.
	AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error)
}
