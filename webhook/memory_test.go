package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	"github.com/wmsbridge/wmsbridge/webhook"
)

func TestMemoryInboxForgetAndStats(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)}
	inbox := webhook.NewMemoryInbox(webhook.WithMemoryClock(clock.Now))
	ctx := context.Background()
	putEvent(t, inbox, "a", shopifywebhook.TopicOrdersCreate, `{}`)
	putEvent(t, inbox, "b", shopifywebhook.TopicOrdersCreate, `{}`)
	putEvent(t, inbox, "c", shopifywebhook.TopicOrdersCreate, `{}`)
	if _, err := inbox.Claim(ctx, 2, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := inbox.Complete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := inbox.Fail(ctx, "b", "bad"); err != nil {
		t.Fatal(err)
	}
	// A late Retry does not revive a finished event.
	if err := inbox.Retry(ctx, "a", clock.Now(), "late"); err != nil {
		t.Fatal(err)
	}
	if st := inbox.Stats(); st != (webhook.MemoryInboxStats{Pending: 1, Completed: 1, Failed: 1}) {
		t.Fatalf("stats %+v", st)
	}
	if n := inbox.Forget(clock.Now()); n != 0 {
		t.Fatalf("forgot %d events finished at the cut-off", n)
	}
	clock.Advance(time.Hour)
	if n := inbox.Forget(clock.Now()); n != 2 {
		t.Fatalf("forgot %d, want 2", n)
	}
	if ok, _ := inbox.Put(ctx, &webhook.Event{WebhookID: "a", Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}); !ok {
		t.Fatal("a forgotten id must be storable again")
	}
	if ok, _ := inbox.Put(ctx, &webhook.Event{WebhookID: "c", Topic: shopifywebhook.TopicOrdersCreate, Body: []byte(`{}`)}); ok {
		t.Fatal("a pending id must stay deduplicated")
	}
	if _, err := inbox.Put(ctx, &webhook.Event{Topic: shopifywebhook.TopicOrdersCreate}); !errors.Is(err, webhook.ErrMissingHeader) {
		t.Fatalf("event without id: %v", err)
	}
}

func TestMemoryInboxCopiesEvents(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	e := &webhook.Event{WebhookID: "x", Topic: shopifywebhook.TopicOrdersCreate, Shop: "a"}
	putEvent(t, inbox, "y", shopifywebhook.TopicOrdersCreate, `{}`)
	if _, err := inbox.Put(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	e.Shop = "changed"
	jobs, _ := inbox.Claim(context.Background(), 10, time.Minute)
	for _, j := range jobs {
		if j.Event.WebhookID == "x" && j.Event.Shop != "a" {
			t.Fatal("inbox shares the caller's event")
		}
		j.Event.Shop = "mutated by consumer"
	}
	inbox.Retry(context.Background(), "x", time.Time{}, "")
	jobs, _ = inbox.Claim(context.Background(), 10, time.Minute)
	if len(jobs) != 1 || jobs[0].Event.Shop != "a" {
		t.Fatalf("claimed copies are not independent: %+v", jobs)
	}
}

func TestMemoryInboxFailedOrder(t *testing.T) {
	inbox := webhook.NewMemoryInbox()
	ctx := context.Background()
	for _, id := range []string{"z", "a", "m"} {
		putEvent(t, inbox, id, shopifywebhook.TopicOrdersCreate, `{}`)
	}
	for _, id := range []string{"m", "z", "a"} {
		if err := inbox.Fail(ctx, id, "reason "+id); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, j := range inbox.Failed() {
		got = append(got, j.Event.WebhookID+":"+j.LastError)
	}
	if want := "[z:reason z a:reason a m:reason m]"; fmt.Sprint(got) != want {
		t.Fatalf("Failed() = %v, want %s", got, want)
	}
}
