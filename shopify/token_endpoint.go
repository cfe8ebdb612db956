package shopify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wmsbridge/wmsbridge/internal/redact"
)

// TokenPath is the path of Shopify's token endpoint below a shop's base
// URL: every grant (client credentials, authorization code, refresh token,
// token exchange) posts to https://{shop}/admin/oauth/access_token.
const TokenPath = "/admin/oauth/access_token"

// PostToken posts form to Shopify's token endpoint at tokenURL and decodes
// the answer into a Token: access_token, scope, expires_in (Expiry),
// refresh_token and refresh_token_expires_in (RefreshTokenExpiry). The
// expiries count from issued, the time the request is sent (the zero time
// means time.Now()). hc sends the request; nil means a client with a 30 s
// timeout. Redirects are never followed, whatever hc says, so the form's
// secrets never go to another address.
//
// An answer other than 200 with an access token returns a *TokenError with
// Shopify's error and error_description (or errors) and the request id;
// the values of the form's client_secret, code, refresh_token,
// subject_token and client_id never appear in it (raw or escaped, even when
// the endpoint echoes the request), nor in any other error PostToken
// returns. It is the building block of ClientCredentials and of the
// authorization-code and refresh grants in package shopify/oauth.
func PostToken(ctx context.Context, hc *http.Client, tokenURL string, form url.Values, issued time.Time) (*Token, error) {
	secrets := redact.New(form.Get("client_secret"), form.Get("code"), form.Get("refresh_token"), form.Get("subject_token"), form.Get("client_id"))
	tok, err := postToken(ctx, hc, tokenURL, form, issued, secrets)
	return tok, secrets.Error(err)
}

// postToken is PostToken before its error is redacted. The answer is
// redacted as it arrives, so no field read from it (error code,
// description, request id) carries a secret the endpoint echoed.
func postToken(ctx context.Context, hc *http.Client, tokenURL string, form url.Values, issued time.Time, secrets *redact.Set) (*Token, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, tokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("shopify: token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	c := http.Client{Timeout: 30 * time.Second}
	if hc != nil {
		c = *hc
	}
	c.CheckRedirect = noRedirects
	if issued.IsZero() {
		issued = time.Now()
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("shopify: token request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("shopify: token request: reading answer: %w", err)
	}
	body = secrets.Bytes(body)
	secrets.Header(resp.Header)
	var tr tokenResponse
	jerr := json.Unmarshal(body, &tr)
	if resp.StatusCode != http.StatusOK || tr.AccessToken == "" {
		te := &TokenError{StatusCode: resp.StatusCode, RequestID: resp.Header.Get("X-Request-Id"), Code: tr.Error, Description: tr.Description}
		if te.Description == "" && tr.Errors != nil {
			te.Description = fmt.Sprint(tr.Errors)
		}
		if jerr != nil && te.Description == "" {
			te.Description = "the answer is not JSON"
		}
		if resp.StatusCode == http.StatusOK && te.Description == "" {
			te.Description = "the answer holds no access_token"
		}
		return nil, te
	}
	t := &Token{AccessToken: tr.AccessToken, Scope: tr.Scope, RefreshToken: tr.RefreshToken}
	if tr.ExpiresIn > 0 {
		t.Expiry = issued.Add(time.Duration(tr.ExpiresIn * float64(time.Second)))
	}
	if tr.RefreshTokenExpiresIn > 0 {
		t.RefreshTokenExpiry = issued.Add(time.Duration(tr.RefreshTokenExpiresIn * float64(time.Second)))
	}
	return t, nil
}
