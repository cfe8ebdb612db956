// Package storetest is a conformance kit for implementations of
// [wmssync.Store], in the spirit of River's driver tests and
// testing/fstest. A store proves it keeps the contract documented on the
// Store interfaces with one test in its own package:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) wmssync.Store {
//			return newEmptyStore(t) // a fresh, empty store per subtest
//		})
//	}
//
// Run covers settings, step states, entity versions (compare-and-swap under
// concurrency), watermarks, cancelled contexts, and the webhook inbox part
// with [inboxtest.Run]. Run it with -race: the concurrency subtests are
// meant to find races as much as wrong answers. The inbox subtests use the
// wall clock (see inboxtest.LeaseSlack).
package storetest

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/webhook/inboxtest"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Run runs the conformance kit as subtests of t. newStore must return a
// new, empty store for each call; it gets the subtest's t, for t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s wmssync.Store)
	}{
		{"SettingsRoundTrip", testSettingsRoundTrip},
		{"SettingsNotFound", testSettingsNotFound},
		{"SettingsReplaceListDelete", testSettingsReplaceListDelete},
		{"SettingsIsolation", testSettingsIsolation},
		{"StepsRoundTrip", testStepsRoundTrip},
		{"StepsPerShop", testStepsPerShop},
		{"VersionUnknown", testVersionUnknown},
		{"VersionCompareAndSwap", testVersionCAS},
		{"VersionTimes", testVersionTimes},
		{"VersionConcurrent", testVersionConcurrent},
		{"VersionKeysDistinct", testVersionKeys},
		{"WatermarkAdvance", testWatermarkAdvance},
		{"WatermarkConcurrent", testWatermarkConcurrent},
		{"CancelledContext", testCancelled},
		{"InboxFairness", testInboxFairness}, // fairness.go
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
	t.Run("Outbox", func(t *testing.T) { runOutbox(t, newStore) }) // outbox.go
	t.Run("Leases", func(t *testing.T) { runLeases(t, newStore) }) // lease.go
	t.Run("PruneVersions", func(t *testing.T) { runPruneVersions(t, newStore) })
	t.Run("VersionBatch", func(t *testing.T) { runVersionBatch(t, newStore) })
	t.Run("QueueInspector", func(t *testing.T) { runQueueInspector(t, newStore) })             // inspect.go
	t.Run("Retention", func(t *testing.T) { runRetention(t, newStore) })                       // retention.go
	t.Run("FailureStore", func(t *testing.T) { runFailureStore(t, newStore) })                 // failures.go
	t.Run("FailureCountOutbound", func(t *testing.T) { runFailureCountOutbound(t, newStore) }) // failures.go
	t.Run("ListVersions", func(t *testing.T) { runListVersions(t, newStore) })
	t.Run("Erase", func(t *testing.T) { runErase(t, newStore) }) // erase.go
	t.Run("Inbox", func(t *testing.T) {
		inboxtest.Run(t, func(t *testing.T) webhook.Store { return newStore(t) })
	})
}

var ctx = context.Background()

func check(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", what, err)
	}
}

func fullSettings(shop string) wmssync.Settings {
	return wmssync.Settings{
		System:           "conformance",
		Shop:             shop,
		DisplayName:      "My shop " + shop,
		Country:          "DK",
		AdminURL:         "https://" + shop + ".myshopify.com",
		APIVersion:       "2026-10",
		Main:             true,
		VendorAsSupplier: true,
		POS:              true,
		// The empty location is a single-location shop's own.
		Locations:         map[string]string{"gid://shopify/Location/1": "cph", "gid://shopify/Location/2": "aar", "": "odense"},
		Outbound:          map[wms.EventKind]bool{wms.KindRefundCreated: true, wms.KindStockChanged: false},
		SalesHistorySince: wms.Date{Year: 2025, Month: 11, Day: 26},
	}
}

func equalSettings(a, b wmssync.Settings) error {
	switch {
	case a.System != b.System, a.Shop != b.Shop, a.DisplayName != b.DisplayName, a.Country != b.Country, a.AdminURL != b.AdminURL,
		a.APIVersion != b.APIVersion, a.Main != b.Main, a.VendorAsSupplier != b.VendorAsSupplier, a.POS != b.POS,
		a.SalesHistorySince != b.SalesHistorySince:
		return fmt.Errorf("scalar fields differ:\n got  %+v\n want %+v", a, b)
	case len(a.Locations) != len(b.Locations), len(a.Outbound) != len(b.Outbound):
		return fmt.Errorf("maps differ in size:\n got  %+v\n want %+v", a, b)
	}
	for k, v := range b.Locations {
		if a.Locations[k] != v {
			return fmt.Errorf("locations[%s] = %q, want %q", k, a.Locations[k], v)
		}
	}
	for k, v := range b.Outbound {
		if got, ok := a.Outbound[k]; !ok || got != v {
			return fmt.Errorf("outbound[%s] = %v (present %v), want %v", k, got, ok, v)
		}
	}
	return nil
}

func testSettingsRoundTrip(t *testing.T, s wmssync.Store) {
	want := fullSettings("shop-a")
	check(t, s.SaveSettings(ctx, want), "SaveSettings")
	got, err := s.Settings(ctx, "shop-a")
	check(t, err, "Settings")
	if err := equalSettings(got, want); err != nil {
		t.Fatal(err)
	}
	// Zero values survive too.
	minimal := wmssync.Settings{Shop: "shop-b", AdminURL: "https://b.example.com"}
	check(t, s.SaveSettings(ctx, minimal), "SaveSettings minimal")
	got, err = s.Settings(ctx, "shop-b")
	check(t, err, "Settings minimal")
	if err := equalSettings(got, minimal); err != nil {
		t.Fatal(err)
	}
	if !got.SalesHistorySince.IsZero() {
		t.Fatalf("zero SalesHistorySince came back as %v", got.SalesHistorySince)
	}
}

func testSettingsNotFound(t *testing.T, s wmssync.Store) {
	_, err := s.Settings(ctx, "nope")
	if !errors.Is(err, wmssync.ErrNotFound) {
		t.Fatalf("Settings of unknown shop: err = %v, want ErrNotFound", err)
	}
	list, err := s.ListSettings(ctx)
	check(t, err, "ListSettings")
	if len(list) != 0 {
		t.Fatalf("empty store lists %d shops", len(list))
	}
}

func testSettingsReplaceListDelete(t *testing.T, s wmssync.Store) {
	for _, id := range []string{"c-shop", "a-shop", "b-shop"} {
		check(t, s.SaveSettings(ctx, fullSettings(id)), "SaveSettings "+id)
	}
	changed := fullSettings("a-shop")
	changed.POS = false
	changed.Locations = map[string]string{"L9": "main"}
	check(t, s.SaveSettings(ctx, changed), "SaveSettings replace")
	got, err := s.Settings(ctx, "a-shop")
	check(t, err, "Settings")
	if err := equalSettings(got, changed); err != nil {
		t.Fatalf("replace: %v", err)
	}
	list, err := s.ListSettings(ctx)
	check(t, err, "ListSettings")
	if len(list) != 3 || list[0].Shop != "a-shop" || list[1].Shop != "b-shop" || list[2].Shop != "c-shop" {
		t.Fatalf("ListSettings = %v, want a-shop, b-shop, c-shop in order", shops(list))
	}
	if list[0].POS {
		t.Fatal("ListSettings returned the replaced settings")
	}
	check(t, s.DeleteSettings(ctx, "b-shop"), "DeleteSettings")
	check(t, s.DeleteSettings(ctx, "b-shop"), "DeleteSettings again")
	check(t, s.DeleteSettings(ctx, "never-there"), "DeleteSettings unknown")
	if _, err := s.Settings(ctx, "b-shop"); !errors.Is(err, wmssync.ErrNotFound) {
		t.Fatalf("deleted shop: err = %v, want ErrNotFound", err)
	}
	list, err = s.ListSettings(ctx)
	check(t, err, "ListSettings")
	if len(list) != 2 {
		t.Fatalf("after delete ListSettings = %v", shops(list))
	}
}

func shops(l []wmssync.Settings) []string {
	var out []string
	for _, s := range l {
		out = append(out, s.Shop)
	}
	return out
}

func testSettingsIsolation(t *testing.T, s wmssync.Store) {
	in := fullSettings("iso")
	check(t, s.SaveSettings(ctx, in), "SaveSettings")
	in.Locations["gid://shopify/Location/1"] = "changed-after-save"
	got, err := s.Settings(ctx, "iso")
	check(t, err, "Settings")
	if got.Locations["gid://shopify/Location/1"] != "cph" {
		t.Fatal("the store kept the caller's map: a change after SaveSettings shows")
	}
	got.Locations["gid://shopify/Location/2"] = "changed-after-read"
	again, err := s.Settings(ctx, "iso")
	check(t, err, "Settings")
	if again.Locations["gid://shopify/Location/2"] != "aar" {
		t.Fatal("the store returned its own map: a change by the reader shows")
	}
}

var t0 = time.Date(2026, 7, 1, 12, 0, 0, 123456000, time.UTC)

func testStepsRoundTrip(t *testing.T, s wmssync.Store) {
	st := wmssync.StepState{
		Shop: "shop-a", Step: wmssync.StepProducts, Status: wmssync.StepRunning,
		Checkpoint: `{"phase":"import","cursor":"abc=="}`, Done: 1200, Total: 30000,
		Error: "last error", Note: "note",
		StartedAt: t0, UpdatedAt: t0.Add(time.Minute),
	}
	check(t, s.SaveStep(ctx, st), "SaveStep")
	got, err := s.Steps(ctx, "shop-a")
	check(t, err, "Steps")
	if len(got) != 1 {
		t.Fatalf("Steps returned %d states, want 1", len(got))
	}
	if err := equalStep(got[0], st); err != nil {
		t.Fatal(err)
	}
	st.Status, st.Checkpoint, st.Done, st.FinishedAt = wmssync.StepDone, "", 30000, t0.Add(time.Hour)
	check(t, s.SaveStep(ctx, st), "SaveStep replace")
	got, err = s.Steps(ctx, "shop-a")
	check(t, err, "Steps")
	if len(got) != 1 {
		t.Fatalf("replacing a step added a state: %d states", len(got))
	}
	if err := equalStep(got[0], st); err != nil {
		t.Fatal(err)
	}
}

func equalStep(a, b wmssync.StepState) error {
	if a.Shop != b.Shop || a.Step != b.Step || a.Status != b.Status || a.Checkpoint != b.Checkpoint ||
		a.Done != b.Done || a.Total != b.Total || a.Error != b.Error || a.Note != b.Note ||
		!a.StartedAt.Equal(b.StartedAt) || !a.UpdatedAt.Equal(b.UpdatedAt) || !a.FinishedAt.Equal(b.FinishedAt) {
		return fmt.Errorf("step state differs:\n got  %+v\n want %+v", a, b)
	}
	return nil
}

func testStepsPerShop(t *testing.T, s wmssync.Store) {
	got, err := s.Steps(ctx, "unknown")
	check(t, err, "Steps unknown shop")
	if len(got) != 0 {
		t.Fatalf("unknown shop has %d steps", len(got))
	}
	for _, shop := range []string{"a", "b"} {
		for _, step := range wmssync.Steps() {
			check(t, s.SaveStep(ctx, wmssync.StepState{Shop: shop, Step: step, Status: wmssync.StepDone, Total: -1}), "SaveStep")
		}
	}
	check(t, s.SaveStep(ctx, wmssync.StepState{Shop: "b", Step: wmssync.StepOrders, Status: wmssync.StepFailed, Error: "boom"}), "SaveStep")
	got, err = s.Steps(ctx, "a")
	check(t, err, "Steps a")
	if len(got) != len(wmssync.Steps()) {
		t.Fatalf("shop a has %d steps, want %d", len(got), len(wmssync.Steps()))
	}
	for _, st := range got {
		if st.Shop != "a" || st.Status != wmssync.StepDone || st.Total != -1 {
			t.Fatalf("shop a step %+v: wrong shop, status or total", st)
		}
	}
}

func testVersionUnknown(t *testing.T, s wmssync.Store) {
	v, rev, err := s.Version(ctx, wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "1"})
	check(t, err, "Version")
	if !v.IsZero() || rev != 0 {
		t.Fatalf("unknown key: version %+v rev %d, want zero and 0", v, rev)
	}
}

func testVersionCAS(t *testing.T, s wmssync.Store) {
	k := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "gid://shopify/Order/1"}
	v1 := webhook.Version{UpdatedAt: t0, TriggeredAt: t0.Add(time.Second)}
	ok, err := s.SetVersion(ctx, k, v1, 0)
	check(t, err, "SetVersion rev 0")
	if !ok {
		t.Fatal("SetVersion of a new key with rev 0 returned ok=false")
	}
	if ok, err := s.SetVersion(ctx, k, v1, 0); err != nil || ok {
		t.Fatalf("second SetVersion with rev 0: ok=%v err=%v, want false, nil", ok, err)
	}
	got, rev, err := s.Version(ctx, k)
	check(t, err, "Version")
	if rev != 1 || !got.UpdatedAt.Equal(v1.UpdatedAt) || !got.TriggeredAt.Equal(v1.TriggeredAt) {
		t.Fatalf("Version = %+v rev %d, want %+v rev 1", got, rev, v1)
	}
	v2 := webhook.Version{UpdatedAt: t0.Add(time.Hour)}
	if ok, err := s.SetVersion(ctx, k, v2, 5); err != nil || ok {
		t.Fatalf("SetVersion with a wrong rev: ok=%v err=%v, want false, nil", ok, err)
	}
	if ok, err := s.SetVersion(ctx, k, v2, 1); err != nil || !ok {
		t.Fatalf("SetVersion with rev 1: ok=%v err=%v, want true", ok, err)
	}
	got, rev, err = s.Version(ctx, k)
	check(t, err, "Version")
	if rev != 2 || !got.UpdatedAt.Equal(v2.UpdatedAt) || !got.TriggeredAt.IsZero() {
		t.Fatalf("Version = %+v rev %d, want %+v rev 2 (a zero time stays zero)", got, rev, v2)
	}
}

func testVersionTimes(t *testing.T, s wmssync.Store) {
	loc := time.FixedZone("CEST", 2*3600)
	in := webhook.Version{UpdatedAt: time.Date(2026, 3, 29, 1, 59, 59, 999999000, loc), TriggeredAt: time.Now().Truncate(time.Microsecond)}
	k := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindProduct, ID: "9007199254740993"}
	if ok, err := s.SetVersion(ctx, k, in, 0); err != nil || !ok {
		t.Fatalf("SetVersion: ok=%v err=%v", ok, err)
	}
	got, _, err := s.Version(ctx, k)
	check(t, err, "Version")
	if !got.UpdatedAt.Equal(in.UpdatedAt) || !got.TriggeredAt.Equal(in.TriggeredAt) {
		t.Fatalf("times changed: got %+v, want %+v (same instants, microsecond precision)", got, in)
	}
	if c, ok := got.Compare(in); !ok || c != 0 {
		t.Fatalf("stored version compares %d (ok %v) with the original", c, ok)
	}
}

func testVersionConcurrent(t *testing.T, s wmssync.Store) {
	k := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "race"}
	const writers = 16
	for round := int64(0); round < 5; round++ {
		var wg gosync.WaitGroup
		var mu gosync.Mutex
		wins := 0
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v := webhook.Version{UpdatedAt: t0.Add(time.Duration(i) * time.Second)}
				ok, err := s.SetVersion(ctx, k, v, round)
				if err != nil {
					t.Errorf("SetVersion: %v", err)
					return
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("round %d: %d of %d concurrent SetVersions with the same rev won, want exactly 1", round, wins, writers)
		}
		_, rev, err := s.Version(ctx, k)
		check(t, err, "Version")
		if rev != round+1 {
			t.Fatalf("round %d: rev = %d, want %d", round, rev, round+1)
		}
	}
}

func testVersionKeys(t *testing.T, s wmssync.Store) {
	keys := []wmssync.EntityKey{
		{Shop: "a", Kind: wmssync.KindOrder, ID: "1"},
		{Shop: "b", Kind: wmssync.KindOrder, ID: "1"},
		{Shop: "a", Kind: wmssync.KindProduct, ID: "1"},
		{Shop: "a", Kind: wmssync.KindOrder, ID: "10"},
	}
	for i, k := range keys {
		v := webhook.Version{UpdatedAt: t0.Add(time.Duration(i) * time.Hour)}
		if ok, err := s.SetVersion(ctx, k, v, 0); err != nil || !ok {
			t.Fatalf("SetVersion %v: ok=%v err=%v (keys that differ in one part are distinct)", k, ok, err)
		}
	}
	for i, k := range keys {
		v, rev, err := s.Version(ctx, k)
		check(t, err, "Version")
		if rev != 1 || !v.UpdatedAt.Equal(t0.Add(time.Duration(i)*time.Hour)) {
			t.Fatalf("key %v: version %+v rev %d: keys mixed up", k, v, rev)
		}
	}
}

func testWatermarkAdvance(t *testing.T, s wmssync.Store) {
	got, err := s.Watermark(ctx, "a", "orders")
	check(t, err, "Watermark")
	if !got.IsZero() {
		t.Fatalf("unset watermark = %v, want zero", got)
	}
	w, err := s.AdvanceWatermark(ctx, "a", "orders", t0)
	check(t, err, "AdvanceWatermark")
	if !w.Equal(t0) {
		t.Fatalf("AdvanceWatermark returned %v, want %v", w, t0)
	}
	w, err = s.AdvanceWatermark(ctx, "a", "orders", t0.Add(-time.Hour))
	check(t, err, "AdvanceWatermark back")
	if !w.Equal(t0) {
		t.Fatalf("watermark moved back to %v", w)
	}
	w, err = s.AdvanceWatermark(ctx, "a", "orders", t0.Add(time.Hour))
	check(t, err, "AdvanceWatermark forward")
	if !w.Equal(t0.Add(time.Hour)) {
		t.Fatalf("watermark = %v, want %v", w, t0.Add(time.Hour))
	}
	got, err = s.Watermark(ctx, "a", "orders")
	check(t, err, "Watermark")
	if !got.Equal(t0.Add(time.Hour)) {
		t.Fatalf("Watermark = %v after advancing to %v", got, t0.Add(time.Hour))
	}
	for _, other := range [][2]string{{"a", "products"}, {"b", "orders"}} {
		got, err := s.Watermark(ctx, other[0], other[1])
		check(t, err, "Watermark other")
		if !got.IsZero() {
			t.Fatalf("watermark %v of another shop/name = %v, want zero", other, got)
		}
	}
}

func testWatermarkConcurrent(t *testing.T, s wmssync.Store) {
	var wg gosync.WaitGroup
	const n = 32
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.AdvanceWatermark(ctx, "a", "orders", t0.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Errorf("AdvanceWatermark: %v", err)
			}
		}()
	}
	wg.Wait()
	got, err := s.Watermark(ctx, "a", "orders")
	check(t, err, "Watermark")
	if want := t0.Add((n - 1) * time.Minute); !got.Equal(want) {
		t.Fatalf("after concurrent advances watermark = %v, want the latest %v", got, want)
	}
}

func testCancelled(t *testing.T, s wmssync.Store) {
	c, cancel := context.WithCancel(ctx)
	cancel()
	k := wmssync.EntityKey{Shop: "a", Kind: wmssync.KindOrder, ID: "1"}
	calls := map[string]error{
		"SaveSettings": s.SaveSettings(c, fullSettings("a")),
		"SaveStep":     s.SaveStep(c, wmssync.StepState{Shop: "a", Step: wmssync.StepProducts}),
	}
	_, calls["Settings"] = s.Settings(c, "a")
	_, calls["ListSettings"] = s.ListSettings(c)
	_, calls["Steps"] = s.Steps(c, "a")
	_, _, calls["Version"] = s.Version(c, k)
	_, calls["SetVersion"] = s.SetVersion(c, k, webhook.Version{UpdatedAt: t0}, 0)
	_, calls["Watermark"] = s.Watermark(c, "a", "orders")
	_, calls["AdvanceWatermark"] = s.AdvanceWatermark(c, "a", "orders", t0)
	for name, err := range calls {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v, want context.Canceled", name, err)
		}
	}
	// Nothing was written.
	if _, err := s.Settings(ctx, "a"); !errors.Is(err, wmssync.ErrNotFound) {
		t.Errorf("SaveSettings with a cancelled context stored the settings (err = %v)", err)
	}
	if _, rev, _ := s.Version(ctx, k); rev != 0 {
		t.Errorf("SetVersion with a cancelled context stored a version")
	}
}
