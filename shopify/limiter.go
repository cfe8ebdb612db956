package shopify

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// DefaultCostEstimate is the query cost the Limiter assumes for an operation
// it has not seen an answer for yet. Afterwards the operation's last
// requestedQueryCost is used.
const DefaultCostEstimate = 50

// maxEstimates bounds the per-operation cost memory of a Limiter.
const maxEstimates = 4096

// minRestoreRate keeps waits finite if a shop ever reports a zero rate.
const minRestoreRate = 1.0

// Limiter paces GraphQL requests to one shop by Shopify's calculated query
// cost. Shopify limits each app and shop pair with a leaky bucket of cost
// points (throttleStatus: maximumAvailable, currentlyAvailable, restoreRate);
// the Limiter keeps a model of that bucket and makes a request wait until the
// bucket holds the request's estimated cost, so requests are paced instead of
// throttled.
//
// The model is seeded by the first answer: until then one request goes
// alone and the others queue behind it. (If a successful answer carries no
// cost report, as from some proxies and test servers, requests are not
// paced until one does.) Every answer corrects it:
// maximumAvailable and restoreRate are taken as reported (they differ by
// plan and have changed before, so nothing is hard-coded), the difference
// between the estimated and the actual cost is refunded or charged, and the
// level is lowered to currentlyAvailable minus the cost of requests still in
// flight whenever that is lower than the model. The model therefore errs on
// the side of waiting. The estimate of a request is the largest
// requestedQueryCost among the last eight seen for its operation name (an
// operation's cost varies with its variables), else DefaultCostEstimate,
// capped at maximumAvailable. Waiters are served first come, first served;
// a wait ends early when its context is done.
//
// One Limiter serves every goroutine of a Client. Clients for the same shop
// (for example with different loggers or retry policies) share a bucket at
// Shopify, so they should share a Limiter through WithLimiter; a Limiter is
// bound to the first shop it is used with and refuses others.
//
// The Limiter does not build on golang.org/x/time/rate: rate.Limiter cannot
// be set to an observed token level (only consume), cannot refund part of a
// reservation after the request ran (Cancel restores nothing once the
// reservation's time has passed), and reservations made before a correction
// keep their precomputed delay. Each answer from Shopify needs all three.
//
// A Limiter is safe for concurrent use. The zero value is not usable; call
// NewLimiter.
type Limiter struct {
	now func() time.Time

	mu        sync.Mutex
	shop      string
	seeded    bool
	probing   bool
	unmetered bool    // answers carry no cost report: do not pace
	max       float64 // maximumAvailable
	rate      float64 // restoreRate, points per second
	level     float64 // modelled currentlyAvailable minus what we sent and await
	last      time.Time
	inflight  float64 // estimated cost of requests sent and not yet answered
	estimates map[string]*costWindow
	queue     *list.List    // of *limiterWaiter, first come first served
	wake      chan struct{} // closed and replaced on every state change
}

type limiterWaiter struct{ cost float64 }

// NewLimiter returns an unseeded Limiter.
func NewLimiter() *Limiter {
	return &Limiter{now: time.Now, estimates: map[string]*costWindow{}, queue: list.New(), wake: make(chan struct{})}
}

// ThrottleStatus is Shopify's report of the cost bucket
// (extensions.cost.throttleStatus).
type ThrottleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

// QueryCost is Shopify's cost report of one GraphQL request
// (extensions.cost). ActualQueryCost is 0 when Shopify did not run the query
// (it reports null when throttled).
type QueryCost struct {
	RequestedQueryCost float64        `json:"requestedQueryCost"`
	ActualQueryCost    float64        `json:"actualQueryCost"`
	ThrottleStatus     ThrottleStatus `json:"throttleStatus"`
}

// Status returns the Limiter's current model of the bucket; ok is false
// until an answer has seeded it. CurrentlyAvailable may be negative while
// requests are queued.
func (l *Limiter) Status() (s ThrottleStatus, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.seeded {
		return ThrottleStatus{}, false
	}
	l.refill(l.now())
	return ThrottleStatus{MaximumAvailable: l.max, CurrentlyAvailable: l.level, RestoreRate: l.rate}, true
}

// bind ties the Limiter to a shop.
func (l *Limiter) bind(shop string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.shop != "" && l.shop != shop {
		return fmt.Errorf("shopify: the Limiter is already used for %s and cannot pace %s (each shop has its own bucket)", l.shop, shop)
	}
	l.shop = shop
	return nil
}

// reservation is what acquire hands out and settle takes back.
type reservation struct {
	cost  float64 // estimated cost taken from the bucket (0 for a probe)
	probe bool    // sent before the bucket was known
}

// costWindowSize is how many recent requestedQueryCosts of an operation the
// estimate looks back over.
const costWindowSize = 8

// costWindow holds the most recent requestedQueryCosts of one operation. The
// estimate is their maximum, not the last one: an operation whose cost
// varies with its variables (pages or chunks of different sizes) would
// otherwise be underestimated right after a small request, sent early and
// throttled.
type costWindow struct {
	vals [costWindowSize]float64
	n    int // values held, up to costWindowSize
	next int // where the next value goes
}

func (w *costWindow) add(v float64) {
	w.vals[w.next] = v
	w.next = (w.next + 1) % costWindowSize
	w.n = min(w.n+1, costWindowSize)
}

func (w *costWindow) max() float64 {
	m := 0.0
	for _, v := range w.vals[:w.n] {
		m = math.Max(m, v)
	}
	return m
}

// estimate returns the expected cost of operation op. l.mu must be held.
func (l *Limiter) estimate(op string) float64 {
	e := float64(DefaultCostEstimate)
	if w, ok := l.estimates[op]; ok && op != "" {
		e = w.max()
	}
	if l.max > 0 && e > l.max {
		e = l.max
	}
	return e
}

// ceiling is the highest the modelled level can be: Shopify's bucket holds
// at most max points, and requests in flight will still be charged from it.
// (Capping at max alone lets the model refill while requests are delayed on
// their way, then send a second batch the bucket cannot pay.) l.mu must be
// held.
func (l *Limiter) ceiling() float64 { return l.max - l.inflight }

// refill advances the model to now. l.mu must be held.
func (l *Limiter) refill(now time.Time) {
	if now.After(l.last) {
		l.level = math.Min(l.ceiling(), l.level+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
}

// broadcast wakes every waiter. l.mu must be held.
func (l *Limiter) broadcast() {
	close(l.wake)
	l.wake = make(chan struct{})
}

// acquire waits until the bucket holds the estimated cost of op, takes it,
// and returns how long it waited. It returns ctx.Err() if ctx ends first.
func (l *Limiter) acquire(ctx context.Context, op string) (*reservation, time.Duration, error) {
	start := l.now()
	w := &limiterWaiter{}
	l.mu.Lock()
	el := l.queue.PushBack(w)
	for {
		var timer *time.Timer
		var fire <-chan time.Time
		if l.queue.Front() == el {
			if !l.seeded {
				if l.unmetered {
					l.queue.Remove(el)
					l.broadcast()
					l.mu.Unlock()
					return &reservation{}, l.now().Sub(start), nil
				}
				if !l.probing {
					l.probing = true
					l.queue.Remove(el)
					l.broadcast()
					l.mu.Unlock()
					return &reservation{probe: true}, l.now().Sub(start), nil
				}
			} else {
				now := l.now()
				l.refill(now)
				cost := l.estimate(op)
				if l.level >= cost {
					l.level -= cost
					l.inflight += cost
					l.queue.Remove(el)
					l.broadcast()
					l.mu.Unlock()
					return &reservation{cost: cost}, now.Sub(start), nil
				}
				wait := time.Duration((cost - l.level) / math.Max(l.rate, minRestoreRate) * float64(time.Second))
				timer = time.NewTimer(max(wait, time.Millisecond))
				fire = timer.C
			}
		}
		wake := l.wake
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			if timer != nil {
				timer.Stop()
			}
			l.mu.Lock()
			wasFront := l.queue.Front() == el
			l.queue.Remove(el)
			if wasFront {
				l.broadcast()
			}
			l.mu.Unlock()
			return nil, l.now().Sub(start), ctx.Err()
		case <-wake:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
		l.mu.Lock()
	}
}

// settle returns a reservation after the request ended. cost is Shopify's
// report (nil when the answer had none), executed tells whether Shopify ran
// the query (false when throttled or when it never arrived).
func (l *Limiter) settle(r *reservation, op string, cost *QueryCost, executed bool) {
	if r == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.broadcast()
	if r.probe {
		l.probing = false
	}
	l.inflight = math.Max(0, l.inflight-r.cost)
	now := l.now()
	if l.seeded {
		l.refill(now)
		charged := 0.0
		if executed {
			charged = r.cost
			if cost != nil {
				charged = cost.ActualQueryCost
				if charged <= 0 {
					charged = cost.RequestedQueryCost
				}
			}
		}
		if !r.probe {
			l.level = math.Min(l.ceiling(), l.level+r.cost-charged)
		}
		if cost == nil && !executed {
			// Throttled without a report: the bucket is empty for now.
			l.level = math.Min(l.level, 0)
		}
	}
	if cost == nil || cost.ThrottleStatus.MaximumAvailable <= 0 {
		if r.probe && executed && !l.seeded {
			// A successful answer without a cost report (a proxy or test
			// server that sends none): there is nothing to pace by, so stop
			// sending requests one at a time until a report arrives.
			l.unmetered = true
		}
		return
	}
	ts := cost.ThrottleStatus
	l.max = ts.MaximumAvailable
	l.rate = math.Max(ts.RestoreRate, minRestoreRate)
	observed := math.Min(ts.CurrentlyAvailable, l.max) - l.inflight
	if !l.seeded {
		l.seeded = true
		l.level, l.last = observed, now
	} else {
		l.level = math.Min(l.level, observed)
	}
	if op != "" && cost.RequestedQueryCost > 0 {
		w, ok := l.estimates[op]
		if !ok && len(l.estimates) < maxEstimates {
			w = &costWindow{}
			l.estimates[op] = w
		}
		if w != nil {
			w.add(cost.RequestedQueryCost)
		}
	}
}

// throttleWait is how long the bucket needs to hold cost.RequestedQueryCost:
// (requested - available) / restoreRate.
func throttleWait(cost *QueryCost) time.Duration {
	if cost == nil {
		return 0
	}
	ts := cost.ThrottleStatus
	deficit := cost.RequestedQueryCost - ts.CurrentlyAvailable
	if deficit <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(deficit / math.Max(ts.RestoreRate, minRestoreRate) * float64(time.Second)))
}
