package sync

import "strings"

// entity is the typed form of [OutboxMessage.Entity], the key that orders
// the messages of one shop: messages of one entity are delivered one at a
// time, in the order they were added. An order's messages (fulfilment,
// capture, refund) share the order's entity; a SKU's barcode messages the
// SKU's; cost messages, each of which may touch many SKUs, share one
// entity per shop. Stock messages have none: they coalesce (the newest
// value wins) instead of waiting for each other.
//
// Stores keep the entity as an opaque string (see String); the engine
// builds it with the constructors below and reads it with parseEntity, so
// the stored form is written and read in this one place.
type entity struct {
	kind entityKind
	id   string // the SKU or the order's external id
}

type entityKind uint8

const (
	entityNone  entityKind = iota // no ordering (stock)
	entitySKU                     // a SKU's barcode messages
	entityOrder                   // an order's messages
	entityCosts                   // a shop's cost messages
)

// Stored forms of the entity kinds.
const (
	entitySKUPrefix   = "sku:"
	entityOrderPrefix = "order:"
	entityCostsValue  = "cost"
)

func skuEntity(sku string) entity  { return entity{kind: entitySKU, id: sku} }
func orderEntity(id string) entity { return entity{kind: entityOrder, id: id} }
func costsEntity() entity          { return entity{kind: entityCosts} }

// String returns the stored form: "sku:SKU", "order:ID", "cost" or "".
func (e entity) String() string {
	switch e.kind {
	case entitySKU:
		return entitySKUPrefix + e.id
	case entityOrder:
		return entityOrderPrefix + e.id
	case entityCosts:
		return entityCostsValue
	}
	return ""
}

// parseEntity reads the stored form; an unknown form has no kind.
func parseEntity(s string) entity {
	switch {
	case strings.HasPrefix(s, entitySKUPrefix):
		return skuEntity(strings.TrimPrefix(s, entitySKUPrefix))
	case strings.HasPrefix(s, entityOrderPrefix):
		return orderEntity(strings.TrimPrefix(s, entityOrderPrefix))
	case s == entityCostsValue:
		return costsEntity()
	}
	return entity{}
}

// sku returns the SKU of a SKU entity.
func (e entity) sku() (string, bool) { return e.id, e.kind == entitySKU }

// target is the typed form of [OutboxMessage.Shop]: the fan-out queue of
// published events (""), a shop, or a listener ("listener:NAME").
type target struct {
	shop     string // the shop's id, when not a listener
	listener string // the listener's name
}

func shopTarget(shop string) target           { return target{shop: shop} }
func listenerTarget(name string) target       { return target{listener: name} }
func (t target) listenerName() (string, bool) { return t.listener, t.listener != "" }

// String returns the stored form.
func (t target) String() string {
	if t.listener != "" {
		return ListenerPrefix + t.listener
	}
	return t.shop
}

// parseTarget reads the stored form.
func parseTarget(s string) target {
	if name, ok := strings.CutPrefix(s, ListenerPrefix); ok {
		return listenerTarget(name)
	}
	return shopTarget(s)
}

// CaptureOnPackSuffix ends the ID of the capture message the engine adds
// after an order packed message to a shop whose connector captures on pack
// ([PackCapturer]): a [wms.PaymentCaptured] of the order's total, which the
// connector caps at what the order's authorisation still holds (nothing
// when the shop captured at checkout). It is sent when the shop has
// order packed messages switched on.
const CaptureOnPackSuffix = "/capture-on-pack"

// captureOnPackID returns the ID of the capture message the engine adds
// after the order packed event eventID (see [CaptureOnPackSuffix]).
func captureOnPackID(eventID string) string { return eventID + CaptureOnPackSuffix }

// isCaptureOnPack reports whether m is a capture message the engine added
// after an order packed event.
func isCaptureOnPack(m OutboxMessage) bool { return strings.HasSuffix(m.ID, CaptureOnPackSuffix) }
