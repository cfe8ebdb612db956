package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// crashChildEnv holds the database path when the test binary runs as the
// child process of TestCrashSafety.
const crashChildEnv = "WMSBRIDGE_SQLITE_CRASH_CHILD"

const (
	crashEvents = 1000
	crashLease  = 300 * time.Millisecond
)

func TestMain(m *testing.M) {
	if paths := os.Getenv(importChildEnv); paths != "" {
		store, backend, _ := strings.Cut(paths, "|")
		if err := importChild(store, backend); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if path := os.Getenv(crashChildEnv); path != "" {
		if err := crashChild(path); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func crashEventID(i int) string { return fmt.Sprintf("crash-%05d", i) }

// crashChild plays Shopify and the engine on one store: 8 goroutines
// deliver every event (Put; a redelivery of an acknowledged one is
// deduplicated), 3 workers claim, apply (a compare-and-swap on the
// event's entity version, the engine's idempotency guard) and complete.
// It prints "ack ID" after a Put returned without error, "applied ID"
// after an apply succeeded, and "done" when every event is completed.
func crashChild(path string) error {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	var outMu gosync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...) // unbuffered: a line printed is a fact
	}
	errc := make(chan error, 16)
	var wg gosync.WaitGroup
	order := rand.Perm(crashEvents)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < crashEvents; k += 8 {
				id := crashEventID(order[k])
				e := &webhook.Event{Topic: "orders/updated", Shop: "crash.myshopify.com",
					WebhookID: id, TriggeredAt: time.Now(), Body: []byte(`{"id":"` + id + `"}`)}
				if _, err := s.Put(ctx, e); err != nil {
					errc <- err
					return
				}
				say("ack %s", id)
			}
		}()
	}
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := s.Claim(ctx, 20, crashLease)
				if err != nil {
					errc <- err
					return
				}
				if len(jobs) == 0 {
					st, err := s.Stats(ctx)
					if err != nil {
						errc <- err
						return
					}
					if st.Completed == crashEvents {
						return
					}
					time.Sleep(20 * time.Millisecond)
					continue
				}
				for _, j := range jobs {
					key := wmssync.EntityKey{Shop: "crash", Kind: wmssync.KindOrder, ID: j.Event.WebhookID}
					ok, err := s.SetVersion(ctx, key, webhook.Version{TriggeredAt: j.Event.TriggeredAt}, 0)
					if err != nil {
						errc <- err
						return
					}
					if ok {
						say("applied %s", j.Event.WebhookID)
					}
					if err := s.Complete(ctx, j.Event.WebhookID); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	if err := crashOutbox(ctx, s, path+".shop", &wg, errc, say); err != nil {
		return err
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	say("done")
	return nil
}

const (
	crashMessages = 600
	crashShop     = "CrashDK"
)

func crashMessageID(i int) string { return fmt.Sprintf("msg-%05d", i) }

// crashOutbox adds the outbox half of the crash child: one goroutine
// publishes crashMessages messages to crashShop, in order, over 40 entities
// (orders), printing "pub ID" once AddOutbox returned; two dispatchers
// claim them, store the idempotency key before the first send, "send" each
// to a fake shop (its own SQLite file, which applies a key once and counts
// the sends), and mark them done.
func crashOutbox(ctx context.Context, s *sqlite.Store, shopPath string, wg *gosync.WaitGroup, errc chan<- error, say func(string, ...any)) error {
	shop, err := sql.Open("sqlite", shopPath+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL")
	if err != nil {
		return err
	}
	shop.SetMaxOpenConns(1)
	if _, err := shop.Exec(`CREATE TABLE IF NOT EXISTS effects (
		n INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, id TEXT NOT NULL, entity TEXT NOT NULL,
		sends INTEGER NOT NULL)`); err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range crashMessages {
			now := time.Now()
			m := wmssync.OutboxMessage{Shop: crashShop, ID: crashMessageID(i), Kind: wms.KindOrderPacked,
				Entity: fmt.Sprintf("order/%02d", i%40), Data: []byte(`{}`), State: wmssync.OutboxPending,
				NextAttempt: now, CreatedAt: now, Time: now}
			if err := s.AddOutbox(ctx, []wmssync.OutboxMessage{m}); err != nil {
				errc <- err
				return
			}
			say("pub %s", m.ID)
		}
	}()
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				msgs, err := s.ClaimOutbox(ctx, crashShop, time.Now(), crashLease, 5)
				if err != nil {
					errc <- err
					return
				}
				if len(msgs) == 0 {
					all, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: crashShop, State: wmssync.OutboxDone})
					if err != nil {
						errc <- err
						return
					}
					if len(all) == crashMessages {
						return
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				for _, m := range msgs {
					if m.Key == "" { // first attempt: store the key before sending
						m.Key = wmssync.IdempotencyKey(m.Shop, m.ID)
						if err := s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}); err != nil {
							errc <- err
							return
						}
					}
					if _, err := shop.Exec(`INSERT INTO effects (key, id, entity, sends) VALUES (?, ?, ?, 1)
						ON CONFLICT (key) DO UPDATE SET sends = sends + 1`, m.Key, m.ID, m.Entity); err != nil {
						errc <- err
						return
					}
					m.State, m.Attempts, m.LeaseUntil = wmssync.OutboxDone, m.Attempts+1, time.Time{}
					if err := s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}); err != nil {
						errc <- err
						return
					}
				}
			}
		}()
	}
	return nil
}

type childRun struct {
	acked, applied, published []string
	done                      bool
}

// runChild starts the child on path and, if killAfter > 0, SIGKILLs it
// that long after its first acknowledged Put.
func runChild(t *testing.T, path string, killAfter time.Duration) childRun {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	watchdog := time.AfterFunc(3*time.Minute, func() { _ = cmd.Process.Kill() })
	defer watchdog.Stop()
	var r childRun
	sc := bufio.NewScanner(out)
	var once gosync.Once
	for sc.Scan() {
		kind, id, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "ack":
			r.acked = append(r.acked, id)
			if killAfter > 0 {
				once.Do(func() {
					time.AfterFunc(killAfter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
				})
			}
		case "applied":
			r.applied = append(r.applied, id)
		case "pub":
			r.published = append(r.published, id)
		case "done":
			r.done = true
		}
	}
	err = cmd.Wait()
	if killAfter == 0 || r.done {
		require.NoError(t, err, "child: %s", stderr.String())
	} else {
		require.Error(t, err, "the child was killed")
	}
	return r
}

// TestCrashSafety kills a process that is ingesting and applying webhooks
// and publishing and delivering outbox messages with SIGKILL at random
// points, several times, restarting it on the same file each time: no
// acknowledged webhook or published message is lost, none is applied
// twice, each entity's messages reach the shop in order, and the last run
// completes them all.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary several times")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	acked := map[string]bool{}
	published := map[string]bool{}
	applied := map[string]int{}
	kills := 0
	for round := 0; ; round++ {
		kill := time.Duration(0)
		if round < 3 {
			kill = time.Duration(20+rand.IntN(400)) * time.Millisecond
		}
		r := runChild(t, path, kill)
		for _, id := range r.acked {
			acked[id] = true
		}
		for _, id := range r.applied {
			applied[id]++
		}
		for _, id := range r.published {
			published[id] = true
		}
		if r.done {
			break
		}
		kills++
		t.Logf("round %d: killed after %v: %d acks, %d applies printed", round, kill, len(r.acked), len(r.applied))

		// After each kill: the file is sound and holds every acknowledged
		// event.
		s := openStore(t, path)
		var check string
		require.NoError(t, s.DB().QueryRow(`PRAGMA integrity_check`).Scan(&check))
		require.Equal(t, "ok", check)
		for id := range acked {
			var n int
			require.NoError(t, s.DB().QueryRow(`SELECT count(*) FROM wmsbridge_inbox WHERE webhook_id = ?`, id).Scan(&n))
			require.Equal(t, 1, n, "acknowledged event %s lost", id)
		}
		for id := range published {
			got, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: crashShop, ID: id})
			require.NoError(t, err)
			require.Len(t, got, 1, "published message %s lost", id)
		}
		require.NoError(t, s.Close())
		if round > 20 {
			t.Fatal("the child never finished")
		}
	}
	t.Logf("%d kills, then a run to completion", kills)

	s := openStore(t, path)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, sqlite.InboxStats{Completed: crashEvents}, st)
	for id, n := range applied {
		require.Equal(t, 1, n, "event %s applied %d times", id, n)
	}
	var versions, maxRev int
	require.NoError(t, s.DB().QueryRow(`SELECT count(*), max(rev) FROM wmsbridge_versions`).Scan(&versions, &maxRev))
	require.Equal(t, crashEvents, versions, "every event applied")
	require.Equal(t, 1, maxRev, "no event applied twice")
	require.Len(t, acked, crashEvents)

	// Outbox: every message published and done, applied by the shop once
	// (one effect per idempotency key), each entity's messages in order.
	require.Len(t, published, crashMessages)
	pending, err := s.ListOutbox(ctx, wmssync.OutboxFilter{State: wmssync.OutboxPending})
	require.NoError(t, err)
	require.Empty(t, pending)
	shop, err := sql.Open("sqlite", path+".shop")
	require.NoError(t, err)
	defer shop.Close()
	var effects, resent int
	require.NoError(t, shop.QueryRow(`SELECT count(*), count(*) FILTER (WHERE sends > 1) FROM effects`).Scan(&effects, &resent))
	require.Equal(t, crashMessages, effects, "one effect per message")
	t.Logf("outbox: %d messages, %d sent again after a kill (same idempotency key, applied once)", effects, resent)
	rows, err := shop.Query(`SELECT entity, id FROM effects ORDER BY n`)
	require.NoError(t, err)
	last := map[string]string{}
	for rows.Next() {
		var entity, id string
		require.NoError(t, rows.Scan(&entity, &id))
		require.Less(t, last[entity], id, "entity %s: %s applied after %s", entity, id, last[entity])
		last[entity] = id
	}
	require.NoError(t, rows.Err())
}
