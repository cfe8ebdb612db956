package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/wmsbridge/wmsbridge/shopify"
	wmssync "github.com/wmsbridge/wmsbridge/sync"
	"github.com/wmsbridge/wmsbridge/wms"
)

// The browser tests drive the example in a real headless Chromium. They
// need Debian's chromium package (or WMSBRIDGE_CHROMIUM naming a
// Chrome/Chromium binary); without one they skip, unless
// WMSBRIDGE_BROWSER_TESTS=required (as CI sets it), which turns the skip
// into a failure. Screenshots of every screen go to WMSBRIDGE_SCREENSHOTS
// when set, else to the test's temporary directory.
const (
	envChromium    = "WMSBRIDGE_CHROMIUM"
	envRequired    = "WMSBRIDGE_BROWSER_TESTS"
	envScreenshots = "WMSBRIDGE_SCREENSHOTS"
	// envReadme names a directory (docs/) to write the README's two
	// pictures to, cut to the window: go test -run Browser
	// ./examples/console with WMSBRIDGE_README_SHOTS=$PWD/docs.
	envReadme = "WMSBRIDGE_README_SHOTS"
)

// browser is one headless Chromium tab with the helpers the tests use.
type browser struct {
	t        *testing.T
	ctx      context.Context
	base     string          // the example's URL
	secrets  func() []string // no page may contain one
	shots    string          // screenshot directory
	nshot    int
	mu       gosync.Mutex
	dialogs  []string // JavaScript dialogs that opened (none may)
	scanned  map[string]bool
	pageHTML string
}

func chromiumPath() string {
	if p := os.Getenv(envChromium); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// requireChromium returns the browser's path, or skips the test (fails it
// when WMSBRIDGE_BROWSER_TESTS=required) without one.
func requireChromium(t *testing.T) string {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		msg := "no Chromium found: install it (apt-get install -y chromium) or set " + envChromium +
			" to a Chrome or Chromium binary to run the browser tests"
		if os.Getenv(envRequired) == "required" {
			t.Fatal(msg + " (" + envRequired + "=required)")
		}
		t.Skip(msg)
	}
	return path
}

// newBrowser starts a headless Chromium with a fresh profile, or skips the
// test (fails it when WMSBRIDGE_BROWSER_TESTS=required) without one.
func newBrowser(t *testing.T, base string, secrets func() []string) *browser {
	t.Helper()
	path := requireChromium(t)
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 8*time.Minute)
	t.Cleanup(func() {
		cancelTime()
		cancelTab()
		cancelAlloc()
	})
	shots := os.Getenv(envScreenshots)
	if shots == "" {
		shots = filepath.Join(t.TempDir(), "screenshots")
	}
	shots = filepath.Join(shots, t.Name())
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, ctx: ctx, base: base, secrets: secrets, shots: shots, scanned: map[string]bool{}}
	// Start the browser, and record (and dismiss) any JavaScript dialog:
	// an alert() means a script of someone else's ran.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	go func() {
		for ev, err := range chromedp.Events(ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, ev.Message)
			b.mu.Unlock()
			_, _ = chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	t.Logf("screenshots: %s", shots)
	return b
}

func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.shot("failure")
	b.readmeShot("console-operations.png")
	b.t.Fatalf(format, args...)
}

// scan checks the current page for secrets and remembers it.
func (b *browser) scan() {
	b.t.Helper()
	var html string
	var err error
	for try := 0; try < 50; try++ { // a page drawing itself again has no document for a moment
		html, err = chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? document.documentElement.outerHTML : ""`))
		if err == nil && html != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || html == "" {
		b.t.Fatalf("read the page: %v", err)
	}
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	for _, s := range b.secrets() {
		if s != "" && strings.Contains(html, s) {
			b.t.Fatalf("the page %s shows a secret (%.8s…)", loc, s)
		}
	}
	b.scanned[loc] = true
	b.pageHTML = html
}

// scanDOM is scan through the DOM instead of a script, for pages with
// JavaScript switched off.
func (b *browser) scanDOM() {
	b.t.Helper()
	html, err := chromedp.Run(b.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		return // the page is reloading
	}
	for _, s := range b.secrets() {
		if s != "" && strings.Contains(html, s) {
			b.t.Fatalf("a page shows a secret (%.8s…)", s)
		}
	}
	b.pageHTML = html
}

// visit navigates to path and scans the page.
func (b *browser) visit(path string) {
	b.t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.fatalf("visit %s: %v", path, err)
	}
	if resp.Status >= 400 {
		b.fatalf("visit %s: HTTP %d", path, resp.Status)
	}
	b.scan()
}

// click clicks sel, waits for the page it loads, and scans it; it returns
// the HTTP status of that page.
func (b *browser) click(sel string) int64 {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.fatalf("click %s: %v", sel, err)
	}
	b.scan()
	return resp.Status
}

// fill sets the form field sel to v.
func (b *browser) fill(sel, v string) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
		b.fatalf("fill %s: %v", sel, err)
	}
}

// check ticks (or unticks) the checkbox sel by clicking it.
func (b *browser) check(sel string, on bool) {
	b.t.Helper()
	cur := b.eval(`document.querySelector(` + jsString(sel) + `).checked`)
	if cur != on {
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			b.fatalf("click %s: %v", sel, err)
		}
	}
}

// text returns the visible text of sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates a JavaScript boolean expression.
func (b *browser) eval(expr string) bool {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](expr))
	if err != nil {
		b.fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls expr on the current page until it is true.
func (b *browser) waitFor(what, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for !b.eval(expr) {
		if time.Now().After(deadline) {
			b.fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// reloadUntil visits path again and again until expr is true on it.
func (b *browser) reloadUntil(what, path, expr string, timeout time.Duration) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.visit(path)
		if b.eval(expr) {
			return
		}
		if time.Now().After(deadline) {
			b.fatalf("waited %v for %s", timeout, what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// shot saves a screenshot of the whole page.
func (b *browser) shot(name string) {
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.nshot++
	file := filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.nshot, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

// readmeShot saves the window (not the whole page) as a README picture
// when WMSBRIDGE_README_SHOTS names a directory.
func (b *browser) readmeShot(file string) {
	dir := os.Getenv(envReadme)
	if dir == "" {
		return
	}
	buf, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, file), buf, 0o644)
	}
	if err != nil {
		b.t.Logf("README picture %s: %v", file, err)
	}
}

func (b *browser) noDialogs() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.dialogs) > 0 {
		b.fatalf("a script ran in the console and opened dialogs: %q", b.dialogs)
	}
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

// startWorld runs the example on a free loopback port with a small
// catalogue.
func startWorld(t *testing.T) *world {
	t.Helper()
	w, err := newWorld(context.Background(), options{Addr: "127.0.0.1:0", DataDir: t.TempDir(), Products: 120, TimeScale: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.close)
	return w
}

// TestBrowserClickThrough is the seed's walk through the console in a real
// browser: connect a shop (a refused token first: the error sits next to
// the token field), read its connection test, choose the settings, run the
// setup and watch the live progress reach 100%, see an order arrive, see a
// message fail when the app lost a scope, replay it once the scope is back
// and see it go; then a product title that is a script is shown as text,
// a cross-site form post is refused, and no page shows a secret.
func TestBrowserClickThrough(t *testing.T) {
	requireChromium(t)
	w := startWorld(t)
	b := newBrowser(t, w.url, w.secrets)
	ctx := context.Background()

	// The operations view, empty.
	b.visit(basePath + "/")
	if !strings.Contains(b.text("main"), "No shop is connected yet") {
		b.fatalf("the empty overview does not say so: %q", b.text("main"))
	}
	b.shot("overview-empty")

	// Connect: a wrong token first.
	b.click(`a[href="` + basePath + `/connect"]`)
	form := `form[action="` + basePath + `/connect/shopify-token"] `
	b.fill(form+`input[name="shop"]`, "MyShopDK")
	b.fill(form+`input[name="display_name"]`, "My Shop DK")
	b.fill(form+`input[name="country"]`, "dk")
	b.fill(form+`input[name="admin_url"]`, "https://"+w.dk.Domain())
	b.fill(form+`input[name="access_token"]`, "shpat_wrong")
	b.fill(form+`input[name="api_secret"]`, w.secret)
	if st := b.click(form + `button[type="submit"]`); st != http.StatusUnprocessableEntity {
		b.fatalf("connect with a wrong token: HTTP %d, want 422", st)
	}
	if e := b.text("#shopify-token-access_token-err"); !strings.Contains(e, "refused") {
		b.fatalf("the token field's error = %q", e)
	}
	if !b.eval(`document.getElementById("shopify-token-access_token").getAttribute("aria-invalid") === "true"`) {
		b.fatalf("the token field is not marked invalid")
	}
	if v := b.eval(`document.getElementById("shopify-token-access_token").value === "" && document.getElementById("shopify-token-api_secret").value === ""`); !v {
		b.fatalf("a secret was filled in again")
	}
	if _, err := w.eng.Settings(ctx, "MyShopDK"); !errors.Is(err, wmssync.ErrNotFound) {
		b.fatalf("a refused connection saved the shop: %v", err)
	}
	b.shot("connect-refused")

	// The right token: the connection test.
	b.fill(form+`input[name="access_token"]`, w.dk.AccessToken())
	b.fill(form+`input[name="api_secret"]`, w.secret)
	if st := b.click(form + `button[type="submit"]`); st != http.StatusOK {
		b.fatalf("connect: HTTP %d", st)
	}
	main := b.text("main")
	for _, want := range []string{"Connection test: My Shop DK", "OK", "Import products", "read_products", "Copenhagen warehouse", "not mapped", "2026-10"} {
		if !strings.Contains(main, want) {
			b.fatalf("the connection test does not show %q:\n%s", want, main)
		}
	}
	b.shot("connection-test")

	// Settings: map the three locations, main shop, POS.
	b.click(`a[href="` + basePath + `/shops/MyShopDK/settings"].button`)
	warehouses := map[string]string{"Copenhagen warehouse": whCPH, "Aarhus warehouse": whAAR, "Copenhagen flagship store": whStore}
	for _, l := range w.dk.Locations() {
		b.fill(`select[name="locations[`+shopify.GID("Location", l.ID)+`]"]`, warehouses[l.Name])
	}
	b.check(`#f-main`, true)
	b.check(`#f-pos`, true)
	if b.eval(`!document.getElementById("f-sales_history_since-warn").hidden`) {
		b.fatalf("the 60-day warning shows for a shop granted read_all_orders")
	}
	b.shot("settings")
	if st := b.click(`button[name="op"][value="save"]`); st != http.StatusOK {
		b.fatalf("save settings: HTTP %d", st)
	}
	s, err := w.eng.Settings(ctx, "MyShopDK")
	if err != nil || !s.Main || !s.POS || len(s.Locations) != 3 {
		b.fatalf("saved settings = %+v, %v", s, err)
	}

	// Setup with live progress: the page updates itself (server-sent
	// events) without a reload until every step is done.
	if !strings.Contains(b.text("main"), "Settings saved") {
		b.fatalf("no confirmation after saving")
	}
	b.click(`#run-setup`)
	b.eval(`(window.__sameLoad = true)`)
	liveSeen := false
	deadline := time.Now().Add(4 * time.Minute)
	var maxPct []int
	for {
		type stepDOM struct {
			Status string `json:"status"`
			Value  int    `json:"value"`
			Max    int    `json:"max"`
		}
		steps, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]stepDOM](`Array.from(document.querySelectorAll("li.step")).map(li => ({
			status: li.querySelector('[data-field="status"]').textContent,
			value: li.querySelector("progress").hasAttribute("value") ? li.querySelector("progress").value : -1,
			max: li.querySelector("progress").max}))`))
		if err != nil || len(steps) != 5 {
			// The page is drawing itself again (the script reloads it when
			// the run ends): read it once it is there.
			if time.Now().After(deadline) {
				b.fatalf("read the steps: %v", err)
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		same, _ := chromedp.Run(b.ctx, chromedp.Evaluate[*bool](`window.__sameLoad`))
		if maxPct == nil {
			maxPct = make([]int, len(steps))
		}
		done := true
		for i, s := range steps {
			if s.Value > maxPct[i] {
				if same != nil && *same && s.Value > 0 {
					liveSeen = true // changed by the event stream, not a reload
				}
				maxPct[i] = s.Value
			}
			if s.Status != string(wmssync.StepDone) && s.Status != string(wmssync.StepSkipped) {
				done = false
			}
		}
		if b.nshot < 7 && same != nil && *same && steps[0].Value > 0 {
			b.shot("setup-running")
			if b.nshot == 5 {
				b.readmeShot("console-setup.png")
			}
		}
		if done && (same == nil || !*same) {
			break // finished, and the page drew itself again at the end
		}
		if time.Now().After(deadline) {
			b.fatalf("setup did not finish: %+v", steps)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.scan()
	if !liveSeen {
		b.fatalf("the progress bars never moved without a reload (max %v)", maxPct)
	}
	for i, p := range maxPct {
		if p != 100 {
			b.fatalf("step %d ended at %d%%, want 100%%", i, p)
		}
	}
	if !strings.Contains(b.text("#setup-summary"), "Setup is finished") {
		b.fatalf("summary after setup: %q", b.text("#setup-summary"))
	}
	b.shot("setup-done")
	if n, _ := w.wms.CountItems(ctx); n == 0 {
		b.fatalf("the setup imported nothing into the warehouse")
	}

	// An order arrives: placed in the shop, seen in the shop's activity.
	b.visit("/demo/")
	b.click(`#demo-order`)
	order := w.dk.Orders()[len(w.dk.Orders())-1]
	orderGID := shopify.GID("Order", order.ID)
	b.reloadUntil("the order in the shop's activity", basePath+"/shops/MyShopDK",
		`document.querySelector("table.activity") !== null && document.querySelector("table.activity").textContent.includes(`+jsString(orderGID)+`)`,
		30*time.Second)
	if o, err := w.wms.Order(ctx, wms.OrderKey{Shop: "MyShopDK", ExternalID: orderGID}); err != nil || o.Stage != wms.StageReleased {
		b.fatalf("the order in the warehouse: %+v, %v", o, err)
	}
	// The shop page charts the API budget the connector reports.
	b.reloadUntil("the API budget chart", basePath+"/shops/MyShopDK", `document.querySelector("svg#budget-chart .line") !== null`, 30*time.Second)
	if s := b.text("#budget ~ p, #budget-chart + p"); !strings.Contains(s, "API budget in use") {
		b.fatalf("the chart has no text summary: %q", s)
	}
	b.shot("order-arrived")

	// A failure: the app lost the fulfilment scope, the warehouse packs.
	b.visit("/demo/")
	b.click(`#demo-revoke`)
	b.click(`#demo-pack`)
	b.reloadUntil("the packed message to fail", basePath+"/shops/MyShopDK",
		`Array.from(document.querySelectorAll("li.failure")).some(li => li.textContent.includes("order.packed"))`, 30*time.Second)
	if f := b.text("li.failure"); !strings.Contains(f, "ACCESS_DENIED") && !strings.Contains(strings.ToLower(f), "access") {
		b.fatalf("the failure does not say why: %q", f)
	}
	if !strings.Contains(b.text("#health"), "failing") {
		b.fatalf("health with a failure: %q", b.text("#health"))
	}
	b.shot("failure")
	b.readmeShot("console-operations.png")
	b.visit(basePath + "/")
	if !b.eval(`document.querySelector("table.shops").textContent.includes("failing")`) {
		b.fatalf("the overview does not show the shop failing")
	}

	// The scope comes back; replay; the failure goes and the order is
	// fulfilled in the shop.
	b.visit("/demo/")
	b.click(`#demo-grant`)
	b.visit(basePath + "/shops/MyShopDK")
	b.click(`li.failure button.replay`)
	if !strings.Contains(b.text("main"), "replayed") {
		b.fatalf("no confirmation of the replay")
	}
	b.reloadUntil("the failure to go", basePath+"/shops/MyShopDK", `document.getElementById("no-failures") !== null`, 30*time.Second)
	for deadline := time.Now().Add(30 * time.Second); w.dk.OrderFulfillmentStatus(order.ID) != "FULFILLED"; {
		if time.Now().After(deadline) {
			b.fatalf("the replayed order's fulfilment status = %q", w.dk.OrderFulfillmentStatus(order.ID))
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.shot("failure-replayed")

	// Stock changed by hand in the shop: the stock audit finds the drift,
	// shows it, and the shop gets the warehouse's figure back; a full
	// push then sends every level.
	p0 := w.dk.Products()[0]
	v0, _ := w.dk.Variant(p0.VariantIDs[0])
	item, _ := w.dk.InventoryItem(v0.InventoryItemID)
	var cph int64
	for _, l := range w.dk.Locations() {
		if l.Name == "Copenhagen warehouse" {
			cph = l.ID
		}
	}
	drifted := w.dk.Quantity(item.ID, cph, "available") + 500
	if err := w.dk.SetQuantity(item.ID, cph, "available", drifted); err != nil {
		b.fatalf("change the stock in the shop: %v", err)
	}
	b.visit(basePath + "/shops/MyShopDK")
	if !b.eval(`document.getElementById("audit-none") !== null`) {
		b.fatalf("a stock audit before any ran: %q", b.text("#stock-audit ~ *"))
	}
	b.click(`#run-audit`)
	b.reloadUntil("the stock audit's result", basePath+"/shops/MyShopDK",
		`document.getElementById("audit-result") !== null && document.getElementById("audit-running") === null`, 60*time.Second)
	type driftRow struct {
		SKU, Warehouse, Shop, Want string
	}
	rows, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]driftRow](`Array.from(document.querySelectorAll("#audit-drifts tbody tr")).map(tr => ({
		SKU: tr.cells[0].textContent, Warehouse: tr.cells[1].textContent, Shop: tr.cells[3].textContent, Want: tr.cells[4].textContent}))`))
	if err != nil {
		b.fatalf("read the drifts: %v", err)
	}
	i := slices.IndexFunc(rows, func(r driftRow) bool { return r.SKU == item.SKU && r.Warehouse == whCPH })
	if i < 0 || rows[i].Shop != fmt.Sprint(drifted) {
		b.fatalf("the audit does not show %s at %s showing %d: %+v", item.SKU, whCPH, drifted, rows)
	}
	var want int
	fmt.Sscan(rows[i].Want, &want)
	b.shot("stock-audit")
	for deadline := time.Now().Add(30 * time.Second); w.dk.Quantity(item.ID, cph, "available") != want; {
		if time.Now().After(deadline) {
			b.fatalf("the audited level: %d in the shop, want the warehouse's %d", w.dk.Quantity(item.ID, cph, "available"), want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.click(`#push-stock`)
	b.reloadUntil("the full push's result", basePath+"/shops/MyShopDK",
		`document.getElementById("audit-result") !== null && document.getElementById("audit-result").textContent.includes("Last full push")`, 60*time.Second)
	if sent := b.text("#audit-result"); !regexp.MustCompile(`Levels sent\s*[1-9]`).MatchString(sent) {
		b.fatalf("the full push sent nothing: %q", sent)
	}
	b.visit(basePath + "/")
	if a := b.text("table.shops td.audit"); !strings.Contains(a, "full push") || !strings.Contains(a, "levels sent") {
		b.fatalf("the overview does not show the last stock audit: %q", a)
	}
	b.shot("overview")

	// A product title that is a script: refused by the warehouse, shown as
	// text in the failure, never run.
	b.visit("/demo/")
	b.click(`#demo-markup`)
	b.reloadUntil("the refused product", basePath+"/shops/MyShopDK",
		`Array.from(document.querySelectorAll("li.failure")).some(li => li.textContent.includes("products/create"))`, 30*time.Second)
	if f := b.text("li.failure .field-error"); !strings.Contains(f, markupTitle) {
		b.fatalf("the failure does not show the title as text: %q", f)
	}
	if b.eval(`document.querySelectorAll("main script").length > 0`) {
		b.fatalf("the title became a script element")
	}
	b.shot("markup-as-text")
	b.noDialogs()
	// It should not happen: discarded, with a reason.
	b.fill(`li.failure form.discard input[name="reason"]`, "a test product")
	b.click(`li.failure form.discard button`)
	if !strings.Contains(b.text("main"), "discarded") || !b.eval(`document.getElementById("no-failures") !== null`) {
		b.fatalf("the discarded failure is still there: %q", b.text("main"))
	}

	// A cross-site form post is refused and changes nothing.
	crossSite(t, b, w)

	// A WooCommerce store: its keys form, a report without locations, and
	// one stock mapping in its settings.
	b.visit(basePath + "/connect")
	ck, cs := w.wooShop.Key()
	wform := `form[action="` + basePath + `/connect/woocommerce-keys"] `
	b.fill(wform+`input[name="shop"]`, "MyWoo")
	b.fill(wform+`input[name="admin_url"]`, w.wooShop.URL())
	b.fill(wform+`input[name="consumer_key"]`, ck)
	b.fill(wform+`input[name="consumer_secret"]`, cs)
	if st := b.click(wform + `button[type="submit"]`); st != http.StatusOK {
		b.fatalf("connect the WooCommerce store: HTTP %d\n%s", st, b.text("main"))
	}
	if main := b.text("main"); !strings.Contains(main, "Demo Woo") || !strings.Contains(main, "OK") {
		b.fatalf("the WooCommerce report: %s", main)
	}
	b.shot("woocommerce-test")
	b.visit(basePath + "/shops/MyWoo/settings")
	b.fill(`select[name="locations[]"]`, whAAR)
	b.click(`button[name="op"][value="save"]`)
	if s, err := w.eng.Settings(context.Background(), "MyWoo"); err != nil || s.System != "woocommerce" || s.Locations[""] != whAAR {
		b.fatalf("the WooCommerce store's settings: %+v, %v", s, err)
	}

	// The app installed on a shop that does not have it: the button sends
	// the browser to the (simulated) shop, which approves the install and
	// sends it back to the app's callback, which stores the credentials
	// and opens the shop's connection test.
	b.visit(basePath + "/connect")
	iform := `form[action="` + basePath + `/connect/shopify-install"] `
	if b.eval(`document.querySelector(` + jsString(iform+`input[type="password"]`) + `) !== null`) {
		b.fatalf("the install form asks for a secret")
	}
	b.fill(iform+`input[name="shop"]`, "MyShopNO")
	b.fill(iform+`input[name="display_name"]`, "My Shop NO")
	b.fill(iform+`input[name="admin_url"]`, "https://"+w.no.Domain())
	b.shot("install")
	if st := b.click(iform + `button[type="submit"]`); st != http.StatusOK {
		b.fatalf("install the app: HTTP %d\n%s", st, b.text("body"))
	}
	if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); loc != w.url+basePath+"/shops/MyShopNO/test?done=connected" {
		b.fatalf("after the install the browser is at %s", loc)
	}
	main = b.text("main")
	for _, want := range []string{"The shop is connected", "Connection test: My Shop NO", "Oslo warehouse", "OK", "read_all_orders"} {
		if !strings.Contains(main, want) {
			b.fatalf("the installed shop's connection test does not show %q:\n%s", want, main)
		}
	}
	if b.eval(`document.querySelector("tr.missing") !== null`) {
		b.fatalf("the install did not ask for every scope the features need:\n%s", main)
	}
	if c, err := w.store.LoadCredentials(ctx, "MyShopNO"); err != nil || c.RefreshToken == "" || c.Expiry.IsZero() {
		b.fatalf("the install stored no expiring token with a refresh token: %v", err)
	}
	b.shot("install-connected")

	// The merchant takes an access scope away from the app: the test
	// shows it missing, and its button asks the shop for it again.
	w.no.SetScopes(slices.DeleteFunc(w.no.Scopes(), func(s string) bool { return s == fulfilScope })...)
	b.visit(basePath + "/shops/MyShopNO/test")
	if !b.eval(`document.querySelector("tr.missing") !== null`) || !strings.Contains(b.text("#rep-problems ~ ol"), fulfilScope) {
		b.fatalf("the test does not show %s missing:\n%s", fulfilScope, b.text("main"))
	}
	b.shot("scope-missing")
	if st := b.click(`#ask-scopes`); st != http.StatusOK {
		b.fatalf("ask for the missing scope: HTTP %d\n%s", st, b.text("body"))
	}
	b.waitFor("the connection test after the approval", `location.pathname === "`+basePath+`/shops/MyShopNO/test" && document.readyState === "complete"`, 30*time.Second)
	b.scan()
	if b.eval(`document.querySelector("tr.missing") !== null`) || !slices.Contains(w.no.Scopes(), fulfilScope) {
		b.fatalf("the scope was not granted again: %v\n%s", w.no.Scopes(), b.text("main"))
	}

	// Every page of the console, followed link by link, shows no secret.
	crawl(b, basePath+"/")
	b.noDialogs()
	t.Logf("pages scanned for secrets: %d", len(b.scanned))
}

// crossSite serves a page on another site (localhost instead of
// 127.0.0.1) whose form posts to the console, as an attacker's page
// would, and checks the console refused it.
func crossSite(t *testing.T, b *browser, w *world) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := w.url + basePath + "/shops/MyShopDK/settings"
	evil := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(rw, `<!doctype html><form id="f" method="post" action="%s">
<input name="admin_url" value="https://evil.myshopify.com"><input name="op" value="save"></form>
<button id="go" onclick="document.getElementById('f').submit()">win a prize</button>`, target)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = evil.Serve(ln) }()
	defer evil.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	if _, err := chromedp.Run(b.ctx, chromedp.NavigateResponse("http://localhost:"+port+"/")); err != nil {
		b.fatalf("open the other site: %v", err)
	}
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.ID("go")))
	if err != nil {
		b.fatalf("submit the cross-site form: %v", err)
	}
	if resp.Status != http.StatusForbidden {
		b.fatalf("cross-site post: HTTP %d, want 403", resp.Status)
	}
	b.scan()
	if !strings.Contains(b.text("main"), "another site") {
		b.fatalf("the refusal does not say why: %q", b.text("main"))
	}
	b.shot("cross-site-refused")
	s, err := w.eng.Settings(context.Background(), "MyShopDK")
	if err != nil || s.AdminURL != "https://"+w.dk.Domain() {
		b.fatalf("the cross-site post changed the settings: %+v, %v", s, err)
	}
}

var hrefPattern = regexp.MustCompile(`href="(/[^"#?]*)`)

// crawl visits every console page reachable from start by links and
// scans each.
func crawl(b *browser, start string) {
	b.t.Helper()
	queue := []string{start}
	seen := map[string]bool{start: true}
	for len(queue) > 0 && len(seen) < 60 {
		p := queue[0]
		queue = queue[1:]
		b.visit(p)
		for _, m := range hrefPattern.FindAllStringSubmatch(b.pageHTML, -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(link, basePath+"/") || strings.Contains(link, "/assets/") || seen[link] {
				continue
			}
			seen[link] = true
			queue = append(queue, link)
		}
	}
	var pages []string
	for p := range seen {
		pages = append(pages, p)
	}
	slices.Sort(pages)
	b.t.Logf("crawled: %s", strings.Join(pages, " "))
}

// TestBrowserKeyboardAndWithoutJavaScript connects a shop with the keyboard
// alone (the skip link, Tab from field to field, Enter to submit), checks
// that every form control of every page has a label, and then runs the
// setup with JavaScript switched off: the pages still work, and the setup
// page refreshes itself until every step is done.
func TestBrowserKeyboardAndWithoutJavaScript(t *testing.T) {
	requireChromium(t)
	w := startWorld(t)
	b := newBrowser(t, w.url, w.secrets)

	b.visit(basePath + "/connect")
	press := func(keys string) {
		t.Helper()
		if err := chromedp.Do(b.ctx, chromedp.KeyEvent(keys)); err != nil {
			b.fatalf("keys: %v", err)
		}
	}
	focused := func() string {
		t.Helper()
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.activeElement.name || document.activeElement.id || document.activeElement.className)`))
		if err != nil {
			b.fatalf("focus: %v", err)
		}
		return v
	}
	press(kb.Tab)
	if f := focused(); f != "skip" {
		b.fatalf("the first Tab focuses %q, want the skip link", f)
	}
	press(kb.Enter)
	press(kb.Tab)
	// The first form is the app's install: the shop's fields, then the
	// button.
	for _, field := range []struct{ name, value string }{
		{"shop", "KeyShop"}, {"display_name", "Keyboard shop"}, {"country", "NO"},
		{"admin_url", "https://" + w.no.Domain()},
	} {
		if f := focused(); f != field.name {
			b.fatalf("Tab reached %q, want %q", f, field.name)
		}
		press(field.value)
		press(kb.Tab)
	}
	// Tab left the last field for the submit button: Enter presses it.
	if !b.eval(`document.activeElement.tagName === "BUTTON" && document.activeElement.textContent === "Install the app"`) {
		b.fatalf("after the last field, focus is on %q, not the submit button", focused())
	}
	// Enter: the console goes on to the shop, which approves and sends
	// the browser back to the connection test.
	if err := chromedp.Do(b.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		b.fatalf("Enter on the submit button: %v", err)
	}
	b.waitFor("the connection test after the install", `location.pathname === "`+basePath+`/shops/KeyShop/test" && document.readyState === "complete"`, 30*time.Second)
	b.scan()
	if !strings.Contains(b.text("h1"), "Connection test: Keyboard shop") {
		b.fatalf("the keyboard connect did not reach the test: %q", b.text("h1"))
	}

	// Every control of every page has a label, every button a name.
	labelled := func() {
		t.Helper()
		bad, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
			.filter(el => el.labels.length === 0 && !el.getAttribute("aria-label")).map(el => el.name || el.id)
			.concat(Array.from(document.querySelectorAll("button")).filter(bt => bt.textContent.trim() === "").map(() => "a button without text"))`))
		if err != nil {
			b.fatalf("labels: %v", err)
		}
		if len(bad) > 0 {
			loc, _ := chromedp.Run(b.ctx, chromedp.Location())
			b.fatalf("%s has controls without a label: %q", loc, bad)
		}
	}
	for _, p := range []string{"/", "/connect", "/shops/KeyShop", "/shops/KeyShop/test", "/shops/KeyShop/settings", "/shops/KeyShop/setup"} {
		b.visit(basePath + p)
		labelled()
	}

	// Without JavaScript.
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		b.fatalf("disable JavaScript: %v", err)
	}
	b.visit(basePath + "/shops/KeyShop/settings")
	b.click(`button[name="op"][value="save"]`)
	if !strings.Contains(b.text("main"), "Settings saved") {
		b.fatalf("saving without JavaScript: %q", b.text("main"))
	}
	b.click(`#run-setup`)
	// Scripts are off: the browser parsed the noscript elements (the
	// refresh and the link), which it does only then.
	if !b.eval(`document.querySelectorAll("noscript a").length > 0`) {
		b.fatalf("JavaScript is still on")
	}
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(b.pageHTML, "Setup is finished") {
		if time.Now().After(deadline) {
			b.fatalf("the setup page did not show the end by refreshing itself")
		}
		time.Sleep(500 * time.Millisecond)
		b.scanDOM() // the page reloads itself (meta refresh); read it as it is
	}
	b.shot("setup-done-without-javascript")
}
