package oauth_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	"github.com/wmsbridge/wmsbridge/shopify/oauth"
	"github.com/wmsbridge/wmsbridge/shopify/shopifytest"
)

// FuzzVerifyQuery: whatever query string reaches the callback, VerifyQuery
// accepts it only when it is signed with the client secret over exactly
// its parameters, fresh, and names a NAME.myshopify.com shop; every
// rejection is a *CallbackError. Signed variants of the input are tried
// too, so the shop and timestamp checks are explored, not just the hmac.
func FuzzVerifyQuery(f *testing.F) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	app, err := oauth.New(oauth.Config{ClientID: clientID, ClientSecret: clientSecret, RedirectURL: redirectURL,
		Now: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	ts := strconv.FormatInt(now.Unix(), 10)
	for _, seed := range []string{
		"code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173",
		"code=c&shop=merchant.myshopify.com&state=s&timestamp=" + ts,
		"code=c&shop=evil.com&state=s&timestamp=" + ts,
		"code=c&shop=x.myshopify.com.evil.com&timestamp=" + ts,
		"shop=merchant.myshopify.com&shop=evil.com&timestamp=" + ts,
		"host=YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvbWVyY2hhbnQ&shop=merchant.myshopify.com&timestamp=" + ts + "&x=%00%ff",
		"", "hmac=zz", "timestamp=-1&shop=a.myshopify.com",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		check := func(q url.Values, signed bool) {
			shop, err := app.VerifyQuery(q)
			if err != nil {
				var ce *oauth.CallbackError
				if !asCallbackError(err, &ce) {
					t.Fatalf("rejection %v is not a *CallbackError", err)
				}
				return
			}
			if !signed && !signedWithSecret(q) {
				t.Fatalf("accepted a query not signed with the secret: %q", raw)
			}
			if d, err := shopify.NormalizeShop(shop); err != nil || d != shop || shop != q.Get("shop") {
				t.Fatalf("accepted shop %q", shop)
			}
			tsv, err := strconv.ParseInt(q.Get("timestamp"), 10, 64)
			if err != nil || now.Sub(time.Unix(tsv, 0)).Abs() > oauth.DefaultMaxClockSkew {
				t.Fatalf("accepted timestamp %q", q.Get("timestamp"))
			}
		}
		check(q, false)
		signed := url.Values{}
		for k, v := range q {
			signed[k] = v
		}
		signed.Del("hmac")
		signed.Set("hmac", shopifytest.SignQuery(signed, clientSecret))
		check(signed, true)
	})
}

// signedWithSecret reports whether q's hmac is the HMAC of its other
// parameters, raw or URL-encoded, with the client secret.
func signedWithSecret(q url.Values) bool {
	if q.Get("hmac") == shopifytest.SignQuery(q, clientSecret) {
		return true
	}
	enc := url.Values{}
	for k, v := range q {
		if k != "hmac" {
			enc[url.QueryEscape(k)] = []string{url.QueryEscape(v[0])}
		}
	}
	return q.Get("hmac") == shopifytest.SignQuery(enc, clientSecret)
}

func asCallbackError(err error, target **oauth.CallbackError) bool {
	ce, ok := err.(*oauth.CallbackError)
	if ok {
		*target = ce
	}
	return ok
}
