package sync_test

import (
	"context"
	"fmt"
	gosync "sync"
	"testing"

	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// logShop is an Outbound connector that appends what it is sent to a log
// shared by every shop.
type logShop struct {
	wmssync.Connector
	shop string
	log  *sendLog
}

type sendLog struct {
	mu    gosync.Mutex
	shops []string
}

func (s *logShop) Prepare(context.Context, *wmssync.Outgoing) ([]byte, error) { return nil, nil }

func (s *logShop) Send(_ context.Context, m *wmssync.Outgoing) error {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.shops = append(s.log.shops, s.shop)
	return nil
}

// Delivery is fair between shops: with 100 shops, one of which has ten
// times the others' messages waiting (1,000 against 10), and one worker,
// the dispatcher takes one claim per shop in turn, so every quiet shop's
// messages are sent within the first claim of each shop (at most 1,000
// sends), not after the noisy shop's whole queue (1,990 sends when a shop
// is drained before the next).
func TestOutboundFairBetweenShops(t *testing.T) {
	const shops, quietEach, noisy, claim = 100, 10, 1000, 10
	c := newClock()
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}, Now: c.Now})
	require.NoError(t, err)
	store := memstore.New(memstore.WithClock(c.Now))
	log := &sendLog{}
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: store, Now: c.Now, Workers: 1,
		Outbound: wmssync.OutboundConfig{Claim: claim},
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return &logShop{shop: s.Shop, log: log}, nil
		}})
	require.NoError(t, err)
	var msgs []wmssync.OutboxMessage
	for i := range shops {
		shop := fmt.Sprintf("S%02d", i) // S00, the noisy one, is the first target
		_, err := eng.SaveSettings(bg, wmssync.Settings{Shop: shop, AdminURL: "https://" + shop + ".example.com"})
		require.NoError(t, err)
		n := quietEach
		if i == 0 {
			n = noisy
		}
		for k := range n {
			ev := wms.OrderPacked{EventInfo: wms.EventInfo{ID: fmt.Sprintf("pack-%s-%d", shop, k)},
				Order: wms.OrderKey{Shop: shop, ExternalID: fmt.Sprint(k)}, Warehouse: "cph"}
			m, err := wmssync.NewOutboxMessage(ev, c.Now())
			require.NoError(t, err)
			m.Shop, m.Key = shop, wmssync.IdempotencyKey(shop, m.ID)
			msgs = append(msgs, m)
		}
	}
	require.NoError(t, store.AddOutbox(bg, msgs))
	settled, err := eng.DeliverOutbound(bg)
	require.NoError(t, err)
	require.Equal(t, len(msgs), settled, "everything delivered in one call")
	lastQuiet := -1
	for i, shop := range log.shops {
		if shop != "S00" {
			lastQuiet = i
		}
	}
	bound := (shops-1)*quietEach + claim
	require.Less(t, lastQuiet, bound, "the quiet shops' last message was send %d: the noisy shop's queue held them back", lastQuiet+1)
}
