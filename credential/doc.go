// Package credential keeps the API credentials of connected shops so that
// they outlive a process: an access token, when it expires, the refresh
// token that renews it and when that one expires, and the granted scopes.
//
// The host implements [Store] over its own (encrypted) storage, three
// methods, and proves it with the conformance kit in
// [github.com/wmsbridge/wmsbridge/credential/credentialtest]. The SQLite
// and PostgreSQL stores of the sync engine implement it too
// (sync/store/sqlite, sync/store/postgres), as does [MemoryStore] for tests.
//
// # Refreshing once across processes
//
// Expiring access tokens (Shopify's expiring offline tokens last an hour)
// are renewed with a refresh token that rotates on every use, so two
// processes refreshing at once with the same refresh token could lock each
// other out. A token source (such as the one in package shopify/oauth)
// therefore refreshes under a lease when the Store also implements
// [Locker] (the SQL stores do, with the same leases the engine uses for its
// setup steps), and saves the new pair with a compare-and-swap on
// [Credentials.Revision], so a slow writer never overwrites a newer pair.
// Without Locker, refreshes are serialised within the process only: run one
// process per shop then, or implement Locker.
//
// # Secrets at rest
//
// Credentials carry secrets. The host is responsible for protecting them
// at rest: its own Store encrypts them, or the SQL stores seal them with a
// [Sealer] (envelope encryption: [NewAESGCM] with a key from the host's
// key management, or the host's own Sealer calling a KMS). Without a Sealer
// the SQL stores keep access and refresh tokens in plain text, readable to
// anyone who can read the database or its backups.
//
// Credentials never show their secrets in %v, logs or JSON: formatting,
// slog and encoding/json print "[REDACTED]" instead.
package credential
