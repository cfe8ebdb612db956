package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// TestRetentionSoak stores WMSBRIDGE_SOAK webhooks and as many outbound
// messages (1,000,000 for BENCHMARKS.md) over 100 simulated days, handles
// them all, and prunes with the engine's default retention (inbox 7 days,
// outbox 14 days) once a simulated day, as Run does (hourly) through
// InboxPruner and OutboxPruner. It logs the database size (file plus WAL)
// as the days pass: once the retention window is full the size stays
// flat. Skipped unless WMSBRIDGE_SOAK is set (it writes gigabytes).
//
//	WMSBRIDGE_SOAK=1000000 go test -run TestRetentionSoak -v -timeout 2h ./sync/store/sqlite/
func TestRetentionSoak(t *testing.T) {
	total, _ := strconv.Atoi(os.Getenv("WMSBRIDGE_SOAK"))
	if total <= 0 {
		t.Skip("soak skipped: set WMSBRIDGE_SOAK=1000000 to run it")
	}
	const (
		days    = 100
		bodyLen = 4096 // an order webhook is 10-16 KB; 4 KB keeps the run's disk writes moderate
		putters = 32
	)
	var simNow atomic.Int64
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	simNow.Store(start.UnixMicro())
	now := func() time.Time { return time.UnixMicro(simNow.Load()).UTC() }
	path := filepath.Join(t.TempDir(), "soak.db")
	s, err := sqlite.Open(context.Background(), path, sqlite.WithClock(now), sqlite.WithSynchronousNormal())
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	body := make([]byte, bodyLen)
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	size := func() int64 {
		var n int64
		for _, f := range []string{path, path + "-wal"} {
			if st, err := os.Stat(f); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	perDay := total / days
	seq := 0
	wall := time.Now()
	var sizes []string
	for day := range days {
		// Webhooks: put concurrently (group commit), then claim and
		// complete them all.
		var wg gosync.WaitGroup
		ids := make(chan string, putters)
		for range putters {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range ids {
					if _, err := s.Put(ctx, &webhook.Event{Source: "soak", Topic: "orders/create", Shop: "shop-" + id[len(id)-1:],
						WebhookID: id, ReceivedAt: now(), Body: body}); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		for range perDay {
			seq++
			ids <- "w" + strconv.Itoa(seq)
		}
		close(ids)
		wg.Wait()
		for {
			jobs, err := s.Claim(ctx, 1000, time.Hour)
			require.NoError(t, err)
			if len(jobs) == 0 {
				break
			}
			done := make(chan string, putters)
			for range putters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for id := range done {
						if err := s.Complete(ctx, id); err != nil {
							t.Error(err)
						}
					}
				}()
			}
			for _, j := range jobs {
				done <- j.Event.WebhookID
			}
			close(done)
			wg.Wait()
		}
		// Outbound messages: added in batches, claimed and settled done.
		for b := 0; b < perDay; b += 1000 {
			msgs := make([]wmssync.OutboxMessage, 0, 1000)
			for i := b; i < min(b+1000, perDay); i++ {
				msgs = append(msgs, wmssync.OutboxMessage{Shop: "shop-" + strconv.Itoa(i%10), ID: fmt.Sprintf("d%d-%d", day, i),
					Kind: wms.KindStockChanged, Data: body[:512], State: wmssync.OutboxPending, NextAttempt: now(), CreatedAt: now()})
			}
			require.NoError(t, s.AddOutbox(ctx, msgs))
		}
		for shop := range 10 {
			for {
				ms, err := s.ClaimOutbox(ctx, "shop-"+strconv.Itoa(shop), now(), time.Hour, 1000)
				require.NoError(t, err)
				if len(ms) == 0 {
					break
				}
				for i := range ms {
					ms[i].State, ms[i].LeaseUntil = wmssync.OutboxDone, time.Time{}
				}
				require.NoError(t, s.UpdateOutbox(ctx, ms))
			}
		}
		simNow.Add((24 * time.Hour).Microseconds())
		// The engine's pruning, with its default retentions and batches.
		for _, p := range []struct {
			fn   func(context.Context, time.Time, int) (int, error)
			keep time.Duration
		}{{s.PruneInbox, wmssync.DefaultInboxRetention}, {s.PruneOutbox, wmssync.DefaultOutboxRetention}} {
			for {
				n, err := p.fn(ctx, now().Add(-p.keep), 1000)
				require.NoError(t, err)
				if n < 1000 {
					break
				}
			}
		}
		if day == 6 || day == 13 || day == 14 || day%10 == 9 {
			_, err := s.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
			require.NoError(t, err)
			line := fmt.Sprintf("day %3d: %8d webhooks, %8d messages so far; database %6.1f MB; %s", day+1, seq, seq,
				float64(size())/1e6, time.Since(wall).Round(time.Second))
			sizes = append(sizes, line)
			t.Log(line)
		}
	}
	var rows int
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_inbox`).Scan(&rows))
	t.Logf("inbox rows at the end: %d (7 days of %d a day)", rows, perDay)
	require.LessOrEqual(t, rows, 8*perDay)
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM wmsbridge_outbox`).Scan(&rows))
	t.Logf("outbox rows at the end: %d (14 days of %d a day)", rows, perDay)
	require.LessOrEqual(t, rows, 15*perDay)
}
