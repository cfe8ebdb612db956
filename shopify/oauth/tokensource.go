package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/internal/redact"
	"github.com/wmsbridge/wmsbridge/shopify"
)

// pollInterval is how often a process waiting for another one's refresh
// looks at the store.
const pollInterval = 100 * time.Millisecond

// TokenSource returns the shopify.TokenSource of a shop whose credentials
// store keeps under key: pass it to shopify.WithTokenSource. shop is the
// shop's domain (or anything shopify.NormalizeShop accepts).
//
// Each call reads the stored credentials (the Client asks only when the
// token it holds expires within two minutes or Shopify refused it) and
// returns the access token if it does not expire within
// Config.RefreshMargin and was not refused. Otherwise it refreshes: one
// goroutine per key in this App at a time, and, when store is a
// credential.Locker, one process at a time under the lease
// credential.LeaseName(key) (the others wait until the new pair is in the
// store). The new pair is saved with a compare-and-swap on the revision
// it was loaded at; a pair whose save failed is not lost, because Shopify
// keeps the stored refresh token valid until the new one is used, so the
// next call refreshes again.
//
// Errors: an *AuthorizationError (matching shopify.ErrUnauthorized) when
// no credentials are stored, the token expired without a refresh token,
// or Shopify refused the refresh token; anything else (the store or
// Shopify unreachable) is transient.
func (a *App) TokenSource(store credential.Store, key, shop string) shopify.TokenSource {
	domain, err := shopDomain(shop)
	secrets := redact.New(append([]string{a.cfg.ClientSecret}, a.cfg.PreviousClientSecrets...)...)
	return &tokenSource{app: a, store: store, key: key, shop: domain, shopErr: err, secrets: secrets}
}

type tokenSource struct {
	app     *App
	store   credential.Store
	key     string
	shop    string
	shopErr error
	secrets *redact.Set // the client secrets and the tokens seen, kept out of errors

	mu       sync.Mutex
	rejected string // the access token Shopify last answered 401 to
}

var _ shopify.TokenInvalidator = (*tokenSource)(nil)

// InvalidateToken implements shopify.TokenInvalidator.
func (ts *tokenSource) InvalidateToken(tok *shopify.Token) {
	if tok == nil {
		return
	}
	ts.mu.Lock()
	ts.rejected = tok.AccessToken
	ts.mu.Unlock()
}

func (ts *tokenSource) usable(c credential.Credentials, now time.Time) bool {
	ts.mu.Lock()
	rejected := ts.rejected
	ts.mu.Unlock()
	return !c.ExpiresWithin(now, ts.app.cfg.RefreshMargin) && c.AccessToken != rejected
}

func tokenOf(c credential.Credentials) *shopify.Token {
	return &shopify.Token{AccessToken: c.AccessToken, Scope: c.Scope, Expiry: c.Expiry, RefreshToken: c.RefreshToken, RefreshTokenExpiry: c.RefreshExpiry}
}

// lock takes the App's in-process lock of the key.
func (a *App) lock(ctx context.Context, key string) (func(), error) {
	v, _ := a.flights.LoadOrStore(key, make(chan struct{}, 1))
	ch := v.(chan struct{})
	select {
	case ch <- struct{}{}:
		return func() { <-ch }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (ts *tokenSource) authErr(reason string, err error) error {
	return &AuthorizationError{Shop: ts.shop, Key: ts.key, Reason: reason, Err: err}
}

// Token implements shopify.TokenSource. Its errors carry no secret: not
// the client secret, nor a token it loaded or was issued, whatever the
// store's or the token endpoint's errors say.
func (ts *tokenSource) Token(ctx context.Context) (*shopify.Token, error) {
	tok, err := ts.token(ctx)
	return tok, ts.secrets.Error(err)
}

func (ts *tokenSource) token(ctx context.Context) (*shopify.Token, error) {
	if ts.shopErr != nil {
		return nil, ts.shopErr
	}
	a := ts.app
	unlock, err := a.lock(ctx, ts.key)
	if err != nil {
		return nil, err
	}
	defer unlock()
	locker, _ := ts.store.(credential.Locker)
	lease := credential.LeaseName(ts.key)
	for {
		c, err := ts.load(ctx)
		if err != nil {
			return nil, err
		}
		now := a.cfg.Now()
		if ts.usable(c, now) {
			return tokenOf(c), nil
		}
		if c.RefreshToken == "" {
			return nil, ts.authErr("the access token expired or was refused, and there is no refresh token to renew it", nil)
		}
		if !c.RefreshExpiry.IsZero() && !now.Before(c.RefreshExpiry) {
			return nil, ts.authErr(fmt.Sprintf("the refresh token expired on %s (unused for 90 days)", c.RefreshExpiry.UTC().Format(time.RFC3339)), nil)
		}
		if locker != nil {
			got, err := locker.AcquireLease(ctx, lease, a.cfg.Owner, a.cfg.LeaseTTL)
			if err != nil {
				return nil, fmt.Errorf("shopify/oauth: shop %s: take the refresh lease: %w", ts.shop, err)
			}
			if !got {
				// Another process refreshes: wait for its pair.
				select {
				case <-time.After(pollInterval):
					continue
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
		}
		tok, again, err := ts.refreshHeld(ctx, c.Revision)
		if locker != nil {
			// Released on a context of its own: a cancelled caller must not
			// leave the lease to expire.
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			if rerr := locker.ReleaseLease(rctx, lease, a.cfg.Owner); rerr != nil {
				a.log.LogAttrs(ctx, slog.LevelWarn, "shopify/oauth: releasing the refresh lease failed; it expires by itself",
					slog.String("shop", ts.shop), slog.String("error", ts.secrets.Text(rerr.Error())))
			}
			cancel()
		}
		if again {
			continue
		}
		return tok, err
	}
}

func (ts *tokenSource) load(ctx context.Context) (credential.Credentials, error) {
	c, err := ts.store.LoadCredentials(ctx, ts.key)
	if errors.Is(err, credential.ErrNotFound) {
		return c, ts.authErr("no credentials are stored for the shop (the app was never installed, or was uninstalled)", err)
	}
	if err != nil {
		return c, fmt.Errorf("shopify/oauth: shop %s: load credentials: %w", ts.shop, err)
	}
	ts.secrets.AddRotating(c.AccessToken, c.RefreshToken)
	return c, nil
}

// refreshHeld refreshes while this process holds the shop's lease (or the
// store has no leases). again asks the caller to start over: the stored
// credentials changed meanwhile.
func (ts *tokenSource) refreshHeld(ctx context.Context, loadedRev int64) (tok *shopify.Token, again bool, err error) {
	a := ts.app
	// Load again under the lease: another process may have refreshed
	// between the first load and the lease.
	c, err := ts.load(ctx)
	if err != nil {
		return nil, false, err
	}
	if c.Revision != loadedRev || ts.usable(c, a.cfg.Now()) {
		return nil, true, nil
	}
	nt, err := a.Refresh(ctx, ts.shop, c.RefreshToken)
	if err != nil {
		if !errors.Is(err, shopify.ErrUnauthorized) {
			return nil, false, fmt.Errorf("shopify/oauth: shop %s: refresh the access token: %w", ts.shop, err)
		}
		// Refused. If the store changed meanwhile (a reinstall saved new
		// credentials), use those.
		if c2, lerr := ts.store.LoadCredentials(ctx, ts.key); lerr == nil && c2.Revision != c.Revision {
			return nil, true, nil
		}
		a.log.LogAttrs(ctx, slog.LevelWarn, "shopify/oauth: Shopify refused the refresh token", slog.String("shop", ts.shop),
			slog.String("error", ts.secrets.Text(err.Error())))
		return nil, false, ts.authErr("Shopify refused the refresh token (the app was uninstalled, or the refresh token expired or was replaced)", err)
	}
	ts.secrets.AddRotating(nt.AccessToken, nt.RefreshToken)
	next := credentialsOf(ts.key, nt)
	next.Revision = c.Revision
	rev, serr := ts.store.SaveCredentials(ctx, next)
	switch {
	case errors.Is(serr, credential.ErrConflict):
		return nil, true, nil
	case serr != nil:
		// The new pair works but is not stored: hand it out anyway. The
		// stored refresh token stays valid until the new one is used, so
		// the next refresh repeats this one.
		a.log.LogAttrs(ctx, slog.LevelWarn, "shopify/oauth: saving the refreshed credentials failed; the next refresh repeats it",
			slog.String("shop", ts.shop), slog.String("error", ts.secrets.Text(serr.Error())))
	default:
		a.log.LogAttrs(ctx, slog.LevelInfo, "shopify/oauth: access token refreshed", slog.String("shop", ts.shop),
			slog.Time("expiry", nt.Expiry), slog.Int64("revision", rev))
	}
	ts.mu.Lock()
	ts.rejected = ""
	ts.mu.Unlock()
	return nt, false, nil
}

// String describes the token source without secrets.
func (ts *tokenSource) String() string { return "oauth.TokenSource(" + ts.shop + ")" }

// GoString is String.
func (ts *tokenSource) GoString() string { return ts.String() }
