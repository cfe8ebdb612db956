package shopify

import (
	"container/list"
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// maxEstimates bounds the per-operation cost memory of a Limiter (beyond it,
// new operations are estimated from their documents alone).
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
// the side of waiting.
//
// The cost of a request is estimated from its document and variables by
// Shopify's documented rules (objects 1 point, connections 2 plus their page
// size times a node, mutations 10), times the largest ratio of reported
// requestedQueryCost to that estimate among the last eight answers to the
// same operation name (1 before the first), capped at maximumAvailable. The
// ratio corrects fields Shopify prices differently; the document keeps the
// estimate right when an operation's cost varies with its variables (pages
// or chunks of different sizes). Until an operation has a cost report, one
// request of it goes out at a time: the others of that operation wait for
// its answer, so a wrong first estimate can cost at most one THROTTLED
// answer, not one per goroutine. Waiters are served first come, first
// served, except that a request held back that way does not hold up other
// operations; a wait ends early when its context is done.
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
	settled   uint64  // requests settled so far
	ops       map[string]*opCost
	queue     *list.List    // of *limiterWaiter, first come first served
	wake      chan struct{} // closed and replaced on every state change
}

type limiterWaiter struct{ op string }

// opCost is what the Limiter knows of one operation's cost.
type opCost struct {
	ratios   costWindow // recent requestedQueryCost ÷ the document's estimate
	learning bool       // a request of it is out and no cost report arrived yet
}

// NewLimiter returns an unseeded Limiter.
func NewLimiter() *Limiter {
	return &Limiter{now: time.Now, ops: map[string]*opCost{}, queue: list.New(), wake: make(chan struct{})}
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
	op       string
	doc      float64 // the document's estimate (estimateCost), at least 1
	cost     float64 // estimated cost taken from the bucket (0 for a probe)
	probe    bool    // sent before the bucket was known
	learning bool    // the first request of an operation without history
	epoch    uint64  // Limiter.settled when it was sent
}

// costWindowSize is how many recent cost ratios of an operation the
// estimate looks back over.
const costWindowSize = 8

// costWindow holds the most recent ratios of requestedQueryCost to the
// document's estimate of one operation. The estimate uses their maximum, not
// the last one, so that a request priced unlike the document says does not
// make the next one go out early and be throttled.
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

// estimate returns the expected cost of a request of operation op whose
// document is estimated at doc points. l.mu must be held.
func (l *Limiter) estimate(op string, doc float64) float64 {
	e := doc
	if oc := l.ops[op]; oc != nil && oc.ratios.n > 0 {
		e = doc * oc.ratios.max()
	}
	if l.max > 0 && e > l.max {
		e = l.max
	}
	return e
}

// held reports whether requests of op wait for the answer to the first one
// (op has no cost report yet and one request of it is out). l.mu must be
// held.
func (l *Limiter) held(op string) bool {
	oc := l.ops[op]
	return oc != nil && oc.learning && oc.ratios.n == 0
}

// next returns the waiter to serve: the first in the queue that is not held.
// l.mu must be held.
func (l *Limiter) next() *list.Element {
	for e := l.queue.Front(); e != nil; e = e.Next() {
		if !l.held(e.Value.(*limiterWaiter).op) {
			return e
		}
	}
	return nil
}

// startLearning marks op as having its first request out when it has no
// cost report yet, and reports whether it did. l.mu must be held.
func (l *Limiter) startLearning(op string) bool {
	oc := l.ops[op]
	if oc == nil {
		if len(l.ops) >= maxEstimates {
			return false
		}
		oc = &opCost{}
		l.ops[op] = oc
	}
	if oc.ratios.n > 0 {
		return false
	}
	oc.learning = true
	return true
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

// acquire waits until the bucket holds the estimated cost of a request of
// operation op whose document is estimated at doc points (estimateCost),
// takes it, and returns how long it waited. It returns ctx.Err() if ctx ends
// first.
func (l *Limiter) acquire(ctx context.Context, op string, doc float64) (*reservation, time.Duration, error) {
	start := l.now()
	doc = math.Max(doc, 1)
	l.mu.Lock()
	el := l.queue.PushBack(&limiterWaiter{op: op})
	take := func(r *reservation) (*reservation, time.Duration, error) {
		r.epoch = l.settled
		l.queue.Remove(el)
		l.broadcast()
		l.mu.Unlock()
		return r, l.now().Sub(start), nil
	}
	for {
		var timer *time.Timer
		var fire <-chan time.Time
		if l.next() == el {
			if !l.seeded {
				if l.unmetered {
					return take(&reservation{op: op, doc: doc})
				}
				if !l.probing {
					l.probing = true
					return take(&reservation{op: op, doc: doc, probe: true})
				}
			} else {
				l.refill(l.now())
				cost := l.estimate(op, doc)
				if l.level >= cost {
					l.level -= cost
					l.inflight += cost
					return take(&reservation{op: op, doc: doc, cost: cost, learning: l.startLearning(op)})
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
			l.queue.Remove(el)
			l.broadcast()
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
func (l *Limiter) settle(r *reservation, cost *QueryCost, executed bool) {
	if r == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.broadcast()
	if r.probe {
		l.probing = false
	}
	// fresh: no other request was answered while this one was out, so any
	// request Shopify charged after this answer's report is still in flight.
	fresh := l.settled == r.epoch
	l.settled++
	if cost != nil && cost.RequestedQueryCost > 0 {
		oc := l.ops[r.op]
		if oc == nil && len(l.ops) < maxEstimates {
			oc = &opCost{}
			l.ops[r.op] = oc
		}
		if oc != nil {
			oc.ratios.add(cost.RequestedQueryCost / r.doc)
		}
	}
	if r.learning {
		if oc := l.ops[r.op]; oc != nil {
			oc.learning = false
		}
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
	switch {
	case !l.seeded:
		l.seeded = true
		l.level, l.last = observed, now
	case fresh:
		// The report, minus everything still in flight, is a safe level
		// (requests it already counted are counted twice, which errs on the
		// side of waiting), so the model may also rise to it. Without this,
		// each such double count would lower the model for good whenever
		// requests overlap, until the real bucket overflowed.
		l.level = observed
	default:
		// Another request was answered meanwhile: its charge may be missing
		// from this (older) report, so the report can only lower the model.
		l.level = math.Min(l.level, observed)
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
