package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
)

// mpChildEnv holds "schema/index" when the test binary runs as one of the
// engine processes of TestMultiProcess.
const mpChildEnv = "WMSBRIDGE_POSTGRES_MP_CHILD"

const (
	mpEvents    = 1500
	mpProcs     = 3
	mpPages     = 40 // pages of the long step guarded by the lease
	mpLease     = 400 * time.Millisecond
	mpStepLease = 1500 * time.Millisecond
	mpShop      = "mp"
)

func TestMain(m *testing.M) {
	if v := os.Getenv(mpChildEnv); v != "" {
		schema, idx, _ := strings.Cut(v, "/")
		i, _ := strconv.Atoi(idx)
		if err := mpChild(os.Getenv(dsnEnv), schema, i); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func mpEventID(i int) string { return fmt.Sprintf("mp-%05d", i) }

// mpChild is one engine process sharing the schema with the others. It
// ingests its share of the webhook stream first, then every other event
// again (Shopify redelivers what a dead process did not acknowledge, and
// sometimes what it did); 3 workers claim, apply (a compare-and-swap on
// the entity version: the engine's idempotency guard) and complete; and a
// step runner competes for the shop's step lease and, while holding it,
// works through mpPages pages from the saved checkpoint. Output lines:
// "ack ID", "applied ID", "lease", "page N", "done".
func mpChild(dsn, schema string, idx int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := postgres.Open(ctx, dsn+"&pool_max_conns=8", postgres.WithSchema(schema))
	if err != nil {
		return err
	}
	defer s.Close()
	var outMu gosync.Mutex
	say := func(format string, args ...any) {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(os.Stdout, format+"\n", args...)
	}
	errc := make(chan error, 16)
	var wg gosync.WaitGroup
	wg.Add(1)
	go func() { // ingest
		defer wg.Done()
		put := func(i int) error {
			id := mpEventID(i)
			e := &webhook.Event{Topic: "orders/updated", Shop: "mp.myshopify.com",
				WebhookID: id, TriggeredAt: time.Now(), Body: []byte(`{"id":"` + id + `"}`)}
			if _, err := s.Put(ctx, e); err != nil {
				return err
			}
			say("ack %s", id)
			return nil
		}
		for i := idx; i < mpEvents; i += mpProcs {
			if err := put(i); err != nil {
				errc <- err
				return
			}
		}
		for i := range mpEvents {
			if i%mpProcs != idx {
				if err := put(i); err != nil {
					errc <- err
					return
				}
			}
		}
	}()
	for range 3 { // dispatcher workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jobs, err := s.Claim(ctx, 10, mpLease)
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
					if st.Completed == mpEvents {
						return
					}
					time.Sleep(20 * time.Millisecond)
					continue
				}
				for _, j := range jobs {
					key := wmssync.EntityKey{Shop: mpShop, Kind: wmssync.KindOrder, ID: j.Event.WebhookID}
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
	mpOutbox(ctx, s, schema, idx, &wg, errc, say)
	wg.Add(1)
	go func() { // the long step, one process at a time
		defer wg.Done()
		if err := mpStep(ctx, s, fmt.Sprintf("proc-%d-%d", idx, os.Getpid()), say); err != nil {
			errc <- err
		}
	}()
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	say("done")
	return nil
}

const (
	mpMessages = 450
	mpMsgShop  = "MpDK"
)

func mpMessageID(i int) string { return fmt.Sprintf("msg-%05d", i) }

// mpOutbox adds the outbox half of an engine process: it publishes every
// message (over 30 entities; each process starting at its own offset, as
// hosts republishing what they are unsure of: AddOutbox deduplicates),
// printing "pub ID" once AddOutbox returned, and runs two dispatchers that
// claim the shop's messages, store the idempotency key before the first
// send, "send" them to a fake shop (a table that applies a key once and
// counts the sends) and mark them done.
func mpOutbox(ctx context.Context, s *postgres.Store, schema string, idx int, wg *gosync.WaitGroup, errc chan<- error, say func(string, ...any)) {
	effects := schema + ".test_shop_effects"
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := range mpMessages {
			i := (k + idx*mpMessages/mpProcs) % mpMessages
			now := time.Now()
			m := wmssync.OutboxMessage{Shop: mpMsgShop, ID: mpMessageID(i), Kind: wms.KindOrderPacked,
				Entity: fmt.Sprintf("order/%02d", i%30), Data: []byte(`{}`), State: wmssync.OutboxPending,
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
				msgs, err := s.ClaimOutbox(ctx, mpMsgShop, time.Now(), mpLease, 5)
				if err != nil {
					errc <- err
					return
				}
				if len(msgs) == 0 {
					done, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: mpMsgShop, State: wmssync.OutboxDone})
					if err != nil {
						errc <- err
						return
					}
					if len(done) == mpMessages {
						return
					}
					time.Sleep(10 * time.Millisecond)
					continue
				}
				for _, m := range msgs {
					if m.Key == "" {
						m.Key = wmssync.IdempotencyKey(m.Shop, m.ID)
						if err := s.UpdateOutbox(ctx, []wmssync.OutboxMessage{m}); err != nil {
							errc <- err
							return
						}
					}
					if _, err := s.Pool().Exec(ctx, `INSERT INTO `+effects+` (key, id, entity, sends) VALUES ($1, $2, $3, 1)
						ON CONFLICT (key) DO UPDATE SET sends = `+effects+`.sends + 1`, m.Key, m.ID, m.Entity); err != nil {
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
}

// mpStep runs the lease-guarded step until it is done (by this process or
// another).
func mpStep(ctx context.Context, s *postgres.Store, owner string, say func(string, ...any)) error {
	const lease = mpShop + "/" + string(wmssync.StepProducts)
	for {
		st, err := stepState(ctx, s)
		if err != nil {
			return err
		}
		if st.Status == wmssync.StepDone {
			return nil
		}
		ok, err := s.AcquireLease(ctx, lease, owner, mpStepLease)
		if err != nil {
			return err
		}
		if !ok {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		say("lease")
		// Resume from the checkpoint saved by whoever ran before.
		st, err = stepState(ctx, s)
		if err != nil {
			return err
		}
		for page := int(st.Done); page < mpPages; page++ {
			// Apply the page idempotently (the backend's upsert by external
			// id), then save the checkpoint.
			key := wmssync.EntityKey{Shop: mpShop, Kind: wmssync.KindProduct, ID: fmt.Sprintf("page-%03d", page)}
			if _, err := s.SetVersion(ctx, key, webhook.Version{UpdatedAt: time.Now()}, 0); err != nil {
				return err
			}
			say("page %d", page)
			st.Done, st.Status = int64(page+1), wmssync.StepRunning
			if page+1 == mpPages {
				st.Status = wmssync.StepDone
			}
			time.Sleep(15 * time.Millisecond)
			// Renew before saving: a process that lost its lease must not
			// write a checkpoint.
			ok, err := s.AcquireLease(ctx, lease, owner, mpStepLease)
			if err != nil {
				return err
			}
			if !ok { // stalled past the lease: another process took over
				say("lost")
				break
			}
			if err := s.SaveStep(ctx, st); err != nil {
				return err
			}
		}
		if st.Status == wmssync.StepDone {
			return s.ReleaseLease(ctx, lease, owner)
		}
	}
}

func stepState(ctx context.Context, s *postgres.Store) (wmssync.StepState, error) {
	steps, err := s.Steps(ctx, mpShop)
	if err != nil {
		return wmssync.StepState{}, err
	}
	for _, st := range steps {
		if st.Step == wmssync.StepProducts {
			return st, nil
		}
	}
	return wmssync.StepState{Shop: mpShop, Step: wmssync.StepProducts, Status: wmssync.StepPending, Total: mpPages}, nil
}

type mpLine struct {
	proc       int
	kind, data string
}

// TestMultiProcess runs three engine processes on one schema and one
// webhook stream, SIGKILLs one of them (the one holding the step lease)
// mid-way, and checks that every event is applied exactly once, nothing
// is lost, and the long step is taken over from its checkpoint.
func TestMultiProcess(t *testing.T) {
	dsn := testDSN(t)
	if testing.Short() {
		t.Skip("starts three processes")
	}
	if !strings.Contains(dsn, "?") {
		t.Skip(dsnEnv + " must be a URL with a query (such as ?sslmode=disable) for this test")
	}
	schema := newSchema(t, dsn)
	s, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema)) // migrate once up front
	require.NoError(t, err)
	t.Cleanup(s.Close)
	_, err = s.Pool().Exec(ctx, `CREATE TABLE `+schema+`.test_shop_effects (n bigserial PRIMARY KEY,
		key text NOT NULL UNIQUE, id text NOT NULL, entity text NOT NULL, sends int NOT NULL)`)
	require.NoError(t, err)

	lines := make(chan mpLine, 4096)
	cmds := make([]*exec.Cmd, mpProcs)
	stderrs := make([]*strings.Builder, mpProcs)
	var readers gosync.WaitGroup
	for i := range mpProcs {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s/%d", mpChildEnv, schema, i))
		stderrs[i] = &strings.Builder{}
		cmd.Stderr = stderrs[i]
		out, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		cmds[i] = cmd
		readers.Add(1)
		go func() {
			defer readers.Done()
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				kind, data, _ := strings.Cut(sc.Text(), " ")
				lines <- mpLine{i, kind, data}
			}
		}()
	}
	go func() { readers.Wait(); close(lines) }()
	// A child that fails leaves the others waiting for work that never
	// comes: stop everything after a generous deadline.
	var timedOut atomic.Bool
	watchdog := time.AfterFunc(3*time.Minute, func() {
		timedOut.Store(true)
		for _, cmd := range cmds {
			_ = cmd.Process.Kill()
		}
	})
	defer watchdog.Stop()

	victim := -1
	var pagesBeforeKill, pagesAfterKill int
	applied := map[string]int{}
	acked := map[string]bool{}
	published := map[string]bool{}
	done := map[int]bool{}
	leaseAfterKill, lost := false, false
	var killedAt time.Time
	for l := range lines {
		switch l.kind {
		case "lease":
			if victim < 0 {
				victim = l.proc
				d := time.Duration(100+rand.IntN(300)) * time.Millisecond
				time.AfterFunc(d, func() { _ = cmds[l.proc].Process.Signal(syscall.SIGKILL) })
				killedAt = time.Now().Add(d)
				t.Logf("process %d holds the step lease; killing it in %v", l.proc, d)
			} else if l.proc != victim {
				leaseAfterKill = true
			}
		case "page":
			if l.proc == victim {
				pagesBeforeKill++
			} else {
				pagesAfterKill++
			}
		case "ack":
			acked[l.data] = true
		case "pub":
			published[l.data] = true
		case "applied":
			applied[l.data]++
		case "done":
			done[l.proc] = true
		case "lost":
			lost = true
		}
	}
	for i, cmd := range cmds {
		err := cmd.Wait()
		require.False(t, timedOut.Load(), "processes still running after 3 minutes; stderr: %s %s %s",
			stderrs[0], stderrs[1], stderrs[2])
		if i == victim {
			require.Error(t, err, "process %d was killed", i)
			require.False(t, done[i], "process %d finished before it was killed; the test proved nothing", i)
			continue
		}
		require.NoError(t, err, "process %d: %s", i, stderrs[i].String())
		require.True(t, done[i], "process %d did not finish", i)
	}
	t.Logf("killed process %d at %v; step pages: %d before, %d after the kill", victim, killedAt.Format("15:04:05.000"),
		pagesBeforeKill, pagesAfterKill)

	// Every event acknowledged and completed; each applied exactly once.
	require.Len(t, acked, mpEvents)
	st, err := s.Stats(ctx)
	require.NoError(t, err)
	require.Equal(t, postgres.InboxStats{Completed: mpEvents}, st)
	for id, n := range applied {
		require.Equal(t, 1, n, "event %s applied %d times", id, n)
	}
	var orders, maxRev int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*), max(rev) FROM `+schema+`.wmsbridge_versions WHERE kind = 'order'`).
		Scan(&orders, &maxRev))
	require.Equal(t, mpEvents, orders, "every event applied")
	require.Equal(t, 1, maxRev, "no event applied twice")

	// The step was taken over after the kill and finished from the
	// checkpoint: every page applied, none twice.
	require.True(t, leaseAfterKill, "no surviving process took the step lease over")
	step, err := stepState(ctx, s)
	require.NoError(t, err)
	require.Equal(t, wmssync.StepDone, step.Status)
	require.EqualValues(t, mpPages, step.Done)
	var pages int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*), max(rev) FROM `+schema+`.wmsbridge_versions WHERE kind = 'product'`).
		Scan(&pages, &maxRev))
	require.Equal(t, mpPages, pages)
	require.Equal(t, 1, maxRev)
	if !lost {
		require.LessOrEqual(t, pagesBeforeKill+pagesAfterKill, mpPages+1, "at most the page in flight at the kill is redone")
	}

	// Outbox: every message published (by the dead process too) was
	// delivered by somebody, applied once, in each entity's order.
	pending, err := s.ListOutbox(ctx, wmssync.OutboxFilter{State: wmssync.OutboxPending})
	require.NoError(t, err)
	require.Empty(t, pending)
	for id := range published {
		got, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: mpMsgShop, ID: id})
		require.NoError(t, err)
		require.Len(t, got, 1, "published message %s lost", id)
	}
	var effects, resent int
	require.NoError(t, s.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE sends > 1) FROM `+schema+`.test_shop_effects`).
		Scan(&effects, &resent))
	stored, err := s.ListOutbox(ctx, wmssync.OutboxFilter{Shop: mpMsgShop})
	require.NoError(t, err)
	require.Len(t, stored, mpMessages)
	require.Len(t, published, mpMessages)
	require.Equal(t, mpMessages, effects, "one effect per message")
	t.Logf("outbox: %d messages, %d sent again after the kill (same idempotency key, applied once)", effects, resent)
	pos := map[string]int64{}
	for _, m := range stored {
		pos[m.ID] = m.Pos
	}
	rows, err := s.Pool().Query(ctx, `SELECT entity, id FROM `+schema+`.test_shop_effects ORDER BY n`)
	require.NoError(t, err)
	defer rows.Close()
	last := map[string]int64{}
	for rows.Next() {
		var entity, id string
		require.NoError(t, rows.Scan(&entity, &id))
		require.Less(t, last[entity], pos[id], "entity %s: %s applied out of order", entity, id)
		last[entity] = pos[id]
	}
	require.NoError(t, rows.Err())
}
