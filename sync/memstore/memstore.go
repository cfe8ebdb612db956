// Package memstore is an in-memory [wmssync.Store]: settings, setup step
// state, entity versions, watermarks, a webhook inbox and the outbox
// ([wmssync.OutboxStore]), kept in maps
// behind a mutex. It honours the Store contract except durability
// (everything is lost with the process), so it suits tests, examples and
// trying the engine out; production wants a durable store.
//
//	store := memstore.New()
//	engine, err := wmssync.NewEngine(wmssync.Config{Store: store, ...})
//
// It passes [github.com/wmsbridge/wmsbridge/sync/storetest].
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// Store is the in-memory store. It is safe for concurrent use; the zero
// value is not usable, call New.
type Store struct {
	// MemoryInbox is the webhook inbox part (webhook.Inbox and
	// webhook.Queue); its Stats, Failed and Forget methods are available
	// on the Store.
	*webhook.MemoryInbox

	mu         gosync.Mutex
	settings   map[string]wmssync.Settings
	steps      map[stepKey]wmssync.StepState
	versions   map[wmssync.EntityKey]versionRec
	watermarks map[markKey]time.Time

	outbox outboxTable // outbox.go

	now    func() time.Time
	leases map[string]lease // lease.go
}

type stepKey struct {
	shop string
	step wmssync.Step
}

type markKey struct{ shop, name string }

type versionRec struct {
	v   webhook.Version
	rev int64
}

var _ wmssync.Store = (*Store)(nil)

// Option configures a Store.
type Option func(*options)

type options struct{ now func() time.Time }

// WithClock sets the clock of the inbox (due times and leases) and of the
// named leases ([wmssync.Leaser]); default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// New returns an empty Store.
func New(opts ...Option) *Store {
	o := options{now: time.Now}
	for _, f := range opts {
		f(&o)
	}
	return &Store{
		MemoryInbox: webhook.NewMemoryInbox(webhook.WithMemoryClock(o.now)),
		settings:    map[string]wmssync.Settings{},
		steps:       map[stepKey]wmssync.StepState{},
		versions:    map[wmssync.EntityKey]versionRec{},
		watermarks:  map[markKey]time.Time{},
		now:         o.now,
		leases:      map[string]lease{},
	}
}

// SaveSettings implements wmssync.SettingsStore.
func (s *Store) SaveSettings(ctx context.Context, st wmssync.Settings) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.Shop == "" {
		return fmt.Errorf("memstore: settings without shop id")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings[st.Shop] = st.Clone()
	return nil
}

// Settings implements wmssync.SettingsStore.
func (s *Store) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	if err := ctx.Err(); err != nil {
		return wmssync.Settings{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.settings[shop]
	if !ok {
		return wmssync.Settings{}, fmt.Errorf("memstore: shop %q: %w", shop, wmssync.ErrNotFound)
	}
	return st.Clone(), nil
}

// ListSettings implements wmssync.SettingsStore.
func (s *Store) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wmssync.Settings, 0, len(s.settings))
	for _, st := range s.settings {
		out = append(out, st.Clone())
	}
	slices.SortFunc(out, func(a, b wmssync.Settings) int { return cmp.Compare(a.Shop, b.Shop) })
	return out, nil
}

// DeleteSettings implements wmssync.SettingsStore.
func (s *Store) DeleteSettings(ctx context.Context, shop string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.settings, shop)
	return nil
}

// SaveStep implements wmssync.StepStore.
func (s *Store) SaveStep(ctx context.Context, st wmssync.StepState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if st.Shop == "" || st.Step == "" {
		return fmt.Errorf("memstore: step state without shop or step")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.steps[stepKey{st.Shop, st.Step}] = st
	return nil
}

// Steps implements wmssync.StepStore.
func (s *Store) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []wmssync.StepState{}
	for k, st := range s.steps {
		if k.shop == shop {
			out = append(out, st)
		}
	}
	slices.SortFunc(out, func(a, b wmssync.StepState) int { return cmp.Compare(a.Step, b.Step) })
	return out, nil
}

// Version implements wmssync.VersionStore.
func (s *Store) Version(ctx context.Context, key wmssync.EntityKey) (webhook.Version, int64, error) {
	if err := ctx.Err(); err != nil {
		return webhook.Version{}, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.versions[key]
	return r.v, r.rev, nil
}

// SetVersion implements wmssync.VersionStore.
func (s *Store) SetVersion(ctx context.Context, key wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.versions[key].rev != rev {
		return false, nil
	}
	s.versions[key] = versionRec{v: v, rev: rev + 1}
	return true, nil
}

var _ wmssync.VersionBatcher = (*Store)(nil)

// Versions implements wmssync.VersionBatcher.
func (s *Store) Versions(ctx context.Context, keys []wmssync.EntityKey) ([]wmssync.StoredVersion, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]wmssync.StoredVersion, len(keys))
	for i, k := range keys {
		r := s.versions[k]
		out[i] = wmssync.StoredVersion{Version: r.v, Rev: r.rev}
	}
	return out, nil
}

// SetVersions implements wmssync.VersionBatcher.
func (s *Store) SetVersions(ctx context.Context, writes []wmssync.VersionWrite) ([]bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]bool, len(writes))
	for i, w := range writes {
		if s.versions[w.Key].rev != w.Rev {
			continue
		}
		s.versions[w.Key] = versionRec{v: w.Version, rev: w.Rev + 1}
		out[i] = true
	}
	return out, nil
}

// Watermark implements wmssync.WatermarkStore.
func (s *Store) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.watermarks[markKey{shop, name}], nil
}

// AdvanceWatermark implements wmssync.WatermarkStore.
func (s *Store) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := markKey{shop, name}
	if cur := s.watermarks[k]; t.After(cur) {
		s.watermarks[k] = t
	}
	return s.watermarks[k], nil
}

var _ wmssync.QueueInspector = (*Store)(nil)

// InboxDepth implements [wmssync.QueueInspector].
func (s *Store) InboxDepth(ctx context.Context, shop string) (wmssync.QueueDepth, error) {
	if err := ctx.Err(); err != nil {
		return wmssync.QueueDepth{}, err
	}
	var d wmssync.QueueDepth
	d.Pending, d.Oldest, d.Failed = s.MemoryInbox.Depth(shop)
	return d, nil
}

var _ wmssync.InboxPruner = (*Store)(nil)

// PruneInbox implements [wmssync.InboxPruner].
func (s *Store) PruneInbox(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.MemoryInbox.ForgetCompleted(before, limit), nil
}

var _ wmssync.FailureStore = (*Store)(nil)

// FailedEvents implements [wmssync.FailureStore].
func (s *Store) FailedEvents(ctx context.Context, shop string, limit int) ([]webhook.Job, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := []webhook.Job{}
	for _, j := range s.MemoryInbox.Failed() {
		if (shop == "" || j.Event.Shop == shop) && (limit <= 0 || len(out) < limit) {
			out = append(out, j)
		}
	}
	return out, nil
}

// CountFailed implements [wmssync.FailureStore].
func (s *Store) CountFailed(ctx context.Context, class wmssync.FailureClass, shop string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	switch class {
	case wmssync.FailureInbound:
		for _, j := range s.MemoryInbox.Failed() {
			if shop == "" || j.Event.Shop == shop {
				n++
			}
		}
	case wmssync.FailureOutbound:
		t := &s.outbox
		t.mu.Lock()
		defer t.mu.Unlock()
		for k, r := range t.rows {
			if (shop == "" || k.shop == shop) && r.State == wmssync.OutboxDead {
				n++
			}
		}
	default:
		return 0, fmt.Errorf("memstore: unknown failure class %q", class)
	}
	return n, nil
}

// ReplayEvent implements [wmssync.FailureStore].
func (s *Store) ReplayEvent(ctx context.Context, webhookID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.MemoryInbox.Replay(webhookID)
}

// DiscardEvent implements [wmssync.FailureStore].
func (s *Store) DiscardEvent(ctx context.Context, webhookID, reason string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.MemoryInbox.Discard(webhookID, wmssync.DiscardPrefix+reason)
}
