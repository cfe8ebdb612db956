// Package console is a web console for the sync engine that a WMS mounts in
// its own admin: the merchant's setup screens (connect a shop, test the
// connection, choose the settings, run the setup steps with live progress)
// and an operations view (every shop's health from the engine, what waits
// and for how long, the API budget over time, the failures to replay or
// discard, the last stock audit with its drifts, recent activity).
//
// It is server-rendered HTML (html/template) with its CSS and a little
// JavaScript embedded: no build step, no CDN, nothing loaded from another
// origin. Every page is readable and every form usable without
// JavaScript; the script only makes the setup progress live (server-sent
// events) and warns while a sales-history start is picked.
//
// # Mounting it
//
//	con, err := console.New(console.Config{
//		Engine:     engine,
//		Warehouses: warehouse, // your wms.Backend
//		BasePath:   "/admin/wms",
//		Methods:    []console.Method{console.ShopifyToken(saveToken)},
//		Authorize: func(r *http.Request, shop string, a console.Action) error {
//			u := currentUser(r) // your session
//			if u == nil {
//				return console.ErrUnauthenticated
//			}
//			if a != console.ActionView && !u.Admin {
//				return errors.New("only administrators change shops")
//			}
//			return nil
//		},
//	})
//	defer con.Close()
//	mux.Handle("/admin/wms/", con)
//
// # Security
//
//   - Authentication and authorization are the host's: Config.Authorize is
//     asked before every page and every change, with the [Action] and the
//     shop, or Config.Middleware wraps every route. New refuses a Config
//     with neither ([ErrNoAuth]) unless LocalDemo is set, and a LocalDemo
//     console answers only loopback clients asking for a loopback host.
//   - Every state change is a POST checked by Go's
//     [http.CrossOriginProtection]: a form another site's page submits is
//     refused (403) before it reaches the console.
//   - A strict Content-Security-Policy: scripts and styles only from the
//     console's own files (no inline script, style or event handler), no
//     framing, forms posting only to the console.
//   - Secrets are write-only: credential fields are empty password fields,
//     never filled in again; the console hands them to the host through
//     [Method.Connect] and keeps none. The engine's settings hold no
//     secret, and neither do the pages.
//   - Everything a shop or a merchant supplies (shop names, product titles
//     in payloads, error texts) is escaped by html/template.
//
// # Connecting shops
//
// A [Method] is one way to connect a shop, drawn as a form on the connect
// screen. [ShopifyInstall] is the install button of the WMS vendor's
// Shopify app: the console saves the shop and sends the merchant on to
// Shopify's approval; the host's redirect URL completes the install and
// sends the browser to [Console.ConnectedURL]. [ShopifyToken] is the
// access token of a legacy custom app, [WooCommerceKeys] a WooCommerce
// REST API key; a host adds its own with Fields and a Connect function. After Connect,
// the console runs the engine's connection test and, when the shop answered
// and accepted the credentials, saves the shop's settings and shows the
// test's report: scopes needed and granted per feature, the locations,
// the API version, and what to do about each problem.
//
// # Setup runs
//
// The console runs setup steps in the background (Engine.RunSetup or
// RunStep) and streams their progress to the setup page. A run stops when
// the merchant presses Stop or the console is closed ([Console.Close]);
// the engine's checkpoints make the next run resume where it stopped.
//
// # Activity
//
// An [ActivityLog] is a slog handler that keeps each shop's recent log
// records; given to the engine as its logger and to the console as
// Config.Activity, it fills each shop's "Recent activity" list (webhooks
// applied, messages sent or failed, steps started and finished).
package console
