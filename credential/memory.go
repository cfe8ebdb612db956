package credential

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryStore is a [Store] and [Locker] in memory, for tests and trials:
// everything is lost with the process. The zero value is not usable; call
// [NewMemoryStore]. It is safe for concurrent use.
type MemoryStore struct {
	now func() time.Time

	mu     sync.Mutex
	creds  map[string]Credentials
	leases map[string]memLease
}

type memLease struct {
	owner   string
	expires time.Time
}

var (
	_ Store  = (*MemoryStore)(nil)
	_ Locker = (*MemoryStore)(nil)
)

// NewMemoryStore returns an empty MemoryStore whose leases expire by the
// wall clock.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{now: time.Now, creds: map[string]Credentials{}, leases: map[string]memLease{}}
}

// LoadCredentials implements [Store].
func (m *MemoryStore) LoadCredentials(ctx context.Context, shop string) (Credentials, error) {
	if err := ctx.Err(); err != nil {
		return Credentials{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c, ok := m.creds[shop]
	if !ok {
		return Credentials{}, fmt.Errorf("credential: shop %q: %w", shop, ErrNotFound)
	}
	return c, nil
}

// SaveCredentials implements [Store].
func (m *MemoryStore) SaveCredentials(ctx context.Context, c Credentials) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := Validate(c); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.creds[c.Shop].Revision; cur != c.Revision {
		return 0, fmt.Errorf("credential: shop %q: stored revision %d, not %d: %w", c.Shop, cur, c.Revision, ErrConflict)
	}
	c.Revision++
	m.creds[c.Shop] = c
	return c.Revision, nil
}

// DeleteCredentials implements [Store].
func (m *MemoryStore) DeleteCredentials(ctx context.Context, shop string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.creds, shop)
	return nil
}

// AcquireLease implements [Locker].
func (m *MemoryStore) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if name == "" || owner == "" || ttl <= 0 {
		return false, fmt.Errorf("credential: acquire lease: want a name, an owner and a positive ttl")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	if l, ok := m.leases[name]; ok && l.owner != owner && now.Before(l.expires) {
		return false, nil
	}
	m.leases[name] = memLease{owner: owner, expires: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements [Locker].
func (m *MemoryStore) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.leases[name]; ok && l.owner == owner {
		delete(m.leases, name)
	}
	return nil
}
