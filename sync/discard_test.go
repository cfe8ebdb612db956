package sync_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// A dead message blocks the messages of its order queued behind it;
// discarding it (with a reason) lets the next one through, and so does
// replaying it once it is delivered.
func TestDiscardDeadLetterUnblocksItsOrder(t *testing.T) {
	for _, way := range []string{"discard", "replay"} {
		t.Run(way, func(t *testing.T) {
			e := newOutEnv(t, wmssync.OutboundConfig{})
			broken := true
			e.shops["A"].fail = func(m *wmssync.Outgoing) error {
				if broken && m.Kind == wms.KindOrderPacked {
					return fmt.Errorf("fulfilment refused: %w", wmssync.ErrRejected)
				}
				return nil
			}
			order := wms.OrderKey{Shop: "A", ExternalID: "o-1"}
			require.NoError(t, e.eng.Publish(bg, wms.OrderPacked{EventInfo: wms.EventInfo{ID: "pack"}, Order: order, Warehouse: "cph"}))
			require.NoError(t, e.eng.Publish(bg, wms.RefundCreated{EventInfo: wms.EventInfo{ID: "refund"},
				Refund: wms.Refund{ID: "r-1", Order: order, Amount: "5.00"}}))
			for range 3 {
				e.deliver(t)
				e.clock.Advance(time.Minute)
			}
			kinds := func() []wms.EventKind {
				var out []wms.EventKind
				for _, c := range e.shops["A"].calls() {
					out = append(out, c.Kind)
				}
				return out
			}
			require.Equal(t, []wms.EventKind{wms.KindOrderPacked}, kinds(), "the refund waits behind the dead fulfilment")
			dead, err := e.eng.DeadLetters(bg, "A")
			require.NoError(t, err)
			require.Len(t, dead, 1)

			if way == "discard" {
				require.ErrorIs(t, e.eng.DiscardDeadLetter(bg, "A", "pack", ""), wms.ErrInvalid)
				require.NoError(t, e.eng.DiscardDeadLetter(bg, "A", "pack", "fulfilled by hand in the shop"))
				require.ErrorIs(t, e.eng.DiscardDeadLetter(bg, "A", "pack", "again"), wmssync.ErrNotFound)
			} else {
				broken = false
				require.NoError(t, e.eng.ReplayDeadLetter(bg, "A", "pack"))
			}
			e.deliver(t)
			want := []wms.EventKind{wms.KindOrderPacked, wms.KindRefundCreated}
			if way == "replay" {
				want = []wms.EventKind{wms.KindOrderPacked, wms.KindOrderPacked, wms.KindRefundCreated}
			}
			assert.Equal(t, want, kinds(), "the next message of the order is delivered")
			ms, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "A", ID: "pack"})
			require.NoError(t, err)
			require.Len(t, ms, 1)
			assert.Equal(t, wmssync.OutboxDone, ms[0].State)
			if way == "discard" {
				assert.Equal(t, "discarded: fulfilled by hand in the shop", ms[0].LastError)
			}
		})
	}
}
