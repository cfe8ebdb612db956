package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Engines sharing a Store with leases run a shop's setup step one at a
// time: while another engine (here one that died mid-import) holds the
// step's lease, RunStep refuses; once the lease expired, the step runs and
// resumes from the checkpoint; afterwards the lease is free again.
func TestStepLeaseAcrossEngines(t *testing.T) {
	e := newEnv(t)
	f := e.addShop("dk")
	seedProducts(f, 12, e.clock.Now())

	held, err := e.store.AcquireLease(bg, "step/dk/products", "dead-process", time.Minute)
	require.NoError(t, err)
	require.True(t, held)
	err = e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil)
	require.ErrorIs(t, err, wmssync.ErrLeaseHeld)
	n, _ := e.wms.CountItems(bg)
	require.Zero(t, n, "the refused step imported something")

	e.clock.Advance(2 * time.Minute) // the dead process's lease ran out
	require.NoError(t, e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil))
	n, _ = e.wms.CountItems(bg)
	require.Equal(t, 24, n)

	held, err = e.store.AcquireLease(bg, "step/dk/products", "another-engine", time.Minute)
	require.NoError(t, err)
	require.True(t, held, "the step's lease was not released when it finished")
}

// An engine that cannot renew its lease (another engine took it after it
// expired, as after a long pause) stops the step at the next page with
// ErrLeaseLost and leaves it resumable.
func TestStepStopsWhenLeaseLost(t *testing.T) {
	const ttl = 150 * time.Millisecond
	e := newEnv(t, func(c *wmssync.Config) { c.LeaseTTL = ttl; c.Owner = "slow-engine" })
	f := e.addShop("dk")
	seedProducts(f, 12, e.clock.Now())
	f.pageSize = 2
	pages := 0
	f.onPage = func(kind, cursor string) {
		pages++
		if pages == 2 {
			// The engine stalls past its lease; another engine takes it.
			e.clock.Advance(time.Minute)
			held, err := e.store.AcquireLease(bg, "step/dk/products", "thief", time.Hour)
			require.NoError(t, err)
			require.True(t, held)
			time.Sleep(3 * ttl) // a renewal finds the lease gone
		}
	}
	err := e.engine.RunStep(bg, "dk", wmssync.StepProducts, nil)
	require.ErrorIs(t, err, wmssync.ErrLeaseLost)
	states, err := e.engine.StepStates(bg, "dk")
	require.NoError(t, err)
	require.Equal(t, wmssync.StepRunning, states[0].Status, "the step stays resumable")
	require.Less(t, pages, 6, "the step went on after losing its lease")
}
