package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// ErrStateNotFound: the state is unknown, expired, already used or was
// issued for another shop. StateStore.TakeState returns it.
var ErrStateNotFound = errors.New("shopify/oauth: state unknown, expired, already used or issued for another shop")

// PendingInstall is what AuthorizeURL remembers under an install's state
// until the callback.
type PendingInstall struct {
	// Shop is the shop's domain, NAME.myshopify.com.
	Shop string
	// Scopes are the scopes asked for.
	Scopes []string
	// Expires is when the state stops being accepted.
	Expires time.Time
}

// StateStore keeps the state of installs in progress between
// AuthorizeURL and Callback. The default, [NewMemoryStateStore], keeps
// them in the process: a host whose callbacks may reach another process
// than the one that built the link (several processes behind a load
// balancer) implements StateStore over shared storage. It must be safe for
// concurrent use.
type StateStore interface {
	// PutState remembers p under state.
	PutState(ctx context.Context, state string, p PendingInstall) error
	// TakeState removes and returns the install of state if it is stored,
	// was issued for shop and has not expired at now; otherwise it removes
	// nothing and returns an error matching ErrStateNotFound. Of concurrent
	// takes of one state at most one succeeds.
	TakeState(ctx context.Context, state, shop string, now time.Time) (PendingInstall, error)
}

// MemoryStateStore is a StateStore in memory. A state that expired more
// than a day before a new one is put is dropped then.
type MemoryStateStore struct {
	mu     sync.Mutex
	states map[string]PendingInstall
}

// NewMemoryStateStore returns an empty MemoryStateStore.
func NewMemoryStateStore() *MemoryStateStore {
	return &MemoryStateStore{states: map[string]PendingInstall{}}
}

// PutState implements StateStore.
func (m *MemoryStateStore) PutState(ctx context.Context, state string, p PendingInstall) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.Scopes = slices.Clone(p.Scopes)
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.states {
		if !v.Expires.After(p.Expires.Add(-24 * time.Hour)) {
			delete(m.states, k) // expired a day before the new one's deadline
		}
	}
	if _, ok := m.states[state]; ok {
		return fmt.Errorf("shopify/oauth: state already in use")
	}
	m.states[state] = p
	return nil
}

// TakeState implements StateStore.
func (m *MemoryStateStore) TakeState(ctx context.Context, state, shop string, now time.Time) (PendingInstall, error) {
	if err := ctx.Err(); err != nil {
		return PendingInstall{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.states[state]
	if !ok || p.Shop != shop || !now.Before(p.Expires) {
		return PendingInstall{}, ErrStateNotFound
	}
	delete(m.states, state)
	return p, nil
}
