package shopify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	secretAccessToken  = "shpat_SUPERSECRET_a1b2c3"
	secretClientSecret = "shpss_CLIENTSECRET_d4e5f6"
	secretRefreshToken = "shprt_REFRESHSECRET_g7h8"
	secretIssuedToken  = "shpat_ISSUED_SECRET_i9j0"
)

var allSecrets = []string{secretAccessToken, secretClientSecret, secretRefreshToken, secretIssuedToken}

func assertNoSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, sec := range allSecrets {
		if strings.Contains(s, sec) {
			t.Errorf("%s leaks secret %q: %s", where, sec, s)
		}
	}
}

// tokenServer issues client-credentials tokens; tokens[i] is the answer to
// the i-th request (the last one repeats).
func tokenServer(t *testing.T, tokens []string, expiresIn int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != testPrefix+"/admin/oauth/access_token" {
			t.Errorf("token request to %s", r.URL.Path)
		}
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			t.Errorf("token request %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != "app-client-id" || r.PostForm.Get("client_secret") != secretClientSecret {
			writeJSON(w, http.StatusUnauthorized, `{"error":"invalid_client","error_description":"bad credentials"}`)
			return
		}
		i := int(n.Add(1)) - 1
		tok := tokens[min(i, len(tokens)-1)]
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"scope":"read_products,write_inventory","expires_in":%d}`, tok, expiresIn))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestRedaction(t *testing.T) {
	t.Parallel()
	tok := Token{AccessToken: secretAccessToken, Scope: "read_products", RefreshToken: secretRefreshToken, Expiry: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	cc := ClientCredentials{TokenURL: "https://x.myshopify.com/admin/oauth/access_token", ClientID: "app-client-id", ClientSecret: secretClientSecret}
	static, err := NewClient("x", WithAccessToken(secretAccessToken))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := NewClient("x", WithClientCredentials("app-client-id", secretClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{
		"Token":              tok,
		"*Token":             &tok,
		"[]Token":            []Token{tok},
		"struct with Token":  struct{ T Token }{tok},
		"ClientCredentials":  cc,
		"*ClientCredentials": &cc,
		"StaticTokenSource":  StaticTokenSource(secretAccessToken),
		"RefreshTokenSource": RefreshTokenSource(&tok, nil),
		"ReuseTokenSource":   ReuseTokenSource(StaticTokenSource(secretAccessToken)),
		"*Client static":     static,
		"Client static":      *static,
		"*Client creds":      creds,
		"Client creds":       *creds,
		"[]*Client":          []*Client{static, creds},
		"*Request":           &Request{Query: "query shop { shop { name } }", Variables: map[string]any{"first": 1}},
	}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				assertNoSecret(t, name+" "+verb, fmt.Sprintf(verb, v))
			}
			assertNoSecret(t, name+" Sprint", fmt.Sprint(v))
			if b, err := json.Marshal(v); err == nil {
				assertNoSecret(t, name+" JSON", string(b))
			}
			assertNoSecret(t, name+" Sprintln", fmt.Sprintln(v))
			for _, h := range []func(*strings.Builder) slog.Handler{
				func(b *strings.Builder) slog.Handler { return slog.NewTextHandler(b, nil) },
				func(b *strings.Builder) slog.Handler { return slog.NewJSONHandler(b, nil) },
			} {
				var b strings.Builder
				slog.New(h(&b)).Info("value", "v", v)
				assertNoSecret(t, name+" slog", b.String())
			}
		})
	}
	if s := tok.String(); !strings.Contains(s, redacted) || !strings.Contains(s, "read_products") {
		t.Errorf("Token.String() = %q; want redacted secrets and the scope", s)
	}
}

func TestClientCredentialsFlowKeepsSecrets(t *testing.T) {
	t.Parallel()
	tokSrv, _ := tokenServer(t, []string{secretIssuedToken}, 86399)
	var gotToken atomic.Value
	c, logs := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		gotToken.Store(r.Header.Get("X-Shopify-Access-Token"))
		writeJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
	}, WithClientCredentials("app-client-id", secretClientSecret))
	// The token endpoint lives on another server: point the credentials there.
	c.tokens = ReuseTokenSource(&ClientCredentials{TokenURL: tokSrv.URL + testPrefix + "/admin/oauth/access_token",
		ClientID: "app-client-id", ClientSecret: secretClientSecret}).(*reuseTokenSource)
	_, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
	var ae *AuthError
	if !errors.As(err, &ae) || !errors.Is(err, ErrUnauthorized) {
		t.Fatalf("err = %v, want *AuthError", err)
	}
	if gotToken.Load() != secretIssuedToken {
		t.Fatalf("server got token %v", gotToken.Load())
	}
	assertNoSecret(t, "error", err.Error())
	assertNoSecret(t, "error %+v", fmt.Sprintf("%+v", err))
	assertNoSecret(t, "logs", logs.String())
	if !strings.Contains(logs.String(), "operation=shop") {
		t.Fatalf("the debug log is empty, so the check above proves nothing: %q", logs.String())
	}

	// A refusal from the token endpoint that echoes the secret is scrubbed.
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		writeJSON(w, http.StatusBadRequest, fmt.Sprintf(`{"error":"invalid_request","error_description":"client_secret %s is not valid"}`, r.PostForm.Get("client_secret")))
	}))
	defer echo.Close()
	_, err = ClientCredentials{TokenURL: echo.URL, ClientID: "app-client-id", ClientSecret: secretClientSecret}.Token(context.Background())
	var te *TokenError
	if !errors.As(err, &te) || te.StatusCode != http.StatusBadRequest || te.Code != "invalid_request" {
		t.Fatalf("err = %#v", err)
	}
	assertNoSecret(t, "token error", err.Error())
}

func TestClientCredentialsTokenIsReused(t *testing.T) {
	t.Parallel()
	var srvURL string
	var tokenCalls, apiCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc(testPrefix+"/admin/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		if r.PostForm.Get("client_secret") != secretClientSecret || r.PostForm.Get("grant_type") != "client_credentials" {
			t.Errorf("bad token request form %v", r.PostForm)
		}
		tokenCalls.Add(1)
		time.Sleep(20 * time.Millisecond) // let concurrent callers pile up
		writeJSON(w, http.StatusOK, `{"access_token":"`+secretIssuedToken+`","scope":"read_products","expires_in":86399}`)
	})
	mux.HandleFunc(testPrefix+"/admin/api/2026-10/graphql.json", func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		if r.Header.Get("X-Shopify-Access-Token") != secretIssuedToken {
			writeJSON(w, http.StatusUnauthorized, `{"errors":"Invalid API key or access token"}`)
			return
		}
		writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}},"extensions":`+costJSON(1, 1, 1000, 999, 100)+`}`)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	srvURL = srv.URL
	c, err := NewClient("s", WithBaseURL(srvURL+testPrefix), WithClientCredentials("app-client-id", secretClientSecret), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := tokenCalls.Load(); n != 1 {
		t.Fatalf("token endpoint called %d times for 20 concurrent requests, want 1", n)
	}
	if n := apiCalls.Load(); n != 20 {
		t.Fatalf("API called %d times, want 20", n)
	}
}

func TestAuth401RefreshesOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		accept     string // token the API accepts
		wantErr    bool
		wantCalls  int32
		wantTokens int32
	}{
		{"second token accepted", "tok-2", false, 2, 2},
		{"every token refused", "none", true, 2, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var issued, calls atomic.Int32
			ts := TokenSourceFunc(func(context.Context) (*Token, error) {
				n := issued.Add(1)
				return &Token{AccessToken: fmt.Sprintf("tok-%d", n), Expiry: time.Now().Add(time.Hour)}, nil
			})
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				if r.Header.Get("X-Shopify-Access-Token") != tt.accept {
					w.Header().Set("X-Request-Id", "rid-401")
					writeJSON(w, http.StatusUnauthorized, `{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}`)
					return
				}
				writeJSON(w, http.StatusOK, `{"data":{"shop":{"name":"S"}}}`)
			}, WithTokenSource(ts))
			resp, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
			if calls.Load() != tt.wantCalls || issued.Load() != tt.wantTokens {
				t.Fatalf("API calls %d, tokens issued %d; want %d, %d", calls.Load(), issued.Load(), tt.wantCalls, tt.wantTokens)
			}
			if !tt.wantErr {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *AuthError
			if !errors.As(err, &ae) || !ae.Refreshed || ae.RequestID != "rid-401" || !strings.Contains(ae.Message, "Invalid API key") {
				t.Fatalf("err = %#v", err)
			}
			if errors.Is(err, ErrAccessDenied) {
				t.Error("a 401 matches ErrAccessDenied")
			}
			if resp == nil || resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("resp = %+v", resp)
			}
		})
	}
	t.Run("static token is not retried", func(t *testing.T) {
		t.Parallel()
		var calls atomic.Int32
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			writeJSON(w, http.StatusUnauthorized, `{"errors":"Invalid API key or access token"}`)
		})
		_, err := c.Do(context.Background(), &Request{Query: `query shop { shop { name } }`}, nil)
		if !errors.Is(err, ErrUnauthorized) || calls.Load() != 1 {
			t.Fatalf("err = %v after %d calls; want ErrUnauthorized after 1", err, calls.Load())
		}
	})
}

func TestRefreshTokenSource(t *testing.T) {
	t.Parallel()
	expired := &Token{AccessToken: "old", RefreshToken: "r1", Expiry: time.Now().Add(-time.Minute)}
	var refreshes atomic.Int32
	ts := RefreshTokenSource(expired, func(_ context.Context, cur *Token) (*Token, error) {
		if n := refreshes.Add(1); n == 1 && cur.RefreshToken != "r1" {
			t.Errorf("refresh got %v", cur)
		}
		return &Token{AccessToken: "new", RefreshToken: "r2", Expiry: time.Now().Add(time.Hour)}, nil
	})
	if _, err := json.Marshal(expired); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		tok, err := ts.Token(context.Background())
		if err != nil || tok.AccessToken != "new" {
			t.Fatalf("Token() = %v, %v", tok, err)
		}
	}
	if refreshes.Load() != 1 {
		t.Fatalf("refreshed %d times, want 1", refreshes.Load())
	}
	// After a 401 the held token is refreshed even though it has not expired.
	ts.(*refreshTokenSource).invalidate(&Token{AccessToken: "new"})
	if _, err := ts.Token(context.Background()); err != nil || refreshes.Load() != 2 {
		t.Fatalf("after invalidate: err %v, refreshes %d", err, refreshes.Load())
	}
	failing := RefreshTokenSource(nil, func(context.Context, *Token) (*Token, error) { return nil, errors.New("store down") })
	if _, err := failing.Token(context.Background()); err == nil || !strings.Contains(err.Error(), "store down") {
		t.Fatalf("err = %v", err)
	}
}

func TestReuseTokenSourceWaitHonoursContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	ts := ReuseTokenSource(TokenSourceFunc(func(context.Context) (*Token, error) {
		<-release
		return &Token{AccessToken: "t"}, nil
	}))
	go func() { _, _ = ts.Token(context.Background()) }()
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := ts.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want DeadlineExceeded while another fetch runs", err)
	}
	close(release)
}

func TestClientCredentialsRefused(t *testing.T) {
	t.Parallel()
	var apiCalls, tokenCalls atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/admin/oauth/access_token", func(w http.ResponseWriter, r *http.Request) {
		tokenCalls.Add(1)
		w.Header().Set("X-Request-Id", "tok-rid")
		writeJSON(w, http.StatusBadRequest, `{"error":"invalid_client","error_description":"Client authentication failed"}`)
	})
	mux.HandleFunc("/admin/api/2026-10/graphql.json", func(w http.ResponseWriter, r *http.Request) { apiCalls.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	logs := &syncBuffer{}
	c, err := NewClient("s", WithBaseURL(srv.URL), WithClientCredentials("app-client-id", secretClientSecret),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), shopReq, nil)
	var te *TokenError
	if !errors.As(err, &te) || !errors.Is(err, ErrUnauthorized) || te.Code != "invalid_client" || te.RequestID != "tok-rid" {
		t.Fatalf("err = %#v", err)
	}
	if apiCalls.Load() != 0 || tokenCalls.Load() != 1 {
		t.Fatalf("API calls %d, token calls %d; a refused token must not be retried", apiCalls.Load(), tokenCalls.Load())
	}
	assertNoSecret(t, "error", err.Error())
	assertNoSecret(t, "logs", logs.String())
}
