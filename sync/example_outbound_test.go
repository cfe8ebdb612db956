package sync_test

import (
	"context"
	"fmt"
	"log"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// writingShop is the demo catalogue with the Outbound capability: it
// prints what it would write to the shop.
type writingShop struct{ *catalogShop }

func (w writingShop) Prepare(ctx context.Context, m *wmssync.Outgoing) ([]byte, error) {
	return nil, nil // nothing to read first: the writes below are absolute values
}

func (w writingShop) Send(ctx context.Context, m *wmssync.Outgoing) error {
	switch ev := m.Event.(type) {
	case nil: // stock: coalesced levels, at most 250 per call
		for _, s := range m.Stock {
			fmt.Printf("set %s (item %s) at location %s to %d\n", s.SKU, s.InventoryItemID, s.LocationID, s.Available)
		}
	case wms.BarcodeChanged:
		fmt.Printf("barcode of %s = %s on %d variant(s)\n", ev.SKU, ev.Barcode, len(m.Listings))
	}
	return nil
}

// Publish the warehouse's events: the engine stores each in the outbox
// before Publish returns, and its dispatcher (part of Run, or
// DeliverOutbound) sends them to the shops that chose them.
func ExampleEngine_Publish() {
	ctx := context.Background()
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	shop := demoCatalog()
	for i := range shop.products {
		shop.products[i].Variants[0].InventoryItemID = fmt.Sprint(300 + i)
	}
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   memstore.New(), // implements wmssync.OutboxStore
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return writingShop{shop}, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, _ = engine.SaveSettings(ctx, wmssync.Settings{Shop: "DemoDK", AdminURL: "demo-dk.myshopify.com", Locations: map[string]string{"1": "cph"}})
	if err := engine.RunSetup(ctx, "DemoDK", nil); err != nil { // the last step switches outbound on
		log.Fatal(err)
	}

	// The host publishes what its warehouse does.
	warehouse.OnEvent(func(ev wms.Event) {
		if err := engine.Publish(ctx, ev); err != nil {
			log.Print(err) // not stored: the host publishes it again later
		}
	})
	_ = warehouse.Receive(ctx, "cph", "DEMO-0", 5)
	_ = warehouse.Receive(ctx, "cph", "DEMO-0", 1) // coalesces with the one before
	_ = warehouse.SetBarcode(ctx, "DEMO-1", "5701234567892")

	if _, err := engine.DeliverOutbound(ctx); err != nil { // Run does this continually
		log.Fatal(err)
	}
	// Output:
	// barcode of DEMO-1 = 5701234567892 on 1 variant(s)
	// set DEMO-0 (item 300) at location 1 to 16
}

// Register a listener for closed purchase orders (S19), such as an ERP:
// it gets each event through the outbox, retried until it returns nil.
func ExampleEngine_Listen() {
	ctx := context.Background()
	warehouse, _ := memwms.New(nil)
	engine, _ := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   memstore.New(),
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return demoCatalog(), nil },
	})
	_ = engine.Listen("erp", func(ctx context.Context, ev wms.Event) error {
		po := ev.(wms.PurchaseOrderClosed)
		fmt.Println("ERP: purchase order", po.PurchaseOrder.ID, "closed;", len(po.Costs), "new cost(s)")
		return nil
	}, wms.KindPurchaseOrderClosed)

	_ = engine.Publish(ctx, wms.PurchaseOrderClosed{
		EventInfo:     wms.EventInfo{ID: "po-17-closed", Time: time.Now()},
		PurchaseOrder: wms.PurchaseOrder{ID: "PO-17", Status: wms.PurchaseOrderStatusClosed},
		Costs:         []wms.ItemCost{{SKU: "DEMO-0", Cost: "41.50"}},
	})
	_, _ = engine.DeliverOutbound(ctx)
	dead, _ := engine.DeadLetters(ctx, "")
	fmt.Println("dead letters:", len(dead))
	// Output:
	// ERP: purchase order PO-17 closed; 1 new cost(s)
	// dead letters: 0
}

// auditedShop is the demo shop whose stock a merchant edited by hand: it
// shows 40 units of DEMO-0 and the right figure of DEMO-1.
type auditedShop struct{ writingShop }

func (a auditedShop) StockLevels(ctx context.Context, cursor string) (wmssync.Page[wmssync.StockTarget], error) {
	return wmssync.Page[wmssync.StockTarget]{Items: []wmssync.StockTarget{
		{SKU: "DEMO-0", InventoryItemID: "300", LocationID: "1", Available: 40},
		{SKU: "DEMO-1", InventoryItemID: "301", LocationID: "1", Available: 20},
	}}, nil
}

// Audit a shop's stock against the warehouse (Run does it daily, see
// Config.StockAuditInterval): what drifted is corrected through the outbox,
// like any stock message.
func ExampleEngine_AuditStock() {
	ctx := context.Background()
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	shop := demoCatalog()
	for i := range shop.products {
		shop.products[i].Variants[0].InventoryItemID = fmt.Sprint(300 + i)
	}
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse, // implements wms.StockReader
		Store:   memstore.New(),
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return auditedShop{writingShop{shop}}, nil // a wmssync.StockLister
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, _ = engine.SaveSettings(ctx, wmssync.Settings{Shop: "DemoDK", AdminURL: "demo-dk.myshopify.com", Locations: map[string]string{"1": "cph"}})
	if err := engine.RunSetup(ctx, "DemoDK", nil); err != nil {
		log.Fatal(err)
	}

	res, err := engine.AuditStock(ctx, "DemoDK")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("compared %d, corrected %d; largest drift: %s shows %d, the warehouse %d\n",
		res.Compared, res.Corrected, res.Drifts[0].SKU, res.Drifts[0].Shop, res.Drifts[0].Want)
	if _, err := engine.DeliverOutbound(ctx); err != nil { // Run does this continually
		log.Fatal(err)
	}
	// Output:
	// compared 2, corrected 1; largest drift: DEMO-0 shows 40, the warehouse 10
	// set DEMO-0 (item 300) at location 1 to 10
}
