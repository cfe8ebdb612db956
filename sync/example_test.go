package sync_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/memstore"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// catalogShop is the smallest useful connector: a shop system whose whole
// catalogue is a slice, read in pages of two. A real connector (see
// package shopify/connector) talks to the shop's API instead.
type catalogShop struct{ products []wmssync.Product }

func (c *catalogShop) Inspect(ctx context.Context, f wmssync.Features) (wmssync.ShopInfo, error) {
	return wmssync.ShopInfo{
		Name: "Demo", Domain: "demo-dk.myshopify.com", Country: "DK", Currency: "DKK",
		GrantedScopes:  []string{"read_products", "read_orders"},
		RequiredScopes: []wmssync.ScopeRequirement{{AnyOf: []string{"read_products"}, Feature: "import products (S7)"}},
		Locations:      []wmssync.Location{{ID: "1", Name: "Warehouse", Active: true}, {ID: "2", Name: "Pop-up store", Active: true}},
		APIVersion:     "2026-10", APIVersionOK: true,
	}, nil
}

func (c *catalogShop) Products(ctx context.Context, q wmssync.ProductQuery, cursor string) (wmssync.Page[wmssync.Product], error) {
	start := 0
	if cursor != "" {
		if _, err := fmt.Sscan(cursor, &start); err != nil {
			return wmssync.Page[wmssync.Product]{}, wmssync.ErrCursorExpired
		}
	}
	end := min(start+2, len(c.products))
	pg := wmssync.Page[wmssync.Product]{Items: c.products[start:end], Total: int64(len(c.products))}
	if end < len(c.products) {
		pg.Next = fmt.Sprint(end) // a self-contained cursor: survives a restart
	}
	return pg, nil
}

func (c *catalogShop) Orders(ctx context.Context, q wmssync.OrderQuery, cursor string) (wmssync.Page[wmssync.Order], error) {
	return wmssync.Page[wmssync.Order]{Total: 0}, nil // no orders in this demo
}

func (c *catalogShop) Decode(ctx context.Context, e *webhook.Event) (wmssync.Change, error) {
	return wmssync.Change{}, nil // this demo shop sends no webhooks
}

func demoCatalog() *catalogShop {
	var ps []wmssync.Product
	for i, name := range []string{"T-shirt", "Cap", "Mug"} {
		ps = append(ps, wmssync.Product{
			Product: wms.Product{ExternalID: fmt.Sprint(100 + i), Title: name, Variants: []wms.Variant{
				{SKU: fmt.Sprintf("DEMO-%d", i), ExternalID: fmt.Sprint(200 + i), Price: "99.00"},
			}},
			Vendor: "Acme",
			Stock:  []wmssync.LocationStock{{SKU: fmt.Sprintf("DEMO-%d", i), LocationID: "1", OnHand: int64(10 * (i + 1))}},
		})
	}
	return &catalogShop{products: ps}
}

// Build an engine over the reference WMS and the in-memory store, add a
// shop, run its setup steps with a progress line per page, and serve
// webhooks and reconciliation with Run.
func Example() {
	ctx := context.Background()
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	store := memstore.New() // production: a durable store
	shop := demoCatalog()
	fixed := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   store,
		// The host keeps the credentials; the engine asks for a connector.
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return shop, nil },
		Now:     func() time.Time { return fixed },
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := engine.SaveSettings(ctx, wmssync.Settings{
		Shop:      "DemoDK",
		AdminURL:  "demo-dk.myshopify.com",
		Locations: map[string]string{"1": "cph"},
	}); err != nil {
		log.Fatal(err)
	}

	err = engine.RunSetup(ctx, "DemoDK", func(p wmssync.Progress) {
		if p.Step == wmssync.StepProducts && p.Phase == "import" {
			fmt.Println(p)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	it, _ := warehouse.Item(ctx, "DEMO-2")
	fmt.Println(it.Title, it.Brand, warehouse.Level("DEMO-2", "cph").OnHand)

	// At run time: webhooks go into the store's inbox, Run applies them.
	source, _ := shopifywebhook.NewSource("app-client-secret")
	handler, _ := webhook.NewHandler(engine.Inbox(), webhook.WithSource(source))
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/shopify", handler) // serve mux with http.ListenAndServe
	runCtx, stop := context.WithCancel(ctx)
	stop() // a real host runs until shutdown: go engine.Run(ctx)
	_ = engine.Run(runCtx)
	// Output:
	// DemoDK products import 2/3 (66.7%)
	// DemoDK products import 3/3 (100.0%)
	// DemoDK products import 3/3 (100.0%) done
	// Mug Acme 30
}

// Test the settings before saving them (S6): the report reads as text and
// is data too.
func ExampleEngine_TestConnection() {
	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	shop := demoCatalog()
	engine, _ := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   memstore.New(),
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return shop, nil },
	})
	report, err := engine.TestConnection(context.Background(), wmssync.Settings{
		Shop: "DemoDK", AdminURL: "https://Demo-DK.myshopify.com/admin", Locations: map[string]string{"1": "cph"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(report)
	fmt.Println(report.OK(), len(report.Locations))
	// Output:
	// Connection test of DemoDK (https://demo-dk.myshopify.com): OK
	//   reached: yes, token valid: yes
	//   shop: Demo (demo-dk.myshopify.com), country DK, currency DKK, time zone -
	//   API version: 2026-10 supported: yes
	//   scopes granted: read_products, read_orders
	//   locations:
	//     1 Warehouse -> warehouse cph
	//     2 Pop-up store not mapped (ignored)
	// true 2
}

// Run one step by itself, for a wizard that shows one step at a time, and
// skip an optional one.
func ExampleEngine_RunStep() {
	ctx := context.Background()
	warehouse, _ := memwms.New(nil)
	shop := demoCatalog()
	engine, _ := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   memstore.New(),
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) { return shop, nil },
	})
	_, _ = engine.SaveSettings(ctx, wmssync.Settings{Shop: "DemoDK", AdminURL: "demo-dk.myshopify.com"})

	fmt.Println(engine.RunStep(ctx, "DemoDK", wmssync.StepOrders, nil) != nil) // products first
	_ = engine.RunStep(ctx, "DemoDK", wmssync.StepProducts, nil)
	_ = engine.SkipStep(ctx, "DemoDK", wmssync.StepCustomsCost)
	_ = engine.RunStep(ctx, "DemoDK", wmssync.StepOrders, nil)
	states, _ := engine.StepStates(ctx, "DemoDK")
	for _, st := range states {
		fmt.Println(st.Step, st.Status)
	}
	// Output:
	// true
	// products done
	// customs_cost skipped
	// orders done
	// sales_history pending
	// outbound pending
}
