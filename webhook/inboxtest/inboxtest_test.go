package inboxtest_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/kitcheck"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/webhook/inboxtest"
)

func TestMemoryInboxConformance(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) webhook.Store { return webhook.NewMemoryInbox() })
}

// brokenStore wraps a MemoryInbox and breaks one rule of the contract,
// named by mode.
type brokenStore struct {
	*webhook.MemoryInbox
	mode string
	mu   sync.Mutex
	seen map[string]bool
	puts int
}

func (b *brokenStore) Put(ctx context.Context, e *webhook.Event) (bool, error) {
	b.mu.Lock()
	b.puts++
	n := b.puts
	dup := b.seen[e.WebhookID]
	b.seen[e.WebhookID] = true
	b.mu.Unlock()
	switch {
	case b.mode == "nodedupe" && dup:
		return true, nil // claims to store a duplicate
	case b.mode == "loses-acknowledged" && n%2 == 0:
		return true, nil // acknowledged, never stored
	}
	return b.MemoryInbox.Put(ctx, e)
}

// CopiesBody claims, in mode "nocopy", that Put copies bodies, which a
// MemoryInbox does not.
func (b *brokenStore) CopiesBody() bool { return b.mode == "nocopy" }

func (b *brokenStore) Claim(ctx context.Context, limit int, lease time.Duration) ([]webhook.Job, error) {
	if b.mode == "nolease" {
		lease = 0 // claimed events are immediately claimable again
	}
	return b.MemoryInbox.Claim(ctx, limit, lease)
}

func (b *brokenStore) Complete(ctx context.Context, id string) error {
	if b.mode == "nocomplete" {
		return nil
	}
	return b.MemoryInbox.Complete(ctx, id)
}

func (b *brokenStore) Retry(ctx context.Context, id string, at time.Time, reason string) error {
	switch b.mode {
	case "retry-drops":
		return b.MemoryInbox.Complete(ctx, id) // the event is gone, not retried
	case "retry-now":
		at = time.Now() // the requested delay is ignored
	}
	return b.MemoryInbox.Retry(ctx, id, at, reason)
}

func (b *brokenStore) Fail(ctx context.Context, id string, reason string) error {
	if b.mode == "fail-retries" {
		return b.MemoryInbox.Retry(ctx, id, time.Now(), reason) // a dead letter comes back
	}
	return b.MemoryInbox.Fail(ctx, id, reason)
}

const brokenEnv = "INBOXTEST_BROKEN"

// broken are the planted bugs and the subtests that must catch each.
var broken = map[string][]string{
	"nodedupe":           {"PutDuplicate"},
	"loses-acknowledged": {"ClaimLimitAndOrder"},
	"nolease":            {"ClaimLease"},
	"nocomplete":         {"Complete"},
	"nocopy":             {"PutCopiesBody"},
	"retry-drops":        {"Retry"},
	"retry-now":          {"Retry"},
	"fail-retries":       {"Fail"},
}

// TestBrokenStoreHelper runs the suite on a broken store; it is meant to
// fail and runs only inside TestSuiteCatchesBrokenStores.
func TestBrokenStoreHelper(t *testing.T) {
	mode := os.Getenv(brokenEnv)
	if _, ok := broken[mode]; !ok {
		t.Skip("helper for TestSuiteCatchesBrokenStores")
	}
	inboxtest.Run(t, func(t *testing.T) webhook.Store {
		return &brokenStore{MemoryInbox: webhook.NewMemoryInbox(), mode: mode, seen: map[string]bool{}}
	})
}

func TestSuiteCatchesBrokenStores(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the suite in subprocesses")
	}
	if os.Getenv(brokenEnv) != "" {
		t.Skip("child process")
	}
	for mode, want := range broken {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			kitcheck.Expect(t, "TestBrokenStoreHelper", brokenEnv, mode, want...)
		})
	}
}
