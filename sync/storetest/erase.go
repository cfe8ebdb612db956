package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// runErase checks the [wmssync.Eraser] capability (stores without it skip
// these subtests) and that the engine's connection record round-trips.
func runErase(t *testing.T, newStore func(t *testing.T) wmssync.Store) {
	t.Run("ConnectionRoundTrip", func(t *testing.T) { testConnectionRoundTrip(t, newStore(t)) })
	tests := []struct {
		name string
		fn   func(t *testing.T, s wmssync.Store)
	}{
		{"EraseShop", testEraseShop},
		{"RewritePayloads", testRewritePayloads},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			if _, ok := s.(wmssync.Eraser); !ok {
				t.Skip("store does not implement sync.Eraser")
			}
			tc.fn(t, s)
		})
	}
}

func testConnectionRoundTrip(t *testing.T, s wmssync.Store) {
	want := fullSettings("shop-a")
	want.Connection = wmssync.Connection{Generation: 3, DisconnectedAt: time.Date(2026, 12, 1, 10, 0, 0, 5000, time.UTC), Reason: "app/uninstalled event w-1"}
	check(t, s.SaveSettings(ctx, want), "SaveSettings")
	got, err := s.Settings(ctx, "shop-a")
	check(t, err, "Settings")
	if got.Connection.Generation != 3 || !got.Connection.DisconnectedAt.Equal(want.Connection.DisconnectedAt) || got.Connection.Reason != want.Connection.Reason {
		t.Fatalf("connection came back as %+v, want %+v", got.Connection, want.Connection)
	}
}

// shopData writes one of everything for shop (domain dom) and returns the
// inbox webhook ids.
func shopData(t *testing.T, s wmssync.Store, shop, dom string) {
	t.Helper()
	set := fullSettings(shop)
	set.Main = false
	check(t, s.SaveSettings(ctx, set), "SaveSettings")
	check(t, s.SaveStep(ctx, wmssync.StepState{Shop: shop, Step: wmssync.StepProducts, Status: wmssync.StepDone, Checkpoint: "c"}), "SaveStep")
	_, err := s.SetVersion(ctx, wmssync.EntityKey{Shop: shop, Kind: wmssync.KindOrder, ID: "gid://shopify/Order/1"}, webhook.Version{UpdatedAt: obNow}, 0)
	check(t, err, "SetVersion")
	_, err = s.AdvanceWatermark(ctx, shop, "orders", obNow)
	check(t, err, "AdvanceWatermark")
	for _, id := range []string{shop + "-w1", shop + "-w2"} {
		ev := newInboxEvent(id, dom)
		if _, err := s.Put(ctx, ev); err != nil {
			t.Fatalf("Put: %v", err)
		}
	}
	if l, ok := s.(wmssync.Leaser); ok {
		for _, name := range []string{"step/" + shop + "/products", "sweep/" + shop, credential.LeaseName(shop)} {
			if got, err := l.AcquireLease(ctx, name, "owner-"+shop, time.Hour); err != nil || !got {
				t.Fatalf("AcquireLease(%s): %v %v", name, got, err)
			}
		}
	}
	if ob, ok := s.(wmssync.OutboxStore); ok {
		check(t, ob.AddOutbox(ctx, []wmssync.OutboxMessage{obMsg(shop, shop+"-m1", ""), obMsg(shop, shop+"-m2", "order:1")}), "AddOutbox")
	}
	if cs, ok := s.(credential.Store); ok {
		for _, key := range []string{shop, dom} {
			if _, err := cs.SaveCredentials(ctx, credential.Credentials{Shop: key, AccessToken: "tok-" + key}); err != nil {
				t.Fatalf("SaveCredentials: %v", err)
			}
		}
	}
}

func newInboxEvent(id, dom string) *webhook.Event {
	return &webhook.Event{Source: "conformance", Topic: "orders/create", Shop: dom, WebhookID: id, EventID: "e-" + id,
		TriggeredAt: obNow, ReceivedAt: obNow, Body: []byte(`{"id":1,"email":"jane@example.com","note":"` + id + `"}`)}
}

// claimAll claims every due inbox event and returns them by webhook id.
func claimAll(t *testing.T, s wmssync.Store) map[string]*webhook.Event {
	t.Helper()
	jobs, err := s.Claim(ctx, 100, time.Minute)
	check(t, err, "Claim")
	out := map[string]*webhook.Event{}
	for _, j := range jobs {
		out[j.Event.WebhookID] = j.Event
	}
	return out
}

func testEraseShop(t *testing.T, s wmssync.Store) {
	er := s.(wmssync.Eraser)
	shopData(t, s, "shop-a", "shop-a.myshopify.com")
	shopData(t, s, "shop-b", "shop-b.myshopify.com")
	l, hasLeases := s.(wmssync.Leaser)
	if hasLeases {
		// A lease whose name merely starts with shop-a's id is not shop-a's.
		if got, err := l.AcquireLease(ctx, "sweep/shop-ab", "owner-ab", time.Hour); err != nil || !got {
			t.Fatalf("AcquireLease: %v %v", got, err)
		}
	}
	check(t, er.EraseShop(ctx, "shop-a", "shop-a.myshopify.com"), "EraseShop")
	check(t, er.EraseShop(ctx, "shop-a", "shop-a.myshopify.com"), "EraseShop of an erased shop")

	if _, err := s.Settings(ctx, "shop-a"); !errors.Is(err, wmssync.ErrNotFound) {
		t.Errorf("settings after EraseShop: %v", err)
	}
	if st, err := s.Steps(ctx, "shop-a"); err != nil || len(st) != 0 {
		t.Errorf("steps after EraseShop: %v %v", st, err)
	}
	if _, rev, err := s.Version(ctx, wmssync.EntityKey{Shop: "shop-a", Kind: wmssync.KindOrder, ID: "gid://shopify/Order/1"}); err != nil || rev != 0 {
		t.Errorf("version after EraseShop: rev %d %v", rev, err)
	}
	if wm, err := s.Watermark(ctx, "shop-a", "orders"); err != nil || !wm.IsZero() {
		t.Errorf("watermark after EraseShop: %v %v", wm, err)
	}
	events := claimAll(t, s)
	for id := range events {
		if strings.HasPrefix(id, "shop-a") {
			t.Errorf("inbox event %s of the erased shop is still claimable", id)
		}
	}
	if len(events) != 2 {
		t.Errorf("the other shop's inbox events: %d, want 2", len(events))
	}
	// The erased events are forgotten: a redelivery is new.
	if stored, err := s.Put(ctx, newInboxEvent("shop-a-w1", "shop-a.myshopify.com")); err != nil || !stored {
		t.Errorf("a redelivered event of the erased shop was not stored: %v %v", stored, err)
	}
	if hasLeases {
		for _, name := range []string{"step/shop-a/products", "sweep/shop-a", credential.LeaseName("shop-a")} {
			if got, err := l.AcquireLease(ctx, name, "someone-else", time.Minute); err != nil || !got {
				t.Errorf("lease %s of the erased shop still held: %v %v", name, got, err)
			}
		}
		for _, name := range []string{"sweep/shop-b", "sweep/shop-ab"} {
			if got, _ := l.AcquireLease(ctx, name, "someone-else", time.Minute); got {
				t.Errorf("lease %s of another shop was erased", name)
			}
		}
	}
	if ob, ok := s.(wmssync.OutboxStore); ok {
		a, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "shop-a"})
		check(t, err, "ListOutbox")
		b, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "shop-b"})
		check(t, err, "ListOutbox")
		if len(a) != 0 || len(b) != 2 {
			t.Errorf("outbox after EraseShop: %d messages of the erased shop, %d of the other (want 0, 2)", len(a), len(b))
		}
	}
	if cs, ok := s.(credential.Store); ok {
		for _, key := range []string{"shop-a", "shop-a.myshopify.com"} {
			if _, err := cs.LoadCredentials(ctx, key); !errors.Is(err, credential.ErrNotFound) {
				t.Errorf("credentials %s after EraseShop: %v", key, err)
			}
		}
		if _, err := cs.LoadCredentials(ctx, "shop-b"); err != nil {
			t.Errorf("credentials of the other shop: %v", err)
		}
	}
	if _, err := s.Settings(ctx, "shop-b"); err != nil {
		t.Errorf("settings of the other shop: %v", err)
	}
	if st, _ := s.Steps(ctx, "shop-b"); len(st) != 1 {
		t.Errorf("steps of the other shop: %v", st)
	}
	if wm, _ := s.Watermark(ctx, "shop-b", "orders"); wm.IsZero() {
		t.Error("watermark of the other shop was erased")
	}
}

func testRewritePayloads(t *testing.T, s wmssync.Store) {
	er := s.(wmssync.Eraser)
	shopData(t, s, "shop-a", "shop-a.myshopify.com")
	shopData(t, s, "shop-b", "shop-b.myshopify.com")
	ob, hasOutbox := s.(wmssync.OutboxStore)
	if hasOutbox {
		pub := obMsg("", "published-1", "")
		pub.Kind = wms.KindRefundCreated
		check(t, ob.AddOutbox(ctx, []wmssync.OutboxMessage{pub, obMsg("", "published-2", ""), obMsg(wmssync.ListenerPrefix+"erp", "l-1", "")}), "AddOutbox")
	}
	seen := map[string]bool{}
	n, err := er.RewritePayloads(ctx, "shop-a", "shop-a.myshopify.com", func(p wmssync.StoredPayload) ([]byte, bool, error) {
		switch {
		case p.Event != nil:
			seen["event:"+p.Event.WebhookID] = true
			if p.Event.Shop != "shop-a.myshopify.com" {
				t.Errorf("RewritePayloads passed an event of %s", p.Event.Shop)
			}
			if p.Event.WebhookID == "shop-a-w2" {
				return nil, true, nil // dropped
			}
			return []byte(strings.Replace(string(p.Event.Body), "jane@example.com", "", 1)), true, nil
		case p.Message != nil:
			seen["message:"+p.Message.Shop+"/"+p.Message.ID] = true
			switch p.Message.ID {
			case "published-1":
				return nil, true, nil
			case "shop-a-m1":
				return []byte(`{"id":"redacted"}`), true, nil
			}
		}
		return nil, false, nil
	})
	check(t, err, "RewritePayloads")
	want := []string{"event:shop-a-w1", "event:shop-a-w2"}
	if hasOutbox {
		want = append(want, "message:shop-a/shop-a-m1", "message:shop-a/shop-a-m2", "message:/published-1", "message:/published-2", "message:"+wmssync.ListenerPrefix+"erp/l-1")
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("RewritePayloads did not pass %s", w)
		}
	}
	for k := range seen {
		if strings.Contains(k, "shop-b") {
			t.Errorf("RewritePayloads passed %s of another shop", k)
		}
	}
	if wantN := map[bool]int{true: 4, false: 2}[hasOutbox]; n != wantN {
		t.Errorf("RewritePayloads changed %d rows, want %d", n, wantN)
	}
	events := claimAll(t, s)
	if ev := events["shop-a-w1"]; ev == nil || strings.Contains(string(ev.Body), "jane@example.com") || !strings.Contains(string(ev.Body), `"note":"shop-a-w1"`) {
		t.Errorf("rewritten event: %v", ev)
	}
	if events["shop-a-w2"] != nil {
		t.Error("an event dropped by RewritePayloads is still claimable")
	}
	if ev := events["shop-b-w1"]; ev == nil || !strings.Contains(string(ev.Body), "jane@example.com") {
		t.Error("the other shop's event changed")
	}
	if hasOutbox {
		ms, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: "shop-a"})
		check(t, err, "ListOutbox")
		for _, m := range ms {
			if m.ID == "shop-a-m1" && string(m.Data) != `{"id":"redacted"}` {
				t.Errorf("rewritten message data %s", m.Data)
			}
		}
		pub, err := ob.ListOutbox(ctx, wmssync.OutboxFilter{Shop: ""})
		check(t, err, "ListOutbox")
		for _, m := range pub {
			if m.ID == "published-1" {
				t.Error("a message dropped by RewritePayloads is still stored")
			}
		}
	}
}
