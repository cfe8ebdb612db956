package inboxtest_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/webhook/inboxtest"
)

func TestMemoryInboxConformance(t *testing.T) {
	inboxtest.Run(t, func(t *testing.T) webhook.Store { return webhook.NewMemoryInbox() })
}

// brokenStore wraps a MemoryInbox and breaks one rule of the contract.
type brokenStore struct {
	*webhook.MemoryInbox
	mode string
	mu   sync.Mutex
	seen map[string]bool
}

func (b *brokenStore) Put(ctx context.Context, e *webhook.Event) (bool, error) {
	if b.mode == "nodedupe" {
		b.mu.Lock()
		defer b.mu.Unlock()
		dup := b.seen[e.WebhookID]
		b.seen[e.WebhookID] = true
		if dup {
			return true, nil // claims to store a duplicate
		}
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

// TestBrokenStoreHelper runs the suite on a broken store; it is meant to
// fail and runs only inside TestSuiteCatchesBrokenStores.
func TestBrokenStoreHelper(t *testing.T) {
	mode := os.Getenv("INBOXTEST_BROKEN")
	if mode == "" {
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
	for mode, wantFailing := range map[string]string{
		"nodedupe":   "PutDuplicate",
		"nolease":    "ClaimLease",
		"nocomplete": "Complete",
		"nocopy":     "PutCopiesBody",
	} {
		t.Run(mode, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenStoreHelper$", "-test.v")
			cmd.Env = append(os.Environ(), "INBOXTEST_BROKEN="+mode)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed a store with %s:\n%s", mode, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestBrokenStoreHelper/"+wantFailing) {
				t.Fatalf("want subtest %s to fail:\n%s", wantFailing, out)
			}
		})
	}
}
