// Package oauth connects a merchant's shop to a WMS vendor's Shopify app:
// the install flow (Shopify's OAuth authorization-code grant) with
// expiring offline access tokens, and a token source that renews them
// before they expire, once for all goroutines and once across processes.
//
// Since 2026-01-01 a merchant can no longer create a custom app in the
// shop's admin, and the client-credentials grant works only for shops
// owned by the app developer's own organisation. A WMS vendor connecting
// its customers' shops has the merchant install the vendor's app. Public
// apps created since 2026-04-01 must use expiring offline tokens (a
// 60-minute access token plus a refresh token that rotates on every use),
// and every public app from 2027-01-01.
//
// # The install flow
//
//	app, err := oauth.New(oauth.Config{
//		ClientID: "...", ClientSecret: "...",
//		RedirectURL: "https://wms.example.com/shopify/callback",
//	})
//	// 1. The merchant enters the shop; send the browser to:
//	link, err := app.AuthorizeURL(ctx, "myshop.myshopify.com", connector.InstallScopes(features))
//	// 2. Shopify sends the browser back to RedirectURL; verify and exchange:
//	grant, err := app.Callback(ctx, r.URL.Query())
//	_, err = credential.Replace(ctx, store, grant.Credentials("MyShopDK"))
//	// 3. Build the shop's client on the stored credentials:
//	client, err := shopify.NewClient(grant.Shop, shopify.WithTokenSource(app.TokenSource(store, "MyShopDK", grant.Shop)))
//
// Callback checks, before anything changes: the query-string HMAC with the
// client secret (constant time; during a client-secret rotation also with
// Config.PreviousClientSecrets), the timestamp's freshness, that shop is a
// NAME.myshopify.com domain and the shop the flow started for, and that
// the state is one AuthorizeURL issued, unexpired and not used before. It
// then takes the state (single use) and exchanges the code for an expiring
// offline token: access token, expires_in, refresh token,
// refresh_token_expires_in and the granted scopes. Each failure is a
// *CallbackError naming the check.
//
// When a feature needs a scope not yet granted (the engine's connection
// test lists what is missing), ReauthorizeURL builds the link that asks
// the merchant for it.
//
// # Tokens that outlive a process
//
// [App.TokenSource] reads a shop's credentials from a credential.Store
// and renews them shortly before they expire (Config.RefreshMargin) or
// when Shopify refused the access token. Goroutines of a process share
// one refresh; when the Store implements credential.Locker (the engine's
// SQLite and PostgreSQL stores do), processes take a lease first, so one
// process refreshes while the others wait for the new pair in the store.
// Shopify rotates the refresh token on every use and keeps the previous one
// valid until the new one is used, so a refresh whose answer was lost, or
// whose new pair could not be saved, is repeated with the stored token.
// A refresh Shopify refuses (uninstalled app, refresh token expired
// after 90 days unused) returns an *AuthorizationError that matches
// shopify.ErrUnauthorized (so the engine reports the shop as
// unauthorized) and says what the merchant has to do.
//
// Secrets (the client secret, authorization codes, access and refresh
// tokens) never appear in errors, logs or %v output.
package oauth
