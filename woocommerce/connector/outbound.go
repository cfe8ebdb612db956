package connector

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/woocommerce"
)

var (
	_ wmssync.Outbound     = (*Connector)(nil)
	_ wmssync.StockBatcher = (*Connector)(nil)
)

// StockBatchSize implements [wmssync.StockBatcher]: the client's batch
// limit, WooCommerce's 100 unless the store's filter says otherwise
// (woocommerce.WithBatchLimit). Variations of different products still
// take one call per product (see Send).
func (c *Connector) StockBatchSize() int { return c.client.BatchLimit() }

// The order meta keys the connector writes.
const (
	// MetaRefund is the WMS refund id on a refund the connector created.
	MetaRefund = "_wmsbridge_refund"
	// MetaPackPrefix starts the key of one packed message's lines on the
	// order: "_wmsbridge_pack_" + a hash of the message key, valued with
	// the packed quantity per order line id.
	MetaPackPrefix = "_wmsbridge_pack_"
)

// Prepare implements [wmssync.Outbound]: no WooCommerce message needs a
// plan, since each Send reads the store before it writes (see Send).
func (c *Connector) Prepare(context.Context, *wmssync.Outgoing) ([]byte, error) { return nil, nil }

// Send delivers one outbound message to the store:
//
//   - stock changed: the absolute stock of each listing through the batch
//     endpoints, at most 100 items a call (WooCommerce's limit): one call
//     for simple products, one per parent for variations, which
//     WooCommerce only accepts under their product. stock_quantity is set
//     with manage_stock on. WooCommerce has no conditional write, so a
//     sale in the store between the WMS's count and this write is
//     overwritten; the WMS's figure is the truth the store is brought to.
//   - barcode changed: the listings' global_unique_id (GTIN).
//   - order packed: a customer note with the shipped lines and the
//     tracking (an Order Fulfillment with tracking meta instead, when the
//     store has that beta endpoint), then the packed lines recorded in the
//     order's meta and, once every line is packed, status completed. Each
//     step reads first, so a retry adds no second note or fulfillment.
//   - refund created: a refund with api_refund=false (the store records it
//     and moves no money through the gateway) and api_restock only when
//     every refunded line comes back and the store does not receive the
//     WMS's stock. WooCommerce has no idempotency keys: the connector reads
//     the order's refunds first and creates none when one carries the
//     refund's id (MetaRefund), so a retry never refunds twice.
//   - payment captured, purchase order closed (average cost): rejected,
//     WooCommerce has neither.
//
// The store refusing a message for good (validation, a read-only key, an
// order or product it no longer has) returns an error matching
// [wmssync.ErrRejected].
func (c *Connector) Send(ctx context.Context, m *wmssync.Outgoing) error {
	if m.Kind == wms.KindStockChanged {
		return c.sendStock(ctx, m)
	}
	switch ev := wms.EventValue(m.Event).(type) {
	case wms.BarcodeChanged:
		return c.sendBarcode(ctx, m, ev)
	case wms.OrderPacked:
		return c.sendPacked(ctx, m, ev)
	case wms.RefundCreated:
		return c.sendRefund(ctx, m, ev)
	case wms.PaymentCaptured:
		return fmt.Errorf("%w: woocommerce/connector: WooCommerce has no payment capture", wmssync.ErrRejected)
	case wms.PurchaseOrderClosed:
		return fmt.Errorf("%w: woocommerce/connector: WooCommerce core has no cost price", wmssync.ErrRejected)
	}
	return fmt.Errorf("%w: woocommerce/connector: no outbound message for %q", wmssync.ErrRejected, m.Kind)
}

// outboundErr classifies an error of an outbound call: refusals that a
// retry cannot change are ErrRejected.
func (c *Connector) outboundErr(ctx context.Context, what string, err error) error {
	var ae *woocommerce.APIError
	switch {
	case ctx.Err() != nil:
		return err
	case errors.Is(err, woocommerce.ErrUnauthorized), errors.Is(err, woocommerce.ErrForbidden), errors.Is(err, woocommerce.ErrNotFound):
		return fmt.Errorf("%w: woocommerce/connector: %s: %w", wmssync.ErrRejected, what, err)
	case errors.As(err, &ae) && ae.StatusCode == 400:
		return fmt.Errorf("%w: woocommerce/connector: %s: %w", wmssync.ErrRejected, what, err)
	case errors.As(err, &ae) && ae.Code == "woocommerce_rest_cannot_create_order_refund":
		return fmt.Errorf("%w: woocommerce/connector: %s: %w", wmssync.ErrRejected, what, err)
	}
	return fmt.Errorf("woocommerce/connector: %s: %w", what, classify(ctx, err))
}

// sendStock writes the stock targets, grouped into batch calls.
func (c *Connector) sendStock(ctx context.Context, m *wmssync.Outgoing) error {
	simple := map[int64]int64{}
	byParent := map[int64]map[int64]int64{}
	for _, t := range m.Stock {
		pid, vid, ok := targetIDs(t)
		if !ok {
			c.log.WarnContext(ctx, "woocommerce connector: stock target without a WooCommerce listing id", "sku", t.SKU, "item", t.InventoryItemID)
			continue
		}
		if vid == 0 {
			simple[pid] = t.Available
			continue
		}
		if byParent[pid] == nil {
			byParent[pid] = map[int64]int64{}
		}
		byParent[pid][vid] = t.Available
	}
	limit := c.client.BatchLimit()
	var errs []error
	for chunk := range slices.Chunk(sortedKeys(simple), limit) {
		b := &woocommerce.Batch[woocommerce.ProductRequest]{}
		for _, id := range chunk {
			b.Update = append(b.Update, woocommerce.ProductRequest{ID: id, ManageStock: woocommerce.Ptr(true), StockQuantity: woocommerce.Ptr(woocommerce.Int(simple[id]))})
		}
		res, _, err := c.client.Products().Batch(ctx, b)
		if err != nil {
			return c.outboundErr(ctx, "set stock", err)
		}
		errs = append(errs, c.itemErrors(ctx, res.Err())...)
	}
	for _, pid := range sortedKeys(byParent) {
		vs := byParent[pid]
		for chunk := range slices.Chunk(sortedKeys(vs), limit) {
			b := &woocommerce.Batch[woocommerce.VariationRequest]{}
			for _, id := range chunk {
				b.Update = append(b.Update, woocommerce.VariationRequest{ID: id, ManageStock: woocommerce.Ptr(true), StockQuantity: woocommerce.Ptr(woocommerce.Int(vs[id]))})
			}
			res, _, err := c.client.Variations().Batch(ctx, pid, b)
			if err != nil {
				if errors.Is(err, woocommerce.ErrNotFound) {
					c.log.WarnContext(ctx, "woocommerce connector: stock of a product the store no longer has", "product", pid)
					continue
				}
				return c.outboundErr(ctx, "set stock", err)
			}
			errs = append(errs, c.itemErrors(ctx, res.Err())...)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("woocommerce/connector: set stock: %w", errors.Join(errs...))
	}
	return nil
}

// targetIDs returns the product and variation ids of a stock target: from
// its InventoryItemID (ItemID), or from its ProductID and VariantID (equal
// for a simple product).
func targetIDs(t wmssync.StockTarget) (productID, variationID int64, ok bool) {
	if pid, vid, ok := parseItemID(t.InventoryItemID); ok {
		return pid, vid, true
	}
	pid, err1 := strconv.ParseInt(t.ProductID, 10, 64)
	vid, err2 := strconv.ParseInt(t.VariantID, 10, 64)
	if err1 != nil || err2 != nil || pid <= 0 || vid <= 0 {
		return 0, 0, false
	}
	if vid == pid {
		vid = 0
	}
	return pid, vid, true
}

// itemErrors returns the batch item errors worth a retry; items the store
// no longer has are logged and dropped.
func (c *Connector) itemErrors(ctx context.Context, err error) []error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range unjoin(err) {
		if errors.Is(e, woocommerce.ErrNotFound) {
			c.log.WarnContext(ctx, "woocommerce connector: stock of a listing the store no longer has", "err", e)
			continue
		}
		out = append(out, e)
	}
	return out
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sendBarcode sets the GTIN of every listing of the SKU.
func (c *Connector) sendBarcode(ctx context.Context, m *wmssync.Outgoing, ev wms.BarcodeChanged) error {
	for _, l := range m.Listings {
		pid, vid, ok := parseItemID(l.InventoryItemID)
		if !ok {
			continue
		}
		var err error
		if vid == 0 {
			_, _, err = c.client.Products().Update(ctx, pid, &woocommerce.ProductRequest{GlobalUniqueID: woocommerce.Ptr(ev.Barcode)})
		} else {
			_, _, err = c.client.Variations().Update(ctx, pid, vid, &woocommerce.VariationRequest{GlobalUniqueID: woocommerce.Ptr(ev.Barcode)})
		}
		if errors.Is(err, woocommerce.ErrNotFound) {
			c.log.WarnContext(ctx, "woocommerce connector: barcode of a listing the store no longer has", "sku", ev.SKU, "item", l.InventoryItemID)
			continue
		}
		if err != nil {
			return c.outboundErr(ctx, "set the GTIN of "+ev.SKU, err)
		}
	}
	return nil
}

// sendPacked records a packed shipment on the order and completes the
// order once every line is packed.
func (c *Connector) sendPacked(ctx context.Context, m *wmssync.Outgoing, ev wms.OrderPacked) error {
	id, err := strconv.ParseInt(ev.Order.ExternalID, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: woocommerce/connector: order id %q", wmssync.ErrRejected, ev.Order.ExternalID)
	}
	o, _, err := c.client.Orders().Get(ctx, id)
	if err != nil {
		return c.outboundErr(ctx, "read order", err)
	}
	switch o.Status {
	case woocommerce.StatusCancelled, woocommerce.StatusRefunded, woocommerce.StatusTrash, woocommerce.StatusFailed:
		return fmt.Errorf("%w: woocommerce/connector: order %d is %s", wmssync.ErrRejected, id, o.Status)
	}
	packKey := MetaPackPrefix + shortHash(m.Key)
	packed := map[string]int64{}
	for _, l := range ev.Lines {
		packed[l.LineID] += l.Quantity
	}
	if err := c.recordShipment(ctx, o, ev, packKey, packed); err != nil {
		return err
	}
	// The packed quantities of every packed message so far, this one
	// included.
	total := map[string]int64{}
	seen := false
	for _, md := range o.MetaData {
		if !strings.HasPrefix(md.Key, MetaPackPrefix) {
			continue
		}
		seen = seen || md.Key == packKey
		var q map[string]int64
		if json.Unmarshal([]byte(md.StringValue()), &q) == nil {
			for k, v := range q {
				total[k] += v
			}
		}
	}
	if !seen {
		for k, v := range packed {
			total[k] += v
		}
	}
	complete := true
	for _, l := range o.LineItems {
		q, _ := l.Quantity.Int64()
		if total[strconv.FormatInt(l.ID, 10)] < q {
			complete = false
		}
	}
	req := &woocommerce.OrderRequest{}
	if !seen {
		v, _ := json.Marshal(packed)
		req.MetaData = []woocommerce.MetaData{woocommerce.StringMeta(packKey, string(v))}
	}
	if complete && o.Status != woocommerce.StatusCompleted {
		req.Status = woocommerce.Ptr(woocommerce.StatusCompleted)
	}
	if req.MetaData == nil && req.Status == nil {
		return nil
	}
	if _, _, err := c.client.Orders().Update(ctx, id, req); err != nil {
		return c.outboundErr(ctx, "complete order", err)
	}
	return nil
}

// recordShipment adds the shipment's customer note, or its fulfillment on
// stores with Order Fulfillments, unless an earlier attempt did.
func (c *Connector) recordShipment(ctx context.Context, o *woocommerce.Order, ev wms.OrderPacked, packKey string, packed map[string]int64) error {
	sf, err := c.storeFeatures(ctx)
	if err != nil {
		return err
	}
	if sf.fulfillments {
		fs, _, err := c.client.Fulfillments().List(ctx, o.ID)
		if err != nil {
			return c.outboundErr(ctx, "read fulfillments", err)
		}
		for _, f := range fs {
			if f.Meta("_wmsbridge_pack") == packKey {
				return nil
			}
		}
		type item struct {
			ItemID int64 `json:"item_id"`
			Qty    int64 `json:"qty"`
		}
		var items []item
		for _, lid := range slices.Sorted(maps.Keys(packed)) {
			n, _ := strconv.ParseInt(lid, 10, 64)
			items = append(items, item{n, packed[lid]})
		}
		itemsJSON, _ := json.Marshal(items)
		f := &woocommerce.Fulfillment{Status: "fulfilled", IsFulfilled: true, MetaData: []woocommerce.MetaData{
			{Key: "_items", Value: itemsJSON}, woocommerce.StringMeta("_wmsbridge_pack", packKey)}}
		if t := ev.Tracking; t != nil {
			f.MetaData = append(f.MetaData, woocommerce.StringMeta("_tracking_number", t.Number),
				woocommerce.StringMeta("_shipment_provider", t.Company), woocommerce.StringMeta("_tracking_url", t.URL))
		}
		if _, _, err := c.client.Fulfillments().Create(ctx, o.ID, f, true); err != nil {
			return c.outboundErr(ctx, "create fulfillment", err)
		}
		return nil
	}
	text := shipmentNote(o, ev)
	notes, _, err := c.client.OrderNotes().List(ctx, o.ID, "customer")
	if err != nil {
		return c.outboundErr(ctx, "read order notes", err)
	}
	for _, n := range notes {
		if n.Note == text {
			return nil
		}
	}
	if _, _, err := c.client.OrderNotes().Create(ctx, o.ID, &woocommerce.OrderNoteRequest{Note: text, CustomerNote: true}); err != nil {
		return c.outboundErr(ctx, "add the shipment note", err)
	}
	return nil
}

// shipmentNote is the customer note of a shipment: the same text for the
// same shipment, which is how a retry finds it.
func shipmentNote(o *woocommerce.Order, ev wms.OrderPacked) string {
	names := map[string]string{}
	for _, l := range o.LineItems {
		names[strconv.FormatInt(l.ID, 10)] = l.Name
	}
	var lines []string
	for _, l := range ev.Lines {
		name := names[l.LineID]
		if name == "" {
			name = l.SKU
		}
		lines = append(lines, fmt.Sprintf("%d × %s", l.Quantity, name))
	}
	s := "Shipped: " + strings.Join(lines, ", ") + "."
	if t := ev.Tracking; t != nil && t.Number != "" {
		s += " Tracking"
		if t.Company != "" {
			s += " (" + t.Company + ")"
		}
		s += ": " + t.Number
		if t.URL != "" {
			s += " " + t.URL
		}
		s += "."
	}
	return s
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// sendRefund creates the refund unless the store already has it.
func (c *Connector) sendRefund(ctx context.Context, m *wmssync.Outgoing, ev wms.RefundCreated) error {
	r := ev.Refund
	id, err := strconv.ParseInt(r.Order.ExternalID, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: woocommerce/connector: order id %q", wmssync.ErrRejected, r.Order.ExternalID)
	}
	for ref, err := range c.client.Refunds().All(ctx, id) {
		if err != nil {
			return c.outboundErr(ctx, "read refunds", err)
		}
		for _, md := range ref.MetaData {
			if md.Key == MetaRefund && md.StringValue() == r.ID {
				return nil // made by an earlier attempt
			}
		}
	}
	req := &woocommerce.RefundRequest{
		Amount: woocommerce.Decimal(r.Amount), Reason: strings.TrimSpace(r.Note + " (WMS refund " + r.ID + ")"),
		MetaData: []woocommerce.MetaData{woocommerce.StringMeta(MetaRefund, r.ID)},
	}
	restock := len(r.Lines) > 0 && !m.StockSynced
	for _, l := range r.Lines {
		lid, err := strconv.ParseInt(l.LineID, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: woocommerce/connector: line id %q", wmssync.ErrRejected, l.LineID)
		}
		req.LineItems = append(req.LineItems, woocommerce.RefundLineRequest{ID: lid, Quantity: woocommerce.Int(l.Quantity), RefundTotal: woocommerce.Number(l.Amount)})
		restock = restock && l.Restock
	}
	if !restock && !m.StockSynced && slices.ContainsFunc(r.Lines, func(l wms.RefundLine) bool { return l.Restock }) {
		c.log.WarnContext(ctx, "woocommerce connector: a refund that restocks some lines only is made without restock (WooCommerce restocks all or none)",
			"refund", r.ID)
	}
	req.APIRestock = restock
	if _, _, err := c.client.Refunds().Create(ctx, id, req); err != nil {
		return c.outboundErr(ctx, "create refund", err)
	}
	return nil
}
