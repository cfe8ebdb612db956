package shopify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// leakyBucket is a server-side cost bucket as Shopify runs it: a request
// is throttled unless the bucket holds its requested cost; a request that
// runs is charged its actual cost.
type leakyBucket struct {
	mu                sync.Mutex
	max, rate, level  float64
	last              time.Time
	requested, actual float64
}

func (b *leakyBucket) take() (ok bool, cost QueryCost) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	b.level = min(b.max, b.level+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	cost = QueryCost{RequestedQueryCost: b.requested}
	if b.level < b.requested {
		ok = false
	} else {
		ok = true
		b.level -= b.actual
		cost.ActualQueryCost = b.actual
	}
	cost.ThrottleStatus = ThrottleStatus{MaximumAvailable: b.max, CurrentlyAvailable: b.level, RestoreRate: b.rate}
	return ok, cost
}

// TestConcurrentGoroutinesAreNeverThrottled runs 50 goroutines on one
// Client against a server enforcing a leaky bucket. Once the first answer
// seeded the Limiter, no request may be throttled.
func TestConcurrentGoroutinesAreNeverThrottled(t *testing.T) {
	t.Parallel()
	const (
		goroutines = 50
		perG       = 6
	)
	bucket := &leakyBucket{max: 100, rate: 2000, level: 30, last: time.Now(), requested: 10, actual: 8}
	var served, throttledAfterSeed, throttledTotal atomic.Int32
	var seeded atomic.Bool
	var maxInFlight, inFlight atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		ok, cost := bucket.take()
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond) // answers take a while and overlap
		ext := fmt.Sprintf(`{"cost":{"requestedQueryCost":%g,"actualQueryCost":%g,"throttleStatus":{"maximumAvailable":%g,"currentlyAvailable":%g,"restoreRate":%g}}}`,
			cost.RequestedQueryCost, cost.ActualQueryCost, cost.ThrottleStatus.MaximumAvailable, cost.ThrottleStatus.CurrentlyAvailable, cost.ThrottleStatus.RestoreRate)
		if !ok {
			throttledTotal.Add(1)
			if seeded.Load() {
				throttledAfterSeed.Add(1)
			}
			writeJSON(w, http.StatusOK, `{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":`+ext+`}`)
			return
		}
		served.Add(1)
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+ext+`}`)
		seeded.Store(true)
	})
	var wg sync.WaitGroup
	var failures atomic.Int32
	start := time.Now()
	for range goroutines {
		wg.Go(func() {
			for range perG {
				var out struct{ Shop struct{ Name string } }
				if _, err := c.Do(context.Background(), shopReq, &out); err != nil || out.Shop.Name != "S" {
					failures.Add(1)
					t.Errorf("Do: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if throttledAfterSeed.Load() != 0 {
		t.Fatalf("%d THROTTLED answers after the limiter was seeded (%d in total)", throttledAfterSeed.Load(), throttledTotal.Load())
	}
	if got := served.Load(); got != goroutines*perG || failures.Load() != 0 {
		t.Fatalf("served %d of %d", got, goroutines*perG)
	}
	// Pacing is not serialisation: requests still overlap.
	if maxInFlight.Load() < 2 {
		t.Errorf("at most %d request in flight; the limiter serialises", maxInFlight.Load())
	}
	t.Logf("%d requests in %v (bucket-bound minimum about %v), %d throttled in total, max %d in flight",
		goroutines*perG, elapsed, time.Duration((float64(goroutines*perG)*bucket.actual-30)/bucket.rate*float64(time.Second)), throttledTotal.Load(), maxInFlight.Load())
}
