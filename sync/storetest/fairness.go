package storetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// fairShops is the number of shops of the fairness checks: shop 0 is
// noisy, the others quiet.
const fairShops = 100

func fairShop(i int) string { return fmt.Sprintf("https://shop%02d.example/", i) }

// testInboxFairness: a noisy shop's burst of 1,000 events, stored before
// the 99 quiet shops' ten events each, does not hold them back: claims of
// 100 take every quiet event within the first 11 claims (round-robin over
// shops: each claim takes about one event per shop), not after the burst
// (20 claims in arrival order), and the burst is claimed completely too.
func testInboxFairness(t *testing.T, s wmssync.Store) {
	const burst, quietEach, limit = 1000, 10, 100
	for i := range burst {
		put(t, s, fairShop(0), fmt.Sprintf("n%04d", i))
	}
	for k := range quietEach {
		for shop := 1; shop < fairShops; shop++ {
			put(t, s, fairShop(shop), fmt.Sprintf("q%02d-%d", shop, k))
		}
	}
	quiet, noisy := (fairShops-1)*quietEach, 0
	lastQuiet := 0
	for claim := 1; quiet > 0 || noisy < burst; claim++ {
		if claim > 2*(burst+quiet)/limit+2 {
			t.Fatalf("after %d claims %d quiet and %d noisy events are left", claim-1, quiet, burst-noisy)
		}
		jobs, err := s.Claim(ctx, limit, time.Hour)
		check(t, err, "Claim")
		if len(jobs) == 0 {
			t.Fatalf("Claim %d returned nothing with %d quiet and %d noisy events due", claim, quiet, burst-noisy)
		}
		for _, j := range jobs {
			if j.Event.Shop == fairShop(0) {
				noisy++
			} else {
				quiet--
				lastQuiet = claim
			}
			check(t, s.Complete(ctx, j.Event.WebhookID), "Complete")
		}
	}
	if bound := (fairShops*quietEach+limit-1)/limit + 1; lastQuiet > bound {
		t.Fatalf("the quiet shops' last event was claimed by claim %d, want at most %d: the noisy shop's burst held them back", lastQuiet, bound)
	}
}

func put(t testing.TB, s webhook.Inbox, shop, id string) {
	t.Helper()
	if _, err := s.Put(ctx, &webhook.Event{Source: "test", Topic: "orders/create", Shop: shop, WebhookID: id,
		ReceivedAt: time.Now(), Body: []byte(`{}`)}); err != nil {
		t.Fatalf("Put: %v", err)
	}
}

// FairnessLag is what [BenchmarkFairness] measured: the lag of inbox
// events between being stored and claimed, per class of shop, as p50 and
// p99 in claim rounds and in time.
type FairnessLag struct {
	QuietP50, QuietP99, NoisyP50, NoisyP99                 int // rounds
	QuietP50Time, QuietP99Time, NoisyP50Time, NoisyP99Time time.Duration
}

// BenchmarkFairness runs an overloaded inbox against a fresh store from
// newStore per iteration and reports the lag of quiet and noisy shops'
// events: 100 shops, one of which sends ten times the others' traffic (10
// events a round against 1), 109 events a round in all, of which a worker
// claims and completes 100 a round, for 60 rounds, so a backlog builds up.
// With claims fair per shop the quiet shops' lag stays at a round or two
// while the noisy shop's grows; in arrival order every shop's grows alike.
// The metrics are reported with b.ReportMetric (rounds and milliseconds).
func BenchmarkFairness(b *testing.B, newStore func(b *testing.B) wmssync.Store) FairnessLag {
	const rounds, noisyPer, limit = 60, 10, 100
	var res FairnessLag
	for range b.N {
		b.StopTimer()
		s := newStore(b)
		b.StartTimer()
		type arrival struct {
			round int
			at    time.Time
		}
		arrived := map[string]arrival{}
		var quietR, noisyR []int
		var quietT, noisyT []time.Duration
		for r := range rounds {
			for k := range noisyPer {
				id := fmt.Sprintf("n%d-%d", r, k)
				arrived[id] = arrival{r, time.Now()}
				put(b, s, fairShop(0), id)
			}
			for shop := 1; shop < fairShops; shop++ {
				id := fmt.Sprintf("q%d-%d", r, shop)
				arrived[id] = arrival{r, time.Now()}
				put(b, s, fairShop(shop), id)
			}
			jobs, err := s.Claim(ctx, limit, time.Hour)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now()
			for _, j := range jobs {
				a := arrived[j.Event.WebhookID]
				if j.Event.Shop == fairShop(0) {
					noisyR, noisyT = append(noisyR, r-a.round), append(noisyT, now.Sub(a.at))
				} else {
					quietR, quietT = append(quietR, r-a.round), append(quietT, now.Sub(a.at))
				}
				if err := s.Complete(ctx, j.Event.WebhookID); err != nil {
					b.Fatal(err)
				}
			}
		}
		res = FairnessLag{
			QuietP50: pct(quietR, 50), QuietP99: pct(quietR, 99), NoisyP50: pct(noisyR, 50), NoisyP99: pct(noisyR, 99),
			QuietP50Time: pct(quietT, 50), QuietP99Time: pct(quietT, 99), NoisyP50Time: pct(noisyT, 50), NoisyP99Time: pct(noisyT, 99),
		}
	}
	b.ReportMetric(float64(res.QuietP50), "quiet-p50-rounds")
	b.ReportMetric(float64(res.QuietP99), "quiet-p99-rounds")
	b.ReportMetric(float64(res.NoisyP50), "noisy-p50-rounds")
	b.ReportMetric(float64(res.NoisyP99), "noisy-p99-rounds")
	b.ReportMetric(float64(res.QuietP50Time.Microseconds())/1000, "quiet-p50-ms")
	b.ReportMetric(float64(res.QuietP99Time.Microseconds())/1000, "quiet-p99-ms")
	b.ReportMetric(float64(res.NoisyP50Time.Microseconds())/1000, "noisy-p50-ms")
	b.ReportMetric(float64(res.NoisyP99Time.Microseconds())/1000, "noisy-p99-ms")
	return res
}

// pct returns the p-th percentile of xs (0 for none).
func pct[T int | time.Duration](xs []T, p int) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
