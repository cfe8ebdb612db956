package sync

import (
	"context"
	"slices"
	gosync "sync"
)

// presenceBatch is the most ids one read by id asks the shop about.
const presenceBatch = 50

// presence asks a shop whether it still has entities of one kind, by
// reading them by id through the connector (Products or Orders with IDs,
// which leave out deleted and unknown ids). The engine asks before it
// applies a deletion (a webhook's word alone deletes nothing) and before a
// webhook brings back an entity it deleted.
//
// Questions about one shop are batched: one read is in flight per shop at
// a time, and the questions that arrive meanwhile go together into the
// next read (up to presenceBatch ids), so a burst of deletions costs a
// read per batch, not per entity.
type presence[T any] struct {
	id    func(T) string
	fetch func(ctx context.Context, conn Connector, ids []string) ([]T, error)

	mu      gosync.Mutex
	filling map[string]*presenceCall[T] // per shop: the batch new questions join
	reading map[string]*gosync.Mutex    // per shop: held while a read is in flight
	waiting int                         // ids in batches whose read has not started
}

// presenceCall is one batched read.
type presenceCall[T any] struct {
	ids   []string
	done  chan struct{} // closed when found and err are set
	found map[string]T
	err   error
}

func newPresence[T any](id func(T) string, fetch func(context.Context, Connector, []string) ([]T, error)) *presence[T] {
	return &presence[T]{id: id, fetch: fetch, filling: map[string]*presenceCall[T]{}, reading: map[string]*gosync.Mutex{}}
}

// ask returns the entity with id as the shop has it now, and ok=false when
// the shop does not have it. An error means the shop could not tell (the
// caller retries later).
func (p *presence[T]) ask(ctx context.Context, shop string, conn Connector, id string) (T, bool, error) {
	var zero T
	p.mu.Lock()
	call := p.filling[shop]
	leader := call == nil || len(call.ids) >= presenceBatch
	if leader {
		call = &presenceCall[T]{done: make(chan struct{})}
		p.filling[shop] = call
	}
	if !slices.Contains(call.ids, id) {
		call.ids = append(call.ids, id)
		p.waiting++
	}
	reading := p.reading[shop]
	if reading == nil {
		reading = &gosync.Mutex{}
		p.reading[shop] = reading
	}
	p.mu.Unlock()

	if leader {
		reading.Lock() // wait for the read in flight, while others join
		p.mu.Lock()
		if p.filling[shop] == call {
			delete(p.filling, shop)
		}
		ids := call.ids
		p.waiting -= len(ids)
		p.mu.Unlock()
		items, err := p.fetch(ctx, conn, ids)
		call.found, call.err = map[string]T{}, err
		for _, it := range items {
			call.found[p.id(it)] = it
		}
		close(call.done)
		reading.Unlock()
	}
	select {
	case <-call.done:
	case <-ctx.Done():
		return zero, false, ctx.Err()
	}
	if call.err != nil {
		return zero, false, call.err
	}
	it, ok := call.found[id]
	return it, ok, nil
}

// newPresences returns the engine's presence checks for orders and
// products.
func newPresences() (*presence[Order], *presence[Product]) {
	orders := newPresence(func(o Order) string { return o.ExternalID },
		func(ctx context.Context, conn Connector, ids []string) ([]Order, error) {
			return readAll(ctx, func(ctx context.Context, cursor string) (Page[Order], error) {
				return conn.Orders(ctx, OrderQuery{IDs: ids}, cursor)
			})
		})
	products := newPresence(func(p Product) string { return p.ExternalID },
		func(ctx context.Context, conn Connector, ids []string) ([]Product, error) {
			return readAll(ctx, func(ctx context.Context, cursor string) (Page[Product], error) {
				return conn.Products(ctx, ProductQuery{IDs: ids}, cursor)
			})
		})
	return orders, products
}
