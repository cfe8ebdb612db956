package sync_test

import (
	"context"
	"errors"
	"fmt"
	gosync "sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// outShop is a connector with the Outbound capability that records what
// it is sent; fail decides the outcome of each Send.
type outShop struct {
	wmssync.Connector // the reading methods are not used by the outbox

	mu    gosync.Mutex
	sent  []*wmssync.Outgoing
	plans int
	fail  func(m *wmssync.Outgoing) error

	batch    int  // the stock batch size it declares; 0: outShopBatch
	captures bool // it captures payments on pack (wmssync.PackCapturer)
}

func (s *outShop) Prepare(ctx context.Context, m *wmssync.Outgoing) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.plans++
	return []byte(fmt.Sprintf(`{"plan":%d}`, s.plans)), nil
}

func (s *outShop) Send(ctx context.Context, m *wmssync.Outgoing) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *m
	s.sent = append(s.sent, &c)
	if s.fail != nil {
		return s.fail(m)
	}
	return nil
}

// outShopBatch is the stock batch size outShop declares.
const outShopBatch = 250

func (s *outShop) StockBatchSize() int {
	if s.batch != 0 {
		return s.batch
	}
	return outShopBatch
}

func (s *outShop) CapturesOnPack() bool { return s.captures }

func (s *outShop) calls() []*wmssync.Outgoing {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*wmssync.Outgoing(nil), s.sent...)
}

type outEnv struct {
	clock *clock
	store *memstore.Store
	wms   *memwms.WMS
	eng   *wmssync.Engine
	shops map[string]*outShop
}

// newOutEnv: shops A and B, both selling SKU "S1" (A also "S2"), location
// loc-<shop> mapped to warehouse cph. edit changes the engine's Config.
func newOutEnv(t *testing.T, cfg wmssync.OutboundConfig, edit ...func(*wmssync.Config)) *outEnv {
	t.Helper()
	c := newClock()
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}, {ID: "aar"}}, Now: c.Now})
	require.NoError(t, err)
	e := &outEnv{clock: c, store: memstore.New(memstore.WithClock(c.Now)), wms: w,
		shops: map[string]*outShop{"A": {}, "B": {}}}
	ecfg := wmssync.Config{Backend: w, Store: e.store, Now: c.Now, Outbound: cfg,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return e.shops[s.Shop], nil }}
	for _, fn := range edit {
		fn(&ecfg)
	}
	e.eng, err = wmssync.NewEngine(ecfg)
	require.NoError(t, err)
	for _, shop := range []string{"A", "B"} {
		_, err := e.eng.SaveSettings(bg, wmssync.Settings{Shop: shop, AdminURL: "https://" + shop + ".example.com",
			Locations: map[string]string{"loc-" + shop: "cph"}, Outbound: map[wms.EventKind]bool{wms.KindRefundCreated: true}})
		require.NoError(t, err)
		require.NoError(t, e.store.SaveStep(bg, wmssync.StepState{Shop: shop, Step: wmssync.StepOutbound, Status: wmssync.StepDone}))
		vs := []wms.Variant{{SKU: "S1", ExternalID: shop + "-v1", InventoryItemID: shop + "-i1", Title: "one"}}
		if shop == "A" {
			vs = append(vs, wms.Variant{SKU: "S2", ExternalID: "A-v2", InventoryItemID: "A-i2", Title: "two"})
		}
		require.NoError(t, w.UpsertProducts(bg, []wms.Product{{Shop: shop, ExternalID: shop + "-p1", Title: "P", Variants: vs}}))
	}
	return e
}

func (e *outEnv) deliver(t *testing.T) {
	t.Helper()
	_, err := e.eng.DeliverOutbound(bg)
	require.NoError(t, err)
}

func stock(id string, seq int64, sku string, avail int64) wms.StockChanged {
	return wms.StockChanged{EventInfo: wms.EventInfo{ID: id, Seq: seq, Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		SKU: sku, Warehouse: "cph", OnHand: avail, Available: avail}
}

type palletMoved struct {
	wms.EventInfo
	Pallet string `json:"pallet"`
}

func (palletMoved) Kind() wms.EventKind { return "host.pallet_moved" }

func TestPublishWithoutOutbox(t *testing.T) {
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}})
	require.NoError(t, err)
	var plain struct{ wmssync.Store } // hides the OutboxStore methods
	plain.Store = memstore.New()
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: plain,
		Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, errors.New("unused") }})
	require.NoError(t, err)
	require.ErrorIs(t, eng.Publish(bg, stock("e1", 1, "S1", 1)), wmssync.ErrNoOutbox)
	_, err = eng.DeliverOutbound(bg)
	require.ErrorIs(t, err, wmssync.ErrNoOutbox)
}

// Publish stores before it returns, deduplicates by event ID, and fans a
// stock change out to every shop selling the SKU (S2).
func TestPublishDedupeAndFanOut(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	require.ErrorIs(t, e.eng.Publish(bg, stock("", 1, "S1", 1)), wms.ErrInvalid)
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)))
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5))) // published again after a crash
	stored, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Len(t, stored, 1, "stored once, before delivery")
	require.NoError(t, e.eng.Publish(bg, stock("e2", 2, "S2", 3)))
	require.NoError(t, e.eng.Publish(bg, stock("e3", 3, "NOBODY", 3)))
	e.deliver(t)
	for shop, want := range map[string][]wmssync.StockTarget{
		"A": {{SKU: "S1", ProductID: "A-p1", VariantID: "A-v1", InventoryItemID: "A-i1", LocationID: "loc-A", Available: 5},
			{SKU: "S2", ProductID: "A-p1", VariantID: "A-v2", InventoryItemID: "A-i2", LocationID: "loc-A", Available: 3}},
		"B": {{SKU: "S1", ProductID: "B-p1", VariantID: "B-v1", InventoryItemID: "B-i1", LocationID: "loc-B", Available: 5}},
	} {
		calls := e.shops[shop].calls()
		require.Len(t, calls, 1, shop)
		assert.ElementsMatch(t, want, calls[0].Stock, shop)
		assert.NotEmpty(t, calls[0].Key)
	}
	// Nothing left, nothing sent again.
	e.deliver(t)
	assert.Len(t, e.shops["A"].calls(), 1)
	st := e.eng.OutboundStats()
	assert.Equal(t, uint64(4), st.Published, "Publish calls, the duplicate included")
	assert.Equal(t, uint64(3), st.FannedOut, "A twice, B once")
}

// Stock coalesces: the newest (Seq, then Time) per SKU and warehouse wins
// whatever the publish order; more than 250 levels are split.
func TestStockCoalesceAndBatch(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	var ps []wms.Product
	for i := range 600 {
		ps = append(ps, wms.Product{Shop: "B", ExternalID: fmt.Sprintf("bp%d", i), Title: "P",
			Variants: []wms.Variant{{SKU: fmt.Sprintf("K%03d", i), ExternalID: fmt.Sprintf("bv%d", i), InventoryItemID: fmt.Sprintf("bi%d", i), Title: "x"}}})
	}
	require.NoError(t, e.wms.UpsertProducts(bg, ps))
	for round := range 3 {
		for i := range 600 {
			seq := int64(1000*(3-round) + i) // the first round is the newest
			require.NoError(t, e.eng.Publish(bg, stock(fmt.Sprintf("r%d-%d", round, i), seq, fmt.Sprintf("K%03d", i), int64(100*(3-round)+i))))
		}
	}
	e.deliver(t)
	calls := e.shops["B"].calls()
	require.Len(t, calls, 3, "⌈600/250⌉ calls")
	got := map[string]int64{}
	for _, c := range calls {
		assert.LessOrEqual(t, len(c.Stock), outShopBatch)
		for _, s := range c.Stock {
			got[s.SKU] = s.Available
		}
	}
	require.Len(t, got, 600)
	for i := range 600 {
		assert.Equal(t, int64(300+i), got[fmt.Sprintf("K%03d", i)])
	}
	assert.Equal(t, uint64(1200), e.eng.OutboundStats().Coalesced)
	// An older value arriving later is not sent over a newer one.
	require.NoError(t, e.eng.Publish(bg, stock("late", 1, "K000", 7)))
	e.deliver(t)
	assert.Len(t, e.shops["B"].calls(), 3)
	// A newer event is sent even when its value equals the one this engine
	// set last: the shop's own orders move its available quantity in
	// between (a held order released by exactly the goods it lacked brings
	// the WMS back to the old figure while the shop went below it).
	require.NoError(t, e.eng.Publish(bg, stock("same", 5000, "K001", 301)))
	e.deliver(t)
	calls = e.shops["B"].calls()
	require.Len(t, calls, 4)
	require.Len(t, calls[3].Stock, 1)
	assert.Equal(t, "K001", calls[3].Stock[0].SKU)
	assert.Equal(t, int64(301), calls[3].Stock[0].Available)
}

// An order's messages go one at a time in order: a refund waits for the
// fulfilment that failed; failures back off with a cap; the plan is
// stored before the first send and comes back with the same key.
func TestOutboundEntityOrderRetryAndPlan(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{Backoff: time.Second, MaxBackoff: 3 * time.Second, MaxAttempts: 10})
	fails := 3
	e.shops["A"].fail = func(m *wmssync.Outgoing) error {
		if m.Kind == wms.KindOrderPacked && fails > 0 {
			fails--
			return errors.New("timeout")
		}
		return nil
	}
	key := wms.OrderKey{Shop: "A", ExternalID: "o1"}
	require.NoError(t, e.eng.Publish(bg, wms.OrderPacked{EventInfo: wms.EventInfo{ID: "pack", Seq: 1}, Order: key, Warehouse: "cph"}))
	require.NoError(t, e.eng.Publish(bg, wms.RefundCreated{EventInfo: wms.EventInfo{ID: "refund", Seq: 2}, Refund: wms.Refund{ID: "r1", Order: key, Amount: "1"}}))
	var waits []time.Duration
	for range 10 {
		e.deliver(t)
		ms, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: "A", ID: "pack"})
		require.NoError(t, err)
		if ms[0].State == wmssync.OutboxDone {
			break
		}
		waits = append(waits, ms[0].NextAttempt.Sub(e.clock.Now()))
		assert.Equal(t, `{"plan":1}`, string(ms[0].Plan), "plan stored before the first send")
		e.clock.Advance(10 * time.Second)
	}
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}, waits, "capped backoff")
	calls := e.shops["A"].calls()
	var kinds []wms.EventKind
	for _, c := range calls {
		kinds = append(kinds, c.Kind)
	}
	require.Equal(t, []wms.EventKind{wms.KindOrderPacked, wms.KindOrderPacked, wms.KindOrderPacked, wms.KindOrderPacked, wms.KindRefundCreated}, kinds)
	assert.False(t, calls[0].Retry)
	for _, c := range calls[1:4] {
		assert.True(t, c.Retry)
		assert.Equal(t, calls[0].Key, c.Key, "same idempotency key on retry")
		assert.Equal(t, `{"plan":1}`, string(c.Plan))
	}
	assert.Equal(t, wmssync.IdempotencyKey("A", "pack"), calls[0].Key)
	assert.Equal(t, []string{"loc-A"}, calls[0].Locations)
}

// A rejected message is parked at once with its reason; replay delivers it.
// Transient failures park it after MaxAttempts.
func TestOutboundDeadLetters(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{Backoff: time.Millisecond, MaxAttempts: 3})
	broken := true
	e.shops["A"].fail = func(m *wmssync.Outgoing) error {
		if !broken {
			return nil
		}
		if m.Kind == wms.KindBarcodeChanged {
			return fmt.Errorf("barcode refused: %w", wmssync.ErrRejected)
		}
		return errors.New("503")
	}
	require.NoError(t, e.eng.Publish(bg, wms.BarcodeChanged{EventInfo: wms.EventInfo{ID: "bc"}, SKU: "S2", Barcode: "123"}))
	require.NoError(t, e.eng.Publish(bg, stock("st", 1, "S2", 4)))
	for range 5 {
		e.deliver(t)
		e.clock.Advance(time.Second)
	}
	dead, err := e.eng.DeadLetters(bg, "A")
	require.NoError(t, err)
	require.Len(t, dead, 2)
	assert.Equal(t, "bc", dead[0].ID)
	assert.Contains(t, dead[0].LastError, "barcode refused")
	assert.Equal(t, 1, dead[0].Attempts, "rejected: no retry")
	assert.Equal(t, 3, dead[1].Attempts)
	assert.Contains(t, dead[1].LastError, "503")

	broken = false
	require.NoError(t, e.eng.ReplayDeadLetter(bg, "A", "bc"))
	require.NoError(t, e.eng.ReplayDeadLetter(bg, "A", "st"))
	require.ErrorIs(t, e.eng.ReplayDeadLetter(bg, "A", "nope"), wmssync.ErrNotFound)
	e.deliver(t)
	dead, err = e.eng.DeadLetters(bg, "")
	require.NoError(t, err)
	assert.Empty(t, dead)
	last := e.shops["A"].calls()
	assert.Equal(t, wms.KindStockChanged, last[len(last)-1].Kind)
}

// Outbound starts with the outbound setup step (S13): a shop that has not
// finished it gets nothing.
func TestOutboundNeedsTheStep(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	require.NoError(t, e.store.SaveStep(bg, wmssync.StepState{Shop: "B", Step: wmssync.StepOutbound, Status: wmssync.StepPending}))
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)))
	e.deliver(t)
	assert.Len(t, e.shops["A"].calls(), 1)
	assert.Empty(t, e.shops["B"].calls())
}

// S13 at run time: a kind switched off before delivery is skipped.
func TestOutboundSwitchedOff(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	require.NoError(t, e.eng.Publish(bg, wms.BarcodeChanged{EventInfo: wms.EventInfo{ID: "bc"}, SKU: "S1", Barcode: "1"}))
	_, err := e.eng.DeliverOutbound(context.Background()) // fans out and delivers
	require.NoError(t, err)
	require.Len(t, e.shops["B"].calls(), 1)
	s, err := e.eng.Settings(bg, "B")
	require.NoError(t, err)
	s.Outbound = map[wms.EventKind]bool{wms.KindBarcodeChanged: false}
	_, err = e.eng.SaveSettings(bg, s)
	require.NoError(t, err)
	require.NoError(t, e.eng.Publish(bg, wms.BarcodeChanged{EventInfo: wms.EventInfo{ID: "bc2"}, SKU: "S1", Barcode: "2"}))
	e.deliver(t)
	assert.Len(t, e.shops["B"].calls(), 1, "B switched barcodes off")
	assert.Len(t, e.shops["A"].calls(), 2)
}

// S19: a listener hears closed purchase orders, is retried when it fails,
// and shops that did not choose the kind get nothing.
func TestOutboundListener(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{Backoff: time.Millisecond})
	var heard []string
	fail := 1
	require.NoError(t, e.eng.Listen("erp", func(ctx context.Context, ev wms.Event) error {
		if fail > 0 {
			fail--
			return errors.New("erp down")
		}
		heard = append(heard, ev.Info().ID)
		return nil
	}, wms.KindPurchaseOrderClosed))
	require.Error(t, e.eng.Listen("bad name!", func(context.Context, wms.Event) error { return nil }))
	require.NoError(t, e.eng.Publish(bg, wms.PurchaseOrderClosed{EventInfo: wms.EventInfo{ID: "po1"},
		PurchaseOrder: wms.PurchaseOrder{ID: "PO-1"}, Costs: []wms.ItemCost{{SKU: "S1", Cost: "2.50"}}}))
	require.NoError(t, e.eng.Publish(bg, stock("st", 1, "S1", 1)))
	e.deliver(t)
	e.clock.Advance(time.Second)
	e.deliver(t)
	assert.Equal(t, []string{"po1"}, heard, "delivered once, after one failure")

	// The host's own event kinds reach listeners as RawEvent.
	var raw []wmssync.RawEvent
	require.NoError(t, e.eng.Listen("audit", func(ctx context.Context, ev wms.Event) error {
		raw = append(raw, ev.(wmssync.RawEvent))
		return nil
	}, "host.pallet_moved"))
	require.NoError(t, e.eng.Publish(bg, palletMoved{EventInfo: wms.EventInfo{ID: "pm1", Seq: 9}, Pallet: "P-7"}))
	e.deliver(t)
	require.Len(t, raw, 1)
	assert.Equal(t, "pm1", raw[0].EventInfo.ID)
	assert.Equal(t, int64(9), raw[0].EventInfo.Seq)
	assert.JSONEq(t, `{"id":"pm1","time":"0001-01-01T00:00:00Z","seq":9,"pallet":"P-7"}`, string(raw[0].Data))
	for _, shop := range []string{"A", "B"} {
		for _, c := range e.shops[shop].calls() {
			assert.NotEqual(t, wms.KindPurchaseOrderClosed, c.Kind, "cost is off by default")
		}
	}
}

// txStore is a store sharing the host's "database": AddOutboxTx stages
// rows in the host's transaction, which commits them or not.
type txStore struct{ *memstore.Store }

type hostTx struct{ staged []wmssync.OutboxMessage }

func (s txStore) AddOutboxTx(ctx context.Context, tx *hostTx, msgs []wmssync.OutboxMessage) error {
	tx.staged = append(tx.staged, msgs...)
	return nil
}

func (s txStore) commit(tx *hostTx) error { return s.AddOutbox(bg, tx.staged) }

// PublishTx publishes within the host's transaction: the event exists once
// the transaction commits, and never if it rolls back.
func TestPublishTx(t *testing.T) {
	w, err := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph"}}})
	require.NoError(t, err)
	st := txStore{memstore.New()}
	eng, err := wmssync.NewEngine(wmssync.Config{Backend: w, Store: st,
		Connect: func(context.Context, wmssync.Settings) (wmssync.Connector, error) { return nil, errors.New("unused") }})
	require.NoError(t, err)

	rolledBack := &hostTx{}
	require.NoError(t, wmssync.PublishTx(bg, eng, rolledBack, stock("e1", 1, "S1", 1)))
	committed := &hostTx{}
	require.NoError(t, wmssync.PublishTx(bg, eng, committed, stock("e2", 2, "S1", 2)))
	require.NoError(t, st.commit(committed))
	ms, err := st.ListOutbox(bg, wmssync.OutboxFilter{})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, "e2", ms[0].ID)

	// A store without the capability for this transaction type.
	require.ErrorIs(t, wmssync.PublishTx(bg, eng, "not a tx", stock("e3", 3, "S1", 3)), wmssync.ErrNoOutbox)
}

// S14: every location mapped to the warehouse gets the value.
func TestStockEveryMappedLocation(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	s, err := e.eng.Settings(bg, "A")
	require.NoError(t, err)
	s.Locations["loc-A2"] = "cph"
	s.Locations["loc-A3"] = "aar"
	_, err = e.eng.SaveSettings(bg, s)
	require.NoError(t, err)
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S2", 8)))
	e.deliver(t)
	calls := e.shops["A"].calls()
	require.Len(t, calls, 1)
	assert.ElementsMatch(t, []wmssync.StockTarget{
		{SKU: "S2", ProductID: "A-p1", VariantID: "A-v2", InventoryItemID: "A-i2", LocationID: "loc-A", Available: 8},
		{SKU: "S2", ProductID: "A-p1", VariantID: "A-v2", InventoryItemID: "A-i2", LocationID: "loc-A2", Available: 8},
	}, calls[0].Stock)
}
