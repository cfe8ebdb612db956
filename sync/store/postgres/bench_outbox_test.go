package postgres_test

import (
	"fmt"
	"testing"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// BenchmarkOutboxClaim measures outbox delivery bookkeeping: claim a batch
// of a shop's messages (entity-ordered, so the blocking rule is checked),
// then mark the batch done in one UpdateOutbox, as the engine's dispatcher
// does; events/s counts messages settled.
func BenchmarkOutboxClaim(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
			s := newBenchStore(b)
			now := time.Now()
			msgs := make([]wmssync.OutboxMessage, 0, 500)
			for i := 0; i < b.N; i++ {
				msgs = append(msgs, wmssync.OutboxMessage{Shop: "shop", ID: fmt.Sprint(i), Kind: wms.KindOrderPacked,
					Entity: fmt.Sprintf("order/%d", i%1000), Data: []byte(`{"order":"1"}`), State: wmssync.OutboxPending,
					NextAttempt: now, CreatedAt: now, Time: now})
				if len(msgs) == cap(msgs) || i == b.N-1 {
					if err := s.AddOutbox(ctx, msgs); err != nil {
						b.Fatal(err)
					}
					msgs = msgs[:0]
				}
			}
			b.ResetTimer()
			start := time.Now()
			for done := 0; done < b.N; {
				got, err := s.ClaimOutbox(ctx, "shop", time.Now(), time.Minute, batch)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) == 0 {
					b.Fatalf("outbox empty after %d of %d", done, b.N)
				}
				for i := range got {
					got[i].State, got[i].Attempts, got[i].LeaseUntil = wmssync.OutboxDone, 1, time.Time{}
				}
				if err := s.UpdateOutbox(ctx, got); err != nil {
					b.Fatal(err)
				}
				done += len(got)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
		})
	}
}
