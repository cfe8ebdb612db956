// Command multiprocess shows several sync engines sharing one PostgreSQL
// database, as a WMS vendor runs them behind a load balancer: webhook
// deliveries reach any engine, every engine drains the shared inbox, and
// each event is applied once.
//
//	go run ./examples/multiprocess -dsn postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// (or set WMSBRIDGE_POSTGRES_DSN). Without a DSN it prints how to run it.
//
// The engines run in one process here, each with its own connection pool
// exactly as separate processes would have, so that one reference WMS can
// check the outcome; in production each process reaches the WMS's own
// database. The tables go into a fresh schema that is dropped at the end.
// Package sync/store/postgres's TestMultiProcess runs real OS processes
// and kills one mid-way.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/connector"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
	"github.com/wmsbridge/wmsbridge/shopify/shopifywebhook"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func main() {
	dsn := flag.String("dsn", os.Getenv("WMSBRIDGE_POSTGRES_DSN"), "PostgreSQL DSN (default $WMSBRIDGE_POSTGRES_DSN)")
	engines := flag.Int("engines", 3, "engines sharing the database")
	orders := flag.Int("orders", 60, "orders to place in the simulated shop")
	flag.Parse()
	if *dsn == "" {
		fmt.Println("multiprocess needs PostgreSQL. Run it with a DSN, for example:")
		fmt.Println()
		fmt.Println("  go run ./examples/multiprocess -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'")
		fmt.Println()
		fmt.Println("or set WMSBRIDGE_POSTGRES_DSN. It creates a schema of its own and drops it at the end.")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, *dsn, max(1, *engines), max(1, *orders), os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, dsn string, n, orders int, out io.Writer) error {
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "wmsbridge_example_" + hex.EncodeToString(b[:])
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	defer func() { _, _ = admin.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+schema+" CASCADE") }()

	srv := shopifytest.NewServer(shopifytest.WithTimeScale(20), shopifytest.WithWebhookSecret("app-secret"))
	defer srv.Close()
	shop := srv.DefaultShop()
	seeded, err := shop.Seed(shopifytest.SeedOptions{Seed: 7, Products: 50, MaxStock: 1000})
	if err != nil {
		return err
	}
	warehouse, _ := memwms.New(nil) // shared by all engines: the WMS's database in production

	// A load balancer in front of the engines' webhook endpoints.
	var handlers []http.Handler
	var next atomic.Int64
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers[int(next.Add(1))%len(handlers)].ServeHTTP(w, r)
	}))
	defer lb.Close()
	connect := func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
		cl, err := shopify.NewClient(s.Domain(), shopify.WithAccessToken(shop.AccessToken()),
			shopify.WithBaseURL(srv.ShopURL(shop.Name())), shopify.WithHTTPClient(srv.HTTPClient()),
			shopify.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			return nil, err
		}
		return connector.New(connector.Config{Client: cl, WebhookAddress: lb.URL + "/webhooks/shopify"})
	}

	var engs []*wmssync.Engine
	for i := range n {
		store, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema)) // one pool per engine, as per process
		if err != nil {
			return err
		}
		defer store.Close()
		eng, err := wmssync.NewEngine(wmssync.Config{Backend: warehouse, Store: store, Connect: connect,
			ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()}, ReconcileInterval: 2 * time.Second})
		if err != nil {
			return err
		}
		src, err := shopifywebhook.NewSource("app-secret")
		if err != nil {
			return err
		}
		h, err := webhook.NewHandler(eng.Inbox(), webhook.WithSource(src))
		if err != nil {
			return err
		}
		handlers, engs = append(handlers, h), append(engs, eng)
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = eng.Run(runCtx) }()
		defer func() { stop(); <-done }()
		fmt.Fprintf(out, "engine %d: PostgreSQL schema %s, running\n", i+1, schema)
	}

	// Settings saved by one engine are seen by all; one runs the setup.
	settings := wmssync.Settings{Shop: "MyShopDK", AdminURL: shop.Domain(),
		Locations:         map[string]string{shopify.GID("Location", seeded.Locations[0]): memwms.DefaultWarehouse},
		SalesHistorySince: wms.DateOf(time.Now())} // no history import
	if _, err := engs[0].SaveSettings(ctx, settings); err != nil {
		return err
	}
	if err := engs[0].RunSetup(ctx, settings.Shop, nil); err != nil {
		return err
	}
	fmt.Fprintf(out, "engine 1 ran the setup: %d items in the WMS\n", len(warehouse.Items()))

	var placed []int64
	for i := range orders {
		o, err := shop.CreateOrder(shopifytest.OrderSpec{Location: seeded.Locations[0],
			Lines: []shopifytest.OrderLineSpec{{VariantID: seeded.VariantIDs[i%len(seeded.VariantIDs)], Quantity: 1}}})
		if err != nil {
			return err
		}
		placed = append(placed, o.ID)
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		have := 0
		for _, id := range placed {
			if _, err := warehouse.Order(ctx, wms.OrderKey{Shop: settings.Shop, ExternalID: shopify.GID("Order", id)}); err == nil {
				have++
			}
		}
		if have == len(placed) {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d orders reached the WMS", have, len(placed))
		}
	}
	var applied, stale uint64
	for i, eng := range engs {
		st := eng.Stats()
		applied, stale = applied+st.EventsApplied, stale+st.EventsStale
		fmt.Fprintf(out, "engine %d: %d events applied, %d stale, %d ignored\n", i+1, st.EventsApplied, st.EventsStale, st.EventsIgnored)
	}
	fmt.Fprintf(out, "%d orders placed, %d in the WMS; the engines applied %d webhook events between them (%d redundant ones dropped as stale)\n",
		len(placed), len(warehouse.Orders()), applied, stale)
	return nil
}
