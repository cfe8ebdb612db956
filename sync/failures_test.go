package sync_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Inbound and outbound failures in one list with one set of operations:
// list by class and shop, count, replay, discard with a reason.
func TestFailuresAsOneThing(t *testing.T) {
	e := newEnv(t)
	dk := e.addShop("dk")
	uk := e.addShop("uk")
	e.throughOrders("dk")
	e.deliver(dk, "orders/updated", fakePayload{}) // undecodable: parked
	e.deliver(uk, "orders/updated", fakePayload{})
	e.drain()
	require.NoError(t, e.store.AddOutbox(bg, []wmssync.OutboxMessage{{Shop: "dk", ID: "m1", Kind: wms.KindStockChanged,
		Data: []byte(`{}`), CreatedAt: e.clock.Now()}}))
	ms, err := e.store.ClaimOutbox(bg, "dk", e.clock.Now(), 0, 1)
	require.NoError(t, err)
	ms[0].State, ms[0].LastError, ms[0].Attempts = wmssync.OutboxDead, "refused", 1
	require.NoError(t, e.store.UpdateOutbox(bg, ms))

	all, err := e.engine.Failures(bg, wmssync.FailureFilter{})
	require.NoError(t, err)
	require.Len(t, all, 3)
	assert.Equal(t, wmssync.FailureInbound, all[0].Class)
	assert.Equal(t, wmssync.FailureOutbound, all[2].Class)
	assert.Equal(t, "refused", all[2].Reason)
	dkOnly, err := e.engine.Failures(bg, wmssync.FailureFilter{Shop: "dk"})
	require.NoError(t, err)
	require.Len(t, dkOnly, 2)
	for _, f := range dkOnly {
		assert.Equal(t, "dk", f.Shop, "inbound failures carry the shop's id, not the event's domain")
	}
	n, err := e.engine.CountFailures(bg, wmssync.FailureFilter{Class: wmssync.FailureInbound})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	for f, want := range map[wmssync.FailureFilter]int{{}: 3, {Shop: "dk"}: 2, {Shop: "uk"}: 1,
		{Shop: "dk", Class: wmssync.FailureOutbound}: 1, {Shop: "uk", Class: wmssync.FailureOutbound}: 0} {
		n, err := e.engine.CountFailures(bg, f)
		require.NoError(t, err)
		assert.Equal(t, want, n, "CountFailures(%+v)", f)
	}

	in := dkOnly[0]
	require.Equal(t, wmssync.FailureInbound, in.Class)
	assert.Contains(t, in.Reason, "no order")
	require.ErrorIs(t, e.engine.DiscardFailure(bg, wmssync.FailureInbound, "uk", in.ID, "wrong shop"), wmssync.ErrNotFound)
	require.ErrorIs(t, e.engine.DiscardFailure(bg, wmssync.FailureInbound, "dk", in.ID, ""), wms.ErrInvalid)
	require.NoError(t, e.engine.DiscardFailure(bg, wmssync.FailureInbound, "dk", in.ID, "test payload, nothing to do"))
	require.ErrorIs(t, e.engine.ReplayFailure(bg, wmssync.FailureInbound, "dk", in.ID), wmssync.ErrNotFound, "discarded for good")

	ukFail, err := e.engine.Failures(bg, wmssync.FailureFilter{Shop: "uk", Class: wmssync.FailureInbound})
	require.NoError(t, err)
	require.Len(t, ukFail, 1)
	require.NoError(t, e.engine.ReplayFailure(bg, wmssync.FailureInbound, "uk", ukFail[0].ID))
	n, err = e.engine.CountFailures(bg, wmssync.FailureFilter{Class: wmssync.FailureInbound})
	require.NoError(t, err)
	assert.Zero(t, n, "the replayed event is pending again")
	e.drain()
	ukFail, err = e.engine.Failures(bg, wmssync.FailureFilter{Shop: "uk", Class: wmssync.FailureInbound})
	require.NoError(t, err)
	require.Len(t, ukFail, 1, "still undecodable: parked again")
	assert.Equal(t, 2, ukFail[0].Attempts)

	require.NoError(t, e.engine.DiscardFailure(bg, wmssync.FailureOutbound, "dk", "m1", "sent by hand"))
	n, err = e.engine.CountFailures(bg, wmssync.FailureFilter{Shop: "dk"})
	require.NoError(t, err)
	assert.Zero(t, n)
}
