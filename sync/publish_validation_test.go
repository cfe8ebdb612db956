package sync_test

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
)

// Each invalid event is refused with wms.ErrInvalid naming the field, and
// nothing of it reaches the outbox.
func TestPublishValidation(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{})
	info := func(id string) wms.EventInfo { return wms.EventInfo{ID: id} }
	order := wms.OrderKey{Shop: "A", ExternalID: "o-1"}
	cases := []struct {
		name  string
		ev    wms.Event
		field string
	}{
		{"no id", wms.StockChanged{SKU: "S1", Warehouse: "cph", OnHand: 1, Available: 1}, "id"},
		{"on hand below zero", wms.StockChanged{EventInfo: info("v1"), SKU: "S1", Warehouse: "cph", OnHand: -1, Available: -1}, "on_hand"},
		{"available above on hand", wms.StockChanged{EventInfo: info("v2"), SKU: "S1", Warehouse: "cph", OnHand: 1, Available: 9}, "available"},
		{"empty SKU", wms.StockChanged{EventInfo: info("v3"), Warehouse: "cph", OnHand: 1, Available: 1}, "sku"},
		{"no warehouse", wms.StockChanged{EventInfo: info("v4"), SKU: "S1", OnHand: 1, Available: 1}, "warehouse"},
		{"unknown warehouse", wms.StockChanged{EventInfo: info("v5"), SKU: "S1", Warehouse: "nowhere", OnHand: 1, Available: 1}, "warehouse"},
		{"negative reserved", wms.StockChanged{EventInfo: info("v6"), SKU: "S1", Warehouse: "cph", OnHand: 1, Reserved: -2, Available: 1}, "reserved"},
		{"barcode without SKU", wms.BarcodeChanged{EventInfo: info("v7"), Barcode: "123"}, "sku"},
		{"packed without order", wms.OrderPacked{EventInfo: info("v8"), Warehouse: "cph"}, "order"},
		{"packed at unknown warehouse", wms.OrderPacked{EventInfo: info("v9"), Order: order, Warehouse: "nowhere"}, "warehouse"},
		{"packed line without quantity", wms.OrderPacked{EventInfo: info("v10"), Order: order, Warehouse: "cph",
			Lines: []wms.PackedLine{{LineID: "l1", SKU: "S1"}}}, "lines[0].quantity"},
		{"capture below zero", wms.PaymentCaptured{EventInfo: info("v11"), Order: order, Amount: "-1.00"}, "amount"},
		{"cost without SKU", wms.PurchaseOrderClosed{EventInfo: info("v12"), Costs: []wms.ItemCost{{Cost: "1.00"}}}, "costs[0].sku"},
		{"refund without id", wms.RefundCreated{EventInfo: info("v13"), Refund: wms.Refund{Order: order}}, "refund.id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := e.eng.Publish(bg, tc.ev)
			require.ErrorIs(t, err, wms.ErrInvalid)
			var ve *wms.ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tc.field, ve.Field)
		})
	}
	stored, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{})
	require.NoError(t, err)
	assert.Empty(t, stored, "nothing invalid reaches the outbox")
	assert.Zero(t, e.eng.OutboundStats().Published)

	require.NoError(t, e.eng.Publish(bg, stock("ok-1", 1, "S1", 3)), "a valid event passes")
}

// PublishTx refuses invalid events before they enter the host's
// transaction.
func TestPublishTxValidation(t *testing.T) {
	var st txStore
	e := newOutEnv(t, wmssync.OutboundConfig{}, func(c *wmssync.Config) {
		st = txStore{c.Store.(*memstore.Store)}
		c.Store = st
	})
	tx := &hostTx{}
	err := wmssync.PublishTx(bg, e.eng, tx, wms.StockChanged{EventInfo: wms.EventInfo{ID: "t1"}, SKU: "S1", Warehouse: "cph", OnHand: 1, Available: 2})
	require.ErrorIs(t, err, wms.ErrInvalid)
	assert.Empty(t, tx.staged)
}

// The same event id with other content is a conflict; the same content
// again is a no-op.
func TestPublishConflict(t *testing.T) {
	e := newOutEnv(t, wmssync.OutboundConfig{}, func(c *wmssync.Config) { c.Store = txStore{c.Store.(*memstore.Store)} })
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)))
	require.NoError(t, e.eng.Publish(bg, stock("e1", 1, "S1", 5)), "publishing again after a crash")
	err := e.eng.Publish(bg, stock("e1", 1, "S1", 6))
	require.ErrorIs(t, err, wmssync.ErrPublishConflict)
	ms, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{ID: "e1"})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	ev, err := ms[0].Event()
	require.NoError(t, err)
	assert.EqualValues(t, 5, ev.(wms.StockChanged).Available, "the first content stays")
	// PublishTx sees the committed event too.
	require.ErrorIs(t, wmssync.PublishTx(bg, e.eng, &hostTx{}, stock("e1", 1, "S1", 7)), wmssync.ErrPublishConflict)
}

// Events that match nothing are settled as skipped with the reason,
// counted and logged, not silently done.
func TestPublishSkippedCounted(t *testing.T) {
	logs := &recordLogs{}
	e := newOutEnv(t, wmssync.OutboundConfig{}, func(c *wmssync.Config) { c.Logger = slog.New(logs) })
	require.NoError(t, e.eng.Publish(bg, stock("unknown-sku", 1, "NOPE", 5)))
	require.NoError(t, e.eng.Publish(bg, wms.OrderPacked{EventInfo: wms.EventInfo{ID: "pk"},
		Order: wms.OrderKey{Shop: "Z", ExternalID: "o"}, Warehouse: "cph"}))
	require.NoError(t, e.eng.Publish(bg, stock("sold", 2, "S1", 5)))
	e.deliver(t)
	assert.EqualValues(t, 2, e.eng.OutboundStats().Skipped)
	ms, err := e.store.ListOutbox(bg, wmssync.OutboxFilter{Shop: ""})
	require.NoError(t, err)
	reasons := map[string]string{}
	for _, m := range ms {
		if m.Shop == "" {
			reasons[m.ID] = m.LastError
			assert.Equal(t, wmssync.OutboxDone, m.State)
		}
	}
	assert.Contains(t, reasons["unknown-sku"], `SKU "NOPE" is unknown to the warehouse`)
	assert.Contains(t, reasons["pk"], `shop "Z" is unknown`)
	assert.Empty(t, reasons["sold"])
	assert.Equal(t, 2, logs.count("published event skipped: it concerns no shop and no listener"))
}
