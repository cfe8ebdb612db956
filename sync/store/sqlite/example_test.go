package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/sqlite"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// demoShop is a tiny shop connector: three products, read two per page.
// A real connector (package shopify/connector) talks to the shop's API.
type demoShop struct{}

func (demoShop) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	return wmssync.ShopInfo{Name: "Demo", Domain: "demo-dk.myshopify.com", APIVersion: "2026-10", APIVersionOK: true}, nil
}

func (demoShop) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	var all []wmssync.Product
	for i, name := range []string{"T-shirt", "Cap", "Mug"} {
		all = append(all, wmssync.Product{
			Product: wms.Product{ExternalID: fmt.Sprint(100 + i), Title: name, Variants: []wms.Variant{
				{SKU: fmt.Sprintf("DEMO-%d", i), ExternalID: fmt.Sprint(200 + i), Price: "99.00"},
			}},
			Vendor: "Acme",
		})
	}
	start := 0
	fmt.Sscan(cursor, &start)
	end := min(start+2, len(all))
	pg := wmssync.Page[wmssync.Product]{Items: all[start:end], Total: int64(len(all))}
	if end < len(all) {
		pg.Next = fmt.Sprint(end)
	}
	return pg, nil
}

func (demoShop) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	return wmssync.Page[wmssync.Order]{}, nil
}

func (demoShop) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	return wmssync.Change{}, nil
}

// Run the engine on an SQLite file: the shop's settings and the state of
// its setup steps survive a restart.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wmsbridge-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "wmsbridge.db")

	store, err := sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   store,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return demoShop{}, nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := engine.SaveSettings(ctx, wmssync.Settings{Shop: "DemoDK", AdminURL: "demo-dk.myshopify.com"}); err != nil {
		log.Fatal(err)
	}
	if err := engine.RunStep(ctx, "DemoDK", wmssync.StepProducts, nil); err != nil {
		log.Fatal(err)
	}
	store.Close() // the process stops

	// A new process opens the same file.
	store, err = sqlite.Open(ctx, path)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	settings, _ := store.Settings(ctx, "DemoDK")
	steps, _ := store.Steps(ctx, "DemoDK")
	fmt.Println(settings.Shop, settings.AdminURL)
	for _, st := range steps {
		fmt.Println(st.Step, st.Status, st.Done, st.Total)
	}
	// Output:
	// DemoDK https://demo-dk.myshopify.com
	// products done 3 3
}

// The webhook inbox: webhook.Handler puts deliveries, the engine's workers
// claim and complete them. Redeliveries are stored once.
func ExampleStore_Put() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wmsbridge-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "wmsbridge.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	e := &webhook.Event{Topic: "orders/create", Shop: "demo-dk.myshopify.com",
		WebhookID: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", Body: []byte(`{"id":820982911946154508}`)}
	stored, _ := store.Put(ctx, e)
	again, _ := store.Put(ctx, e) // Shopify retried
	fmt.Println(stored, again)

	jobs, _ := store.Claim(ctx, 10, time.Minute)
	for _, j := range jobs {
		fmt.Println(j.Event.Topic, j.Attempt, string(j.Event.Body))
		_ = store.Complete(ctx, j.Event.WebhookID)
	}
	d, _ := store.InboxDepth(ctx, "demo-dk.myshopify.com") // what Engine.Health shows
	fmt.Println("pending", d.Pending, "failed", d.Failed)
	// Output:
	// true false
	// orders/create 1 {"id":820982911946154508}
	// pending 0 failed 0
}

// Keep a long task to one owner at a time with a lease that expires if the
// owner dies.
func ExampleStore_AcquireLease() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wmsbridge-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "wmsbridge.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	a, _ := store.AcquireLease(ctx, "DemoDK/products", "worker-a", time.Minute)
	b, _ := store.AcquireLease(ctx, "DemoDK/products", "worker-b", time.Minute)
	fmt.Println(a, b)
	_ = store.ReleaseLease(ctx, "DemoDK/products", "worker-a")
	b, _ = store.AcquireLease(ctx, "DemoDK/products", "worker-b", time.Minute)
	fmt.Println(b)
	// Output:
	// true false
	// true
}

// Publish a WMS event in the host's own transaction on the store's file:
// the event is stored if and only if the host's change commits.
func ExampleStore_AddOutboxTx() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wmsbridge-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "wmsbridge.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   store,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return demoShop{}, nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := store.DB().ExecContext(ctx, `CREATE TABLE host_stock (sku TEXT PRIMARY KEY, on_hand INTEGER)`); err != nil {
		log.Fatal(err)
	}

	tx, err := store.DB().BeginTx(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO host_stock VALUES ('DEMO-0', 5)`); err != nil {
		log.Fatal(err)
	}
	ev := wms.StockChanged{EventInfo: wms.EventInfo{ID: "stock-DEMO-0-1", Time: time.Now()},
		SKU: "DEMO-0", Warehouse: "cph", OnHand: 5, Available: 5}
	if err := wmssync.PublishTx(ctx, engine, tx, ev); err != nil {
		log.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}

	msgs, _ := store.ListOutbox(ctx, wmssync.OutboxFilter{})
	for _, m := range msgs {
		fmt.Println(m.ID, m.Kind, m.State)
	}
	// Output:
	// stock-DEMO-0-1 stock.changed pending
}
