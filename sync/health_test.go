package sync_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Health counts the shop's own inbox events (pending with the oldest's
// arrival, failed) and remembers the last sweep's outcome.
func TestHealth(t *testing.T) {
	e := newEnv(t)
	dk := e.addShop("dk")
	uk := e.addShop("uk")
	_, err := e.engine.Health(bg, "nope")
	require.ErrorIs(t, err, wmssync.ErrNotFound)

	e.throughOrders("dk")
	start := e.clock.Now()
	e.deliver(dk, "orders/create", fakePayload{Order: ptr(order("1001", "loc-cph", start, line("1", "SKU-1", 1)))})
	e.clock.Advance(time.Minute)
	e.deliver(dk, "orders/create", fakePayload{Order: ptr(order("1002", "loc-cph", start, line("1", "SKU-1", 1)))})
	e.deliver(uk, "orders/create", fakePayload{Order: ptr(order("2001", "loc-cph", start, line("1", "SKU-1", 1)))})
	e.deliver(dk, "orders/updated", fakePayload{}) // undecodable: parked

	h, err := e.engine.Health(bg, "dk")
	require.NoError(t, err)
	require.NotNil(t, h.Inbox)
	assert.Equal(t, 3, h.Inbox.Pending, "the shop's own events only")
	assert.True(t, h.Inbox.Oldest.Equal(start), "oldest pending: %v", h.Inbox.Oldest)
	require.NotNil(t, h.Outbox, "memstore has an outbox")
	assert.False(t, h.SetupDone, "sales history and outbound steps are not done")
	assert.True(t, h.Sweep.At.IsZero(), "no sweep yet")

	e.drain()
	h, err = e.engine.Health(bg, "dk")
	require.NoError(t, err)
	assert.Zero(t, h.Inbox.Pending)
	assert.True(t, h.Inbox.Oldest.IsZero())
	assert.Equal(t, 1, h.Inbox.Failed, "the undecodable event is a dead letter")

	dk.refuse = errRefused
	_, err = e.engine.Reconcile(bg, "dk")
	require.Error(t, err)
	h, err = e.engine.Health(bg, "dk")
	require.NoError(t, err)
	assert.Contains(t, h.Sweep.Error, errRefused.Error())
	assert.True(t, h.Sweep.LastOK.IsZero())
	dk.refuse = nil
	_, err = e.engine.Reconcile(bg, "dk")
	require.NoError(t, err)
	h, err = e.engine.Health(bg, "dk")
	require.NoError(t, err)
	assert.Empty(t, h.Sweep.Error)
	assert.Equal(t, e.clock.Now(), h.Sweep.LastOK)
	assert.False(t, h.OrdersSince.IsZero())
}

func ptr[T any](v T) *T { return &v }
