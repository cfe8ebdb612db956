package webhook_test

import (
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestVersion(t *testing.T) {
	t0 := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	sec := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Second) }
	v := func(updated, triggered int) webhook.Version {
		var out webhook.Version
		if updated >= 0 {
			out.UpdatedAt = sec(updated)
		}
		if triggered >= 0 {
			out.TriggeredAt = sec(triggered)
		}
		return out
	}
	const none = -1
	tests := []struct {
		name              string
		incoming, applied webhook.Version
		supersedes, stale bool
		wantCmp           int
		wantOK            bool
	}{
		{"nothing applied yet", v(5, 6), webhook.Version{}, true, false, 0, false},
		{"newer updated_at", v(10, 11), v(5, 6), true, false, 1, true},
		{"older updated_at (late retry)", v(5, 6), v(10, 11), false, true, -1, true},
		{"older updated_at even if triggered later", v(5, 20), v(10, 11), false, true, -1, true},
		{"same updated_at, later trigger (same-second edit)", v(10, 12), v(10, 11), true, false, 1, true},
		{"same updated_at, earlier trigger", v(10, 11), v(10, 12), false, true, -1, true},
		{"identical redelivery", v(10, 11), v(10, 11), false, false, 0, true},
		{"same updated_at, no triggers", v(10, none), v(10, none), false, false, 0, true},
		{"no updated_at (orders/delete): trigger decides", v(none, 20), v(10, 11), true, false, 1, true},
		{"no updated_at, older trigger", v(none, 5), v(10, 11), false, true, -1, true},
		{"nothing comparable: apply", v(10, none), v(none, 11), true, false, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.incoming.Supersedes(tc.applied); got != tc.supersedes {
				t.Errorf("Supersedes = %v, want %v", got, tc.supersedes)
			}
			if got := tc.incoming.Stale(tc.applied); got != tc.stale {
				t.Errorf("Stale = %v, want %v", got, tc.stale)
			}
			if c, ok := tc.incoming.Compare(tc.applied); c != tc.wantCmp || ok != tc.wantOK {
				t.Errorf("Compare = %d,%v, want %d,%v", c, ok, tc.wantCmp, tc.wantOK)
			}
			if tc.stale && tc.supersedes {
				t.Error("stale and superseding at once")
			}
		})
	}
}

func TestVersionOf(t *testing.T) {
	trig := time.Date(2026, 7, 1, 12, 0, 0, 5, time.UTC)
	upd := time.Date(2026, 7, 1, 11, 0, 0, 0, time.UTC)
	got := webhook.VersionOf(&webhook.Event{TriggeredAt: trig}, upd)
	if !got.TriggeredAt.Equal(trig) || !got.UpdatedAt.Equal(upd) || got.IsZero() {
		t.Fatalf("VersionOf = %+v", got)
	}
	if !(webhook.Version{}).IsZero() {
		t.Fatal("zero Version not IsZero")
	}
}
