package storetest_test

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

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

type watermarkMovesBack struct {
	*memstore.Store
	set map[string]time.Time
}

func (s watermarkMovesBack) AdvanceWatermark(ctx context.Context, shop, name string, t time.Time) (time.Time, error) {
	s.set[shop+"/"+name] = t
	return t, nil
}

func (s watermarkMovesBack) Watermark(ctx context.Context, shop, name string) (time.Time, error) {
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

const brokenEnv = "STORETEST_BROKEN"

var broken = map[string]struct {
	store   func() wmssync.Store
	subtest string
}{
	"cas-ignores-rev":      {func() wmssync.Store { return casIgnoresRev{memstore.New()} }, "VersionCompareAndSwap"},
	"cas-concurrent":       {func() wmssync.Store { return casIgnoresRev{memstore.New()} }, "VersionConcurrent"},
	"watermark-moves-back": {func() wmssync.Store { return watermarkMovesBack{memstore.New(), map[string]time.Time{}} }, "WatermarkAdvance"},
	"not-found-is-nil":     {func() wmssync.Store { return notFoundIsNil{memstore.New()} }, "SettingsNotFound"},
	"keeps-callers-map":    {func() wmssync.Store { return keepsCallersMap{memstore.New(), map[string]wmssync.Settings{}} }, "SettingsIsolation"},
	"unordered-list":       {func() wmssync.Store { return unordered{memstore.New()} }, "SettingsReplaceListDelete"},
	"ignores-context":      {func() wmssync.Store { return ignoresContext{memstore.New()} }, "CancelledContext"},
	"steps-mix-shops":      {func() wmssync.Store { return stepsMixShops{memstore.New()} }, "StepsPerShop"},
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
	for mode, b := range broken {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStore$/^"+b.subtest+"$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), brokenEnv+"="+mode)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the kit passed a store that breaks %s:\n%s", b.subtest, out)
			}
			if want := "--- FAIL: TestBrokenStore/" + b.subtest; !strings.Contains(string(out), want) {
				t.Fatalf("want %q in the output:\n%s", want, out)
			}
		})
	}
}
