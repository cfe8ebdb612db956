package sync_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// Completed webhook events go after InboxRetention, done outbox messages
// after OutboxRetention; failed events and pending messages stay.
func TestRetentionPrunesQueues(t *testing.T) {
	e := newEnv(t)
	dk := e.addShop("dk")
	e.throughOrders("dk")
	e.deliver(dk, "orders/create", fakePayload{Order: ptr(order("1001", "loc-cph", e.clock.Now(), line("1", "SKU-1", 1)))})
	e.deliver(dk, "orders/updated", fakePayload{}) // fails for good: a dead letter
	e.drain()
	require.NoError(t, e.store.AddOutbox(bg, []wmssync.OutboxMessage{
		{Shop: "dk", ID: "m-done", Kind: "host.thing", Data: []byte(`{}`), CreatedAt: e.clock.Now()},
		{Shop: "dk", ID: "m-pending", Kind: "host.thing", Data: []byte(`{}`), CreatedAt: e.clock.Now()},
	}))
	ms, err := e.store.ClaimOutbox(bg, "dk", e.clock.Now(), time.Minute, 1)
	require.NoError(t, err)
	ms[0].State, ms[0].LeaseUntil = wmssync.OutboxDone, time.Time{}
	require.NoError(t, e.store.UpdateOutbox(bg, ms))

	e.clock.Advance(6 * 24 * time.Hour)
	assert.Equal(t, wmssync.PruneResult{}, e.engine.PruneQueues(bg), "nothing is old enough yet")
	e.clock.Advance(2 * 24 * time.Hour)
	assert.Equal(t, wmssync.PruneResult{InboxDeleted: 1}, e.engine.PruneQueues(bg), "the applied event, after 7 days")
	h, err := e.engine.Health(bg, "dk")
	require.NoError(t, err)
	assert.Equal(t, 1, h.Inbox.Failed, "the dead letter stays")
	e.clock.Advance(7 * 24 * time.Hour)
	assert.Equal(t, wmssync.PruneResult{OutboxDeleted: 1}, e.engine.PruneQueues(bg), "the done message, after 14 days")
	left, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "dk"})
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, "m-pending", left[0].ID)
}

func TestRetentionConfig(t *testing.T) {
	e := newEnv(t)
	for _, c := range []wmssync.Config{
		{InboxRetention: 24 * time.Hour},
		{OutboxRetention: 3 * 24 * time.Hour},
	} {
		c.Backend, c.Store, c.Connect = e.wms, e.store, func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, nil }
		_, err := wmssync.NewEngine(c)
		assert.ErrorContains(t, err, "too short")
	}
}
