package shopify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
)

// BulkNotifier lets Wait return as soon as Shopify announces the end of a
// bulk operation with a bulk_operations/finish webhook, instead of on its
// next poll. Feed it from the webhook handler with Finished or
// FinishedPayload; every Wait currently waiting on that operation (in this
// process) wakes up and confirms the final state with one poll. Nothing is
// stored for operations nobody waits on, so memory is bounded by the number
// of waiters. A lost or early notification only costs a poll period.
//
// The zero value is ready to use. A BulkNotifier is safe for concurrent
// use; share one per process (or per shop).
type BulkNotifier struct {
	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
}

// Finished wakes the waiters of the bulk operation with the given GID.
func (n *BulkNotifier) Finished(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for ch := range n.waiters[id] {
		select {
		case ch <- struct{}{}:
		default: // already has a pending wake-up
		}
	}
}

// FinishedPayload decodes the body of a bulk_operations/finish webhook
// ({"admin_graphql_api_id": "gid://shopify/BulkOperation/…", "status": …})
// and wakes that operation's waiters. Verify the webhook's HMAC before
// calling it.
func (n *BulkNotifier) FinishedPayload(body []byte) error {
	var p BulkOperationFinishPayload
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&p); err != nil {
		return fmt.Errorf("shopify: bulk_operations/finish payload: %w", err)
	}
	if p.AdminGraphQLAPIID == "" {
		return fmt.Errorf("shopify: bulk_operations/finish payload has no admin_graphql_api_id")
	}
	n.Finished(p.AdminGraphQLAPIID)
	return nil
}

func (n *BulkNotifier) subscribe(id string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	if n.waiters == nil {
		n.waiters = make(map[string]map[chan struct{}]struct{})
	}
	if n.waiters[id] == nil {
		n.waiters[id] = make(map[chan struct{}]struct{})
	}
	n.waiters[id][ch] = struct{}{}
	n.mu.Unlock()
	return ch, func() {
		n.mu.Lock()
		delete(n.waiters[id], ch)
		if len(n.waiters[id]) == 0 {
			delete(n.waiters, id)
		}
		n.mu.Unlock()
	}
}
