package console_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wmsbridge/wmsbridge/console"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

// TestNoRouteShowsASecret visits every route of the console (its own list,
// so a route added later is visited too) for every shop, connected or not,
// with and without a setup run and a failure, and posts every form with
// secrets in its secret fields, valid and invalid: no answer (body or
// header, error pages included) contains a configured secret (the shops'
// access tokens, the app's secret key) or a secret just entered.
func TestNoRouteShowsASecret(t *testing.T) {
	const posted = "shpat_posted_but_never_shown_0042"
	var e *env
	install := console.ShopifyInstall(func(ctx context.Context, shop, adminURL string) (string, error) {
		return "https://one.myshopify.com/admin/oauth/authorize?client_id=app&state=s1", nil
	})
	install.Reauthorize = func(ctx context.Context, shop, adminURL string, granted, missing []string) (string, error) {
		return "https://one.myshopify.com/admin/oauth/authorize?client_id=app&state=s2", nil
	}
	token := console.ShopifyToken(func(ctx context.Context, shop, adminURL, tok, secret string) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.tokens[shop] = tok
		return nil
	})
	e = newEnv(t, console.Config{Authorize: allow, Methods: []console.Method{install, token}})
	e.secrets = append(e.secrets, posted)
	ctx := context.Background()
	e.connectShop("ShopOne", "one.myshopify.com")
	e.connectShop("ShopTwo", "two.myshopify.com")
	e.run()
	// ShopOne: set up, with a failed webhook; ShopTwo: nothing run.
	if r := e.post("/shops/ShopOne/setup/run", nil); r.status != http.StatusSeeOther {
		t.Fatalf("run the setup: HTTP %d", r.status)
	}
	waitFor(t, "the setup", func() bool { return strings.Contains(e.get("/shops/ShopOne/setup").body, "Setup is finished") })
	e.shops["one.myshopify.com"].badPayloads.Store(1)
	e.put("one.myshopify.com", "wh-bad", `{"id":1}`)
	e.put("gone.myshopify.com", "wh-gone", `{"id":2}`)
	waitFor(t, "the failures", func() bool { body := e.get("/").body; return strings.Contains(body, "wh-gone") })

	var steps []string
	for _, st := range must[[]wmssync.StepState](t)(e.eng.StepStates(ctx, "ShopOne")) {
		steps = append(steps, string(st.Step))
	}
	values := map[string][]string{
		"{shop}":   {"ShopOne", "ShopTwo", "gone.myshopify.com", "NoSuchShop"},
		"{method}": {"shopify-install", "shopify-token", "no-such-method"},
		"{step}":   append(steps, "no-such-step"),
	}
	expand := func(pattern string) []string {
		out := []string{strings.ReplaceAll(pattern, "{$}", "")}
		for name, vs := range values {
			var next []string
			for _, p := range out {
				if !strings.Contains(p, name) {
					next = append(next, p)
					continue
				}
				for _, v := range vs {
					next = append(next, strings.ReplaceAll(p, name, url.PathEscape(v)))
				}
			}
			out = next
		}
		return out
	}
	// The forms: empty; secrets in the secret fields with an address the
	// console refuses (the form is drawn again with what was entered);
	// and with one it accepts.
	forms := []url.Values{{},
		{"shop": {"ShopThree"}, "admin_url": {"not an address"}, "access_token": {posted}, "api_secret": {posted},
			"op": {"test"}, "class": {"inbound"}, "id": {"wh-bad"}, "reason": {"why"}},
		{"shop": {"ShopOne"}, "admin_url": {"https://one.myshopify.com"}, "access_token": {posted}, "api_secret": {posted},
			"op": {"test"}, "class": {"inbound"}, "id": {"no-such-failure"}},
	}
	// The GET routes first (the POSTs change state), the live progress
	// stream read for a moment.
	routes := console.Routes(e.con)
	answered := map[string]bool{}
	visits := 0
	for _, pass := range []string{http.MethodGet, http.MethodPost} {
		for _, pattern := range routes {
			method, _, _ := strings.Cut(pattern, " ")
			if method != pass {
				continue
			}
			for _, path := range expand(pattern) {
				path = strings.TrimPrefix(path, method+" ")
				var statuses []int
				switch {
				case strings.HasSuffix(path, "/setup/events"):
					statuses = append(statuses, e.stream(path))
				case method == http.MethodGet:
					statuses = append(statuses, e.get(path).status)
					if strings.HasPrefix(path, "/connect") {
						statuses = append(statuses, e.get(path+"?shop=ShopOne").status)
					}
				default:
					for _, f := range forms {
						statuses = append(statuses, e.post(path, f).status)
					}
				}
				for _, st := range statuses {
					visits++
					if st != http.StatusNotFound && st != http.StatusMethodNotAllowed && st < 500 {
						answered[pattern] = true
					}
				}
			}
		}
	}
	for _, p := range routes {
		if !answered[p] {
			t.Errorf("%s never answered with a page: the scan of it proves nothing", p)
		}
	}
	if len(routes) < 14 {
		t.Fatalf("only %d routes: %q", len(routes), routes)
	}
	t.Logf("%d routes, %d answers scanned", len(routes), visits)
}

// stream reads the server-sent events at path for a moment and checks
// them for secrets; it returns the HTTP status.
func (e *env) stream(path string) int {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body) // until the deadline
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(b), "event: state") {
		e.t.Fatalf("%s sent no state in time: %q", path, b)
	}
	for _, s := range e.secrets {
		if strings.Contains(string(b), s) {
			e.t.Fatalf("GET %s shows a secret (%.8s…)", path, s)
		}
	}
	return resp.StatusCode
}
