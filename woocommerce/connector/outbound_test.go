package connector

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce/wootest"
)

func TestSendStockBatchesAtMost100PerCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.store.Seed(wootest.SeedOptions{Simple: 230, Variable: 4, VariationsPer: 3})
	var targets []wmssync.StockTarget
	want := map[int64]int64{}
	for i, p := range h.store.Products() {
		switch p.Type {
		case "simple":
			targets = append(targets, wmssync.StockTarget{SKU: p.SKU, InventoryItemID: ItemID(p.ID, 0), Available: int64(i)})
			want[p.ID] = int64(i)
		case "variation":
			targets = append(targets, wmssync.StockTarget{SKU: p.SKU, InventoryItemID: ItemID(p.ParentID, p.ID), Available: int64(i)})
			want[p.ID] = int64(i)
		}
	}
	targets = append(targets, wmssync.StockTarget{SKU: "GONE", InventoryItemID: ItemID(42, 0), Available: 1})
	h.store.ResetCounters()
	require.NoError(t, h.conn.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindStockChanged, Stock: targets, Key: "k1"}))
	c := h.store.Counters()
	assert.Equal(t, int64(3+4), c.Writes, "⌈231/100⌉ calls for simple products, one per parent for variations")
	for id, n := range want {
		p, _ := h.store.Product(id)
		assert.Equal(t, n, p.Stock, p.SKU)
	}
}

func TestSendBarcode(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pid, vids, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Tee", Variations: []wootest.VariationSpec{{SKU: "T-S", Options: map[string]string{"Size": "S"}}}})
	require.NoError(t, err)
	sid, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "MUG"})
	require.NoError(t, err)
	send := func(sku, code string, l wms.Listing) error {
		return h.conn.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindBarcodeChanged,
			Event: wms.BarcodeChanged{SKU: sku, Barcode: code}, Listings: []wms.Listing{l}})
	}
	require.NoError(t, send("T-S", "5701234567899", wms.Listing{InventoryItemID: ItemID(pid, vids[0])}))
	require.NoError(t, send("MUG", "5709876543217", wms.Listing{InventoryItemID: ItemID(sid, 0)}))
	v, _ := h.store.Product(vids[0])
	m, _ := h.store.Product(sid)
	assert.Equal(t, "5701234567899", v.GTIN)
	assert.Equal(t, "5709876543217", m.GTIN)
	// A GTIN another product has is refused for good.
	err = send("MUG", "5701234567899", wms.Listing{InventoryItemID: ItemID(sid, 0)})
	assert.ErrorIs(t, err, wmssync.ErrRejected)
}

func TestSendPackedCompletesWithTrackingOnce(t *testing.T) {
	t.Parallel()
	for _, fulfillments := range []bool{false, true} {
		t.Run(fmt.Sprint("fulfillments=", fulfillments), func(t *testing.T) {
			t.Parallel()
			var opts []wootest.StoreOption
			if fulfillments {
				opts = append(opts, wootest.WithFulfillments())
			}
			h := newHarness(t, opts...)
			_, _, err := h.store.CreateProduct(wootest.ProductSpec{Name: "Mug", SKU: "MUG", Stock: 10})
			require.NoError(t, err)
			_, _, err = h.store.CreateProduct(wootest.ProductSpec{Name: "Cup", SKU: "CUP", Stock: 10})
			require.NoError(t, err)
			id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "MUG", Quantity: 2}, {SKU: "CUP", Quantity: 1}}})
			require.NoError(t, err)
			o, _ := h.store.Order(id)
			line := func(i int, q int64) wms.PackedLine {
				return wms.PackedLine{LineID: fmt.Sprint(o.Lines[i].ID), SKU: o.Lines[i].SKU, Quantity: q}
			}
			tracking := &wms.Tracking{Company: "GLS", Number: "TN-1", URL: "https://gls.example/TN-1"}
			first := &wmssync.Outgoing{Kind: wms.KindOrderPacked, Key: "pack-1", Event: wms.OrderPacked{
				Order: wms.OrderKey{ExternalID: fmt.Sprint(id)}, Lines: []wms.PackedLine{line(0, 2)}, Tracking: tracking}}
			for range 2 { // a retry changes nothing
				require.NoError(t, h.conn.Send(context.Background(), first))
			}
			o, _ = h.store.Order(id)
			assert.Equal(t, "processing", o.Status, "one line still to ship")
			second := &wmssync.Outgoing{Kind: wms.KindOrderPacked, Key: "pack-2", Event: wms.OrderPacked{
				Order: wms.OrderKey{ExternalID: fmt.Sprint(id)}, Lines: []wms.PackedLine{line(1, 1)}, Tracking: &wms.Tracking{Company: "GLS", Number: "TN-2"}}}
			for range 2 {
				require.NoError(t, h.conn.Send(context.Background(), second))
			}
			o, _ = h.store.Order(id)
			assert.Equal(t, "completed", o.Status)
			if fulfillments {
				require.Len(t, o.Fulfillments, 2)
				assert.Equal(t, "TN-1", o.Fulfillments[0].Meta["_tracking_number"])
				assert.True(t, o.Fulfillments[0].Notified)
				return
			}
			var shipped []string
			for _, n := range o.Notes {
				if n.Customer {
					shipped = append(shipped, n.Text)
				}
			}
			assert.Equal(t, []string{
				"Shipped: 2 × Mug. Tracking (GLS): TN-1 https://gls.example/TN-1.",
				"Shipped: 1 × Cup. Tracking (GLS): TN-2.",
			}, shipped)
		})
	}
	h := newHarness(t)
	_, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "X", Stock: 1})
	require.NoError(t, err)
	id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "X", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, h.store.SetOrderStatus(id, "cancelled"))
	err = h.conn.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindOrderPacked, Key: "p", Event: wms.OrderPacked{Order: wms.OrderKey{ExternalID: fmt.Sprint(id)}}})
	assert.ErrorIs(t, err, wmssync.ErrRejected, "a cancelled order is not completed")
}

func TestSendRefundNeverTwice(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	pid, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "R", Price: "5.00", Stock: 10})
	require.NoError(t, err)
	id, err := h.store.CreateOrder(wootest.OrderSpec{Lines: []wootest.OrderLineSpec{{SKU: "R", Quantity: 3}}})
	require.NoError(t, err)
	o, _ := h.store.Order(id)
	msg := func(stockSynced bool, refundID string) *wmssync.Outgoing {
		return &wmssync.Outgoing{Kind: wms.KindRefundCreated, Key: refundID, StockSynced: stockSynced, Event: wms.RefundCreated{Refund: wms.Refund{
			ID: refundID, Order: wms.OrderKey{ExternalID: fmt.Sprint(id)}, Amount: "5.00", Note: "damaged",
			Lines: []wms.RefundLine{{LineID: fmt.Sprint(o.Lines[0].ID), SKU: "R", Quantity: 1, Restock: true, Amount: "5.00"}}}}}
	}
	for range 3 {
		require.NoError(t, h.conn.Send(context.Background(), msg(true, "RF-1")))
	}
	o, _ = h.store.Order(id)
	require.Len(t, o.Refunds, 1, "retries do not refund twice")
	r := o.Refunds[0]
	assert.Equal(t, "5.00", r.Amount)
	assert.False(t, r.PaymentRefunded, "api_refund=false: no money moved through the gateway")
	assert.Equal(t, "RF-1", r.Meta[MetaRefund])
	assert.True(t, strings.Contains(r.Reason, "RF-1"))
	assert.Equal(t, []wootest.RefundLineState{{ItemID: o.Lines[0].ID, Quantity: 1, Total: "5.00"}}, r.Lines)
	p, _ := h.store.Product(pid)
	assert.Equal(t, int64(7), p.Stock, "stock synced from the WMS: no restock in the store")

	require.NoError(t, h.conn.Send(context.Background(), msg(false, "RF-2")))
	p, _ = h.store.Product(pid)
	assert.Equal(t, int64(8), p.Stock, "restocked when the store does not get the WMS's stock")

	// More than is left is refused for good.
	big := msg(true, "RF-3")
	big.Event = wms.RefundCreated{Refund: wms.Refund{ID: "RF-3", Order: wms.OrderKey{ExternalID: fmt.Sprint(id)}, Amount: "50.00"}}
	assert.ErrorIs(t, h.conn.Send(context.Background(), big), wmssync.ErrRejected)
}

func TestSendRejectsWhatWooCommerceLacks(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, ev := range []wms.Event{wms.PaymentCaptured{Order: wms.OrderKey{ExternalID: "1"}, Amount: "1"}, wms.PurchaseOrderClosed{}} {
		err := h.conn.Send(context.Background(), &wmssync.Outgoing{Kind: ev.Kind(), Event: ev})
		assert.ErrorIs(t, err, wmssync.ErrRejected)
	}
	// A read-only key cannot write: rejected, with the key's refusal.
	ck, cs := h.store.AddKey(wootest.Read)
	ro := connectorWithKey(t, h, ck, cs)
	pid, _, err := h.store.CreateProduct(wootest.ProductSpec{SKU: "S", Stock: 1})
	require.NoError(t, err)
	err = ro.Send(context.Background(), &wmssync.Outgoing{Kind: wms.KindStockChanged, Stock: []wmssync.StockTarget{{SKU: "S", InventoryItemID: ItemID(pid, 0), Available: 5}}})
	assert.ErrorIs(t, err, wmssync.ErrRejected)
	assert.Contains(t, err.Error(), "write permissions")
	p, _ := h.store.Product(pid)
	assert.Equal(t, int64(1), p.Stock)
}
