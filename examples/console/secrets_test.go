package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// scanner fetches the example's pages as a same-origin browser would and
// checks every answer (body and headers) for the example's secrets.
type scanner struct {
	t     *testing.T
	w     *world
	cl    *http.Client
	pages int
}

func (s *scanner) check(what string, hdr http.Header, body []byte) {
	s.t.Helper()
	s.pages++
	for _, sec := range s.w.secrets() {
		if strings.Contains(string(body), sec) {
			s.t.Fatalf("%s shows a secret (%.8s…)", what, sec)
		}
		for k, vs := range hdr {
			if strings.Contains(strings.Join(vs, " "), sec) {
				s.t.Fatalf("%s: header %s holds a secret (%.8s…)", what, k, sec)
			}
		}
	}
}

// do sends a request; POSTs carry the headers of a same-origin form.
func (s *scanner) do(method, path string, form url.Values) (int, string) {
	s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	target := path
	if strings.HasPrefix(path, "/") {
		target = s.w.url + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		s.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	resp, err := s.cl.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s.check(method+" "+path, resp.Header, b)
	return resp.StatusCode, string(b)
}

// stream reads a server-sent event stream for a moment.
func (s *scanner) stream(path string) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.w.url+path, nil)
	resp, err := s.cl.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // until the deadline
	if !strings.Contains(string(b), "event: state") {
		s.t.Fatalf("GET %s: no state in time: HTTP %d %q", path, resp.StatusCode, b)
	}
	s.check("GET "+path, resp.Header, b)
}

var (
	linkPattern    = regexp.MustCompile(`href="(/console/[^"#?]*)"`)
	forwardPattern = regexp.MustCompile(`id="forward-link" href="([^"]+)"`)
)

// TestNoPageShowsASecret connects the example's four shops through the
// console (a legacy token, the app's install, WooCommerce keys), runs a
// setup, makes failures, and then visits every page of the console for
// every shop, links followed and the pages no link reaches (reconnect
// forms, live progress streams, error pages), and posts its forms with the
// real secrets in their secret fields: no answer contains one of the
// example's secrets (the shops' access tokens, the installed shop's access
// and refresh tokens, the app's client secret that signs Shopify's
// webhooks, the WooCommerce consumer key and secret, the WooCommerce
// webhook secret). It needs no browser.
func TestNoPageShowsASecret(t *testing.T) {
	w := startWorld(t)
	s := &scanner{t: t, w: w, cl: &http.Client{Timeout: 30 * time.Second}}
	ctx := context.Background()
	ck, cs := w.wooShop.Key()

	// Connect: a token, the WooCommerce keys, the app's install.
	if st, body := s.do(http.MethodPost, basePath+"/connect/shopify-token", url.Values{"shop": {"MyShopDK"},
		"admin_url": {"https://" + w.dk.Domain()}, "access_token": {w.dk.AccessToken()}, "api_secret": {w.secret}}); st != http.StatusOK {
		t.Fatalf("connect MyShopDK: HTTP %d\n%s", st, body)
	}
	if st, body := s.do(http.MethodPost, basePath+"/connect/woocommerce-keys", url.Values{"shop": {"MyWoo"},
		"admin_url": {w.wooShop.URL()}, "consumer_key": {ck}, "consumer_secret": {cs}}); st != http.StatusOK {
		t.Fatalf("connect MyWoo: HTTP %d\n%s", st, body)
	}
	st, body := s.do(http.MethodPost, basePath+"/connect/shopify-install", url.Values{"shop": {"MyShopNO"}, "admin_url": {"https://" + w.no.Domain()}})
	m := forwardPattern.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("install on MyShopNO: HTTP %d\n%s", st, body)
	}
	if st, body := s.do(http.MethodGet, strings.ReplaceAll(m[1], "&amp;", "&"), nil); st != http.StatusOK || !strings.Contains(body, "The shop is connected") {
		t.Fatalf("the install's approval and callback: HTTP %d\n%s", st, body)
	}
	if c, err := w.store.LoadCredentials(ctx, "MyShopNO"); err != nil || c.RefreshToken == "" {
		t.Fatalf("the install stored no refresh token: %v", err)
	}

	// MyShopDK: set up, then a failed message and a failed webhook.
	form := url.Values{"admin_url": {"https://" + w.dk.Domain()}, "op": {"save"}, "main": {"on"}}
	for k, on := range wmssync.DefaultOutbound() {
		if on {
			form.Set("outbound["+string(k)+"]", "on")
		}
	}
	warehouses := map[string]string{"Copenhagen warehouse": whCPH, "Aarhus warehouse": whAAR, "Copenhagen flagship store": whStore}
	for _, l := range w.dk.Locations() {
		form.Set("locations["+shopify.GID("Location", l.ID)+"]", warehouses[l.Name])
	}
	if st, body := s.do(http.MethodPost, basePath+"/shops/MyShopDK/settings", form); st != http.StatusOK {
		t.Fatalf("save the settings: HTTP %d\n%s", st, body)
	}
	s.do(http.MethodPost, basePath+"/shops/MyShopDK/setup/run", url.Values{})
	waitUntil(t, "the setup", 3*time.Minute, func() bool {
		states, err := w.eng.StepStates(ctx, "MyShopDK")
		return err == nil && !slices.ContainsFunc(states, func(x wmssync.StepState) bool { return !x.Status.Finished() })
	})
	for _, p := range []string{"/demo/revoke", "/demo/order", "/demo/markup"} {
		s.do(http.MethodPost, p, url.Values{})
	}
	waitUntil(t, "the order released in the warehouse", 30*time.Second, func() bool {
		return slices.ContainsFunc(w.wms.Orders(), func(o wms.Order) bool { return o.Stage == wms.StageReleased })
	})
	s.do(http.MethodPost, "/demo/pack", url.Values{})
	waitUntil(t, "two failures", 30*time.Second, func() bool {
		n, err := w.eng.CountFailures(ctx, wmssync.FailureFilter{Shop: "MyShopDK"})
		return err == nil && n >= 2
	})

	// Every page linked from the overview, and those no link reaches.
	shops := []string{"MyShopDK", "MyWoo", "MyShopNO", "NoSuchShop"}
	queue := []string{basePath + "/", basePath + "/no-such-page"}
	for _, shop := range shops {
		queue = append(queue, basePath+"/connect?shop="+shop, basePath+"/shops/"+shop+"/no-such-page")
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		_, body := s.do(http.MethodGet, p, nil)
		for _, m := range linkPattern.FindAllStringSubmatch(body, -1) {
			if !strings.Contains(m[1], "/assets/") && !seen[m[1]] {
				queue = append(queue, m[1])
			}
		}
	}
	for _, shop := range shops[:3] {
		for _, page := range []string{"", "/test", "/settings", "/setup"} {
			if !seen[basePath+"/shops/"+shop+page] {
				t.Fatalf("the crawl missed %s", basePath+"/shops/"+shop+page)
			}
		}
		s.stream(basePath + "/shops/" + shop + "/setup/events")
	}

	// The forms drawn again after an error or a test, with the secrets in
	// their secret fields; failures replayed and discarded.
	for _, f := range []struct {
		path string
		form url.Values
	}{
		{"/connect/shopify-token", url.Values{"shop": {"MyShopDK"}, "admin_url": {"https://" + w.dk.Domain()},
			"access_token": {w.uk.AccessToken()}, "api_secret": {w.secret}}}, // a token of another shop: refused
		{"/connect/shopify-token", url.Values{"shop": {"MyShopDK"}, "admin_url": {"not an address"},
			"access_token": {w.dk.AccessToken()}, "api_secret": {w.secret}}},
		{"/connect/woocommerce-keys", url.Values{"shop": {"MyWoo"}, "admin_url": {w.wooShop.URL()},
			"consumer_key": {ck}, "consumer_secret": {w.wooHook}}}, // a wrong secret
		{"/connect/woocommerce-keys", url.Values{"shop": {"MyWoo"}, "admin_url": {w.wooShop.URL()},
			"consumer_key": {ck}, "consumer_secret": {cs}}},
		{"/connect/shopify-install", url.Values{"shop": {"MyShopNO"}, "admin_url": {"https://storefront.example"}}},
		{"/shops/MyShopDK/settings", url.Values{"admin_url": {"https://" + w.dk.Domain()}, "op": {"test"}}},
		{"/shops/MyShopNO/settings", url.Values{"admin_url": {"https://elsewhere.example"}, "op": {"save"}}},
		{"/shops/MyWoo/settings", url.Values{"admin_url": {w.wooShop.URL()}, "op": {"test"}}},
		{"/shops/MyShopNO/setup/run", url.Values{}},
		{"/shops/MyShopNO/setup/stop", url.Values{}},
		{"/shops/MyShopDK/failures/replay", url.Values{"class": {"inbound"}, "id": {"no-such-failure"}}},
	} {
		s.do(http.MethodPost, basePath+f.path, f.form)
	}
	fs, err := w.eng.Failures(ctx, wmssync.FailureFilter{Shop: "MyShopDK"})
	if err != nil || len(fs) < 2 {
		t.Fatalf("failures: %v, %v", fs, err)
	}
	s.do(http.MethodPost, basePath+"/shops/MyShopDK/failures/replay", url.Values{"class": {string(fs[0].Class)}, "id": {fs[0].ID}})
	s.do(http.MethodPost, basePath+"/shops/MyShopDK/failures/discard", url.Values{"class": {string(fs[1].Class)}, "id": {fs[1].ID}, "reason": {"test"}})
	s.do(http.MethodGet, basePath+"/shops/MyShopDK", nil)
	t.Logf("%d answers scanned for %d secrets, %d pages crawled", s.pages, len(w.secrets()), len(seen))
}

// waitUntil polls cond until it is true.
func waitUntil(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
