package postgres_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/sync/store/postgres"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

// Open the store in its own schema and give it to the engine; every
// engine process of the deployment does the same with the same DSN and
// schema.
func Example() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("WMSBRIDGE_POSTGRES_DSN"), postgres.WithSchema("wmsbridge"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	warehouse, _ := memwms.New(&memwms.Config{Warehouses: []wms.Warehouse{{ID: "cph", Name: "Copenhagen"}}})
	engine, err := wmssync.NewEngine(wmssync.Config{
		Backend: warehouse,
		Store:   store,
		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
			return nil, fmt.Errorf("the host builds the shop's connector here")
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	// Serve webhooks into engine.Inbox() with webhook.NewHandler and run
	// engine.Run(ctx) in every process: they share the inbox.
	_ = engine
}

// Use the host's pool (and let the host apply the migrations with its own
// tool).
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("WMSBRIDGE_POSTGRES_DSN"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	migrations, _ := postgres.Migrations()
	for _, m := range migrations {
		fmt.Println(m.Version, m.Name) // hand m.SQL to the migration tool
	}
	store, err := postgres.New(ctx, pool, postgres.WithSchema("wmsbridge"), postgres.WithoutMigrate())
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close() // leaves the pool open
}

// Keep a shop's long step to one process: renew the lease while working,
// stop when it is lost. If the process dies, the lease expires and another
// process resumes from the step's checkpoint.
func ExampleStore_AcquireLease() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("WMSBRIDGE_POSTGRES_DSN"), postgres.WithSchema("wmsbridge"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	owner, _ := os.Hostname()
	owner = fmt.Sprintf("%s-%d", owner, os.Getpid())
	const lease, ttl = "DemoDK/products", 30 * time.Second
	ok, err := store.AcquireLease(ctx, lease, owner, ttl)
	if err != nil || !ok {
		return // another process runs the step
	}
	defer store.ReleaseLease(ctx, lease, owner)
	for page := 0; page < 10; page++ {
		// ... import a page, save the checkpoint ...
		if ok, err := store.AcquireLease(ctx, lease, owner, ttl); err != nil || !ok {
			return // lost it: another process took over
		}
	}
}

// Inspect and replay dead-lettered webhooks once their cause is fixed
// (the engine does it with Engine.Failures and Engine.ReplayFailure).
func ExampleStore_FailedEvents() {
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("WMSBRIDGE_POSTGRES_DSN"), postgres.WithSchema("wmsbridge"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	failed, _ := store.FailedEvents(ctx, "", 100) // every shop's
	for _, j := range failed {
		fmt.Println(j.Event.Topic, j.Event.WebhookID, j.Attempt, j.LastError)
		_ = store.ReplayEvent(ctx, j.Event.WebhookID)
	}
	// Delete completed events after a week (Engine.Run does it, see
	// Config.InboxRetention), a thousand at a time.
	_, _ = store.PruneInbox(ctx, time.Now().Add(-7*24*time.Hour), 1000)
	var _ webhook.Store = store
}
