package wms

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is something that happened in the warehouse that shops may need to
// hear about: stock changed, a barcode changed, an order was
// packed, a payment was captured, a purchase order closed, a refund was made.
// The host publishes events to the engine, which stores them in its outbox
// and sends each to the shops that chose it.
//
// The set of event types is open: the engine handles the kinds below and
// passes others on to listeners or ignores them.
type Event interface {
	// Kind is the event's stable type name, such as "stock.changed". It is
	// stored with the event, so it never changes when Go types are renamed.
	Kind() EventKind
	// Info returns the event's identity and time.
	Info() EventInfo
}

// EventValue returns the event a pointer to one of this package's events
// points to (a *StockChanged gives its StockChanged) and any other e as it
// is, so that a type switch on the result needs only the value types.
func EventValue(e Event) Event {
	switch ev := e.(type) {
	case *StockChanged:
		return *ev
	case *BarcodeChanged:
		return *ev
	case *OrderPacked:
		return *ev
	case *PaymentCaptured:
		return *ev
	case *PurchaseOrderClosed:
		return *ev
	case *RefundCreated:
		return *ev
	}
	return e
}

// EventKind is the stable name of an event type.
type EventKind string

// The event kinds defined by this package.
const (
	KindStockChanged        EventKind = "stock.changed"
	KindBarcodeChanged      EventKind = "barcode.changed"
	KindOrderPacked         EventKind = "order.packed"
	KindPaymentCaptured     EventKind = "payment.captured"
	KindPurchaseOrderClosed EventKind = "purchase_order.closed"
	KindRefundCreated       EventKind = "refund.created"
)

// EventInfo is embedded in every event type.
type EventInfo struct {
	// ID identifies the event. It is unique per warehouse, and a host that
	// publishes the same event twice (after a crash, say) gives it the same
	// ID both times: the engine deduplicates on it and derives the shop
	// calls' idempotency keys from it.
	ID string `json:"id"`
	// Time is when it happened in the warehouse.
	Time time.Time `json:"time"`
	// Seq orders events of one warehouse: a later change has a larger Seq.
	// The engine uses it to let the newest stock value win when it
	// coalesces. Zero means unknown; Time then decides.
	Seq int64 `json:"seq,omitempty"`
}

// Info returns i; embedding EventInfo gives an event type this method.
func (i EventInfo) Info() EventInfo { return i }

// StockChanged reports new stock figures of one SKU in one warehouse, after
// any change of its on-hand or reserved units. The figures are
// absolute, so the newest event of a SKU and warehouse replaces older ones.
type StockChanged struct {
	EventInfo
	SKU       string `json:"sku"`
	Warehouse string `json:"warehouse"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	// Available is OnHand minus Reserved.
	Available int64 `json:"available"`
}

// BarcodeChanged reports that the warehouse changed a SKU's barcode.
type BarcodeChanged struct {
	EventInfo
	SKU      string `json:"sku"`
	Barcode  string `json:"barcode"`
	Previous string `json:"previous,omitempty"`
}

// OrderPacked reports that an order was packed and handed to the carrier:
// the shop fulfils the lines and, when set up for it, captures the
// payment.
type OrderPacked struct {
	EventInfo
	Order     OrderKey     `json:"order"`
	Warehouse string       `json:"warehouse"`
	Lines     []PackedLine `json:"lines"`
	// Tracking is the shipment's tracking, when known.
	Tracking *Tracking `json:"tracking,omitempty"`
}

// PackedLine is the packed part of one order line.
type PackedLine struct {
	// LineID is the shop's id of the order line.
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// PaymentCaptured reports that the warehouse captured an order's payment.
type PaymentCaptured struct {
	EventInfo
	Order    OrderKey `json:"order"`
	Amount   Decimal  `json:"amount"`
	Currency string   `json:"currency,omitempty"`
}

// PurchaseOrderClosed reports that a purchase order closed, with the
// weighted average costs it produced.
type PurchaseOrderClosed struct {
	EventInfo
	PurchaseOrder PurchaseOrder `json:"purchase_order"`
	// Costs are the new average unit costs of the SKUs received.
	Costs []ItemCost `json:"costs"`
}

// RefundCreated reports a refund made in the warehouse's returns system,
// to be created on the shop's order.
type RefundCreated struct {
	EventInfo
	Refund Refund `json:"refund"`
}

// Kind implements Event.
func (StockChanged) Kind() EventKind { return KindStockChanged }

// Kind implements Event.
func (BarcodeChanged) Kind() EventKind { return KindBarcodeChanged }

// Kind implements Event.
func (OrderPacked) Kind() EventKind { return KindOrderPacked }

// Kind implements Event.
func (PaymentCaptured) Kind() EventKind { return KindPaymentCaptured }

// Kind implements Event.
func (PurchaseOrderClosed) Kind() EventKind { return KindPurchaseOrderClosed }

// Kind implements Event.
func (RefundCreated) Kind() EventKind { return KindRefundCreated }

var (
	_ Event = StockChanged{}
	_ Event = BarcodeChanged{}
	_ Event = OrderPacked{}
	_ Event = PaymentCaptured{}
	_ Event = PurchaseOrderClosed{}
	_ Event = RefundCreated{}
)

// UnmarshalEvent decodes an event stored as its kind and its JSON encoding
// (json.Marshal of the event value), as an outbox keeps it. It returns the
// event type's value (StockChanged, not *StockChanged). An unknown kind
// returns an error matching [ErrNotSupported].
func UnmarshalEvent(kind EventKind, data []byte) (Event, error) {
	switch kind {
	case KindStockChanged:
		return decodeEvent[StockChanged](data)
	case KindBarcodeChanged:
		return decodeEvent[BarcodeChanged](data)
	case KindOrderPacked:
		return decodeEvent[OrderPacked](data)
	case KindPaymentCaptured:
		return decodeEvent[PaymentCaptured](data)
	case KindPurchaseOrderClosed:
		return decodeEvent[PurchaseOrderClosed](data)
	case KindRefundCreated:
		return decodeEvent[RefundCreated](data)
	}
	return nil, fmt.Errorf("wms: event kind %q: %w", kind, ErrNotSupported)
}

func decodeEvent[E Event](data []byte) (Event, error) {
	var e E
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("wms: decode %s event: %w", e.Kind(), err)
	}
	return e, nil
}
