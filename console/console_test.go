package console_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/console"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/webhook"
	"github.com/wmsbridge/wmsbridge/wms/memwms"
)

func allow(*http.Request, string, console.Action) error { return nil }

func TestNewRefusesWithoutAuthentication(t *testing.T) {
	eng := newEnv(t, console.Config{Authorize: allow}).eng
	wh, _ := memwms.New(nil)
	if _, err := console.New(console.Config{Engine: eng, Warehouses: wh}); !errors.Is(err, console.ErrNoAuth) {
		t.Fatalf("New without authentication: %v, want ErrNoAuth", err)
	}
	for name, cfg := range map[string]console.Config{
		"Authorize":  {Authorize: allow},
		"Middleware": {Middleware: func(h http.Handler) http.Handler { return h }},
		"LocalDemo":  {LocalDemo: true},
	} {
		cfg.Engine, cfg.Warehouses = eng, wh
		c, err := console.New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		c.Close()
	}
	if _, err := console.New(console.Config{Engine: eng, Warehouses: wh, LocalDemo: true, BasePath: "admin"}); err == nil {
		t.Fatal("a base path without a leading slash was accepted")
	}
}

func TestLocalDemoAnswersLoopbackOnly(t *testing.T) {
	e := newEnv(t, console.Config{LocalDemo: true})
	for _, tc := range []struct {
		remote, host string
		want         int
	}{
		{"127.0.0.1:5000", "127.0.0.1:8080", http.StatusOK},
		{"[::1]:5000", "localhost:8080", http.StatusOK},
		{"203.0.113.7:5000", "127.0.0.1:8080", http.StatusForbidden},  // another machine
		{"127.0.0.1:5000", "attacker.example", http.StatusForbidden},  // DNS rebinding
		{"127.0.0.1:5000", "192.168.1.10:8080", http.StatusForbidden}, // not loopback
		{"10.0.0.1:5000", "localhost", http.StatusForbidden},          // another machine
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.RemoteAddr, req.Host = tc.remote, tc.host
		rec := httptest.NewRecorder()
		e.con.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("remote %s host %s: HTTP %d, want %d", tc.remote, tc.host, rec.Code, tc.want)
		}
	}
}

func TestAuthorizeIsAskedForEveryPageAndChange(t *testing.T) {
	type call struct {
		shop   string
		action console.Action
	}
	var calls []call
	readOnly := false
	signedIn := true
	e := newEnv(t, console.Config{Authorize: func(r *http.Request, shop string, a console.Action) error {
		calls = append(calls, call{shop, a})
		switch {
		case !signedIn:
			return console.ErrUnauthenticated
		case readOnly && a != console.ActionView:
			return errRefused
		}
		return nil
	}})
	e.connectShop("ShopOne", "one.myshopify.com")
	calls = nil
	e.get("/")
	e.get("/shops/ShopOne/settings")
	e.post("/shops/ShopOne/settings", url.Values{"admin_url": {"https://one.myshopify.com"}, "op": {"save"}})
	e.post("/shops/ShopOne/setup/customs_cost/skip", nil)
	e.post("/shops/ShopOne/failures/replay", url.Values{"class": {"outbound"}, "id": {"x"}})
	want := []call{{"", console.ActionView}, {"ShopOne", console.ActionView}, {"ShopOne", console.ActionConfigure},
		{"ShopOne", console.ActionSetup}, {"ShopOne", console.ActionOperate}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("Authorize calls = %v, want %v", calls, want)
	}

	// A read-only user sees pages and changes nothing.
	readOnly = true
	if r := e.get("/shops/ShopOne/settings"); r.status != http.StatusOK {
		t.Fatalf("read-only view: HTTP %d", r.status)
	}
	r := e.post("/shops/ShopOne/settings", url.Values{"admin_url": {"https://one.myshopify.com"}, "country": {"SE"}, "op": {"save"}})
	if r.status != http.StatusForbidden || !strings.Contains(r.body, errRefused.Error()) {
		t.Fatalf("read-only change: HTTP %d %q", r.status, r.body)
	}
	if s := must[wmssync.Settings](t)(e.eng.Settings(context.Background(), "ShopOne")); s.Country == "SE" {
		t.Fatal("a refused change was saved")
	}
	signedIn = false
	if r := e.get("/"); r.status != http.StatusUnauthorized {
		t.Fatalf("signed out: HTTP %d, want 401", r.status)
	}
	if r := e.post("/connect/shopify-token", url.Values{"shop": {"X"}}); r.status != http.StatusUnauthorized {
		t.Fatalf("signed out connect: HTTP %d, want 401", r.status)
	}
}

func TestMiddlewareWrapsEveryRoute(t *testing.T) {
	e := newEnv(t, console.Config{Middleware: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-User") == "" {
				http.Error(w, "sign in", http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}})
	for _, p := range []string{"/", "/connect", "/shops/x/setup", "/assets/console.css"} {
		if r := e.get(p); r.status != http.StatusUnauthorized {
			t.Errorf("GET %s without a user: HTTP %d", p, r.status)
		}
	}
	if r := e.do(http.MethodGet, "/", nil, map[string]string{"X-User": "ada"}); r.status != http.StatusOK {
		t.Errorf("GET / as a user: HTTP %d", r.status)
	}
}

func TestCrossOriginChangesAreRefused(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	change := url.Values{"admin_url": {"https://one.myshopify.com"}, "country": {"SE"}, "op": {"save"}}
	for name, hdr := range map[string]map[string]string{
		"cross-site":                {"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
		"same-site, another origin": {"Sec-Fetch-Site": "same-site", "Origin": "https://other.example.com"},
		"old browser, other origin": {"Sec-Fetch-Site": "", "Origin": "https://attacker.example"},
	} {
		r := e.do(http.MethodPost, "/shops/ShopOne/settings", change, hdr)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "another site") {
			t.Errorf("%s: HTTP %d", name, r.status)
		}
	}
	if s := must[wmssync.Settings](t)(e.eng.Settings(context.Background(), "ShopOne")); s.Country == "SE" {
		t.Fatal("a cross-origin post changed the settings")
	}
	// The same post from the console's own page goes through.
	if r := e.post("/shops/ShopOne/settings", change); r.status != http.StatusSeeOther {
		t.Fatalf("same-origin post: HTTP %d\n%s", r.status, r.body)
	}
}

// inlineCode finds what a strict Content-Security-Policy blocks: inline
// scripts, style attributes or elements, event handler attributes,
// javascript: URLs.
var inlineCode = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<script>|<style|\sstyle=|\son[a-z]+=|javascript:`)

func TestPagesCarryStrictHeadersAndNoInlineCode(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	for _, p := range []string{"/", "/connect", "/connect?shop=ShopOne", "/shops/ShopOne", "/shops/ShopOne/test",
		"/shops/ShopOne/settings", "/shops/ShopOne/setup", "/shops/nope", "/assets/console.js", "/assets/console.css"} {
		r := e.get(p)
		csp := r.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows inline code: %q", p, csp)
		}
		if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", p, r.header)
		}
		if strings.HasPrefix(p, "/assets/") {
			continue
		}
		if m := inlineCode.FindString(r.body); m != "" {
			t.Errorf("%s has inline code %q", p, m)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", p, r.header.Get("Cache-Control"))
		}
	}
	if ct := e.get("/assets/console.js").header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("console.js served as %q", ct)
	}
}

func TestConnectErrorsNextToTheFieldAndSecretsWriteOnly(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	form := url.Values{"shop": {"ShopOne"}, "display_name": {"Shop One"}, "admin_url": {"https://one.myshopify.com"},
		"access_token": {"shpat_wrong_token_0000"}, "api_secret": {"app-secret-key-42"}}
	e.secrets = append(e.secrets, "shpat_wrong_token_0000")

	r := e.post("/connect/shopify-token", form)
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong token: HTTP %d", r.status)
	}
	errOf := func(body, id string) string {
		m := regexp.MustCompile(`id="` + regexp.QuoteMeta(id) + `-err">([^<]*)<`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if msg := errOf(r.body, "shopify-token-access_token"); !strings.Contains(msg, "refused") {
		t.Fatalf("no error next to the token: %q\n%s", msg, r.body)
	}
	if !strings.Contains(r.body, `id="shopify-token-access_token" name="access_token" type="password" value=""`) {
		t.Fatalf("the token field is not an empty password field:\n%s", r.body)
	}
	if !strings.Contains(r.body, `value="Shop One"`) {
		t.Fatal("the display name entered was lost")
	}
	if _, err := e.eng.Settings(context.Background(), "ShopOne"); !errors.Is(err, wmssync.ErrNotFound) {
		t.Fatalf("a refused shop was saved: %v", err)
	}

	// An address that is no shop: the error sits next to the admin URL.
	form.Set("admin_url", "https://nowhere.myshopify.com")
	r = e.post("/connect/shopify-token", form)
	if msg := errOf(r.body, "shopify-token-admin_url"); !strings.Contains(msg, "could not be reached") {
		t.Fatalf("no error next to the admin URL: %q", msg)
	}
	// A shop id the engine refuses.
	form.Set("shop", "bad id!")
	form.Set("admin_url", "https://one.myshopify.com")
	form.Set("access_token", e.shops["one.myshopify.com"].token)
	r = e.post("/connect/shopify-token", form)
	if msg := errOf(r.body, "shopify-token-shop"); !strings.Contains(msg, "letters, digits") {
		t.Fatalf("no error next to the shop id: %q", msg)
	}
	// Required fields.
	r = e.post("/connect/shopify-token", url.Values{"shop": {"ShopOne"}})
	if errOf(r.body, "shopify-token-admin_url") == "" || errOf(r.body, "shopify-token-access_token") == "" {
		t.Fatalf("missing fields are not marked:\n%s", r.body)
	}

	// The right token: the shop is saved, and the test report follows.
	form.Set("shop", "ShopOne")
	r = e.post("/connect/shopify-token", form)
	if r.status != http.StatusSeeOther || r.loc != "/shops/ShopOne/test?done=connected" {
		t.Fatalf("connect: HTTP %d to %q", r.status, r.loc)
	}
	if s := must[wmssync.Settings](t)(e.eng.Settings(context.Background(), "ShopOne")); s.System != "shopify" {
		t.Fatalf("the shop's system = %q, want the method's", s.System)
	}
	page := e.get(r.loc)
	// The fake shop lacks read_all_orders and the default history is a
	// year: the report says what to do about it.
	for _, want := range []string{"Result: <span class=\"badge bad\">Not OK", "Shop One (one.myshopify.com)", "The shop is connected",
		"Access scope read_all_orders is missing", "start the sales history within the last 60 days",
		`href="/shops/ShopOne/settings#f-sales_history_since"`,
		"Import products", "read_products", "Main warehouse &lt;b&gt;north&lt;/b&gt;", "not mapped"} {
		if !strings.Contains(page.body, want) {
			t.Fatalf("report lacks %q:\n%s", want, page.body)
		}
	}

	// Input never prints a secret.
	in := console.Input{Shop: "ShopOne", Values: map[string]string{"access_token": "shpat_secret_print"}}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("connect", "input", in)
	for _, s := range []string{fmt.Sprint(in), fmt.Sprintf("%+v", in), fmt.Sprintf("%#v", in), logged.String()} {
		if strings.Contains(s, "shpat_secret_print") {
			t.Fatalf("Input printed its secret: %s", s)
		}
	}
}

func TestSettingsErrorsNextToTheField(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	e.connectShop("ShopTwo", "two.myshopify.com")
	base := url.Values{"admin_url": {"https://one.myshopify.com"}, "op": {"save"}, "locations[loc-1]": {"CPH"},
		"outbound[stock.changed]": {"on"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range base {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		field, value, id, want string
	}{
		{"country", "Denmark", "f-country", "ISO 3166-1"},
		{"sales_history_since", "last spring", "f-sales_history_since", "YYYY-MM-DD"},
		{"admin_url", "ftp://one.myshopify.com", "f-admin_url", ""},
	} {
		r := e.post("/shops/ShopOne/settings", with(tc.field, tc.value))
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s=%q: HTTP %d", tc.field, tc.value, r.status)
			continue
		}
		m := regexp.MustCompile(`id="` + tc.id + `-err">([^<]+)<`).FindStringSubmatch(r.body)
		if m == nil || !strings.Contains(m[1], tc.want) {
			t.Errorf("%s=%q: error next to the field = %v", tc.field, tc.value, m)
		}
		if !strings.Contains(r.body, `value="`+tc.value+`"`) {
			t.Errorf("%s=%q: the value entered is not shown again", tc.field, tc.value)
		}
	}
	// An unknown warehouse, next to its location.
	r := e.post("/shops/ShopOne/settings", with("locations[loc-2]", "NOPE"))
	if !regexp.MustCompile(`id="f-locations-loc-2-err">[^<]*unknown warehouse`).MatchString(r.body) {
		t.Errorf("unknown warehouse: no error next to the location:\n%s", r.body)
	}
	// Two main shops: the second one's checkbox says why.
	if r := e.post("/shops/ShopOne/settings", with("main", "on")); r.status != http.StatusSeeOther {
		t.Fatalf("main shop: HTTP %d", r.status)
	}
	r = e.post("/shops/ShopTwo/settings", url.Values{"admin_url": {"https://two.myshopify.com"}, "main": {"on"}, "op": {"save"}})
	if !regexp.MustCompile(`id="f-main-err">[^<]*already the main shop`).MatchString(r.body) {
		t.Errorf("second main shop: no error next to the checkbox:\n%s", r.body)
	}
	s := must[wmssync.Settings](t)(e.eng.Settings(context.Background(), "ShopOne"))
	if !s.Main || s.Locations["loc-1"] != "CPH" || s.OutboundEnabled("barcode.changed") || !s.OutboundEnabled("stock.changed") {
		t.Fatalf("saved settings = %+v", s)
	}
}

func TestSettingsTestButtonAndSalesHistoryWarning(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	form := url.Values{"admin_url": {"https://one.myshopify.com"}, "op": {"test"}}
	// Default (one year back) without read_all_orders: warned.
	r := e.post("/shops/ShopOne/settings", form)
	if r.status != http.StatusOK || !strings.Contains(r.body, "not saved yet") {
		t.Fatalf("test: HTTP %d", r.status)
	}
	warn := regexp.MustCompile(`<p class="warning" id="f-sales_history_since-warn"[^>]*>`)
	if m := warn.FindString(r.body); m == "" || strings.Contains(m, "hidden") {
		t.Fatalf("no 60-day warning for a year of history: %q", m)
	}
	if !strings.Contains(r.body, `data-limit="`) {
		t.Fatal("the page's script gets no limit date")
	}
	// 30 days back: no warning, and nothing saved by a test.
	form.Set("sales_history_since", time.Now().AddDate(0, 0, -30).Format("2006-01-02"))
	r = e.post("/shops/ShopOne/settings", form)
	if m := warn.FindString(r.body); !strings.Contains(m, "hidden") {
		t.Fatalf("warning for 30 days: %q", m)
	}
	if s := must[wmssync.Settings](t)(e.eng.Settings(context.Background(), "ShopOne")); !s.SalesHistorySince.IsZero() {
		t.Fatal("the Test button saved the settings")
	}
}

func TestEverythingTheShopSuppliesIsEscaped(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	markup := `<script>alert(1)</script>`
	e.shops["one.myshopify.com"].name = markup
	e.connectShop("ShopOne", "one.myshopify.com")
	if r := e.post("/shops/ShopOne/settings", url.Values{"admin_url": {"https://one.myshopify.com"}, "display_name": {markup},
		"op": {"save"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: HTTP %d", r.status)
	}
	e.run()
	// A webhook the shop's connector cannot decode is parked, with the
	// payload in its reason.
	e.shops["one.myshopify.com"].badPayloads.Store(1)
	e.put("one.myshopify.com", "wh-1", `{"title":"`+markup+`"}`)
	waitFor(t, "the failure", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, "wh-1") })
	for _, p := range []string{"/", "/shops/ShopOne", "/shops/ShopOne/test", "/shops/ShopOne/settings", "/shops/ShopOne/setup"} {
		body := e.get(p).body
		if strings.Contains(body, markup) || strings.Contains(body, "<b>north") {
			t.Errorf("%s shows markup unescaped", p)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("%s does not show the name as text", p)
		}
	}
}

// put stores a webhook event of the shop at domain in the inbox.
func (e *env) put(domain, id, body string) {
	e.t.Helper()
	ev := &webhook.Event{Topic: "products/update", Shop: domain, WebhookID: id, Body: []byte(body), ReceivedAt: time.Now()}
	if _, err := e.eng.Inbox().Put(context.Background(), ev); err != nil {
		e.t.Fatal(err)
	}
}

func TestFailedWebhookReplayedDisappears(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	e.connectShop("ShopTwo", "two.myshopify.com")
	e.run()
	e.shops["one.myshopify.com"].badPayloads.Store(1)
	e.put("one.myshopify.com", "wh-bad", `{"id":1}`)
	waitFor(t, "the failure", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, "wh-bad") })
	page := e.get("/shops/ShopOne").body
	for _, want := range []string{"products/update", "the payload is not a product", "failing", `name="id" value="wh-bad"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("failure lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(e.get("/shops/ShopTwo").body, "wh-bad") {
		t.Fatal("another shop's page shows the failure")
	}
	if !strings.Contains(e.get("/").body, "failing") {
		t.Fatal("the overview does not show the shop failing")
	}
	// Another shop cannot replay it.
	if r := e.post("/shops/ShopTwo/failures/replay", url.Values{"class": {"inbound"}, "id": {"wh-bad"}}); r.status != http.StatusNotFound {
		t.Fatalf("replay through another shop: HTTP %d", r.status)
	}
	r := e.post("/shops/ShopOne/failures/replay", url.Values{"class": {"inbound"}, "id": {"wh-bad"}})
	if r.status != http.StatusSeeOther || r.loc != "/shops/ShopOne?done=replayed" {
		t.Fatalf("replay: HTTP %d to %q", r.status, r.loc)
	}
	waitFor(t, "the failure to go", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, `id="no-failures"`) })
	if r := e.post("/shops/ShopOne/failures/replay", url.Values{"class": {"inbound"}, "id": {"wh-bad"}}); r.status != http.StatusNotFound {
		t.Fatalf("replaying twice: HTTP %d", r.status)
	}

	waitFor(t, "the replayed event to be handled", func() bool {
		h := must[wmssync.Health](t)(e.eng.Health(context.Background(), "ShopOne"))
		return h.Inbox.Pending == 0
	})

	// Discarded, with a reason: it goes for good.
	e.shops["one.myshopify.com"].badPayloads.Store(1)
	e.put("one.myshopify.com", "wh-bad-2", `{"id":2}`)
	waitFor(t, "the second failure", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, "wh-bad-2") })
	if !strings.Contains(e.get("/shops/ShopOne").body, `<label for="reason-inbound-wh-bad-2">Reason for discarding</label>`) {
		t.Fatal("the discard reason has no label")
	}
	if r := e.post("/shops/ShopOne/failures/discard", url.Values{"class": {"inbound"}, "id": {"wh-bad-2"}}); r.status != http.StatusBadRequest {
		t.Fatalf("discard without a reason: HTTP %d", r.status)
	}
	r = e.post("/shops/ShopOne/failures/discard", url.Values{"class": {"inbound"}, "id": {"wh-bad-2"}, "reason": {"a test payload"}})
	if r.status != http.StatusSeeOther || r.loc != "/shops/ShopOne?done=discarded" {
		t.Fatalf("discard: HTTP %d to %q", r.status, r.loc)
	}
	if !strings.Contains(e.get("/shops/ShopOne").body, `id="no-failures"`) {
		t.Fatal("a discarded failure is still listed")
	}

	// A webhook of a shop no settings name: listed on the overview, and
	// discarded from there.
	e.put("gone.myshopify.com", "wh-gone", `{"id":3}`)
	waitFor(t, "the orphan", func() bool { return strings.Contains(e.get("/").body, "wh-gone") })
	if !strings.Contains(e.get("/").body, "Failures of shops not connected") {
		t.Fatal("no heading for the orphans")
	}
	r = e.post("/shops/gone.myshopify.com/failures/discard", url.Values{"class": {"inbound"}, "id": {"wh-gone"}, "reason": {"shop removed"}})
	if r.status != http.StatusSeeOther || r.loc != "/?done=discarded" {
		t.Fatalf("discard an orphan: HTTP %d to %q", r.status, r.loc)
	}
	if strings.Contains(e.get("/").body, "wh-gone") {
		t.Fatal("the discarded orphan is still listed")
	}
}

func TestSetupRunsStopsResumesAndStreams(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	shop := e.shops["one.myshopify.com"]
	shop.gate = make(chan struct{})
	e.connectShop("ShopOne", "one.myshopify.com")

	// The event stream of the setup page.
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL+"/shops/ShopOne/setup/events", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("events: Content-Type %q", ct)
	}
	events := make(chan string, 100)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				events <- string(buf[:n])
			}
			if err != nil {
				close(events)
				return
			}
		}
	}()
	next := func(want string) string {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case ev := <-events:
				if strings.Contains(ev, want) {
					return ev
				}
			case <-timeout:
				t.Fatalf("no event with %q", want)
			}
		}
	}
	next(`"running":false`)

	if r := e.post("/shops/ShopOne/setup/run", nil); r.status != http.StatusSeeOther {
		t.Fatalf("run: HTTP %d", r.status)
	}
	if r := e.post("/shops/ShopOne/setup/run", nil); r.status != http.StatusConflict {
		t.Fatalf("second run: HTTP %d, want 409", r.status)
	}
	shop.gate <- struct{}{} // page 1 of 3
	next(`"done":10,"total":30`)
	page := e.get("/shops/ShopOne/setup").body
	if !strings.Contains(page, `<progress max="100" value="33"`) || !strings.Contains(page, "10 of 30 (33%)") {
		t.Fatalf("the setup page does not show the progress:\n%s", page)
	}
	if !strings.Contains(page, `<meta http-equiv="refresh"`) {
		t.Fatal("a running setup's page does not refresh itself without JavaScript")
	}

	// Stop: the step is resumable from its checkpoint.
	if r := e.post("/shops/ShopOne/setup/stop", nil); r.status != http.StatusSeeOther {
		t.Fatalf("stop: HTTP %d", r.status)
	}
	next(`"running":false`)
	st := must[[]wmssync.StepState](t)(e.eng.StepStates(context.Background(), "ShopOne"))
	if st[0].Status.Finished() || st[0].Checkpoint == "" || st[0].Done != 10 {
		t.Fatalf("after stop: %+v", st[0])
	}
	if page := e.get("/shops/ShopOne/setup").body; !strings.Contains(page, "resumes from its checkpoint") {
		t.Fatalf("the page does not say the step resumes:\n%s", page)
	}

	// Run again: it resumes at product 10 and finishes every step.
	close(shop.gate)
	if r := e.post("/shops/ShopOne/setup/run", nil); r.status != http.StatusSeeOther {
		t.Fatalf("run again: HTTP %d", r.status)
	}
	next(`"finished":true`)
	st = must[[]wmssync.StepState](t)(e.eng.StepStates(context.Background(), "ShopOne"))
	for _, s := range st {
		if !s.Status.Finished() {
			t.Fatalf("step %s is %s", s.Step, s.Status)
		}
	}
	if st[0].Done != 30 {
		t.Fatalf("products done = %d, want 30", st[0].Done)
	}
	page = e.get("/shops/ShopOne/setup").body
	if strings.Count(page, `<progress max="100" value="100"`) != 5 || !strings.Contains(page, "Setup is finished") {
		t.Fatalf("finished setup page:\n%s", page)
	}
}

func TestSkipStep(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	if r := e.post("/shops/ShopOne/setup/products/skip", nil); r.status != http.StatusBadRequest {
		t.Fatalf("skip products: HTTP %d, want 400", r.status)
	}
	if r := e.post("/shops/ShopOne/setup/customs_cost/skip", nil); r.status != http.StatusSeeOther {
		t.Fatalf("skip customs: HTTP %d", r.status)
	}
	st := must[[]wmssync.StepState](t)(e.eng.StepStates(context.Background(), "ShopOne"))
	if st[1].Status != wmssync.StepSkipped {
		t.Fatalf("customs step: %s", st[1].Status)
	}
}

func TestBasePath(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow, BasePath: "/admin/wms/"})
	if r := e.get("/admin/wms"); r.status != http.StatusMovedPermanently || r.loc != "/admin/wms/" {
		t.Fatalf("GET /admin/wms: HTTP %d to %q", r.status, r.loc)
	}
	r := e.get("/admin/wms/")
	if r.status != http.StatusOK || !strings.Contains(r.body, `href="/admin/wms/connect"`) || !strings.Contains(r.body, `/admin/wms/assets/console.css`) {
		t.Fatalf("links under the base path:\n%s", r.body)
	}
	if r := e.get("/connect"); r.status != http.StatusNotFound {
		t.Fatalf("outside the base path: HTTP %d", r.status)
	}
	if r := e.get("/admin/wms/assets/console.css"); r.status != http.StatusOK {
		t.Fatalf("assets: HTTP %d", r.status)
	}
}

func TestActivityLog(t *testing.T) {
	var out strings.Builder
	a := console.NewActivityLog(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelInfo}), 3)
	log := slog.New(a)
	log.Debug("webhook event handled", "shop", "S1", "topic", "orders/create")
	log.With("shop", "S1").Info("setup step started", "step", "products")
	log.WithGroup("g").Info("grouped", "shop", "S2") // a grouped "shop" is not the shop
	for i := range 5 {
		log.Info("many", "shop", "S3", "i", i)
	}
	got := a.Recent("S1", 10)
	if len(got) != 2 || got[0].Message != "setup step started" || got[1].Message != "webhook event handled" ||
		fmt.Sprint(got[1].Attrs) != "[topic=orders/create]" {
		t.Fatalf("S1 = %+v", got)
	}
	if len(a.Recent("S2", 10)) != 0 {
		t.Fatal("a grouped shop attribute was taken for the shop")
	}
	if s3 := a.Recent("S3", 10); len(s3) != 3 || fmt.Sprint(s3[0].Attrs) != "[i=4]" {
		t.Fatalf("S3 keeps %+v, want the last 3", s3)
	}
	if strings.Contains(out.String(), "webhook event handled") || !strings.Contains(out.String(), "setup step started") {
		t.Fatalf("the next handler's level is not kept:\n%s", out.String())
	}
}

func TestHealthBudgetChartAndWebhookState(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow, SampleInterval: 10 * time.Millisecond})
	shop := e.shops["one.myshopify.com"]
	shop.budgetUsed.Store(700)
	e.connectShop("ShopOne", "one.myshopify.com")
	page := e.get("/shops/ShopOne").body
	if !strings.Contains(page, "No reading yet") || !strings.Contains(page, "Not checked yet") {
		t.Fatalf("before the engine talked to the shop:\n%s", page)
	}
	if err := e.eng.RunSetup(context.Background(), "ShopOne", nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a budget sample", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, `<svg class="chart"`) })
	shop.budgetUsed.Store(200)
	waitFor(t, "a second budget sample", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, "20% now") })
	page = e.get("/shops/ShopOne").body
	for _, want := range []string{`role="img"`, "API budget in use over time", "70% at the peak", "Capacity 1000, restored at 50 a second",
		`<polyline class="line" points="`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the budget chart lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(e.get("/").body, ">20%<") {
		t.Fatal("the overview does not show the budget in use")
	}

	// The webhook audit: a subscription the shop removed is created again.
	shop.mu.Lock()
	shop.missing = []string{"products/delete"}
	shop.mu.Unlock()
	if _, err := e.eng.AuditWebhooks(context.Background(), "ShopOne"); err != nil {
		t.Fatal(err)
	}
	page = e.get("/shops/ShopOne").body
	if !regexp.MustCompile(`id="webhook-state">Checked [^<]*after creating again the missing ones: products/delete`).MatchString(page) {
		t.Fatalf("webhook state:\n%s", page)
	}
	if !strings.Contains(page, "webhook subscriptions were missing and were created again: products/delete") {
		t.Fatal("the health does not mention the re-created subscription")
	}
}

func TestMethodsCheckedAndWooCommerceKeys(t *testing.T) {
	var saved []string
	woo := console.WooCommerceKeys(func(ctx context.Context, shop, site, key, secret string) error {
		saved = append(saved, shop, site, key, secret)
		if key == "ck_taken" {
			return &console.FieldError{Field: "consumer_key", Reason: "this key belongs to another shop"}
		}
		return nil
	})
	e := newEnv(t, console.Config{Authorize: allow, Methods: []console.Method{woo}})
	e.secrets = append(e.secrets, "cs_secret_123")
	page := e.get("/connect").body
	for _, want := range []string{"WooCommerce: REST API key", "Store address", `name="consumer_key" type="password" value=""`,
		`name="consumer_secret" type="password" value=""`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the WooCommerce form lacks %q:\n%s", want, page)
		}
	}
	r := e.post("/connect/woocommerce-keys", url.Values{"shop": {"Woo"}, "admin_url": {"https://woo.example"},
		"consumer_key": {"ck_taken"}, "consumer_secret": {"cs_secret_123"}})
	if r.status != http.StatusUnprocessableEntity ||
		!regexp.MustCompile(`id="woocommerce-keys-consumer_key-err">this key belongs to another shop<`).MatchString(r.body) {
		t.Fatalf("the host's field error is not next to the field: HTTP %d\n%s", r.status, r.body)
	}
	if fmt.Sprint(saved) != "[Woo https://woo.example ck_taken cs_secret_123]" {
		t.Fatalf("saved %q", saved)
	}

	// Bad methods are refused by New.
	eng := e.eng
	wh, _ := memwms.New(nil)
	for name, m := range map[string]console.Method{
		"no id":          {Title: "x", Connect: woo.Connect},
		"no connect":     {ID: "x", Title: "x"},
		"common field":   {ID: "x", Title: "x", Connect: woo.Connect, Fields: []console.Field{{Name: "shop", Label: "Shop"}}},
		"field no label": {ID: "x", Title: "x", Connect: woo.Connect, Fields: []console.Field{{Name: "key"}}},
	} {
		if _, err := console.New(console.Config{Engine: eng, Warehouses: wh, LocalDemo: true, Methods: []console.Method{m}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := console.New(console.Config{Engine: eng, Warehouses: wh, LocalDemo: true, Methods: []console.Method{woo, woo}}); err == nil {
		t.Error("two methods with one id: accepted")
	}
}

func TestReportListsUnsupportedFeatures(t *testing.T) {
	e := newEnv(t, console.Config{Authorize: allow})
	e.connectShop("ShopOne", "one.myshopify.com")
	if r := e.post("/shops/ShopOne/settings", url.Values{"admin_url": {"https://one.myshopify.com"}, "pos": {"on"},
		"sales_history_since": {time.Now().AddDate(0, 0, -10).Format("2006-01-02")}, "op": {"save"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: HTTP %d", r.status)
	}
	page := e.get("/shops/ShopOne/test").body
	for _, want := range []string{"Not supported by this shop system", "<strong>Point of sale</strong>: the shop system has no point of sale",
		`Result: <span class="badge ok">OK`} {
		if !strings.Contains(page, want) {
			t.Fatalf("report lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "not_supported") {
		t.Fatal("the pseudo-scope is shown as a scope")
	}
}

func TestShopifyInstallSendsTheMerchantToShopify(t *testing.T) {
	var e *env
	var asked []string
	install := console.ShopifyInstall(func(ctx context.Context, shop, adminURL string) (string, error) {
		asked = append(asked, shop, adminURL)
		switch {
		case strings.Contains(adminURL, "storefront"):
			return "", &console.FieldError{Field: "admin_url", Reason: "this is not a shop's admin address"}
		case strings.Contains(adminURL, "down"):
			return "", errors.New("state store unavailable")
		case strings.Contains(adminURL, "script"):
			return "javascript:alert(1)", nil
		}
		return "https://one.myshopify.com/admin/oauth/authorize?client_id=app&state=s1", nil
	})
	e = newEnv(t, console.Config{Authorize: allow, Methods: []console.Method{install, console.ShopifyToken(
		func(context.Context, string, string, string, string) error { return nil })}})

	page := e.get("/connect").body
	form := page[strings.Index(page, `action="/connect/shopify-install"`):strings.Index(page, `action="/connect/shopify-token"`)]
	if strings.Contains(form, `type="password"`) || !strings.Contains(form, `<button type="submit">Install the app</button>`) {
		t.Fatalf("the install form asks for a secret or has no install button:\n%s", form)
	}
	if !strings.Contains(page, `<button type="submit">Connect and test</button>`) {
		t.Fatalf("the token form's button lost its default label:\n%s", page)
	}

	// The install link: the console saves the shop and sends the browser
	// to Shopify.
	r := e.post("/connect/shopify-install", url.Values{"shop": {"ShopOne"}, "display_name": {"Shop One"},
		"admin_url": {"https://one.myshopify.com/admin"}})
	link := "https://one.myshopify.com/admin/oauth/authorize?client_id=app&amp;state=s1"
	if r.status != http.StatusOK || !strings.Contains(r.body, `<meta http-equiv="refresh" content="0;url=`+link+`">`) ||
		!strings.Contains(r.body, `id="forward-link" href="`+link+`"`) {
		t.Fatalf("install: HTTP %d, not sent on to the shop\n%s", r.status, r.body)
	}
	if fmt.Sprint(asked) != "[ShopOne https://one.myshopify.com/admin]" {
		t.Fatalf("install asked with %q", asked)
	}
	s, err := e.eng.Settings(context.Background(), "ShopOne")
	if err != nil || s.System != "shopify" || s.AdminURL != "https://one.myshopify.com" || s.DisplayName != "Shop One" {
		t.Fatalf("the installing shop's settings: %+v, %v", s, err)
	}

	// The host's callback stored the credentials and sends the browser to
	// the connection test.
	e.mu.Lock()
	e.tokens["ShopOne"] = e.shops["one.myshopify.com"].token
	e.mu.Unlock()
	if u := e.con.ConnectedURL("ShopOne"); u != "/shops/ShopOne/test?done=connected" {
		t.Fatalf("ConnectedURL = %q", u)
	}
	r = e.get(e.con.ConnectedURL("ShopOne"))
	if r.status != http.StatusOK || !strings.Contains(r.body, "The shop is connected") || !strings.Contains(r.body, `<dt>Credentials accepted</dt><dd>yes</dd>`) {
		t.Fatalf("after the install: HTTP %d\n%s", r.status, r.body)
	}

	// The host's refusals: next to the field, or above the form; the shop
	// is not saved.
	r = e.post("/connect/shopify-install", url.Values{"shop": {"ShopTwo"}, "admin_url": {"https://storefront.example"}})
	if r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `id="shopify-install-admin_url-err">this is not a shop&#39;s admin address<`) {
		t.Fatalf("a field error of the install: HTTP %d\n%s", r.status, r.body)
	}
	r = e.post("/connect/shopify-install", url.Values{"shop": {"ShopTwo"}, "admin_url": {"https://down.myshopify.com"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "the install could not start: state store unavailable") {
		t.Fatalf("an install that could not start: HTTP %d\n%s", r.status, r.body)
	}
	r = e.post("/connect/shopify-install", url.Values{"shop": {"ShopTwo"}, "admin_url": {"https://script.myshopify.com"}})
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "javascript:") {
		t.Fatalf("a link that is no web address: HTTP %d\n%s", r.status, r.body)
	}
	if _, err := e.eng.Settings(context.Background(), "ShopTwo"); !errors.Is(err, wmssync.ErrNotFound) {
		t.Fatalf("a refused install saved the shop: %v", err)
	}
}

func TestStockAuditStartedAndItsErrorShown(t *testing.T) {
	var actions []console.Action
	e := newEnv(t, console.Config{Authorize: func(r *http.Request, shop string, a console.Action) error {
		actions = append(actions, a)
		return nil
	}})
	e.connectShop("ShopOne", "one.myshopify.com")
	page := e.get("/shops/ShopOne").body
	for _, want := range []string{`id="audit-none">No stock audit yet.`, `action="/shops/ShopOne/stock/audit"`, `action="/shops/ShopOne/stock/push"`} {
		if !strings.Contains(page, want) {
			t.Fatalf("the shop page lacks %q:\n%s", want, page)
		}
	}
	// The test shop lists no stock: the engine refuses the audit, and the
	// page says why.
	actions = nil
	r := e.post("/shops/ShopOne/stock/audit", url.Values{})
	if r.status != http.StatusSeeOther || r.loc != "/shops/ShopOne?done=audit" || fmt.Sprint(actions) != "[operate]" {
		t.Fatalf("start an audit: HTTP %d to %q, actions %v", r.status, r.loc, actions)
	}
	waitFor(t, "the audit's error", func() bool { return strings.Contains(e.get("/shops/ShopOne").body, `id="audit-error"`) })
	page = e.get("/shops/ShopOne").body
	for _, want := range []string{"the last stock audit failed", "not supported", "failing"} {
		if !strings.Contains(page, want) {
			t.Fatalf("the failed audit: the page lacks %q:\n%s", want, page)
		}
	}
	if r := e.post("/shops/NoSuchShop/stock/push", url.Values{}); r.status != http.StatusNotFound {
		t.Fatalf("push to an unknown shop: HTTP %d", r.status)
	}
}

func TestAskTheShopForMissingScopes(t *testing.T) {
	var e *env
	var asked []string
	install := console.ShopifyInstall(func(ctx context.Context, shop, adminURL string) (string, error) {
		return "https://one.myshopify.com/admin/oauth/authorize?state=s1", nil
	})
	token := console.ShopifyToken(func(ctx context.Context, shop, adminURL, tok, secret string) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.tokens[shop] = tok
		return nil
	})
	e = newEnv(t, console.Config{Authorize: allow, Methods: []console.Method{install, token}})
	e.connectShop("ShopOne", "one.myshopify.com")
	// The default sales history reaches back a year: the test shop did
	// not grant read_all_orders. No method can ask for it yet.
	page := e.get("/shops/ShopOne/test").body
	if !strings.Contains(page, "Access scope read_all_orders is missing") || strings.Contains(page, `id="ask-scopes"`) {
		t.Fatalf("without a way to ask, the test offers to:\n%s", page)
	}

	install.Reauthorize = func(ctx context.Context, shop, adminURL string, granted, missing []string) (string, error) {
		asked = append(asked, shop, adminURL, strings.Join(missing, ","), fmt.Sprint(len(granted) > 0))
		return "https://one.myshopify.com/admin/oauth/authorize?scope=more&state=s2", nil
	}
	e = newEnv(t, console.Config{Authorize: allow, Methods: []console.Method{install, token}})
	e.connectShop("ShopOne", "one.myshopify.com")
	page = e.get("/shops/ShopOne/test").body
	if !strings.Contains(page, `<form method="post" action="/shops/ShopOne/scopes" class="actions"><button type="submit" id="ask-scopes">`) {
		t.Fatalf("the test does not offer to ask for the missing scope:\n%s", page)
	}
	r := e.post("/shops/ShopOne/scopes", url.Values{})
	if r.status != http.StatusOK || !strings.Contains(r.body, `id="forward-link" href="https://one.myshopify.com/admin/oauth/authorize?scope=more&amp;state=s2"`) ||
		!strings.Contains(r.body, "(read_all_orders)") {
		t.Fatalf("ask for scopes: HTTP %d\n%s", r.status, r.body)
	}
	if fmt.Sprint(asked) != "[ShopOne https://one.myshopify.com read_all_orders true]" {
		t.Fatalf("Reauthorize got %q", asked)
	}

	// Once nothing is missing, there is nothing to ask.
	if r := e.post("/shops/ShopOne/settings", url.Values{"admin_url": {"https://one.myshopify.com"},
		"sales_history_since": {time.Now().AddDate(0, 0, -10).Format("2006-01-02")}, "op": {"save"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: HTTP %d\n%s", r.status, r.body)
	}
	if page := e.get("/shops/ShopOne/test").body; strings.Contains(page, `id="ask-scopes"`) {
		t.Fatal("the test offers to ask with nothing missing")
	}
	if r := e.post("/shops/ShopOne/scopes", url.Values{}); r.status != http.StatusSeeOther || r.loc != "/shops/ShopOne/test?done=granted" {
		t.Fatalf("ask with nothing missing: HTTP %d to %q", r.status, r.loc)
	}
}
