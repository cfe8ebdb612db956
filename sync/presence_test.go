package sync

import (
	"context"
	"fmt"
	"slices"
	gosync "sync"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/wms"
)

// TestPresenceBatchesConcurrentQuestions: questions about one shop that
// arrive while a read is in flight go together into the next read, at
// most presenceBatch ids each; each caller gets the answer for its own id.
func TestPresenceBatchesConcurrentQuestions(t *testing.T) {
	release := make(chan struct{})
	var mu gosync.Mutex
	var reads [][]string
	orders, _ := newPresences()
	orders.fetch = func(ctx context.Context, _ Connector, ids []string) ([]Order, error) {
		mu.Lock()
		reads = append(reads, slices.Clone(ids))
		first := len(reads) == 1
		mu.Unlock()
		if first {
			<-release // hold the first read until the others queued up
		}
		var out []Order
		for _, id := range ids {
			if id != "gone-1" && id != "gone-2" {
				out = append(out, Order{Order: wms.Order{ExternalID: id, Name: "#" + id}})
			}
		}
		return out, nil
	}
	ask := func(id string) (Order, bool, error) { return orders.ask(context.Background(), "dk", nil, id) }

	type answer struct {
		id    string
		found bool
		name  string
		err   error
	}
	answers := make(chan answer, 200)
	go func() {
		o, ok, err := ask("first")
		answers <- answer{"first", ok, o.Name, err}
	}()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(reads) == 1 })
	ids := []string{"gone-1", "gone-2"}
	for i := range 2*presenceBatch + 10 {
		ids = append(ids, fmt.Sprint("live-", i))
	}
	for _, id := range ids {
		go func() {
			o, ok, err := ask(id)
			answers <- answer{id, ok, o.Name, err}
		}()
	}
	// Everyone queued behind the first read: full batches and the rest.
	waitFor(t, func() bool {
		orders.mu.Lock()
		defer orders.mu.Unlock()
		return orders.waiting == len(ids)
	})
	close(release)
	for range len(ids) + 1 {
		a := <-answers
		if a.err != nil {
			t.Fatal(a.err)
		}
		wantFound := a.id != "gone-1" && a.id != "gone-2"
		if a.found != wantFound || (a.found && a.name != "#"+a.id) {
			t.Errorf("%s: found %v (%q), want %v", a.id, a.found, a.name, wantFound)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reads) != 1+(len(ids)+presenceBatch-1)/presenceBatch {
		t.Fatalf("%d questions took %d reads: %v", len(ids)+1, len(reads), reads)
	}
	for _, r := range reads {
		if len(r) > presenceBatch {
			t.Fatalf("a read asked for %d ids, more than %d", len(r), presenceBatch)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
	}
}
