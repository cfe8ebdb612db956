package storetest_test

import (
	"context"
	"os"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/kitcheck"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// The kit on the reference store is run by package memstore's tests; here
// each broken store breaks one rule of the contract, and the kit must fail
// the subtest named for that rule.

type casIgnoresRev struct{ *memstore.Store }

func (s casIgnoresRev) SetVersion(ctx context.Context, k wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	_, cur, err := s.Store.Version(ctx, k)
	if err != nil {
		return false, err
	}
	return s.Store.SetVersion(ctx, k, v, cur) // last writer wins
}

// watermarkMovesBack sets a watermark to whatever it is given, earlier or
// not. Its map is locked: the planted bug is the lost monotonicity, not a
// data race (which would crash the kit's child under -race instead of
// failing the subtest that should catch it).
type watermarkMovesBack struct {
	*memstore.Store
	mu  *gosync.Mutex
	set map[string]time.Time
}

func (s watermarkMovesBack) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.set[shop+"/"+name] = t
	return t, nil
}

func (s watermarkMovesBack) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set[shop+"/"+name], nil
}

type notFoundIsNil struct{ *memstore.Store }

func (s notFoundIsNil) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	st, err := s.Store.Settings(ctx, shop)
	if err != nil && ctx.Err() == nil {
		return wmssync.Settings{}, nil
	}
	return st, err
}

type keepsCallersMap struct {
	*memstore.Store
	saved map[string]wmssync.Settings
}

func (s keepsCallersMap) SaveSettings(ctx context.Context, st wmssync.Settings) error {
	s.saved[st.Shop] = st
	return s.Store.SaveSettings(ctx, st)
}

func (s keepsCallersMap) Settings(ctx context.Context, shop string) (wmssync.Settings, error) {
	if st, ok := s.saved[shop]; ok {
		return st, nil
	}
	return s.Store.Settings(ctx, shop)
}

type unordered struct{ *memstore.Store }

func (s unordered) ListSettings(ctx context.Context) ([]wmssync.Settings, error) {
	l, err := s.Store.ListSettings(ctx)
	slices.Reverse(l)
	return l, err
}

type ignoresContext struct{ *memstore.Store }

func (s ignoresContext) SetVersion(ctx context.Context, k wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	return s.Store.SetVersion(context.Background(), k, v, rev)
}

type stepsMixShops struct{ *memstore.Store }

func (s stepsMixShops) Steps(ctx context.Context, shop string) ([]wmssync.StepState, error) {
	a, err := s.Store.Steps(ctx, "a")
	if err != nil {
		return nil, err
	}
	b, err := s.Store.Steps(ctx, "b")
	return append(a, b...), err
}

// The planted bugs below break the optional capabilities and the parts of
// the contract the engine's correctness rests on: a message or an update
// that goes missing, a claim or lease granted twice.

type outboxDropsLast struct{ *memstore.Store }

func (s outboxDropsLast) AddOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	return s.Store.AddOutbox(ctx, msgs[:max(len(msgs)-1, 0)]) // acknowledged, never stored
}

type outboxNoLease struct{ *memstore.Store }

func (s outboxNoLease) ClaimOutbox(ctx context.Context, shop string, now time.Time, lease time.Duration, limit int) ([]wmssync.OutboxMessage, error) {
	return s.Store.ClaimOutbox(ctx, shop, now, 0, limit) // claimed messages are claimable again at once
}

type outboxNeverDead struct{ *memstore.Store }

func (s outboxNeverDead) UpdateOutbox(ctx context.Context, msgs []wmssync.OutboxMessage) error {
	msgs = slices.Clone(msgs)
	for i := range msgs {
		if msgs[i].State == wmssync.OutboxDead {
			msgs[i].State = wmssync.OutboxPending // retried for ever instead of parked
		}
	}
	return s.Store.UpdateOutbox(ctx, msgs)
}

type leaseAlwaysGranted struct{ *memstore.Store }

func (s leaseAlwaysGranted) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	_, err := s.Store.AcquireLease(ctx, name, owner, ttl)
	return err == nil, err
}

type leaseReleasedByAnyone struct{ *memstore.Store }

func (s leaseReleasedByAnyone) ReleaseLease(ctx context.Context, name, owner string) error {
	for _, o := range []string{"a", "b", owner} {
		if err := s.Store.ReleaseLease(ctx, name, o); err != nil {
			return err
		}
	}
	return nil
}

type prunesNewer struct{ *memstore.Store }

func (s prunesNewer) PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	return s.Store.PruneVersions(ctx, kind, before.Add(24*time.Hour), limit)
}

type prunesUnbounded struct{ *memstore.Store }

func (s prunesUnbounded) PruneVersions(ctx context.Context, kind string, before time.Time, limit int) (int, error) {
	return s.Store.PruneVersions(ctx, kind, before, 1<<30)
}

type settingsFirstWriteWins struct{ *memstore.Store }

func (s settingsFirstWriteWins) SaveSettings(ctx context.Context, st wmssync.Settings) error {
	if _, err := s.Store.Settings(ctx, st.Shop); err == nil {
		return nil // the update is acknowledged and lost
	}
	return s.Store.SaveSettings(ctx, st)
}

type versionSeconds struct{ *memstore.Store }

func (s versionSeconds) SetVersion(ctx context.Context, k wmssync.EntityKey, v webhook.Version, rev int64) (bool, error) {
	v.TriggeredAt = v.TriggeredAt.Truncate(time.Second) // X-Shopify-Triggered-At's fraction lost
	return s.Store.SetVersion(ctx, k, v, rev)
}

type stepLosesCheckpoint struct{ *memstore.Store }

func (s stepLosesCheckpoint) SaveStep(ctx context.Context, st wmssync.StepState) error {
	st.Checkpoint = ""
	return s.Store.SaveStep(ctx, st)
}

// batchCASIgnoresRev stores every batched write, whatever its revision.
type batchCASIgnoresRev struct{ *memstore.Store }

func (s batchCASIgnoresRev) SetVersions(ctx context.Context, writes []wmssync.VersionWrite) ([]bool, error) {
	out := make([]bool, len(writes))
	for i, w := range writes {
		_, rev, err := s.Version(ctx, w.Key)
		if err != nil {
			return nil, err
		}
		if out[i], err = s.SetVersion(ctx, w.Key, w.Version, rev); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type inboxFailCompletes struct{ *memstore.Store }

func (s inboxFailCompletes) Fail(ctx context.Context, id, reason string) error {
	return s.Store.Complete(ctx, id) // the dead letter is lost: nobody sees or replays it
}

const brokenEnv = "STORETEST_BROKEN"

// broken are stores with one planted bug each and the subtests of the kit
// that must fail on it (and no others).
var broken = map[string]struct {
	store    func() wmssync.Store
	wantFail []string
}{
	"cas-ignores-rev": {func() wmssync.Store { return casIgnoresRev{memstore.New()} }, []string{"VersionCompareAndSwap", "VersionConcurrent"}},
	"watermark-moves-back": {func() wmssync.Store {
		return watermarkMovesBack{memstore.New(), &gosync.Mutex{}, map[string]time.Time{}}
	}, []string{"WatermarkAdvance"}},
	"not-found-is-nil":  {func() wmssync.Store { return notFoundIsNil{memstore.New()} }, []string{"SettingsNotFound"}},
	"keeps-callers-map": {func() wmssync.Store { return keepsCallersMap{memstore.New(), map[string]wmssync.Settings{}} }, []string{"SettingsIsolation"}},
	"unordered-list":    {func() wmssync.Store { return unordered{memstore.New()} }, []string{"SettingsReplaceListDelete"}},
	"ignores-context":   {func() wmssync.Store { return ignoresContext{memstore.New()} }, []string{"CancelledContext"}},
	"steps-mix-shops":   {func() wmssync.Store { return stepsMixShops{memstore.New()} }, []string{"StepsPerShop"}},
	"outbox-loses-a-message": {func() wmssync.Store { return outboxDropsLast{memstore.New()} },
		[]string{"Outbox/AddRoundTripAndDedupe"}},
	"outbox-claims-twice": {func() wmssync.Store { return outboxNoLease{memstore.New()} },
		[]string{"Outbox/ClaimDueAndLease"}},
	"outbox-never-parks": {func() wmssync.Store { return outboxNeverDead{memstore.New()} },
		[]string{"Outbox/UpdateDeadAndReplay"}},
	"lease-granted-twice": {func() wmssync.Store { return leaseAlwaysGranted{memstore.New()} },
		[]string{"Leases/AcquireRenewRelease", "Leases/Concurrent"}},
	"lease-released-by-anyone": {func() wmssync.Store { return leaseReleasedByAnyone{memstore.New()} },
		[]string{"Leases/AcquireRenewRelease"}},
	"prunes-newer-versions": {func() wmssync.Store { return prunesNewer{memstore.New()} },
		[]string{"PruneVersions/NewestTime"}},
	"prunes-beyond-limit": {func() wmssync.Store { return prunesUnbounded{memstore.New()} },
		[]string{"PruneVersions/Batches"}},
	"settings-update-lost": {func() wmssync.Store { return settingsFirstWriteWins{memstore.New()} },
		[]string{"SettingsReplaceListDelete"}},
	"version-loses-fraction": {func() wmssync.Store { return versionSeconds{memstore.New()} },
		[]string{"VersionTimes"}},
	"step-loses-checkpoint": {func() wmssync.Store { return stepLosesCheckpoint{memstore.New()} },
		[]string{"StepsRoundTrip"}},
	"inbox-fail-loses-the-event": {func() wmssync.Store { return inboxFailCompletes{memstore.New()} },
		[]string{"QueueInspector/InboxDepth"}},
	"batch-cas-ignores-rev": {func() wmssync.Store { return batchCASIgnoresRev{memstore.New()} },
		[]string{"VersionBatch/CompareAndSwap", "VersionBatch/Concurrent"}},
}

// TestBrokenStore runs the kit on the broken store named by the
// environment; it is a helper of TestKitCatchesBrokenStores.
func TestBrokenStore(t *testing.T) {
	b, ok := broken[os.Getenv(brokenEnv)]
	if !ok {
		t.Skip("helper for TestKitCatchesBrokenStores")
	}
	storetest.Run(t, func(t *testing.T) wmssync.Store { return b.store() })
}

func TestKitCatchesBrokenStores(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("child process")
	}
	for mode, b := range broken {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			kitcheck.Expect(t, "TestBrokenStore", brokenEnv, mode, b.wantFail...)
		})
	}
}
