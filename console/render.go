package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	wmssync "github.com/wmsbridge/wmsbridge/sync"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// pages holds the parsed templates, one set per page.
type pages struct {
	base  string
	title string
	sets  map[string]*template.Template
}

func parsePages(base, title string) (*pages, error) {
	p := &pages{base: base, title: title, sets: map[string]*template.Template{}}
	funcs := template.FuncMap{
		"url":      p.url,
		"asset":    func(name string) string { return base + "/assets/" + name },
		"feature":  featureName,
		"plain":    func(s string) string { return featureIDs.ReplaceAllString(s, "") },
		"num":      formatNum,
		"pct":      func(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) },
		"pct100":   func(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) },
		"when":     formatTime,
		"ago":      func(t time.Time) string { return formatAge(time.Since(t)) },
		"dur":      formatAge,
		"join":     strings.Join,
		"inc":      func(i int) int { return i + 1 },
		"fieldID":  fieldID,
		"contains": func(list []string, s string) bool { return contains(list, s) },
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html")
	if err != nil {
		return nil, fmt.Errorf("console: templates: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := path.Base(n)
		if name == "layout.html" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("console: template %s: %w", name, err)
		}
		p.sets[strings.TrimSuffix(name, ".html")] = t
	}
	return p, nil
}

// url joins the console's base path and the escaped segments.
func (p *pages) url(segments ...string) string {
	var b strings.Builder
	b.WriteString(p.base)
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if len(segments) == 0 {
		b.WriteByte('/')
	}
	return b.String()
}

// view is what every page template gets.
type view struct {
	Title   string // the page's title
	AppName string
	Nav     string // the active navigation entry
	Shop    string // the shop the page is about, if any
	Flash   string
	Refresh bool // reload the page every few seconds without JavaScript
	Reload  bool // reload the page every few seconds, with JavaScript too
	// Forward sends the browser on to this address at once (an install
	// flow's link to the shop): a navigation, which the policy's
	// form-action does not restrict as it does a form's redirect.
	Forward string
	Data    any
}

// render writes page with status.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t := c.pages.sets[page]
	if t == nil {
		c.errorPage(w, r, http.StatusInternalServerError, "unknown page "+page)
		return
	}
	v.AppName = c.pages.title
	if v.Flash == "" {
		v.Flash = flashes[r.URL.Query().Get("done")]
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		c.log.LogAttrs(r.Context(), slog.LevelError, "console: render", slog.String("page", page), slog.String("error", err.Error()))
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// errorPage renders msg (escaped) with status.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	t := c.pages.sets["error"]
	var buf bytes.Buffer
	err := t.ExecuteTemplate(&buf, "layout.html", view{Title: http.StatusText(status), AppName: c.pages.title,
		Data: struct {
			Status int
			Text   string
		}{status, msg}})
	if err != nil {
		http.Error(w, msg, status)
		return
	}
	writeHTML(w, status, buf.Bytes())
}

// shopSettings reads the settings of the request's shop; when it cannot,
// it answers the request and returns false.
func (c *Console) shopSettings(w http.ResponseWriter, r *http.Request) (wmssync.Settings, bool) {
	shop := r.PathValue("shop")
	s, err := c.eng.Settings(r.Context(), shop)
	if err != nil {
		c.notFound(w, r, shop, err)
		return s, false
	}
	return s, true
}

// parseForm reads the request's form, at most maxForm bytes; when it
// cannot, it answers 400 and returns false.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		c.errorPage(w, r, http.StatusBadRequest, "the form could not be read")
		return false
	}
	return true
}

// writeHTML sends a rendered page.
func writeHTML(w http.ResponseWriter, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// redirect answers a successful state change (POST, redirect, GET).
func (c *Console) redirect(w http.ResponseWriter, r *http.Request, done string, segments ...string) {
	u := c.pages.url(segments...)
	if done != "" {
		u += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// flashes are the messages a redirect after a state change may show,
// chosen by a fixed code (never text from the request).
var flashes = map[string]string{
	"connected": "The shop is connected. Here is its connection test.",
	"saved":     "Settings saved.",
	"started":   "Setup started.",
	"stopped":   "Setup stopped; it resumes where it stopped when you run it again.",
	"skipped":   "Step skipped.",
	"replayed":  "The failure was replayed: it is being processed again.",
	"discarded": "The failure was discarded.",
	"granted":   "The shop already grants every access scope the settings need.",
	"audit":     "Stock audit started: the shop's stock is compared with the warehouse's and the differences corrected. Its result shows below when it is finished.",
	"push":      "Full stock push started: every stock level of the shop is set to the warehouse's figure. Its result shows below when it is finished.",
}

// assetHandler serves the embedded CSS and JavaScript.
func assetHandler() http.Handler {
	sub, _ := fs.Sub(assetFS, "assets")
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ct := mime.TypeByExtension(path.Ext(r.URL.Path)); ct != "" {
			w.Header().Set("Content-Type", ct)
		}
		w.Header().Set("Cache-Control", "no-cache")
		files.ServeHTTP(w, r)
	})
}

var featureIDs = regexp.MustCompile(`\s*\(S\d+(, S\d+)*\)`)

// featureName drops the seed's feature ids ("import products (S7)").
func featureName(s string) string {
	s = featureIDs.ReplaceAllString(s, "")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// formatNum formats any integer with thousands separators.
func formatNum(v any) string {
	switch n := v.(type) {
	case int:
		return formatInt(int64(n))
	case int64:
		return formatInt(n)
	case uint64:
		return formatInt(int64(n))
	}
	return fmt.Sprint(v)
}

// formatInt writes n with thousands separators.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// formatAge renders a duration for people: "3 s", "4 min", "2 h 5 min".
func formatAge(d time.Duration) string {
	switch {
	case d < 0:
		return "–"
	case d < time.Second:
		return "0 s"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

// fieldID is the id of a form field's element, also its error's anchor.
func fieldID(name string) string {
	r := strings.NewReplacer("[", "-", "]", "", ":", "-", "/", "-", ".", "-")
	return "f-" + r.Replace(name)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
