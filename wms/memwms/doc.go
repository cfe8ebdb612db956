// Package memwms is the reference warehouse management system: a complete
// [wms.Backend] with every optional capability, kept in memory. Examples,
// the demo and the engine's tests run against it, and it shows a host what
// its own backend must do.
//
//	w, err := memwms.New(&memwms.Config{
//		Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}, {ID: "aar", Name: "Aarhus"}},
//	})
//
// A WMS is safe for concurrent use and every method is atomic. Nothing is
// persisted: a WMS lives as long as the process.
//
// # What it does
//
// Items, one per SKU, take their data from the shops' products under the
// main-shop rule of [wms.Backend.UpsertProducts]; a product's brand or
// supplier is kept, and suppliers are collected ([WMS.Suppliers]).
//
// Stock is kept per SKU and warehouse as on-hand and reserved units. It
// arrives by [WMS.Receive], [WMS.ImportStock], positive stock movements
// ([WMS.MoveStock]), purchase order receipts ([WMS.ReceivePurchaseOrder]) and
// restocking refunds ([WMS.Refund]); it leaves by packing ([WMS.Pack]) and
// negative movements such as POS sales.
//
// Orders are held until an item exists for every line and released to
// picking when every line can be fulfilled from the available stock of the
// order's warehouse. Held orders are re-evaluated, oldest first,
// whenever stock arrives or is freed and whenever an item is created; a
// released order reserves its units, so the last unit goes to one order
// only. Cancelling or deleting an order frees its units; POS orders are
// never released. See [WMS.UpsertOrder].
//
// Sales history is kept per SKU, day, shop and reference and summed per day
// ([WMS.DailySales]). Closing a purchase order sets each received SKU's
// weighted average cost ([WMS.ClosePurchaseOrder]).
//
// # Events
//
// Subscribe with [WMS.OnEvent] to hear what the warehouse did: stock
// changes, barcode changes ([WMS.SetBarcode]), packed orders, captured
// payments ([WMS.CapturePayment]), closed purchase orders and refunds, in
// commit order. This is how a demo wires the reference WMS to the engine:
//
//	w.OnEvent(func(e wms.Event) {
//		if err := engine.Publish(ctx, e); err != nil { // the engine's outbox
//			log.Printf("publish %s: %v", e.Info().ID, err)
//		}
//	})
//
// [WMS.Events] returns every event emitted so far.
//
// # Inspection
//
// Tests read the state with [WMS.Items], [WMS.Orders], [WMS.Level],
// [WMS.Movements], [WMS.PurchaseOrder], [WMS.CountItems] and
// [WMS.CountOrders].
package memwms
