// Package postgres is the sync engine's store for several processes: a
// [wmssync.Store] (settings, setup step checkpoints, entity versions,
// watermarks and the webhook inbox) in a PostgreSQL database, shared by
// any number of engine processes, using github.com/jackc/pgx/v5.
//
// # Choosing a store
//
// Use package sync/store/sqlite for a single process (zero setup, one
// file) and this package when several engine processes, usually behind a
// load balancer receiving the webhooks, must share the state and the work
// without doing anything twice. PostgreSQL 11 or later (tested with 15).
//
// # Opening
//
//	store, err := postgres.Open(ctx, "postgres://wms@db.internal:5432/wms?sslmode=verify-full&pool_max_conns=16",
//		postgres.WithSchema("wmsbridge"))
//	if err != nil { ... }
//	defer store.Close()
//	engine, err := wmssync.NewEngine(wmssync.Config{Store: store, ...})
//
// The DSN is a postgres:// URL or a key=value string as pgx parses it,
// including pool settings (pool_max_conns and friends). Keep the password
// out of logs: Open's errors never repeat the DSN. A host that has a
// *pgxpool.Pool already passes it to [New] instead (the store then does not
// close it).
//
// # Migrations and schemas
//
// Open and New apply the embedded migrations ([Migrations]) the schema
// does not have yet, in one transaction holding an advisory lock keyed by
// the schema: processes starting at once apply each migration exactly once,
// the others wait and find nothing to do. Applied versions are recorded in
// wmsbridge_schema_migrations. [WithSchema] puts the tables in their own
// schema (created if missing); without it they go to the connection's
// current schema (usually public). Every table starts with "wmsbridge_". A
// host applying migrations with its own tool passes [WithoutMigrate].
//
// # Several processes
//
// Everything the engine does concurrently is safe across processes:
//
//   - webhook deliveries may reach any process: Put deduplicates by
//     webhook id with INSERT ... ON CONFLICT DO NOTHING;
//   - inbox events are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so
//     workers in all processes take disjoint events without waiting for
//     each other, and a claim is a lease: the events of a process that dies
//     become claimable again when their lease ends;
//   - entity versions compare-and-swap by revision, and watermarks only
//     move forward, so no process applies stale data or rolls back
//     another's progress;
//   - named leases ([Store.AcquireLease]) keep a long task, such as a
//     shop's product import, to one process at a time; if that process
//     dies, its lease expires and another process resumes the task from
//     the checkpoint in the step state.
//
// Due times and leases use the database's clock, which all processes
// share ([WithClock] replaces it in tests). TestMultiProcess runs three
// engine processes on one schema, one webhook stream and one outbox,
// SIGKILLs the one holding the step lease mid-way, and checks that every
// event is applied exactly once, every outbox message is delivered once and
// in its entity's order, and the step finishes from its checkpoint.
//
// # The outbox and publishing in the host's transaction
//
// The Store implements [wmssync.OutboxStore] and [wmssync.OutboxTxStore]
// for pgx.Tx: a host whose tables live in the same database publishes a WMS
// event inside the transaction that changes its data
// ([wmssync.PublishTx] or [Store.AddOutboxTx]), so the event exists if and
// only if the change commits. Outbox claims use FOR UPDATE SKIP LOCKED and
// keep each entity's messages in order across processes: publishers of one
// entity take a transaction-level advisory lock, so their messages commit
// in position order (without it, a later message could commit, and be
// delivered, before an earlier one became visible).
//
// # Ingest
//
// Put group-commits: concurrent Puts are inserted together with one
// multi-row INSERT (up to 256 events per statement, 4 statements in
// flight; [WithIngest]), so one commit serves many webhooks. No goroutine
// runs in the background: a Put that finds no batch in flight starts one.
// Measured by this package's benchmarks against a local PostgreSQL 15 on a
// shared 2-core machine, 2 KB bodies, 64 concurrent Puts: 10,800 webhooks/s
// with group commit, 3,300/s without (one insert per Put, 16 connections).
//
// # Beyond the Store interface
//
// The Store implements the engine's optional capabilities: failures
// ([wmssync.FailureStore]: failed events listed, counted, replayed and
// discarded, and dead outbox messages counted, behind Engine.Failures),
// queue depths ([wmssync.QueueInspector], behind Engine.Health),
// retention ([wmssync.InboxPruner], [wmssync.OutboxPruner]: Run deletes
// finished events and messages after a retention) and named leases: it implements [wmssync.Leaser], so
// engines sharing one database run each shop's setup step and
// reconciliation sweep in one process at a time, and take a dead
// process's step over from its checkpoint once its lease ran out.
//
// # Tests
//
// The package's tests need a server: set WMSBRIDGE_POSTGRES_DSN (for
// example postgres://postgres@127.0.0.1:5432/test?sslmode=disable); each
// test creates its own schema wmsbridge_test_<random> and drops it at the
// end, so runs never collide. Without the variable the tests skip.
package postgres
