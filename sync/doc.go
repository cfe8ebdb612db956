// Package sync is the sync engine of wmsbridge: it connects web shops to a
// warehouse management system (WMS). A WMS vendor embeds it, implements the
// small [wms.Backend] for its warehouse, and gets the whole integration a
// merchant sets up in a shop wizard: shop settings, a connection test,
// product import with progress, webhooks, orders held and released, POS
// sales, sales history, and reconciliation that heals missed webhooks.
//
// The package's name shadows the standard library's sync; import it under
// another name:
//
//	import wmssync "github.com/wmsbridge/wmsbridge/sync"
//
// The engine knows no shop system. A connector package translates one into
// shop-neutral terms: a [ShopSystem] (its settings rules and how its
// webhook events name a shop), a webhook.Source (its headers and
// signatures) and a [Connector] per shop (reading the shop, decoding its
// events, and writing the warehouse's messages). Shopify's is in package
// shopify/connector, WooCommerce's in woocommerce/connector; one engine
// serves shops of several systems at once. docs/connectors.md in the
// repository is the guide to writing one.
//
// # The pieces
//
//   - [wms.Backend]: the warehouse, implemented by the host (package
//     wms/memwms is the reference in memory).
//   - [Store]: the engine's durable state and the webhook inbox (package
//     sync/memstore in memory; SQL stores in sync/store/...).
//   - [Connector]: one shop, with its credentials, obtained through
//     [Config.Connect]. Secrets never enter the engine's settings, store,
//     logs or errors.
//   - [Engine]: built by [NewEngine] from a [Config] whose fields document
//     their defaults.
//
// # Quick start
//
//	engine, err := wmssync.NewEngine(wmssync.Config{
//		Backend:     myWarehouse,
//		Store:       store,
//		ShopSystems: []wmssync.ShopSystem{connector.ShopSystem()},
//		Connect: func(ctx context.Context, s wmssync.Settings) (wmssync.Connector, error) {
//			return connector.New(connector.Config{Client: clientFor(s)}) // the host keeps the token
//		},
//	})
//	source, err := shopifywebhook.NewSource(appSecret) // the shop system's webhook source
//	handler, err := webhook.NewHandler(engine.Inbox(), webhook.WithSource(source))
//	mux.Handle("POST /webhooks", handler)
//	go engine.Run(ctx) // inbound events, reconciliation, webhook audits
//
//	report, err := engine.TestConnection(ctx, settings) // before saving
//	settings, err = engine.SaveSettings(ctx, settings)
//	err = engine.RunSetup(ctx, settings.Shop, func(p wmssync.Progress) { fmt.Println(p) })
//
// # Shops and settings
//
// One engine serves many shops. Each has [Settings]: its shop system, a
// stable shop id (the Shop of every product and order in the WMS), display
// name, country, admin URL and API version (checked and normalised by the
// shop's [ShopSystem], which also says how the shop's webhook events name
// it), the main-shop flag (the main shop's product
// data wins for SKUs several shops sell; at most one main shop), the
// vendor-as-supplier toggle, the POS toggle, the location to
// warehouse mapping (none for a shop without locations: [SingleLocation]),
// the outbound message choices with recommended defaults (see
// [DefaultOutbound]) and the first day of the sales
// history. [Engine.SaveSettings] validates and stores them; they can
// change at any time and the next event, sweep or step uses the change.
//
// [Engine.TestConnection] checks settings before they are saved and
// returns a [ConnectionReport]: shop reached, token valid, the shop's
// identity, each missing scope with the feature that needs it (the
// connector knows which scopes its shop system needs, such as one for
// orders further back than the shop lists by default), the locations with
// their mapping, API version support. Print it or read its fields.
//
// # Setup steps
//
// The setup is a persisted state machine per shop ([Steps]):
//
//  1. [StepProducts]: register product webhooks, then import every
//     product with its variants and the stock at mapped locations.
//  2. [StepCustomsCost]: customs information and unit costs;
//     skippable, and skipped by itself when the connector or the backend
//     cannot.
//  3. [StepOrders]: register order webhooks; from now on orders flow and
//     the reconciliation sweep covers them.
//  4. [StepSalesHistory]: quantity sold per SKU and day since
//     Settings.SalesHistorySince, default one year back; today means skip.
//  5. [StepOutbound]: switch outbound messages on: from then on the
//     shop receives the events the host publishes (see below).
//
// [Engine.RunSetup] runs the steps not yet finished; [Engine.RunStep] runs
// one (the ones before must be done or skipped); [Engine.SkipStep] skips a
// skippable one; [Engine.StepStates] shows where a shop is. A running step
// reports [Progress] (done, total, rate, ETA; String draws a terminal
// line) after every page, saves a checkpoint after every page the backend
// accepted, and stops when its context ends. After a crash or a cancel,
// running it again resumes from the checkpoint, in this process or another;
// running a finished step again redoes it idempotently.
//
// # Inbound at run time
//
// The [webhook.Handler] puts every verified delivery into the Store's inbox
// before it answers; [Engine.Run] drains the inbox with a
// [webhook.Dispatcher] ([Engine.Router] for hosts that run their own) and
// [Engine.HandleEvent] applies each event: the connector decodes it into a
// [Change], and the engine applies the change only if its version (the
// payload's updated-at and the delivery's trigger time) is newer than the
// one applied for that product or order (the [VersionStore] keeps them, with
// compare-and-swap across processes). Within a process the changes of one
// entity are applied one at a time.
//
//   - Products: created and updated products are upserted (a webhook
//     whose payload lacks variants, [Change].Partial, makes the engine
//     fetch the whole product);
//     the vendor becomes brand or supplier; the Main flag carries the
//     main-shop rule to the backend; deletions remove the shop's
//     listings.
//   - Orders: created, updated, cancelled and deleted orders are upserted
//     with the warehouse mapped from their location; orders from unmapped
//     locations are ignored; the backend holds and releases orders, and
//     never picks one awaiting payment ([wms.OrderPaymentPending]).
//   - Deletions need the shop's word: a shop signs a webhook's body, not
//     its topic, so before it applies a deletion the engine reads the
//     entity by id from the shop ([Connector.Orders] and
//     [Connector.Products] with IDs; reads of one shop are batched) and,
//     when the shop still has it, applies the shop's entity instead
//     ([Stats].DeletionsRefused). A deletion is not final: a webhook body
//     (perhaps an old one replayed) does not bring a deleted entity back,
//     but the shop's own read does, and the reconciliation sweep checks
//     each deletion again at doubling intervals ([VersionLister]) and
//     restores what the shop still has ([Stats].Restored).
//   - POS orders: with POS on, stock movements at the warehouse mapped
//     to the POS location plus sales records; never pick orders; with POS
//     off, ignored.
//   - Orders created before the orders step started (allowing
//     [ClockSkew]) are ignored, even when they change later (new orders
//     flow from then on); events of
//     unknown shops and undecodable payloads are parked in the inbox (dead
//     letter) with the reason.
//
// # Reconciliation
//
// Webhooks get lost. [Engine.Reconcile] (run by Run every
// [Config.ReconcileInterval]) lists the orders and products updated since
// the last sweep's watermark minus [Config.ReconcileOverlap] and applies
// what was missed, so a dropped webhook only delays a change; it also
// re-checks the engine's deletions against the shop (see above).
// [Engine.AuditWebhooks] (every [Config.AuditInterval]) re-creates webhook
// subscriptions the shop removed. Both log through [Config.Logger] (slog)
// and count in [Engine.Stats], for a host to export.
//
// # Observability
//
// Logging: every package of this module logs through a *slog.Logger the
// host passes ([Config.Logger], the connector's and the webhook handler's
// options, shopify.WithLogger) and logs nothing without one. The engine
// logs a failing store once per episode, not on every retry.
//
// [Engine.Health] returns one shop's state for a status page: inbox and
// outbox depth with the oldest pending entry, dead letters, the last
// sweep and webhook audit, the API budget. [Engine.Stats] and
// [Engine.OutboundStats] are the engine's counters.
//
// The engine reports OpenTelemetry metrics through [Config.MeterProvider]
// (none without one). Counters are cumulative since the Engine was built and
// read from [Engine.Stats] and [Engine.OutboundStats] when the host's
// reader collects; histograms are recorded as work finishes. Attributes
// are bounded: an outcome or a kind from a fixed list, never a shop, an
// order or a SKU (per-shop figures are in [Engine.Health]).
//
//	wmsbridge.inbound.events      counter   {event}  outcome: applied|stale|ignored|failed
//	wmsbridge.inbound.lag         histogram s        from the webhook's arrival to its handling; outcome as above
//	wmsbridge.outbound.messages   counter   {message} outcome: published|fanned_out|delivered|coalesced|retried|dead|skipped
//	wmsbridge.outbound.stock.calls  counter {call}    stock sends to shops
//	wmsbridge.outbound.stock.levels counter {level}   stock levels they carried
//	wmsbridge.outbound.lag        histogram s        from a message's creation to its delivery
//	wmsbridge.sweeps              counter   {sweep}  outcome: ok|failed
//	wmsbridge.sweep.applied       counter   {change} orders and products sweeps applied (webhooks missed)
//	wmsbridge.webhook.audits      counter   {audit}
//	wmsbridge.webhook.recreated   counter   {subscription} subscriptions audits re-created
//
// The webhook handler ([webhook.WithMeterProvider]) and the Shopify client
// (shopify.WithMeterProvider) report their own instruments under the same
// prefix.
//
// # Implementing a backend
//
// See package wms: five methods, every write an idempotent upsert keyed by
// the shop's ids, optional capabilities by type assertion. Prove it with
// wms/wmstest.Run.
//
// # Implementing a store
//
// A [Store] is five small interfaces: [SettingsStore], [StepStore],
// [VersionStore], [WatermarkStore] and the webhook package's Inbox and
// Queue ([webhook.Store]). Each is a table or two in SQL; versions are
// compared by the engine, so the store only compares revision numbers
// (UPDATE ... WHERE rev = ?). Prove it with sync/storetest.Run, which also
// runs webhook/inboxtest on the inbox part:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) wmssync.Store { return newEmptyStore(t) })
//	}
//
// # Adding a shop connector
//
// A connector package, beside shopify/connector, provides three things: a
// [ShopSystem] (settings rules, the shop's name in webhook events; with
// [SingleLocation] for shops without locations), a webhook.Source (package
// webhook) and a [Connector] (Inspect, Products, Orders, Decode) per shop,
// with the optional capabilities it can offer: [WebhookRegistrar] (product
// and order webhooks, and the audit), [CustomsCostSource], [SalesSource]
// (without it the engine adds up orders), [Outbound] for the warehouse's
// messages, with [StockBatcher] (stock levels per call) and
// [PackCapturer] (capture an order's payment when it is packed), and
// [StockLister] (the shop's stock levels, for the stock audit). The
// contract that matters most:
//
//   - listings are paged with self-contained cursor strings the engine
//     persists and hands back after a crash ([ErrCursorExpired] makes it
//     start over); page or bulk-export as the shop system allows;
//   - Decode is pure: it turns an inbox event into a [Change] with the
//     entity's id and version, without I/O;
//   - ids are strings, money is [wms.Decimal], times any zone (the engine
//     puts sales on the shop's days with [ShopInfo.Timezone]);
//   - errors wrap [ErrUnauthorized], [ErrUnreachable] or
//     [ErrInvalidPayload] where they apply, and never contain a secret.
//
// Package sync/synctest holds the engine's end-to-end tests as a kit a
// connector runs against its test shop. The engine runs it against its
// own second test shop system (internal/siteshop: another signature
// header, shops named by a site URL with a path, no locations, three stock
// levels per call, restores, no capture), and shopify/connector against the
// simulated Shopify (shopify/shopifytest).
//
// # Outbound messages
//
// The host tells the engine what happened in the warehouse with
// [Engine.Publish] (or [PublishTx] inside its own transaction): stock
// changed, barcode changed, order packed, payment captured, purchase order
// closed, refund made ([wms.Event]). Publish stores the event in the
// outbox ([OutboxStore], an optional Store capability) before it returns;
// Run's dispatcher ([Engine.DeliverOutbound]) fans it out to every shop
// that finished [StepOutbound], chose its kind (Settings.Outbound)
// and sells the SKU, and to the listeners registered with
// [Engine.Listen]. Messages of one order go in order; stock messages
// coalesce (newest per SKU and warehouse) into batches of the size the
// connector declares ([StockBatcher]); a packed order's payment is captured
// when the connector captures on pack ([PackCapturer]); failures are
// retried with capped backoff ([OutboundConfig]) and parked as dead
// letters ([Engine.DeadLetters], [Engine.ReplayDeadLetter]). The stock
// audit ([Engine.AuditStock], daily in Run) corrects shop stock that
// drifted from the warehouse's through the same outbox. The shop
// writes are the connector's optional [Outbound] capability, which gets a
// stable idempotency key and a plan read before the first send, so a
// message is applied once even when the engine dies between sending and
// recording it.
//
// # Scale
//
// Several engines may share one durable Store and Backend: the inbox
// leases events, versions are compared and swapped, watermarks only move
// forward. Run a setup step of a shop in one process at a time.
package sync
