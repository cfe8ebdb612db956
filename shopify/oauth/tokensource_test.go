package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wmsbridge/wmsbridge/credential"
	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
)

func installed(t *testing.T, h *harness, store credential.Store, key string) *oauth.Grant {
	t.Helper()
	g := h.install(t, "read_products")
	_, err := credential.Replace(ctx, store, g.Credentials(key))
	require.NoError(t, err)
	return g
}

func TestTokenSourceRefreshesBeforeExpiry(t *testing.T) {
	h := newHarness(t)
	store := credential.NewMemoryStore()
	g := installed(t, h, store, "k")
	ts := h.app.TokenSource(store, "k", shopDomain)

	tok, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, g.Token.AccessToken, tok.AccessToken, "a fresh token is handed out as stored")
	grants := h.shop.TokenGrants()

	h.clk.Advance(56 * time.Minute) // within the 5-minute margin
	tok, err = ts.Token(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, g.Token.AccessToken, tok.AccessToken)
	assert.Equal(t, grants+1, h.shop.TokenGrants())
	assert.True(t, h.shop.TokenValid(tok.AccessToken))
	assert.False(t, h.shop.TokenValid(g.Token.AccessToken), "Shopify revoked the previous expiring token")
	c, err := store.LoadCredentials(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, tok.AccessToken, c.AccessToken, "the new pair is stored")
	assert.NotEqual(t, g.Token.RefreshToken, c.RefreshToken, "the refresh token rotated")
	assert.Equal(t, h.clk.Now().Add(time.Hour), c.Expiry)
	assert.EqualValues(t, 2, c.Revision)

	// The refresh token used is spent once its replacement is used.
	h.clk.Advance(56 * time.Minute)
	_, err = ts.Token(ctx)
	require.NoError(t, err)
	_, err = h.app.Refresh(ctx, shopDomain, g.Token.RefreshToken)
	assert.ErrorIs(t, err, shopify.ErrUnauthorized, "a refresh token rotated past its grace")
	var te *shopify.TokenError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "invalid_grant", te.Code)
}

func TestTokenSourceRefreshesOnceForAllGoroutines(t *testing.T) {
	h := newHarness(t)
	store := credential.NewMemoryStore()
	installed(t, h, store, "k")
	ts := h.app.TokenSource(store, "k", shopDomain)
	other := h.app.TokenSource(store, "k", shopDomain) // a second client of the shop in this process
	h.clk.Advance(time.Hour)
	grants := h.shop.TokenGrants()
	var wg sync.WaitGroup
	toks := make([]string, 64)
	for i := range toks {
		wg.Go(func() {
			src := ts
			if i%2 == 1 {
				src = other
			}
			tok, err := src.Token(ctx)
			if assert.NoError(t, err) {
				toks[i] = tok.AccessToken
			}
		})
	}
	wg.Wait()
	assert.Equal(t, grants+1, h.shop.TokenGrants(), "one refresh")
	for _, tok := range toks {
		assert.Equal(t, toks[0], tok)
	}
	assert.True(t, h.shop.TokenValid(toks[0]))
}

// failingSaves makes the next n SaveCredentials fail after the refresh was
// made, as a database outage would.
type failingSaves struct {
	credential.Store
	n atomic.Int32
}

func (f *failingSaves) SaveCredentials(ctx context.Context, c credential.Credentials) (int64, error) {
	if f.n.Add(-1) >= 0 {
		return 0, errors.New("database unavailable")
	}
	return f.Store.SaveCredentials(ctx, c)
}

func TestLostSaveIsRepairedWithTheStoredRefreshToken(t *testing.T) {
	h := newHarness(t)
	mem := credential.NewMemoryStore()
	store := &failingSaves{Store: mem}
	g := installed(t, h, mem, "k")
	ts := h.app.TokenSource(store, "k", shopDomain)

	h.clk.Advance(time.Hour)
	store.n.Store(1)
	tok, err := ts.Token(ctx)
	require.NoError(t, err, "the refreshed token is handed out although it was not saved")
	assert.True(t, h.shop.TokenValid(tok.AccessToken))
	c, _ := mem.LoadCredentials(ctx, "k")
	assert.Equal(t, g.Token.RefreshToken, c.RefreshToken, "the store still has the old pair")

	// The next refresh uses the stored (previous) refresh token, which
	// Shopify keeps valid until its replacement is used.
	h.clk.Advance(time.Hour)
	tok2, err := ts.Token(ctx)
	require.NoError(t, err)
	assert.True(t, h.shop.TokenValid(tok2.AccessToken))
	c, _ = mem.LoadCredentials(ctx, "k")
	assert.Equal(t, tok2.AccessToken, c.AccessToken)
	require.NoError(t, works(t, h, ts))
}

func TestClientPicksUpATokenAnotherProcessRefreshed(t *testing.T) {
	h := newHarness(t)
	store := credential.NewMemoryStore()
	installed(t, h, store, "k")
	ts := h.app.TokenSource(store, "k", shopDomain)
	require.NoError(t, works(t, h, ts))

	// Another process refreshes: Shopify revokes the token this client holds.
	app2, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		HTTPClient: h.srv.HTTPClient(), ShopURL: h.srv.ShopURLByDomain, Now: h.clk.Now, RefreshMargin: 2 * time.Hour})
	require.NoError(t, err)
	fresh, err := app2.TokenSource(store, "k", shopDomain).Token(ctx)
	require.NoError(t, err)
	grants := h.shop.TokenGrants()

	// The client gets 401, tells the source, which finds the new token in
	// the store instead of refreshing again.
	c, err := shopify.NewClient(shopDomain, shopify.WithTokenSource(ts), shopify.WithBaseURL(h.srv.ShopURL(shopName)),
		shopify.WithHTTPClient(h.srv.HTTPClient()), shopify.WithRetryMax(0))
	require.NoError(t, err)
	_, err = c.ShopDetails().Get(ctx) // caches the current token
	require.NoError(t, err)
	_, err = app2.Refresh(ctx, shopDomain, mustLoad(t, store, "k").RefreshToken)
	require.NoError(t, err) // rotates without saving: the stored token is now revoked too
	_, err = c.ShopDetails().Get(ctx)
	require.NoError(t, err, "the 401 led to a refresh with the stored (previous) refresh token")
	assert.Equal(t, grants+2, h.shop.TokenGrants())
	assert.False(t, h.shop.TokenValid(fresh.AccessToken))
}

func mustLoad(t *testing.T, s credential.Store, key string) credential.Credentials {
	t.Helper()
	c, err := s.LoadCredentials(ctx, key)
	require.NoError(t, err)
	return c
}

// RunTwoProcesses has two processes (two Apps with their own owners and
// store handles) refresh one shop's token concurrently, many times, while
// the simulated clock runs past the expiry again and again. Every token
// handed out must work when it is handed out, and the stored credentials
// must still refresh at the end: the credential is never lost. The
// PostgreSQL store runs it across two connection pools (package
// sync/store/postgres).
func RunTwoProcesses(t *testing.T, h *harness, stores [2]credential.Store, rounds int) {
	t.Helper()
	installed(t, h, stores[0], "shared")
	var apps [2]*oauth.App
	for i := range apps {
		a, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
			HTTPClient: h.srv.HTTPClient(), ShopURL: h.srv.ShopURLByDomain, Now: h.clk.Now, Owner: fmt.Sprintf("process-%d", i)})
		require.NoError(t, err)
		apps[i] = a
	}
	grants := h.shop.TokenGrants()
	var bad atomic.Int32
	for range rounds {
		h.clk.Advance(56 * time.Minute)
		var wg sync.WaitGroup
		for p := range 2 {
			for range 4 {
				wg.Go(func() {
					tok, err := apps[p].TokenSource(stores[p], "shared", shopDomain).Token(ctx)
					if err != nil {
						t.Errorf("process %d: %v", p, err)
						bad.Add(1)
						return
					}
					if !h.shop.TokenValid(tok.AccessToken) {
						bad.Add(1)
					}
				})
			}
		}
		wg.Wait()
	}
	assert.Zero(t, bad.Load(), "tokens handed out that did not work")
	assert.Equal(t, grants+rounds, h.shop.TokenGrants(), "one refresh per expiry, not one per process")
	h.clk.Advance(time.Hour)
	tok, err := apps[1].TokenSource(stores[1], "shared", shopDomain).Token(ctx)
	require.NoError(t, err, "the stored credential still refreshes")
	assert.True(t, h.shop.TokenValid(tok.AccessToken))
}

func TestTwoProcessesOnOneMemoryStore(t *testing.T) {
	h := newHarness(t)
	store := credential.NewMemoryStore()
	RunTwoProcesses(t, h, [2]credential.Store{store, store}, 30)
}

// echoingStore is a host's store whose errors quote the values it was
// given, as some database drivers do.
type echoingStore struct {
	credential.Store
	failLoad, failSave atomic.Bool
	last               atomic.Value // the last credentials loaded
}

func (s *echoingStore) LoadCredentials(ctx context.Context, key string) (credential.Credentials, error) {
	c, err := s.Store.LoadCredentials(ctx, key)
	if err == nil && s.failLoad.Load() {
		return c, fmt.Errorf("row (%q, %q) is locked", c.AccessToken, c.RefreshToken)
	}
	if err == nil {
		s.last.Store(c)
	}
	return c, err
}

func (s *echoingStore) SaveCredentials(ctx context.Context, c credential.Credentials) (int64, error) {
	if s.failSave.Load() {
		return 0, fmt.Errorf("duplicate key value (%s, %s)", c.AccessToken, c.RefreshToken)
	}
	return s.Store.SaveCredentials(ctx, c)
}

func TestTokenSourceKeepsSecretsOutOfErrorsAndLogs(t *testing.T) {
	h := newHarness(t)
	mem := credential.NewMemoryStore()
	store := &echoingStore{Store: mem}
	g := installed(t, h, mem, "k")
	ts := h.app.TokenSource(store, "k", shopDomain)
	_, err := ts.Token(ctx)
	require.NoError(t, err)

	store.failLoad.Store(true)
	h.clk.Advance(time.Hour)
	_, err = ts.Token(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is locked")
	assertNoSecrets(t, "error", fmt.Sprintf("%v %+v", err, err), g.Token.AccessToken, g.Token.RefreshToken)

	store.failLoad.Store(false)
	store.failSave.Store(true)
	tok, err := ts.Token(ctx)
	require.NoError(t, err, "a refreshed token is handed out even when it could not be saved")
	assertNoSecrets(t, "logs", h.logs.String(), g.Token.AccessToken, g.Token.RefreshToken, tok.AccessToken, tok.RefreshToken)
	assert.Contains(t, h.logs.String(), "duplicate key value")
}
