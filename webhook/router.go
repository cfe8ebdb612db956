package webhook

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// HandlerFunc handles one event. A nil error means the event is done; any
// other error makes Dispatcher retry it later, unless the error is permanent
// (see Permanent and IsPermanent). Handlers must be idempotent: delivery is
// at least once, and shop systems themselves send duplicates under new
// delivery ids (key side effects on Event.EventID plus Event.Topic, or on
// the payload's own id and version).
type HandlerFunc func(ctx context.Context, e *Event) error

// Router sends each event to the handler registered for its topic, or to
// the default handler ([Router.HandleDefault]) when its topic has none.
// Register handlers (Handle, On, HandleDefault) before dispatching;
// Dispatch is safe for concurrent use, and so is registering, though it
// rarely makes sense. The zero value is an empty router ready to use.
type Router struct {
	mu       sync.RWMutex
	routes   map[Topic]HandlerFunc
	fallback HandlerFunc
}

// NewRouter returns an empty Router.
func NewRouter() *Router { return &Router{} }

// Handle registers fn for topic, replacing any earlier handler; a nil fn
// removes the topic's handler.
func (r *Router) Handle(topic Topic, fn HandlerFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if fn == nil {
		delete(r.routes, topic)
		return
	}
	if r.routes == nil {
		r.routes = map[Topic]HandlerFunc{}
	}
	r.routes[topic] = fn
}

// HandleDefault registers fn for every topic without a handler of its own
// (a sync engine, say, that has its connectors decode every topic); a nil
// fn removes it.
func (r *Router) HandleDefault(fn HandlerFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fallback = fn
}

// On registers a typed handler for topic: the JSON body is decoded into a
// new P (the payload type the topic's source package lists, such as
// shopify.OrderPayload for Shopify's orders/create) and fn gets the
// metadata and the payload. A body that does not decode yields a
// *DecodeError, which is permanent.
func On[P any](r *Router, topic Topic, fn func(ctx context.Context, e *Event, p *P) error) {
	r.Handle(topic, func(ctx context.Context, e *Event) error {
		p := new(P)
		if err := e.Decode(p); err != nil {
			return err
		}
		return fn(ctx, e, p)
	})
}

// Topics returns the topics with a handler of their own, sorted. Pass them
// to WithTopics so Handler stores exactly what the router can handle (when
// it has no default handler).
func (r *Router) Topics() []Topic {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Topic, 0, len(r.routes))
	for t := range r.routes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Dispatch calls the handler registered for e.Topic, or the default
// handler, and returns its error, or an error wrapping ErrNoRoute when
// there is neither.
func (r *Router) Dispatch(ctx context.Context, e *Event) error {
	r.mu.RLock()
	fn := r.routes[e.Topic]
	if fn == nil {
		fn = r.fallback
	}
	r.mu.RUnlock()
	if fn == nil {
		return fmt.Errorf("%w: %q", ErrNoRoute, e.Topic)
	}
	return fn(ctx, e)
}
