package sqlite_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/sync/storetest"
	"github.com/wmsbridge/wmsbridge/webhook"
)

// benchBody is an orders/create-sized payload (about 2 KB).
var benchBody = []byte(`{"id":9007199254740993,"note":"` + strings.Repeat("x", 2000) + `"}`)

func benchEvent(id string) *webhook.Event {
	return &webhook.Event{Topic: "orders/create", Shop: "bench.myshopify.com", APIVersion: "2026-10",
		WebhookID: id, EventID: "e" + id, TriggeredAt: time.Now(), ReceivedAt: time.Now(), Body: benchBody}
}

// BenchmarkPut measures webhook ingest: Put calls per second, one at a
// time and from concurrent goroutines as webhook.Handler makes them (one
// per delivery), with group commit (default) and without (max batch 1).
func BenchmarkPut(b *testing.B) {
	cases := []struct {
		name     string
		parallel int // goroutines per GOMAXPROCS; 0: serial
		opts     []sqlite.Option
	}{
		{"serial", 0, nil},
		{"concurrent64", 32, nil},
		{"concurrent64-nogroupcommit", 32, []sqlite.Option{sqlite.WithMaxBatch(1)}},
		{"concurrent64-syncnormal", 32, []sqlite.Option{sqlite.WithSynchronousNormal()}},
		{"concurrent256", 128, nil},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			s := openStore(b, filepath.Join(b.TempDir(), "bench.db"), tc.opts...)
			var n atomic.Int64
			b.ResetTimer()
			start := time.Now()
			if tc.parallel == 0 {
				for i := 0; i < b.N; i++ {
					if _, err := s.Put(ctx, benchEvent(fmt.Sprint(i))); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.SetParallelism(tc.parallel)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if _, err := s.Put(ctx, benchEvent(fmt.Sprint(n.Add(1)))); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "puts/s")
		})
	}
}

// BenchmarkClaimComplete measures draining the inbox: workers Claim(limit)
// then Complete each event, as webhook.Dispatcher's workers do.
func BenchmarkClaimComplete(b *testing.B) {
	for _, tc := range []struct{ workers, limit int }{{1, 1}, {1, 50}, {8, 10}} {
		b.Run(fmt.Sprintf("workers%d-limit%d", tc.workers, tc.limit), func(b *testing.B) {
			s := openStore(b, filepath.Join(b.TempDir(), "bench.db"))
			fill(b, s, b.N)
			b.ResetTimer()
			start := time.Now()
			drain(b, s, tc.workers, tc.limit)
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}

// fill puts n events concurrently.
func fill(b *testing.B, s webhook.Store, n int) {
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(n); i = next.Add(1) {
				if _, err := s.Put(ctx, benchEvent(fmt.Sprint(i))); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// drain claims and completes until the inbox is empty.
func drain(b *testing.B, s webhook.Store, workers, limit int) {
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := s.Claim(ctx, limit, time.Minute)
				if err != nil {
					b.Error(err)
					return
				}
				if len(jobs) == 0 {
					return
				}
				for _, j := range jobs {
					if err := s.Complete(ctx, j.Event.WebhookID); err != nil {
						b.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkFairness reports the lag of a quiet and a noisy shop's events in
// an overloaded inbox (see storetest.BenchmarkFairness). Run with
// -benchtime=1x.
func BenchmarkFairness(b *testing.B) {
	storetest.BenchmarkFairness(b, func(b *testing.B) wmssync.Store {
		return openStore(b, filepath.Join(b.TempDir(), "bench.db"))
	})
}
