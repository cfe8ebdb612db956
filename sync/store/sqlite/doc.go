// Package sqlite is the embedded durable store of the sync engine: a
// [wmssync.Store] (settings, setup step checkpoints, entity versions,
// watermarks and the webhook inbox) in one SQLite database file, with no
// server to run and no cgo (it uses modernc.org/sqlite, SQLite compiled to
// Go).
//
// # Choosing a store
//
//   - sync/memstore: in memory, for tests and trying things out; a
//     restart loses everything.
//   - sqlite (this package): one process, one file, zero setup. The
//     default for a single WMS server, the demo and the examples.
//   - sync/store/postgres: several engine processes (behind a load
//     balancer) sharing state and work, such as a WMS vendor serving
//     thousands of shops.
//
// Moving from one to another later is a matter of running the setup steps
// again in the new store: they are idempotent against the WMS.
//
// # Opening
//
//	store, err := sqlite.Open(ctx, "/var/lib/mywms/wmsbridge.db")
//	if err != nil { ... }
//	defer store.Close()
//	engine, err := wmssync.NewEngine(wmssync.Config{Store: store, ...})
//
// The path is a plain file name; SQLite adds "-wal" and "-shm" files next
// to it. Back the three up together (or use SQLite's online backup).
//
// # Migrations
//
// Open applies the embedded migrations (see [Migrations]) that the file
// does not have yet, each in its own transaction, and records them in the
// table wmsbridge_schema_migrations; every table of the store starts with
// "wmsbridge_", so the file may be shared with the host's own tables.
// Upgrading the module and reopening upgrades the file. Two processes
// opening a new file at once are safe: SQLite's write lock serialises the
// migrations.
//
// # Durability and concurrency
//
// The database runs in WAL mode with synchronous=FULL: a write that
// returned nil survives a process crash and a power cut
// ([WithSynchronousNormal] keeps the process-crash guarantee only, for
// speed). All writes go through one connection and are group-committed:
// writes arriving while a transaction commits (the webhook Puts of
// concurrent deliveries, the Completes of concurrent workers) share the
// next transaction and its one disk flush, each inside a savepoint so a
// failing write does not undo the others. Webhook Puts need no savepoint
// (a single INSERT ... ON CONFLICT DO NOTHING, which fails only when the
// database does, on a full disk say): should one fail, its whole
// transaction is rolled back and every write in it returns an error.
// Reads use a pool of read-only connections and never wait for writes. A
// Store is safe for concurrent use by any number of goroutines.
//
// New files use 16 KiB pages, so that a typical order webhook (10-16 KB)
// is stored in one page rather than a chain of four; files created with
// smaller pages keep them.
//
// A crashed process loses nothing acknowledged. Two tests re-run the test
// binary as a child process, kill it with SIGKILL at random points three
// times and restart it on the same files: TestCrashSafety ingests and
// applies webhooks and publishes and delivers outbox messages (no
// acknowledged webhook or published message lost, none applied twice, each
// entity's messages in order); TestCrashDuringImport runs the engine's
// product import (it resumes from its checkpoint and ends with exactly one
// WMS product per shop product).
//
// # The outbox and publishing in the host's transaction
//
// The Store implements [wmssync.OutboxStore] (the engine's outbound
// messages) and [wmssync.OutboxTxStore] for *sql.Tx: a host keeping its own
// tables in the same file publishes a WMS event in the transaction that
// changes its data, with [wmssync.PublishTx] or [Store.AddOutboxTx], so the
// event exists if and only if the change commits. Begin that transaction on
// [Store.DB] and keep it short: it holds the store's only write connection,
// so the store's writes wait for it (and calling a writing Store method
// while holding it would deadlock).
//
// # Several processes
//
// SQLite allows one writer at a time per file. Several processes may open
// the same local file (writes then wait for each other, up to the busy
// timeout, [WithBusyTimeout]), which suits a short-lived admin command next
// to the running engine; for several engine processes use PostgreSQL. Never
// put the file on a network file system.
//
// # Beyond the Store interface
//
// The Store implements the engine's optional capabilities: failures
// ([wmssync.FailureStore]: failed events listed, counted, replayed and
// discarded, and dead outbox messages counted, behind Engine.Failures),
// queue depths ([wmssync.QueueInspector], behind Engine.Health),
// retention ([wmssync.InboxPruner], [wmssync.OutboxPruner]: Run deletes
// finished events and messages after a retention) and named leases
// ([Store.AcquireLease], [Store.ReleaseLease], [Store.LeaseHolder]) for
// keeping a long task to one owner, the same as the PostgreSQL store's;
// they implement [wmssync.Leaser], which the engine uses for setup steps
// and reconciliation sweeps.
//
// Performance, measured by this package's benchmarks (go test -bench) on a
// 2-core machine shared with other work (BENCHMARKS.md has the runs), 2 KB
// webhook bodies: 64 concurrent Puts store 7,000-14,000 webhooks/s with
// synchronous=FULL, depending on the other work, and more with
// WithSynchronousNormal, against 1,000-2,300/s without group commit and
// 800-2,000/s for one Put at a time. Signed 16 KB orders/create deliveries
// through webhook.Handler over HTTP, with the sending clients on the same
// two cores, are stored at 4,000-8,000/s. Claim+Complete by 8 workers
// settles 2,400 events/s; outbox claims in batches of 100 settle 20,000
// messages/s.
package sqlite
