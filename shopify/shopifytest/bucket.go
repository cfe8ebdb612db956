package shopifytest

import (
	"math"
	"time"
)

// bucket is Shopify's leaky bucket of query-cost points for one app on one
// shop: it holds up to size points, refills at rate points per simulated
// second, and a query may run only when the bucket holds its requested cost.
// The server's time scale multiplies the refill speed in real time. Callers
// hold the shop's lock.
type bucket struct {
	size, rate float64 // rate in points per simulated second
	scale      float64
	avail      float64
	last       time.Time
}

func newBucket(size, rate, scale float64, now time.Time) *bucket {
	return &bucket{size: size, rate: rate, scale: scale, avail: size, last: now}
}

func (b *bucket) refill(now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.avail = math.Min(b.size, b.avail+el*b.rate*b.scale)
	}
	b.last = now
}

// take withdraws cost points when available; it reports whether it did.
func (b *bucket) take(cost float64, now time.Time) bool {
	b.refill(now)
	if cost > b.avail {
		return false
	}
	b.avail -= cost
	return true
}

// refund returns points (requested minus actual cost) to the bucket.
func (b *bucket) refund(points float64) { b.avail = math.Min(b.size, b.avail+points) }

// ThrottleStatus is the extensions.cost.throttleStatus of a response.
// RestoreRate is the effective rate: points per real second, i.e. the
// configured rate times the server's time scale, so clients that compute
// waits from it wait the scaled time.
type ThrottleStatus struct {
	MaximumAvailable   float64 `json:"maximumAvailable"`
	CurrentlyAvailable float64 `json:"currentlyAvailable"`
	RestoreRate        float64 `json:"restoreRate"`
}

func (b *bucket) status(now time.Time) ThrottleStatus {
	b.refill(now)
	return ThrottleStatus{MaximumAvailable: b.size, CurrentlyAvailable: math.Floor(b.avail), RestoreRate: b.rate * b.scale}
}

// ThrottleStatus returns the shop's bucket state now.
func (s *Shop) ThrottleStatus() ThrottleStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bucket.status(s.srv.now())
}

// SetBucket changes the shop's bucket size and restore rate (points per
// simulated second) and fills it.
func (s *Shop) SetBucket(size, restoreRate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket = newBucket(size, restoreRate, s.srv.scale, s.srv.now())
}

// DrainBucket sets the points currently available (clamped to the bucket),
// for tests that start from a nearly empty bucket.
func (s *Shop) DrainBucket(available float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bucket.refill(s.srv.now())
	s.bucket.avail = math.Max(0, math.Min(s.bucket.size, available))
}
